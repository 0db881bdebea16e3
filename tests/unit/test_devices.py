"""The device registry: each kind's writer and reader agree, and every device list
of the answers format is a registered kind (so nothing walks a list by hand)."""

from __future__ import annotations

import typing

import pytest

from tests.helpers import ASSETS
from zwizard import structure
from zwizard.answers import load
from zwizard.devices import BY_KEY, BY_TAG, KINDS
from zwizard.importer import import_domain
from zwizard.model import Answers
from zwizard.plan import make_plan
from zwizard.render.domain import render_domain, to_xml


@pytest.mark.parametrize("example", sorted(ASSETS.glob("*.toml")), ids=lambda p: p.stem)
def test_each_kind_reads_back_what_it_wrote(example):
    """Written, read by `check`'s importer, written again: the same XML, and the same
    addresses, boot sequence, MACs, targets and zPCI ids in the plan."""
    a, _ = load(example)
    xml = to_xml(render_domain(a))
    back = import_domain(xml.encode(), example.name).answers
    assert to_xml(render_domain(back)) == xml
    p, q = make_plan(a), make_plan(back)
    assert (p.ccw, p.boot, p.macs, p.targets, p.zpci) == (q.ccw, q.boot, q.macs, q.targets, q.zpci)
    for kind in KINDS:
        assert len(getattr(back, kind.key)) == len(getattr(a, kind.key)), kind.key


def test_every_device_list_of_the_answers_is_a_registered_kind():
    lists = {
        f.name
        for f in structure.fields(Answers)
        if typing.get_origin(f.type) is list and structure.is_record(typing.get_args(f.type)[0])
    }
    # a converted guest's pci-bridge controllers: carried, never added in a front end,
    # written beside the PCI functions by the passthrough kind (after=write_bridges)
    not_devices = {"pci_bridges", "scsi_controllers"}  # the SCSI ones: their settings
    assert lists - not_devices == set(BY_KEY)
    assert [k.key for k in KINDS] == [
        "disks",
        "nics",
        "passthrough",
        "channels",
        "shares",
    ]  # ccw order
    assert sum(len(k.tags) for k in KINDS) == len(BY_TAG)  # one reader per element


def test_a_kinds_missing_keys_are_what_the_answers_mode_asks_for(tmp_path):
    from zwizard.answers import missing
    from zwizard.model import Disk, Nic, Passthrough

    a = Answers()
    a.guest.name = "g"
    a.disks.append(Disk(path=""))
    a.nics.append(Nic())
    a.passthrough += [Passthrough(type="vfio-ccw"), Passthrough(type="pci")]
    assert missing(a) == [
        "disks[0].path",
        "nics[0].source",
        "passthrough[0].uuid",
        "passthrough[1].address",
    ]


def test_a_channel_with_a_socket_path_is_written_and_read_back():
    from zwizard.model import Channel

    a, _ = load(ASSETS / "tcg-lab.toml")
    a.channels = [Channel(path="/run/zwizard/ga.sock")]
    xml = to_xml(render_domain(a))
    assert '<source mode="bind" path="/run/zwizard/ga.sock"/>' in xml
    back = import_domain(xml.encode(), "x.xml").answers
    assert back.channels == a.channels


@pytest.mark.parametrize(
    ("devices", "expected"),
    [
        (dict(channels=[{"name": ""}]),
         ("channel", "channels[0].name", "a channel needs the name the guest sees")),
        (dict(nics=[{"source": {"network": "default", "bridge": "br0"}}]),
         ("nic-source", "nics[0].source",
          "give exactly one of network, bridge, direct, user (found: network 'default', bridge "
          "'br0'); empty the ones not meant")),
        (dict(nics=[{"source": {"bridge": "br 0"}}]),
         ("nic-source", "nics[0].source.bridge",
          "'br 0' is not a host interface name: 1-15 of letters, digits, '_', '.', '-', "
          "not starting with '-', not '.' or '..' (Linux dev_valid_name and libvirt's "
          "domain schema)")),
        (dict(passthrough=[{"type": "vfio-ccw"}]),  # the wizard shows it on the empty field
         ("vfio-ccw", "passthrough[0].uuid",
          "a vfio-ccw DASD passthrough needs the UUID of its mediated device "
          "(ls /sys/bus/mdev/devices/)")),
    ],
    ids=["channel-without-name", "nic-two-sources", "bridge-name", "mdev-without-uuid"],
)  # fmt: skip
def test_kind_rules_name_key_and_reason(devices, expected):
    from tests.helpers import answers
    from zwizard.rules import check

    assert expected in {(f.rule, f.path, f.message) for f in check(answers(**devices))}


@pytest.mark.parametrize("kind", ["vfio-ap", "vfio-ccw", "pci", "scsi"])
def test_the_fields_a_new_passthrough_must_get_are_the_ones_the_answers_call_missing(kind):
    # both front ends ask the required declared fields; the answers mode lists `missing`
    from zwizard.devices import passthrough
    from zwizard.model import Passthrough

    dev = Passthrough(type=kind)
    required = [f.key for f in passthrough.FIELDS if f.required and f.applies(dev)]
    assert required == passthrough.KIND.missing(dev) and len(required) == 1


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_every_field_a_kind_declares_is_a_key_of_its_entries(kind):
    # both front ends read and set an entry through these keys: one that names nothing
    # would be a field that is shown but never written
    item_type = typing.get_args(structure.hints(Answers)[kind.key])[0]
    entry = structure.blank(item_type)
    for declared in (*kind.fields, *kind.options):
        parent, _, key = declared.key.rpartition(".")
        table = structure.lookup(entry, parent) if parent else entry
        if table is None:  # an optional table absent on a blank entry (zpci)
            table = structure.blank(
                next(t for t in typing.get_args(structure.hints(item_type)[parent])
                     if structure.is_record(t))
            )  # fmt: skip
        assert key in {f.name for f in structure.fields(table)}, (kind.key, declared.key)

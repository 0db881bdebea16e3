"""The parts (zwizard.parts) as the renderer and the importer walk them: each names the
answers it holds, no element has two readers, and every element zwizard writes for a
guest is one some part or device kind reads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

from zwizard.answers import load
from zwizard.devices import BY_TAG
from zwizard.model import Answers, Kernel, Vsock, Watchdog
from zwizard.parts import DEVICE_TAGS, DEVICES, DOMAIN_TAGS, HEAD, PARTS, TAIL
from zwizard.render.domain import render_domain, to_xml
from zwizard.structure import lookup

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def test_each_part_names_answers_that_exist():
    a = Answers(kernel=Kernel(path="/boot/vmlinuz"), vsock=Vsock(), watchdog=Watchdog())
    for part in PARTS:
        if part.key:  # the features and the panic device hold none
            lookup(a, part.key)  # raises where a key on the way is unknown
    assert sorted(p.tags[0] for p in PARTS if not p.key) == ["features", "panic"]


def test_no_element_has_two_readers():
    domain = Counter(tag for part in HEAD + TAIL for tag in part.tags)
    devices = Counter(tag for part in DEVICES for tag in part.tags)
    assert [t for t, n in domain.items() if n > 1] == []
    assert [t for t, n in devices.items() if n > 1] == []
    assert set(DEVICE_TAGS) & set(BY_TAG) == set()  # a kind's element is the kind's


def test_every_element_written_is_read_by_a_part_or_a_kind():
    for asset in sorted(ASSETS.glob("*.toml")):
        dom = etree.fromstring(to_xml(render_domain(load(asset)[0])).encode())
        for el in dom:
            if el.tag != "devices":
                assert el.tag in DOMAIN_TAGS, (asset.name, el.tag)
        for el in dom.find("devices"):
            # the SCSI/virtio-serial/usb controllers are the kinds' (the importer reads
            # them for the entries that sit on them)
            assert el.tag in DEVICE_TAGS or el.tag in BY_TAG or el.tag == "controller", (
                asset.name,
                el.tag,
            )

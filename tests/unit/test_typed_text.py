"""Whatever text is typed into any wizard field, the wizard writes exactly what the
answers mode writes for the same values, or refuses with the same rule id — never
another value. The fields and their kinds are read from the wizard's own steps."""

from __future__ import annotations

import copy
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ASSETS
from zwizard.answers import load
from zwizard.build import build
from zwizard.session import Session, number_rule
from zwizard.structure import assign, fields, lookup


def wizard_fields() -> list[tuple[str, str]]:
    """(key path, kind) of every text field the wizard's steps declare: the declared
    questions of the keys that take text (zwizard.questions; a yes/no key is a toggle, a
    question with choices a choice), and the fields a step words itself (a device form's
    path and source)."""
    import ast
    from pathlib import Path

    import zwizard.tui.steps as steps
    from zwizard.model import Answers, Kernel, Target
    from zwizard.questions import QUESTIONS

    filled = Answers(target=Target(), kernel=Kernel(path=""))
    out = []
    for q in QUESTIONS.values():
        if q.choices or q.path in ("virtio-pci", "cpu.model"):  # greyed; the wizard's Select
            continue
        record, _, name = q.path.rpartition(".")
        declared = next(f for f in fields(lookup(filled, record)) if f.name == name)
        if "bool" not in str(declared.type):  # a yes/no key is a toggle
            out.append((q.path, q.kind))
    for module in Path(steps.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "TextField":
                words = node.args[1:] or [k for k in node.keywords if k.arg == "label"]
                if not words:
                    continue  # a declared question: above
                path = node.args[0].value  # type: ignore[attr-defined]
                kind = next((k.value.value for k in node.keywords if k.arg == "kind"), "str")
                out.append((path, kind))
    from zwizard.devices import KINDS

    for device in KINDS:  # the fields and options a device kind declares (both front ends)
        declared = (*device.fields, *device.options)
        out += [(f"{device.key}[0].{f.key}", f.text) for f in declared if not f.choices]
    return sorted(set(out))


FIELDS = wizard_fields()
BASE, _ = load(ASSETS / "pxe-install.toml")  # a disk, a NIC; PXE on
BASE.passthrough = []  # the passthrough fields are exercised on the next one
PCI = next(p for p in load(ASSETS / "crypto-zpci.toml")[0].passthrough if p.type == "pci")
AP = next(p for p in load(ASSETS / "crypto-zpci.toml")[0].passthrough if p.type == "vfio-ap")
DASD = load(ASSETS / "dasd-boot.toml")[0].passthrough[0]

texts = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["0=2-3 1=4,^5", "zpci=disable", "0=1 0=2", "=x", "a=", "vx=require aen=off"]),
    st.sampled_from(["8G", "BOOT-1", "0x1g", "4096 MiB", " 4", "4 ", "", "-1", "0", "1", "08",
                     "fe.0.0001", "FE.0.00AA", "web01\n", "PROMPT", "52:54:00:AA:BB:01",
                     "10.0.0.5/24", "http://x/os/", "nfs:s:/p", "rhel9/vmlinuz", "٣", "1_0"]),
)  # fmt: skip


def answers_mode_value(text: str, kind: str) -> tuple[bool, object]:
    """What an answers file can say for this text: (expressible, value)."""
    optional = kind.startswith("optional")
    if kind.endswith("list"):  # a TOML array: of integers (decimal or 0x-hex), or strings
        from zwizard.session import parse_list

        items = parse_list(text, kind)
        return items is not None, items
    if kind == "mapping":  # KEY=VALUE pairs: a TOML inline table
        from zwizard.session import parse_mapping

        mapping = parse_mapping(text)
        return mapping is not None, mapping
    if optional and text == "":
        return True, None
    if kind.endswith("int"):
        if re.fullmatch(r"-?[0-9]+", text):
            return True, int(text)
        return False, None  # letters in a number: TOML has no such integer
    return True, text


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(field=st.sampled_from(FIELDS), text=texts)
def test_typed_text_is_written_as_the_answers_mode_would_or_refused_alike(field, text):
    path, kind = field
    base = BASE
    if path.startswith("passthrough"):  # the wizard shows each field for its kind only
        base = copy.deepcopy(BASE)
        pci = ".zpci." in path or path.endswith(".address")
        crypto = path.endswith(("adapters", "domains"))
        base.passthrough = [copy.deepcopy(PCI if pci else AP if crypto else DASD)]
    if path.startswith("shares"):  # the share form shows for a share
        from zwizard.model import Share

        base = copy.deepcopy(BASE)
        base.shares = [Share(source="/srv/share", tag="share0")]
    session = Session(copy.deepcopy(base))
    session.set_text(path, text, kind)
    wizard = session.result

    expressible, value = answers_mode_value(text, kind)
    if not expressible:  # a number field holding letters: refused under the key's rule
        assert not wizard.ok and not wizard.files
        assert wizard.findings[0].path == path
        assert wizard.findings[0].rule == number_rule(path)
        return
    other = copy.deepcopy(base)
    other.guest.uuid = session.answers.guest.uuid
    if value is not None or lookup(other, path.rpartition(".")[0]) is not None:
        assign(other, path, value)  # (nothing typed into an absent table leaves it absent)
    batch = build(other)
    # whatever the rules let through, libvirt's schema accepts: no value reaches the
    # "zwizard bug" path of a schema failure
    assert not batch.schema_problems, (path, text, batch.schema_problems)
    if batch.ok:
        assert wizard.ok and wizard.files == batch.files  # the same files, byte for byte
    else:
        assert not wizard.ok and not wizard.files
        assert {f.rule for f in wizard.findings if f.severity == "error"} == {
            f.rule for f in batch.findings if f.severity == "error"
        }


def test_the_fields_cover_every_step():
    paths = {p for p, _ in FIELDS}
    for expected in ("guest.name", "guest.vcpus", "guest.memory_mib", "disks[0].loadparm",
                     "nics[0].mac", "passthrough[0].zpci.uid", "pxe.address", "pxe.repo"):  # fmt: skip
        assert expected in paths


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [("guest.memory_mib", "8G", "memory"), ("disks[0].loadparm", "BOOT-1", "loadparm"),
     ("guest.vcpus", "0x10", "vcpus"), ("guest.memory_mib", "4096 MiB", "memory")],
)  # fmt: skip
def test_the_audit_cases_are_refused_with_their_rule(path, text, rule):
    session = Session(copy.deepcopy(BASE))
    session.set_text(path, text, "int" if path.startswith("guest.") else "optional-str")
    assert rule in {f.rule for f in session.result.findings if f.severity == "error"}
    assert not session.result.files


# whole-number keys no front end offers as typed text, each with its reason
NOT_TYPED = {
    "version": "the answers format's, written by zwizard",
    "guest.memory_kib": "a converted guest's size that is no whole MiB",
    "guest.scsi_iothread": "a converted guest's SCSI controller I/O thread",
    "vsock.cid": "a converted vsock's context id",
    "pci_bridges[].index": "a converted guest's pci-bridge",
    "scsi_controllers[].index": "a converted guest's SCSI controller settings",
    "scsi_controllers[].queues": "a converted guest's SCSI controller settings",
    "scsi_controllers[].cmd_per_lun": "a converted guest's SCSI controller settings",
    "scsi_controllers[].max_sectors": "a converted guest's SCSI controller settings",
    "scsi_controllers[].iothread": "a converted guest's SCSI controller settings",
    "pci_bridges[].chassis": "a converted guest's pci-bridge",
    "shares[].queue": "a converted share's virtiofs queue size",
    "graphics.heads": "a converted display's outputs",
    "graphics.videos": "a converted guest's further video heads",
}


def _int_places(cls: type, prefix: str = "") -> set[str]:
    import types
    import typing

    from zwizard.structure import fields, is_record

    out: set[str] = set()
    for f in fields(cls):
        tp = typing.get_type_hints(cls)[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
            tp = args[0]
        place = prefix + f.name
        if is_record(tp):
            out |= _int_places(tp, place + ".")
        elif typing.get_origin(tp) is list and is_record(typing.get_args(tp)[0]):
            out |= _int_places(typing.get_args(tp)[0], place + "[].")
        elif tp is int:
            out.add(place)
    return out


def test_every_whole_number_key_names_its_rule_and_what_it_counts():
    """A number typed wrong is refused under the field's own rule, in its own words, so
    every whole-number key of the answers has its place in NUMBERS (or a reason it is
    never typed); a kind's typed number field too."""
    from zwizard.devices import KINDS
    from zwizard.model import Answers
    from zwizard.rules import RULES
    from zwizard.typed import NUMBERS

    places = _int_places(Answers)
    assert places - set(NUMBERS) - set(NOT_TYPED) == set()
    assert set(NUMBERS) | set(NOT_TYPED) <= places  # no stale entry
    typed = {f"{k.key}[].{f.key}" for k in KINDS for f in k.fields + k.options
             if f.text == "optional-int"}  # fmt: skip
    assert typed <= set(NUMBERS)
    assert {rule for rule, _ in NUMBERS.values()} <= set(RULES)
    # a disk's queues and a NIC's are two fields with two rules
    assert number_rule("disks[3].queues") == "disk-tuning"
    assert number_rule("nics[0].queues") == "nic-tuning"

"""The editing core every front end uses: what is typed is what is written, or
refused in words; every edit; Secure Execution with what must go; one write path."""

from __future__ import annotations

import pytest

from tests.helpers import AP_UUID, CCW_UUID, answers
from zwizard import drafts
from zwizard.model import Disk, Nic, NicSource, Passthrough
from zwizard.session import Session

RULES_TESTED_HERE = {"value"}


def session(**changes):
    return Session(answers(**changes))


def errors(s: Session) -> dict[str, str]:
    return {f.path: f"{f.message} [{f.rule}]" for f in s.result.findings if f.severity == "error"}


@pytest.mark.parametrize(
    ("path", "text", "rule"),
    [("guest.memory_mib", "8G", "memory"), ("guest.memory_mib", "4096 MiB", "memory"),
     ("guest.memory_mib", "0x1g", "memory"), ("guest.vcpus", "4 ", "vcpus"),
     ("guest.vcpus", "٤", "vcpus"), ("guest.vcpus", "1_0", "vcpus"),
     ("disks[0].boot_order", "first", "boot-order"), ("guest.vcpus", "", "vcpus")],
)  # fmt: skip
def test_number_fields_keep_text_that_is_no_number_and_block_writing(path, text, rule, tmp_path):
    s = session()
    before = s.text_of(path)
    s.set_text(path, text, "int")
    assert s.text_of(path) == text  # shown as typed
    assert str(s.result.findings[0].path) == path and s.result.findings[0].rule == rule
    assert not s.result.ok and not s.result.files
    outcome = s.write(tmp_path)
    assert outcome.error and not outcome.written and not list(tmp_path.iterdir())
    s.set_text(path, before, "int")
    assert s.result.ok


def test_memory_with_a_unit_says_what_to_type():
    s = session()
    s.set_text("guest.memory_mib", "8G", "int")
    assert "for 8G write 8192" in errors(s)["guest.memory_mib"]


def test_strings_are_kept_exactly_and_the_rules_speak():
    s = session()
    s.set_text("disks[0].loadparm", "BOOT-1", "optional-str")
    assert s.answers.disks[0].loadparm == "BOOT-1"
    assert "1 to 8 characters" in errors(s)["disks[0].loadparm"]
    assert not s.result.ok


def test_optional_fields_empty_means_unset():
    s = session()
    s.set_text("disks[0].loadparm", "1", "optional-str")
    s.set_text("disks[0].loadparm", "", "optional-str")
    assert s.answers.disks[0].loadparm is None
    s.set_text("nics[0].boot_order", "", "optional-int")
    assert s.answers.nics[0].boot_order is None


def test_an_echo_is_no_change():
    s = session()
    assert not s.set_value("guest.name", "web01")
    assert s.set_value("guest.name", "web02")


def test_pending_text_follows_its_device():
    s = session(disks=[{"path": "/a", "boot_order": 1}, {"path": "/b"}, {"path": "/c"}])
    s.set_text("disks[2].boot_order", "x", "optional-int")
    s.remove_device("disks", 0)
    assert s.pending == {"disks[1].boot_order": "x"}
    s.move_device("disks", 1, -1)
    assert s.pending == {"disks[0].boot_order": "x"}
    s.remove_device("disks", 0)
    assert s.pending == {}


def test_first_disk_boots_and_boot_sequence_moves():
    s = Session(answers(disks=[], nics=[]))
    s.add_device("disks", Disk(path="/a"))
    assert s.answers.disks[0].boot_order == 1
    s.add_device("nics", Nic(source=NicSource(network="default")))
    s.toggle_boot("nics", 0)
    assert s.result.plan.boot == {"disks[0]": 1, "nics[0]": 2}
    s.move_in_boot_sequence(1, -1)
    assert s.result.plan.boot == {"nics[0]": 1, "disks[0]": 2}
    s.toggle_boot("nics", 0)
    assert s.result.plan.boot == {"disks[0]": 1}


def test_secure_execution_lists_what_goes_then_says_what_went():
    s = session(memory={"hugepages": True}, guest={"vcpus": 248})
    s.add_device("passthrough", Passthrough(type="vfio-ccw", uuid=CCW_UUID))
    s.add_device("passthrough", Passthrough(type="vfio-ap", uuid=AP_UUID))
    will = s.secure_execution_removals()
    assert [w.split(":")[0] for w in will] == [
        "passthrough[0]", "passthrough[1]", "memory.hugepages", "memory.balloon",
        "rng.enabled", "guest.vcpus",
    ]  # fmt: skip
    assert s.enable_secure_execution() == will
    assert s.result.ok, s.result.findings
    assert "<launchSecurity" in s.result.files["web01.xml"]
    assert 'memballoon model="none"' in s.result.files["web01.xml"]


def test_draft_keeps_pending_step_field_and_other_host(tmp_path):
    s = session()
    s.set_text("guest.memory_mib", "8G", "int")
    s.set_other_host(True)
    s.step = "cpu"
    d = s.draft()
    d.field = "guest.memory_mib"
    path = drafts.save(d, tmp_path / "d.toml")
    back = drafts.load(path)
    assert (back.pending, back.step, back.field, back.other_host) == (
        {"guest.memory_mib": "8G"}, "cpu", "guest.memory_mib", True,
    )  # fmt: skip
    again = Session.from_draft(back)
    assert not again.host_is_target and again.text_of("guest.memory_mib") == "8G"


def test_write_then_next_steps(tmp_path):
    s = session()
    outcome = s.write(tmp_path)
    # the answers that made the file go beside it (issue 25), the owner's alone
    written = [p.name for p in outcome.written]
    assert outcome.error is None and written == ["web01.xml", "web01.toml"]
    assert (tmp_path / "web01.toml").stat().st_mode & 0o777 == 0o600
    assert any("virsh define" in step for step in outcome.next_steps)


def test_a_guest_renamed_after_it_was_written_is_another_guest(tmp_path):
    """An outside tester wrote db01, renamed it db02 in the same session and wrote again:
    both files had one UUID and one MAC, which libvirt refuses to define twice and one
    bridge cannot carry. Renamed after a write, the guest gets its own UUID (its MACs are
    derived from it); named back, it is the written guest again."""
    import re

    def identity(path):
        text = path.read_text()
        return re.search(r"<uuid>(.*)</uuid>", text)[1], re.search(r'mac address="(.*?)"', text)[1]

    s = session()
    first = s.answers.guest.uuid
    assert s.write(tmp_path / "a").error is None
    s.set_text("guest.name", "web02")
    assert s.answers.guest.uuid not in (None, first)
    assert s.write(tmp_path / "b").error is None
    one, two = identity(tmp_path / "a" / "web01.xml"), identity(tmp_path / "b" / "web02.xml")
    assert one[0] != two[0] and one[1] != two[1]
    s.set_text("guest.name", "web01")  # named back: the guest that was written
    assert s.answers.guest.uuid == first


def test_another_cpu_mode_is_choosable_after_a_custom_model_and_drops_it():
    """An outside tester chose a custom model, then found every other mode greyed ("a CPU
    model is only used with mode custom"): the choice drops the model with it, and is
    judged so."""
    from zwizard.session import choice_availability

    s = session(cpu={"mode": "custom", "model": "gen15a"})
    assert choice_availability(s.answers, "cpu.mode", "host-model").allowed
    s.set_value("cpu.mode", "host-model")
    assert (s.answers.cpu.mode, s.answers.cpu.model) == ("host-model", None)


def test_a_disk_without_its_path_yet_is_judged_and_named():
    """A partial answers file (the prompt mode asks only what it leaves open) may give a
    disk no path: the format rule read `None.endswith` and stopped the prompt mode
    (found by CI's test_partial_answers_ask_only_what_is_open)."""
    from zwizard.session import boot_sequence

    s = session(disks=[{"path": "/x.qcow2", "boot_order": 1}], nics=[{"boot_order": 2}])
    s.answers.disks[0].path = None
    assert any(f.path == "disks[0].path" for f in s.result.findings)
    named = [words for _, words in boot_sequence(s.answers, s.result.plan)]
    assert named[0].startswith("disks[0] (vda") and named[1].startswith("nics[0] (52:54:00:")


def test_secure_execution_turned_off_gives_back_what_it_took():
    """An outside tester turned Secure Execution on (custom z14 became host-model, the
    balloon and rng went) and off again: the balloon and rng came back, the CPU model did
    not, and the guest was written without its <cpu>, without a word."""
    s = session(cpu={"mode": "custom", "model": "z14"},
                memory={"hugepages": True, "balloon_autodeflate": True},
                passthrough=[{"type": "vfio-ap", "uuid": AP_UUID}])  # fmt: skip
    s.enable_secure_execution()
    assert (s.answers.cpu.mode, s.answers.passthrough) == (None, [])
    # the balloon's options go with it: the button leaves no se-no-memstats error behind
    assert s.answers.memory.balloon_autodeflate is None
    assert not [
        f for f in s.result.findings if f.rule == "se-no-memstats" and f.severity == "error"
    ]
    s.set_value("secure_execution.enabled", False)
    a = s.answers
    assert (a.cpu.mode, a.cpu.model, a.memory.hugepages) == ("custom", "z14", True)
    assert a.memory.balloon_autodeflate is True
    assert [p.uuid for p in a.passthrough] == [AP_UUID]
    assert s.given_back == ["passthrough[0]: the vfio-ap device",
                            "memory.hugepages: huge-page backing", "cpu.mode: custom z14"]  # fmt: skip


def test_findings_of_the_stale_value_under_pending_text_are_not_shown():
    s = session()
    s.set_text("guest.memory_mib", "8", "int")  # typed on the way to '8G'
    assert any("8 MiB is below" in f.message for f in s.result.findings)
    s.set_text("guest.memory_mib", "8G", "int")
    messages = [f.message for f in s.result.findings if f.path == "guest.memory_mib"]
    assert len(messages) == 1 and "'8G' is not a whole number" in messages[0]


def test_typing_a_zpci_id_on_a_function_without_zpci_ids_is_written(tmp_path):
    """The zpci table is absent until an id is typed; the typed id must reach the file."""
    s = session(passthrough=[{"type": "pci", "address": "0001:00:00.0"}])
    assert s.answers.passthrough[0].zpci is None
    s.set_text("passthrough[0].zpci.uid", "0x0042")
    outcome = s.write(tmp_path)
    assert outcome.error is None, outcome.error
    assert '<zpci uid="0x0042" fid="0x00000000"/>' in (tmp_path / "web01.xml").read_text()


def test_choices_do_not_speak_for_a_value_hidden_under_pending_text():
    """Memory typed as 8 then 8G: the answers still hold 8, the field shows 8G with its own
    error. A choice elsewhere (a block device, RHEL 8) must not be marked with what the
    rules say of that 8 ("8 MiB is below what the installer needs")."""
    from zwizard.session import choice_availability

    s = session()
    s.set_text("guest.memory_mib", "8", "int")
    s.set_text("guest.memory_mib", "8G", "int")
    for path, value in (("disks[0].kind", "block"), ("guest.os", "rhel8")):
        verdict = choice_availability(s.answers, path, value, None, True,
                                      s.result.findings, s.pending)  # fmt: skip
        assert "memory" not in {f.rule for f in verdict.reasons}, (path, verdict.reasons)
    # without the pending text, the same 8 MiB is a real reason
    plain = choice_availability(s.answers, "guest.os", "rhel8", None, True)
    assert "memory" in {f.rule for f in plain.reasons}


def test_a_valid_value_stays_shown_as_it_was_typed():
    # lszcrypt prints 0x05: the field must not turn it into 0x5 once the cursor leaves
    s = session()
    i = s.add_device("passthrough", Passthrough(type="vfio-ap", uuid=AP_UUID))
    s.set_text(f"passthrough[{i}].adapters", "0x05 0x06", "int-list")
    assert s.answers.passthrough[i].adapters == [5, 6]
    assert s.text_of(f"passthrough[{i}].adapters") == "0x05 0x06"
    s.set_value(f"passthrough[{i}].adapters", [7])  # changed elsewhere (a draft, an undo)
    assert s.text_of(f"passthrough[{i}].adapters") == "0x7"

"""Atomic writes, and the availability API the front ends grey choices with."""

from __future__ import annotations

import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import AP_UUID, CCW_UUID, answers
from zwizard.model import Passthrough
from zwizard.output import OutputError, write_set
from zwizard.rules import availability

# --- output ---------------------------------------------------------------------------


def test_write_set_writes_everything(tmp_path):
    written = write_set(tmp_path, {"a.xml": "A", "pxelinux.cfg/default": "B"})
    assert (tmp_path / "a.xml").read_text() == "A"
    assert (tmp_path / "pxelinux.cfg/default").read_text() == "B"
    assert len(written) == 2
    assert not list(tmp_path.rglob("*.tmp"))


def test_write_set_refuses_existing_and_writes_none(tmp_path):
    (tmp_path / "b.xml").write_text("old")
    with pytest.raises(OutputError, match="already exists"):
        write_set(tmp_path, {"a.xml": "A", "b.xml": "B"})
    assert not (tmp_path / "a.xml").exists()
    assert (tmp_path / "b.xml").read_text() == "old"


def test_write_set_failure_leaves_nothing(tmp_path):
    """A folder zwizard may not write into: nothing is written. Root may write anywhere
    (CI runs as root), so there the write is tried by a child that has become nobody."""
    top = tempfile.mkdtemp(prefix="zw-ro-") if os.geteuid() == 0 else str(tmp_path)
    out = Path(top)
    ro = out / "ro"
    ro.mkdir()
    try:
        if os.geteuid() == 0:
            os.chmod(out, 0o755)
            os.chown(out, NOBODY, NOBODY)
            os.chown(ro, NOBODY, NOBODY)
        ro.chmod(0o500)

        def refused() -> None:
            with pytest.raises(OutputError, match="nothing written"):
                write_set(out, {"a.xml": "A", "ro/b.xml": "B"})

        if os.geteuid() == 0:
            assert as_nobody(refused) == 0, "the write was not refused, or wrote something"
        else:
            refused()
        assert not (out / "a.xml").exists()
        assert not (ro / "b.xml").exists()
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(out)


NOBODY = 65534


def as_nobody(fn: Callable[[], None]) -> int:
    """Run `fn` in a child process that has dropped root for nobody; its exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports by its exit code
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            fn()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_write_set_failure_midway_leaves_nothing(tmp_path):
    (tmp_path / "pxelinux.cfg").write_text("a file where a folder must go")
    with pytest.raises(OutputError, match="nothing written"):
        write_set(tmp_path, {"a.xml": "A", "pxelinux.cfg/default": "B"})
    assert not (tmp_path / "a.xml").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["pxelinux.cfg"]


# --- availability ---------------------------------------------------------------------


def test_secure_execution_greys_passthrough_hugepages_balloon_rng():
    a = answers(secure_execution={"enabled": True})
    for path, value, rule in [
        ("passthrough[+]", Passthrough(type="vfio-ap", uuid=AP_UUID), "se-no-vfio"),
        ("memory.hugepages", True, "se-no-hugepages"),
        ("memory.balloon", True, "se-no-balloon-rng"),
        ("rng.enabled", True, "se-no-balloon-rng"),
        ("guest.vcpus", 248, "se-max-vcpus"),
    ]:
        verdict = availability(a, path, value)
        assert not verdict.allowed and verdict.rule == rule, (path, verdict)
        assert verdict.reason.startswith("with Secure Execution")
    assert availability(a, "guest.vcpus", 247).allowed


def test_turning_secure_execution_on_says_what_must_go():
    a = answers(passthrough=[{"type": "vfio-ccw", "uuid": CCW_UUID}], memory={"hugepages": True})
    verdict = availability(a, "secure_execution.enabled", True)
    assert not verdict.allowed
    assert {f.path for f in verdict.reasons} == {"passthrough[0]", "memory.hugepages"}


def test_second_vfio_ap_is_greyed():
    a = answers(passthrough=[{"type": "vfio-ap", "uuid": AP_UUID}])
    verdict = availability(a, "passthrough[+]", Passthrough(type="vfio-ap", uuid=CCW_UUID))
    assert not verdict.allowed and "only one vfio-ap" in verdict.reason


def test_vfio_ap_boot_order_greyed_vfio_ccw_allowed():
    a = answers(
        disks=[],
        passthrough=[{"type": "vfio-ap", "uuid": AP_UUID}, {"type": "vfio-ccw", "uuid": CCW_UUID}],
    )
    assert not availability(a, "passthrough[0].boot_order", 1).allowed
    assert availability(a, "passthrough[1].boot_order", 1).allowed


def test_cpu_modes_carry_their_warnings():
    a = answers()
    verdict = availability(a, "cpu.mode", "host-passthrough")
    assert verdict.allowed and "not migration-safe" in verdict.reason
    assert availability(a, "cpu.mode", "host-model").reasons == ()


def test_non_rhel_os_is_allowed_with_its_warning():
    verdict = availability(answers(), "guest.os", "other")
    assert verdict.allowed and "not supported by Red Hat on IBM Z" in verdict.reason


@pytest.mark.parametrize(
    ("path", "rule"),
    [("memory.hotplug", "no-mem-hotplug"), ("cpu.numa", "no-numa"), ("guest.smbios", "no-smbios")],
)
def test_x86_features_are_always_greyed_with_their_reason(path, rule):
    verdict = availability(answers(), path, True)
    assert not verdict.allowed and verdict.rule == rule


def test_errors_elsewhere_do_not_grey_unrelated_choices():
    a = answers(guest={"name": ""})  # an unfinished form
    assert availability(a, "memory.hugepages", True).allowed


def test_tcg_greys_host_model():
    verdict = availability(answers(guest={"domain_type": "qemu"}), "cpu.mode", "host-model")
    assert not verdict.allowed and verdict.rule == "tcg-cpu"

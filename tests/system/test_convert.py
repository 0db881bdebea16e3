"""Every converted definition — x86 guests, and a production s390x one whose extras
convert lists as not carried — defines and starts under qemu-system-s390x."""

from __future__ import annotations

import pytest

from tests.helpers import ROOT, run_zwizard
from tests.system.guests import cleanup, define, qemu_log, runnable_copy, start
from tests.system.test_examples import assert_firmware_boots_first_device

X86 = sorted((ROOT / "tests" / "data" / "x86").glob("*.xml"))
X86.append(ROOT / "tests" / "data" / "s390x" / "production.xml")


@pytest.mark.parametrize("path", X86, ids=lambda p: p.stem)
def test_converted_guest_starts(stack, report, tmp_path, path):
    out = tmp_path / "out"
    r = run_zwizard("convert", str(path), "-o", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    (xml_file,) = out.glob("*.xml")
    name = xml_file.stem
    label = f"convert:{path.stem}"
    report(label, "validate", "ok (check clean)")
    xml, needs_z = runnable_copy(xml_file.read_text(), tmp_path / "console.log")
    assert not needs_z
    cleanup(name)
    try:
        ok, said = define(xml, tmp_path, name)
        assert ok, said
        report(label, "define", "ok")
        ok, said = start(name)
        assert ok, said + qemu_log(name)[-2000:]
        report(label, "start", "ok")
        report(
            label,
            "firmware",
            assert_firmware_boots_first_device(xml, tmp_path / "console.log", name),
        )
    finally:
        cleanup(name)

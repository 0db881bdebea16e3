"""Every converted definition — x86 guests, and a production s390x one with disk and
NIC tuning, kernel boot and key wrapping — defines and starts under qemu-system-s390x,
and what it carried reaches QEMU."""

from __future__ import annotations

import pytest

from tests.helpers import ROOT, run_zwizard
from tests.system.guests import cleanup, define, qemu_log, runnable_copy, start
from tests.system.test_examples import (
    assert_firmware_boots_first_device,
    assert_tuning_reached_qemu,
)

X86 = sorted((ROOT / "tests" / "data" / "x86").glob("*.xml"))
X86.append(ROOT / "tests" / "data" / "s390x" / "production.xml")


@pytest.mark.parametrize("path", X86, ids=lambda p: p.stem)
def test_converted_guest_starts(stack, bridge, report, tmp_path, path):
    out = tmp_path / "out"
    r = run_zwizard("convert", str(path), "-o", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    (xml_file,) = out.glob("*.xml")
    name = xml_file.stem
    label = f"convert:{path.stem}"
    report(label, "validate", "ok (check clean)")
    xml, needs_z = runnable_copy(xml_file.read_text(), tmp_path / "console.log", bridge=bridge)
    assert not needs_z
    cleanup(name)
    try:
        ok, said = define(xml, tmp_path, name)
        assert ok, said
        report(label, "define", "ok")
        ok, said = start(name)
        assert ok, said + qemu_log(name)[-2000:]
        report(label, "start", "ok")
        tuned = assert_tuning_reached_qemu(xml, name)
        if tuned:
            report(label, "tuning", tuned)
        report(
            label,
            "firmware",
            assert_firmware_boots_first_device(xml, tmp_path / "console.log", name),
        )
    finally:
        cleanup(name)


@pytest.mark.parametrize("live", [False, True], ids=["inactive", "live"])
def test_libvirts_own_dumpxml_of_a_tuned_guest_converts_back(stack, bridge, tmp_path, live):
    """What libvirt writes back for a tuned guest (defined, running) is clean for
    `check`, and `convert` carries every tuning setting into the same XML again."""
    from lxml import etree

    from tests.helpers import ASSETS
    from tests.system.guests import render_example
    from tests.system.stack import virsh

    xml_name, files = render_example(ASSETS / "production-tuned.toml")
    name = xml_name[:-4]
    xml, _ = runnable_copy(files[xml_name], tmp_path / "console.log", bridge=bridge)
    cleanup(name)
    try:
        assert define(xml, tmp_path, name)[0]
        assert start(name)[0]
        dumped = virsh("dumpxml", name, *([] if live else ["--inactive"]))
        source = tmp_path / "dumped.xml"
        source.write_text(dumped.stdout)
        checked = run_zwizard("check", str(source))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        out = tmp_path / "out"
        converted = run_zwizard("convert", str(source), "-o", str(out))
        assert converted.returncode == 0, converted.stdout + converted.stderr
        for word in ("io=", "iothread", "mtu", "queues", "keywrap", "<serial", "cipher"):
            assert word not in converted.stdout, (word, converted.stdout)  # not listed lost
        again = etree.parse(str(out / xml_name)).getroot()
        before = etree.fromstring(xml.encode())
        for xpath in ("devices/disk[1]/driver", "devices/disk[2]/driver",
                      "devices/interface/mtu", "devices/interface/driver", "keywrap/cipher"):  # fmt: skip
            assert dict(again.find(xpath).attrib) == dict(before.find(xpath).attrib), xpath
        assert again.findtext("devices/disk/serial") == "DASD1234"
        assert again.findtext("iothreads") == "2"
    finally:
        cleanup(name)

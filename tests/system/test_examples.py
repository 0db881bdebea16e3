"""Every example in assets/: libvirt's schema accepts it, libvirt defines it, and
where no IBM Z hardware is needed QEMU s390x starts it and the firmware boots
from the configured device with the configured loadparm."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from tests.helpers import ASSETS
from tests.system.guests import (
    cleanup,
    define,
    qemu_log,
    render_example,
    runnable_copy,
    start,
    wait_for,
)
from tests.system.stack import run

EXAMPLES = sorted(ASSETS.glob("*.toml"))

# What libvirt/QEMU say when only the missing IBM Z hardware stops a guest.
HARDWARE_REASONS = (
    "S390 PV launch security is not supported with this QEMU binary",
    "Mediated host device assignment requires VFIO support",
    "host doesn't support passthrough of host PCI devices",
)


def first_boot(dom: etree._Element) -> tuple[etree._Element, str]:
    """The device with boot order 1 and its loadparm as the firmware prints it."""
    (boot,) = dom.xpath("//devices/*[boot/@order='1']/boot")
    return boot.getparent(), (boot.get("loadparm") or "").ljust(8)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_on_the_real_stack(stack, bridge, report, tmp_path, path):
    xml_name, files = render_example(path)
    name = xml_name[:-4]
    out = tmp_path / xml_name
    out.write_text(files[xml_name])

    validated = run("virt-xml-validate", str(out), "domain", check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    report(path.stem, "validate", "ok")

    console = tmp_path / "console.log"
    xml, needs_z = runnable_copy(files[xml_name], console, bridge=bridge)
    cleanup(name)
    try:
        defined, said = define(xml, tmp_path, name)
        if not defined:
            report(path.stem, "define", "refused: hardware")
            assert any(r in said for r in HARDWARE_REASONS), said
            assert needs_z, f"{path.name} was refused although it needs no IBM Z hardware: {said}"
            return
        report(path.stem, "define", "ok")

        started, said = start(name)
        if needs_z:
            assert not started, "a guest with passthrough cannot start without IBM Z"
            assert any(r in said for r in HARDWARE_REASONS), said
            report(path.stem, "start", "refused: hardware")
            return
        assert started, said + qemu_log(name)[-2000:]
        report(path.stem, "start", "ok")
        for channel in etree.fromstring(xml.encode()).xpath("//channel/target/@name"):
            # QEMU got the port under its name (a second of one name would not start)
            assert re.search(rf'virtserialport.*"name":"{re.escape(channel)}"', qemu_log(name))
            report(path.stem, "channel", channel)

        tuned = assert_tuning_reached_qemu(xml, name)
        if tuned:
            report(path.stem, "tuning", tuned)
        seen = assert_firmware_boots_first_device(xml, console, name)
        report(path.stem, "firmware", seen)
    finally:
        cleanup(name)


# answers key (XML attribute) -> how QEMU 7.2's command line spells it, as libvirt 9.0
# passes it (-blockdev/-device JSON and -machine)
DRIVER_IN_QEMU = {
    "io": '"aio":"{}"',
    "discard": '"discard":"{}"',
    "detect_zeroes": '"detect-zeroes":"{}"',
    "iothread": '"iothread":"iothread{}"',
    "error_policy": '"werror":"{}"',
    "rerror_policy": '"rerror":"{}"',
}


def assert_tuning_reached_qemu(xml: str, name: str) -> str:
    """Every disk <driver> setting, serial, NIC MTU/queues and key wrapping in the
    definition is on QEMU's command line; returns what was seen."""
    dom = etree.fromstring(xml.encode())
    log = qemu_log(name)
    wanted = []
    for driver in dom.iterfind("devices/disk/driver"):
        wanted += [
            DRIVER_IN_QEMU[k].format(v) for k, v in driver.attrib.items() if k in DRIVER_IN_QEMU
        ]
    wanted += [f'"serial":"{s.text}"' for s in dom.iterfind("devices/disk/serial")]
    wanted += [f'"host_mtu":{m.get("size")}' for m in dom.iterfind("devices/interface/mtu")]
    if dom.find("devices/interface/driver[@queues]") is not None:
        wanted.append('"mq":true')
    for cipher in dom.iterfind("keywrap/cipher"):
        wanted.append(f"{cipher.get('name')}-key-wrap={cipher.get('state')}")
    if dom.find("iothreads") is not None:
        wanted.append('"qom-type":"iothread"')
    vcpu = dom.find("vcpu")
    if vcpu.get("current"):
        wanted.append(f"-smp {vcpu.get('current')},maxcpus={vcpu.text}")
    topo = dom.find("cpu/topology")
    if topo is not None:
        wanted.append(f"sockets={topo.get('sockets')}")
    wanted += [f'"{t}console"' for t in dom.xpath("devices/console/target/@type")]
    if dom.find("devices/console/log") is not None:
        wanted.append("logfile=/dev/fdset/")  # virtlogd hands QEMU the file
    if dom.find("memoryBacking/nosharepages") is not None:
        wanted.append("mem-merge=off")
    if dom.find("devices/memballoon[@autodeflate='on']") is not None:
        wanted.append('"deflate-on-oom":true')
    for tag in dom.xpath("devices/filesystem/target/@dir"):
        wanted.append(
            f'"driver":"vhost-user-fs-ccw","id":"fs0","chardev":"chr-vu-fs0","tag":"{tag}"'
        )
    if dom.find("devices/graphics[@type='vnc']") is not None:
        wanted += ["-vnc ", '"virtio-gpu-ccw"']
    # each input the definition states (a converted guest keeps its own: a tablet stays one)
    wanted += [f'"virtio-{t}-ccw"' for t in dom.xpath("devices/input[@bus='virtio']/@type")]
    missing = [w for w in wanted if w not in log]
    assert not missing, f"not on QEMU's command line: {missing}"
    return f"{len(wanted)} settings on QEMU's line" if wanted else ""


def assert_firmware_boots_first_device(xml: str, console, name: str) -> str:
    """The firmware printed the loadparm and tried the order-1 device; QEMU got both.
    With a direct kernel boot QEMU got the kernel, initrd and command line instead."""
    dom = etree.fromstring(xml.encode())
    kernel = dom.find("os/kernel")
    if kernel is not None:
        log = qemu_log(name)
        for flag, el in (("-kernel", kernel), ("-initrd", dom.find("os/initrd")),
                         ("-append", dom.find("os/cmdline"))):  # fmt: skip
            if el is not None:
                assert f"{flag} {el.text}" in log or f"{flag} '{el.text}'" in log, (
                    flag,
                    log[-1500:],
                )
        return "direct kernel boot"
    device, loadparm = first_boot(dom)
    target = device.find("target")
    bus = target.get("bus") if target is not None else ""
    if device.tag == "interface":
        expected = "Network boot device"
    elif bus == "scsi":
        expected = "Using virtio-scsi."
    else:
        expected = "Using virtio-blk."
    needles = [f"LOADPARM=[{loadparm}]", expected]
    text = wait_for(console, needles, timeout=90)
    assert all(n in text for n in needles), f"console: {text!r}"
    cmdline = qemu_log(name)
    assert re.search(r'bootindex"?[=:]1\b', cmdline), "QEMU got no bootindex 1"
    if loadparm.strip():
        assert f"loadparm={loadparm.strip()}" in cmdline
    return f"LOADPARM=[{loadparm}] {device.tag}"


AFTER_INSTALL = [p for p in EXAMPLES if any(n.endswith(".after-install.xml")
                                             for n in render_example(p)[1])]  # fmt: skip


@pytest.mark.parametrize("path", AFTER_INSTALL, ids=lambda p: p.stem)
def test_after_install_definition_boots_the_disk_first(stack, report, tmp_path, path):
    """The definition written beside a network install is the same guest with its disk
    first: libvirt accepts it and, under TCG, the firmware tries the disk."""
    xml_name, files = render_example(path)
    name = xml_name[:-4]
    final = files[f"{name}.after-install.xml"]
    out = tmp_path / "final.xml"
    out.write_text(final)
    validated = run("virt-xml-validate", str(out), "domain", check=False)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    install, final_dom = (
        etree.fromstring(files[xml_name].encode()),
        etree.fromstring(final.encode()),
    )
    assert install.findtext("uuid") == final_dom.findtext("uuid")
    assert first_boot(final_dom)[0].tag in ("disk", "hostdev")
    console = tmp_path / "console.log"
    xml, needs_z = runnable_copy(final, console)
    cleanup(name)
    try:
        defined, said = define(xml, tmp_path, name)
        if needs_z or not defined:
            assert any(r in said for r in HARDWARE_REASONS) or defined, said
            report(f"{path.stem} after install", "define", "ok" if defined else "refused: hardware")
            return
        started, said = start(name)
        assert started, said + qemu_log(name)[-2000:]
        seen = assert_firmware_boots_first_device(xml, console, name)
        report(f"{path.stem} after install", "firmware", seen)
    finally:
        cleanup(name)

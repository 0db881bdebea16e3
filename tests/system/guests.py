"""Turn zwizard output into guests this machine can define and start."""

from __future__ import annotations

import json
import time
from pathlib import Path

from lxml import etree

from tests.system.stack import IMAGES, run, virsh
from zwizard.answers import load
from zwizard.build import build


def render_example(path: Path) -> tuple[str, dict[str, str]]:
    answers, _ = load(path)
    result = build(answers)
    assert result.ok, (result.findings, result.schema_problems)
    return result.xml_name, result.files


# What only a tap on the host can have: such NICs go on the test bridge, not QEMU's
# user network (libvirt: "setting MTU on interface type user is not supported yet"); an
# Open vSwitch port and its VLAN tag need a tap on an OVS bridge
TAP_ONLY = ("mtu", "driver", "target", "virtualport", "vlan")


def _image_format(path: Path) -> str:
    info = run("qemu-img", "info", "--output=json", "-U", str(path), check=False)
    return json.loads(info.stdout).get("format", "") if info.returncode == 0 else ""


def runnable_copy(
    xml: str,
    console: Path,
    *,
    images: Path = IMAGES,
    bridge: str | None = None,
    keep_nics: bool = False,
) -> tuple[str, bool]:
    """A copy that can run under TCG on any machine; says whether it needs IBM Z to start.

    - domain type qemu, and no <cpu> for kvm-only modes (rule tcg-cpu);
    - NICs on QEMU's user network (libvirt networks need dnsmasq and a bridge), or on
      `bridge` when they carry an MTU, queues or a tap name;
    - disks on fresh images made here with qemu-img; the console to a file;
    - a distribution's machine type (s390-ccw-virtio-rhel9.2.0, kept by convert) as the
      upstream one: only RHEL's QEMU has it.
    """
    dom = etree.fromstring(xml.encode())
    was_kvm = dom.get("type") == "kvm"
    dom.set("type", "qemu")
    os_type = dom.find("os/type")
    if os_type is not None and "-rhel" in (os_type.get("machine") or ""):
        os_type.set("machine", "s390-ccw-virtio")
    cpu = dom.find("cpu")
    if was_kvm and cpu is not None:
        dom.remove(cpu)
    for iface in [] if keep_nics else dom.iterfind("devices/interface"):
        source = iface.find("source")
        tap = bridge is not None and any(iface.find(tag) is not None for tag in TAP_ONLY)
        iface.set("type", "bridge" if tap else "user")
        if source is not None:
            iface.remove(source)
        if tap:
            iface.insert(1, etree.Element("source", bridge=bridge))
    images.mkdir(parents=True, exist_ok=True)
    for disk in dom.iterfind("devices/disk"):
        source = disk.find("source")
        original = source.get("file") or source.get("dev")
        fmt = disk.find("driver").get("type")
        target = images / (Path(original).name if disk.get("type") == "file" else "block.raw")
        if disk.get("type") == "block":  # no such device here: a file stands in
            disk.set("type", "file")
            source.attrib.clear()
        source.set("file", str(target))
        if target.exists() and _image_format(target) != fmt:
            target.unlink()  # an earlier guest's image of the same name in another format
        if not target.exists():
            run("qemu-img", "create", "-q", "-f", fmt, str(target), "64M")
    for source in dom.xpath("devices/filesystem/source"):  # a share: a directory made here
        shared = images / f"share-{source.getparent().find('target').get('dir')}"
        shared.mkdir(exist_ok=True)
        source.set("dir", str(shared))
    for el in dom.xpath("os/kernel | os/initrd"):  # direct kernel boot: stand-in files
        stand_in = images / f"{dom.findtext('name')}.{el.tag}"
        stand_in.write_bytes(b"\0" * 4096)  # QEMU loads any file; the guest need not run it
        el.text = str(stand_in)
    console_el = dom.find("devices/console")
    if console_el is not None:  # none with console.sclp = false
        console_el.set("type", "file")
        for old in console_el.findall("source"):
            console_el.remove(old)
        console_el.insert(0, etree.Element("source", path=str(console)))
    needs_z = dom.find("launchSecurity") is not None or dom.find("devices/hostdev") is not None
    return etree.tostring(dom, encoding="unicode"), needs_z


def define(xml: str, tmp: Path, name: str) -> tuple[bool, str]:
    path = tmp / f"{name}.define.xml"
    path.write_text(xml)
    r = virsh("define", "--validate", str(path))  # as the next steps print it
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def start(name: str) -> tuple[bool, str]:
    r = virsh("start", name, timeout=120)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def cleanup(name: str) -> None:
    virsh("destroy", name)
    virsh("undefine", name, "--nvram")
    virsh("undefine", name)


def wait_for(path: Path, needles: list[str], timeout: float = 60) -> str:
    """The file's text once every needle appears in it (or what it has at the timeout)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if all(n in text for n in needles):
            break
        time.sleep(0.25)
    return text


def qemu_log(name: str) -> str:
    log = Path(f"/var/log/libvirt/qemu/{name}.log")
    return log.read_text(errors="replace") if log.exists() else ""


def stack_verdict(xml: str, name: str, tmp: Path) -> str | None:
    """None when libvirt defines (--validate) and QEMU starts (paused) the guest; else
    the stack's own words, with QEMU's last line from the guest's log. Left undefined."""
    path = tmp / f"{name}.xml"
    path.write_text(xml)
    if virsh("domstate", name).returncode == 0:  # left by an earlier run
        cleanup(name)
    started = False
    try:
        r = virsh("define", "--validate", str(path))
        if r.returncode != 0:
            return "define: " + (r.stderr or r.stdout).strip()
        r = virsh("start", "--paused", name, timeout=120)
        started = r.returncode == 0
        if not started:
            said = (r.stderr or r.stdout).strip()
            tail = [ln for ln in qemu_log(name).splitlines() if "qemu-system-s390x:" in ln]
            return "start: " + said + ("\n" + tail[-1] if tail else "")
        return None
    finally:  # as cleanup(), in the fewest calls (a system test runs this many times)
        if started:
            virsh("destroy", name)
        if virsh("undefine", name, "--nvram").returncode != 0:
            virsh("undefine", name)

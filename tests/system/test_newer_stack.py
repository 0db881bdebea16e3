"""Debian 13's stack (libvirt 11, QEMU 10) side by side with Debian 12's (libvirt 9.0,
QEMU 7.2): the rules zwizard's stack table (zwizard/stack_versions.py) relaxes for
newer stacks, proven on both, and every example on both.

The newer stack is a debootstrap chroot with its own libvirtd in namespaces of its own
(tests/system/newer_stack.py). In CI a chroot that cannot be built fails the run.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import ASSETS
from tests.system.conftest import unavailable
from tests.system.guests import render_example, runnable_copy, wait_for
from tests.system.newer_stack import Newer, Older, build_chroot
from tests.system.stack import StackUnavailable, run, s390x_kernel, tiny_initrd
from tests.system.test_examples import HARDWARE_REASONS
from zwizard.answers import load

BRIDGE = "zwbr-test"  # as conftest's: tap-only NICs sit on it, in each stack's namespace
NET = "zwn-boot"
NET_BRIDGE = "zwn-br0"
SUBNET = "192.168.237"


@pytest.fixture(scope="session")
def newer():
    try:
        root = build_chroot()
    except (StackUnavailable, subprocess.SubprocessError, OSError) as exc:
        unavailable(f"no Debian 13 chroot: {exc}")
    daemon = Newer(root)
    try:
        daemon.start_daemon()
    except StackUnavailable as exc:
        unavailable(str(exc))
    daemon.ip("link", "add", BRIDGE, "type", "bridge")
    daemon.ip("link", "set", BRIDGE, "up")
    yield daemon
    daemon.stop_daemon()


@pytest.fixture(scope="session")
def older(stack, bridge):
    return Older()


@pytest.fixture(scope="session")
def kernel(stack) -> Path:
    try:
        return s390x_kernel()
    except (StackUnavailable, subprocess.CalledProcessError) as exc:
        unavailable(f"no s390x kernel: {exc} {getattr(exc, 'stderr', '')}")
        raise


def runnable(s: Older, xml: str, name: str) -> tuple[etree._Element, bool, Path]:
    """zwizard's XML made runnable under TCG on stack `s`, as guest `name` (no UUID: the
    examples' own guests may be defined beside it), with its own fresh images; the
    console file as the test reads it."""
    work = s.host_path(s.work)
    console = work / f"{name}.console"
    console.parent.mkdir(parents=True, exist_ok=True)
    console.unlink(missing_ok=True)
    images = work / f"images-{name}"
    shutil.rmtree(images, ignore_errors=True)
    copy, needs_z = runnable_copy(xml, console, images=images, bridge=BRIDGE)
    if s.root != Path("/"):  # the daemon sees the files under its own root
        copy = copy.replace(str(s.root), "")
    dom = etree.fromstring(copy.encode())
    dom.find("name").text = name
    uuid = dom.find("uuid")
    if uuid is not None:
        dom.remove(uuid)
    return dom, needs_z, console


def text(dom: etree._Element) -> str:
    return etree.tostring(dom, encoding="unicode")


def versions(s: Older) -> str:
    got = s.virsh("version")
    assert got.returncode == 0, got.stderr
    out = got.stdout
    return " ".join(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith(("Using library", "Running hypervisor")))  # fmt: skip


def test_the_two_stacks_are_debian_12s_and_debian_13s(older, newer):
    assert versions(older).startswith("libvirt 9.0.0 QEMU 7.2."), versions(older)
    assert versions(newer).startswith("libvirt 11.") and " QEMU 10." in versions(newer), versions(
        newer
    )


# (a) the boot fallback ------------------------------------------------------------

PXE = ASSETS / "tcg-pxe.toml"
# mode 'open': no firewall rules (libvirt 11's nftables backend adds a tc checksum
# filter that needs a kernel module CI's kernel may not have)
NETWORK = """<network>
  <name>{net}</name>
  <forward mode='open'/>
  <bridge name='{bridge}'/>
  <ip address='{subnet}.1' netmask='255.255.255.0'>
    <tftp root='{root}'/>
    <dhcp>
      <range start='{subnet}.10' end='{subnet}.50'/>
      <bootp file='pxelinux.cfg/default'/>
    </dhcp>
  </ip>
</network>"""


def serve_pxe(s: Older, files: dict[str, str], kernel: Path) -> None:
    """zwizard's PXE files, the s390x kernel and an initrd on a libvirt network with
    TFTP and a DHCP bootfile (our pxelinux file, recognised by its header)."""
    answers, _ = load(PXE)
    tftp = s.host_path(f"{s.work}/tftp")
    shutil.rmtree(tftp, ignore_errors=True)
    for rel, body in files.items():
        if rel.startswith("pxelinux.cfg/"):
            (tftp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tftp / rel).write_text(body)
    (tftp / answers.pxe.kernel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(kernel, tftp / answers.pxe.kernel)
    (tftp / answers.pxe.initrd).parent.mkdir(parents=True, exist_ok=True)
    (tftp / answers.pxe.initrd).write_bytes(tiny_initrd())
    net = NETWORK.format(net=NET, bridge=NET_BRIDGE, subnet=SUBNET, root=f"{s.work}/tftp")
    made, said = s.net_create(net, NET)
    assert made, f"{s.label}: {said}"


def fallback_guest(s: Older, files: dict[str, str], xml_name: str) -> tuple[str, Path]:
    """tcg-pxe with its boot order turned round: an empty disk first, the NIC second."""
    name = "zwn-fallback"
    dom, _, console = runnable(s, files[xml_name], name)
    (disk_boot,) = dom.xpath("devices/disk/boot")
    (nic,) = dom.xpath("devices/interface[boot]")
    disk_boot.set("order", "1")
    nic.find("boot").set("order", "2")
    nic.set("type", "network")
    nic.insert(0, etree.Element("source", network=NET))
    s.cleanup(name)
    defined, said = s.define(text(dom), name)
    assert defined, f"{s.label}: {said}"
    started, said = s.start(name)
    assert started, f"{s.label}: {said}\n{s.qemu_log(name)[-2000:]}"
    return name, console


def test_boot_falls_back_to_the_nic_on_the_newer_stack_only(older, newer, kernel):
    xml_name, files = render_example(PXE)
    expected = files["pxelinux.cfg/default"].splitlines()[-1].removeprefix("append ")
    guests = {}
    try:
        for s in (older, newer):
            serve_pxe(s, files, kernel)
            guests[s.label] = fallback_guest(s, files, xml_name)
        _, console = guests[newer.label]
        seen = wait_for(console, ["Kernel command line:"], timeout=150)
        assert seen.index("zIPL load failed") < seen.index("Network boot device"), seen
        assert kernel_cmdline(seen) == expected, seen[-3000:]

        _, console = guests[older.label]
        seen = wait_for(console, [OLD_STOP], timeout=60)
        assert OLD_STOP in seen, seen
        assert '"bootindex":2' in older.qemu_log("zwn-fallback")  # QEMU 7.2 was told
        time.sleep(10)  # and then nothing more: the NIC is never tried
        seen = console.read_text(errors="replace")
        assert "Network boot" not in seen and "Kernel command line" not in seen, seen
    finally:
        for s in (older, newer):
            s.cleanup("zwn-fallback")
            s.virsh("net-destroy", NET)


OLD_STOP = "Failed to load OS from hard disk"  # QEMU 7.2's firmware, and then it halts


def kernel_cmdline(console: str) -> str:
    for line in console.splitlines():
        if "Kernel command line:" in line:
            return line.split("Kernel command line:", 1)[1].strip()
    return ""


# hand-written guests for (b) and (c): two empty disks, or none and a virtio-mem device
DISK = """<disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{work}/{name}-{dev}.qcow2'/>
      <target dev='{dev}' bus='virtio'/>
      <boot order='{order}' loadparm='{loadparm}'/>
    </disk>"""
DOMAIN = """<domain type='qemu'>
  <name>{name}</name>
  {memory}
  <vcpu>1</vcpu>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os>
  {cpu}
  <devices>
    <emulator>/usr/bin/qemu-system-s390x</emulator>
    {devices}
    <console type='file'><source path='{work}/{name}.console'/></console>
  </devices>
</domain>"""


# (b) a loadparm on the second boot device ------------------------------------------


def loadparm_guest(s: Older) -> str:
    name = "zwn-loadparm"
    disks = []
    for dev, order, loadparm in (("vda", 1, "FIRST"), ("vdb", 2, "SECOND")):
        image = s.host_path(f"{s.work}/{name}-{dev}.qcow2")
        image.unlink(missing_ok=True)
        run("qemu-img", "create", "-q", "-f", "qcow2", str(image), "64M")
        disks.append(DISK.format(work=s.work, name=name, dev=dev, order=order, loadparm=loadparm))
    s.host_path(f"{s.work}/{name}.console").unlink(missing_ok=True)
    memory = "<memory unit='MiB'>512</memory>"
    return DOMAIN.format(name=name, work=s.work, memory=memory, cpu="", devices="\n".join(disks))


def test_loadparm_of_the_second_device_reaches_the_firmware_on_the_newer_stack_only(older, newer):
    name = "zwn-loadparm"
    argv, console = {}, {}
    try:
        for s in (older, newer):
            xml = loadparm_guest(s)
            path = s.host_path(f"{s.work}/{name}.xml")
            path.write_text(xml)
            native = s.virsh("domxml-to-native", "qemu-argv", f"{s.work}/{name}.xml")
            assert native.returncode == 0, native.stderr
            argv[s.label] = native.stdout
            s.cleanup(name)
            defined, said = s.define(xml, name)
            assert defined, f"{s.label}: {said}"
            started, said = s.start(name)
            assert started, f"{s.label}: {said}"
            console[s.label] = s.host_path(f"{s.work}/{name}.console")
        # libvirt 11 gives each ccw boot device its own loadparm ...
        new = argv[newer.label]
        assert '"bootindex":1,"loadparm":"FIRST"' in new, new
        assert '"bootindex":2,"loadparm":"SECOND"' in new, new
        # ... and QEMU 10's firmware uses the second one when the first device fails
        seen = wait_for(console[newer.label], ["No suitable device for IPL"], timeout=60)
        assert "LOADPARM=[FIRST   ]" in seen, seen
        assert seen.index("zIPL load failed") < seen.index("LOADPARM=[SECOND  ]"), seen
        # libvirt 9.0 passes only the first device's, on -machine: SECOND is dropped
        old = argv[older.label]
        assert "loadparm=FIRST" in old and "SECOND" not in old, old
        seen = wait_for(console[older.label], [OLD_STOP], timeout=60)
        assert "LOADPARM=[FIRST   ]" in seen and "SECOND" not in seen, seen
    finally:
        for s in (older, newer):
            s.cleanup(name)


# (c) virtio-mem ---------------------------------------------------------------------

VIRTIO_MEM = """<memory model='virtio-mem'>
      <target>
        <size unit='MiB'>1024</size>
        <block unit='MiB'>2</block>
        <requested unit='MiB'>256</requested>
      </target>
    </memory>"""
# what libvirt 9.0 says: memory hot-plug wants a NUMA node, and with one, virtio-mem
# wants a PCI address (s390x has none: its devices are ccw)
OLD_NO_NUMA = "At least one numa node has to be configured when enabling memory hotplug"
OLD_NO_CCW = "only 'pci' addresses are supported for the virtio-mem device"


def virtio_mem_guest(s: Older, numa: bool = False) -> str:
    memory = "<maxMemory slots='1' unit='MiB'>2048</maxMemory>\n  <memory unit='MiB'>1536</memory>"
    cell = "<cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB'/></numa></cpu>"
    return DOMAIN.format(
        name="zwn-virtio-mem", work=s.work, memory=memory, cpu=cell if numa else "",
        devices=VIRTIO_MEM,
    )  # fmt: skip


def test_virtio_mem_starts_on_the_newer_stack_and_is_refused_on_the_older(older, newer):
    name = "zwn-virtio-mem"
    try:
        newer.cleanup(name)
        defined, said = newer.define(virtio_mem_guest(newer), name)
        assert defined, said
        started, said = newer.start(name)
        assert started, said
        log = newer.qemu_log(name)
        assert '"driver":"virtio-mem-ccw"' in log and '"devno":"fe.0.' in log, log[-2000:]

        older.cleanup(name)
        defined, said = older.define(virtio_mem_guest(older), name)
        assert not defined and OLD_NO_NUMA in said, said
        defined, said = older.define(virtio_mem_guest(older, numa=True), name)
        assert not defined and OLD_NO_CCW in said, said
    finally:
        for s in (older, newer):
            s.cleanup(name)


# (d) every example writes, defines and starts on both -------------------------------

# libvirt 11's words where 9.0's are in test_examples.HARDWARE_REASONS
NEW_HARDWARE_REASONS = ("'s390-pv' launch security is not supported with this QEMU binary",)


@pytest.mark.parametrize("path", sorted(ASSETS.glob("*.toml")), ids=lambda p: p.stem)
def test_example_defines_and_starts_on_both_stacks(older, newer, report, path):
    xml_name, files = render_example(path)
    name = f"zwn-{path.stem}"
    said_by = {}
    try:
        for s in (older, newer):
            dom, needs_z, _ = runnable(s, files[xml_name], name)
            s.cleanup(name)
            defined, said = s.define(text(dom), name)
            if defined:
                started, said = s.start(name)
                ok = started
            else:
                ok = False
            if needs_z:  # passthrough or Secure Execution: refused for want of IBM Z
                assert not ok, f"{s.label}: started without IBM Z"
                assert any(r in said for r in HARDWARE_REASONS + NEW_HARDWARE_REASONS), (
                    f"{s.label}: {said}"
                )
            else:
                assert ok, f"{s.label}: {said}\n{s.qemu_log(name)[-2000:]}"
            said_by[s.label] = "started" if ok else said
        report(
            path.stem,
            "libvirt 11",
            "ok" if said_by[newer.label] == "started" else "refused: hardware",
        )
    finally:
        for s in (older, newer):
            s.cleanup(name)

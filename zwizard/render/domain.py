"""Answers -> libvirt domain XML for s390x.

Only what IBM Z has is ever emitted: virtio-ccw devices with ccw addresses,
the SCLP console, diag288, per-device <boot order/> — never <os><boot dev>,
SMBIOS, NUMA, timers, USB or virtual PCI devices.
"""

from __future__ import annotations

from collections.abc import Callable

from zwizard import parts
from zwizard.devices import KINDS
from zwizard.devices.base import write_ccw as _ccw
from zwizard.model import OSINFO_IDS, Answers
from zwizard.plan import Plan, cpu_topology, make_plan
from zwizard.rules import S390_ARCH, S390_MACHINE
from zwizard.xmlwrite import Element
from zwizard.xmlwrite import sub as _sub
from zwizard.xmlwrite import to_xml as to_xml

LIBOSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0"
ZWIZARD_NS = "urn:x-zwizard:domain:1"


def render_domain(answers: Answers, plan: Plan | None = None) -> Element:
    """The <domain> element; call `to_xml` for the text."""
    plan = plan or make_plan(answers)
    dom = Element("domain", {"type": answers.guest.domain_type})
    for write in DOMAIN_WRITERS:
        write(dom, answers, plan)
    return dom


def _basics(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    _sub(dom, "name", g.name)
    if g.uuid:
        _sub(dom, "uuid", g.uuid.lower())
    if g.title:
        _sub(dom, "title", g.title)
    if g.description:
        _sub(dom, "description", g.description)
    meta = _sub(dom, "metadata")
    osinfo = g.osinfo or OSINFO_IDS.get(g.os)  # a converted guest's own id, kept
    if osinfo:
        info = _sub(meta, "libosinfo:libosinfo", **{"xmlns:libosinfo": LIBOSINFO_NS})
        _sub(info, "libosinfo:os", id=osinfo)
    _sub(meta, "zwizard:generator", "zwizard", **{"xmlns:zwizard": ZWIZARD_NS, "os": g.os})


def _memory(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    size, unit = str(g.memory_mib), "MiB"
    if g.memory_kib is not None and max(1, round(g.memory_kib / 1024)) == g.memory_mib:
        size, unit = str(g.memory_kib), "KiB"  # a converted guest's exact size
    _sub(dom, "memory", size, unit=unit)
    _sub(dom, "currentMemory", size, unit=unit)
    mem = answers.memory
    if mem.hugepages or mem.nosharepages or mem.locked or answers.shares:
        backing = _sub(dom, "memoryBacking")
        for key in ("hugepages", "nosharepages", "locked"):  # libvirt's order
            if getattr(mem, key):
                _sub(backing, key)
        if answers.shares:  # libvirt: "'virtiofs' requires shared memory" (seen)
            _sub(backing, "source", type="memfd")
            _sub(backing, "access", mode="shared")


def _vcpu(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    vcpu = {"placement": "static"}
    if g.vcpus_current is not None:
        vcpu["current"] = str(g.vcpus_current)
    _sub(dom, "vcpu", str(g.vcpus), **vcpu)


def _os(dom: Element, answers: Answers, plan: Plan) -> None:
    os_ = _sub(dom, "os")
    _sub(os_, "type", "hvm", arch=S390_ARCH, machine=answers.guest.machine or S390_MACHINE)
    if answers.kernel is not None:
        k = answers.kernel
        _sub(os_, "kernel", k.path)
        if k.initrd:
            _sub(os_, "initrd", k.initrd)
        if k.cmdline:
            _sub(os_, "cmdline", k.cmdline)


def _devices(dom: Element, answers: Answers, plan: Plan) -> None:
    devices = _sub(dom, "devices")
    for kind in KINDS:  # each kind's entries, then what they sit on (the SCSI controller)
        for i in range(len(getattr(answers, kind.key))):
            kind.write(devices, answers, i, plan)
        if kind.key == "disks" and answers.guest.no_usb:  # the first, as libvirt sorts them
            _sub(devices, "controller", type="usb", index="0", model="none")
        if kind.after is not None:
            kind.after(devices, answers, plan)
    for write in DEVICE_WRITERS:
        write(devices, answers, plan)


def _console_devices(devices: Element, answers: Answers, plan: Plan) -> None:
    con = answers.console
    first = con.virtio and con.virtio_first and con.sclp and not con.serial
    if first:  # a converted guest's order: virsh console opens the first
        _virtio_console(devices, answers, plan)
    if con.serial:  # libvirt's serial form of the same devices (sclpconsole, sclplmconsole)
        _consoles_as_serials(devices, answers)
    if con.sclp and not con.serial:
        console = _sub(devices, "console", type="pty")
        if con.log:
            _sub(console, "log", file=con.log, append="on" if con.log_append else "off")
        _sub(console, "target", type="sclp", port=str(_consoles(devices) - 1))
    if con.line_mode and not con.serial:  # the line-mode console: virsh console GUEST console1
        line = _sub(devices, "console", type="pty")
        _sub(line, "target", type="sclplm", port=str(_consoles(devices) - 1))
    if con.virtio and not first:  # hvc0 in the guest
        _virtio_console(devices, answers, plan)


def _graphics(devices: Element, answers: Answers, plan: Plan) -> None:
    g_ = answers.graphics
    if g_.vnc:
        for key in ("keyboard", "mouse") if g_.inputs else ():  # libvirt adds none (seen)
            pointer = "tablet" if key == "mouse" and g_.tablet else key  # virtio-tablet-ccw
            _ccw(_sub(devices, "input", type=pointer, bus="virtio"), plan.ccw.get(key))
    for n, device in enumerate(g_.extra_inputs, start=1):  # a converted guest's further ones
        _ccw(_sub(devices, "input", type=device, bus="virtio"), plan.ccw.get(f"input{n}"))
    if g_.vnc:
        if g_.listen:
            vnc = _sub(devices, "graphics", type="vnc", port="-1", autoport="yes", listen=g_.listen)
            _sub(vnc, "listen", type="address", address=g_.listen)
        else:  # libvirt's default address (qemu.conf's vnc_listen), as a converted guest had
            _sub(devices, "graphics", type="vnc", port="-1", autoport="yes")
        for n in range(1, g_.videos + 1):  # the first is the primary head
            video = _sub(devices, "video")
            primary = {"heads": str(g_.heads), "primary": "yes"} if n == 1 else {"heads": "1"}
            _sub(video, "model", type="virtio", **primary)
            _ccw(video, plan.ccw.get("video" if n == 1 else f"video{n}"))


def _panic(devices: Element, answers: Answers, plan: Plan) -> None:
    _sub(devices, "panic", model="s390")


def _launch_security(dom: Element, answers: Answers, plan: Plan) -> None:
    if answers.secure_execution.enabled:
        _sub(dom, "launchSecurity", type="s390-pv")


def _consoles(devices: Element) -> int:
    """How many consoles are written: libvirt numbers a console's port by its place."""
    return sum(1 for el in devices.children if el.tag == "console")


def _virtio_console(devices: Element, answers: Answers, plan: Plan) -> None:
    before = _consoles(devices)
    console = _sub(devices, "console", type="pty")
    _sub(console, "target", type="virtio", port=str(before))
    if "virtio-console" in answers.addresses:  # only as a converted guest stated it
        _ccw(console, plan.ccw.get("virtio-console"))


def _consoles_as_serials(devices: Element, answers: Answers) -> None:
    """The SCLP consoles as libvirt writes <serial type='pty'/> on s390x: a serial with
    target sclp-serial and model sclpconsole (sclplmconsole for the line-mode one), and
    the <console> libvirt adds beside the first (QEMU gets the same -device sclpconsole)."""
    con = answers.console
    ports = [("0", "sclpconsole")] if con.sclp else []
    if con.line_mode:
        ports.append(("1", "sclplmconsole"))
    log = {"file": con.log or "", "append": "on" if con.log_append else "off"}
    for port, model in ports:
        serial = _sub(devices, "serial", type="pty")
        if con.log and port == "0":
            _sub(serial, "log", **log)
        _sub(_sub(serial, "target", type="sclp-serial", port=port), "model", name=model)
    if con.sclp:  # libvirt copies the first serial's log here
        console = _sub(devices, "console", type="pty")
        if con.log:
            _sub(console, "log", **log)
        _sub(console, "target", type="serial", port="0")


def _cpu(dom: Element, answers: Answers, plan: Plan) -> None:
    mode, c = plan.cpu_mode, answers.cpu
    topo = c.sockets is not None or c.cores is not None
    if mode is None and not topo:
        return
    if mode is None:  # QEMU's default model, with a topology (libvirt takes <cpu> so)
        cpu = _sub(dom, "cpu")
    elif mode == "custom":
        # under TCG the model is emulated, not the host's: libvirt's partial check would
        # compare it with the host CPU and refuse ("unknown host CPU" on a non-IBM Z host,
        # seen with 9.0 by tests/system/test_stack_agrees.py)
        tcg = answers.guest.domain_type == "qemu"
        cpu = _sub(dom, "cpu", mode="custom", match="exact", check="none" if tcg else "partial")
        _sub(cpu, "model", c.model or "", fallback="forbid")
    else:
        cpu = _sub(dom, "cpu", mode=mode, check="partial" if mode == "host-model" else "none")
    if mode is not None and c.deprecated_features is not None:  # libvirt 11.0 and later
        cpu.set("deprecated_features", "on" if c.deprecated_features else "off")
    if c.sockets is not None or c.cores is not None:
        sockets, cores = cpu_topology(answers)
        _sub(cpu, "topology", sockets=str(sockets), dies="1", cores=str(cores), threads="1")
    for name, policy in c.features.items():
        _sub(cpu, "feature", policy=policy, name=name)


Writer = Callable[[Element, Answers, Plan], None]
# <domain>'s children in libvirt's order: the parts of zwizard.parts at their places
DOMAIN_WRITERS: tuple[Writer, ...] = (
    _basics,
    _memory,
    parts.tuning.MEMTUNE.write,
    _vcpu,
    parts.tuning.CPUTUNE.write,
    parts.tuning.IOTHREADS.write,
    _os,
    _cpu,
    parts.clock.PART.write,
    parts.lifecycle.PART.write,
    _devices,
    parts.keywrap.PART.write,
    _launch_security,
)
# <devices>' children after the device kinds', in libvirt's order
DEVICE_WRITERS: tuple[Writer, ...] = (
    _console_devices,
    parts.watchdog.PART.write,
    parts.balloon.PART.write,
    parts.rng.PART.write,
    _graphics,
    _panic,  # libvirt writes the vsock after it
    parts.vsock.PART.write,
)

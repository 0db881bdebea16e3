"""Answers -> libvirt domain XML for s390x.

Only what IBM Z has is ever emitted: virtio-ccw devices with ccw addresses,
the SCLP console, diag288, per-device <boot order/> — never <os><boot dev>,
SMBIOS, NUMA, timers, USB or virtual PCI devices.
"""

from __future__ import annotations

from collections.abc import Callable

from zwizard import parts
from zwizard.devices import KINDS
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
    parts.launch_security.PART.write,
)
# <devices>' children after the device kinds', in libvirt's order
DEVICE_WRITERS: tuple[Writer, ...] = (
    parts.console.PART.write,
    parts.watchdog.PART.write,
    parts.balloon.PART.write,
    parts.rng.PART.write,
    parts.graphics.PART.write,
    parts.panic.PART.write,  # libvirt writes the vsock after it
    parts.vsock.PART.write,
)

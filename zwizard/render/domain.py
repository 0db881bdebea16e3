"""Answers -> libvirt domain XML for s390x.

Only what IBM Z has is ever emitted: virtio-ccw devices with ccw addresses,
the SCLP console, diag288, per-device <boot order/> — never <os><boot dev>,
SMBIOS, NUMA, timers, USB or virtual PCI devices.
"""

from __future__ import annotations

from lxml import etree

from zwizard.address import Ccw
from zwizard.model import Answers, Disk
from zwizard.plan import Plan, make_plan
from zwizard.rules import S390_ARCH, S390_MACHINE

LIBOSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0"
ZWIZARD_NS = "urn:x-zwizard:domain:1"
OSINFO_IDS = {
    "rhel7": "http://redhat.com/rhel/7-unknown",
    "rhel8": "http://redhat.com/rhel/8-unknown",
    "rhel9": "http://redhat.com/rhel/9-unknown",
}


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _ccw(parent: etree._Element, addr: Ccw | None) -> None:
    if addr is not None:
        _sub(
            parent,
            "address",
            type="ccw",
            cssid=f"{addr.cssid:#04x}",
            ssid=f"{addr.ssid:#x}",
            devno=f"{addr.devno:#06x}",
        )


def _boot(parent: etree._Element, plan: Plan, path: str, loadparm: str | None) -> None:
    if path in plan.boot:
        attrs = {"order": str(plan.boot[path])}
        if loadparm:
            attrs["loadparm"] = loadparm.upper()
        _sub(parent, "boot", **attrs)


def render_domain(answers: Answers, plan: Plan | None = None) -> etree._Element:
    """The <domain> element; call `to_xml` for the text."""
    plan = plan or make_plan(answers)
    g = answers.guest
    se = answers.secure_execution.enabled
    dom = etree.Element("domain", type=g.domain_type)
    _sub(dom, "name", g.name)
    if g.uuid:
        _sub(dom, "uuid", g.uuid.lower())
    if g.title:
        _sub(dom, "title", g.title)
    if g.description:
        _sub(dom, "description", g.description)
    meta = _sub(dom, "metadata")
    if g.os in OSINFO_IDS:
        info = etree.SubElement(
            meta, f"{{{LIBOSINFO_NS}}}libosinfo", nsmap={"libosinfo": LIBOSINFO_NS}
        )
        etree.SubElement(info, f"{{{LIBOSINFO_NS}}}os", id=OSINFO_IDS[g.os])
    etree.SubElement(
        meta, f"{{{ZWIZARD_NS}}}generator", nsmap={"zwizard": ZWIZARD_NS}, os=g.os
    ).text = "zwizard"

    _sub(dom, "memory", str(g.memory_mib), unit="MiB")
    _sub(dom, "currentMemory", str(g.memory_mib), unit="MiB")
    if answers.memory.hugepages:
        _sub(_sub(dom, "memoryBacking"), "hugepages")
    _sub(dom, "vcpu", str(g.vcpus), placement="static")
    os_ = _sub(dom, "os")
    _sub(os_, "type", "hvm", arch=S390_ARCH, machine=S390_MACHINE)
    _cpu(dom, answers, plan)
    _sub(dom, "clock", offset=answers.clock.offset)
    _sub(dom, "on_poweroff", g.on_poweroff)
    _sub(dom, "on_reboot", g.on_reboot)
    _sub(dom, "on_crash", g.on_crash)

    devices = _sub(dom, "devices")
    for i, disk in enumerate(answers.disks):
        _disk(devices, disk, i, plan)
    if plan.scsi_controller:
        ctl = _sub(devices, "controller", type="scsi", index="0", model="virtio-scsi")
        _ccw(ctl, plan.ccw.get(plan.scsi_controller))
    for i in range(len(answers.nics)):
        _nic(devices, answers, i, plan)
    for i in range(len(answers.passthrough)):
        _hostdev(devices, answers, i, plan)
    console = _sub(devices, "console", type="pty")
    _sub(console, "target", type="sclp", port="0")
    if answers.watchdog is not None:
        _sub(devices, "watchdog", model="diag288", action=answers.watchdog.action)
    balloon = _sub(devices, "memballoon", model="virtio" if plan.balloon else "none")
    if plan.balloon:
        _ccw(balloon, plan.ccw.get("memballoon"))
    if plan.rng:
        rng = _sub(devices, "rng", model="virtio")
        _sub(rng, "backend", "/dev/urandom", model="random")
        _ccw(rng, plan.ccw.get("rng"))
    _sub(devices, "panic", model="s390")
    if se:
        _sub(dom, "launchSecurity", type="s390-pv")
    return dom


def _cpu(dom: etree._Element, answers: Answers, plan: Plan) -> None:
    mode = plan.cpu_mode
    if mode is None:
        return
    if mode == "custom":
        cpu = _sub(dom, "cpu", mode="custom", match="exact", check="partial")
        _sub(cpu, "model", answers.cpu.model or "", fallback="forbid")
    else:
        _sub(dom, "cpu", mode=mode, check="partial" if mode == "host-model" else "none")


def _disk(devices: etree._Element, disk: Disk, i: int, plan: Plan) -> None:
    path = f"disks[{i}]"
    cdrom = disk.device == "cdrom"
    scsi = cdrom or disk.bus == "scsi"
    el = _sub(devices, "disk", type=disk.kind, device=disk.device)
    fmt = disk.format or ("qcow2" if disk.kind == "file" and not cdrom else "raw")
    driver = {"name": "qemu", "type": fmt}
    if disk.cache:
        driver["cache"] = disk.cache
    _sub(el, "driver", **driver)
    _sub(el, "source", **{"file" if disk.kind == "file" else "dev": disk.path})
    _sub(el, "target", dev=plan.targets[i], bus="scsi" if scsi else "virtio")
    if cdrom or disk.readonly:
        _sub(el, "readonly")
    _boot(el, plan, path, disk.loadparm)
    if not scsi:  # SCSI disks get a drive address on the controller, derived from target
        _ccw(el, plan.ccw.get(path))


def _nic(devices: etree._Element, answers: Answers, i: int, plan: Plan) -> None:
    nic = answers.nics[i]
    path = f"nics[{i}]"
    src = nic.source
    if src.network:
        el = _sub(devices, "interface", type="network")
        source = {"network": src.network}
    elif src.bridge:
        el = _sub(devices, "interface", type="bridge")
        source = {"bridge": src.bridge}
    else:
        el = _sub(devices, "interface", type="direct")
        source = {"dev": src.direct or "", "mode": src.mode or "bridge"}
    _sub(el, "mac", address=plan.macs[i].lower())
    _sub(el, "source", **source)
    _sub(el, "model", type="virtio")
    _boot(el, plan, path, nic.loadparm)
    _ccw(el, plan.ccw.get(path))


def _hostdev(devices: etree._Element, answers: Answers, i: int, plan: Plan) -> None:
    dev = answers.passthrough[i]
    path = f"passthrough[{i}]"
    if dev.type in ("vfio-ap", "vfio-ccw"):
        el = _sub(devices, "hostdev", mode="subsystem", type="mdev", model=dev.type)
        _sub(_sub(el, "source"), "address", uuid=(dev.uuid or "").lower())
        if dev.type == "vfio-ccw":
            _boot(el, plan, path, dev.loadparm)
            _ccw(el, plan.ccw.get(path))
        return
    el = _sub(
        devices, "hostdev", mode="subsystem", type="pci", managed="yes" if dev.managed else "no"
    )
    domain, bus, slot_fn = (dev.address or "0000:00:00.0").split(":")
    slot, fn = slot_fn.split(".")
    _sub(
        _sub(el, "source"),
        "address",
        domain=f"0x{domain.lower()}",
        bus=f"0x{bus.lower()}",
        slot=f"0x{slot.lower()}",
        function=f"0x{fn}",
    )
    addr = _sub(el, "address", type="pci")
    if path in plan.zpci:  # given or assigned: written, so the summary and the XML agree
        uid, fid = plan.zpci[path]
        _sub(addr, "zpci", uid=f"{uid:#06x}", fid=f"{fid:#010x}")


def to_xml(dom: etree._Element) -> str:
    etree.indent(dom, space="  ")
    return etree.tostring(dom, encoding="unicode") + "\n"

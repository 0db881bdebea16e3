"""libvirt domain XML -> Answers, plus everything that could not be carried.

The importer maps what it reads onto the answers model, x86 habits included
(SMBIOS -> guest.smbios, a NUMA cell -> cpu.numa, an i6300esb -> watchdog.model,
a SATA disk -> disks[].bus …), so that `rules.check` judges imported XML exactly
as it judges an answers file. Only what the model has no place for at all (PCI
addresses, USB, graphics, ACPI …) becomes a finding here, worded by the rules
module's NEVER_AVAILABLE table. `convert` is the same import with `convert=True`:
each x86 value is replaced by its IBM Z equivalent and the change recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from zwizard.model import (
    Answers,
    Disk,
    Guest,
    Nic,
    NicSource,
    Passthrough,
    Watchdog,
    Zpci,
)
from zwizard.plan import Ccw
from zwizard.rules import NEVER_AVAILABLE, Finding

MAX_XML_BYTES = 10 << 20
X86_FEATURES = ("acpi", "apic", "pae", "vmport", "hyperv", "kvm", "smm", "ioapic", "hap", "pmu")
TOP_LEVEL_HANDLED = {
    "name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "vcpu",
    "os", "features", "cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "devices",
    "launchSecurity", "sysinfo", "maxMemory", "memoryBacking", "numatune",
}  # fmt: skip
NIC_MODELS_PCI = ("e1000", "e1000e", "rtl8139", "virtio-net-pci", "vmxnet3", "ne2k_pci", "igb")


class ImportError_(Exception):
    """The XML could not be read; nothing was judged."""


@dataclass
class Change:
    """One thing convert did to bring the guest onto IBM Z."""

    rule: str
    where: str  # XPath in the source document
    line: int | None
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} [{self.rule}]"


@dataclass
class Imported:
    answers: Answers
    findings: list[Finding] = field(default_factory=list)  # no answers equivalent
    changes: list[Change] = field(default_factory=list)  # convert: what was changed/dropped
    lost: list[Change] = field(default_factory=list)  # convert: what cannot be carried
    where: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # answers path -> src
    lines: dict[str, int | None] = field(default_factory=dict)  # xpath -> line, for findings
    os_known: bool = False  # the XML named its OS (libosinfo metadata)

    def locate(self, path: str) -> tuple[str, int | None]:
        """Source XPath and line of an answers path (or of its nearest parent)."""
        while path:
            if path in self.where:
                return self.where[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return "/domain", None


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse untrusted XML: no DTDs, no entities, no network, bounded size."""
    if len(data) > MAX_XML_BYTES:
        raise ImportError_(f"{source}: larger than {MAX_XML_BYTES >> 20} MiB")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportError_(
            f"{source}:{exc.lineno or '?'}: not well-formed XML: {exc.msg}"
        ) from None
    if root.tag != "domain":
        raise ImportError_(f"{source}: the root element is <{root.tag}>, not a libvirt <domain>")
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise ImportError_(f"{source}: DOCTYPE declarations are not accepted in domain XML")
    return root


def _mib(el: etree._Element | None) -> int | None:
    if el is None or not (el.text or "").strip():
        return None
    value = int(el.text.strip())
    unit = (el.get("unit") or "KiB").lower()
    factor = {
        "b": 1 / 2**20, "bytes": 1 / 2**20, "k": 1 / 1024, "kib": 1 / 1024, "kb": 1000 / 2**20,
        "m": 1, "mib": 1, "mb": 1e6 / 2**20, "g": 1024, "gib": 1024, "gb": 1e9 / 2**20,
        "t": 2**20, "tib": 2**20,
    }.get(unit, 1 / 1024)  # fmt: skip
    return max(1, round(value * factor))


class _Importer:
    def __init__(self, root: etree._Element, convert: bool) -> None:
        self.root = root
        self.tree = root.getroottree()
        self.convert = convert
        self.out = Imported(answers=Answers())

    # -- bookkeeping --------------------------------------------------------------------

    def at(self, el: etree._Element) -> tuple[str, int | None]:
        return self.tree.getpath(el), el.sourceline

    def mark(self, path: str, el: etree._Element) -> None:
        self.out.where[path] = self.at(el)

    def never(self, key: str, el: etree._Element, detail: str = "") -> None:
        """Something IBM Z cannot have: a finding for check, a drop for convert."""
        rule, reason = NEVER_AVAILABLE[key]
        where, line = self.at(el)
        self.out.lines[where] = line
        text = f"{detail}: {reason}" if detail else reason
        self.out.findings.append(Finding(rule, "error", where, text))
        if self.convert:
            self.out.changes.append(Change(rule, where, line, f"dropped {detail or el.tag}"))

    def changed(self, rule: str, el: etree._Element, what: str) -> None:
        if self.convert:
            where, line = self.at(el)
            self.out.changes.append(Change(rule, where, line, what))

    def lost(self, el: etree._Element, what: str) -> None:
        where, line = self.at(el)
        self.out.lost.append(Change("not-carried", where, line, what))

    # -- the document -------------------------------------------------------------------

    def run(self) -> Imported:
        r, a = self.root, self.out.answers
        self._guest(r, a)
        self._os(r)
        self._features(r)
        self._cpu(r, a)
        self._memory(r, a)
        self._clock(r, a)
        devices = r.find("devices")
        if devices is not None:
            for el in devices:
                if isinstance(el.tag, str):
                    self._device(el, a)
            self._boot_dev(r, a)
        ls = r.find("launchSecurity")
        if ls is not None:
            if ls.get("type") == "s390-pv":
                a.secure_execution.enabled = True
                self.mark("secure_execution", ls)
            else:
                self.never("x86-features", ls, f"launchSecurity type '{ls.get('type')}'")
        for el in r.xpath("sysinfo | os/smbios"):
            self.mark("guest.smbios", el)
            a.guest.smbios = not self.convert
            self.changed("no-smbios", el, f"dropped <{el.tag}>")
        for el in r:
            if isinstance(el.tag, str) and el.tag not in TOP_LEVEL_HANDLED:
                self.lost(el, f"<{el.tag}>")
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        for el in r.xpath("metadata/*[not(self::l:libosinfo)]", namespaces=ns):
            if not str(el.tag).startswith("{urn:x-zwizard"):
                self.lost(el, f"metadata {el.tag}")
        return self.out

    def _guest(self, r: etree._Element, a: Answers) -> None:
        g: Guest = a.guest
        dtype = r.get("type", "kvm")
        g.domain_type = dtype if dtype in ("kvm", "qemu") else "kvm"
        if dtype not in ("kvm", "qemu"):
            self.changed("s390-machine", r, f"domain type {dtype} -> kvm")
        for key in ("name", "uuid", "title", "description"):
            el = r.find(key)
            if el is not None and el.text:
                setattr(g, key, el.text.strip())
                self.mark(f"guest.{key}", el)
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        osid = r.xpath("metadata/l:libosinfo/l:os/@id", namespaces=ns)
        g.os = "other"
        self.out.os_known = bool(osid)
        if osid:
            for short in ("rhel7", "rhel8", "rhel9"):
                if f"/rhel/{short[4:]}" in osid[0]:
                    g.os = short
        vcpu = r.find("vcpu")
        if vcpu is not None and (vcpu.text or "").strip().isdigit():
            g.vcpus = int(vcpu.text)
            self.mark("guest.vcpus", vcpu)
            if self.convert and g.vcpus > 248:
                self.changed("vcpus", vcpu, f"{g.vcpus} vCPUs -> 248, the IBM Z maximum")
                g.vcpus = 248
        mem = r.find("memory")
        if mem is not None:
            g.memory_mib = _mib(mem) or g.memory_mib
            self.mark("guest.memory_mib", mem)
        for key in ("on_poweroff", "on_reboot", "on_crash"):
            el = r.find(key)
            if el is not None and el.text:
                setattr(g, key, el.text.strip())

    def _os(self, r: etree._Element) -> None:
        os_ = r.find("os")
        if os_ is None:
            return
        t = os_.find("type")
        if t is not None and (
            t.get("arch") != "s390x" or not (t.get("machine") or "").startswith("s390-ccw-virtio")
        ):
            where, _ = self.at(t)
            arch, machine = t.get("arch", "(none)"), t.get("machine", "(none)")
            self.out.lines[where] = t.sourceline
            self.out.findings.append(
                Finding(
                    "s390-machine",
                    "error",
                    where,
                    f"arch {arch}, machine {machine}: IBM Z guests are arch s390x "
                    "on machine s390-ccw-virtio",
                )
            )
            self.changed(
                "s390-machine", t, f"arch {arch} machine {machine} -> s390x s390-ccw-virtio"
            )
        for el in os_.xpath("loader | nvram"):
            self.never("uefi", el, f"<{el.tag}>")
        for key in ("kernel", "initrd", "cmdline"):
            for el in os_.findall(key):
                self.lost(
                    el, f"direct kernel boot <{key}> (install with PXE or from a disk instead)"
                )
        for el in os_.xpath("bootmenu | bios | firmware"):
            self.never("x86-features", el, f"<os><{el.tag}>")

    def _features(self, r: etree._Element) -> None:
        features = r.find("features")
        if features is None:
            return
        for el in features:
            if not isinstance(el.tag, str):
                continue
            if el.tag in X86_FEATURES:
                self.never("x86-features", el, f"feature <{el.tag}>")
            else:
                self.lost(el, f"feature <{el.tag}>")

    def _cpu(self, r: etree._Element, a: Answers) -> None:
        cpu = r.find("cpu")
        if cpu is None:
            return
        self.mark("cpu", cpu)
        mode = cpu.get("mode") or ("custom" if cpu.find("model") is not None else None)
        model = cpu.find("model")
        if mode == "custom" and model is not None and model.text:
            a.cpu.mode, a.cpu.model = "custom", model.text.strip()
            self.mark("cpu.model", model)
            from zwizard.rules import CPU_MODELS

            if self.convert and a.cpu.model not in CPU_MODELS:
                self.changed("cpu-model", model, f"CPU model {a.cpu.model} -> host-model")
                a.cpu.mode, a.cpu.model = "host-model", None
        elif mode:
            a.cpu.mode = mode
            self.mark("cpu.mode", cpu)
        if (
            a.guest.domain_type == "qemu"
            and self.convert
            and a.cpu.mode in ("host-model", "host-passthrough")
        ):
            self.changed("tcg-cpu", cpu, f"CPU mode {a.cpu.mode} -> QEMU's default (emulation)")
            a.cpu.mode = None
        numa = cpu.find("numa")
        if numa is not None:
            self.mark("cpu.numa", numa)
            a.cpu.numa = not self.convert
            self.changed("no-numa", numa, "dropped <numa>")
        for el in cpu.xpath("feature | topology | cache"):
            self.lost(el, f"<cpu><{el.tag}> {el.get('name', '')}".rstrip())
        for el in r.xpath("numatune"):
            self.mark("cpu.numa", el)
            a.cpu.numa = not self.convert
            self.changed("no-numa", el, "dropped <numatune>")

    def _memory(self, r: etree._Element, a: Answers) -> None:
        mm = r.find("maxMemory")
        if mm is not None:
            self.mark("memory.hotplug", mm)
            a.memory.hotplug = not self.convert
            self.changed("no-mem-hotplug", mm, "dropped <maxMemory> (no memory hot-plug)")
        mb = r.find("memoryBacking")
        if mb is not None:
            if mb.find("hugepages") is not None:
                a.memory.hugepages = True
                self.mark("memory.hugepages", mb)
            for el in mb:
                if isinstance(el.tag, str) and el.tag != "hugepages":
                    self.lost(el, f"<memoryBacking><{el.tag}>")

    def _clock(self, r: etree._Element, a: Answers) -> None:
        clock = r.find("clock")
        if clock is None:
            return
        offset = clock.get("offset", "utc")
        a.clock.offset = offset if offset in ("utc", "localtime") else "utc"
        for timer in clock.findall("timer"):
            if not self.convert:
                a.clock.timers.append(timer.get("name", "?"))
                self.mark(f"clock.timers[{len(a.clock.timers) - 1}]", timer)
            self.changed("no-kvmclock", timer, f"dropped timer {timer.get('name')}")

    # -- devices ------------------------------------------------------------------------

    def _address(self, el: etree._Element, path: str) -> str | None:
        """ccw bus-id of a device, or a finding for a PCI/USB/drive address."""
        addr = el.find("address")
        if addr is None:
            return None
        kind = addr.get("type")
        if kind == "ccw":
            try:
                cssid, ssid, devno = (int(addr.get(k, "0"), 16) for k in ("cssid", "ssid", "devno"))
            except ValueError:
                return f"{addr.get('cssid')}.{addr.get('ssid')}.{addr.get('devno')}"
            return Ccw(cssid, ssid, devno).busid
        if kind in ("pci", "usb", "virtio-mmio", "isa", "spapr-vio"):
            self.never(
                "virtio-pci" if kind == "pci" else "usb" if kind == "usb" else "virtio-pci",
                addr,
                f"{kind} address",
            )
        return None

    def _device(self, el: etree._Element, a: Answers) -> None:
        tag = el.tag
        handler = {
            "disk": self._disk,
            "interface": self._nic,
            "watchdog": self._watchdog,
            "hostdev": self._hostdev,
            "memballoon": self._balloon,
            "rng": self._rng,
            "controller": self._controller,
            "input": self._input,
            "graphics": self._graphics,
            "video": self._video,
            "sound": self._sound,
        }.get(tag)
        if handler:
            handler(el, a)
        elif tag in ("console", "serial"):
            target = el.find("target")
            ttype = target.get("type") if target is not None else None
            if tag == "serial" and ttype in ("isa-serial", "pci-serial", "usb-serial", "isa"):
                self.never("virtio-pci", el, f"{ttype} serial port")
            elif ttype not in ("sclp", "sclp-serial", "sclplm", None, "virtio"):
                self.changed("ccw-only", el, f"<{tag}> target {ttype} -> SCLP console")
        elif tag == "channel":
            target = el.find("target")
            name = target.get("name") if target is not None else el.get("type")
            self.lost(el, f"channel {name}")
        elif tag in ("emulator", "panic"):
            if tag == "panic" and el.get("model") not in (None, "s390"):
                self.changed("s390-machine", el, f"panic model {el.get('model')} -> s390")
        elif tag == "redirdev" or tag == "smartcard":
            self.never("usb", el, f"<{tag}>")
        else:
            self.lost(el, f"<{tag}> device")

    def _disk(self, el: etree._Element, a: Answers) -> None:
        i = len(a.disks)
        path = f"disks[{i}]"
        kind = el.get("type", "file")
        device = el.get("device", "disk")
        source = el.find("source")
        if (
            kind not in ("file", "block")
            or device not in ("disk", "cdrom")
            or (source is None and device == "disk")
        ):
            self.lost(el, f"{kind} {device} (only file and block disks and CD-ROMs are carried)")
            return
        src = (
            None if source is None else source.get("file") if kind == "file" else source.get("dev")
        )
        if device == "cdrom" and not src:
            self.lost(el, "empty CD-ROM drive")
            return
        driver = el.find("driver")
        fmt = driver.get("type") if driver is not None else None
        target = el.find("target")
        bus = target.get("bus") if target is not None else None
        dev = Disk(path=src or "", kind=kind, device=device)
        dev.format = fmt if fmt in ("qcow2", "raw") else None
        if fmt and fmt not in ("qcow2", "raw"):
            self.lost(
                el,
                f"image format {fmt} (only qcow2 and raw; convert the image with qemu-img)",
            )
        if driver is not None and driver.get("cache") in (
            "none",
            "writethrough",
            "writeback",
            "directsync",
            "unsafe",
        ):
            dev.cache = driver.get("cache")
        want = "scsi" if device == "cdrom" else "virtio"
        if bus in ("virtio", "scsi") and not (device == "cdrom" and bus == "virtio"):
            dev.bus = bus
            dev.target = target.get("dev")
        elif self.convert:
            self.changed(
                "ccw-only",
                target,
                f"{bus} {device} {target.get('dev')} -> {want} (target reassigned)",
            )
        else:
            dev.bus = bus
            dev.target = None
        dev.readonly = el.find("readonly") is not None and device != "cdrom"
        self._boot(el, dev, path)
        dev.ccw = self._address(el, path) if (dev.bus or want) == "virtio" else None
        a.disks.append(dev)
        self.mark(path, el)
        if dev.bus is not None:
            self.mark(f"{path}.bus", target)

    def _boot(self, el: etree._Element, dev: Disk | Nic | Passthrough, path: str) -> None:
        boot = el.find("boot")
        if boot is not None and (boot.get("order") or "").lstrip("-").isdigit():
            dev.boot_order = int(boot.get("order"))
            dev.loadparm = boot.get("loadparm")
            self.mark(f"{path}.boot_order", boot)
            self.mark(f"{path}.loadparm", boot)

    def _nic(self, el: etree._Element, a: Answers) -> None:
        i = len(a.nics)
        path = f"nics[{i}]"
        kind = el.get("type")
        source = el.find("source")
        src = NicSource()
        if kind == "network" and source is not None:
            src.network = source.get("network")
        elif kind == "bridge" and source is not None:
            src.bridge = source.get("bridge")
        elif kind == "direct" and source is not None:
            src.direct = source.get("dev")
            mode = source.get("mode")
            src.mode = mode if mode in ("bridge", "vepa", "private", "passthrough") else None
        else:
            mac = el.find("mac")
            address = mac.get("address") if mac is not None else "-"
            self.lost(
                el,
                f"interface type {kind} (MAC {address}): carry it over by hand as network, "
                "bridge or direct",
            )
            return
        nic = Nic(source=src)
        mac = el.find("mac")
        if mac is not None:
            nic.mac = mac.get("address")
        model = el.find("model")
        mtype = model.get("type") if model is not None else "virtio"
        if mtype != "virtio":
            if self.convert:
                self.changed("ccw-only", model, f"NIC model {mtype} -> virtio (virtio-net-ccw)")
            else:
                nic.model = mtype
                self.mark(f"{path}.model", model)
        self._boot(el, nic, path)
        nic.ccw = self._address(el, path)
        a.nics.append(nic)
        self.mark(path, el)

    def _watchdog(self, el: etree._Element, a: Answers) -> None:
        action = el.get("action", "reset")
        wd = Watchdog(
            action=action
            if action in ("reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi")
            else "reset"
        )
        model = el.get("model", "")
        if model != "diag288":
            if self.convert:
                self.changed(
                    "watchdog-diag288", el, f"watchdog {model} -> diag288 (action {wd.action} kept)"
                )
            else:
                wd.model = model
        a.watchdog = wd
        self.mark("watchdog", el)
        self.mark("watchdog.model", el)

    def _hostdev(self, el: etree._Element, a: Answers) -> None:
        i = len(a.passthrough)
        path = f"passthrough[{i}]"
        kind, model = el.get("type"), el.get("model")
        if kind == "mdev" and model in ("vfio-ap", "vfio-ccw"):
            src = el.find("source/address")
            dev = Passthrough(type=model, uuid=src.get("uuid") if src is not None else None)
            if model == "vfio-ccw":
                dev.ccw = self._address(el, path)
            self._boot(el, dev, path)
        elif kind == "pci":
            src = el.find("source/address")
            zpci = el.find("address/zpci")
            if zpci is None and self.convert:
                self.lost(
                    el,
                    "PCI passthrough of an x86 host's device "
                    "(choose an IBM Z PCI function and its zPCI ids)",
                )
                return
            addr = None
            if src is not None:
                parts = [src.get(k, "0x0") for k in ("domain", "bus", "slot", "function")]
                d, b, s, f = (int(p, 16) for p in parts)
                addr = f"{d:04x}:{b:02x}:{s:02x}.{f:x}"
            dev = Passthrough(type="pci", address=addr)
            if zpci is not None:
                dev.zpci = Zpci(uid=zpci.get("uid", "0"), fid=zpci.get("fid", "0"))
        else:
            self.lost(el, f"hostdev {kind} {model or ''}".rstrip())
            return
        a.passthrough.append(dev)
        self.mark(path, el)

    def _balloon(self, el: etree._Element, a: Answers) -> None:
        model = el.get("model")
        a.memory.balloon = model != "none"
        self.mark("memory.balloon", el)
        if model not in ("virtio", "none"):
            self.changed("ccw-only", el, f"memballoon {model} -> virtio")
        self._address(el, "memory.balloon")

    def _rng(self, el: etree._Element, a: Answers) -> None:
        a.rng.enabled = True
        self.mark("rng.enabled", el)
        self._address(el, "rng")

    def _controller(self, el: etree._Element, a: Answers) -> None:
        ctype, model = el.get("type"), el.get("model")
        if ctype == "usb" and model != "none":
            self.never("usb", el, f"USB controller {model or ''}".rstrip())
        elif ctype == "pci":
            if model not in ("pci-root",):
                self.never("pci-controller", el, f"PCI controller {model}")
        elif ctype in ("sata", "ide", "fdc"):
            self.never("virtio-pci", el, f"{ctype} controller")
        elif ctype == "scsi" and model not in (None, "virtio-scsi"):
            self.never("virtio-pci", el, f"SCSI controller {model}")
        elif ctype == "virtio-serial":
            self.lost(el, "virtio-serial controller (guest agent channel)")
        else:
            self._address(el, "controller")

    def _input(self, el: etree._Element, a: Answers) -> None:
        bus = el.get("bus")
        if bus in ("usb", "ps2", None):
            self.never(
                "usb" if bus == "usb" else "graphics", el, f"{el.get('type')} input on {bus}"
            )

    def _graphics(self, el: etree._Element, a: Answers) -> None:
        self.never("graphics", el, f"{el.get('type')} graphics")

    def _video(self, el: etree._Element, a: Answers) -> None:
        model = el.find("model")
        mtype = model.get("type") if model is not None else None
        if mtype not in ("virtio", "none"):
            self.never("graphics", el, f"{mtype} video")

    def _sound(self, el: etree._Element, a: Answers) -> None:
        self.never("sound", el, f"{el.get('model')} sound card")

    def _boot_dev(self, r: etree._Element, a: Answers) -> None:
        boots = r.findall("os/boot")
        if not boots:
            return
        has_order = any(d.boot_order for d in [*a.disks, *a.nics, *a.passthrough])
        for el in boots:
            self.never("os-boot-dev", el, f"<boot dev='{el.get('dev')}'>")
        if not self.convert or has_order:
            return
        order = 1
        for el in boots:
            dev = el.get("dev")
            pool = {
                "hd": [d for d in a.disks if d.device == "disk"],
                "cdrom": [d for d in a.disks if d.device == "cdrom"],
                "network": a.nics,
            }.get(dev, [])
            if pool and pool[0].boot_order is None:
                pool[0].boot_order = order
                self.changed(
                    "boot-order", el, f"<boot dev='{dev}'> -> boot order {order} on that device"
                )
                order += 1


@dataclass
class Located:
    """A finding placed in the source document."""

    finding: Finding
    xpath: str
    line: int | None

    def as_dict(self, source: str) -> dict[str, object]:
        f = self.finding
        return {
            "file": source, "line": self.line, "xpath": self.xpath, "severity": f.severity,
            "rule": f.rule, "message": f.message,
        }  # fmt: skip


def check_domain(data: bytes, source: str = "<xml>") -> list[Located]:
    """Every IBM Z finding about an existing domain XML, placed at its element."""
    from zwizard.rules import check

    imported = import_domain(data, source)
    located = [Located(f, f.path, _line_of(imported, f.path)) for f in imported.findings]
    for f in check(imported.answers):
        if f.rule == "guest-os" and not imported.os_known:
            continue  # no libosinfo metadata: nothing to judge
        xpath, line = imported.locate(f.path)
        located.append(Located(f, xpath, line))
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(located, key=lambda x: (order[x.finding.severity], x.line or 0))


def _line_of(imported: Imported, xpath: str) -> int | None:
    for where, line in imported.where.values():
        if where == xpath:
            return line
    return imported.lines.get(xpath)


def import_domain(data: bytes, source: str = "<xml>", *, convert: bool = False) -> Imported:
    """Read a domain XML; with `convert`, replace x86 values by IBM Z ones."""
    root = parse_xml(data, source)
    return _Importer(root, convert).run()

"""libvirt domain XML -> Answers, plus everything that could not be carried.

The importer maps what it reads onto the answers model, x86 habits included
(SMBIOS -> guest.smbios, a NUMA cell -> cpu.numa, an i6300esb -> watchdog.model,
a SATA disk -> disks[].bus …), so that `rules.check` judges imported XML exactly
as it judges an answers file. Only what the model has no place for at all (PCI
addresses, USB, graphics, ACPI …) becomes a finding here, worded by the rules
module's NEVER_AVAILABLE table. `convert` is this import followed by its own pass
(conversion.py), which replaces each such value by its IBM Z equivalent and says so.
"""

from __future__ import annotations

import re
from typing import Any, cast

from lxml import etree

from zwizard import xmlsafe
from zwizard.address import ccw_from_attributes
from zwizard.devices import BY_TAG, KINDS
from zwizard.devices.channel import CONTROLLER
from zwizard.devices.disk import SCSI_CONTROLLER
from zwizard.findings import Severity
from zwizard.lazy import Pattern
from zwizard.model import (
    CLOCK_OFFSETS,
    FEATURE_POLICIES,
    OSINFO_IDS,
    WATCHDOG_ACTIONS,
    Answers,
    ClockOffset,
    FeaturePolicy,
    Guest,
    Kernel,
    Vsock,
    Watchdog,
    WatchdogAction,
)
from zwizard.rules import NEVER_AVAILABLE, S390_ARCH, S390_MACHINE, Finding, machine_problem
from zwizard.stack_versions import DEPRECATED_CPU_FEATURES
from zwizard.structure import field, record

X86_FEATURES = ("acpi", "apic", "pae", "vmport", "hyperv", "kvm", "smm", "ioapic", "hap", "pmu")
TOP_LEVEL_HANDLED = {
    "name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "vcpu",
    "os", "features", "cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "devices",
    "launchSecurity", "sysinfo", "maxMemory", "memoryBacking", "numatune", "iothreads",
    "keywrap", "memtune", "cputune",
}  # fmt: skip
NIC_MODELS_PCI = ("e1000", "e1000e", "rtl8139", "virtio-net-pci", "vmxnet3", "ne2k_pci", "igb")


class ImportError_(Exception):
    """The XML could not be read; nothing was judged."""


@record
class Change:
    """One thing read or converted into another value on the way onto IBM Z."""

    rule: str
    where: str  # XPath in the source document
    line: int | None
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} [{self.rule}]"


@record
class Imported:
    answers: Answers
    findings: list[Finding] = field(default_factory=list)  # no answers equivalent
    changes: list[Change] = field(default_factory=list)  # what was changed/dropped
    lost: list[Change] = field(default_factory=list)  # what the answers cannot carry
    where: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # answers path -> src
    lines: dict[str, int | None] = field(default_factory=dict)  # xpath -> line, for findings
    os_known: bool = False  # the XML named its OS (libosinfo metadata)
    s390: bool = False  # the document is an s390x guest (its CPU features, PCI ids apply)
    # every element an answers path was read from (`where` keeps the last of them)
    sources: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)
    # <os><boot dev=…> in document order: the model has no place for it; convert maps it
    boot_devs: list[tuple[str, str, int | None]] = field(default_factory=list)
    # the controllers the document states, by their key in Plan.ccw: where they stand
    controllers: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    devices_at: tuple[str, int | None] = ("/domain/devices", None)  # where additions go
    os_at: tuple[str, int | None] = ("/domain/os", None)
    panic: bool = False  # the document has a <panic> (libvirt adds one to s390x guests)

    def locate(self, path: str) -> tuple[str, int | None]:
        """Source XPath and line of an answers path (or of its nearest parent)."""
        while path:
            if path in self.where:
                return self.where[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return "/domain", None


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse untrusted domain XML (xmlsafe: no DTDs, entities or network; bounded size)."""
    try:
        return xmlsafe.parse(data, source, root="domain")
    except xmlsafe.XmlError as exc:
        raise ImportError_(str(exc)) from None


# libvirt's memory units (formatdomain "Memory Allocation"): bytes per unit
UNIT_BYTES = {
    "b": 1, "bytes": 1, "k": 1024, "kib": 1024, "kb": 1000, "m": 1 << 20, "mib": 1 << 20,
    "mb": 10**6, "g": 1 << 30, "gib": 1 << 30, "gb": 10**9, "t": 1 << 40, "tib": 1 << 40,
    "tb": 10**12, "p": 1 << 50, "pib": 1 << 50, "pb": 10**15, "e": 1 << 60, "eib": 1 << 60,
    "eb": 10**18,
}  # fmt: skip


def element_paths(root: etree._Element) -> dict[etree._Element, str]:
    """XPath of every element, as lxml's getpath writes it, in one pass (getpath itself
    counts siblings each call, which made large documents quadratic)."""
    paths = {root: f"/{root.tag}"}
    for parent in root.iter():
        if parent not in paths:
            continue
        base = paths[parent]
        counts: dict[object, int] = {}
        for child in parent:
            counts[child.tag] = counts.get(child.tag, 0) + 1
        seen: dict[object, int] = {}
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            seen[child.tag] = seen.get(child.tag, 0) + 1
            name = child.tag
            if name.startswith("{"):
                name = "*"  # as getpath writes namespaced elements
            index = f"[{seen[child.tag]}]" if counts[child.tag] > 1 else ""
            paths[child] = f"{base}/{name}{index}"
    return paths


class _Importer:
    """Reads what the document says, as far as the answers can hold it: values IBM Z
    cannot take are kept (for `check` to judge) and changed only by conversion.py."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.out = Imported(answers=Answers())
        self.paths = element_paths(root)
        # what was read, so convert can list everything it did not carry (nothing silent)
        self.read_attrs: set[tuple[etree._Element, str]] = set()
        self.taken: set[etree._Element] = set()
        self.accounted: set[etree._Element] = set()  # said to be dropped or changed
        self.consoles = 0
        self.videos = 0  # virtio video devices carried with the VNC display
        self.pointers: set[str] = set()  # the virtio inputs carried: keyboard, mouse
        os_type = root.find("os/type")
        self.s390 = self.out.s390 = os_type is not None and os_type.get("arch") == "s390x"

    # -- bookkeeping --------------------------------------------------------------------

    def get(self, el: etree._Element | None, name: str, default: str | None = None) -> str | None:
        """An attribute, noted as read (`default` where the element is absent)."""
        if el is None:
            return default
        self.taken.add(el)
        self.read_attrs.add((el, name))
        return el.get(name, default)

    def take(self, *els: etree._Element | None) -> None:
        """Elements whose presence (or text) was read."""
        self.taken.update(el for el in els if el is not None)

    def text(self, el: etree._Element) -> str:
        self.taken.add(el)
        return (el.text or "").strip()

    def mib(self, el: etree._Element | None) -> int | None:
        """A libvirt memory value in MiB (None when it is not a number)."""
        if el is None:
            return None
        text = self.text(el)
        unit = (self.get(el, "unit") or "KiB").lower()
        if not text.isdigit() or unit not in UNIT_BYTES:
            return None
        return max(1, round(int(text) * UNIT_BYTES[unit] / (1 << 20)))

    def kib(self, el: etree._Element | None) -> int | None:
        """A libvirt memory value in KiB, as libvirt keeps it (rounded up)."""
        if el is None:
            return None
        text, unit = self.text(el), (self.get(el, "unit") or "KiB").lower()
        if not text.isdigit() or unit not in UNIT_BYTES:
            return None
        return -(-int(text) * UNIT_BYTES[unit] // 1024)

    def unreadable_size(self, el: etree._Element, rule: str) -> str:
        """A size `mib` cannot read, which libvirt refuses at define too: an error for
        check, and the words for what convert says of it."""
        text, unit = self.text(el), self.get(el, "unit") or "KiB"
        said = (
            f"libvirt: unknown suffix {unit!r}"
            if text.isdigit()
            else f"libvirt: invalid value {text!r} for element <{el.tag}>"
        )
        what = f"{text!r} {unit} ({said})"
        self.finding(el, rule, "error", f"<{el.tag}> {what}")
        return what

    def finding(self, el: etree._Element, rule: str, severity: Severity, message: str) -> None:
        """A finding about the document itself, placed at `el`."""
        where, line = self.at(el)
        self.out.lines[where] = line
        self.out.findings.append(Finding(rule, severity, where, message))

    def at(self, el: etree._Element) -> tuple[str, int | None]:
        path = self.paths.get(el)
        if path is None:  # not reached by the walk (cannot happen for elements)
            path = el.getroottree().getpath(el)
        line = el.sourceline
        return path, line if isinstance(line, int) else None

    def mark(self, path: str, el: etree._Element) -> None:
        self.out.where[path] = self.at(el)
        self.out.sources.setdefault(path, []).append(self.out.where[path])

    def held(self, path: str, el: etree._Element) -> None:
        """`el` with all inside it is held by one answers value (`cpu.numa` for <numa>)."""
        self.mark(path, el)
        self.accounted.add(el)

    def never(self, key: str, el: etree._Element, detail: str = "") -> None:
        """Something IBM Z cannot have and the answers cannot hold: a finding for check,
        a drop for convert."""
        rule, reason = NEVER_AVAILABLE[key]
        self.accounted.add(el)
        where, line = self.at(el)
        self.out.lines[where] = line
        text = f"{detail}: {reason}" if detail else reason
        self.out.findings.append(Finding(rule, "error", where, text))
        self.out.changes.append(Change(rule, where, line, f"dropped {detail or el.tag}"))

    def changed(self, rule: str, el: etree._Element, what: str, *, whole: bool = True) -> None:
        """A value the answers cannot hold as written (a domain type 'xen', a machine
        type): read as the IBM Z one, and said. `whole`: the element and all inside it
        are replaced; else only what `what` names, and the element's other attributes
        and children are still carried or listed."""
        (self.accounted if whole else self.taken).add(el)
        where, line = self.at(el)
        self.out.changes.append(Change(rule, where, line, what))

    def lost(self, el: etree._Element, what: str, *, whole: bool = True) -> None:
        """Something convert cannot carry (`whole`: the element with all inside it)."""
        (self.accounted if whole else self.taken).add(el)
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
        os_el = r.find("os")
        if os_el is not None:
            self.out.os_at = self.at(os_el)
        if devices is not None:
            self.out.devices_at = self.at(devices)
            for el in devices:
                if isinstance(el.tag, str):
                    self._device(el, a)
            self._boot_dev(r, a)
        if self.consoles == 0:  # libvirt adds none of its own: a guest without one has none
            a.console.sclp = False
        self._iothreads_keywrap(r, a)
        self._tunes(r, a)
        ls = r.find("launchSecurity")  # before the implicit devices: SE changes them
        if ls is not None:
            if self.get(ls, "type") == "s390-pv":
                a.secure_execution.enabled = True
                self.mark("secure_execution", ls)
            else:
                self.never("x86-features", ls, f"launchSecurity type '{self.get(ls, 'type')}'")
        self._implicit_devices(r, devices, a)
        for el in xmlsafe.find_all(r, "sysinfo | os/smbios"):
            self.held("guest.smbios", el)
            a.guest.smbios = True
        for el in r:
            if isinstance(el.tag, str) and el.tag not in TOP_LEVEL_HANDLED:
                self.lost(el, f"<{el.tag}>")
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        for el in xmlsafe.find_all(r, "metadata/*[not(self::l:libosinfo)]", **ns):
            if not str(el.tag).startswith("{urn:x-zwizard"):
                self.lost(el, f"metadata {el.tag}")
            else:
                self.take(*el.iter())  # our own generator mark: written again
                self.get(el, "os")
        self.take(r, r.find("metadata"), r.find("devices"), r.find("os"))
        self._not_read()
        return self.out

    def _not_read(self) -> None:
        """Every element and attribute no handler read, and no change or loss named,
        becomes a 'not carried' line: convert never drops anything without a word."""
        for el in self.root.iter():
            if not isinstance(el.tag, str) or any(
                e in self.accounted for e in (el, *el.iterancestors())
            ):
                continue
            if el not in self.taken:
                attrs = "".join(f" {k!s}='{v!s}'" for k, v in el.attrib.items())
                text = (el.text or "").strip()
                self.lost(el, f"<{el.tag}{attrs}>" + (f" {text!r}" if text else ""))
                continue
            for name, value in el.attrib.items():
                if (el, name) not in self.read_attrs:
                    where, line = self.at(el)
                    self.out.lost.append(
                        Change("not-carried", where, line, f"attribute {name!s}='{value!s}'")
                    )

    def _implicit_devices(
        self, r: etree._Element, devices: etree._Element | None, a: Answers
    ) -> None:
        """What libvirt does about devices the XML leaves out: it adds a virtio balloon
        when <memballoon> is absent (docs/rules.md 8b), and never adds an rng."""
        if a.rng.enabled is None:
            a.rng.enabled = False
        if a.memory.balloon is not None:
            return
        se = r.find("launchSecurity")
        if a.secure_execution.enabled and se is not None:
            self.finding(
                devices if devices is not None else r,
                "se-no-balloon-rng",
                "error",
                "no <memballoon> element, so libvirt adds a virtio balloon, which a secure "
                "guest cannot have: write <memballoon model='none'/>",
            )
            self.changed(
                "se-no-balloon-rng",
                se,
                "memballoon model none written (it was absent)",
                whole=False,
            )
            a.memory.balloon = False
        else:
            a.memory.balloon = True

    def _tunes(self, r: etree._Element, a: Answers) -> None:
        memtune = r.find("memtune")
        if memtune is not None:
            self.take(memtune)
            for key in ("hard_limit", "soft_limit", "swap_hard_limit"):
                el = memtune.find(key)
                mib = self.mib(el)
                if el is not None and mib is not None:
                    setattr(a.memory, f"{key}_mib", mib)
                    self.mark(f"memory.{key}_mib", el)
                elif el is not None:
                    what = self.unreadable_size(el, "memtune")
                    self.lost(el, f"<memtune><{key}> {what}")
            for el in memtune:
                if isinstance(el.tag, str) and el not in self.taken:
                    self.lost(el, f"<memtune><{el.tag}>")
        cputune = r.find("cputune")
        if cputune is None:
            return
        self.take(cputune)
        for pin in cputune.findall("vcpupin"):
            vcpu, cpuset = self.get(pin, "vcpu"), self.get(pin, "cpuset")
            if vcpu is not None and cpuset is not None:
                a.cpu.pinning[vcpu] = cpuset
                self.mark(f"cpu.pinning.{vcpu}", pin)
        emulator = cputune.find("emulatorpin")
        if emulator is not None and self.get(emulator, "cpuset"):
            a.cpu.emulator_pinning = self.get(emulator, "cpuset")
            self.mark("cpu.emulator_pinning", emulator)
        for pin in cputune.findall("iothreadpin"):
            thread, cpuset = self.get(pin, "iothread"), self.get(pin, "cpuset")
            if thread is not None and cpuset is not None:
                a.cpu.iothread_pinning[thread] = cpuset
                self.mark(f"cpu.iothread_pinning.{thread}", pin)
        for el in cputune:
            if isinstance(el.tag, str) and el not in self.taken:
                self.lost(el, f"<cputune><{el.tag}>")

    def _iothreads_keywrap(self, r: etree._Element, a: Answers) -> None:
        el = r.find("iothreads")
        if el is not None and self.text(el).isdigit():
            a.guest.iothreads = int(self.text(el))
            self.mark("guest.iothreads", el)
        elif el is not None:
            self.lost(el, f"<iothreads> '{self.text(el)}' (not a number)")
        wrap = r.find("keywrap")
        if wrap is None:
            return
        self.mark("keywrap", wrap)
        self.take(wrap)
        for cipher in wrap.findall("cipher"):
            name, state = self.get(cipher, "name"), self.get(cipher, "state")
            if name not in ("aes", "dea") or state not in ("on", "off"):
                self.lost(cipher, f"cipher name='{name}' state='{state}' (aes or dea, on or off)")
            elif getattr(a.keywrap, name) is not None:
                self.finding(
                    cipher,
                    "keywrap",
                    "error",
                    f'a second {name} cipher (libvirt: "A domain definition can have no more '
                    f'than one cipher node with name {name}")',
                )
                self.lost(cipher, f"a second {name} cipher")
            else:
                setattr(a.keywrap, name, state == "on")

    def _guest(self, r: etree._Element, a: Answers) -> None:
        g: Guest = a.guest
        dtype = self.get(r, "type", "kvm")
        g.domain_type = "qemu" if dtype == "qemu" else "kvm"
        if dtype not in ("kvm", "qemu"):
            self.changed("s390-machine", r, f"domain type {dtype} -> kvm", whole=False)
        for key in ("name", "uuid", "title", "description"):
            el = r.find(key)
            if el is not None and self.text(el):
                setattr(g, key, el.text if key == "description" else self.text(el))
                self.mark(f"guest.{key}", el)
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        info = xmlsafe.find_all(r, "metadata/l:libosinfo", **ns)
        self.take(*(el for i in info for el in i.iter()))  # the os id is carried as guest.os
        os_el = next(iter(xmlsafe.find_all(r, "metadata/l:libosinfo/l:os", **ns)), None)
        osid = self.get(os_el, "id")
        g.os = "other"
        self.out.os_known = osid is not None
        if osid:
            for short in ("rhel7", "rhel8", "rhel9"):
                if f"/rhel/{short[4:]}" in osid:
                    g.os = short
            if OSINFO_IDS.get(g.os) != osid and os_el is not None:  # kept as it is
                g.osinfo = osid
                self.mark("guest.osinfo", os_el)
        vcpu = r.find("vcpu")
        if vcpu is not None and not self.text(vcpu).isdigit():
            said = "libvirt: maximum vcpus count must be an integer"
            self.finding(vcpu, "vcpus", "error", f"vcpu {self.text(vcpu)!r}: {said}")
            self.changed("vcpus", vcpu, f"vcpu {self.text(vcpu)!r} -> {g.vcpus} ({said})")
        elif vcpu is not None:
            placement = self.get(vcpu, "placement")  # static is what zwizard writes
            if placement not in (None, "static"):
                what = f"vCPU placement {placement} (numad) -> static"
                self.changed("no-numa", vcpu, what, whole=False)
            g.vcpus = int(self.text(vcpu))
            self.mark("guest.vcpus", vcpu)
            current = self.get(vcpu, "current")
            if current is not None and current.isdigit():
                g.vcpus_current = int(current)
            elif current is not None:
                said = f"libvirt: invalid value for attribute 'current' of <vcpu>: {current!r}"
                self.finding(vcpu, "vcpus", "error", said)
                self.lost(vcpu, f"vCPUs online at start {current!r} ({said})", whole=False)
        mem = r.find("memory")
        if mem is not None:
            size = self.mib(mem)
            if size is None:
                what = self.unreadable_size(mem, "memory")
                self.changed("memory", mem, f"memory {what} -> {g.memory_mib} MiB")
            g.memory_mib = size or g.memory_mib
            self.mark("guest.memory_mib", mem)
            kib = self.kib(mem)
            if size is not None and kib is not None and kib % 1024:  # no whole MiB: kept
                g.memory_kib = kib
                self.mark("guest.memory_kib", mem)
        balloon_size = r.find("currentMemory")
        if balloon_size is not None and self.kib(balloon_size) != self.kib(mem):
            what = f"currentMemory {self.text(balloon_size)} (zwizard writes memory)"
            self.lost(balloon_size, what)
        for key in ("on_poweroff", "on_reboot", "on_crash"):
            el = r.find(key)
            if el is not None and self.text(el):
                setattr(g, key, self.text(el))
                self.mark(f"guest.{key}", el)

    def _os(self, r: etree._Element) -> None:
        os_ = r.find("os")
        if os_ is None:
            return
        t = os_.find("type")
        self.take(t)
        arch, machine = self.get(t, "arch"), self.get(t, "machine")
        problem = machine_problem(arch, machine) if t is not None else None
        if t is not None and problem is not None:
            self.finding(t, "s390-machine", "error", problem)
            self.changed(
                "s390-machine",
                t,
                f"arch {arch or '(none)'} machine {machine or '(none)'} -> "
                f"{S390_ARCH} {S390_MACHINE}",
            )
        elif t is not None and machine != S390_MACHINE:  # a versioned one: the guest's ABI
            self.out.answers.guest.machine = machine
            self.mark("guest.machine", t)
        for el in xmlsafe.find_all(os_, "loader | nvram"):
            self.never("uefi", el, f"<{el.tag}>")
        kernel = os_.find("kernel")
        if kernel is not None and self.text(kernel):
            a = self.out.answers
            a.kernel = Kernel(path=self.text(kernel))
            self.mark("kernel", kernel)
            for key in ("initrd", "cmdline"):
                part = os_.find(key)
                if part is not None and self.text(part):
                    setattr(a.kernel, key, part.text if key == "cmdline" else self.text(part))
                    self.mark(f"kernel.{key}", part)
        else:
            for el in xmlsafe.find_all(os_, "initrd | cmdline"):
                self.lost(el, f"<{el.tag}> without a <kernel> (QEMU uses it only with one)")
        for el in xmlsafe.find_all(os_, "bootmenu | bios | firmware"):
            self.never("x86-features", el, f"<os><{el.tag}>")

    def _features(self, r: etree._Element) -> None:
        features = r.find("features")
        if features is None:
            return
        self.take(features)  # each feature below is judged or listed on its own
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
        mode = self.get(cpu, "mode") or ("custom" if cpu.find("model") is not None else None)
        self.get(cpu, "match")  # libvirt's default; zwizard writes its own
        check = self.get(cpu, "check")
        if mode == "custom" and a.guest.domain_type == "qemu" and check in ("partial", "full"):
            # zwizard writes check='none' under TCG: the model is emulated, and libvirt's
            # check against the host CPU refuses it at start off IBM Z (docs/rules.md)
            what = f"CPU check {check} -> none (under emulation the model is QEMU's own)"
            self.changed("tcg-cpu", cpu, what, whole=False)
        model = cpu.find("model")
        if model is not None:
            self.get(model, "fallback")
        name = self.text(model) if model is not None else ""
        features = cpu.findall("feature")
        deprecated = self.get(cpu, "deprecated_features")  # libvirt 11.0 and later
        if deprecated in ("on", "off"):
            a.cpu.deprecated_features = deprecated == "on"
            self.mark("cpu.deprecated_features", cpu)
        if mode == "custom" and name == "qemu" and a.guest.domain_type == "qemu":
            # libvirt's dumpxml of a TCG guest names QEMU's default model: no <cpu> was asked
            self.mark("cpu.mode", cpu)
            return
        if mode == "custom" and name.endswith("-base") and features:
            # a running host-model guest's live XML: libvirt's expansion, not the user's
            a.cpu.mode = "host-model"
            self.mark("cpu.mode", cpu)
            self.take(*features)
            for f in features:
                self.get(f, "policy"), self.get(f, "name")
            self.finding(
                cpu,
                "cpu-migration",
                "note",
                (
                    f"{name} with {len(features)} features is libvirt's expansion of host-model "
                    "in a running guest's XML; read as host-model"
                ),
            )
            return
        if mode == "custom" and model is not None and name:
            a.cpu.mode, a.cpu.model = "custom", (model.text or "").strip()
            self.mark("cpu.mode", cpu)
            self.mark("cpu.model", model)  # carried: its other attributes are listed if unread
        elif mode:
            a.cpu.mode = mode
            self.mark("cpu.mode", cpu)
        numa = cpu.find("numa")
        if numa is not None:
            self.held("cpu.numa", numa)
            a.cpu.numa = True
        self._cpu_topology_features(cpu, a)
        for el in xmlsafe.find_all(r, "numatune"):
            self.held("cpu.numa", el)
            a.cpu.numa = True

    def _cpu_topology_features(self, cpu: etree._Element, a: Answers) -> None:
        topo = cpu.find("topology")
        if topo is not None:
            values = {
                k: self.get(topo, k) for k in ("sockets", "dies", "clusters", "cores", "threads")
            }
            ones = all(values[k] in (None, "1") for k in ("dies", "clusters", "threads"))
            if not self.s390:  # another machine's topology: IBM Z sockets/books differ
                what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
                self.lost(topo, f"<cpu><topology {what}> of an x86 guest")
            elif ones and all((values[k] or "").isdigit() for k in ("sockets", "cores")):
                a.cpu.sockets = int(values["sockets"] or 0)
                a.cpu.cores = int(values["cores"] or 0)
                self.mark("cpu.sockets", topo)
            else:  # more than one thread (x86) or die: s390x has neither
                what = " ".join(f"{k}={v}" for k, v in values.items() if v is not None)
                self.lost(topo, f"<cpu><topology {what}> (s390x: one thread per core, one die)")
        # features belong to the model they modify: an x86 guest's would name what QEMU
        # s390x does not have (those of a model convert replaces go with it there)
        carried = self.s390 and a.cpu.mode is not None
        for f in cpu.findall("feature"):
            name, policy = self.get(f, "name"), self.get(f, "policy") or "require"
            if (
                carried
                and policy == "disable"
                and name in DEPRECATED_CPU_FEATURES
                and a.cpu.deprecated_features is False
            ):
                # libvirt's own writing of deprecated_features='off': read as that
                self.take(f)
                continue
            if not carried:
                self.lost(f, f"<cpu><feature name='{name}'> of x86 CPU model")
            elif name and policy in FEATURE_POLICIES:
                if name in a.cpu.features:
                    self.finding(
                        f,
                        "cpu-features",
                        "error",
                        f"CPU feature '{name}' twice (libvirt: \"CPU feature '{name}' specified "
                        'more than once")',
                    )
                a.cpu.features[name] = cast(FeaturePolicy, policy)
                self.mark(f"cpu.features.{name}", f)
            else:
                self.lost(f, f"<cpu><feature name='{name}' policy='{policy}'>")
        for el in cpu.findall("cache"):
            self.lost(el, "<cpu><cache>")

    def _memory(self, r: etree._Element, a: Answers) -> None:
        mm = r.find("maxMemory")
        if mm is not None:
            self.held("memory.hotplug", mm)
            a.memory.hotplug = True
        mb = r.find("memoryBacking")
        if mb is not None:
            self.take(mb)
            for key in ("hugepages", "nosharepages", "locked"):
                el = mb.find(key)
                if el is not None and (key != "hugepages" or not len(el)):
                    self.take(el)
                    setattr(a.memory, key, True)
                    self.mark(f"memory.{key}", el)
            virtiofs = xmlsafe.find_all(self.root, "devices/filesystem/driver[@type='virtiofs']")
            for el in xmlsafe.find_all(mb, "source[@type='memfd'] | access[@mode='shared']"):
                if virtiofs:  # what virtiofs needs: written again with the shares
                    self.take(el)
                    self.get(el, "type"), self.get(el, "mode")
            for el in mb:
                if isinstance(el.tag, str) and el not in self.taken:
                    if el.tag == "hugepages":  # <page size=…>: the host's default size is used
                        a.memory.hugepages = True
                        self.take(el)
                        self.mark("memory.hugepages", el)
                        for page in el:
                            self.lost(
                                page, "a huge page size (KVM on IBM Z backs with 1 MiB pages)"
                            )
                    else:
                        self.lost(el, f"<memoryBacking><{el.tag}>")

    def _clock(self, r: etree._Element, a: Answers) -> None:
        clock = r.find("clock")
        if clock is None:
            return
        offset = self.get(clock, "offset", "utc")
        a.clock.offset = cast(ClockOffset, offset) if offset in CLOCK_OFFSETS else "utc"
        if offset not in CLOCK_OFFSETS:
            self.changed("no-kvmclock", clock, f"clock offset {offset} -> utc", whole=False)
        for timer in clock.findall("timer"):
            a.clock.timers.append(self.get(timer, "name") or "?")
            self.held(f"clock.timers[{len(a.clock.timers) - 1}]", timer)

    # -- devices ------------------------------------------------------------------------

    def address(self, el: etree._Element, path: str) -> str | None:
        """ccw bus-id of a device, or a finding for a PCI/USB/drive address.

        libvirt reads the three ccw numbers with base 0 (0xfe, 254 and 0376 are one cssid)
        and assigns all three when none is given; a partial address it refuses."""
        addr = el.find("address")
        if addr is None:
            return None
        kind = self.get(addr, "type")
        if kind == "ccw":
            raw = [self.get(addr, k) for k in ("cssid", "ssid", "devno")]
            if all(v is None for v in raw):
                return None  # libvirt assigns it, as zwizard does
            busid = ccw_from_attributes(*raw)
            if busid is None:
                self.finding(
                    addr,
                    "ccw-address",
                    "error",
                    (
                        "a ccw address needs all of cssid, ssid and devno, as numbers "
                        f"(found cssid={raw[0]!r} ssid={raw[1]!r} devno={raw[2]!r})"
                    ),
                )
            return busid
        if kind == "drive":  # a SCSI disk's place on its controller, derived from its target
            self.changed("ccw-address", addr, "drive address dropped: derived from the target")
            return None
        if kind in ("pci", "usb", "virtio-mmio", "isa", "spapr-vio"):
            self.never(
                "virtio-pci" if kind == "pci" else "usb" if kind == "usb" else "virtio-pci",
                addr,
                f"{kind} address",
            )
        return None

    def _device(self, el: etree._Element, a: Answers) -> None:
        tag = el.tag
        kind = BY_TAG.get(tag)
        if kind is not None:  # a listed device kind reads its own element
            entries = getattr(a, kind.key)
            path = f"{kind.key}[{len(entries)}]"
            item = kind.read(self, el, path)
            if item is not None:
                entries.append(item)
                self.mark(path, el)
            return
        handler = {
            "watchdog": self._watchdog,
            "memballoon": self._balloon,
            "rng": self._rng,
            "controller": self._controller,
            "input": self._input,
            "graphics": self._graphics,
            "video": self._video,
            "sound": self._sound,
            "console": self._console,
            "serial": self._console,
            "panic": self._panic,
            "vsock": self._vsock,
        }.get(tag)
        if handler:
            handler(el, a)
        elif tag == "emulator":
            self.changed(
                "s390-machine", el, f"emulator {self.text(el)} dropped: libvirt picks the host's"
            )
        elif tag == "audio" and el.get("type") == "none" and len(el) == 0:
            # libvirt's own: it adds <audio type='none'/> to a guest without sound and
            # does again at define (libvirt 9.0, seen in dumpxml of every zwizard guest)
            self.get(el, "type")
            self.get(el, "id")
        elif tag == "parallel":
            self.never("parallel", el, "parallel port")
        elif tag == "redirdev" or tag == "smartcard":
            self.never("usb", el, f"<{tag}>")
        else:
            self.lost(el, f"<{tag}> device")

    def _console(self, el: etree._Element, a: Answers) -> None:
        """The first console is the SCLP console zwizard writes; x86 serial ports are not
        on IBM Z; a further console (sclplm, the line-mode one) is listed, never dropped.
        libvirt's serial form of the same devices (<serial> with target sclp-serial and
        model sclpconsole or sclplmconsole, and the <console target type='serial'> it
        adds beside the first) is kept as console.serial."""
        target = el.find("target")
        ttype = self.get(target, "type") if target is not None else None
        if el.tag == "serial" and ttype in ("isa-serial", "pci-serial", "usb-serial", "isa"):
            self.never("virtio-pci", el, f"{ttype} serial port")
            return
        model = target.find("model") if target is not None else None
        sclp_model = self.get(model, "name") if model is not None else None
        serial_form = el.tag == "serial" and ttype in ("sclp-serial", None)
        if el.tag == "console" and ttype == "serial" and a.console.serial:
            self.get(el, "type")  # libvirt's alias of the first <serial>: written with it
            self.take(target)
            self.get(target, "port")
            log = el.find("log")  # libvirt copies the serial's log here
            if log is not None:
                self.get(log, "file"), self.get(log, "append")
            return
        self.consoles += 1
        if self.consoles > 1:
            line_mode = ttype == "sclplm" or (serial_form and sclp_model == "sclplmconsole")
            if line_mode and not a.console.line_mode and serial_form == a.console.serial:
                a.console.line_mode = True
                self.mark("console.line_mode", el)
                self.get(el, "type")
                self.take(target, model)
                self.get(target, "port")
                return
            self.lost(el, f"a further <{el.tag}> (target {ttype or 'default'})")
            return
        self.get(el, "type")
        self.take(target)
        if serial_form and sclp_model in ("sclpconsole", None):
            a.console.serial = True
            self.mark("console.serial", el)
            self.take(model)
        log = el.find("log")
        if log is not None and self.get(log, "file"):
            a.console.log = self.get(log, "file")
            a.console.log_append = self.get(log, "append") == "on"
            self.mark("console.log", log)
        if target is not None:
            self.get(target, "port")
        if ttype not in ("sclp", "sclp-serial", None):
            self.changed("ccw-only", el, f"<{el.tag}> target {ttype} -> SCLP console", whole=False)
        elif self.get(el, "type") != "pty":
            self.changed(
                "ccw-only", el, f"<{el.tag}> type {self.get(el, 'type')} -> pty", whole=False
            )

    def _panic(self, el: etree._Element, a: Answers) -> None:
        self.out.panic = True
        model = self.get(el, "model")
        if model not in (None, "s390"):
            self.changed("s390-machine", el, f"panic model {model} -> s390", whole=False)
        addr = el.find("address")
        if addr is not None and model in (None, "s390"):
            self.finding(
                addr,
                "ccw-address",
                "error",
                (
                    "the s390 panic device has no address (libvirt: setting the panic device "
                    "address is not supported for model 's390')"
                ),
            )
            self.changed("ccw-address", addr, "dropped the panic device's address")

    def _vsock(self, el: etree._Element, a: Answers) -> None:
        cid = el.find("cid")
        auto, address = self.get(cid, "auto"), self.get(cid, "address")
        if self.get(el, "model") not in ("virtio", None) or a.vsock is not None:
            self.lost(el, "a vsock (one virtio vsock is carried)")
            return
        number = address if auto != "yes" and address is not None and address.isdigit() else None
        a.vsock = Vsock(cid=int(number) if number is not None else None)
        self.take(cid)
        self.mark("vsock", el)
        self._placed(el, "vsock")

    def boot(self, el: etree._Element, dev: Any, path: str) -> None:
        boot = el.find("boot")
        if boot is not None and (self.get(boot, "order") or "").lstrip("-").isdigit():
            dev.boot_order = int(self.get(boot, "order") or 0)
            dev.loadparm = self.get(boot, "loadparm")
            self.mark(f"{path}.boot_order", boot)
            self.mark(f"{path}.loadparm", boot)

    def _watchdog(self, el: etree._Element, a: Answers) -> None:
        action = self.get(el, "action", "reset")
        wd = Watchdog(
            action=cast(WatchdogAction, action) if action in WATCHDOG_ACTIONS else "reset"
        )
        if action not in WATCHDOG_ACTIONS:  # libvirt: "unknown watchdog action"
            known = ", ".join(WATCHDOG_ACTIONS)
            why = f"libvirt knows no watchdog action '{action}' (only {known})"
            self.finding(el, "watchdog-diag288", "error", why)
            what = f"watchdog action {action} -> reset ({known})"
            self.changed("watchdog-diag288", el, what, whole=False)
        wd.model = self.get(el, "model") or ""
        a.watchdog = wd
        self.mark("watchdog", el)
        self.mark("watchdog.model", el)

    def _balloon(self, el: etree._Element, a: Answers) -> None:
        model = self.get(el, "model")
        a.memory.balloon = model != "none"
        self.mark("memory.balloon", el)
        deflate = self.get(el, "autodeflate")
        if deflate in ("on", "off"):
            a.memory.balloon_autodeflate = deflate == "on"
        stats = el.find("stats")
        period = self.get(stats, "period")
        if stats is not None and period is not None and period.isdigit():
            a.memory.balloon_stats_period = int(period)
            self.mark("memory.balloon_stats_period", stats)
        if model not in ("virtio", "none"):
            self.changed("ccw-only", el, f"memballoon {model} -> virtio", whole=False)
        self._placed(el, "memballoon")

    def _rng(self, el: etree._Element, a: Answers) -> None:
        a.rng.enabled = True
        self.mark("rng.enabled", el)
        self.get(el, "model")
        backend = el.find("backend")
        if backend is not None:
            self.get(backend, "model")
            source = self.text(backend)
            if source not in ("/dev/urandom", ""):
                self.changed("ccw-only", backend, f"rng source {source} -> /dev/urandom")
        self._placed(el, "rng")

    def _placed(self, el: etree._Element, key: str) -> None:
        """The stated ccw address of a device without an answers list of its own (balloon,
        rng, controllers, video, inputs): carried as addresses[key], its key in Plan.ccw."""
        busid = self.address(el, el.tag)
        if busid is not None:
            self.out.answers.addresses[key] = busid
            address = el.find("address")  # an element with no children is falsy: compare
            self.mark(f"addresses.{key}", address if address is not None else el)

    def _controller(self, el: etree._Element, a: Answers) -> None:
        ctype, model = self.get(el, "type"), self.get(el, "model")
        self.get(el, "index")
        if ctype == "usb" and model != "none":
            self.never("usb", el, f"USB controller {model or ''}".rstrip())
        elif ctype == "usb":
            self.changed("ccw-only", el, "USB controller model none: nothing to write")
        elif ctype == "pci":
            if model not in ("pci-root",):
                self.never("pci-controller", el, f"PCI controller {model}")
            else:
                self.changed("ccw-only", el, "pci-root controller: libvirt adds what it needs")
        elif ctype in ("sata", "ide", "fdc"):
            self.never("virtio-pci", el, f"{ctype} controller")
        elif ctype == "scsi" and model not in (None, "virtio-scsi"):
            self.never("virtio-pci", el, f"SCSI controller {model}")
        else:
            key = {"scsi": SCSI_CONTROLLER, "virtio-serial": CONTROLLER}.get(ctype or "")
            if key is None:
                self.lost(el, f"a {ctype} controller")
            elif key not in self.out.controllers:
                self.out.controllers[key] = self.at(el)
                self._placed(el, key)
            else:  # a second controller of a type: zwizard writes one
                self.lost(el, f"a further {ctype} controller (index {self.get(el, 'index')})")

    def _vnc(self) -> etree._Element | None:
        """The VNC display the answers carry as [graphics] (the first one)."""
        return next(iter(xmlsafe.find_all(self.root, "devices/graphics[@type='vnc']")), None)

    def _has_vnc(self) -> bool:
        return self._vnc() is not None

    def _input(self, el: etree._Element, a: Answers) -> None:
        bus = self.get(el, "bus")
        kind = self.get(el, "type")
        if bus in ("usb", "ps2", None):
            # libvirt puts an input without bus on USB except on x86, and USB is off on s390x
            on = bus or "no bus (USB, as libvirt places it)"
            never = "usb" if bus != "ps2" else "ps2"
            if kind in ("keyboard", "mouse", "tablet") and self._vnc() is not None:
                # beside a VNC display the input is kept, on the bus IBM Z has: dropped, the
                # display would take no key and no pointer
                rule, reason = NEVER_AVAILABLE[never]
                where, line = self.at(el)
                self.out.lines[where] = line
                self.out.findings.append(
                    Finding(rule, "error", where, f"{kind} input on {on}: {reason}")
                )
                if self._pointer(el, kind, a, carried=False):
                    self.out.changes.append(
                        Change(rule, where, line, f"{kind} input on {on} -> virtio-{kind}-ccw")
                    )
                return
            self.never(never, el, f"{kind} input on {on}")
        elif (
            bus == "virtio" and kind in ("keyboard", "mouse", "tablet") and self._vnc() is not None
        ):
            self._pointer(el, kind, a, carried=True)
        else:
            self._console_note(el, f"{kind} input on {bus}")

    def _pointer(self, el: etree._Element, kind: str, a: Answers, *, carried: bool) -> bool:
        """A keyboard, mouse or tablet beside the VNC display, part of [graphics]: one
        keyboard and one pointer (a mouse or a tablet). False when one is there already."""
        key = "keyboard" if kind == "keyboard" else "mouse"  # the pointer: mouse or tablet
        if key in self.pointers:
            self.lost(el, f"a further {kind} (zwizard writes one keyboard and pointer)")
            return False
        self.pointers.add(key)
        if kind == "tablet":
            a.graphics.tablet = True
            self.mark("graphics.tablet", el)
        if carried:
            self.take(*el.iter())  # written again with [graphics], as it was
            self._placed(el, key)
        else:  # written again as the virtio one, said as a change; its USB address goes
            self.accounted.add(el)
        return True

    def _graphics(self, el: etree._Element, a: Answers) -> None:
        kind = self.get(el, "type")
        vnc = self._vnc()
        if kind != "vnc" or vnc is None or el is not vnc:
            self._console_note(el, f"{kind} graphics")
            return
        a.graphics.vnc = True
        self.mark("graphics.vnc", el)
        pointers = [
            i for i in self.root.findall("devices/input")
            if i.get("bus") in ("virtio", "usb", "ps2", None)
            and i.get("type") in ("keyboard", "mouse", "tablet")
        ]  # fmt: skip
        a.graphics.inputs = bool(pointers)  # none stated: none written
        self.get(el, "port"), self.get(el, "autoport")  # zwizard lets libvirt pick the port
        listen = el.find("listen")
        attr, child = self.get(el, "listen"), self.get(listen, "address")
        address = attr or child
        if listen is not None:
            self.get(listen, "type")  # read (so carried): zwizard writes the address
        a.graphics.listen = address or ""  # none stated: libvirt's own default, kept so
        for name in ("passwd", "keymap", "sharePolicy", "passwdValidTo", "connected"):
            if el.get(name) is not None:
                self.lost(el, f"attribute {name} of the VNC display", whole=False)

    def _video(self, el: etree._Element, a: Answers) -> None:
        model = el.find("model")
        mtype = self.get(model, "type") if model is not None else None
        if mtype not in ("virtio", "none", None):  # libvirt's default on s390x is virtio
            self.never("video", el, f"{mtype} video")
        elif mtype != "none" and self._has_vnc():
            self.take(*el.iter())  # virtio-gpu-ccw of [graphics]: graphics.videos of them
            self.videos += 1
            a.graphics.videos = self.videos
            self.mark("graphics.videos", el)
            for attr in ("heads", "primary"):
                self.get(model, attr)
            self._placed(el, "video" if self.videos == 1 else f"video{self.videos}")
        else:
            self._console_note(el, f"{mtype or 'default (virtio)'} video")

    def _console_note(self, el: etree._Element, what: str) -> None:
        """VNC with virtio-gpu-ccw and virtio input work on s390x (libvirt 9.0, QEMU 7.2):
        convert carries one VNC display as [graphics]; the rest is a note and listed."""
        rule, reason = NEVER_AVAILABLE["graphical-console"]
        self.finding(el, rule, "note", f"{what}: {reason}")
        self.lost(el, what)

    def _sound(self, el: etree._Element, a: Answers) -> None:
        self.never("sound", el, f"{self.get(el, 'model')} sound card")

    def _boot_dev(self, r: etree._Element, a: Answers) -> None:
        boots = r.findall("os/boot")
        if not boots:
            return
        for el in boots:
            self.never("os-boot-dev", el, f"<boot dev='{self.get(el, 'dev')}'>")
            self.out.boot_devs.append((self.get(el, "dev") or "", *self.at(el)))


@record
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
    """Every IBM Z finding about an existing domain XML, placed at its element.

    Messages speak the document's language: an answers path such as `disks[1]` inside
    a message becomes the element's XPath (1-based, as the reader sees it)."""
    from zwizard.rules import check

    imported = import_domain(data, source)
    lines = {where: line for where, line in imported.where.values()}
    located = [
        Located(f, f.path, lines.get(f.path, imported.lines.get(f.path))) for f in imported.findings
    ]

    def xpath_of(match: re.Match[str]) -> str:
        return imported.locate(match.group(0))[0]

    for f in check(imported.answers):
        if f.rule == "guest-os" and not imported.os_known:
            continue  # no libosinfo metadata: nothing to judge
        xpath, line = imported.locate(f.path)
        message = _ANSWERS_PATH.sub(xpath_of, f.message)
        located.append(Located(Finding(f.rule, f.severity, f.path, message), xpath, line))
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(located, key=lambda x: (order[x.finding.severity], x.line or 0))


_ANSWERS_PATH = Pattern(r"\b(?:" + "|".join(k.key for k in KINDS) + r")\[\d+\]")


def import_domain(data: bytes, source: str = "<xml>") -> Imported:
    """Read a domain XML as it is (conversion.convert_domain brings it onto IBM Z)."""
    root = parse_xml(data, source)
    return _Importer(root).run()

"""What the answers resolve to: addresses, boot order, MACs, defaults.

Rules and renderers both read this, so the address the summary shows, the one
the rules check for collisions and the one written to the XML are the same.
Resolution never fails: values that do not parse are left out here and
reported by `rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zwizard.address import VIRTUAL_CSSID, Ccw, parse_ccw
from zwizard.inputs import StaticIp, parse_dracut_ip, split_cidr
from zwizard.model import Answers, Pxe


@dataclass
class Plan:
    """The concrete guest the answers describe."""

    cpu_mode: str | None  # None: no <cpu> element (QEMU's `qemu` model under TCG)
    balloon: bool
    rng: bool
    ccw: dict[str, Ccw] = field(default_factory=dict)  # device path -> address
    boot: dict[str, int] = field(default_factory=dict)  # device path -> boot order
    boot_assigned: bool = False  # True when no order was given and the plan chose one
    macs: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # disk target dev per disk
    scsi_controller: str | None = None  # key in `ccw` of the virtio-scsi controller
    zpci: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (uid, fid)
    zpci_assigned: set[str] = field(default_factory=set)  # paths whose ids the plan chose
    static_ip: StaticIp | None = None  # pxe.ip static or dracut's form, resolved
    static_problem: str | None = None  # why the static address could not be resolved

    @property
    def first_boot(self) -> str | None:
        """Path of the device that boots first (its loadparm is the one libvirt uses)."""
        return min(self.boot, key=self.boot.__getitem__) if self.boot else None

    def boot_nic(self) -> int | None:
        """Index of the NIC with the lowest boot order: the one that netboots."""
        nics = [(order, path) for path, order in self.boot.items() if path.startswith("nics[")]
        return int(min(nics)[1][5:-1]) if nics else None


def parse_int(value: object) -> int | None:
    """An id written as 0x-hex string, decimal string or integer (zPCI uid/fid)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.lower()  # the whole value, as written: no blanks, no `_` separators
    if re.fullmatch(r"0x[0-9a-f]+", text):
        return int(text, 16)
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


def default_cpu_mode(answers: Answers) -> str | None:
    if answers.cpu.mode:
        return answers.cpu.mode
    # host-model is refused under TCG; there QEMU's default model needs no <cpu>.
    return "host-model" if answers.guest.domain_type == "kvm" else None


def derived_mac(uuid: str, index: int) -> str:
    """A stable locally administered MAC in QEMU's 52:54:00 range, from the guest UUID."""
    try:  # CPython's own SHA-256: hashlib would load OpenSSL first (4 ms of a 60 ms run)
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:  # other interpreters; Python 3.12 renamed the module
        from hashlib import sha256

    digest = sha256(f"{uuid.lower()}/{index}".encode()).digest()
    return "52:54:00:" + ":".join(f"{b:02x}" for b in digest[:3])


def ccw_devices(answers: Answers) -> list[tuple[str, str | None]]:
    """Every device that lives on the channel subsystem, in assignment order."""
    devices: list[tuple[str, str | None]] = []
    has_scsi = False
    for i, disk in enumerate(answers.disks):
        if disk.device == "cdrom" or disk.bus == "scsi":
            has_scsi = True
        else:
            devices.append((f"disks[{i}]", disk.ccw))
    if has_scsi:
        devices.append(("scsi-controller", None))
    devices += [(f"nics[{i}]", nic.ccw) for i, nic in enumerate(answers.nics)]
    devices += [
        (f"passthrough[{i}]", dev.ccw)
        for i, dev in enumerate(answers.passthrough)
        if dev.type == "vfio-ccw"
    ]
    return devices


def make_plan(answers: Answers) -> Plan:
    se = answers.secure_execution.enabled
    balloon = answers.memory.balloon if answers.memory.balloon is not None else not se
    rng = answers.rng.enabled if answers.rng.enabled is not None else not se
    plan = Plan(cpu_mode=default_cpu_mode(answers), balloon=balloon, rng=rng)

    devices = ccw_devices(answers)
    if balloon:
        devices.append(("memballoon", None))
    if rng:
        devices.append(("rng", None))
    # Given addresses are reserved first, so an assigned one never collides.
    taken: set[Ccw] = set()
    for path, text in devices:
        addr = parse_ccw(text) if isinstance(text, str) else None
        if addr:
            plan.ccw[path] = addr
            taken.add(addr)
    devno = 0
    for path, text in devices:
        if path in plan.ccw or (isinstance(text, str) and text.strip()):
            continue  # given (perhaps unparsable: rules report that)
        while Ccw(VIRTUAL_CSSID, 0, devno) in taken:
            devno += 1
        plan.ccw[path] = Ccw(VIRTUAL_CSSID, 0, devno)
        taken.add(plan.ccw[path])
    if any(d.device == "cdrom" or d.bus == "scsi" for d in answers.disks):
        plan.scsi_controller = "scsi-controller"

    bootable = [(f"disks[{i}]", d.boot_order) for i, d in enumerate(answers.disks)]
    bootable += [(f"nics[{i}]", n.boot_order) for i, n in enumerate(answers.nics)]
    bootable += [(f"passthrough[{i}]", p.boot_order) for i, p in enumerate(answers.passthrough)]
    for path, order in bootable:
        if isinstance(order, int) and not isinstance(order, bool):
            plan.boot[path] = order
    if not plan.boot:
        # libvirt would silently add <os><boot dev='hd'/>; IBM Z wants per-device order.
        first: list[str] = []
        if answers.pxe.enabled and answers.nics:
            first.append("nics[0]")
        if answers.disks:
            first.append("disks[0]")
        else:
            first += [
                f"passthrough[{i}]"
                for i, p in enumerate(answers.passthrough)
                if p.type == "vfio-ccw"
            ][:1]
        plan.boot = {path: n for n, path in enumerate(first, start=1)}
        plan.boot_assigned = bool(first)

    _assign_zpci(answers, plan)
    if answers.pxe.enabled:
        plan.static_ip, plan.static_problem = resolve_static_ip(answers.pxe)

    uuid = answers.guest.uuid or ""
    plan.macs = [nic.mac or derived_mac(uuid, i) for i, nic in enumerate(answers.nics)]

    given = {d.target for d in answers.disks if d.target}
    counters = {"vd": 0, "sd": 0}
    for disk in answers.disks:
        if disk.target:
            plan.targets.append(disk.target)
            continue
        prefix = "sd" if disk.device == "cdrom" or disk.bus == "scsi" else "vd"
        while True:
            name = prefix + _disk_letters(counters[prefix])
            counters[prefix] += 1
            if name not in given:
                break
        plan.targets.append(name)
    return plan


def _disk_letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the kernel's naming of virtio/scsi disks."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def interface_name(addr: Ccw) -> str:
    """The name systemd gives a virtio-net-ccw NIC in the guest (udev-builtin-net_id.c,
    names_ccw): `enc` + the bus-id with leading '0' and '.' stripped, keeping one digit.
    The guest sees virtual channel subsystem fe as css 0: 0.0.0600 -> enc600,
    0.1.0a00 -> enc1.0a00."""
    busid = f"0.{addr.ssid:x}.{addr.devno:04x}"
    stripped = busid.lstrip("0.")
    return "enc" + (stripped or "0")


def _assign_zpci(answers: Answers, plan: Plan) -> None:
    """zPCI ids of PCI passthrough: given ones first, then, as libvirt does, the lowest
    free uid from 1 and fid from 0 (docs/rules.md, section 8b)."""
    pci = [(f"passthrough[{i}]", p) for i, p in enumerate(answers.passthrough) if p.type == "pci"]
    given_uids = {u for _, p in pci if p.zpci and (u := parse_int(p.zpci.uid)) is not None}
    given_fids = {f for _, p in pci if p.zpci and (f := parse_int(p.zpci.fid)) is not None}
    for path, dev in pci:
        u = parse_int(dev.zpci.uid) if dev.zpci else None
        f = parse_int(dev.zpci.fid) if dev.zpci else None
        raw_u = dev.zpci.uid if dev.zpci else None
        raw_f = dev.zpci.fid if dev.zpci else None
        if (raw_u not in (None, "") and u is None) or (raw_f not in (None, "") and f is None):
            continue  # given but unreadable: rules say so
        if u is None or f is None:
            plan.zpci_assigned.add(path)
        u = _lowest_free(given_uids, 1) if u is None else u
        f = _lowest_free(given_fids, 0) if f is None else f
        plan.zpci[path] = (u, f)


def _lowest_free(taken: set[int], start: int) -> int:
    """The lowest id from `start` not in `taken`, which it then joins."""
    value = start
    while value in taken:
        value += 1
    taken.add(value)
    return value


def resolve_static_ip(pxe: Pxe) -> tuple[StaticIp | None, str | None]:
    """The static address PXE writes: from pxe.ip in dracut's own form, or from the
    address/netmask/gateway keys (the address may carry a /prefix)."""
    if pxe.ip not in ("static",) and ":" not in pxe.ip:
        return None, None
    if pxe.ip != "static":
        parsed = parse_dracut_ip(pxe.ip)
        if isinstance(parsed, str):
            return None, parsed
        given = [k for k in ("address", "netmask", "gateway") if getattr(pxe, k) is not None]
        if given:
            return None, (
                f"pxe.ip is in dracut's form, which holds the address already; "
                f"leave out {', '.join('pxe.' + k for k in given)}"
            )
        return parsed, None
    address, netmask = pxe.address, pxe.netmask
    if address is not None and "/" in address:
        cidr = split_cidr(address)
        if cidr is None or cidr[1] is None:
            return None, f"'{address}': the prefix after / must be 0-32"
        address, from_prefix = cidr
        if netmask is not None and netmask != from_prefix:
            return None, (
                f"pxe.address '{pxe.address}' means netmask {from_prefix}, "
                f"but pxe.netmask is {netmask}; give one of them"
            )
        netmask = from_prefix
    return StaticIp(address, pxe.gateway, netmask, pxe.hostname, pxe.interface), None

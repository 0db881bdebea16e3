"""What the answers resolve to: addresses, boot order, MACs, defaults.

Rules and renderers both read this, so the address the summary shows, the one
the rules check for collisions and the one written to the XML are the same.
Resolution never fails: values that do not parse are left out here and
reported by `rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zwizard.model import Answers

VIRTUAL_CSSID = 0xFE  # the channel subsystem of virtio-ccw devices
_BUSID = re.compile(
    r"^(?:0x)?(?P<cssid>[0-9a-f]{1,2})\.(?:0x)?(?P<ssid>[0-9a-f])\.(?:0x)?(?P<devno>[0-9a-f]{1,4})$",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Ccw:
    """A channel subsystem address of a device."""

    cssid: int
    ssid: int
    devno: int

    @property
    def busid(self) -> str:
        return f"{self.cssid:x}.{self.ssid:x}.{self.devno:04x}"


def parse_ccw(text: str) -> Ccw | None:
    """`fe.0.0001` (as Linux writes bus-ids; `0x` prefixes tolerated) -> Ccw."""
    match = _BUSID.match(text.strip())
    if not match:
        return None
    return Ccw(*(int(match[g], 16) for g in ("cssid", "ssid", "devno")))


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
    text = str(value).strip().lower()
    try:
        return int(text, 16) if text.startswith("0x") else int(text)
    except ValueError:
        return None


def default_cpu_mode(answers: Answers) -> str | None:
    if answers.cpu.mode:
        return answers.cpu.mode
    # host-model is refused under TCG; there QEMU's default model needs no <cpu>.
    return "host-model" if answers.guest.domain_type == "kvm" else None


def derived_mac(uuid: str, index: int) -> str:
    """A stable locally administered MAC in QEMU's 52:54:00 range, from the guest UUID."""
    import hashlib  # only guests with NICs and no MAC need it

    digest = hashlib.sha256(f"{uuid.lower()}/{index}".encode()).digest()
    return "52:54:00:" + ":".join(f"{b:02x}" for b in digest[:3])


def is_cdrom(answers: Answers, index: int) -> bool:
    return answers.disks[index].device == "cdrom"


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
    """Predictable name RHEL gives a virtio-net-ccw NIC: enc<devno in hex>."""
    return f"enc{addr.devno:x}"

"""Where a disk sits and what it is called: its target name, the SCSI drive address
libvirt gives it or the one a converted guest states, a storage pool's volume. The disk's
XML (disk.py) and its rules (disk_rules.py) both read these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.lazy import Pattern

if TYPE_CHECKING:
    from zwizard.model import Answers, Disk

SCSI_CONTROLLER = "scsi-controller"  # controller 0's key in Plan.ccw; 1 on: scsi-controller1 …
# libvirt src/util/virutil.c virDiskNameParse: a known prefix and letters; libvirt needs it
# to name the device and, for SCSI, to derive its drive address (there is no ccw one)
DISK_TARGET = Pattern(r"(fd|hd|vd|sd|xvd|ubd)[a-z]+")
# A SCSI disk's <address type='drive'>, in the order the answers key writes them
DRIVE_PARTS = ("controller", "bus", "target", "unit")
DRIVE = Pattern(r"(\d{1,5}):(\d{1,5}):(\d{1,5}):(\d{1,5})")
# libvirt's schema takes a disk's drive target as one or two digits (domaincommon.rng
# driveTarget; 255 fails define --validate, seen); virtio-scsi's LUNs end at 16383
# (hw/scsi/virtio-scsi.c VIRTIO_SCSI_MAX_LUN); a virtio-scsi controller has one bus, 0
# (libvirt 9.0: "SCSI controller only supports 1 bus", seen)
DRIVE_MAX_TARGET = 99
DRIVE_MAX_UNIT = 16383
# libvirt's place for a SCSI disk without one (virDomainDiskDefAssignAddress, a narrow
# bus): 7 units per controller, sda-sdg on controller 0, sdh on controller 1 unit 0; it
# adds every controller up to the highest one a disk names (libvirt 9.0, seen)
UNITS_PER_CONTROLLER = 7
# each controller is a ccw device of its own; libvirt sets no bound, zwizard does so that
# a typo (controller 9999) cannot make thousands of them
MAX_SCSI_CONTROLLERS = 256


def drive_address(text: str) -> tuple[int, int, int, int] | None:
    """controller:bus:target:unit as four numbers, or None when it is not that form."""
    found = DRIVE.fullmatch(text.strip())
    if found is None:
        return None
    controller, bus, target, unit = (int(n) for n in found.groups())
    return controller, bus, target, unit


def scsi_place(disk: Disk, target: str) -> tuple[int, int, int, int]:
    """Where a SCSI disk sits: its stated drive address, or the one libvirt derives from
    its target's letters."""
    stated = drive_address(disk.drive) if disk.drive is not None else None
    if stated is not None:
        return stated
    controller, unit = divmod(max(target_index(target), 0), UNITS_PER_CONTROLLER)
    return controller, 0, 0, unit


def scsi_controller_key(index: int) -> str:
    """A SCSI controller's key in Plan.ccw and answers.addresses."""
    return SCSI_CONTROLLER if index == 0 else f"{SCSI_CONTROLLER}{index}"


def scsi_controller_index(key: str) -> int | None:
    """The index of a SCSI controller's key, or None for another key."""
    rest = key.removeprefix(SCSI_CONTROLLER)
    if rest == key:
        return None
    return 0 if rest == "" else int(rest) if rest.isdigit() and rest[0] != "0" else None


def scsi_controllers(answers: Answers, targets: list[str] | None = None) -> list[str]:
    """The keys of the SCSI controllers the guest has, in index order: every index up to
    the highest a SCSI disk or SCSI passthrough device sits on or the answers state an
    address for (libvirt adds each one below it too)."""
    highest = -1
    used: set[tuple[int, int]] = set()  # (controller, unit) at bus 0, target 0
    for i, disk in enumerate(answers.disks):
        if on_scsi(disk):
            target = targets[i] if targets is not None and i < len(targets) else disk.target
            controller, bus, drive_target, unit = scsi_place(disk, target or "")
            highest = max(highest, controller)
            if (bus, drive_target) == (0, 0):
                used.add((controller, unit))
    # a SCSI hostdev gets the first free unit below 7 from controller 0 on, the disks'
    # places taken first (virDomainHostdevAssignAddress, virDomainControllerSCSINextUnit)
    scsi = [dev for dev in answers.passthrough if dev.type == "scsi"]
    for dev in scsi:  # the places converted guests state are taken before any is given
        place = drive_address(dev.drive) if dev.drive is not None else None
        if place is not None:
            highest = max(highest, place[0])
            if place[1:3] == (0, 0):
                used.add((place[0], place[3]))
    for dev in scsi:
        if dev.drive is not None:
            continue
        controller = 0
        while all((controller, unit) in used for unit in range(UNITS_PER_CONTROLLER)):
            controller += 1
        unit = next(u for u in range(UNITS_PER_CONTROLLER) if (controller, u) not in used)
        used.add((controller, unit))
        highest = max(highest, controller)
    for key in answers.addresses:
        index = scsi_controller_index(key)
        highest = max(highest, index if index is not None else -1)
    for stated in answers.scsi_controllers:  # a converted guest's, with its own settings
        if isinstance(stated.index, int) and highest >= 0:
            highest = max(highest, stated.index)
    return [scsi_controller_key(n) for n in range(min(highest + 1, MAX_SCSI_CONTROLLERS))]


def on_scsi(disk: Disk) -> bool:
    return disk.device in ("cdrom", "lun") or disk.bus == "scsi"


def pool_volume(path: str) -> tuple[str, str] | None:
    """A volume named as virt-install's --disk vol= does: POOL/VOLUME."""
    pool, sep, volume = path.partition("/")
    return (pool, volume) if sep and pool and volume and "/" not in volume else None


def target_index(target: str) -> int:
    """virDiskNameToIndex: the letters after the prefix, a = 0 … z = 25, aa = 26."""
    found = DISK_TARGET.fullmatch(target)
    letters = target[found.end(1) :] if found else ""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("a") + 1)
    return index - 1


def disk_letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the kernel's naming of virtio/scsi disks."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters

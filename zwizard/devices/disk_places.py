"""Where a disk sits and what it is called: its target name, the SCSI drive address
libvirt gives it or the one a converted guest states, a storage pool's volume. The disk's
XML (disk.py) and its rules (disk_rules.py) both read these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.lazy import Pattern

if TYPE_CHECKING:
    from zwizard.model import Disk

SCSI_CONTROLLER = "scsi-controller"  # its key in Plan.ccw
# libvirt src/util/virutil.c virDiskNameParse: a known prefix and letters; libvirt needs it
# to name the device and, for SCSI, to derive its drive address (there is no ccw one)
DISK_TARGET = Pattern(r"(fd|hd|vd|sd|xvd|ubd)[a-z]+")
# A SCSI disk's <address type='drive'>, in the order the answers key writes them
DRIVE_PARTS = ("controller", "bus", "target", "unit")
DRIVE = Pattern(r"(\d{1,5}):(\d{1,5}):(\d{1,5}):(\d{1,5})")
# libvirt's schema takes a disk's drive target as one or two digits (domaincommon.rng
# driveTarget; 255 fails define --validate, seen); virtio-scsi's LUNs end at 16383
# (hw/scsi/virtio-scsi.c VIRTIO_SCSI_MAX_LUN); zwizard writes one SCSI controller, index
# 0, whose one bus is 0 (libvirt 9.0: "SCSI controller only supports 1 bus", seen)
DRIVE_MAX_TARGET = 99
DRIVE_MAX_UNIT = 16383


def drive_address(text: str) -> tuple[int, int, int, int] | None:
    """controller:bus:target:unit as four numbers, or None when it is not that form."""
    found = DRIVE.fullmatch(text.strip())
    if found is None:
        return None
    controller, bus, target, unit = (int(n) for n in found.groups())
    return controller, bus, target, unit


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

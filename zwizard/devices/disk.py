"""Disks: image files and block devices on virtio-blk-ccw, CD-ROMs (and disks given
bus scsi) on a virtio-scsi-ccw controller."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from zwizard.codec import NUMBER, ON_OFF, Prop, one_of, read_all, write_all
from zwizard.devices.base import (
    Field,
    Kind,
    Reader,
    default_or,
    sub,
    write_boot,
    write_ccw,
)
from zwizard.devices.disk_places import (
    DISK_TARGET,
    DRIVE_PARTS,
    SCSI_CONTROLLER,
    disk_letters,
    drive_address,
    on_scsi,
    pool_volume,
    scsi_controller_index,
    target_index,
)
from zwizard.devices.disk_rules import check, check_host
from zwizard.model import Answers, BackingFile, Disk
from zwizard.vocabulary import (
    CACHE_MODES,
    DETECT_ZEROES,
    DISCARD_MODES,
    ERROR_POLICIES,
    IMAGE_FORMATS,
    IO_MODES,
    READ_ERROR_POLICIES,
    ImageFormat,
)

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

# <driver> attributes carried as the answers' keys of the same name, in libvirt's order:
# written and read through these declarations
DRIVER = (
    Prop("cache", "@cache", one_of(CACHE_MODES)),
    Prop("error_policy", "@error_policy", one_of(ERROR_POLICIES)),
    Prop("rerror_policy", "@rerror_policy", one_of(READ_ERROR_POLICIES)),
    Prop("io", "@io", one_of(IO_MODES)),
    Prop("discard", "@discard", one_of(DISCARD_MODES)),
    Prop("iothread", "@iothread", NUMBER),
    Prop("detect_zeroes", "@detect_zeroes", one_of(DETECT_ZEROES)),
    Prop("queues", "@queues", NUMBER),
)


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    disk = answers.disks[i]
    path = f"disks[{i}]"
    cdrom = disk.device == "cdrom"
    scsi = on_scsi(disk)
    el = sub(devices, "disk", type=disk.kind, device=disk.device)
    image = disk.kind in ("file", "volume") and not cdrom
    fmt = disk.format or ("qcow2" if image else "raw")
    write_all(DRIVER, sub(el, "driver", name="qemu", type=fmt), disk)
    if disk.empty:  # a drive with no medium: libvirt takes a CD-ROM without <source>
        pass
    elif disk.kind == "volume":
        pool, volume = pool_volume(disk.path) or ("", disk.path)
        sub(el, "source", pool=pool, volume=volume)
    else:
        sub(el, "source", **{"file" if disk.kind == "file" else "dev": disk.path})
    if disk.backing:  # the stated chain, and its end (as libvirt writes it)
        chain = [(disk.backing, disk.backing_format or "qcow2")]
        chain += [(level.path, level.format) for level in disk.backing_chain]
        store = el
        for below, below_format in chain:
            block = below.startswith("/dev/")
            store = sub(store, "backingStore", type="block" if block else "file")
            sub(store, "format", type=below_format)
            sub(store, "source", **{"dev" if block else "file": below})
        sub(store, "backingStore")
    sub(el, "target", dev=plan.targets[i], bus="scsi" if scsi else "virtio")
    if cdrom or disk.readonly:
        sub(el, "readonly")
    if disk.shareable:
        sub(el, "shareable")
    if disk.serial is not None:
        sub(el, "serial", disk.serial)
    write_boot(el, plan, path, disk.loadparm)
    if not scsi:  # SCSI disks get a drive address on the controller, derived from target
        write_ccw(el, plan.ccw.get(path))
    else:
        write_drive(el, disk.drive)


def write_drive(el: Element, drive: str | None) -> None:
    """A SCSI disk's or device's stated place on its controller (the rules refuse any
    other text): <address type='drive' controller bus target unit/>."""
    if drive is not None and (place := drive_address(drive)) is not None:
        sub(el, "address", type="drive", **dict(zip(DRIVE_PARTS, map(str, place), strict=True)))


def read_drive(r: Reader, address: etree._Element, rec: Any, path: str) -> None:
    """A stated <address type='drive'>: the guest's H:C:T:L, carried as `rec.drive`."""
    parts = [r.get(address, key) for key in DRIVE_PARTS]
    text = ":".join(p if p is not None else "0" for p in parts)
    if drive_address(text) is not None and all(p is None or p.isdigit() for p in parts):
        rec.drive = text
        r.mark(f"{path}.drive", address)
    else:
        r.lost(address, f"drive address {text} (not four numbers)")


def write_controller(devices: Element, answers: Answers, plan: Plan) -> None:
    """The virtio-scsi controllers the plan holds (a disk or device on SCSI asked for
    them: Kind.controller), each with its index; guest.scsi_iothread serves controller 0."""
    held = {n: key for key in plan.ccw if (n := scsi_controller_index(key)) is not None}
    settings = {c.index: c for c in reversed(answers.scsi_controllers)}  # the first one stated
    for index, key in sorted(held.items()):
        ctl = sub(devices, "controller", type="scsi", index=str(index), model="virtio-scsi")
        if index in settings:
            write_all(SCSI_DRIVER, ctl, settings[index])
        if index == 0 and answers.guest.scsi_iothread is not None:
            driver = next((c for c in ctl.children if c.tag == "driver"), None)
            driver = driver if driver is not None else sub(ctl, "driver")
            driver.set("iothread", str(answers.guest.scsi_iothread))
        write_ccw(ctl, plan.ccw[key])


# a virtio-scsi controller's <driver> (formatdomain "Controllers": virtio-scsi's queues,
# cmd_per_lun, max_sectors, ioeventfd, iothread); controller 0's iothread is the guest's
SCSI_DRIVER = (
    Prop("queues", "driver/@queues", NUMBER),
    Prop("cmd_per_lun", "driver/@cmd_per_lun", NUMBER),
    Prop("max_sectors", "driver/@max_sectors", NUMBER),
    Prop("ioeventfd", "driver/@ioeventfd", ON_OFF),
    Prop("iothread", "driver/@iothread", NUMBER),
)


def read(r: Reader, el: etree._Element, path: str) -> Disk | None:
    kind = r.get(el, "type", "file")
    device = r.get(el, "device", "disk")
    source = el.find("source")
    if kind not in ("file", "block", "volume") or device not in ("disk", "cdrom", "lun"):
        r.lost(el, f"{kind} {device} (carried: file, block and volume disks, CD-ROMs, LUNs)")
        return None
    sgio = r.get(el, "sgio")
    if sgio == "unfiltered":
        r.finding(
            el,
            "disk-lun",
            "error",
            "sgio='unfiltered': libvirt 9.0 refuses it (\"unfiltered sgio is no longer "
            'supported"); leave sgio out (filtered)',
        )
        r.lost(el, "sgio='unfiltered'", whole=False)
    if source is None and device == "disk":
        r.lost(el, "a disk without <source> (nothing to carry; give it a path)")
        return None
    if source is None:
        src = None
    elif kind == "volume":
        pool, volume = r.get(source, "pool"), r.get(source, "volume")
        src = f"{pool}/{volume}" if pool and volume else None
    else:
        src = r.get(source, "file") if kind == "file" else r.get(source, "dev")
    empty = device == "cdrom" and not src  # a drive with no medium yet: carried as one
    driver = el.find("driver")
    fmt = r.get(driver, "type") if driver is not None else None
    if driver is not None and r.get(driver, "name") not in (None, "qemu"):
        r.changed("s390-machine", driver, f"driver {driver.get('name')} -> qemu", whole=False)
    r.take(source)
    target = el.find("target")
    if target is None:
        r.finding(
            el,
            "disk-target",
            "error",
            "a disk needs <target dev=… bus=…/> (libvirt: missing target information)",
        )
        r.lost(el, "a disk without <target>")
        return None
    bus = r.get(target, "bus")
    dev = Disk(path=src or "", kind=kind, device=device, empty=empty)
    dev.format = fmt if fmt in IMAGE_FORMATS else None
    if driver is not None and fmt and fmt not in IMAGE_FORMATS:
        r.lost(
            driver,
            f"image format {fmt} (only qcow2 and raw; convert the image with qemu-img)",
            whole=False,
        )
    if driver is not None:
        read_all(DRIVER, r, driver, dev, path)
    serial = el.find("serial")
    if serial is not None:
        dev.serial = r.text(serial)
    _read_backing(r, el.find("backingStore"), dev)
    want = "scsi" if device in ("cdrom", "lun") else "virtio"
    dev.bus = bus
    dev.target = r.get(target, "dev")
    r.take(el.find("readonly"))
    dev.readonly = el.find("readonly") is not None and device != "cdrom"
    r.take(el.find("shareable"))
    dev.shareable = el.find("shareable") is not None
    r.boot(el, dev, path)
    address = el.find("address")
    if address is not None and r.get(address, "type") == "drive" and bus != "scsi":
        # an IDE/SATA place: the disk moves to another bus
        r.changed("ccw-only", address, "drive address dropped: the disk leaves its bus")
        return dev if dev.bus is None else _marked_bus(r, dev, path, target)
    if address is not None and r.get(address, "type") == "drive":
        read_drive(r, address, dev, path)  # a SCSI disk's place on its controller
        return dev if dev.bus is None else _marked_bus(r, dev, path, target)
    busid = r.address(el, path)
    if busid is not None and (dev.bus or want) == "scsi":
        what = f"ccw address {busid} dropped: a SCSI disk sits on its controller"
        address = el.find("address")  # an element with no children is falsy: compare
        r.changed("ccw-address", address if address is not None else el, what)
        busid = None
    dev.ccw = busid  # kept on another bus: convert moves such a disk onto virtio
    return _marked_bus(r, dev, path, target)


def _marked_bus(r: Reader, dev: Disk, path: str, target: etree._Element) -> Disk:
    if dev.bus is not None:
        r.mark(f"{path}.bus", target)
    return dev


def _read_backing(r: Reader, store: etree._Element | None, dev: Disk) -> None:
    """A stated backing chain, each level a file or block device with its format, ending
    in <backingStore/>, is carried; any other is listed as not carried (the whole element)."""
    if store is None:
        return
    if not len(store) and not store.attrib:
        # the end of a chain with nothing before it: libvirt writes it into a running
        # guest's definition (drift --live knows it by these words)
        r.lost(store, "<backingStore/> (no backing file)")
        return
    levels: list[tuple[str, ImageFormat]] = []
    taken: list[etree._Element] = []
    level: etree._Element | None = store
    while level is not None and len(level):
        source, fmt = level.find("source"), level.find("format")
        path = r.get(source, "file") or r.get(source, "dev")
        kind = r.get(fmt, "type")
        below = level.find("backingStore")
        if (
            r.get(level, "type") not in ("file", "block")
            or not path
            or kind not in IMAGE_FORMATS
            or below is None
            or len(level) != 3
        ):
            r.lost(store, "a backing chain zwizard does not write (each level a file or block "
                   "device with its format, the chain ended, is carried)")  # fmt: skip
            return
        levels.append((path, cast(ImageFormat, kind)))
        taken.append(level)
        level = below
    if level is not None:
        taken.append(level)  # the end of the chain
    r.take(*taken)
    (dev.backing, dev.backing_format), *deeper = levels
    dev.backing_chain = [BackingFile(path=p, format=f) for p, f in deeper]


def _missing(disk: Disk) -> list[str]:
    return [] if disk.path or disk.empty else ["path"]


def resolve(answers: Answers, plan: Plan) -> None:
    """Target names: the given ones, then vda/sda onwards for the rest, skipping any
    name already given."""
    given = {d.target for d in answers.disks if d.target}
    # a given target's letters are taken on its bus whatever its prefix (sda on virtio is
    # virtio-disk0, as vda would be; vdb on SCSI is unit 1, as sdb: see check)
    taken = {
        ("sd" if on_scsi(d) else "vd", target_index(d.target))
        for d in answers.disks
        if d.target and DISK_TARGET.fullmatch(d.target)
    }
    counters = {"vd": 0, "sd": 0}
    for disk in answers.disks:
        if disk.target:
            plan.targets.append(disk.target)
            continue
        prefix = "sd" if on_scsi(disk) else "vd"
        while True:
            name = prefix + disk_letters(counters[prefix])
            counters[prefix] += 1
            if name not in given and (prefix, counters[prefix] - 1) not in taken:
                break
        plan.targets.append(name)


def _virtio_blk(disk: Disk) -> bool:
    return not on_scsi(disk)


# What both front ends ask of each disk after its path (the kind of disk is chosen when
# it is added): the image format, where it sits on ccw, its loadparm.
FIELDS = (
    Field("format", "Format", default_or(IMAGE_FORMATS)),
    Field("ccw", "ccw bus-id (empty: assigned)",
          placeholder="(assigned; or type one like fe.0.xxxx)", applies=_virtio_blk),
    Field("loadparm", "loadparm (beside the boot device)",
          placeholder="(none; PROMPT or a zipl entry number)"),
)  # fmt: skip

OPTIONS = (
    Field("cache", "host cache", default_or(CACHE_MODES, "default (writeback)")),
    Field("io", "I/O mode (native: cache none/directsync)", default_or(IO_MODES)),
    Field("discard", "discard (unmap frees space in the image)", default_or(DISCARD_MODES)),
    Field("detect_zeroes", "detect zeroes", default_or(DETECT_ZEROES)),
    Field("error_policy", "on a write error", default_or(ERROR_POLICIES, "default (stop)")),
    Field("rerror_policy", "on a read error", default_or(READ_ERROR_POLICIES, "default")),
    Field("iothread", "I/O thread (of the guest's; empty: none)", text="optional-int",
          placeholder="(none)", applies=_virtio_blk),
    Field("serial", "serial (/dev/disk/by-id; empty: none)", placeholder="(none)"),
    Field("queues", "queues (multiqueue, one per vCPU is usual; empty: one)",
          text="optional-int", placeholder="(one)", applies=_virtio_blk),
)  # fmt: skip

KIND = Kind(
    key="disks",
    noun="disk",
    tags=("disk",),
    write=write,
    read=read,
    check=check,
    on_ccw=lambda disk: not on_scsi(disk),
    boots=True,
    installed_boot=lambda disk: disk.device == "disk",
    controller=lambda disk: SCSI_CONTROLLER if on_scsi(disk) else None,
    missing=_missing,
    check_host=check_host,
    after=write_controller,
    resolve=resolve,
    fields=FIELDS,
    options=OPTIONS,
    options_title="More disk options (cache, I/O, serial …)",
    adds=(
        ("disk", lambda: Disk(path="")),
        ("CD-ROM", lambda: Disk(path="", device="cdrom")),
        ("LUN", lambda: Disk(path="", device="lun", kind="block")),  # a SCSI LUN: a block device
        ("volume", lambda: Disk(path="", kind="volume")),  # a libvirt storage pool's
    ),
)

"""Disks: image files and block devices on virtio-blk-ccw, CD-ROMs (and disks given
bus scsi) on a virtio-scsi-ccw controller."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, cast

from zwizard.devices.base import (
    Field,
    HostJudge,
    Kind,
    Reader,
    default_or,
    sub,
    write_boot,
    write_ccw,
)
from zwizard.lazy import Pattern
from zwizard.model import (
    CACHE_MODES,
    DETECT_ZEROES,
    DISCARD_MODES,
    ERROR_POLICIES,
    IMAGE_FORMATS,
    IO_MODES,
    READ_ERROR_POLICIES,
    Answers,
    BackingFile,
    Disk,
    ImageFormat,
    iothread_ids,
    iothreads_said,
)
from zwizard.shown import command

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

SCSI_CONTROLLER = "scsi-controller"  # its key in Plan.ccw
# libvirt src/util/virutil.c virDiskNameParse: a known prefix and letters; libvirt needs it
# to name the device and, for SCSI, to derive its drive address (there is no ccw one)
DISK_TARGET = Pattern(r"(fd|hd|vd|sd|xvd|ubd)[a-z]+")
# <driver> attributes carried as the answers' keys of the same name, in libvirt's order
DRIVER_KEYS = ("cache", "error_policy", "rerror_policy", "io", "discard", "iothread",
               "detect_zeroes", "queues")  # fmt: skip
# virtio-blk's num-queues (hw/block/virtio-blk.c): 1 to VIRTIO_QUEUE_MAX
DISK_QUEUES_MAX = 1024
# What libvirt lets through to QEMU's serial= (qemuSafeSerialParamValue; 'bad/ser,ial'
# is refused at define: "driver serial … contains unsafe characters", seen with 9.0)
SERIAL = Pattern(r"[A-Za-z0-9_ .+\-]*")
SERIAL_BYTES = 20  # VIRTIO_BLK_ID_BYTES: virtio-blk hands the guest the first 20 only
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


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    disk = answers.disks[i]
    path = f"disks[{i}]"
    cdrom = disk.device == "cdrom"
    scsi = on_scsi(disk)
    el = sub(devices, "disk", type=disk.kind, device=disk.device)
    image = disk.kind in ("file", "volume") and not cdrom
    fmt = disk.format or ("qcow2" if image else "raw")
    driver = {"name": "qemu", "type": fmt}
    for key in DRIVER_KEYS:  # in the order libvirt writes them back
        value = getattr(disk, key)
        if value is not None:
            driver[key] = str(value)
    sub(el, "driver", **driver)
    if disk.kind == "volume":
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
    if disk.serial is not None:
        sub(el, "serial", disk.serial)
    write_boot(el, plan, path, disk.loadparm)
    if not scsi:  # SCSI disks get a drive address on the controller, derived from target
        write_ccw(el, plan.ccw.get(path))
    elif disk.drive is not None and (place := drive_address(disk.drive)) is not None:
        sub(el, "address", type="drive", **dict(zip(DRIVE_PARTS, map(str, place), strict=True)))


def write_controller(devices: Element, answers: Answers, plan: Plan) -> None:
    if SCSI_CONTROLLER in plan.ccw:  # a disk on SCSI asked for it (Kind.controller)
        ctl = sub(devices, "controller", type="scsi", index="0", model="virtio-scsi")
        if answers.guest.scsi_iothread is not None:
            sub(ctl, "driver", iothread=str(answers.guest.scsi_iothread))
        write_ccw(ctl, plan.ccw[SCSI_CONTROLLER])


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
    if device == "cdrom" and not src:
        r.lost(el, "empty CD-ROM drive")
        return None
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
    dev = Disk(path=src or "", kind=kind, device=device)
    dev.format = fmt if fmt in IMAGE_FORMATS else None
    if driver is not None and fmt and fmt not in IMAGE_FORMATS:
        r.lost(
            driver,
            f"image format {fmt} (only qcow2 and raw; convert the image with qemu-img)",
            whole=False,
        )
    if driver is not None:
        _read_driver(r, driver, dev)
    serial = el.find("serial")
    if serial is not None:
        dev.serial = r.text(serial)
    _read_backing(r, el.find("backingStore"), dev)
    want = "scsi" if device in ("cdrom", "lun") else "virtio"
    dev.bus = bus
    dev.target = r.get(target, "dev")
    r.take(el.find("readonly"))
    dev.readonly = el.find("readonly") is not None and device != "cdrom"
    r.boot(el, dev, path)
    address = el.find("address")
    if address is not None and r.get(address, "type") == "drive" and bus != "scsi":
        # an IDE/SATA place: the disk moves to another bus
        r.changed("ccw-only", address, "drive address dropped: the disk leaves its bus")
        return dev if dev.bus is None else _marked_bus(r, dev, path, target)
    if address is not None and r.get(address, "type") == "drive":
        # a SCSI disk's place on its controller: the guest's H:C:T:L, carried as stated
        parts = [r.get(address, key) for key in DRIVE_PARTS]
        text = ":".join(p if p is not None else "0" for p in parts)
        if drive_address(text) is not None and all(p is None or p.isdigit() for p in parts):
            dev.drive = text
            r.mark(f"{path}.drive", address)
        else:
            r.lost(address, f"drive address {text} (not four numbers)")
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


_DRIVER_VALUES: dict[str, tuple[str, ...]] = {
    "cache": CACHE_MODES,
    "io": IO_MODES,
    "discard": DISCARD_MODES,
    "detect_zeroes": DETECT_ZEROES,
    "error_policy": ERROR_POLICIES,
    "rerror_policy": READ_ERROR_POLICIES,
}


def _read_driver(r: Reader, driver: etree._Element, dev: Disk) -> None:
    for key, values in _DRIVER_VALUES.items():
        value = r.get(driver, key)
        if value in values:
            setattr(dev, key, value)
        elif value is not None:
            r.lost(driver, f"driver {key}='{value}' (one of {', '.join(values)})", whole=False)
    for key in ("iothread", "queues"):
        number = r.get(driver, key)
        if number is not None and number.isdigit():
            setattr(dev, key, int(number))
        elif number is not None:
            r.lost(driver, f"driver {key}='{number}' (not a number)", whole=False)


def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, d in enumerate(a.disks):
        p = f"disks[{i}]"
        if d.backing is not None and not d.backing.startswith("/"):
            out.error("disk-path", f"{p}.backing", f"'{d.backing}' must be an absolute host path")
        _check_chain(d, p, out)
        image = d.kind in ("file", "volume") and d.device != "cdrom"
        if d.backing is not None and (d.format or ("qcow2" if image else "raw")) == "raw":
            # libvirt's qemu_block.c: a backing store needs a format that can name one
            out.error(
                "disk-tuning",
                f"{p}.backing",
                'a raw image has no backing file: libvirt refuses to start it ("storage '
                "format 'raw' does not support backing store\"); use format qcow2",
            )
        if not d.path:
            out.error("disk-path", f"{p}.path", "a disk needs a path")
        elif d.kind == "volume":
            if pool_volume(d.path) is None:
                out.error(
                    "disk-path",
                    f"{p}.path",
                    f"'{d.path}' does not name a volume: write POOL/VOLUME (as virt-install's "
                    "--disk vol=), e.g. default/db01.qcow2",
                )
        elif not d.path.startswith("/"):
            out.error("disk-path", f"{p}.path", f"'{d.path}' must be an absolute path")
        elif d.kind == "block" and not d.path.startswith("/dev/"):
            out.warn("disk-path", f"{p}.path", f"block device '{d.path}' is not under /dev")
        if d.bus is not None and d.bus not in ("virtio", "scsi"):
            out.error(
                "ccw-only",
                f"{p}.bus",
                f"bus '{d.bus}' does not exist on IBM Z (no virtual PCI, USB, SATA or IDE); "
                "use virtio (virtio-blk-ccw) or scsi (virtio-scsi-ccw)",
            )
        if d.device == "cdrom" and d.bus == "virtio":
            out.error("cdrom-bus", f"{p}.bus", "a CD-ROM cannot sit on virtio-blk; use bus scsi")
        if d.device == "lun":
            if d.kind != "block":
                out.error(
                    "disk-lun",
                    f"{p}.kind",
                    "a LUN is a host block device (libvirt: \"disk device='lun' is only valid "
                    'for block type disk source"); give kind block and its /dev path',
                )
            if d.bus == "virtio":
                out.error(
                    "disk-lun",
                    f"{p}.bus",
                    "a LUN needs virtio-scsi: QEMU refuses SCSI passthrough on virtio-blk "
                    '("Please set scsi=off for virtio-blk devices in order to use virtio 1.0")',
                )
        if d.target is not None and not DISK_TARGET.fullmatch(d.target):
            out.error(
                "disk-target",
                f"{p}.target",
                f"'{d.target}' is not a disk name libvirt can parse: a prefix vd, sd, hd, xvd, "
                "ubd or fd, then letters (vda, sdb, hdc …)",
            )
        _check_tuning(a, d, p, out)
        _check_drive(d, p, out)
    for used, count in Counter(plan.targets).items():
        if count > 1:
            out.error("disk-target", "disks", f"target '{used}' is used by {count} disks")
    # libvirt names a virtio-blk disk virtio-disk<N> and gives a SCSI disk drive unit N, N
    # the index of its target's letters (qemuAssignDeviceDiskAlias,
    # virDomainDiskDefAssignAddress; virDiskNameToIndex): sda and vda are both index 0
    seen: dict[tuple[bool, int | tuple[int, ...]], str] = {}
    for i, d in enumerate(a.disks):
        given = plan.targets[i] if i < len(plan.targets) else None
        if not given or not DISK_TARGET.fullmatch(given):
            continue
        target = given
        scsi, index = on_scsi(d), target_index(target)
        place: int | tuple[int, ...] = index
        if scsi:  # where it sits: the stated drive address, or the one libvirt derives
            stated = drive_address(d.drive) if d.drive is not None else None
            place = stated or (0, 0, 0, index)
        other = seen.setdefault((scsi, place), target)
        if other != target:
            where = ":".join(map(str, place)) if isinstance(place, tuple) else place
            clash = (
                f"both get drive address {where} on the SCSI controller, and libvirt refuses the "
                f'second at define ("Found duplicate drive address for disk with target name '
                f"'{target}'\")"
                if scsi
                else f"libvirt names both virtio-disk{index}, and QEMU refuses the second at "
                f"start (\"Duplicate device ID 'virtio-disk{index}'\")"
            )
            same, fix = "have the same letters", "give different letters"
            if scsi and any(e.drive for e in a.disks if on_scsi(e)):
                same, fix = "sit at the same place", "give each its own drive address or letters"
            out.error(
                "disk-target",
                f"disks[{i}].drive" if d.drive else f"disks[{i}].target" if d.target else "disks",
                f"targets '{other}' and '{target}' {same}: {clash}; {fix}",
            )


def _check_chain(d: Disk, p: str, out: Collector) -> None:
    """The files below the backing file: absolute paths, and only the last one raw."""
    if d.backing_chain and d.backing is None:
        out.error("disk-path", f"{p}.backing_chain", "a chain below the backing file needs backing")
    formats = [d.backing_format or "qcow2", *(level.format for level in d.backing_chain)]
    for j, level in enumerate(d.backing_chain):
        at = f"{p}.backing_chain[{j}]"
        if not level.path.startswith("/"):
            out.error("disk-path", f"{at}.path", f"'{level.path}' must be an absolute host path")
        if formats[j] == "raw":  # the image above this one
            above = f"{p}.backing_format" if j == 0 else f"{p}.backing_chain[{j - 1}].format"
            out.error(
                "disk-tuning",
                above,
                'a raw image has no backing file: libvirt refuses to start it ("storage '
                "format 'raw' does not support backing store\"); use format qcow2",
            )


def _check_drive(d: Disk, p: str, out: Collector) -> None:
    if d.drive is None:
        return
    place = drive_address(d.drive)
    if not on_scsi(d):
        out.error(
            "disk-target",
            f"{p}.drive",
            "a drive address places a disk on the SCSI controller; this disk is on virtio-blk "
            "(its place is a ccw bus-id)",
        )
    elif place is None:
        out.error(
            "disk-target",
            f"{p}.drive",
            f"'{d.drive}' is not a drive address: write controller:bus:target:unit, e.g. 0:0:2:0",
        )
    elif place[:2] != (0, 0):
        out.error(
            "disk-target",
            f"{p}.drive",
            f"'{d.drive}': zwizard writes one SCSI controller (0) with its one bus (0); give "
            "0:0:target:unit",
        )
    elif place[2] > DRIVE_MAX_TARGET or place[3] > DRIVE_MAX_UNIT:
        out.error(
            "disk-target",
            f"{p}.drive",
            f"'{d.drive}': give a target 0-{DRIVE_MAX_TARGET} (libvirt's schema: two digits) "
            f"and a unit 0-{DRIVE_MAX_UNIT} (virtio-scsi's VIRTIO_SCSI_MAX_LUN)",
        )


def _check_tuning(a: Answers, d: Disk, p: str, out: Collector) -> None:
    """The <driver> tuning libvirt 9.0 refuses at define (each seen here), and what it
    would silently not do."""
    if d.io == "native" and d.cache not in ("none", "directsync"):
        out.error(
            "disk-tuning",
            f"{p}.io",
            "io native needs cache none or directsync (libvirt: \"io='native' needs either "
            'no disk cache or directsync cache mode"); the default cache is writeback',
        )
    if d.detect_zeroes == "unmap" and d.discard != "unmap":
        out.warn(
            "disk-tuning",
            f"{p}.detect_zeroes",
            "detect_zeroes unmap frees zeroed blocks only with discard unmap; without it "
            "QEMU acts as for 'on'",
        )
    if d.iothread is not None:
        if on_scsi(d):
            out.error(
                "disk-tuning",
                f"{p}.iothread",
                'an I/O thread serves virtio-blk disks only (libvirt: "IOThreads not '
                'available for bus scsi")',
            )
        elif d.iothread not in iothread_ids(a.guest):
            out.error(
                "disk-tuning",
                f"{p}.iothread",
                f"I/O thread {d.iothread} does not exist ({iothreads_said(a.guest)}; "
                f"libvirt: \"Disk iothread '{d.iothread}' not defined in iothreadid\")",
            )
    if d.queues is not None:
        if on_scsi(d):
            out.error(
                "disk-tuning",
                f"{p}.queues",
                'queues serve virtio-blk disks only (libvirt: "queues attribute in disk '
                'driver element is only supported by virtio-blk")',
            )
        elif not 1 <= d.queues <= DISK_QUEUES_MAX:
            out.error(
                "disk-tuning",
                f"{p}.queues",
                f"{d.queues} queues: virtio-blk takes 1 to {DISK_QUEUES_MAX} "
                "(VIRTIO_QUEUE_MAX; libvirt's schema wants a positive number)",
            )
    if d.serial is not None:
        if not SERIAL.fullmatch(d.serial):
            out.error(
                "disk-tuning",
                f"{p}.serial",
                f"serial '{d.serial}' has characters libvirt refuses (\"contains unsafe "
                'characters"): use letters, digits, blank and _ . + -',
            )
        elif len(d.serial.encode()) > SERIAL_BYTES and not on_scsi(d):
            out.warn(
                "disk-tuning",
                f"{p}.serial",
                f"serial '{d.serial}' is longer than {SERIAL_BYTES} characters: virtio-blk "
                f"gives the guest '{d.serial[:SERIAL_BYTES]}' only",
            )


def _missing(disk: Disk) -> list[str]:
    return [] if disk.path else ["path"]


def check_host(a: Answers, host: HostInfo, judge: HostJudge) -> None:
    for i, d in enumerate(a.disks):
        named = pool_volume(d.path) if d.kind == "volume" else None
        if named is None or host.pools is None:
            continue
        pool, volume = named
        if pool not in host.pools:
            judge.report(
                "host-disk",
                f"disks[{i}].path",
                f"storage pool '{pool}' is not defined here (virsh pool-list --all){judge.other}",
            )
        elif volume not in host.pools[pool]:
            judge.report(
                "host-disk",
                f"disks[{i}].path",
                f"pool '{pool}' has no volume '{volume}' (virsh vol-create-as {pool} {volume} "
                f"20G --format {d.format or 'qcow2'}){judge.other}",
            )
    if judge.target:
        import os.path

        for i, d in enumerate(a.disks):
            if d.path and d.path.startswith("/") and not os.path.exists(d.path):
                if d.kind == "block":
                    judge.report(
                        "host-disk",
                        f"disks[{i}].path",
                        f"block device {d.path} does not exist here",
                    )
                else:
                    judge.out.warn(
                        "host-disk",
                        f"disks[{i}].path",
                        f"{d.path} does not exist yet ("
                        + command("qemu-img", "create", "-f", d.format or "qcow2", d.path, "20G")
                        + "), or the guest will not start",
                    )


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
            name = prefix + _disk_letters(counters[prefix])
            counters[prefix] += 1
            if name not in given and (prefix, counters[prefix] - 1) not in taken:
                break
        plan.targets.append(name)


def target_index(target: str) -> int:
    """virDiskNameToIndex: the letters after the prefix, a = 0 … z = 25, aa = 26."""
    found = DISK_TARGET.fullmatch(target)
    letters = target[found.end(1) :] if found else ""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("a") + 1)
    return index - 1


def _disk_letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the kernel's naming of virtio/scsi disks."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


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
)

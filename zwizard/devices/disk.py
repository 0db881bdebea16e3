"""Disks: image files and block devices on virtio-blk-ccw, CD-ROMs (and disks given
bus scsi) on a virtio-scsi-ccw controller."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from lxml import etree

from zwizard.devices.base import HostJudge, Kind, Reader, sub, write_boot, write_ccw
from zwizard.lazy import Pattern
from zwizard.model import CACHE_MODES, IMAGE_FORMATS, Answers, Disk

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.plan import Plan

SCSI_CONTROLLER = "scsi-controller"  # its key in Plan.ccw
# libvirt src/util/virutil.c virDiskNameParse: a known prefix and letters; libvirt needs it
# to name the device and, for SCSI, to derive its drive address (there is no ccw one)
DISK_TARGET = Pattern(r"(fd|hd|vd|sd|xvd|ubd)[a-z]+")


def on_scsi(disk: Disk) -> bool:
    return disk.device == "cdrom" or disk.bus == "scsi"


def write(devices: etree._Element, answers: Answers, i: int, plan: Plan) -> None:
    disk = answers.disks[i]
    path = f"disks[{i}]"
    cdrom = disk.device == "cdrom"
    scsi = on_scsi(disk)
    el = sub(devices, "disk", type=disk.kind, device=disk.device)
    fmt = disk.format or ("qcow2" if disk.kind == "file" and not cdrom else "raw")
    driver = {"name": "qemu", "type": fmt}
    if disk.cache:
        driver["cache"] = disk.cache
    sub(el, "driver", **driver)
    sub(el, "source", **{"file" if disk.kind == "file" else "dev": disk.path})
    sub(el, "target", dev=plan.targets[i], bus="scsi" if scsi else "virtio")
    if cdrom or disk.readonly:
        sub(el, "readonly")
    write_boot(el, plan, path, disk.loadparm)
    if not scsi:  # SCSI disks get a drive address on the controller, derived from target
        write_ccw(el, plan.ccw.get(path))


def write_controller(devices: etree._Element, answers: Answers, plan: Plan) -> None:
    if SCSI_CONTROLLER in plan.ccw:  # a disk on SCSI asked for it (Kind.controller)
        ctl = sub(devices, "controller", type="scsi", index="0", model="virtio-scsi")
        write_ccw(ctl, plan.ccw[SCSI_CONTROLLER])


def read(r: Reader, el: etree._Element, path: str) -> Disk | None:
    kind = r.get(el, "type", "file")
    device = r.get(el, "device", "disk")
    source = el.find("source")
    if kind not in ("file", "block") or device not in ("disk", "cdrom"):
        r.lost(el, f"{kind} {device} (only file and block disks and CD-ROMs are carried)")
        return None
    if source is None and device == "disk":
        r.lost(el, "a disk without <source> (nothing to carry; give it a path)")
        return None
    src = (
        None
        if source is None
        else r.get(source, "file")
        if kind == "file"
        else r.get(source, "dev")
    )
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
    if fmt and fmt not in IMAGE_FORMATS:
        r.lost(
            driver,
            f"image format {fmt} (only qcow2 and raw; convert the image with qemu-img)",
            whole=False,
        )
    if driver is not None and r.get(driver, "cache") in CACHE_MODES:
        dev.cache = r.get(driver, "cache")
    want = "scsi" if device == "cdrom" else "virtio"
    if bus in ("virtio", "scsi") and not (device == "cdrom" and bus == "virtio"):
        dev.bus = bus
        dev.target = r.get(target, "dev")
    elif r.convert:
        r.changed(
            "ccw-only",
            target,
            f"{bus} {device} {r.get(target, 'dev')} -> {want} (target reassigned)",
        )
    else:
        dev.bus = bus
        dev.target = None
    r.take(el.find("readonly"))
    dev.readonly = el.find("readonly") is not None and device != "cdrom"
    r.boot(el, dev, path)
    busid = r.address(el, path)  # also reads (and drops) a SCSI disk's drive address
    dev.ccw = busid if (dev.bus or want) == "virtio" else None
    if dev.bus is not None:
        r.mark(f"{path}.bus", target)
    return dev


def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, d in enumerate(a.disks):
        p = f"disks[{i}]"
        if not d.path:
            out.error("disk-path", f"{p}.path", "a disk needs a path")
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
        if d.target is not None and not DISK_TARGET.fullmatch(d.target):
            out.error(
                "disk-target",
                f"{p}.target",
                f"'{d.target}' is not a disk name libvirt can parse: a prefix vd, sd, hd, xvd, "
                "ubd or fd, then letters (vda, sdb, hdc …)",
            )
    for target, count in Counter(plan.targets).items():
        if count > 1:
            out.error("disk-target", "disks", f"target '{target}' is used by {count} disks")


def _missing(disk: Disk) -> list[str]:
    return [] if disk.path else ["path"]


def check_host(a: Answers, host: HostInfo, judge: HostJudge) -> None:
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
                        f"{d.path} does not exist yet (qemu-img create -f {d.format or 'qcow2'} "
                        f"{d.path} 20G), or the guest will not start",
                    )


def resolve(answers: Answers, plan: Plan) -> None:
    """Target names: the given ones, then vda/sda onwards for the rest, skipping any
    name already given."""
    given = {d.target for d in answers.disks if d.target}
    counters = {"vd": 0, "sd": 0}
    for disk in answers.disks:
        if disk.target:
            plan.targets.append(disk.target)
            continue
        prefix = "sd" if on_scsi(disk) else "vd"
        while True:
            name = prefix + _disk_letters(counters[prefix])
            counters[prefix] += 1
            if name not in given:
                break
        plan.targets.append(name)


def _disk_letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa: the kernel's naming of virtio/scsi disks."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


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
)

"""A disk's rules: what libvirt and QEMU refuse of its path, bus, target, drive address,
backing chain and <driver> tuning (each refusal seen on the real stack, docs/rules.md),
and what this host lacks of it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from zwizard.devices.base import HostJudge
from zwizard.devices.disk_places import (
    DISK_TARGET,
    DRIVE_MAX_TARGET,
    DRIVE_MAX_UNIT,
    MAX_SCSI_CONTROLLERS,
    drive_address,
    on_scsi,
    pool_volume,
    scsi_controller_key,
    scsi_place,
    target_index,
)
from zwizard.findings import reports
from zwizard.iothreads import iothread_ids, iothreads_said
from zwizard.lazy import Pattern
from zwizard.model import Answers, Disk
from zwizard.shown import command

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.plan import Plan

# virtio-blk's num-queues (hw/block/virtio-blk.c): 1 to VIRTIO_QUEUE_MAX
DISK_QUEUES_MAX = 1024
# What libvirt lets through to QEMU's serial= (qemuSafeSerialParamValue; 'bad/ser,ial'
# is refused at define: "driver serial … contains unsafe characters", seen with 9.0)
SERIAL = Pattern(r"[A-Za-z0-9_ .+\-]*")
SERIAL_BYTES = 20  # VIRTIO_BLK_ID_BYTES: virtio-blk hands the guest the first 20 only


@reports(
    "ccw-only",
    "cdrom-bus",
    "disk-lun",
    "disk-path",
    "disk-target",
    "disk-tuning",
    "disk-format",
    "iothreads",
)
def check(a: Answers, plan: Plan, out: Collector) -> None:
    _check_controllers(a, plan, out)
    for i, d in enumerate(a.disks):
        p = f"disks[{i}]"
        if d.backing is not None and not d.backing.startswith("/"):
            out.error("disk-path", f"{p}.backing", f"'{d.backing}' must be an absolute host path")
        _check_chain(d, p, out)
        image = d.kind in ("file", "volume") and d.device != "cdrom"
        if image and d.kind == "file":
            _check_format_by_name(d, p, out)
        if d.backing is not None and (d.format or ("qcow2" if image else "raw")) == "raw":
            # libvirt's qemu_block.c: a backing store needs a format that can name one
            out.error(
                "disk-tuning",
                f"{p}.backing",
                'a raw image has no backing file: libvirt refuses to start it ("storage '
                "format 'raw' does not support backing store\"); use format qcow2",
            )
        if d.empty and d.device != "cdrom":
            out.error("disk-path", f"{p}.empty", "only a CD-ROM drive can be empty (no medium)")
        elif d.empty and d.path:
            out.error(
                "disk-path", f"{p}.empty", "an empty drive has no path: give one or the other"
            )
        elif d.empty:
            pass  # virsh change-media puts a medium in later
        elif not d.path:
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
            place = scsi_place(d, target)
            if place[0] >= MAX_SCSI_CONTROLLERS:
                out.error(
                    "disk-target",
                    f"disks[{i}].drive" if d.drive else f"disks[{i}].target",
                    f"'{d.drive or target}' sits on SCSI controller {place[0]}: libvirt would "
                    f"add every controller up to it, each a ccw device; zwizard writes at most "
                    f"{MAX_SCSI_CONTROLLERS} (0-{MAX_SCSI_CONTROLLERS - 1})",
                )
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
    elif place[1] != 0:
        out.error(
            "disk-target",
            f"{p}.drive",
            f"'{d.drive}': a virtio-scsi controller has one bus, 0 (libvirt: \"SCSI controller "
            'only supports 1 bus"); give controller:0:target:unit',
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
    image = d.kind in ("file", "volume") and d.device != "cdrom"
    writable = not d.readonly and d.device != "cdrom"
    if d.shareable and writable and (d.format or ("qcow2" if image else "raw")) == "qcow2":
        out.error(
            "disk-tuning",
            f"{p}.shareable",
            'a qcow2 image cannot be shared writable (libvirt 9.0 at define: "shared access '
            'for disk … requires use of supported storage format"); use format raw or readonly',
        )
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


QCOW2_MAGIC = b"QFI\xfb"  # a qcow2 image's first bytes (QEMU block/qcow2.h QCOW_MAGIC)
# what a file's name says it holds; ".img" says nothing (raw and qcow2 both use it)
NAMED_FORMATS = {".qcow2": "qcow2", ".raw": "raw"}


def _check_format_by_name(d: Disk, p: str, out: Collector) -> None:
    """A format the image's name contradicts: an outside tester's `app01.raw` was written
    as qcow2 (a file's default) without a word, and QEMU then refuses to start the guest
    ("Image is not in qcow2 format"); raw over a qcow2 image boots the container's bytes."""
    path = d.path or ""  # a partial answers file may not give it yet
    named = next((f for suffix, f in NAMED_FORMATS.items() if path.endswith(suffix)), None)
    fmt = d.format or "qcow2"
    if named is not None and named != fmt:
        given = f"format {fmt}" if d.format else "qcow2, a file's default format,"
        out.warn(
            "disk-format",
            f"{p}.format",
            f"{d.path} is written as {given} but its name says {named}: "
            f'give format = "{named}" if the image is {named}',
        )
    elif d.format is None and path.endswith(".img"):
        out.note(
            "disk-format",
            f"{p}.format",
            f'{d.path} is written as qcow2 (a file\'s default); a raw .img needs format = "raw"',
        )


def _image_format(path: str) -> str | None:
    """qcow2 or raw, from the file's first bytes; None where it cannot be read (or empty)."""
    try:
        with open(path, "rb") as image:
            head = image.read(len(QCOW2_MAGIC))
    except OSError:
        return None
    return None if not head else "qcow2" if head == QCOW2_MAGIC else "raw"


@reports("disk-format", "host-disk")
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
            image = d.kind == "file" and bool(d.path) and os.path.isfile(d.path)
            found = _image_format(d.path) if image else None
            fmt = d.format or ("qcow2" if d.device != "cdrom" else "raw")
            if found is not None and found != fmt and d.backing is None:
                # QEMU refuses qcow2 over a raw file; raw over a qcow2 one hands the guest
                # the container's bytes, not its disk
                judge.report(
                    "disk-format",
                    f"disks[{i}].format",
                    f"{d.path} holds a {found} image here, but it is written as {fmt}: "
                    f'give format = "{found}"',
                )
            if d.path and d.path.startswith("/") and not os.path.exists(d.path):
                if d.kind == "block":
                    judge.report(
                        "host-disk",
                        f"disks[{i}].path",
                        f"block device {d.path} does not exist here",
                    )
                elif d.device == "cdrom":  # an installation ISO is copied, never created
                    judge.out.warn(
                        "host-disk",
                        f"disks[{i}].path",
                        f"{d.path} does not exist yet: copy the ISO image there, or the guest "
                        "will not start",
                    )
                else:
                    judge.out.warn(
                        "host-disk",
                        f"disks[{i}].path",
                        f"{d.path} does not exist yet ("
                        + command("qemu-img", "create", "-f", d.format or "qcow2", d.path, "20G")
                        + "), or the guest will not start",
                    )


def _check_controllers(a: Answers, plan: Plan, out: Collector) -> None:
    """A converted guest's virtio-scsi controller settings: for a controller the guest
    has, each index once, positive numbers (QEMU takes no zero queues), an I/O thread that
    exists (libvirt: "controller iothread … not defined in iothreadid")."""
    seen: set[int] = set()
    for i, c in enumerate(a.scsi_controllers):
        p = f"scsi_controllers[{i}]"
        if not isinstance(c.index, int) or scsi_controller_key(c.index) not in plan.ccw:
            out.error(
                "disk-target", f"{p}.index", f"no SCSI disk or device sits on controller {c.index}"
            )
        elif c.index in seen:
            out.error("disk-target", f"{p}.index", f"controller {c.index} is listed twice")
        else:
            seen.add(c.index)
        for key in ("queues", "cmd_per_lun", "max_sectors"):
            value = getattr(c, key)
            if value is not None and value < 1:
                out.error("disk-tuning", f"{p}.{key}", f"{key} {value}: give 1 or more")
        if c.iothread is not None and c.index == 0:
            out.error(
                "iothreads", f"{p}.iothread", "controller 0's I/O thread is guest.scsi_iothread"
            )
        elif c.iothread is not None and c.iothread not in iothread_ids(a.guest):
            out.error(
                "iothreads",
                f"{p}.iothread",
                f"I/O thread {c.iothread} does not exist ({iothreads_said(a.guest)}; libvirt: "
                f"\"controller iothread '{c.iothread}' not defined in iothreadid\")",
            )

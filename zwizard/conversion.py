"""`zwizard convert`'s second pass: a faithfully imported guest brought onto IBM Z.

The importer reads what the document says (an x86 CPU model, NUMA, a PCI watchdog,
300 vCPUs, a SATA disk …) so that `check` judges it as written. This pass then
replaces each value IBM Z or libvirt on s390x cannot take by its IBM Z equivalent,
and records every change at the element it came from. Values the answers cannot
hold at all (a domain type 'xen', a machine type) were already read as IBM Z ones
and said by the importer; what nothing can carry is in `Imported.lost`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from zwizard.importer import Change, Imported, import_domain
from zwizard.model import Answers, Disk, Nic, Passthrough
from zwizard.parts import PARTS

T = TypeVar("T")

VCPU_MAX = 248  # docs/rules.md: the s390-ccw-virtio machine's maximum


def convert_domain(data: bytes, source: str = "<xml>") -> Imported:
    """Read a domain XML as it is, then convert it (see `convert`)."""
    imported = import_domain(data, source)
    convert(imported)
    return imported


def convert(imported: Imported) -> None:
    """Change, in place, every value of `imported.answers` IBM Z cannot take, and add
    each change to `imported.changes` in document order."""
    for step in STEPS:
        step(imported)
    imported.changes.sort(key=lambda c: c.line or 0)  # as the reader meets them


def _change(imported: Imported, rule: str, path: str, what: str) -> None:
    imported.change(rule, path, what)


def _dropped(imported: Imported, rule: str, path: str, what: str = "") -> None:
    """One change per element the value was read from (<numa> and <numatune> …)."""
    for where, line in imported.sources.get(path) or [imported.locate(path)]:
        tag = re.sub(r"\[\d+\]$", "", where.rsplit("/", 1)[-1])
        imported.changes.append(Change(rule, where, line, what or f"dropped <{tag}>"))


def _smbios(imported: Imported) -> None:
    a = imported.answers
    if a.guest.smbios:
        _dropped(imported, "no-smbios", "guest.smbios")
        a.guest.smbios = False


def _vcpus(imported: Imported) -> None:
    g = imported.answers.guest
    if g.vcpus > VCPU_MAX:
        what = f"{g.vcpus} vCPUs -> {VCPU_MAX}, the IBM Z maximum"
        _change(imported, "vcpus", "guest.vcpus", what)
        g.vcpus = VCPU_MAX


def _cpu(imported: Imported) -> None:
    from zwizard.cpu_models import CPU_MODELS

    a = imported.answers
    cpu = a.cpu
    if cpu.mode == "custom" and cpu.model not in CPU_MODELS:
        _change(imported, "cpu-model", "cpu.model", f"CPU model {cpu.model} -> host-model")
        for name in cpu.features:  # they modify the model that goes
            what = f"dropped <feature name='{name}'> of CPU model {cpu.model}"
            _change(imported, "cpu-model", f"cpu.features.{name}", what)
        cpu.mode, cpu.model, cpu.features = "host-model", None, {}
    if a.guest.domain_type == "qemu" and cpu.mode in ("host-model", "host-passthrough"):
        what = f"CPU mode {cpu.mode} -> QEMU's default (emulation)"
        _change(imported, "tcg-cpu", "cpu.mode", what)
        cpu.mode = None
    if cpu.numa:
        _dropped(imported, "no-numa", "cpu.numa")
        cpu.numa = False


def _memory(imported: Imported) -> None:
    memory = imported.answers.memory
    if memory.hotplug:
        _dropped(
            imported, "no-mem-hotplug", "memory.hotplug", "dropped <maxMemory> (no memory hot-plug)"
        )
        memory.hotplug = False


def _disks(imported: Imported) -> None:
    for i, disk in enumerate(imported.answers.disks):
        want = "scsi" if disk.device in ("cdrom", "lun") else "virtio"
        if disk.bus == "scsi" or disk.bus == want:
            continue  # a virtio-scsi disk is on ccw too (its controller is)
        what = f"{disk.bus or '(no bus)'} {disk.device} {disk.target} -> {want} (target reassigned"
        if want != "virtio" and disk.ccw is not None:
            what += f", ccw address {disk.ccw} dropped: it sits on the virtio-scsi controller"
        _change(imported, "ccw-only", f"disks[{i}].bus", what + ")")
        disk.bus = disk.target = None
        if want != "virtio":
            disk.ccw = None


def _secure_execution(imported: Imported) -> None:
    """A Secure Execution guest has no memballoon and no virtio-rng (libvirt refuses to
    start it with either, docs/rules.md section 7): each one the guest had is removed and
    said, instead of refusing the whole guest."""
    a = imported.answers
    if not a.secure_execution.enabled:
        return
    if a.memory.balloon:
        what = "virtio memballoon removed: a Secure Execution guest has none"
        _change(imported, "se-no-balloon-rng", "memory.balloon", what)
        a.memory.balloon = False
        a.memory.balloon_autodeflate = a.memory.balloon_stats_period = None
        a.addresses.pop("memballoon", None)
    if a.rng.enabled:
        what = "virtio-rng removed: a Secure Execution guest has none"
        _change(imported, "se-no-balloon-rng", "rng.enabled", what)
        a.rng.enabled = False
        a.addresses.pop("rng", None)


def _virtual_css(imported: Imported) -> None:
    """A ccw device outside channel subsystem fe is invisible to a guest without MCSS-E,
    which no supported guest enables (QEMU docs/system/s390x/css.rst): moved into fe,
    keeping its subchannel set and device number, unless that address is taken."""
    from zwizard.address import VIRTUAL_CSSID, Ccw, parse_ccw
    from zwizard.devices import entries

    a = imported.answers
    placed = {f"{path}.ccw": item.ccw for _, path, item in entries(a) if getattr(item, "ccw", None)}
    placed.update({f"addresses.{key}": busid for key, busid in a.addresses.items()})
    taken = {c for text in placed.values() if (c := parse_ccw(text)) is not None}
    for at, text in placed.items():
        old = parse_ccw(text)
        if old is None or old.cssid == VIRTUAL_CSSID or old.ssid > 3:
            continue
        new = Ccw(VIRTUAL_CSSID, old.ssid, old.devno)
        if new in taken:
            continue  # the rules say so at the address; nothing is moved onto another
        what = (
            f"ccw {text} -> {new.busid}: a device outside channel subsystem fe is "
            "invisible to a guest without MCSS-E (QEMU docs/system/s390x/css.rst)"
        )
        _change(imported, "ccw-address", at, what)
        if at.startswith("addresses."):
            a.addresses[at.removeprefix("addresses.")] = new.busid
        else:
            entry = at.removesuffix(".ccw")
            item = next(item for _, path, item in entries(a) if path == entry)
            item.ccw = new.busid
        taken.add(new)


def _nics(imported: Imported) -> None:
    virtio = Nic.model
    for i, nic in enumerate(imported.answers.nics):
        if nic.model != virtio:
            what = f"NIC model {nic.model} -> virtio (virtio-net-ccw)"
            _change(imported, "ccw-only", f"nics[{i}].model", what)
            nic.model = virtio


def _x86_pci(imported: Imported) -> None:
    """An x86 host's PCI function means nothing on an IBM Z host: not carried."""
    if imported.s390:
        return
    devices = imported.answers.passthrough
    kept = []  # indices, not entries: two equal entries are still two places
    for i, dev in enumerate(devices):
        if dev.type == "pci" and dev.zpci is None:
            where, line = imported.locate(f"passthrough[{i}]")
            what = (
                "PCI passthrough of an x86 host's device "
                "(choose an IBM Z PCI function and its zPCI ids)"
            )
            imported.lost.append(Change("not-carried", where, line, what))
        else:
            kept.append(i)
    if len(kept) != len(devices):
        _renumber(imported, "passthrough", kept)
        imported.answers.passthrough = [devices[i] for i in kept]


def _x86_bridges(imported: Imported) -> None:
    """An x86 guest's pci-bridges hold its PCI devices, which do not come along: dropped
    and said, as every other virtual PCI controller of it is."""
    if imported.s390:
        return
    for i in range(len(imported.answers.pci_bridges)):
        what = "dropped PCI controller pci-bridge: an x86 guest's PCI bus"
        _change(imported, "ccw-only", f"pci_bridges[{i}]", what)
    imported.answers.pci_bridges = []


def _renumber(imported: Imported, key: str, kept: list[int]) -> None:
    """Where each remaining list entry (by its old index) was read from, under its new one."""
    moves = {f"{key}[{old}]": f"{key}[{new}]" for new, old in enumerate(kept)}
    pattern = re.compile(rf"^{re.escape(key)}\[\d+\]")

    def moved(table: dict[str, T]) -> dict[str, T]:
        out: dict[str, T] = {}
        for path, value in table.items():
            m = pattern.match(path)
            if m is None:
                out[path] = value
            elif m.group(0) in moves:
                out[moves[m.group(0)] + path[m.end() :]] = value
        return out

    imported.where = moved(imported.where)
    imported.sources = moved(imported.sources)


def _boot_devs(imported: Imported) -> None:
    """<os><boot dev=…> becomes a boot order on the first device of that kind, as the
    BIOS would have tried them, unless a device already has one."""
    from zwizard.devices import entries

    a: Answers = imported.answers
    if any(item.boot_order for kind, _, item in entries(a) if kind.boots):
        return
    order = 1
    for dev, where, line in imported.boot_devs:
        vfio_ccw = [p for p in a.passthrough if p.type == "vfio-ccw"]
        pools: dict[str, list[Disk] | list[Nic] | list[Passthrough]] = {
            # without a disk the plan boots the first vfio-ccw DASD, as the firmware would
            "hd": [d for d in a.disks if d.device == "disk"] or ([] if a.disks else vfio_ccw),
            "cdrom": [d for d in a.disks if d.device == "cdrom"],
            "network": a.nics,
        }
        pool = pools.get(dev, [])
        if pool and pool[0].boot_order is None:
            pool[0].boot_order = order
            what = f"<boot dev='{dev}'> -> boot order {order} on that device"
            imported.changes.append(Change("boot-order", where, line, what))
            # said at the device too, where its new <boot order> is written
            key = (
                "nics" if dev == "network"
                else "disks" if any(pool[0] is d for d in a.disks)
                else "passthrough"
            )  # fmt: skip
            index = next(i for i, x in enumerate(getattr(a, key)) if x is pool[0])
            at, at_line = imported.locate(f"{key}[{index}]")
            what = f"boot order {order}, from <boot dev='{dev}'>"
            imported.changes.append(Change("boot-order", at, at_line, what))
            order += 1


def _implied(imported: Imported) -> None:
    """What the converted guest gains or loses beside its devices, said where it shows:
    a controller nothing sits on any more, one a device moved onto SCSI needs, the s390
    panic device libvirt adds to every s390x guest, and libvirt's <boot dev='hd'/> when
    no device boots any more."""
    from zwizard.devices.channel import CONTROLLER
    from zwizard.devices.disk import SCSI_CONTROLLER, on_scsi
    from zwizard.plan import make_plan

    a = imported.answers
    plan = make_plan(a)
    at, at_line = imported.devices_at
    # controller 1 on (sdh …): libvirt adds one the source leaves out just as it would for
    # the output, so only a stated one nothing sits on any more is said
    further = [
        (key, f"virtio-scsi {key.removeprefix(SCSI_CONTROLLER)}")
        for key in imported.controllers
        if key.startswith(SCSI_CONTROLLER) and key != SCSI_CONTROLLER
    ]
    for key, noun in ((SCSI_CONTROLLER, "virtio-scsi"), *further, (CONTROLLER, "virtio-serial")):
        stated = imported.controllers.get(key)
        if stated is not None and key not in plan.ccw:
            what = f"the {noun} controller: nothing converted sits on it"
            imported.lost.append(Change("not-carried", *stated, what))
        elif (
            stated is None
            and key in plan.ccw
            and not (key == SCSI_CONTROLLER and imported.scsi_stated)
        ):  # the source's own SCSI device gets it from libvirt as well: nothing changes
            rule, user = "channel", "a virtio-serial channel"
            if key == SCSI_CONTROLLER:
                scsi = [d.device for d in a.disks if on_scsi(d)]
                rule, user = (
                    ("cdrom-bus", "a CD-ROM") if "cdrom" in scsi
                    else ("disk-lun", "a LUN") if "lun" in scsi
                    else ("scsi-passthrough", "a SCSI device")
                )  # fmt: skip
            what = f"{noun} controller added at ccw {plan.ccw[key].busid}: {user} sits on it"
            imported.changes.append(Change(rule, at, at_line, what))
    if not imported.panic:
        what = "panic model s390 added: libvirt adds it to every s390x guest"
        imported.changes.append(Change("s390-machine", at, at_line, what))
    if not plan.boot and not imported.boot_devs:
        what = "no device boots: libvirt adds <boot dev='hd'/> (zwizard writes none)"
        imported.changes.append(Change("boot-order", *imported.os_at, what))
    elif plan.boot_assigned and not imported.boot_devs:
        # nothing stated a boot order: libvirt would write <boot dev='hd'/>, which IBM Z
        # does not take; zwizard gives the first disk (or DASD) order 1 instead, said there
        first = ", ".join(f"{path} boot order {n}" for path, n in plan.boot.items())
        what = f"no device boots: libvirt would add <boot dev='hd'/>; instead {first}"
        imported.changes.append(Change("boot-order", *imported.os_at, what))
        for path, n in plan.boot.items():
            what = f"boot order {n}: no device boots (libvirt would add <boot dev='hd'/>)"
            _change(imported, "boot-order", path, what)


# in this order: the model first (its features go with it), then the TCG mode; devices
# are dropped before boot orders are mapped onto what remains
def _input_addresses(imported: Imported) -> None:
    """Where a device's address was left to libvirt, the converted guest could get another
    one: a device convert does not carry (a 9p share) held an address, or zwizard writes
    devices in another order (a tablet listed before the keyboard). The address libvirt
    gives it in the source is then stated, so the guest sees its devices where they were;
    nothing changes, so nothing is said."""
    from zwizard.address import parse_ccw
    from zwizard.devices import entries
    from zwizard.plan import make_plan

    a = imported.answers
    items = {path: item for _, path, item in entries(a)}
    for _ in range(len(imported.input_ccw) + 1):  # each stated one may move the others
        plan = make_plan(a)
        moved = {
            key: busid
            for key, busid in imported.input_ccw.items()
            if key in plan.ccw and plan.ccw[key] != parse_ccw(busid)
        }
        if not moved:
            return
        for key, busid in moved.items():
            if key in items:
                items[key].ccw = busid
            else:
                a.addresses[key] = busid


STEPS: tuple[Callable[[Imported], None], ...] = (
    _smbios,
    _vcpus,
    _cpu,
    _memory,
    *(part.convert for part in PARTS if part.convert is not None),  # clock, watchdog
    _disks,
    _secure_execution,
    _virtual_css,
    _nics,
    _x86_pci,
    _x86_bridges,
    _boot_devs,
    _implied,
    _input_addresses,
)

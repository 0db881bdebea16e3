"""Rules on device addresses, the boot order and loadparm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwizard.devices import entries
from zwizard.findings import Collector as _Collector
from zwizard.findings import reports
from zwizard.lazy import Pattern
from zwizard.model import Answers

if TYPE_CHECKING:
    pass
from zwizard.address import VIRTUAL_CSSID, parse_ccw
from zwizard.limits import LOADPARM, MAX_BOOT_ORDER
from zwizard.plan import Plan
from zwizard.stack_versions import (
    DEFAULT_STACK,
    Stack,
)

# --- disks, NICs, addresses, boot --------------------------------------------------------


@reports("ccw-address")
def _addresses(a: Answers, plan: Plan, out: _Collector) -> None:
    given: dict[str, str] = {
        path: item.ccw for _, path, item in entries(a) if getattr(item, "ccw", None) is not None
    }
    given.update(a.addresses)  # the devices without a list: keyed as in plan.ccw

    def key(path: str) -> str:  # the answers key a bus-id was given at
        return f"addresses.{path}" if path in a.addresses else f"{path}.ccw"

    for path in a.addresses:
        if not ADDRESSED.fullmatch(path):
            out.error("ccw-address", key(path), f"no device '{path}' takes an address here")
    for path, text in given.items():
        addr = parse_ccw(text)
        if addr is None:
            out.error(
                "ccw-address",
                key(path),
                f"'{text}' is not a ccw bus-id; write it as fe.0.0001 (cssid.ssid.devno, hex)",
            )
        elif addr.ssid > 3:
            out.error("ccw-address", key(path), f"ssid {addr.ssid:x} is out of range 0-3")
        elif addr.cssid != VIRTUAL_CSSID:
            out.error(
                "ccw-address",
                key(path),
                f"'{text}': virtio devices live in channel subsystem fe "
                f"(e.g. fe.0.{addr.devno:04x})",
            )
    seen: dict[Any, str] = {}
    for path, addr in plan.ccw.items():
        if addr in seen:
            where = key(path) if path in given else key(seen[addr])
            out.error(
                "ccw-address",
                where,
                f"ccw address {addr.busid} is used by both {seen[addr]} and {path}",
            )
        else:
            seen[addr] = path


# the [addresses] keys: devices without an answers list of their own (plan.ccw's keys)
ADDRESSED = Pattern(
    r"memballoon|rng|vsock|keyboard|mouse|virtio-serial-controller|virtio-console"
    r"|scsi-controller([1-9]\d*)?|video([2-9]|[1-9]\d+)?|input[1-9]\d*"
)


@reports("boot-order", "loadparm")
def _boot(a: Answers, plan: Plan, out: _Collector, stack: Stack = DEFAULT_STACK) -> None:
    devices = [(path, item) for kind, path, item in entries(a) if kind.boots]
    orders: dict[int, list[str]] = {}
    for path, dev in devices:
        order = dev.boot_order
        if order is not None:
            if order < 1:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order}: orders start at 1 (libvirt refuses zero and below)",
                )
            elif order > MAX_BOOT_ORDER:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order}: libvirt keeps it in an unsigned int "
                    f"(at most {MAX_BOOT_ORDER})",
                )
            orders.setdefault(order, []).append(path)
        if dev.loadparm is not None:
            _loadparm(dev.loadparm, path, a, plan, out, stack)
    if not plan.boot and not a.pxe.enabled and a.kernel is None:
        out.warn(
            "boot-order",
            "disks",
            "nothing to boot from: no disk and no vfio-ccw DASD, and no network interface "
            "has a boot order (the guest would start and stop at once)",
        )
    for order, paths in orders.items():
        if len(paths) > 1:
            for path in paths[1:]:
                out.error(
                    "boot-order",
                    f"{path}.boot_order",
                    f"boot order {order} is already used by {paths[0]}; each device needs its own",
                )


def _loadparm(value: str, path: str, a: Answers, plan: Plan, out: _Collector, stack: Stack) -> None:
    per_device = stack.allows("per-device-loadparm")
    lp = f"{path}.loadparm"
    if not LOADPARM.fullmatch(value.upper()):
        out.error(
            "loadparm",
            lp,
            f"loadparm '{value}' must be 1 to 8 characters of A-Z, 0-9, '.' and blank "
            "(PROMPT shows the boot menu, 1-31 pick an entry)",
        )
    elif not value.strip():
        out.error(
            "loadparm",
            lp,
            f"loadparm '{value}' is only blanks: libvirt refuses it at define (\"loadparm value "
            f"'{value}' must be between 1 and 8 characters\"); give a letter or digit, or none",
        )
    elif path not in plan.boot:
        out.error("loadparm", lp, "a loadparm needs a boot order on the same device")
    elif plan.first_boot != path and not per_device:
        out.warn(
            "loadparm",
            lp,
            f"libvirt uses only the loadparm of the device that boots first ({plan.first_boot}); "
            f"this one is ignored (a loadparm per device {stack.verdict('per-device-loadparm')})",
        )
    elif path.startswith("passthrough[") and not per_device:
        out.warn(
            "loadparm",
            lp,
            "libvirt 9.0 and older pass only a disk's or interface's loadparm to QEMU "
            "(-machine loadparm=) and drop this vfio-ccw one without a word; newer libvirt "
            "passes it (qemuAppendLoadparmMachineParm). On such a host, choose the zipl "
            f"entry inside the guest (zipl.conf default) instead; judged on {stack.describe()}",
        )
    elif path.startswith("nics[") and a.pxe.enabled and value.strip().isdigit():
        entry = int(value)
        if entry > 1:
            out.error(
                "loadparm",
                lp,
                f"loadparm {value} on the netbooting NIC selects pxelinux entry {entry}, but "
                f"the file has one label ('{a.pxe.label}'): current s390 firmware "
                "(pc-bios/s390-ccw/netmain.c) aborts; QEMU 7.2 ignores it. Leave it empty",
            )

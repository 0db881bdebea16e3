"""This host's own files: sysfs and /proc (mediated devices, PCI functions, DASDs and
what uses them, css subchannels, the AP bus and matrix devices with mdevctl's definitions,
the Ultravisor, CPUs online, SCSI generic nodes, interfaces). No root needed where the
files are readable; `root` lets tests point at a fake tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from zwizard.host.facts import ApState, Dasd, Interface, Mdev, PciFunction, SecureExecutionHost
from zwizard.lazy import Pattern

# an AP queue as the AP bus names it: adapter (APID) and domain (APQI), hex
APQN = Pattern(r"[0-9a-fA-F]{2}\.[0-9a-fA-F]{4}")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def read_mdevs(sysfs: Path, in_use: dict[str, str]) -> list[Mdev]:
    out: list[Mdev] = []
    folder = sysfs / "bus" / "mdev" / "devices"
    if not folder.is_dir():
        return out
    for dev in sorted(folder.iterdir()):
        mtype = dev / "mdev_type"
        api = _read(mtype / "device_api") or "unknown"
        type_name = os.path.basename(os.path.realpath(mtype)) if mtype.exists() else "?"
        parent = os.path.basename(os.path.dirname(os.path.realpath(dev)))
        uuid = dev.name.lower()
        out.append(Mdev(uuid, api.replace("_", "-"), type_name, parent, in_use.get(uuid)))
    return out


def read_pci(sysfs: Path, in_use: dict[str, str]) -> list[PciFunction]:
    out: list[PciFunction] = []
    folder = sysfs / "bus" / "pci" / "devices"
    if not folder.is_dir():
        return out
    for dev in sorted(folder.iterdir()):
        driver = dev / "driver"
        name = os.path.basename(os.path.realpath(driver)) if driver.exists() else None
        addr = dev.name.lower()
        out.append(
            PciFunction(
                addr, _read(dev / "uid"), _read(dev / "function_id"), name, in_use.get(addr)
            )
        )
    return out


def cpu_list(text: str) -> set[int] | None:
    """A Linux/libvirt CPU list (0-3,6,^2) as a set; None when it is not one."""
    chosen: set[int] = set()
    for item in text.strip().split(","):
        negate = item.startswith("^")
        low, _, high = item.lstrip("^").partition("-")
        if not (low.isascii() and low.isdigit()) or (
            high and not (high.isascii() and high.isdigit())
        ):
            return None
        span = set(range(int(low), int(high or low) + 1))
        chosen = chosen - span if negate else chosen | span
    return chosen


def read_cpu_list(path: Path) -> set[int] | None:
    try:
        return cpu_list(path.read_text())
    except OSError:
        return None


def read_scsi(sysfs: Path) -> list[str]:
    """SCSI devices libvirt can pass through: those with a generic (sg) node, which it
    opens at start ("cannot open directory …/scsi_generic" otherwise, seen)."""
    folder = sysfs / "bus" / "scsi" / "devices"
    if not folder.is_dir():
        return []
    return sorted(
        d.name for d in folder.iterdir() if d.name.count(":") == 3 and (d / "scsi_generic").is_dir()
    )


def read_dasds(sysfs: Path, root: Path = Path("/")) -> list[Dasd]:
    out = []
    mounts = _read(root / "proc" / "mounts") or ""
    swaps = _read(root / "proc" / "swaps") or ""
    for driver in ("dasd-eckd", "dasd-fba"):
        folder = sysfs / "bus" / "ccw" / "drivers" / driver
        if not folder.is_dir():
            continue
        for dev in sorted(folder.iterdir()):
            if dev.name.count(".") != 2:
                continue
            online = _read(dev / "online") == "1"
            # dasd -> its ccw device -> the subchannel above it (/sys/devices/css0/0.0.0013/…)
            parent = os.path.basename(os.path.dirname(os.path.realpath(dev)))
            subchannel = parent if parent.count(".") == 2 else None
            busy = _dasd_in_use(dev, mounts, swaps) if online else None
            out.append(Dasd(dev.name, _read(dev / "devtype") or "?", online, subchannel, busy))
    return out


def _dasd_in_use(dev: Path, mounts: str, swaps: str) -> str | None:
    """Why the host still uses an online DASD: a mounted or swapped-on partition, or a
    holder (LVM, multipath, dm-crypt) on the disk or one of its partitions."""
    block = dev / "block"
    disks = sorted(block.iterdir()) if block.is_dir() else []
    for disk in disks:
        nodes = [disk, *sorted(p for p in disk.iterdir() if p.name.startswith(disk.name))]
        for node in nodes:
            name = f"/dev/{node.name}"
            for line in mounts.splitlines():
                fields = line.split()
                if fields and fields[0] == name:
                    return f"{name} is mounted at {fields[1]}"
            if any(line.split()[:1] == [name] for line in swaps.splitlines()):
                return f"{name} is swap space"
            holders = node / "holders"
            held = sorted(h.name for h in holders.iterdir()) if holders.is_dir() else []
            if held:
                return f"{name} is held by {', '.join(held)}"
    return None


def read_subchannels(sysfs: Path) -> dict[str, str | None]:
    """css subchannel id -> its driver (io_subchannel for the host, vfio_ccw for guests)."""
    folder = sysfs / "bus" / "css" / "devices"
    if not folder.is_dir():
        return {}
    out: dict[str, str | None] = {}
    for dev in sorted(folder.iterdir()):
        driver = dev / "driver"
        out[dev.name] = os.path.basename(os.path.realpath(driver)) if driver.exists() else None
    return out


def read_ap(sysfs: Path, root: Path = Path("/")) -> ApState:
    """AP queues (/sys/bus/ap/devices/AA.DDDD) with their drivers, and the queues every
    matrix mediated device holds: running ones from sysfs, defined ones from mdevctl's
    configuration (/etc/mdevctl.d/matrix/UUID), since either keeps its queues."""
    state = ApState()
    devices = sysfs / "bus" / "ap" / "devices"
    state.bus = (sysfs / "bus" / "ap").is_dir()
    if devices.is_dir():
        for dev in sorted(devices.iterdir()):
            if APQN.fullmatch(dev.name):
                driver = dev / "driver"
                name = os.path.basename(os.path.realpath(driver)) if driver.exists() else None
                state.queues[dev.name.lower()] = name
    matrix = sysfs / "devices" / "vfio_ap" / "matrix"
    if matrix.is_dir():
        for dev in sorted(matrix.iterdir()):
            if (dev / "matrix").is_file():
                lines = (_read(dev / "matrix") or "").split()
                state.matrix[dev.name.lower()] = {q.lower() for q in lines if APQN.fullmatch(q)}
                control = (_read(dev / "control_domains") or "").split()
                state.control[dev.name.lower()] = {int(c, 16) for c in control if _hex(c)}
    defined = root / "etc" / "mdevctl.d" / "matrix"
    if defined.is_dir():
        for conf in sorted(defined.iterdir()):
            adapters, domains, controls = _mdevctl_assignments(conf)
            queues = {f"{a:02x}.{d:04x}" for a in adapters for d in domains}
            state.matrix.setdefault(conf.name.lower(), set()).update(queues)
            state.control.setdefault(conf.name.lower(), set()).update(controls)
    return state


def _hex(text: str) -> bool:
    digits = text.removeprefix("0x")  # "0x" alone is no number
    return bool(digits) and all(c in "0123456789abcdefABCDEF" for c in digits)


def _mdevctl_assignments(conf: Path) -> tuple[list[int], list[int], list[int]]:
    import json

    try:
        data = json.loads(conf.read_text())
    except (OSError, ValueError):
        return [], [], []
    found: dict[str, list[int]] = {
        "assign_adapter": [],
        "assign_domain": [],
        "assign_control_domain": [],
    }
    for attr in data.get("attrs", []) if isinstance(data, dict) else []:
        for key, value in attr.items() if isinstance(attr, dict) else []:
            if key in found and isinstance(value, str) and _hex(value):
                found[key].append(int(value, 16) if value.startswith("0x") else int(value))
    return found["assign_adapter"], found["assign_domain"], found["assign_control_domain"]


def read_se(sysfs: Path, root: Path = Path("/")) -> SecureExecutionHost:
    pv = _read(sysfs / "firmware" / "uv" / "prot_virt_host")
    cpuinfo = _read(root / "proc" / "cpuinfo") or ""
    facilities = next((ln for ln in cpuinfo.splitlines() if ln.startswith("facilities")), None)
    return SecureExecutionHost(
        prot_virt_host=None if pv is None else pv == "1",
        facility_158=None if facilities is None else "158" in facilities.split(":", 1)[1].split(),
        image_tools=[t for t in ("pvimg", "genprotimg") if shutil.which(t)],
    )


def read_interfaces(sysfs: Path) -> list[Interface]:
    out: list[Interface] = []
    folder = sysfs / "class" / "net"
    if not folder.is_dir():
        return out
    for dev in sorted(folder.iterdir()):
        if dev.name == "lo":
            continue
        state = _read(dev / "operstate")
        out.append(Interface(dev.name, (dev / "bridge").is_dir(), state in ("up", "unknown")))
    return out

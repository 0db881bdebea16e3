"""What the KVM host really has: CPU models, Secure Execution, mediated devices,
PCI functions, DASDs, interfaces, bridges and libvirt networks.

Read with short timeouts from `virsh` and from sysfs (no root needed where the
files are readable). Everything is optional: without a host the answers are
judged as before, and `HostInfo.unavailable` says once what could not be read.
`root` lets tests point sysfs at a fake tree; `run` lets them feed recorded
virsh output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zwizard import xmlsafe
from zwizard.address import PCI_KEYS, pci_from_attributes
from zwizard.lazy import Pattern
from zwizard.structure import field, record

TIMEOUT = 5.0
# an AP queue as the AP bus names it: adapter (APID) and domain (APQI), hex
APQN = Pattern(r"[0-9a-fA-F]{2}\.[0-9a-fA-F]{4}")
C_LOCALE = {**os.environ, "LC_ALL": "C"}
Runner = Callable[[list[str]], str | None]


@record(frozen=True)
class Mdev:
    uuid: str
    kind: str  # vfio-ap | vfio-ccw | another device_api
    type_name: str  # e.g. vfio_ap-passthrough
    parent: str
    in_use_by: str | None = None  # a defined guest that already has it


@record(frozen=True)
class PciFunction:
    address: str
    uid: str | None  # zPCI user-defined id, when the platform shows it
    fid: str | None  # zPCI function id
    driver: str | None
    in_use_by: str | None = None


@record(frozen=True)
class Dasd:
    busid: str
    devtype: str
    online: bool
    subchannel: str | None = None  # the css device it sits on, e.g. 0.0.0013
    in_use: str | None = None  # why the host still needs it: "mounted at /srv", "swap"


@record
class ApState:
    """The host's AP (crypto) bus: which queues exist, who drives them, and which
    matrix mediated devices (running, or defined with mdevctl) already hold them."""

    bus: bool = False  # /sys/bus/ap exists
    queues: dict[str, str | None] = field(default_factory=dict)  # "05.0004" -> driver
    matrix: dict[str, set[str]] = field(default_factory=dict)  # mdev uuid -> APQNs
    control: dict[str, set[int]] = field(default_factory=dict)  # mdev uuid -> control domains


@record
class SecureExecutionHost:
    """What a Secure Execution preflight reads (None: could not be read)."""

    prot_virt_host: bool | None = None  # /sys/firmware/uv/prot_virt_host
    facility_158: bool | None = None  # the Ultravisor facility, /proc/cpuinfo
    image_tools: list[str] = field(default_factory=list)  # pvimg / genprotimg on PATH


@record(frozen=True)
class Interface:
    name: str
    bridge: bool
    up: bool


@record(frozen=True)
class Network:
    name: str
    active: bool


@record
class HostInfo:
    """What discovery found; empty lists and None where nothing could be read."""

    domain_type: str = "kvm"
    uri: str = "qemu:///system"
    label: str = "this host"  # how messages name it when several hosts are judged
    reachable: bool = True
    machines: list[str] = field(default_factory=list)  # s390x machine types (capabilities)
    canonical_machine: str | None = None  # what s390-ccw-virtio means there (domcapabilities)
    cpu_usable: list[str] = field(default_factory=list)
    cpu_unusable: list[str] = field(default_factory=list)
    cpu_modes: dict[str, bool] = field(default_factory=dict)
    host_model: str | None = None
    s390_pv: bool | None = None
    vcpu_max: int | None = None
    mdevs: list[Mdev] = field(default_factory=list)
    pci: list[PciFunction] = field(default_factory=list)
    dasds: list[Dasd] = field(default_factory=list)
    interfaces: list[Interface] = field(default_factory=list)
    networks: list[Network] | None = None  # None: libvirt could not be asked
    pools: dict[str, list[str]] | None = None  # storage pool -> its volumes; None: not asked
    scsi: list[str] = field(default_factory=list)  # H:C:T:L of SCSI devices with an sg node
    cpus_online: set[int] | None = None  # host CPUs online (/sys/devices/system/cpu/online)
    host_model_features: set[str] = field(default_factory=set)  # required by host-model
    qemu_version: tuple[int, ...] | None = None  # `virsh version`: the running hypervisor
    libvirt_version: tuple[int, ...] | None = None  # the daemon's (`virsh version --daemon`)
    libvirt_from_daemon: bool = False  # False: the client library's, the daemon's unread
    caps_virt_type: str | None = None  # the virt type whose domain capabilities were read
    cpu_blockers: dict[str, list[str]] = field(default_factory=dict)  # model -> features
    emulator: str | None = None  # the QEMU binary domcapabilities names
    used_by: dict[str, str] = field(default_factory=dict)  # mdev uuid / PCI address -> guest
    subchannel_drivers: dict[str, str | None] = field(default_factory=dict)  # css id -> driver
    ap: ApState = field(default_factory=ApState)
    dasd_state_known: bool = True  # False where libvirt alone was asked (another host)
    se: SecureExecutionHost = field(default_factory=SecureExecutionHost)
    sysfs: bool = False  # sysfs was readable, so an absent device is really absent
    unavailable: list[str] = field(default_factory=list)  # what could not be read, and why

    @property
    def has_domcaps(self) -> bool:
        """Domain capabilities of the guests' own virt type were read: the rules judge by
        them (a kvm host's qemu fallback is shown by `zwizard hosts`, never judged by)."""
        return bool(self.cpu_modes) and self.caps_virt_type in (None, self.domain_type)

    @property
    def se_ap(self) -> bool:
        """AP queues in Secure Execution guests: host-model carries QEMU's 'appv' (UV
        feature bit 4, BIT_UV_FEAT_AP), which needs a z16, a KVM that passes it on
        and a QEMU that knows it (target/s390x/cpu_features_def.h.inc)."""
        return "appv" in self.host_model_features

    def summary(self) -> str:
        if self.unavailable and not (self.has_domcaps or self.mdevs or self.interfaces):
            return "host data unavailable: " + "; ".join(self.unavailable)
        parts = [f"{len(self.cpu_usable)} usable CPU models" if self.has_domcaps else ""]
        if self.s390_pv is not None:
            parts.append("Secure Execution " + ("supported" if self.s390_pv else "not supported"))
        parts.append(f"{len(self.mdevs)} mediated devices, {len(self.pci)} PCI functions")
        if self.networks is not None:
            parts.append(f"{len(self.networks)} libvirt networks")
        return ", ".join(p for p in parts if p)


class Virsh:
    """`virsh -c URI` as a Runner: one command per call (stdout, or None when it failed;
    `last_error` keeps virsh's words), or many in one connection with `batch`. Over ssh
    nothing may ask for a password: stdin is closed, and libvirt's no_tty=1 is added to
    ssh URIs (BatchMode)."""

    def __init__(self, uri: str, timeout: float = TIMEOUT) -> None:
        self.uri = batch_uri(uri)
        self.timeout = timeout
        self.exe = shutil.which("virsh")
        self.last_error = ""

    def _virsh(
        self, args: list[str], timeout: float | None = None
    ) -> subprocess.CompletedProcess | None:
        if self.exe is None:
            self.last_error = "virsh is not installed"
            return None
        timeout = timeout or self.timeout
        try:
            return subprocess.run(
                [self.exe, "-c", self.uri, *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                env=C_LOCALE,  # virsh translates its tables; zwizard reads them
            )
        except subprocess.TimeoutExpired:
            self.last_error = f"no answer within {timeout:g} s"
        except OSError as exc:
            self.last_error = exc.strerror or str(exc)
        return None

    def __call__(self, args: list[str]) -> str | None:
        out = self._virsh(args)
        if out is None:
            return None
        if out.returncode != 0:
            self.last_error = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
            return None
        return out.stdout

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        """Many commands over one connection (virsh runs a ';'-separated list and goes on
        after a failing one): a failed command's output is empty; None for all when the
        connection failed."""
        if not commands:
            return []
        import secrets
        import shlex

        # a marker of this call's own: guest data (a <description>, a name) cannot hold
        # it, so no guest can forge where one command's output ends and the next begins
        mark = f"{BATCH_MARK}{secrets.token_hex(16)}-"
        script = "; ".join(
            f"echo {mark}{i}; " + " ".join(shlex.quote(a) for a in cmd)
            for i, cmd in enumerate(commands)
        )
        # a host with many AP queues asks for hundreds of definitions: each may take a
        # little time, the connection itself is what the timeout guards
        out = self._virsh([script], self.timeout + 0.05 * len(commands))
        if out is None:
            return [None] * len(commands)
        parts = out.stdout.split(mark)[1:]
        found: dict[int, str] = {}
        for part in parts:
            head, _, body = part.partition("\n")
            if head.strip().isdigit():
                found[int(head)] = body
        if not found and out.stderr.strip():  # no connection: virsh's own words
            self.last_error = out.stderr.strip().splitlines()[-1]
        # a command that ran but failed leaves its section empty: read as empty output
        return [found.get(i) for i in range(len(commands))]


BATCH_MARK = "@@zwizard-batch-"


def first_round(domain_type: str, remote: bool) -> list[list[str]]:
    """The commands discovery always runs, asked together (each a connection of its own:
    over ssh one costs a round trip, so in turn they would add up)."""
    commands = [
        ["uri"],
        ["domcapabilities", "--arch", "s390x", "--virttype", domain_type],
        GUEST_LIST,
        VERSION,
        ["capabilities"],
        ["net-list", "--all", "--name"],
        ["net-list", "--name"],
        ["pool-list", "--all", "--name"],
    ]
    if remote:
        caps = ("mdev", "ap_queue", "ap_matrix", "pci", "ccw", "css")
        commands += [["nodedev-list", "--cap", cap] for cap in caps] + [["iface-list", "--all"]]
    return commands


def second_round(run: Runner) -> list[list[str]]:
    """What the first answers ask for next — every guest's definition, every pool's
    volumes, the node devices' details — asked over one connection."""
    commands = [["dumpxml", "--inactive", uuid] for uuid, _ in guest_list(run)]
    commands += [
        ["vol-list", "--pool", p] for p in (run(["pool-list", "--all", "--name"]) or "").split()
    ]
    for cap in ("mdev", "ap_queue", "pci"):
        commands += [
            ["nodedev-dumpxml", n] for n in (run(["nodedev-list", "--cap", cap]) or "").split()
        ]
    table = run(["iface-list", "--all"]) or ""
    commands += [["iface-dumpxml", row.split()[0]] for row in table.splitlines()[2:] if row.split()]
    return commands


class Prefetched:
    """A Runner whose answers to `commands` were asked for up front — over one
    connection where the runner can batch (virsh), else in parallel; other commands
    (and batches) go to the runner underneath."""

    def __init__(self, run: Runner, commands: list[list[str]]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.run = run
        if hasattr(run, "batch"):  # one connection: over ssh each costs a key exchange
            answers = run.batch(commands)
        else:
            with ThreadPoolExecutor(max_workers=8) as pool:
                answers = list(pool.map(run, commands))
        self.cache = {tuple(c): a for c, a in zip(commands, answers, strict=True)}

    def add_batch(self, commands: list[list[str]]) -> None:
        answers = batch(self.run, commands)
        self.cache.update({tuple(c): a for c, a in zip(commands, answers, strict=True)})

    def __call__(self, args: list[str]) -> str | None:
        key = tuple(args)
        return self.cache[key] if key in self.cache else self.run(args)

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        missing = [c for c in commands if tuple(c) not in self.cache]
        if missing:
            self.add_batch(missing)
        return [self.cache[tuple(c)] for c in commands]


def batch(run: Runner, commands: list[list[str]]) -> list[str | None]:
    """Many virsh commands: in one connection where the runner can, else one by one."""
    many = getattr(run, "batch", None)
    return many(commands) if many is not None else [run(c) for c in commands]


def virsh_runner(uri: str) -> Runner:
    return Virsh(uri)


def is_remote(uri: str) -> bool:
    """qemu+ssh://host/system, qemu+tls://host/system or qemu://host/system reach
    another machine; qemu:///system is this one."""
    scheme, _, rest = uri.partition("://")
    return "+" in scheme or bool(rest.split("/", 1)[0])


def host_label(uri: str) -> str:
    """How messages name a host: its host name, or 'this host'."""
    if not is_remote(uri):
        return "this host"
    netloc = uri.partition("://")[2].split("/", 1)[0]
    return netloc.rpartition("@")[2] or uri


def batch_uri(uri: str) -> str:
    """An ssh URI that never prompts: libvirt's no_tty=1 makes ssh run in BatchMode."""
    scheme = uri.partition("://")[0]
    if "ssh" not in scheme or "no_tty=" in uri:
        return uri
    return uri + ("&" if "?" in uri else "?") + "no_tty=1"


def discover(
    domain_type: str = "kvm",
    *,
    uri: str = "qemu:///system",
    root: str | Path = "/",
    run: Runner | None = None,
) -> HostInfo:
    """Everything discovery can read now; never raises for a missing host.

    Another machine (qemu+ssh://, qemu+tls://) is read through libvirt only: its node
    devices stand in for sysfs, and what libvirt does not expose is said in
    `unavailable`. A host that does not answer is reported at once, not asked again."""
    info = HostInfo(domain_type=domain_type, uri=uri, label=host_label(uri))
    no_virsh = run is None and shutil.which("virsh") is None
    base = run or virsh_runner(uri)
    remote = is_remote(uri)
    run = Prefetched(base, first_round(domain_type, remote))
    if remote and run(["uri"]) is None:
        why = getattr(base, "last_error", "") or "no answer"
        info.reachable = False
        info.unavailable.append(f"cannot reach {uri}: {why}")
        return info
    run.add_batch(second_round(run))
    sysfs = Path(root) / "sys"
    caps = run(["domcapabilities", "--arch", "s390x", "--virttype", domain_type])
    problem = "" if caps else "none given"
    if caps:
        try:
            parse_domcaps(caps, info)
            info.caps_virt_type = domain_type
        except xmlsafe.XmlError as exc:
            problem = str(exc)
    if problem and domain_type == "kvm" and not no_virsh:
        # a lab host without KVM (seen: "not well-formed XML" for --virttype kvm): the
        # qemu (TCG) capabilities still say what this libvirt and QEMU know
        tcg = run(["domcapabilities", "--arch", "s390x", "--virttype", "qemu"])
        try:
            if tcg:
                parse_domcaps(tcg, info)
                info.caps_virt_type = "qemu"
                info.unavailable.append(
                    f"libvirt gave no s390x/kvm capabilities ({problem}): the qemu (TCG) "
                    "ones are shown instead; KVM guests are not judged by them"
                )
                problem = ""
        except xmlsafe.XmlError:
            pass
    if problem and caps:
        info.unavailable.append(f"libvirt's s390x capabilities could not be read: {problem}")
    elif problem:
        why = (
            "virsh is not installed"
            if no_virsh
            else f"libvirt ({uri}) gave no s390x/{domain_type} capabilities"
        )
        info.unavailable.append(why)
    in_use = guests_using(run)
    info.used_by = in_use
    versions = run(VERSION) or ""
    info.qemu_version, info.libvirt_version = parse_versions(versions)
    info.libvirt_from_daemon = "Running against daemon:" in versions
    info.machines = machine_types(run(["capabilities"]) or "")
    if remote:
        read_node_devices(run, info, in_use)
        _libvirt_lists(run, info)
        return info
    info.mdevs = read_mdevs(sysfs, in_use)
    info.pci = read_pci(sysfs, in_use)
    info.dasds = read_dasds(sysfs, Path(root))
    info.subchannel_drivers = read_subchannels(sysfs)
    info.ap = read_ap(sysfs, Path(root))
    info.se = read_se(sysfs, Path(root))
    if info.qemu_version is None and info.emulator and Path(info.emulator).is_file():
        # `virsh version` fails where the host has no emulator for its own arch (seen
        # here); the s390x emulator libvirt named answers for itself
        info.qemu_version = emulator_version(info.emulator)
    info.scsi = read_scsi(sysfs)
    info.cpus_online = read_cpu_list(sysfs / "devices" / "system" / "cpu" / "online")
    info.interfaces = read_interfaces(sysfs)
    _libvirt_lists(run, info)
    info.sysfs = (sysfs / "bus").is_dir()
    if not info.sysfs:
        info.unavailable.append(f"no sysfs at {sysfs}")
    return info


def _libvirt_lists(run: Runner, info: HostInfo) -> None:
    """Networks and storage pools: libvirt's own lists, local or remote alike."""
    # --name lists are one name a line in any locale (the table's State column is translated)
    nets = run(["net-list", "--all", "--name"])
    active = run(["net-list", "--name"]) if nets is not None else None
    info.networks = (
        [Network(n, n in set((active or "").split())) for n in nets.split()]
        if nets is not None
        else None
    )
    if nets is None:
        info.unavailable.append("libvirt networks could not be listed")
    pools = run(["pool-list", "--all", "--name"])
    if pools is not None:
        info.pools = {}
        names = pools.split()
        tables = batch(run, [["vol-list", "--pool", pool] for pool in names])
        for pool, table in zip(names, tables, strict=True):
            info.pools[pool] = volume_names(table or "")


def volume_names(table: str) -> list[str]:
    """The names in `virsh vol-list` (libvirt 9.0 has no --name there): the rows below
    the dashed rule, each a name and then its path (which starts with '/')."""
    lines = table.splitlines()
    rule = next((i for i, line in enumerate(lines) if line.strip().startswith("---")), None)
    rows = lines[rule + 1 :] if rule is not None else []
    return [row.strip().rsplit(None, 1)[0] for row in rows if len(row.split()) >= 2]


def parse_domcaps(text: str, info: HostInfo) -> None:
    root = xmlsafe.parse(text.encode(), "virsh domcapabilities", root="domainCapabilities")
    machine = root.find("machine")
    info.canonical_machine = machine.text.strip() if machine is not None and machine.text else None
    path = root.find("path")
    info.emulator = path.text.strip() if path is not None and path.text else None
    vcpu = root.find("vcpu")
    if vcpu is not None and (most := vcpu.get("max") or "").isdigit():
        info.vcpu_max = int(most)
    for mode in root.iterfind("cpu/mode"):
        info.cpu_modes[mode.get("name", "")] = mode.get("supported") == "yes"
        if mode.get("name") == "host-model" and mode.get("supported") == "yes":
            model = mode.find("model")
            info.host_model = model.text.strip() if model is not None and model.text else None
            info.host_model_features = {
                f.get("name", "") for f in mode.iterfind("feature") if f.get("policy") == "require"
            }
    for model in root.iterfind("cpu/mode[@name='custom']/model"):
        name = (model.text or "").strip()
        if name.endswith("-base") or name in ("qemu", "max", "host"):
            continue  # not offered: rule cpu-migration refuses them as custom models
        (info.cpu_usable if model.get("usable") == "yes" else info.cpu_unusable).append(name)
    for blockers in root.iterfind("cpu/mode[@name='custom']/blockers"):
        # libvirt 10.9 and later: the features that keep a model from being usable
        names = [f.get("name", "") for f in blockers.iterfind("feature") if f.get("name")]
        if blockers.get("model") and names:
            info.cpu_blockers[blockers.get("model", "")] = names
    pv = root.find("features/s390-pv")
    info.s390_pv = pv is not None and pv.get("supported") == "yes"


# every guest as "UUID NAME" a line: a name may hold blanks, and virsh reads a name
# argument as an id, then a UUID, then a name (a guest named '7' or like another guest's
# UUID would be read as that one), so discovery asks for each guest by its UUID
GUEST_LIST = ["list", "--all", "--uuid", "--name"]


def guest_list(run: Runner) -> list[tuple[str, str]]:
    """(UUID, name) of every defined guest."""
    found = []
    for line in (run(GUEST_LIST) or "").splitlines():
        uuid, _, name = line.strip().partition(" ")
        if uuid and name:
            found.append((uuid, name))
    return found


def guests_using(run: Runner) -> dict[str, str]:
    """Mediated-device UUIDs and PCI addresses held by defined guests -> guest name."""
    guests = guest_list(run)
    names = [name for _, name in guests]
    used: dict[str, str] = {}
    xmls = batch(run, [["dumpxml", "--inactive", uuid] for uuid, _ in guests])
    for name, xml in zip(names, xmls, strict=True):
        if not xml:
            continue
        try:
            dom = xmlsafe.parse(xml.encode(), f"virsh dumpxml {name}", root="domain")
        except xmlsafe.XmlError:
            continue  # not ours to judge here; that guest's devices are not counted
        for uuid in xmlsafe.values(dom, "devices/hostdev[@type='mdev']/source/address/@uuid"):
            used[uuid.lower()] = name
        for addr in xmlsafe.find_all(dom, "devices/hostdev[@type='pci']/source/address"):
            pci = pci_from_attributes([addr.get(k) for k in PCI_KEYS])  # as libvirt reads it
            if pci is not None:
                used[pci] = name
    return used


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


def emulator_version(path: str) -> tuple[int, ...] | None:
    """'QEMU emulator version 7.2.19 (Debian …)' -> (7, 2, 19)."""
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=TIMEOUT, env=C_LOCALE
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    words = out.split()
    if "version" not in words or words.index("version") + 1 >= len(words):
        return None
    parts = words[words.index("version") + 1].split(".")
    return tuple(int(p) for p in parts) if all(p.isascii() and p.isdigit() for p in parts) else None


def machine_types(text: str) -> list[str]:
    """The s390x machine types a host's QEMU offers (`virsh capabilities`), versioned
    ones only (s390-ccw-virtio-7.2): what a guest's definition is pinned to."""
    if not text:
        return []
    try:
        root = xmlsafe.parse(text.encode(), "virsh capabilities", root="capabilities")
    except xmlsafe.XmlError:
        return []
    names = {
        (m.text or "").strip()
        for m in root.iterfind("guest/arch[@name='s390x']/machine")
        if (m.text or "").strip().startswith("s390-ccw-virtio-")
    }
    return sorted(names, key=machine_version)


def machine_version(name: str) -> tuple[int, ...]:
    """s390-ccw-virtio-7.2 -> (7, 2); RHEL's s390-ccw-virtio-rhel9.4.0 -> (9, 4, 0)."""
    import re

    found = re.search(r"([0-9]+(?:\.[0-9]+)*)$", name.rsplit("-", 1)[-1])
    return tuple(int(p) for p in found[1].split(".")) if found else (0,)


def read_node_devices(run: Runner, info: HostInfo, in_use: dict[str, str]) -> None:
    """Another host's devices as libvirt's node devices show them (nodedev-list, then
    nodedev-dumpxml in one connection): mediated devices with their type, parent and AP
    assignments, AP queues with their driver, PCI functions, ccw devices, interfaces
    (bridges from iface-dumpxml). libvirt does not expose whether a DASD is online or
    used, the AP masks, or the Ultravisor's state: said in `unavailable`."""
    names = {
        cap: (run(["nodedev-list", "--cap", cap]) or "").split()
        for cap in ("mdev", "ap_queue", "ap_matrix", "pci", "ccw", "css")
    }
    detail = [n for cap in ("mdev", "ap_queue", "pci") for n in names[cap]]
    ifaces_table = run(["iface-list", "--all"]) or ""
    ifaces = [row.split()[0] for row in ifaces_table.splitlines()[2:] if row.split()]
    xmls = batch(
        run, [["nodedev-dumpxml", n] for n in detail] + [["iface-dumpxml", i] for i in ifaces]
    )
    by_name = dict(zip(detail + [f"iface:{i}" for i in ifaces], xmls, strict=True))
    info.ap.bus = bool(names["ap_queue"] or names["ap_matrix"])
    for name in names["mdev"]:
        dev = _parse(by_name.get(name), name)
        if dev is None:
            continue
        # libvirt names it mdev_<uuid with underscores>[_<parent>]; <uuid> says it plainly
        named = name.removeprefix("mdev_")[:36].replace("_", "-")
        uuid = (dev.findtext("capability/uuid") or named).lower()
        mtype = dev.find("capability/type")
        type_name = mtype.get("id", "?") if mtype is not None else "?"
        kind = "vfio-ap" if type_name.startswith("vfio_ap") else (
            "vfio-ccw" if type_name.startswith("vfio_ccw") else type_name)  # fmt: skip
        parent = dev.findtext("parent") or "?"
        info.mdevs.append(Mdev(uuid, kind, type_name, parent, in_use.get(uuid)))
        attrs = [(a.get("name"), a.get("value") or "") for a in dev.iterfind("capability/attr")]
        adapters = [int(v, 0) for k, v in attrs if k == "assign_adapter" and _number(v)]
        domains = [int(v, 0) for k, v in attrs if k == "assign_domain" and _number(v)]
        control = {int(v, 0) for k, v in attrs if k == "assign_control_domain" and _number(v)}
        if kind == "vfio-ap":
            info.ap.matrix[uuid] = {f"{a:02x}.{d:04x}" for a in adapters for d in domains}
            info.ap.control[uuid] = control
    for name in names["ap_queue"]:  # ap_05_0004
        parts = name.split("_")
        if len(parts) == 3:
            dev = _parse(by_name.get(name), name)
            driver = dev.findtext("driver/name") if dev is not None else None
            info.ap.queues[f"{parts[1]}.{parts[2]}".lower()] = driver
    for name in names["pci"]:  # pci_0001_00_00_0
        parts = name.split("_")
        if len(parts) != 5:
            continue
        address = f"{parts[1]}:{parts[2]}:{parts[3]}.{parts[4]}".lower()
        dev = _parse(by_name.get(name), name)
        driver = dev.findtext("driver/name") if dev is not None else None
        uid = dev.findtext(".//capability[@type='zpci']/uid") if dev is not None else None
        fid = dev.findtext(".//capability[@type='zpci']/fid") if dev is not None else None
        info.pci.append(PciFunction(address, uid, fid, driver, in_use.get(address)))
    for name in names["ccw"]:  # ccw_0_0_1234: a ccw device (DASD, OSA, …), online or not
        parts = name.split("_")
        if len(parts) == 4:
            info.dasds.append(Dasd(f"{parts[1]}.{parts[2]}.{parts[3]}".lower(), "?", False))
    for iface in ifaces:
        dev = _parse(by_name.get(f"iface:{iface}"), iface)
        bridge = dev is not None and dev.get("type") == "bridge"
        info.interfaces.append(Interface(iface, bridge, True))
    info.sysfs = bool(names["pci"] or names["css"] or ifaces)  # the device lists are real
    info.dasd_state_known = False
    info.unavailable.append(
        f"{info.label}: read through libvirt; whether a DASD is online or in use, the AP "
        "masks and the Ultravisor's state are not exposed there (zwizard prepare on that "
        "host reads them)"
    )


def _number(text: str) -> bool:
    try:
        int(text, 0)
    except ValueError:
        return False
    return True


def _parse(text: str | None, what: str) -> Any:
    if not text:
        return None
    try:
        return xmlsafe.parse(text.encode(), what)
    except xmlsafe.XmlError:
        return None


# --daemon adds 'Running against daemon: X': the libvirt that judges the guest, where
# 'Using library:' is only the client's (another host's daemon may be older or newer)
VERSION = ["version", "--daemon"]


def parse_versions(text: str) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """(QEMU, libvirt) versions from `virsh version --daemon` in the C locale:
    'Running hypervisor: QEMU 7.2.0' and 'Running against daemon: 9.0.0' (else, from a
    virsh without --daemon, 'Using library: libvirt 9.0.0')."""

    def version(prefix: str) -> tuple[int, ...] | None:
        for line in text.splitlines():
            if line.strip().startswith(prefix):
                word = line.split()[-1]
                parts = word.split(".")
                if all(p.isascii() and p.isdigit() for p in parts):
                    return tuple(int(p) for p in parts)
        return None

    return version("Running hypervisor:"), version("Running against daemon:") or version(
        "Using library:"
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

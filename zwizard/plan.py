"""What the answers resolve to: addresses, boot order, MACs, defaults.

Rules and renderers both read this, so the address the summary shows, the one
the rules check for collisions and the one written to the XML are the same.
Resolution never fails: values that do not parse are left out here and
reported by `rules`.
"""

from __future__ import annotations

from zwizard.address import VIRTUAL_CSSID, Ccw, parse_ccw
from zwizard.devices import KINDS, entries
from zwizard.devices.disk_places import SCSI_CONTROLLER, scsi_controllers
from zwizard.inputs import StaticIp, parse_dracut_ip, split_cidr
from zwizard.model import Answers, Pxe
from zwizard.structure import field, record


@record
class Plan:
    """The concrete guest the answers describe."""

    cpu_mode: str | None  # None: no <cpu> element (QEMU's `qemu` model under TCG)
    balloon: bool
    rng: bool
    ccw: dict[str, Ccw] = field(default_factory=dict)  # device path -> address
    boot: dict[str, int] = field(default_factory=dict)  # device path -> boot order
    boot_assigned: bool = False  # True when no order was given and the plan chose one
    macs: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # disk target dev per disk
    zpci: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (uid, fid)
    zpci_assigned: set[str] = field(default_factory=set)  # paths whose ids the plan chose
    static_ip: StaticIp | None = None  # pxe.ip static or dracut's form, resolved
    static_problem: str | None = None  # why the static address could not be resolved

    @property
    def first_boot(self) -> str | None:
        """Path of the device that boots first (its loadparm is the one libvirt uses)."""
        return min(self.boot, key=self.boot.__getitem__) if self.boot else None

    def boot_nic(self) -> int | None:
        """Index of the NIC with the lowest boot order: the one that netboots."""
        nics = [(order, path) for path, order in self.boot.items() if path.startswith("nics[")]
        return int(min(nics)[1][5:-1]) if nics else None


def cpu_topology(answers: Answers) -> tuple[int, int]:
    """Sockets and cores (one thread each on s390x), the one not given derived from the
    vCPU count."""
    c, vcpus = answers.cpu, answers.guest.vcpus
    sockets = c.sockets or max(1, vcpus // (c.cores or 1))
    cores = c.cores or max(1, vcpus // sockets)
    return sockets, cores


def default_cpu_mode(answers: Answers) -> str | None:
    if answers.cpu.mode:
        return answers.cpu.mode
    # host-model is refused under TCG; there QEMU's default model needs no <cpu>.
    return "host-model" if answers.guest.domain_type == "kvm" else None


# The order libvirt gives free ccw addresses in: qemuDomainAssignS390Addresses
# (src/qemu/qemu_domain_address.c) first reserves every stated address
# (virDomainCCWAddressValidate), then gives each device without one the next free devno
# in fe.0 (virDomainCCWAddressAllocate), visiting devices in the order of
# virDomainDeviceInfoIterateInternal (src/conf/domain_conf.c): disks (kept sorted by bus
# and target name), interfaces, hostdevs, videos, controllers (kept sorted by type: scsi
# before virtio-serial), inputs, filesystems, the balloon, rngs, vsock. Seen so with libvirt 9.0
# (tests/unit/test_plan_order.py holds what it assigned).
CCW_ORDER = ("disks", "nics", "passthrough", "video", "controllers", "inputs", "shares",
             "memballoon", "rng", "vsock")  # fmt: skip
CONTROLLER_ORDER = (SCSI_CONTROLLER, "virtio-serial-controller")  # the order zwizard writes


def _target_key(target: str) -> tuple[int, str]:
    """virDiskNameToIndex's order of vda, vdb … vdz, vdaa."""
    letters = target.lstrip("hsvx").removeprefix("d")
    return len(letters), letters


def ccw_devices(answers: Answers, targets: list[str] | None = None) -> list[tuple[str, str | None]]:
    """Every device that lives on the channel subsystem, in libvirt's assignment order
    (CCW_ORDER), each with the bus-id its answers state (or None)."""
    groups: dict[str, list[tuple[str, str | None]]] = {key: [] for key in CCW_ORDER}
    controllers: list[str] = []
    for kind in KINDS:
        for path, item in kind.paths(answers):
            if kind.on_ccw(item):
                groups.setdefault(kind.key, []).append((path, item.ccw))
            ctl = kind.controller(item)
            if ctl is not None and ctl not in controllers:
                controllers.append(ctl)
        if kind.key == "disks" and targets is not None:  # libvirt sorts disks by target
            index = {f"disks[{i}]": targets[i] for i in range(len(targets))}
            groups["disks"].sort(key=lambda d: _target_key(index.get(d[0], "")))
    if answers.console.virtio and CONTROLLER_ORDER[1] not in controllers:
        controllers.append(CONTROLLER_ORDER[1])  # a virtio console sits on virtio-serial too
    controllers += [c for c in CONTROLLER_ORDER if c in answers.addresses and c not in controllers]
    known = [c for c in CONTROLLER_ORDER if c in controllers]  # a stated one stays, empty too
    ordered = known + [c for c in controllers if c not in known]
    scsi = scsi_controllers(answers, targets)  # controller 0, then those sdh, sdo … sit on
    ordered = [key for c in ordered for key in (scsi if c == SCSI_CONTROLLER else [c])]
    groups["controllers"] = [(c, None) for c in ordered]
    se = answers.secure_execution.enabled
    balloon = answers.memory.balloon if answers.memory.balloon is not None else not se
    rng = answers.rng.enabled if answers.rng.enabled is not None else not se
    if answers.graphics.vnc:  # virtio-gpu-ccw and the virtio keyboard and mouse (or tablet)
        groups["video"] = [("video", None)]
        groups["video"] += [(f"video{n}", None) for n in range(2, answers.graphics.videos + 1)]
        if answers.graphics.inputs:
            groups["inputs"] = [("keyboard", None), ("mouse", None)]
    extra = answers.graphics.extra_inputs  # a converted guest's, with a display or without
    groups["inputs"] += [(f"input{n}", None) for n in range(1, len(extra) + 1)]
    if balloon:
        groups["memballoon"] = [("memballoon", None)]
    if rng:
        groups["rng"] = [("rng", None)]
    if answers.vsock is not None:
        groups["vsock"] = [("vsock", None)]
    if answers.console.virtio and "virtio-console" in answers.addresses:
        # a converted guest's: libvirt keeps and reserves it, and assigns none otherwise
        groups["controllers"].append(("virtio-console", None))
    stated = answers.addresses  # the devices without a list of their own
    return [
        (path, text if text is not None else stated.get(path))
        for group in groups.values()
        for path, text in group
    ]


def make_plan(answers: Answers) -> Plan:
    se = answers.secure_execution.enabled
    balloon = answers.memory.balloon if answers.memory.balloon is not None else not se
    rng = answers.rng.enabled if answers.rng.enabled is not None else not se
    plan = Plan(cpu_mode=default_cpu_mode(answers), balloon=balloon, rng=rng)

    for kind in KINDS:  # each kind's own part: disk targets, MACs, zPCI ids
        if kind.resolve is not None:
            kind.resolve(answers, plan)
    devices = ccw_devices(answers, plan.targets)
    # Given addresses are reserved first, so an assigned one never collides.
    taken: set[Ccw] = set()
    for path, text in devices:
        addr = parse_ccw(text) if isinstance(text, str) else None
        if addr:
            plan.ccw[path] = addr
            taken.add(addr)
    devno = 0
    for path, text in devices:
        if path in plan.ccw or (isinstance(text, str) and text.strip()):
            continue  # given (perhaps unparsable: rules report that)
        while Ccw(VIRTUAL_CSSID, 0, devno) in taken:
            devno += 1
        plan.ccw[path] = Ccw(VIRTUAL_CSSID, 0, devno)
        taken.add(plan.ccw[path])
    for kind, path, item in entries(answers):
        order = item.boot_order if kind.boots else None
        if isinstance(order, int) and not isinstance(order, bool):
            plan.boot[path] = order
    if not plan.boot:
        # libvirt would silently add <os><boot dev='hd'/>; IBM Z wants per-device order.
        first: list[str] = []
        if answers.pxe.enabled and answers.nics:
            first.append("nics[0]")
        if answers.disks:
            first.append("disks[0]")
        else:
            first += [
                f"passthrough[{i}]"
                for i, p in enumerate(answers.passthrough)
                if p.type == "vfio-ccw"
            ][:1]
        plan.boot = {path: n for n, path in enumerate(first, start=1)}
        plan.boot_assigned = bool(first)

    if answers.pxe.enabled:
        plan.static_ip, plan.static_problem = resolve_static_ip(answers.pxe)
    return plan


def interface_name(addr: Ccw) -> str:
    """The name systemd gives a virtio-net-ccw NIC in the guest (udev-builtin-net_id.c,
    names_ccw): `enc` + the bus-id with leading '0' and '.' stripped, keeping one digit.
    The guest sees virtual channel subsystem fe as css 0: 0.0.0600 -> enc600,
    0.1.0a00 -> enc1.0a00."""
    busid = f"0.{addr.ssid:x}.{addr.devno:04x}"
    stripped = busid.lstrip("0.")
    return "enc" + (stripped or "0")


def resolve_static_ip(pxe: Pxe) -> tuple[StaticIp | None, str | None]:
    """The static address PXE writes: from pxe.ip in dracut's own form, or from the
    address/netmask/gateway keys (the address may carry a /prefix)."""
    if pxe.ip not in ("static",) and ":" not in pxe.ip:
        return None, None
    if pxe.ip != "static":
        parsed = parse_dracut_ip(pxe.ip)
        if isinstance(parsed, str):
            return None, parsed
        given = [k for k in ("address", "netmask", "gateway") if getattr(pxe, k) is not None]
        if given:
            return None, (
                f"pxe.ip is in dracut's form, which holds the address already; "
                f"leave out {', '.join('pxe.' + k for k in given)}"
            )
        return parsed, None
    address, netmask = pxe.address, pxe.netmask
    whole = address.removeprefix("ip=") if address is not None else ""
    if whole.count(":") >= 4 and not isinstance(parse_dracut_ip(whole), str):
        # an outside tester pasted a whole ip= line here and was told it was IPv6
        return None, (
            f"pxe.address '{address}' is dracut's whole ip= form, not an address: give "
            "the address alone (10.0.0.5/24) and the gateway below, or the whole form as "
            "pxe.ip in an answers file"
        )
    v6 = address is not None and ":" in address
    if v6 and netmask is not None:
        return None, (
            f"pxe.address '{address}' is IPv6, which takes its prefix length after / "
            "(2001:db8::5/64), not a netmask: leave out pxe.netmask"
        )
    if address is not None and "/" in address:
        cidr = split_cidr(address)
        if cidr is None or cidr[1] is None:
            return None, f"'{address}': the prefix after / must be 0-{128 if v6 else 32}"
        address, from_prefix = cidr
        if netmask is not None and netmask != from_prefix:
            return None, (
                f"pxe.address '{pxe.address}' means netmask {from_prefix}, "
                f"but pxe.netmask is {netmask}; give one of them"
            )
        netmask = from_prefix
    elif v6:
        return None, (
            f"pxe.address '{address}' is IPv6: give its prefix length after / "
            f"({address}/64), which dracut's ip= needs"
        )
    return StaticIp(address, pxe.gateway, netmask, pxe.hostname, pxe.interface), None


def nameservers(pxe: Pxe) -> list[str]:
    """pxe.nameserver as the list of servers it names (one address, or a list)."""
    value = pxe.nameserver
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)

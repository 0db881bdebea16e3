"""Network interfaces: virtio-net-ccw on a libvirt network, a host bridge or macvtap."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from zwizard.address import is_uuid
from zwizard.codec import NUMBER, Prop, one_of, read_all, write_all
from zwizard.devices.base import Field, HostJudge, Kind, Reader, sub, write_boot, write_ccw
from zwizard.findings import reports
from zwizard.inputs import IFNAME_FORM
from zwizard.lazy import Pattern
from zwizard.model import Answers, Nic, NicSource
from zwizard.shown import command
from zwizard.vocabulary import DIRECT_MODES, NIC_BACKENDS

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

MAC = Pattern(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", re.IGNORECASE)
# Linux dev_valid_name (net/core/dev.c: under IFNAMSIZ 16, no '/', ':' or blank) within
# the characters libvirt's domain schema allows for <source bridge/dev> (domaincommon.rng),
# as the kernel takes them (dev_valid_name: not '.' or '..'), never an option ('-')
HOST_IFNAME = Pattern(r"(?!-)(?!\.\.?$)[A-Za-z0-9_.\-]{1,15}")
SOURCES = ("network", "bridge", "direct", "user")
# Seen with libvirt 9.0 on Linux (docs/rules.md §10): the tap takes an MTU of 68 (ETH_MIN_MTU)
# to 65521 (tun.c: 65535 less the Ethernet header) and up to 256 queues (MAX_TAP_QUEUES);
# libvirt drops a target named like its own (vnet, macvtap, macvlan) at define.
MTU_RANGE = (68, 65521)
MAX_QUEUES = 256
LIBVIRT_IFNAME_PREFIXES = ("vnet", "macvtap", "macvlan")
# The tuning libvirt writes after the model, in its order (<driver name queues>, <mtu>):
# written and read through these declarations
TUNING = (
    Prop("backend", "driver/@name", one_of(NIC_BACKENDS)),
    Prop("queues", "driver/@queues", NUMBER),
    Prop("mtu", "mtu/@size", NUMBER),
)


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    nic = answers.nics[i]
    path = f"nics[{i}]"
    src = nic.source
    if src.network:
        el = sub(devices, "interface", type="network")
        source = {"network": src.network}
    elif src.bridge:
        el = sub(devices, "interface", type="bridge")
        source = {"bridge": src.bridge}
    elif src.user:  # QEMU's own user-mode stack: no host side to name
        el = sub(devices, "interface", type="user")
        source = {}
    else:
        el = sub(devices, "interface", type="direct")
        source = {"dev": src.direct or "", "mode": src.mode or "bridge"}
    sub(el, "mac", address=plan.macs[i].lower())
    if source:
        sub(el, "source", **source)
    if nic.trunk:
        vlan = sub(el, "vlan", trunk="yes")
        for tag in nic.trunk:
            sub(vlan, "tag", id=str(tag))
    elif nic.vlan is not None:
        sub(sub(el, "vlan"), "tag", id=str(nic.vlan))
    if nic.virtualport:
        port = sub(el, "virtualport", type=nic.virtualport)
        if nic.interfaceid:
            sub(port, "parameters", interfaceid=nic.interfaceid.lower())
    if nic.target:
        sub(el, "target", dev=nic.target)
    sub(el, "model", type="virtio")
    write_all(TUNING, el, nic)
    write_boot(el, plan, path, nic.loadparm)
    write_ccw(el, plan.ccw.get(path))


def read(r: Reader, el: etree._Element, path: str) -> Nic | None:
    kind = r.get(el, "type")
    source = el.find("source")
    src = NicSource()
    if kind == "network" and source is not None:
        src.network = r.get(source, "network")
    elif kind == "bridge" and source is not None:
        src.bridge = r.get(source, "bridge")
    elif kind == "direct" and source is not None:
        src.direct = r.get(source, "dev")
        mode = r.get(source, "mode")
        src.mode = mode if mode in DIRECT_MODES else None
        if mode is not None and src.mode is None:
            r.changed("nic-source", source, f"macvtap mode {mode} -> bridge")
    elif kind == "user":  # SLIRP in QEMU 7.2; passt (<backend type='passt'>) is not carried
        src.user = True
        backend = el.find("backend")
        if backend is not None:
            r.lost(backend, f"<backend type='{r.get(backend, 'type')}'> of user networking")
        if source is not None:
            r.lost(source, "<source> of user networking (its address ranges)")
    else:
        mac = el.find("mac")
        address = r.get(mac, "address") if mac is not None else "-"
        r.lost(
            el,
            f"interface type {kind} (MAC {address}): carry it over by hand as network, "
            "bridge, direct or user",
        )
        return None
    nic = Nic(source=src)
    mac = el.find("mac")
    if mac is not None:
        nic.mac = r.get(mac, "address")
    model = el.find("model")
    mtype = r.get(model, "type") if model is not None else "virtio"
    if model is not None and mtype != "virtio":
        nic.model = mtype
        r.mark(f"{path}.model", model)
    _read_tuning(r, el, nic, path)
    r.boot(el, nic, path)
    nic.ccw = r.address(el, path)
    return nic


def _number(r: Reader, el: etree._Element | None, attr: str, what: str) -> int | None:
    value = r.get(el, attr) if el is not None else None
    if value is None:
        return None
    if value.isdigit():
        return int(value)
    assert el is not None
    r.lost(el, f"{what} '{value}' (not a number)", whole=False)
    return None


def _read_tuning(r: Reader, el: etree._Element, nic: Nic, path: str) -> None:
    read_all(TUNING, r, el, nic, path)  # a vhostuser driver: no such port here, listed
    target = el.find("target")
    name = r.get(target, "dev")
    if target is not None and name is not None and name.startswith(LIBVIRT_IFNAME_PREFIXES):
        r.lost(target, f"<target dev='{name}'> (a name libvirt gives at start)")
    elif name is not None:
        nic.target = name
    port = el.find("virtualport")
    if port is not None:
        kind = r.get(port, "type")
        params = port.find("parameters")
        extra = [k for k in (params.attrib if params is not None else {}) if k != "interfaceid"]
        if kind == "openvswitch" and len(port) <= 1 and not extra:
            nic.virtualport = "openvswitch"
            nic.interfaceid = r.get(params, "interfaceid")  # libvirt's own, or the user's
        else:  # 802.1Qbg/Qbh profiles, or OVS with a profile: not in the answers format
            r.lost(port, f"virtualport {kind or '(no type)'} with its parameters")
    vlan = el.find("vlan")
    if vlan is not None:
        tags = vlan.findall("tag")
        native = [t for t in tags if r.get(t, "nativeMode") is not None]
        trunk = r.get(vlan, "trunk")
        if native:
            r.lost(vlan, "a VLAN trunk with a native VLAN (nativeMode)")
        elif len(tags) == 1 and trunk is None:
            nic.vlan = _number(r, tags[0], "id", "VLAN tag")
        elif tags:
            ids = [_number(r, t, "id", "VLAN tag") for t in tags]
            nic.trunk = [i for i in ids if i is not None]


@reports("ccw-only", "mac", "nic-source", "nic-tuning")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, n in enumerate(a.nics):
        p = f"nics[{i}]"
        if n.model != "virtio":
            out.error(
                "ccw-only",
                f"{p}.model",
                f"NIC model '{n.model}' is a PCI device; IBM Z uses virtio-net-ccw (model virtio)",
            )
        given = [k for k in SOURCES if getattr(n.source, k)]
        if len(given) != 1:
            found = ", ".join(
                "user" if k == "user" else f"{k} '{getattr(n.source, k)}'" for k in given
            )
            fix = "; empty the ones not meant" if given else ""
            out.error(
                "nic-source",
                f"{p}.source",
                f"give exactly one of network, bridge, direct, user (found: {found or 'none'})"
                f"{fix}",
            )
        if n.source.mode and not n.source.direct:
            out.error("nic-source", f"{p}.source.mode", "mode applies to direct (macvtap) only")
        for key in ("bridge", "direct"):
            name = getattr(n.source, key)
            if name and not HOST_IFNAME.fullmatch(name):
                out.error("nic-source", f"{p}.source.{key}", not_an_ifname(name))
        if n.source.network and n.source.network.startswith("-"):
            out.error(
                "nic-source",
                f"{p}.source.network",
                f"'{n.source.network}': a network name starting with '-' would reach virsh "
                "as an option",
            )
        elif n.source.network and "/" in n.source.network:
            out.error(
                "nic-source",
                f"{p}.source.network",
                f"'{n.source.network}': a libvirt network name cannot contain '/'",
            )
        if n.mac is not None:
            if not MAC.fullmatch(n.mac):
                out.error("mac", f"{p}.mac", f"'{n.mac}' is not a MAC address (aa:bb:cc:dd:ee:ff)")
            elif int(n.mac[:2], 16) & 1:
                out.error("mac", f"{p}.mac", f"'{n.mac}' is a multicast address")
        _check_tuning(n, p, out)
    for mac, count in Counter(m.lower() for m in plan.macs).items():
        if count > 1:
            out.error("mac", "nics", f"MAC {mac} is used by {count} interfaces")
    parents = Counter(n.source.direct for n in a.nics if n.source.direct)
    for i, n in enumerate(a.nics):
        if n.source.mode == "passthrough" and n.source.direct and parents[n.source.direct] > 1:
            out.error(
                "nic-source",
                f"nics[{i}].source.mode",
                f"macvtap passthrough takes host interface {n.source.direct} alone, and "
                f'{parents[n.source.direct]} interfaces use it (Linux at start: "error '
                f'creating macvtap interface … Invalid argument"); give the others their own',
            )
    taps = Counter(n.target for n in a.nics if n.target)
    for i, n in enumerate(a.nics):
        if n.target and taps[n.target] > 1:
            out.error(
                "nic-tuning",
                f"nics[{i}].target",
                f"tap {n.target} is named by {taps[n.target]} interfaces; each needs its own "
                f'(libvirt at start: "The {n.target} interface already exists")',
            )


def not_an_ifname(name: str) -> str:
    return (
        f"'{name}' is not a host interface name: {IFNAME_FORM} "
        "(Linux dev_valid_name and libvirt's domain schema)"
    )


def _check_tuning(n: Nic, p: str, out: Collector) -> None:
    low, high = MTU_RANGE
    if n.mtu is not None and (n.source.direct or n.source.user):
        kind = "direct" if n.source.direct else "user"
        what = "a macvtap (direct)" if kind == "direct" else "a user-networking"
        follows = "the host interface" if kind == "direct" else "QEMU's own network stack"
        out.error(
            "nic-tuning",
            f"{p}.mtu",
            f'an MTU cannot be set on {what} interface (libvirt: "setting MTU on '
            f'interface type {kind} is not supported yet"); it follows {follows}',
        )
    elif n.mtu is not None and not low <= n.mtu <= high:
        out.error(
            "nic-tuning",
            f"{p}.mtu",
            f"MTU {n.mtu}: the host's tap device takes {low} to {high} (Linux refuses the "
            'rest when libvirt starts the guest: "Cannot set interface MTU")',
        )
    if n.queues is not None and n.source.user:
        out.error(
            "nic-tuning",
            f"{p}.queues",
            'user networking has one queue (libvirt at start: "multiqueue is not supported '
            'for network interfaces of type user")',
        )
    elif n.queues is not None and not 1 <= n.queues <= MAX_QUEUES:
        out.error(
            "nic-tuning",
            f"{p}.queues",
            f"{n.queues} queues: give 1 to {MAX_QUEUES} (a tap has at most {MAX_QUEUES}; "
            "libvirt drops queues 0)",
        )
    if n.target is not None:
        if not HOST_IFNAME.fullmatch(n.target):
            out.error("nic-tuning", f"{p}.target", not_an_ifname(n.target))
        elif n.target.startswith(LIBVIRT_IFNAME_PREFIXES):
            out.error(
                "nic-tuning",
                f"{p}.target",
                f"'{n.target}' starts like the names libvirt generates (vnet, macvtap, "
                "macvlan): libvirt drops it at define and picks its own; choose another",
            )
    if n.virtualport and not (n.source.bridge or n.source.network):
        out.error(
            "nic-tuning",
            f"{p}.virtualport",
            "virtualport openvswitch goes with a bridge source or an Open vSwitch network",
        )
    if n.interfaceid is not None and not is_uuid(n.interfaceid):
        out.error("nic-tuning", f"{p}.interfaceid", f"'{n.interfaceid}' is not a UUID")
    if n.trunk and n.vlan is not None:
        out.error("nic-tuning", f"{p}.trunk", "give either vlan (one tag) or trunk (the tags)")
    for tag in n.trunk:
        if not 0 <= tag <= 4095:
            out.error("nic-tuning", f"{p}.trunk", f"VLAN tag {tag}: give 0 to 4095")
    tagged = n.trunk[0] if n.trunk else n.vlan
    if tagged is not None:
        key = "trunk" if n.trunk else "vlan"
        if not 0 <= tagged <= 4095:
            if key == "vlan":
                out.error("nic-tuning", f"{p}.vlan", f"VLAN tag {n.vlan}: give 0 to 4095")
        elif n.source.direct or n.source.user or (n.source.bridge and not n.virtualport):
            out.error(
                "nic-tuning",
                f"{p}.{key}",
                "a VLAN tag needs an Open vSwitch port (virtualport openvswitch on a bridge, "
                "or an OVS network); libvirt refuses it at start on a Linux bridge, macvtap "
                "or user networking "
                '("vlan tag not supported for this connection type")',
            )
        elif n.source.network:
            out.note(
                "nic-tuning",
                f"{p}.{key}",
                f"a VLAN tag works only if network '{n.source.network}' is Open vSwitch-based",
            )


def _missing(nic: Nic) -> list[str]:
    return [] if any(getattr(nic.source, k) for k in SOURCES) else ["source"]


@reports("host-bridge", "host-interface", "host-network")
def check_host(a: Answers, host: HostInfo, judge: HostJudge) -> None:
    ifaces = {i.name: i for i in host.interfaces}
    for i, nic in enumerate(a.nics):
        src, p = nic.source, f"nics[{i}].source"
        if src.network and host.networks is not None:
            net = next((n for n in host.networks if n.name == src.network), None)
            if net is None:
                judge.report(
                    "host-network",
                    f"{p}.network",
                    f"libvirt network '{src.network}' is not defined here{judge.other}",
                )
            elif net.ovs is False and nic.virtualport:
                judge.report(
                    "host-network",
                    f"{p}.network",
                    f"libvirt network '{src.network}' is no Open vSwitch network (its definition "
                    "has no <virtualport type='openvswitch'/>), so an Open vSwitch port fails "
                    'at start (libvirt: "Unable to add port … to OVS bridge"); use an OVS '
                    "network, or leave virtualport out",
                )
            elif not net.active:
                judge.out.warn(
                    "host-network",
                    f"{p}.network",
                    f"libvirt network '{src.network}' is not active "
                    f"({command('virsh', 'net-start', '--network', src.network)})",
                )
        if src.bridge and host.sysfs:
            br = ifaces.get(src.bridge)
            # an Open vSwitch bridge is no Linux bridge (no /sys/class/net/<name>/bridge):
            # its own device is all sysfs shows of it
            if br is None or not (br.bridge or nic.virtualport):
                what = "is not a bridge" if br else "does not exist"
                judge.report(
                    "host-bridge",
                    f"{p}.bridge",
                    f"bridge '{src.bridge}' {what} on this host{judge.other}",
                )
        if src.direct and host.sysfs and src.direct not in ifaces:
            judge.report(
                "host-interface",
                f"{p}.direct",
                f"interface '{src.direct}' does not exist on this host{judge.other}",
            )


def derived_mac(uuid: str, index: int) -> str:
    """A stable locally administered MAC in QEMU's 52:54:00 range, from the guest UUID."""
    try:  # CPython's own SHA-256: hashlib would load OpenSSL first (4 ms of a 60 ms run)
        # typeshed has no stub for CPython's private module
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:  # other interpreters; Python 3.12 renamed the module
        from hashlib import sha256

    digest = sha256(f"{uuid.lower()}/{index}".encode()).digest()
    return "52:54:00:" + ":".join(f"{b:02x}" for b in digest[:3])


def resolve(answers: Answers, plan: Plan) -> None:
    uuid = answers.guest.uuid or ""
    plan.macs = [nic.mac or derived_mac(uuid, i) for i, nic in enumerate(answers.nics)]


def _tap(nic: Nic) -> bool:  # macvtap takes no MTU of its own
    return not nic.source.direct


def _on_bridge(nic: Nic) -> bool:
    return bool(nic.source.bridge)


# The macvtap modes, libvirt's default first
SOURCE_MODES: tuple[tuple[str | None, str], ...] = (
    (None, "default (bridge)"),
    *((m, m) for m in DIRECT_MODES),
)


def _networks(answers: Answers, host: HostInfo, nic: Nic) -> list[tuple[str, str]]:
    return [(n.name, "active" if n.active else "inactive") for n in host.networks or []]


def _bridges(answers: Answers, host: HostInfo, nic: Nic) -> list[tuple[str, str]]:
    return [(i.name, "" if i.up else "down") for i in host.interfaces if i.bridge]


def _host_interfaces(answers: Answers, host: HostInfo, nic: Nic) -> list[tuple[str, str]]:
    return [(i.name, "" if i.up else "down") for i in host.interfaces if not i.bridge]


# Where an interface connects, asked before its fields: one of the three (the prompt asks
# which first, the wizard shows the three), and with a host interface its macvtap mode;
# what this host has is offered for each (rule nic-source: exactly one is given)
SOURCE = (
    Field("source.network", "libvirt network", placeholder="(a libvirt network name)",
          offer=_networks),
    Field("source.bridge", "host bridge", placeholder="(a bridge on the host)", offer=_bridges),
    Field("source.direct", "host interface (macvtap)", placeholder="(a host interface)",
          offer=_host_interfaces),
    Field("source.mode", "macvtap mode", SOURCE_MODES),
)  # fmt: skip

# What both front ends ask of each interface after its source.
FIELDS = (
    Field("mac", "MAC (empty: derived from the guest UUID)",
          placeholder="(derived; or type aa:bb:cc:dd:ee:ff)"),
    Field("ccw", "ccw bus-id (empty: assigned)",
          placeholder="(assigned; or type one like fe.0.xxxx)"),
    Field("boot_order", "boot order (empty: does not boot; 1 for PXE)", text="optional-int",
          placeholder="(does not boot)"),
    Field("loadparm", "loadparm", placeholder="(none)"),
    Field("model", "model", (("virtio", "virtio-net-ccw"), ("e1000", "e1000 (PCI)"),
                             ("virtio-net-pci", "virtio-net-pci"))),
)  # fmt: skip

OPTIONS = (
    Field("mtu", "MTU (68-65521; empty: the host's)", text="optional-int", placeholder="(host's)",
          applies=_tap),
    Field("queues", "queues (multiqueue, 1-256; empty: one)", text="optional-int",
          placeholder="(one)"),
    Field("target", "host tap name (empty: vnetN)", placeholder="(vnetN)"),
    Field("backend", "host side", ((None, "default (vhost where the host has it)"),
                                   ("vhost", "vhost (kernel)"), ("qemu", "qemu (userspace)"))),
    Field("virtualport", "Open vSwitch port", ((None, "no (Linux bridge)"), ("openvswitch", "yes")),
          applies=_on_bridge),
    Field("vlan", "VLAN tag (Open vSwitch; empty: none)", text="optional-int",
          placeholder="(none)"),
)  # fmt: skip

KIND = Kind(
    key="nics",
    noun="network interface",
    tags=("interface",),
    write=write,
    read=read,
    check=check,
    boots=True,
    missing=_missing,
    resolve=resolve,
    check_host=check_host,
    source=SOURCE,
    fields=FIELDS,
    options=OPTIONS,
    options_title="More interface options (MTU, VLAN …)",
    adds=(("interface", lambda: Nic(source=NicSource(network="default"))),),
)

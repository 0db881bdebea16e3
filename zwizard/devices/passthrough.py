"""Host devices given to the guest: a vfio-ap crypto matrix or a vfio-ccw DASD (both
mediated devices, by UUID) and PCI functions (by host address, with zPCI ids)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from zwizard.address import (
    PCI_ADDRESS,
    PCI_KEYS,
    is_uuid,
    parse_int,
    pci_attributes,
    pci_from_attributes,
)
from zwizard.devices.base import (
    Field,
    HostJudge,
    Kind,
    Reader,
    next_boot_order,
    sub,
    write_boot,
    write_ccw,
)
from zwizard.devices.disk import SCSI_CONTROLLER, read_drive, write_drive
from zwizard.devices.disk_places import drive_address, on_scsi, scsi_place
from zwizard.devices.zpci import check_bridges, write_bridges, zpci_ids
from zwizard.findings import reports
from zwizard.lazy import Pattern
from zwizard.model import Answers, Passthrough, PciBridge, Zpci

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.host import HostInfo, Mdev, PciFunction
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

MDEV_TYPES = ("vfio-ap", "vfio-ccw")
# a host SCSI device as lsscsi and /sys/bus/scsi/devices name it: host:channel:target:lun;
# libvirt's <adapter name='scsi_host<host>'/> <address bus target unit/>
SCSI_ADDRESS = Pattern(r"([0-9]+):([0-9]+):([0-9]+):([0-9]+)")  # ASCII digits only


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    dev = answers.passthrough[i]
    path = f"passthrough[{i}]"
    if dev.type in MDEV_TYPES:
        el = sub(devices, "hostdev", mode="subsystem", type="mdev", model=dev.type)
        sub(sub(el, "source"), "address", uuid=(dev.uuid or "").lower())
        if dev.type == "vfio-ccw":
            write_boot(el, plan, path, dev.loadparm)
            write_ccw(el, plan.ccw.get(path))
        return
    if dev.type == "vhost-scsi":  # vhost-scsi-ccw: a device of its own on the channel
        el = sub(devices, "hostdev", mode="subsystem", type="scsi_host", managed="no")
        sub(el, "source", protocol="vhost", wwpn=dev.wwpn or "")
        write_ccw(el, plan.ccw.get(path))
        return
    if dev.type == "scsi":  # on the virtio-scsi controller; libvirt gives its drive address
        el = sub(devices, "hostdev", mode="subsystem", type="scsi")
        given = SCSI_ADDRESS.fullmatch(dev.address or "")  # the rules refuse any other
        host, bus, target, unit = given.groups() if given else ("0", "0", "0", "0")
        source = sub(el, "source")
        sub(source, "adapter", name=f"scsi_host{host}")
        sub(source, "address", bus=bus, target=target, unit=unit)
        if dev.shareable:
            sub(el, "shareable")
        write_boot(el, plan, path, dev.loadparm)
        write_drive(el, dev.drive)
        return
    el = sub(
        devices, "hostdev", mode="subsystem", type="pci", managed="yes" if dev.managed else "no"
    )
    if dev.driver:
        sub(el, "driver", name=dev.driver)
    sub(sub(el, "source"), "address", **pci_attributes(dev.address or "0000:00:00.0"))
    at = dev.guest_address if PCI_ADDRESS.fullmatch(dev.guest_address or "") else None
    addr = sub(el, "address", type="pci", **(pci_attributes(at) if at else {}))
    if path in plan.zpci:  # given or assigned: written, so the summary and the XML agree
        uid, fid = plan.zpci[path]
        sub(addr, "zpci", uid=f"{uid:#06x}", fid=f"{fid:#010x}")


def read(r: Reader, el: etree._Element, path: str) -> Passthrough | None:
    kind, model = r.get(el, "type"), r.get(el, "model")
    r.get(el, "mode")
    r.take(el.find("source"))
    if kind == "mdev" and model in MDEV_TYPES:
        if r.get(el, "managed") not in (None, "no"):  # libvirt writes 'no' for every mdev
            r.lost(el, f"attribute managed='{el.get('managed')}' of a mediated device", whole=False)
        src = el.find("source/address")
        dev = Passthrough(type=model, uuid=r.get(src, "uuid") if src is not None else None)
        if model == "vfio-ccw":
            dev.ccw = r.address(el, path)
        r.boot(el, dev, path)
        return dev
    if kind == "scsi":
        return _read_scsi(r, el, path)
    source = el.find("source")
    if kind == "scsi_host" and r.get(source, "protocol") == "vhost":
        dev = Passthrough(type="vhost-scsi", wwpn=r.get(source, "wwpn"))
        r.get(el, "managed")  # 'no': libvirt's only word for it
        dev.ccw = r.address(el, path)
        r.boot(el, dev, path)
        return dev
    if kind != "pci":
        r.lost(el, f"hostdev {kind} {model or ''}".rstrip())
        return None
    src = el.find("source/address")
    zpci = el.find("address/zpci")
    address = None
    if src is not None:
        address = pci_from_attributes([r.get(src, k) for k in PCI_KEYS])
    dev = Passthrough(type="pci", address=address)
    dev.managed = r.get(el, "managed", "no") == "yes"
    pci_addr = el.find("address")
    if pci_addr is not None and r.get(pci_addr, "type") == "pci":
        values = [r.get(pci_addr, k) for k in PCI_KEYS]
        if any(v is not None for v in values):  # the guest's PCI slot: its ABI, kept
            dev.guest_address = pci_from_attributes(values)
    driver = el.find("driver")
    if driver is not None and r.get(driver, "name") == "vfio":
        dev.driver = "vfio"
    if zpci is not None:  # a missing id is assigned, as libvirt does; never read as 0
        dev.zpci = Zpci(uid=r.get(zpci, "uid"), fid=r.get(zpci, "fid"))
    return dev


def _read_scsi(r: Reader, el: etree._Element, path: str) -> Passthrough | None:
    source = el.find("source")
    adapter = source.find("adapter") if source is not None else None
    addr = source.find("address") if source is not None else None
    name = r.get(adapter, "name") or ""
    if r.get(source, "protocol") is not None or addr is None or not name.startswith("scsi_host"):
        r.lost(el, "a SCSI hostdev over iSCSI or without a host adapter (give H:C:T:L)")
        return None
    parts = [
        name.removeprefix("scsi_host"),
        *(r.get(addr, k) or "" for k in ("bus", "target", "unit")),
    ]
    dev = Passthrough(type="scsi", address=":".join(parts))
    sgio = r.get(el, "sgio")
    if sgio == "unfiltered":
        r.finding(el, "disk-lun", "error", "sgio='unfiltered': libvirt 9.0 refuses it")
    drive = el.find("address")
    if drive is not None and r.get(drive, "type") == "drive":  # its H:C:T:L in the guest
        read_drive(r, drive, dev, path)
    r.get(el, "managed")  # 'no', libvirt's word for SCSI (it refuses 'yes')
    r.take(el.find("shareable"))
    dev.shareable = el.find("shareable") is not None
    r.boot(el, dev, path)
    return dev


# libvirt's domaincommon.rng (hostdevsubsysscsi, protocol vhost): wwpn="naa." + 16 hex
WWPN = Pattern(r"naa\.[0-9a-fA-F]{16}")


def _vhost_scsi(dev: Passthrough, p: str, out: Collector) -> None:
    if not dev.wwpn:
        out.error("scsi-passthrough", f"{p}.wwpn", "a vhost-scsi device needs its target's WWPN")
    elif not WWPN.fullmatch(dev.wwpn):
        out.error(
            "scsi-passthrough",
            f"{p}.wwpn",
            f"'{dev.wwpn}' is not a vhost WWPN: naa. and 16 hex digits, e.g. naa.5123456789abcde0 "
            "(libvirt's schema)",
        )
    out.warn(
        "scsi-passthrough",
        p,
        "vhost-scsi starts with upstream QEMU, not on RHEL: Red Hat builds qemu-kvm without it "
        "(its s390x device list has no CONFIG_VHOST_SCSI; RHEL 8's spec: --disable-vhost-scsi); "
        "there, give the LUN as a disk or a scsi passthrough",
    )
    for key in ("address", "uuid", "zpci", "boot_order"):
        if getattr(dev, key) is not None:
            out.error("scsi-passthrough", f"{p}.{key}", f"{key} does not apply to vhost-scsi")


def _scsi(dev: Passthrough, p: str, out: Collector) -> None:
    if not dev.address:
        out.error("scsi-passthrough", f"{p}.address", "a SCSI passthrough needs the host's H:C:T:L")
    elif not SCSI_ADDRESS.fullmatch(dev.address):
        out.error(
            "scsi-passthrough",
            f"{p}.address",
            f"'{dev.address}' is not a SCSI address: host:channel:target:lun as lsscsi prints "
            "it, e.g. 0:0:1:0 (libvirt: adapter scsi_host0, bus 0, target 1, unit 0)",
        )
    if dev.zpci is not None or dev.ccw is not None:
        key = "zpci" if dev.zpci is not None else "ccw"
        out.error("scsi-passthrough", f"{p}.{key}", "a SCSI device sits on virtio-scsi: no " + key)
    place = drive_address(dev.drive) if dev.drive is not None else None
    if dev.drive is not None and (place is None or place[1] != 0):
        out.error(
            "scsi-passthrough",
            f"{p}.drive",
            f"'{dev.drive}' is not a place on a virtio-scsi controller: controller:0:target:unit "
            "(its one bus is 0)",
        )


@reports("pci-passthrough", "scsi-passthrough", "vfio-ap", "vfio-ccw", "zpci")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    ap = [i for i, p in enumerate(a.passthrough) if p.type == "vfio-ap"]
    for i in ap[1:]:
        out.error(
            "vfio-ap",
            f"passthrough[{i}]",
            f"only one vfio-ap crypto device per guest (passthrough[{ap[0]}] is one already); "
            "put all adapters and domains into that one mediated device",
        )
    mdevs: dict[str, str] = {}
    uids: dict[int, str] = {}
    fids: dict[int, str] = {}
    pci: dict[str, str] = {}
    for i, dev in enumerate(a.passthrough):
        p = f"passthrough[{i}]"
        if dev.type in MDEV_TYPES:
            _mdev(dev, p, mdevs, out)
        elif dev.type == "scsi":
            _scsi(dev, p, out)
        elif dev.type == "vhost-scsi":
            _vhost_scsi(dev, p, out)
        else:
            _pci(dev, p, pci, uids, fids, out)
        if dev.type == "vfio-ap":
            if dev.boot_order is not None or dev.loadparm is not None:
                out.error(
                    "vfio-ap",
                    f"{p}.boot_order",
                    "a vfio-ap crypto device cannot boot; give the boot order to a disk, "
                    "NIC or vfio-ccw DASD",
                )
            if dev.ccw is not None:
                out.error("vfio-ap", f"{p}.ccw", "a vfio-ap device has no guest address")
        if dev.type == "pci" and (dev.boot_order is not None or dev.ccw is not None):
            key = "boot_order" if dev.boot_order is not None else "ccw"
            out.error(
                "pci-passthrough",
                f"{p}.{key}",
                "a PCI function has a zPCI address, not a ccw one, and cannot boot",
            )
        _prepare_keys(dev, p, out)
        for key in ("shareable", "drive"):  # the writer has a place for them on SCSI only
            if getattr(dev, key) and dev.type != "scsi":
                out.error("scsi-passthrough", f"{p}.{key}", f"{key} applies to a SCSI device only")
        if dev.type in ("pci", "scsi") and dev.uuid is not None:
            # a key the writer has no place for would be dropped without a word
            out.error(
                "pci-passthrough" if dev.type == "pci" else "scsi-passthrough",
                f"{p}.uuid",
                f"uuid names a mediated device (vfio-ap, vfio-ccw); a {dev.type} device is "
                "given by its host address",
            )
        if dev.type in MDEV_TYPES and (
            dev.address is not None or dev.zpci is not None or not dev.managed
        ):
            key = "address" if dev.address is not None else "zpci" if dev.zpci else "managed"
            rule = "vfio-ap" if dev.type == "vfio-ap" else "vfio-ccw"
            out.error(rule, f"{p}.{key}", f"{key} applies to PCI passthrough only")
    check_bridges(a, uids, fids, out)
    _scsi_places(a, plan, out)


def _scsi_places(a: Answers, plan: Plan, out: Collector) -> None:
    """A SCSI device's stated place must be its own: libvirt 9.0 refuses one a disk holds
    ("using disk target name 'sda' conflicts with SCSI host device address …", seen)."""
    places: dict[tuple[int, ...], str] = {}
    for i, d in enumerate(a.disks):
        if on_scsi(d) and i < len(plan.targets):
            places.setdefault(scsi_place(d, plan.targets[i]), f"disk {plan.targets[i]}")
    for i, dev in enumerate(a.passthrough):
        place = drive_address(dev.drive) if dev.type == "scsi" and dev.drive else None
        if place is None:
            continue
        if place in places:
            out.error(
                "scsi-passthrough",
                f"passthrough[{i}].drive",
                f"{dev.drive} is the place of {places[place]} (libvirt refuses both at define)",
            )
        else:
            places[place] = f"passthrough[{i}]"


# the AP architecture numbers adapters (APID) and domains (APQI) 0-255 (Linux
# Documentation/arch/s390/vfio-ap.rst: "each bit ... corresponds to an APID from 0-255")
AP_MAX = 255
# a host ccw bus-id as lsdasd prints it: css.ssid.devno (Linux names subchannel sets 0-3)
HOST_BUSID = Pattern(r"[0-9a-fA-F]\.[0-3]\.[0-9a-fA-F]{4}")


def _prepare_keys(dev: Passthrough, p: str, out: Collector) -> None:
    """The keys `zwizard prepare` sets the host up with: AP adapters/domains/control
    domains on vfio-ap, the DASD's host bus-id on vfio-ccw."""
    lists = (("adapters", "adapter"), ("domains", "domain"), ("control_domains", "domain"))
    for key, what in lists:
        values = getattr(dev, key)
        if values and dev.type != "vfio-ap":
            out.error("vfio-ap", f"{p}.{key}", f"{key} belong to a vfio-ap crypto device only")
            continue
        seen: set[int] = set()
        for j, value in enumerate(values):
            if not 0 <= value <= AP_MAX:
                out.error(
                    "vfio-ap",
                    f"{p}.{key}[{j}]",
                    f"AP {what} {value} is outside 0-{AP_MAX} (0x00-0xff)",
                )
            elif value in seen:
                out.error("vfio-ap", f"{p}.{key}[{j}]", f"AP {what} {value:#04x} is listed twice")
            seen.add(value)
    if dev.type == "vfio-ap" and bool(dev.adapters) != bool(dev.domains):
        key = "domains" if dev.adapters else "adapters"
        out.error(
            "vfio-ap",
            f"{p}.{key}",
            "an AP queue is an adapter and a domain (05.0004): give both adapters and domains",
        )
    if dev.dasd is not None:
        if dev.type != "vfio-ccw":
            out.error("vfio-ccw", f"{p}.dasd", "dasd belongs to a vfio-ccw device only")
        elif not HOST_BUSID.fullmatch(dev.dasd):
            out.error(
                "vfio-ccw",
                f"{p}.dasd",
                f"'{dev.dasd}' is not a host DASD bus-id: css.ssid.devno as lsdasd prints it, "
                "e.g. 0.0.1234",
            )


def _mdev(dev: Passthrough, p: str, seen: dict[str, str], out: Collector) -> None:
    what = "crypto (AP)" if dev.type == "vfio-ap" else "DASD"
    rule = "vfio-ap" if dev.type == "vfio-ap" else "vfio-ccw"
    if not dev.uuid:
        out.error(
            rule,
            f"{p}.uuid",
            f"a {dev.type} {what} passthrough needs the UUID of its mediated device "
            "(ls /sys/bus/mdev/devices/)",
        )
    elif not is_uuid(dev.uuid):
        out.error(rule, f"{p}.uuid", f"'{dev.uuid}' is not a UUID (8-4-4-4-12 hex digits)")
    elif dev.uuid.lower() in seen:
        out.error(
            rule, f"{p}.uuid", f"mediated device {dev.uuid} is already {seen[dev.uuid.lower()]}"
        )
    else:
        seen[dev.uuid.lower()] = p


def _pci(
    dev: Passthrough,
    p: str,
    seen: dict[str, str],
    uids: dict[int, str],
    fids: dict[int, str],
    out: Collector,
) -> None:
    if not dev.address:
        out.error("pci-passthrough", f"{p}.address", "a PCI passthrough needs the host address")
    elif not PCI_ADDRESS.fullmatch(dev.address):
        out.error(
            "pci-passthrough",
            f"{p}.address",
            f"'{dev.address}' is not a PCI address (dddd:bb:ss.f, e.g. 0000:00:00.0)",
        )
    elif dev.address.lower() in seen:
        out.error(
            "pci-passthrough",
            f"{p}.address",
            f"{dev.address} is already {seen[dev.address.lower()]}",
        )
    else:
        seen[dev.address.lower()] = p
    if dev.guest_address is not None and not PCI_ADDRESS.fullmatch(dev.guest_address):
        out.error(
            "pci-passthrough",
            f"{p}.guest_address",
            f"'{dev.guest_address}' is not a PCI address (dddd:bb:ss.f, e.g. 0000:00:01.0)",
        )
    if dev.driver not in (None, "vfio"):
        out.error("pci-passthrough", f"{p}.driver", f"driver '{dev.driver}': only vfio on IBM Z")
    zpci_ids(dev.zpci, p, uids, fids, out)


def _missing(dev: Passthrough) -> list[str]:
    if dev.type is None:
        return ["type"]
    if dev.type in MDEV_TYPES and not dev.uuid:
        return ["uuid"]
    if dev.type in ("pci", "scsi") and not dev.address:
        return ["address"]  # zPCI ids are assigned when absent
    if dev.type == "vhost-scsi" and not dev.wwpn:
        return ["wwpn"]
    return []


@reports("host-mdev", "host-pci", "host-scsi")
def check_host(a: Answers, host: HostInfo, judge: HostJudge) -> None:
    mdevs = {m.uuid: m for m in host.mdevs}
    pcis = {p.address: p for p in host.pci}
    for i, dev in enumerate(a.passthrough):
        p = f"passthrough[{i}]"
        if dev.type in MDEV_TYPES and dev.uuid and host.sysfs:
            found = mdevs.get(dev.uuid.lower())
            if found is None:
                judge.report(
                    "host-mdev",
                    f"{p}.uuid",
                    f"no mediated device {dev.uuid} on this host{judge.other}",
                )
            elif found.kind != dev.type:
                judge.report(
                    "host-mdev", f"{p}.uuid", f"{dev.uuid} is a {found.kind} device, not {dev.type}"
                )
            elif found.in_use_by and found.in_use_by != a.guest.name:
                judge.report(
                    "host-mdev", f"{p}.uuid", f"{dev.uuid} is in use by guest {found.in_use_by}"
                )
        if dev.type == "scsi" and dev.address and host.sysfs and dev.address not in host.scsi:
            judge.report(
                "host-scsi",
                f"{p}.address",
                f"no SCSI device {dev.address} with a generic (sg) node on this host "
                f"(lsscsi -g; modprobe sg){judge.other}",
            )
        if dev.type == "pci" and dev.address and host.sysfs:
            fn = pcis.get(dev.address.lower())
            if fn is None:
                judge.report(
                    "host-pci",
                    f"{p}.address",
                    f"no PCI function {dev.address} on this host{judge.other}",
                )
            elif fn.in_use_by and fn.in_use_by != a.guest.name:
                judge.report(
                    "host-pci", f"{p}.address", f"{dev.address} is in use by guest {fn.in_use_by}"
                )


def resolve(answers: Answers, plan: Plan) -> None:
    """zPCI ids of PCI passthrough and pci-bridges: given ones first, then, as libvirt
    does, the lowest free uid from 1 and fid from 0 (docs/rules.md, section 8b)."""
    pci: list[tuple[str, Passthrough | PciBridge]] = [
        (f"passthrough[{i}]", p) for i, p in enumerate(answers.passthrough) if p.type == "pci"
    ]  # then the bridges: libvirt gives hostdevs their ids before controllers (9.0, seen)
    pci += [(f"pci_bridges[{i}]", b) for i, b in enumerate(answers.pci_bridges)]
    given_uids = {u for _, p in pci if p.zpci and (u := parse_int(p.zpci.uid)) is not None}
    given_fids = {f for _, p in pci if p.zpci and (f := parse_int(p.zpci.fid)) is not None}
    for path, dev in pci:
        u = parse_int(dev.zpci.uid) if dev.zpci else None
        f = parse_int(dev.zpci.fid) if dev.zpci else None
        raw_u = dev.zpci.uid if dev.zpci else None
        raw_f = dev.zpci.fid if dev.zpci else None
        if (raw_u not in (None, "") and u is None) or (raw_f not in (None, "") and f is None):
            continue  # given but unreadable: rules say so
        if u is None or f is None:
            plan.zpci_assigned.add(path)
        u = _lowest_free(given_uids, 1) if u is None else u
        f = _lowest_free(given_fids, 0) if f is None else f
        plan.zpci[path] = (u, f)


def _lowest_free(taken: set[int], start: int) -> int:
    """The lowest id from `start` not in `taken`, which it then joins."""
    value = start
    while value in taken:
        value += 1
    taken.add(value)
    return value


def _host_mdevs(a: Answers, host: HostInfo, dev: Passthrough) -> list[tuple[str, str]]:
    def note(m: Mdev) -> str:
        owner = m.in_use_by
        return f"in use by {owner}" if owner and owner != a.guest.name else m.parent

    return [(m.uuid, note(m)) for m in host.mdevs if m.kind == dev.type]


def _host_pci(a: Answers, host: HostInfo, dev: Passthrough) -> list[tuple[str, str]]:
    def note(fn: PciFunction) -> str:
        if fn.in_use_by:
            return f"in use by {fn.in_use_by}"
        return f"uid {fn.uid} fid {fn.fid}" if fn.uid else (fn.driver or "")

    return [(fn.address, note(fn)) for fn in host.pci]


def _host_scsi(a: Answers, host: HostInfo, dev: Passthrough) -> list[tuple[str, str]]:
    return [(address, "") for address in host.scsi]


def _is(*types: str) -> Callable[[Passthrough], bool]:
    return lambda dev: dev.type in types


# What both front ends ask of a new entry, in this order, each for the types it fits: first
# what names the host's device (and what zwizard prepare needs to make it), then what the
# guest sees. A vfio-ap matrix cannot boot (rule vfio-ap): its boot order is greyed.
FIELDS = (
    Field("uuid", "mediated device UUID", help="ls /sys/bus/mdev/devices/",
          placeholder="(8-4-4-4-12 hex digits)", applies=_is(*MDEV_TYPES), required=True,
          offer=_host_mdevs),
    Field("address", "host PCI address", help="lspci -D", placeholder="(dddd:bb:ss.f)",
          applies=_is("pci"), required=True, offer=_host_pci),
    Field("address", "host SCSI address", help="lsscsi -g", placeholder="(H:C:T:L, e.g. 0:0:1:0)",
          applies=_is("scsi"), required=True, offer=_host_scsi),
    Field("zpci.uid", "zPCI uid (0x0001-0xffff; empty: assigned)",
          placeholder="(assigned, as libvirt does)", applies=_is("pci")),
    Field("zpci.fid", "zPCI fid (empty: assigned)", placeholder="(assigned, as libvirt does)",
          applies=_is("pci")),
    Field("adapters", "AP adapters (for zwizard prepare)", text="int-list",
          help="lszcrypt; empty: the matrix device exists already",
          placeholder="(e.g. 0x05 0x06)", applies=_is("vfio-ap")),
    Field("domains", "AP usage domains", text="int-list", placeholder="(e.g. 0x0004)",
          applies=_is("vfio-ap")),
    Field("control_domains", "AP control domains", text="int-list", placeholder="(none)",
          applies=_is("vfio-ap")),
    Field("dasd", "host DASD bus-id (for zwizard prepare)",
          help="lsdasd; empty: the mediated device exists already",
          placeholder="(e.g. 0.0.1234)", applies=_is("vfio-ccw")),
    Field("wwpn", "vhost target WWPN", help="targetcli ls /vhost",
          placeholder="(naa. and 16 hex digits)", applies=_is("vhost-scsi"), required=True),
    Field("ccw", "guest ccw bus-id (empty: assigned)",
          placeholder="(assigned; or type one like fe.0.xxxx)",
          applies=_is("vfio-ccw", "vhost-scsi")),
    Field("boot_order", "boot order (empty: does not boot)", text="optional-int",
          applies=_is(*MDEV_TYPES, "scsi"), probe=next_boot_order),
    Field("loadparm", "loadparm (empty: none)", placeholder="(none)", applies=_is("vfio-ccw")),
)  # fmt: skip


KIND = Kind(
    key="passthrough",
    noun="passed-through device",
    tags=("hostdev",),
    write=write,
    read=read,
    check=check,
    on_ccw=lambda dev: dev.type in ("vfio-ccw", "vhost-scsi"),
    controller=lambda dev: SCSI_CONTROLLER if dev.type == "scsi" else None,
    boots=True,
    installed_boot=lambda dev: dev.type == "vfio-ccw",
    missing=_missing,
    resolve=resolve,
    check_host=check_host,
    after=write_bridges,
    # rule se-no-vfio: every host device goes — the vfio ones the RHEL document names, and
    # a SCSI one too, since the IBM Z rules give a secure guest no <hostdev> at all
    se_forbidden=lambda dev: f"{dev.type} device",
    fields=FIELDS,
    adds=(
        ("vfio-ap crypto", lambda: Passthrough(type="vfio-ap")),
        ("vfio-ccw DASD", lambda: Passthrough(type="vfio-ccw")),
        ("PCI function", lambda: Passthrough(type="pci")),
        ("SCSI device", lambda: Passthrough(type="scsi")),  # an FCP tape or changer
    ),
)

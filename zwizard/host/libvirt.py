"""What libvirt's answers say: domain capabilities, the defined guests and the devices
they hold, a pool's volumes, and another host's node devices standing in for its sysfs."""

from __future__ import annotations

from typing import Any

from zwizard import xmlsafe
from zwizard.address import PCI_KEYS, pci_from_attributes
from zwizard.host.facts import Dasd, HostInfo, Interface, Mdev, PciFunction
from zwizard.host.virsh import Runner, batch


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

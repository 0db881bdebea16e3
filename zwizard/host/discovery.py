"""Discovery: the virsh commands asked in two rounds (over one connection where it can),
then this host's sysfs or another host's node devices, into one `HostInfo`."""

from __future__ import annotations

import shutil
from pathlib import Path

from zwizard import xmlsafe
from zwizard.host.facts import HostInfo, Network
from zwizard.host.libvirt import (
    GUEST_LIST,
    guest_list,
    guests_using,
    parse_domcaps,
    read_node_devices,
    volume_names,
)
from zwizard.host.sysfs import (
    read_ap,
    read_cpu_list,
    read_dasds,
    read_interfaces,
    read_mdevs,
    read_pci,
    read_scsi,
    read_se,
    read_subchannels,
)
from zwizard.host.versions import VERSION, emulator_version, machine_types, parse_versions
from zwizard.host.virsh import Prefetched, Runner, batch, host_label, is_remote, virsh_runner


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
    networks = (run(["net-list", "--all", "--name"]) or "").split()
    commands += [["net-dumpxml", "--inactive", n] for n in networks]
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


def network_is_ovs(xml: str) -> bool | None:
    """Whether a libvirt network's definition makes it Open vSwitch-based (its own
    <virtualport type='openvswitch'/>); None when it cannot be read."""
    from zwizard import xmlsafe

    try:
        root = xmlsafe.parse(xml.encode(), "net-dumpxml", root="network")
    except xmlsafe.XmlError:
        return None
    return any(v.get("type") == "openvswitch" for v in root.iter("virtualport"))


def _libvirt_lists(run: Runner, info: HostInfo) -> None:
    """Networks and storage pools: libvirt's own lists, local or remote alike."""
    # --name lists are one name a line in any locale (the table's State column is translated)
    nets = run(["net-list", "--all", "--name"])
    active = run(["net-list", "--name"]) if nets is not None else None
    names = nets.split() if nets is not None else []
    xmls = batch(run, [["net-dumpxml", "--inactive", name] for name in names])
    up = set((active or "").split())
    info.networks = (
        [
            Network(name, name in up, network_is_ovs(xml) if xml else None)
            for name, xml in zip(names, xmls, strict=True)
        ]
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

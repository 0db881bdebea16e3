"""The install server: the pxelinux files copied into the TFTP root and the installer's
kernel and initrd fetched there (through the script's safe writes), a shared
pxelinux.cfg/default left alone unless told, and the libvirt network whose dnsmasq serves
DHCP with the boot file and TFTP."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from zwizard.findings import reports
from zwizard.prepare.shell import q, sha256, take_check
from zwizard.prepare.steps import Check, Preparation, Step

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.plan import Plan


@reports("pxe-config")
def install_server_steps(
    prep: Preparation, answers: Answers, plan: Plan, host: HostInfo | None, out: Collector
) -> None:
    from zwizard.render.pxe import pxe_files

    pxe = answers.pxe
    root = pxe.tftp_root.rstrip("/")  # the rules hold it absolute, normalised, not '/'
    boot_nic = next((p for p in sorted(plan.boot, key=plan.boot.__getitem__) if "nics[" in p), None)
    nic = answers.nics[int(boot_nic[5:-1])] if boot_nic else None
    served = pxe_files(answers, plan)  # pxelinux.cfg/<name>: its text
    for rel, text in served.items():
        take_check(prep, rel, text)
    default = served.get("pxelinux.cfg/default")
    if default is not None:
        _shared_default(prep, root, default, out)
    for rel, text in served.items():
        prep.steps.append(
            Step(
                "install-server",
                f"copy {rel} into the TFTP root {root}",
                "the s390-ccw firmware reads pxelinux.cfg/01-<MAC>, then pxelinux.cfg/default, "
                "from the TFTP root (pc-bios/s390-ccw/netmain.c); it is copied through a "
                "temporary file renamed into place, never through a link out of the root",
                f'cmp -s "$here/{rel}" {q(f"{root}/{rel}")}',
                [q("run", "put_below", root, rel) + f' "$here/{rel}" ' + q(sha256(text))],
            )
        )
    repo = pxe.repo or ""
    for what, rel in (("kernel", pxe.kernel), ("initrd", pxe.initrd)):
        rel = rel.lstrip("/")  # a leading '/' is the TFTP root itself, as the server reads it
        target = f"{root}/{rel}"
        image = "kernel.img" if what == "kernel" else "initrd.img"
        if repo.startswith(("http://", "https://", "ftp://")):
            prep.checks.append(Check("command -v curl", "install curl", "curl"))
            prep.steps.append(
                Step(
                    "install-server",
                    f"fetch the installer's {what} into {target}",
                    f"the firmware loads the {what} the pxelinux file names, by TFTP; RHEL's "
                    f"install tree has it as images/{image}. It is fetched into a temporary "
                    "file renamed into place, never through a link out of the root",
                    f"[ -s {q(target)} ] && below {q(root, rel)} >/dev/null 2>&1",
                    [q("run", "fetch_below", root, rel, f"{repo.rstrip('/')}/images/{image}")],
                )
            )
        else:
            prep.steps.append(
                Step(
                    "install-server",
                    f"copy images/{image} of the install tree (DVD) to {target}",
                    f"the firmware loads the {what} by TFTP; the repository is not fetchable",
                    manual=True,
                )
            )
    bootfile = "pxelinux.cfg/default" if not pxe.per_mac else "pxelinux.0"
    why_bootfile = (
        "the firmware has no pxelinux.0: when the DHCP boot file cannot be loaded it looks for "
        "pxelinux.cfg/01-<MAC>, then pxelinux.cfg/default (pc-bios/s390-ccw/netmain.c); a "
        "pxelinux file named as the boot file is read directly"
    )
    network = nic.source.network if nic is not None else None
    if network is None:
        prep.steps.append(
            Step(
                "install-server",
                "serve DHCP with a boot file and TFTP on the guest's LAN",
                why_bootfile + ". For dnsmasq: enable-tftp, tftp-root=" + root + ", "
                f'dhcp-boot={bootfile}; for ISC dhcpd: filename "{bootfile}"; '
                "next-server <this host>",
                manual=True,
            )
        )
        return
    known = {n.name for n in host.networks} if host is not None and host.networks else set()
    try:
        xml = install_network(network, answers, plan, root, bootfile)
    except ValueError:  # an address or name the rules refuse already: no network to write
        return
    if xml is None:
        out.error(
            "pxe-config",
            "pxe.netmask",
            f"the static address's subnet leaves no room for the install network: its DHCP "
            f"server and the address the firmware netboots with (pxe.netmask "
            f"{plan.static_ip.netmask if plan.static_ip else '?'}); give the LAN's netmask",
        )
        return
    if network in known:
        prep.steps.append(
            Step(
                "install-server",
                f"libvirt network {network}: add TFTP and the boot file "
                f"(virsh net-edit --network {network})",
                why_bootfile + f". Inside <ip>: <tftp root='{root}'/>, and inside <dhcp>: "
                f"<bootp file='{bootfile}'/>; then virsh net-destroy/net-start {network}",
                manual=True,
            )
        )
        return
    name = f"{answers.guest.name}.install-net.xml"
    prep.extra_files[name] = xml
    take_check(prep, name, xml)
    prep.resolves.add(("host-network", f"{boot_nic}.source.network"))
    prep.steps.append(
        Step(
            "install-server",
            f"define libvirt network {network} with TFTP and a DHCP boot file",
            why_bootfile + ". libvirt's dnsmasq serves both (<tftp root>, <bootp file>)",
            f"virsh net-info --network {q(network)} >/dev/null 2>&1",
            [
                q("run", "mkdir", "-p", "--", root),
                q("run", "define_network") + f' "$here/{name}" ' + q(sha256(xml)),
            ],
        )
    )
    prep.steps.append(
        Step(
            "install-server",
            f"start libvirt network {network}, and at every boot",
            "the guest's NIC attaches to it at start",
            f"LC_ALL=C virsh net-info --network {q(network)} | grep -q '^Active: *yes'",
            [
                q("run", "virsh", "net-start", "--network", network),
                q("run", "virsh", "net-autostart", "--network", network),
            ],
        )
    )


def _shared_default(prep: Preparation, root: str, text: str, out: Collector) -> None:
    """pxelinux.cfg/default in a shared TFTP root is every machine's fallback: another
    guest's is never replaced unless the script is told to (--replace-default)."""
    from zwizard.userfiles import read_regular

    target = f"{root}/pxelinux.cfg/default"
    prep.checks.append(
        Check(
            f'[ "$replace_default" = 1 ] || [ ! -e {q(target)} ] || cmp -s "$here/pxelinux.cfg/'
            f'default" {q(target)}',
            f"{target} holds another pxelinux file, which every machine without a file of its "
            "own installs from: rerun with --replace-default to replace it, or set "
            "pxe.write_default = false (the per-MAC file is enough for this guest)",
            f"{target} is free or this guest's",
        )
    )
    try:
        there = read_regular(target)
    # not there, not a file this run can read, or a NUL in the path (which the rules
    # refuse): the script's own check says what is there where it runs
    except (OSError, ValueError):
        there = None
    if there is not None and there != text.encode():
        lines = there.decode("utf-8", "replace").splitlines()
        said = "; ".join(ln.strip() for ln in lines if ln.split()[:1] in (["kernel"], ["append"]))
        out.warn(
            "pxe-config",
            "pxe.write_default",
            f"{target} on this host holds another pxelinux file ({said or 'other content'}); "
            "the script replaces it only when run with --replace-default: set "
            "pxe.write_default = false to leave it",
        )


def install_network(
    network: str, answers: Answers, plan: Plan, root: str, bootfile: str
) -> str | None:
    """A libvirt network (isolated: no forward) whose dnsmasq answers DHCP with the boot
    file and serves the TFTP root. Its subnet is the static IPv4 address's, else libvirt's
    default 192.168.122.0/24 (the firmware netboots over IPv4 whatever the installer
    uses); the DHCP range stays clear of the static address."""
    static = plan.static_ip if plan.static_ip is not None and not plan.static_ip.ipv6 else None
    net = ipaddress.ip_network("192.168.122.0/24")
    host_ip = net.network_address + 1
    if static is not None:
        try:
            net = ipaddress.ip_network(f"{static.address}/{static.netmask}", strict=False)
            host_ip = ipaddress.ip_address(static.gateway) if static.gateway else host_ip
        except ValueError:
            pass
        if host_ip not in net:
            host_ip = net.network_address + 1
    if net.num_addresses > 1 << 16:  # a /8 would list millions: the first /24 is enough
        net = ipaddress.ip_network(f"{host_ip}/24", strict=False)
    hosts = list(net.hosts())
    address = ipaddress.ip_address(static.address) if static and static.address else None
    taken = {host_ip, *([address] if address else [])}
    free = [h for h in hosts if h not in taken]
    if len(free) < 2:  # /31, /32: no room for the server and a lease besides the guest
        return None
    start, end = free[len(free) // 2], free[-1]
    if address is not None and start <= address <= end:
        start, end = free[0], free[len(free) // 2 - 1]
    from zwizard.xmlwrite import Element, sub, to_xml

    doc = Element("network")
    sub(doc, "name", network)
    ip = sub(doc, "ip", address=str(host_ip), netmask=str(net.netmask))
    sub(ip, "tftp", root=root)
    dhcp = sub(ip, "dhcp")
    sub(dhcp, "range", start=str(start), end=str(end))
    sub(dhcp, "bootp", file=bootfile)
    return to_xml(doc)

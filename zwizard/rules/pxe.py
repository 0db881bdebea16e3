"""The PXE install's rules: the pxelinux file, the kernel command line and the
installer's network settings as the installer's own parser reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwizard.findings import Collector as _Collector
from zwizard.findings import reports
from zwizard.model import Answers, Pxe

if TYPE_CHECKING:
    pass
from zwizard.inputs import (
    HOSTNAME_FORM,
    IFNAME_FORM,
    KS_FORMS,
    REPO_FORMS,
    StaticIp,
    gateway_problem,
    hostname_ok,
    ifname_ok,
    ip_problem,
    kickstart_ok,
    mac_problem,
    mtu_problem,
    netmask_problem,
    repo_form,
    repo_suggestion,
    tftp_path_problem,
    tftp_root_problem,
)
from zwizard.limits import PXE_APPEND_MAX, PXE_FILE_MAX, PXE_PATH_MAX
from zwizard.plan import Plan, nameservers
from zwizard.render.pxe import append_line, render_pxe
from zwizard.structure import lookup

# --- PXE -------------------------------------------------------------------------------


@reports("pxe-config")
def _pxe(a: Answers, plan: Plan, out: _Collector) -> None:
    pxe = a.pxe
    if not pxe.enabled:
        return
    if not a.nics:
        out.error("pxe-config", "pxe.enabled", "PXE needs a network interface to boot from")
    elif plan.boot_nic() is None:
        out.error(
            "pxe-config",
            "nics",
            "no network interface has a boot order, so the firmware never tries the network; "
            "give the installing NIC a boot_order",
        )
    elif plan.first_boot != f"nics[{plan.boot_nic()}]":
        out.warn(
            "pxe-config",
            f"nics[{plan.boot_nic()}].boot_order",
            f"{plan.first_boot} boots first; QEMU before 9.2 tries only the first boot device, "
            "so the network install starts only once that device fails to boot",
        )
    sources = ("inst.repo=", "inst.stage2=", "repo=", "stage2=")
    if not pxe.repo and not any(arg.startswith(sources) for arg in (pxe.extra_args or "").split()):
        if not any(d.device == "cdrom" for d in a.disks):
            # anaconda docs/boot-options.rst (rhel-9): "inst.repo=cdrom ... This is the
            # default": with neither a repo nor a stage2 it looks for install.img on a CD
            out.warn(
                "pxe-config",
                "pxe.repo",
                "no installation source (inst.repo= or inst.stage2=): the installer then "
                "searches CD-ROM drives for its image (inst.repo=cdrom, anaconda's default), "
                "and this guest has none",
            )
    if not pxe.per_mac and not pxe.write_default:
        out.error(
            "pxe-config",
            "pxe.write_default",
            "with per_mac and write_default both off no PXE file would be written",
        )
    for key in ("kernel", "initrd", "label"):
        value = getattr(pxe, key)
        if not value or any(c.isspace() for c in value):
            out.error("pxe-config", f"pxe.{key}", f"{key} must be a non-empty word, not {value!r}")
        elif key != "label" and "://" in value:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"'{value}' is a URL, but the s390 firmware fetches the {key} over TFTP: give "
                "its path relative to the TFTP root (e.g. rhel9/vmlinuz)",
            )
        elif key != "label" and value.lower().startswith(("nfs:", "nfs4:", "hd:", "cdrom:")):
            # an installation source's form (anaconda's inst.repo=), typed one field late
            out.warn(
                "pxe-config",
                f"pxe.{key}",
                f"'{value}' reads as an installation source (inst.repo=), not a file under "
                f"the TFTP root: the firmware would fetch a file of that name as the {key}",
            )
        elif key != "label" and (why := tftp_path_problem(value)) is not None:
            out.error("pxe-config", f"pxe.{key}", f"{key} '{value}': {why}")
        elif key != "label" and len(value.encode()) > PXE_PATH_MAX:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"the {key} path is {len(value.encode())} bytes; the firmware's TFTP file name "
                f"holds at most {PXE_PATH_MAX} (SLOF lib/libnet/tftp.h) and would cut it",
            )
    if (why := tftp_root_problem(pxe.tftp_root)) is not None:
        out.error("pxe-config", "pxe.tftp_root", f"tftp_root '{pxe.tftp_root}': {why}")
    for key in ("repo", "kickstart"):
        value = getattr(pxe, key)
        if value is not None and '"' in value:
            out.error(
                "pxe-config",
                f"pxe.{key}",
                f"'{value}' holds '\"': the kernel reads a quote as the start of a quoted "
                "argument (lib/cmdline.c), so the arguments after it would join this one",
            )
    _credentials(a, out)
    if pxe.repo is not None and repo_form(pxe.repo) is None:
        fix = repo_suggestion(pxe.repo)
        hint = f"; did you mean {fix}?" if fix else ""
        out.error(
            "pxe-config",
            "pxe.repo",
            f"'{pxe.repo}' is not an installation source anaconda reads (inst.repo= forms: "
            f"{REPO_FORMS}){hint}",
        )
    if pxe.kickstart is not None and not kickstart_ok(pxe.kickstart):
        out.error(
            "pxe-config",
            "pxe.kickstart",
            f"'{pxe.kickstart}' is not a kickstart location anaconda reads (inst.ks= forms: "
            f"{KS_FORMS})",
        )
    if pxe.ip not in ("dhcp", "static", "dhcp6", "auto6") and ":" not in pxe.ip:
        out.error(
            "pxe-config",
            "pxe.ip",
            f"ip '{pxe.ip}': use dhcp, dhcp6, auto6, static (with pxe.address …) or dracut's "
            "own form <address>::<gateway>:<netmask>:<hostname>:<interface>:none",
        )
    elif plan.static_problem:
        where = "pxe.ip" if pxe.ip != "static" else "pxe.address"
        out.error("pxe-config", where, plan.static_problem)
    elif plan.static_ip is not None:
        _static_address(pxe, plan.static_ip, out)
    _install_names(a, plan.static_ip, out)
    _nameservers(pxe, plan.static_ip, out)
    if pxe.extra_args is not None:
        _extra_args(pxe, out)
    line = append_line(a, plan)
    if len(line) > PXE_APPEND_MAX:
        out.error(
            "pxe-config",
            "pxe",
            f"the append line is {len(line)} characters; the kernel command line allows "
            f"{PXE_APPEND_MAX}",
        )
    size = len(render_pxe(a, plan).encode())
    if size > PXE_FILE_MAX:
        out.error(
            "pxe-config",
            "pxe",
            f"the pxelinux file would be {size} bytes; "
            f"the s390 firmware reads at most {PXE_FILE_MAX}",
        )


def _credentials(a: Answers, out: _Collector) -> None:
    """A user and password in a URL are written in clear: said, with where they go."""
    from urllib.parse import urlsplit

    for key in ("repo", "kickstart"):
        value = getattr(a.pxe, key)
        try:
            parts = urlsplit(value) if value and "://" in value else None
        except ValueError:
            parts = None
        if parts is None or (parts.username is None and parts.password is None):
            continue
        shown = value.replace(parts.netloc, "***@" + parts.netloc.rpartition("@")[2], 1)
        where = "pxelinux.cfg/* (which TFTP serves to anyone on that network)"
        if key == "repo":
            where += f", {a.guest.name}.prepare.sh (the curl that fetches the kernel)"
        out.warn(
            "pxe-config",
            f"pxe.{key}",
            f"'{shown}' carries a user name or password: it is written in clear into {where} "
            "and the answers and drafts that hold it (mode 0600); prefer a source that needs "
            "none on the install network",
        )


def _install_names(a: Answers, st: StaticIp | None, out: _Collector) -> None:
    """The host name and interface of ip= (its own keys, or the fields of dracut's form):
    each one the installer keeps, so no value can add an ip= field or an argument."""
    pxe = a.pxe
    names = [("pxe.hostname", pxe.hostname, "host"), ("pxe.interface", pxe.interface, "if")]
    if st is not None and pxe.ip != "static":
        names += [("pxe.ip", st.hostname, "host"), ("pxe.ip", st.interface, "if")]
    for path, value, what in names:
        if value is None:
            continue
        if what == "host" and not hostname_ok(value):
            out.error(
                "pxe-config",
                path,
                f"host name '{value}' is not one the installer keeps: {HOSTNAME_FORM}; "
                "NetworkManager's initrd reader drops it",
            )
        elif what == "if" and not ifname_ok(value):
            out.error(
                "pxe-config",
                path,
                f"interface '{value}' is not a kernel interface name: {IFNAME_FORM}",
            )
    if st is not None and not (st.hostname or pxe.hostname) and not hostname_ok(a.guest.name):
        out.error(
            "pxe-config",
            "pxe.hostname",
            f"the static ip= takes the guest's name '{a.guest.name}' as the host name, but "
            f"the installer keeps only {HOSTNAME_FORM}: set pxe.hostname",
        )


def _static_address(pxe: Pxe, st: StaticIp, out: _Collector) -> None:
    """The address, netmask (IPv6: prefix length), gateway, MTU and MAC of a static ip=,
    each one RHEL 9's initrd (NetworkManager's nm-initrd-generator) reads as written."""
    in_ip = pxe.ip != "static"
    family = 6 if st.ipv6 else 4
    valid = True
    for key, value in (("address", st.address), ("gateway", st.gateway)):
        where = "pxe.ip" if in_ip else f"pxe.{key}"
        if value is None and key == "gateway":
            # dracut.cmdline(7) leaves it optional, and NetworkManager's initrd reader
            # makes the address without a default route [seen]: a flat install LAN
            if st.address:
                out.warn(
                    "pxe-config",
                    where,
                    f"no gateway: the installer reaches only the subnet of {st.address} "
                    "(the install source must be there)",
                )
        elif value is None:
            out.error("pxe-config", where, f"a static address needs its {key}")
            valid = False
        elif (why := ip_problem(value, family)) is not None:
            mixed = f" like the address {st.address}" if key == "gateway" else ""
            out.error("pxe-config", where, f"{key} {why}{mixed}")
            valid = False
    where = "pxe.ip" if in_ip else "pxe.netmask"
    if st.netmask is None:
        what = "prefix length (/64)" if family == 6 else "netmask"
        out.error("pxe-config", where, f"a static address needs its {what}")
        valid = False
    elif family == 6:
        if not (st.netmask.isascii() and st.netmask.isdigit() and int(st.netmask) <= 128):
            out.error(
                "pxe-config",
                where,
                f"'{st.netmask}': an IPv6 address takes a prefix length 0-128 there, "
                "not a netmask (dracut.cmdline(7))",
            )
            valid = False
    elif (why := netmask_problem(st.netmask)) is not None:
        out.error("pxe-config", where, why)
        valid = False
    if valid and st.address and st.gateway and st.netmask:
        if (why := gateway_problem(st.address, st.netmask, st.gateway)) is not None:
            out.error("pxe-config", "pxe.ip" if in_ip else "pxe.gateway", why)
    if st.mtu is not None and (why := mtu_problem(st.mtu)) is not None:
        out.error("pxe-config", "pxe.ip", why)
    if st.macaddr is not None and (why := mac_problem(st.macaddr)) is not None:
        out.error("pxe-config", "pxe.ip", why)


# resolv.conf(5): "Up to MAXNS (currently 3) name servers may be listed"; glibc's resolver
# asks only those.
RESOLV_MAXNS = 3


def _nameservers(pxe: Pxe, st: StaticIp | None, out: _Collector) -> None:
    """Each name server an address; each of a family the installer configures:
    NetworkManager's initrd reader files a server under its family and drops it when
    ip= leaves that family disabled (a static IPv4 ip= disables IPv6, dhcp6 and auto6
    disable IPv4)."""
    servers = nameservers(pxe)
    if st is not None:
        families = {6} if st.ipv6 else {4}
        method = f"the static IPv{6 if st.ipv6 else 4} ip="
    else:
        families = {6} if pxe.ip in ("dhcp6", "auto6") else {4, 6}
        method = f"ip={pxe.ip}"
    seen: set[str] = set()
    for i, server in enumerate(servers):
        path = "pxe.nameserver" if isinstance(pxe.nameserver, str) else f"pxe.nameserver[{i}]"
        if (why := ip_problem(server)) is not None:
            out.error("pxe-config", path, f"name server {why}")
            continue
        version = 6 if ":" in server else 4
        if version not in families:
            out.error(
                "pxe-config",
                path,
                f"name server {server} is IPv{version}, but {method} leaves IPv{version} "
                "off: the installer's NetworkManager drops the server (nm-initrd-generator); "
                f"give an IPv{6 if version == 4 else 4} name server",
            )
        elif server.lower() in seen:
            out.error("pxe-config", path, f"name server {server} is listed twice")
        seen.add(server.lower())
    if len(servers) > RESOLV_MAXNS:
        out.warn(
            "pxe-config",
            "pxe.nameserver",
            f"{len(servers)} name servers: the installer's resolver asks only the first "
            f"{RESOLV_MAXNS} (MAXNS, resolv.conf(5))",
        )


# Options zwizard writes from their own keys; a second copy in extra_args would leave the
# installer with two (dracut configures an interface per ip=, anaconda keeps one repo).
_OWN_ARGS = {"ip": "pxe.ip", "inst.repo": "pxe.repo", "inst.ks": "pxe.kickstart",
             "nameserver": "pxe.nameserver"}  # fmt: skip


def _extra_args(pxe: Any, out: _Collector) -> None:
    for word in pxe.extra_args.split():
        name = word.split("=", 1)[0]
        if name == "initrd":
            out.error(
                "pxe-config",
                "pxe.extra_args",
                "initrd= in append is not honoured by the s390 firmware; set pxe.initrd",
            )
        elif name in _OWN_ARGS and "=" in word:
            own = _OWN_ARGS[name]
            # ip= is always written; the others only when their key is set
            if name == "ip" or lookup(pxe, own.removeprefix("pxe.")) is not None:
                out.error(
                    "pxe-config",
                    "pxe.extra_args",
                    f"'{word}': {name}= is written from {own} already, and two would leave "
                    f"the installer to pick one; set {own} instead (dracut's static ip= "
                    "form is accepted there)",
                )

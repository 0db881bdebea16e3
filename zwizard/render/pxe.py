"""Answers -> pxelinux.cfg text for the s390-ccw netboot firmware.

The firmware understands only default/label/kernel/initrd/append, needs both
kernel and initrd in every label, and treats a DHCP bootfile as pxelinux
config only if it starts with `# pxelinux` (ibmz-rules.md, section 5).
"""

from __future__ import annotations

from zwizard.model import Answers
from zwizard.plan import Plan, interface_name, nameservers

HEADER = "# pxelinux"
AUTOCONF = ("dhcp", "dhcp6", "auto6")  # pxe.ip's methods without a static address


def append_line(answers: Answers, plan: Plan) -> str:
    """The kernel command line the installer boots with."""
    pxe = answers.pxe
    args: list[str] = []
    st = plan.static_ip
    if st is not None:
        nic = plan.boot_nic()
        iface = st.interface or pxe.interface
        if not iface and nic is not None and f"nics[{nic}]" in plan.ccw:
            iface = interface_name(plan.ccw[f"nics[{nic}]"])
        hostname = st.hostname or pxe.hostname or answers.guest.name
        # dracut.cmdline(7): an IPv6 address in brackets, its prefix in the netmask field
        address, gateway = _bracket(st.address), _bracket(st.gateway)
        fields = [address, "", gateway, st.netmask, hostname, iface, "none"]
        if st.mtu or st.macaddr:
            fields += [st.mtu, st.macaddr]
        args.append("ip=" + ":".join(f or "" for f in fields).rstrip(":"))
    elif (pxe.hostname or pxe.interface) and pxe.ip in AUTOCONF:
        # dracut's full form with an autoconf method: the host name and the interface
        # ride along (NetworkManager's reader keeps both; ip=dhcp alone would drop them)
        args.append(f"ip=::::{pxe.hostname or ''}:{pxe.interface or ''}:{pxe.ip}")
    else:
        args.append(f"ip={pxe.ip}")
    # dracut.cmdline(7): nameserver= may be given several times; each its own argument
    args += [f"nameserver={server}" for server in nameservers(pxe)]
    if pxe.repo:
        args.append(f"inst.repo={pxe.repo}")
    if pxe.kickstart:
        args.append(f"inst.ks={pxe.kickstart}")
    if pxe.extra_args:
        args.append(" ".join(pxe.extra_args.split()))
    return " ".join(args)


def _bracket(address: str | None) -> str | None:
    return f"[{address}]" if address and ":" in address else address


def render_pxe(answers: Answers, plan: Plan) -> str:
    pxe = answers.pxe
    lines = [
        HEADER,
        f"default {pxe.label}",
        f"label {pxe.label}",
        f"kernel {pxe.kernel}",
        f"initrd {pxe.initrd}",
        f"append {append_line(answers, plan)}",
    ]
    return "\n".join(lines) + "\n"


def pxe_files(answers: Answers, plan: Plan) -> dict[str, str]:
    """Relative path -> content of every PXE file to write (empty when PXE is off)."""
    if not answers.pxe.enabled:
        return {}
    text = render_pxe(answers, plan)
    files = {"pxelinux.cfg/default": text} if answers.pxe.write_default else {}
    nic = plan.boot_nic()
    if answers.pxe.per_mac and nic is not None:
        mac = plan.macs[nic].lower().replace(":", "-")
        files[f"pxelinux.cfg/01-{mac}"] = text
    return files

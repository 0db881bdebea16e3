"""Answers -> pxelinux.cfg text for the s390-ccw netboot firmware.

The firmware understands only default/label/kernel/initrd/append, needs both
kernel and initrd in every label, and treats a DHCP bootfile as pxelinux
config only if it starts with `# pxelinux` (ibmz-rules.md, section 5).
"""

from __future__ import annotations

from zwizard.model import Answers
from zwizard.plan import Plan, interface_name

HEADER = "# pxelinux"


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
        fields = [st.address, "", st.gateway, st.netmask, hostname, iface, "none"]
        args.append("ip=" + ":".join(f or "" for f in fields))
    else:
        args.append(f"ip={pxe.ip}")
    if pxe.nameserver:
        args.append(f"nameserver={pxe.nameserver}")
    if pxe.repo:
        args.append(f"inst.repo={pxe.repo}")
    if pxe.kickstart:
        args.append(f"inst.ks={pxe.kickstart}")
    if pxe.extra_args:
        args.append(" ".join(pxe.extra_args.split()))
    return " ".join(args)


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

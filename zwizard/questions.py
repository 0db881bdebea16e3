"""Every answers key outside the device lists as both front ends ask it, declared once.

A domain-level part declares its own keys' questions beside its XML (zwizard.parts); the
keys that are not the domain's — the network install's pxelinux file, the stack a guest
for another host is judged against — are declared here. The wizard builds its fields from
these (label, help, placeholder, kind, choices) and the prompt mode its questions
(`Question.asked`), so the two cannot name one key in two ways. A device kind declares
its entries' fields itself (zwizard.devices, `Kind.fields`).
"""

from __future__ import annotations

import functools

from zwizard.parts import PARTS
from zwizard.parts.base import Question
from zwizard.structure import record

__all__ = ["GROUPS", "QUESTIONS", "Group", "Question", "group", "question", "yes_or_no"]

TARGET: tuple[Question, ...] = (
    Question("target.libvirt", "Target host's libvirt (digits.digits)", empty="9.0",
             kind="optional-str"),
    Question("target.qemu", "Target host's QEMU (digits.digits)", empty="7.2",
             kind="optional-str"),
)  # fmt: skip

PXE: tuple[Question, ...] = (
    Question("pxe.enabled", "Write pxelinux.cfg/default (and 01-<mac>)",
             help="the files the s390 firmware reads to install over the network"),
    Question("pxe.kernel", "kernel, relative to the TFTP root",
             help="the s390 firmware fetches it by TFTP: a path, not a URL"),
    Question("pxe.initrd", "initrd, relative to the TFTP root",
             help="every pxelinux label needs one"),
    Question("pxe.repo", "installation source (inst.repo=)", empty="none", kind="optional-str",
             placeholder="(http://…, nfs:server:/path, hd:…, cdrom, hmc)"),
    Question("pxe.kickstart", "kickstart (inst.ks=)", empty="none", kind="optional-str"),
    Question("pxe.ip", "Address", choices=(("dhcp", "DHCP"), ("static", "static")),
             help="static shows the address fields (an answers file may give dracut's ip= form)"),
    Question("pxe.address", "static address (a /prefix gives the netmask)",
             kind="optional-str", placeholder="(IPv4 with /24, or IPv6 with /64)"),
    Question("pxe.netmask", "netmask", kind="optional-str", placeholder="(or a /prefix above)"),
    Question("pxe.gateway", "gateway", kind="optional-str", placeholder="(its subnet's)"),
    # empty: the guest's name, where it is a host name (else the prompt says what is needed)
    Question("pxe.hostname", "host name the installer sets", empty="the guest's name",
             kind="optional-str", placeholder="(static: the guest's name)"),
    Question("pxe.interface", "guest interface", empty="enc<devno> of the installing NIC",
             kind="optional-str"),
    Question("pxe.nameserver", "name servers (blank- or comma-separated)", empty="none",
             kind="optional-addr-list", placeholder="(IPv4 or IPv6)"),
    Question("pxe.extra_args", "more kernel arguments (not ip=, that is above)", empty="none",
             kind="optional-str", placeholder="(e.g. inst.text inst.sshd)"),
    Question("pxe.tftp_root", "the install server's TFTP root",
             help="zwizard prepare copies the files there"),
    Question("pxe.label", "label in the pxelinux file"),
    Question("pxe.write_default", "Write pxelinux.cfg/default",
             help="off when several guests share one TFTP root"),
    Question("pxe.per_mac", "Write pxelinux.cfg/01-<mac> of the installing NIC"),
)  # fmt: skip

# a choice IBM Z never has, shown greyed with its rule (ccw-only); no answers key holds it
GREYED: tuple[Question, ...] = (Question("virtio-pci", "virtual PCI NIC"),)

QUESTIONS: dict[str, Question] = {
    q.path: q for q in (*(q for part in PARTS for q in part.questions), *TARGET, *PXE, *GREYED)
}


def question(path: str) -> Question:
    """The declared question of an answers key; a key no part declares is a mistake in the
    front end that asks it (tests/tui/test_both_ask.py)."""
    try:
        return QUESTIONS[path]
    except KeyError:
        raise KeyError(f"no question is declared for '{path}' (zwizard.questions)") from None


@record(frozen=True)
class Group:
    """Options both front ends fold behind one title: the wizard as a folded group that
    opens when one of them holds a value, the prompt mode as a yes/no before them. The
    same keys in this order under the same words (a device kind's options are its own:
    `Kind.options_title`)."""

    key: str
    title: str
    paths: tuple[str, ...]


GROUPS: dict[str, Group] = {
    g.key: g
    for g in (
        Group("guest", "More guest options (title, description; power-off, reboot, crash)",
              ("guest.title", "guest.on_poweroff", "guest.on_reboot", "guest.on_crash",
               "guest.description")),
        Group("cpu", "More CPU and memory options (topology, KSM …)",
              ("guest.vcpus_current", "cpu.sockets", "cpu.cores", "cpu.features",
               "cpu.pinning", "cpu.emulator_pinning", "guest.iothreads",
               "cpu.iothread_pinning", "cpu.deprecated_features", "memory.hard_limit_mib",
               "memory.soft_limit_mib", "memory.swap_hard_limit_mib", "memory.nosharepages",
               "memory.locked", "memory.balloon_autodeflate", "memory.balloon_stats_period")),
        Group("console", "Console options (log, line mode, VNC)",
              ("console.log", "console.log_append", "console.line_mode", "console.virtio",
               "graphics.vnc", "graphics.listen")),
        Group("pxe", "More PXE options (TFTP root, label, files)",
              ("pxe.tftp_root", "pxe.label", "pxe.write_default", "pxe.per_mac")),
    )
}  # fmt: skip


def group(key: str) -> Group:
    return GROUPS[key]


@functools.cache  # asked for each grouped key whenever a step is built
def yes_or_no(path: str) -> bool:
    """Whether a key is asked as yes or no: its model type is bool (or bool | None)."""
    from typing import get_args

    from zwizard.model import Answers
    from zwizard.structure import hints, lookup

    parent, _, name = path.rpartition(".")
    owner = lookup(Answers(), parent) if parent else Answers()
    kind = hints(type(owner))[name]
    return kind is bool or bool in get_args(kind)

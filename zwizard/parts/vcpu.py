"""The vCPUs: how many, and how many online at start (<vcpu current>)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers, Guest
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    vcpu = {"placement": "static"}
    if g.vcpus_current is not None:
        vcpu["current"] = str(g.vcpus_current)
    sub(dom, "vcpu", str(g.vcpus), **vcpu)


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    g: Guest = a.guest
    vcpu = root.find("vcpu")
    if vcpu is None:  # libvirt's default: one vCPU (zwizard's own default is two)
        g.vcpus = 1
    elif not r.text(vcpu).isdigit():
        said = "libvirt: maximum vcpus count must be an integer"
        r.finding(vcpu, "vcpus", "error", f"vcpu {r.text(vcpu)!r}: {said}")
        r.changed("vcpus", vcpu, f"vcpu {r.text(vcpu)!r} -> {g.vcpus} ({said})")
    else:
        placement = r.get(vcpu, "placement")  # static is what zwizard writes
        if placement not in (None, "static"):
            what = f"vCPU placement {placement} (numad) -> static"
            r.changed("no-numa", vcpu, what, whole=False)
        g.vcpus = int(r.text(vcpu))
        r.mark("guest.vcpus", vcpu)
        current = r.get(vcpu, "current")
        if current is not None and current.isdigit():
            g.vcpus_current = int(current)
        elif current is not None:
            said = f"libvirt: invalid value for attribute 'current' of <vcpu>: {current!r}"
            r.finding(vcpu, "vcpus", "error", said)
            r.lost(vcpu, f"vCPUs online at start {current!r} ({said})", whole=False)


QUESTIONS: tuple[Question, ...] = (
    Question("guest.vcpus", "vCPUs", kind="int", help="1-248 (247 with Secure Execution)"),
    Question(
        "guest.vcpus_current",
        "vCPUs online at start",
        empty="all",
        kind="optional-int",
        help="the rest can be added later: virsh setvcpus",
    ),
)
PART = Part(key="guest.vcpus", tags=("vcpu",), write=write, read=read, questions=QUESTIONS)

"""Answers -> libvirt domain XML for s390x: a walk over the parts (zwizard.parts) and
the device kinds (zwizard.devices), each writing its own elements.

Only what IBM Z has is ever emitted: virtio-ccw devices with ccw addresses,
the SCLP console, diag288, per-device <boot order/> — never <os><boot dev>,
SMBIOS, NUMA, timers, USB or virtual PCI devices.
"""

from __future__ import annotations

from zwizard.devices import KINDS
from zwizard.model import Answers
from zwizard.parts import DEVICES, HEAD, TAIL
from zwizard.plan import Plan, make_plan
from zwizard.xmlwrite import Element, sub
from zwizard.xmlwrite import to_xml as to_xml


def render_domain(answers: Answers, plan: Plan | None = None) -> Element:
    """The <domain> element; call `to_xml` for the text."""
    plan = plan or make_plan(answers)
    dom = Element("domain", {"type": answers.guest.domain_type})
    for part in HEAD:
        part.write(dom, answers, plan)
    devices = sub(dom, "devices")
    for kind in KINDS:  # each kind's entries, then what they sit on (the SCSI controller)
        for i in range(len(getattr(answers, kind.key))):
            kind.write(devices, answers, i, plan)
        if kind.key == "disks" and answers.guest.no_usb:  # the first, as libvirt sorts them
            sub(devices, "controller", type="usb", index="0", model="none")
        if kind.after is not None:
            kind.after(devices, answers, plan)
    for part in DEVICES:
        part.write(devices, answers, plan)
    for part in TAIL:
        part.write(dom, answers, plan)
    return dom

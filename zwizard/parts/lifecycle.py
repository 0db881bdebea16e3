"""What libvirt does when the guest powers off, reboots or crashes (<on_poweroff> ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

EVENTS = ("on_poweroff", "on_reboot", "on_crash")  # libvirt's order; guest.<event>


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    for event in EVENTS:
        sub(dom, event, getattr(answers.guest, event))


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    for event in EVENTS:
        el = root.find(event)
        if el is not None and r.text(el):
            setattr(a.guest, event, r.text(el))
            r.mark(f"guest.{event}", el)


PART = Part(key="guest.on_poweroff", within="domain", tags=EVENTS, write=write, read=read)

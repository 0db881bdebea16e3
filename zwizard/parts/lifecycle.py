"""What libvirt does when the guest powers off, reboots or crashes (<on_poweroff> ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard import choices
from zwizard.codec import Prop, read_all, write_all
from zwizard.parts.base import Part, PartReader, Question

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

EVENTS = ("on_poweroff", "on_reboot", "on_crash")  # libvirt's order; guest.<event>
PROPS = tuple(Prop(event, event) for event in EVENTS)  # each element's text


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    write_all(PROPS, dom, answers.guest)


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    read_all(PROPS, r, root, a.guest, "guest")  # the rules judge the action named


QUESTIONS: tuple[Question, ...] = (
    Question(
        "guest.on_poweroff",
        "libvirt's action when the guest powers off",
        choices=tuple(choices.LIFECYCLE),
    ),
    Question(
        "guest.on_reboot",
        "libvirt's action when the guest reboots",
        choices=tuple(choices.LIFECYCLE),
    ),
    Question(
        "guest.on_crash",
        "libvirt's action when the guest crashes",
        choices=tuple(choices.CRASH_ACTIONS),
    ),
)
PART = Part(key="guest.on_poweroff", tags=EVENTS, write=write, read=read, questions=QUESTIONS)

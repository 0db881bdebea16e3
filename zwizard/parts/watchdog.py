"""The diag288 watchdog: the only watchdog IBM Z has (rule watchdog-diag288)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from zwizard.findings import reports
from zwizard.model import Answers, Watchdog
from zwizard.parts.base import Part, PartReader, Question
from zwizard.vocabulary import WATCHDOG_ACTIONS, WatchdogAction
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.importer.document import Imported
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

DIAG288 = Watchdog.model  # the record's default: the one watchdog on IBM Z


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    if answers.watchdog is not None:
        sub(devices, "watchdog", model=DIAG288, action=answers.watchdog.action)


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    action = r.get(el, "action", "reset")
    wd = Watchdog(action=cast(WatchdogAction, action) if action in WATCHDOG_ACTIONS else "reset")
    if action not in WATCHDOG_ACTIONS:  # libvirt: "unknown watchdog action"
        known = ", ".join(WATCHDOG_ACTIONS)
        why = f"libvirt knows no watchdog action '{action}' (only {known})"
        r.finding(el, "watchdog-diag288", "error", why)
        what = f"watchdog action {action} -> reset ({known})"
        r.changed("watchdog-diag288", el, what, whole=False)
    wd.model = r.get(el, "model") or ""
    a.watchdog = wd
    r.mark("watchdog", el)
    r.mark("watchdog.model", el)


@reports("watchdog-diag288")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    if a.watchdog is not None and a.watchdog.model != DIAG288:
        out.error(
            "watchdog-diag288",
            "watchdog.model",
            f"'{a.watchdog.model}' is a PC (PCI/ISA) watchdog; IBM Z guests use diag288",
        )


def convert(imported: Imported) -> None:
    """A PC watchdog (i6300esb, ib700) becomes diag288, its action kept."""
    wd = imported.answers.watchdog
    if wd is not None and wd.model != DIAG288:
        what = f"watchdog {wd.model} -> {DIAG288} (action {wd.action} kept)"
        imported.change("watchdog-diag288", "watchdog.model", what)
        wd.model = DIAG288


QUESTIONS: tuple[Question, ...] = (
    Question(
        "watchdog.model",
        "Model",
        choices=(("diag288", "diag288"), ("i6300esb", "i6300esb (PCI)"), ("ib700", "ib700 (ISA)")),
    ),  # a converted guest's
    Question(
        "watchdog.action",
        "When the guest stops feeding it",
        choices=tuple((a, a) for a in WATCHDOG_ACTIONS),
    ),
)
PART = Part(
    key="watchdog",
    tags=("watchdog",),
    write=write,
    read=read,
    check=check,
    convert=convert,
    questions=QUESTIONS,
)

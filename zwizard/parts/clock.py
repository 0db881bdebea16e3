"""The guest clock: an offset, and no timers (kvm-clock and the like are x86's; rule
no-kvmclock)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from zwizard.findings import reports
from zwizard.parts.base import Part, PartReader
from zwizard.vocabulary import CLOCK_OFFSETS, ClockOffset
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.importer.document import Imported
    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    sub(dom, "clock", offset=answers.clock.offset)


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    clock = root.find("clock")
    if clock is None:
        return
    offset = r.get(clock, "offset", "utc")
    a.clock.offset = cast(ClockOffset, offset) if offset in CLOCK_OFFSETS else "utc"
    if offset not in CLOCK_OFFSETS:
        r.changed("no-kvmclock", clock, f"clock offset {offset} -> utc", whole=False)
    for timer in clock.findall("timer"):
        a.clock.timers.append(r.get(timer, "name") or "?")
        r.held(f"clock.timers[{len(a.clock.timers) - 1}]", timer)


@reports("no-kvmclock")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, timer in enumerate(a.clock.timers):
        out.error(
            "no-kvmclock",
            f"clock.timers[{i}]",
            f"timer '{timer}' is x86-only (like kvm-clock); IBM Z guests need no timer setup",
        )


def convert(imported: Imported) -> None:
    """x86 timers are dropped, each said."""
    clock = imported.answers.clock
    for i, name in enumerate(clock.timers):
        imported.change("no-kvmclock", f"clock.timers[{i}]", f"dropped timer {name}")
    clock.timers = []


PART = Part(
    key="clock",
    tags=("clock",),
    write=write,
    read=read,
    check=check,
    convert=convert,
)

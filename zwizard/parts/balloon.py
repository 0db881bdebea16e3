"""The memory balloon: virtio-balloon-ccw, or model 'none' (which Secure Execution
requires, rule se-no-balloon); its deflate-on-OOM and statistics period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.devices.base import write_ccw
from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    mem = answers.memory
    balloon = sub(devices, "memballoon", model="virtio" if plan.balloon else "none")
    if plan.balloon:
        if mem.balloon_autodeflate is not None:
            balloon.set("autodeflate", "on" if mem.balloon_autodeflate else "off")
        if mem.balloon_stats_period is not None:
            sub(balloon, "stats", period=str(mem.balloon_stats_period))
        write_ccw(balloon, plan.ccw.get("memballoon"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    model = r.get(el, "model")
    a.memory.balloon = model != "none"
    r.mark("memory.balloon", el)
    deflate = r.get(el, "autodeflate")
    if deflate in ("on", "off"):
        a.memory.balloon_autodeflate = deflate == "on"
    stats = el.find("stats")
    period = r.get(stats, "period")
    if stats is not None and period is not None and period.isdigit():
        a.memory.balloon_stats_period = int(period)
        r.mark("memory.balloon_stats_period", stats)
    if model not in ("virtio", "none"):
        r.changed("ccw-only", el, f"memballoon {model} -> virtio", whole=False)
    r.placed(el, "memballoon")


PART = Part(key="memory.balloon", within="devices", tags=("memballoon",), write=write, read=read)

"""The memory balloon: virtio-balloon-ccw, or model 'none' (which Secure Execution
requires, rule se-no-balloon); its deflate-on-OOM and statistics period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.codec import NUMBER, ON_OFF, Prop, read_all, write_all
from zwizard.devices.base import write_ccw
from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

# deflate on OOM, and the statistics period, on the record's keys (memory.balloon_…)
PROPS = (
    Prop("balloon_autodeflate", "@autodeflate", ON_OFF),
    Prop("balloon_stats_period", "stats/@period", NUMBER),
)


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    mem = answers.memory
    balloon = sub(devices, "memballoon", model="virtio" if plan.balloon else "none")
    if plan.balloon:
        write_all(PROPS, balloon, mem)
        write_ccw(balloon, plan.ccw.get("memballoon"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    model = r.get(el, "model")
    a.memory.balloon = model != "none"
    r.mark("memory.balloon", el)
    read_all(PROPS, r, el, a.memory, "memory")
    if model not in ("virtio", "none"):
        r.changed("ccw-only", el, f"memballoon {model} -> virtio", whole=False)
    r.placed(el, "memballoon")


QUESTIONS: tuple[Question, ...] = (
    Question("memory.balloon", "Memory balloon (virtio)"),
    Question("memory.balloon_autodeflate", "Balloon gives memory back on OOM"),
    Question(
        "memory.balloon_stats_period",
        "Balloon statistics every … seconds",
        empty="off",
        kind="optional-int",
    ),
)
PART = Part(key="memory.balloon", tags=("memballoon",), write=write, read=read, questions=QUESTIONS)

"""The virtio-rng-ccw entropy device and its host source (rule rng-source)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.devices.base import write_ccw
from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    if plan.rng:
        rng = sub(devices, "rng", model="virtio")
        sub(rng, "backend", answers.rng.source, model="random")
        write_ccw(rng, plan.ccw.get("rng"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    if r.out.where.get("rng.enabled"):  # zwizard writes one: a second is said
        r.lost(el, "a further <rng> (zwizard writes one)")
        return
    a.rng.enabled = True
    r.mark("rng.enabled", el)
    r.get(el, "model")
    backend = el.find("backend")
    if backend is not None:
        r.get(backend, "model")
        source = r.text(backend)
        if source:  # libvirt's own default when empty: /dev/urandom
            a.rng.source = source
            r.mark("rng.source", backend)
    r.placed(el, "rng")


QUESTIONS: tuple[Question, ...] = (Question("rng.enabled", "Random number generator (virtio-rng)"),)
PART = Part(key="rng", tags=("rng",), write=write, read=read, questions=QUESTIONS)

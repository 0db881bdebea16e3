"""<features>: nothing IBM Z takes. x86's (ACPI, APIC, Hyper-V ...) are judged
(rule x86-features) and every other one is listed as not carried; zwizard writes none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


# what only x86 has (rule x86-features); any other feature is listed as not carried
X86_FEATURES = ("acpi", "apic", "pae", "vmport", "hyperv", "kvm", "smm", "ioapic", "hap", "pmu")


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    """Nothing: an IBM Z guest has no <features> to set."""


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    features = root.find("features")
    if features is None:
        return
    r.take(features)  # each feature below is judged or listed on its own
    for el in features:
        if not isinstance(el.tag, str):
            continue
        if el.tag in X86_FEATURES:
            r.never("x86-features", el, f"feature <{el.tag}>")
        else:
            r.lost(el, f"feature <{el.tag}>")


PART = Part(key="", tags=("features",), write=write, read=read)

"""The s390 panic device (libvirt adds it to every s390x guest): a guest crash reaches
libvirt's on_crash action. It has no address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    sub(devices, "panic", model="s390")


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    r.out.panic = True
    model = r.get(el, "model")
    if model not in (None, "s390"):
        r.changed("s390-machine", el, f"panic model {model} -> s390", whole=False)
    addr = el.find("address")
    if addr is not None and model in (None, "s390"):
        r.finding(
            addr,
            "ccw-address",
            "error",
            (
                "the s390 panic device has no address (libvirt: setting the panic device "
                "address is not supported for model 's390')"
            ),
        )
        r.changed("ccw-address", addr, "dropped the panic device's address")


PART = Part(key="", tags=("panic",), write=write, read=read)

"""CPACF key wrapping: the AES and DEA wrapping keys the guest's protected keys use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

CIPHERS = ("aes", "dea")  # libvirt's names, and the keys of answers.keywrap


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    wrap = answers.keywrap
    if all(getattr(wrap, name) is None for name in CIPHERS):
        return
    keywrap = sub(dom, "keywrap")
    for name in CIPHERS:
        if getattr(wrap, name) is not None:
            sub(keywrap, "cipher", name=name, state="on" if getattr(wrap, name) else "off")


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    wrap = root.find("keywrap")
    if wrap is None:
        return
    r.mark("keywrap", wrap)
    r.take(wrap)
    for cipher in wrap.findall("cipher"):
        name, state = r.get(cipher, "name"), r.get(cipher, "state")
        if name not in CIPHERS or state not in ("on", "off"):
            r.lost(cipher, f"cipher name='{name}' state='{state}' (aes or dea, on or off)")
        elif getattr(a.keywrap, name) is not None:
            r.finding(
                cipher,
                "keywrap",
                "error",
                f'a second {name} cipher (libvirt: "A domain definition can have no more '
                f'than one cipher node with name {name}")',
            )
            r.lost(cipher, f"a second {name} cipher")
        else:
            setattr(a.keywrap, name, state == "on")


QUESTIONS: tuple[Question, ...] = (
    Question("keywrap.aes", "AES key wrapping"),
    Question("keywrap.dea", "DEA/TDEA key wrapping"),
)
PART = Part(key="keywrap", tags=("keywrap",), write=write, read=read, questions=QUESTIONS)

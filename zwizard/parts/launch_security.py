"""Secure Execution's one element: <launchSecurity type='s390-pv'/> (its rules, which
change the rest of the guest, are in rules/secure.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.parts.base import Part, PartReader, Question
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    if answers.secure_execution.enabled:
        sub(dom, "launchSecurity", type="s390-pv")


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    ls = root.find("launchSecurity")
    if ls is None:
        return
    if r.get(ls, "type") == "s390-pv":
        a.secure_execution.enabled = True
        r.mark("secure_execution", ls)
    else:  # AMD SEV, Intel TDX
        r.never("x86-features", ls, f"launchSecurity type '{r.get(ls, 'type')}'")


QUESTIONS: tuple[Question, ...] = (
    Question("secure_execution.enabled", "Run as a secure guest (s390-pv)"),
    Question(
        "secure_execution.host_key_documents",
        "host-key documents (HKD-*.crt)",
        empty="none",
        kind="str-list",
        placeholder="(absolute paths, blank-separated)",
    ),
    Question(
        "secure_execution.certificates",
        "signing key and CA certificates",
        empty="none",
        kind="str-list",
        placeholder="(ibm-z-host-key-signing.crt DigiCertCA.crt)",
    ),
    Question("secure_execution.crls", "revocation lists (CRLs)", empty="none", kind="str-list"),
    Question(
        "secure_execution.image",
        "the secure image, in the guest",
        help="where zwizard prepare's script writes it (zipl boots it)",
    ),
    Question("secure_execution.no_verify", "Skip verifying the host-key documents (tests only)"),
)
PART = Part(
    key="secure_execution", tags=("launchSecurity",), write=write, read=read, questions=QUESTIONS
)

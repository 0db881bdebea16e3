"""The guest's own: domain type, name, UUID, title, description and the libosinfo id
(with zwizard's generator mark) in <metadata>."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard import choices, xmlsafe
from zwizard.parts.base import Part, PartReader, Question
from zwizard.vocabulary import OSINFO_IDS
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers, Guest
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


LIBOSINFO_NS = "http://libosinfo.org/xmlns/libvirt/domain/1.0"
ZWIZARD_NS = "urn:x-zwizard:domain:1"


def write(dom: Element, answers: Answers, plan: Plan) -> None:
    g = answers.guest
    sub(dom, "name", g.name)
    if g.uuid:
        sub(dom, "uuid", g.uuid.lower())
    if g.title:
        sub(dom, "title", g.title)
    if g.description:
        sub(dom, "description", g.description)
    meta = sub(dom, "metadata")
    osinfo = g.osinfo or OSINFO_IDS.get(g.os)  # a converted guest's own id, kept
    if osinfo:
        info = sub(meta, "libosinfo:libosinfo", **{"xmlns:libosinfo": LIBOSINFO_NS})
        sub(info, "libosinfo:os", id=osinfo)
    sub(meta, "zwizard:generator", "zwizard", **{"xmlns:zwizard": ZWIZARD_NS, "os": g.os})


def read(r: PartReader, root: etree._Element, a: Answers) -> None:
    g: Guest = a.guest
    dtype = r.get(root, "type", "kvm")
    g.domain_type = "qemu" if dtype == "qemu" else "kvm"
    if dtype not in ("kvm", "qemu"):
        r.changed("s390-machine", root, f"domain type {dtype} -> kvm", whole=False)
    for key in ("name", "uuid", "title", "description"):
        el = root.find(key)
        if el is not None and r.text(el):
            setattr(g, key, el.text if key == "description" else r.text(el))
            r.mark(f"guest.{key}", el)
    ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
    info = xmlsafe.find_all(root, "metadata/l:libosinfo", **ns)
    r.take(*(el for i in info for el in i.iter()))  # the os id is carried as guest.os
    os_el = next(iter(xmlsafe.find_all(root, "metadata/l:libosinfo/l:os", **ns)), None)
    osid = r.get(os_el, "id")
    g.os = "other"
    r.out.os_known = osid is not None
    if osid:
        for short in ("rhel7", "rhel8", "rhel9"):
            if f"/rhel/{short[4:]}" in osid:
                g.os = short
        if OSINFO_IDS.get(g.os) != osid and os_el is not None:  # kept as it is
            g.osinfo = osid
            r.mark("guest.osinfo", os_el)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "guest.name",
        "Guest name",
        help="libvirt domain name; the XML is written as <name>.xml",
        placeholder="(letters, digits, . _ + -)",
    ),
    Question("guest.os", "Operating system", choices=tuple(choices.OS)),
    Question("guest.domain_type", "Runs on", choices=tuple(choices.DOMAIN_TYPES)),
    Question("guest.title", "Title", empty="none", kind="optional-str"),
    Question("guest.description", "Description (virsh desc)", empty="none", kind="optional-str"),
    Question("guest.smbios", "SMBIOS system information"),  # greyed: rule no-smbios
)
PART = Part(
    key="guest.name",
    tags=("name", "uuid", "title", "description", "metadata"),
    write=write,
    read=read,
    questions=QUESTIONS,
)

"""A virtio socket (vhost-vsock-ccw): its guest context id, or libvirt's choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.codec import ON_OFF, Prop
from zwizard.devices.base import write_ccw
from zwizard.model import Vsock
from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

IOMMU = Prop("iommu", "driver/@iommu", ON_OFF)


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    if answers.vsock is None:
        return
    vsock = sub(devices, "vsock", model="virtio")
    cid = answers.vsock.cid
    sub(vsock, "cid", **({"auto": "yes"} if cid is None else {"auto": "no", "address": str(cid)}))
    IOMMU.write(vsock, answers.vsock)
    write_ccw(vsock, plan.ccw.get("vsock"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    cid = el.find("cid")
    auto, address = r.get(cid, "auto"), r.get(cid, "address")
    if r.get(el, "model") not in ("virtio", None) or a.vsock is not None:
        r.lost(el, "a vsock (one virtio vsock is carried)")
        return
    number = address if auto != "yes" and address is not None and address.isdigit() else None
    a.vsock = Vsock(cid=int(number) if number is not None else None)
    IOMMU.read(r, el, a.vsock, "vsock")
    r.take(cid)
    r.mark("vsock", el)
    r.placed(el, "vsock")


PART = Part(key="vsock", tags=("vsock",), write=write, read=read)

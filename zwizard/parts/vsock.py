"""A virtio socket (vhost-vsock-ccw): its guest context id, or libvirt's choice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.devices.base import write_ccw
from zwizard.model import Vsock
from zwizard.parts.base import Part, PartReader
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    if answers.vsock is None:
        return
    vsock = sub(devices, "vsock", model="virtio")
    cid = answers.vsock.cid
    sub(vsock, "cid", **({"auto": "yes"} if cid is None else {"auto": "no", "address": str(cid)}))
    if answers.vsock.iommu is not None:
        sub(vsock, "driver", iommu="on" if answers.vsock.iommu else "off")
    write_ccw(vsock, plan.ccw.get("vsock"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    cid = el.find("cid")
    auto, address = r.get(cid, "auto"), r.get(cid, "address")
    if r.get(el, "model") not in ("virtio", None) or a.vsock is not None:
        r.lost(el, "a vsock (one virtio vsock is carried)")
        return
    number = address if auto != "yes" and address is not None and address.isdigit() else None
    a.vsock = Vsock(cid=int(number) if number is not None else None)
    driver = el.find("driver")
    iommu = r.get(driver, "iommu")
    if driver is not None and iommu in ("on", "off"):
        a.vsock.iommu = iommu == "on"
        r.mark("vsock.iommu", driver)
    elif driver is not None and iommu is not None:
        r.lost(driver, f"driver iommu='{iommu}' (on or off)", whole=False)
    r.take(cid)
    r.mark("vsock", el)
    r.placed(el, "vsock")


PART = Part(key="vsock", within="devices", tags=("vsock",), write=write, read=read)

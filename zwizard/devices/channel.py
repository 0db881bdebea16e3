"""Channels: virtio-serial ports between host and guest, above all the QEMU guest
agent's. They sit on a virtio-serial controller, which is the ccw device; libvirt
gives each port its number on that controller."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from zwizard.devices.base import Kind, Reader, sub, write_ccw
from zwizard.findings import reports
from zwizard.model import Answers, Channel

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element

CONTROLLER = "virtio-serial-controller"  # its key in Plan.ccw


def write(devices: Element, answers: Answers, i: int, plan: Plan) -> None:
    channel = answers.channels[i]
    el = sub(devices, "channel", type="unix")
    if channel.path:
        sub(el, "source", mode="bind", path=channel.path)
    sub(el, "target", type="virtio", name=channel.name)


def write_controller(devices: Element, answers: Answers, plan: Plan) -> None:
    if CONTROLLER in plan.ccw:
        ctl = sub(devices, "controller", type="virtio-serial", index="0")
        write_ccw(ctl, plan.ccw[CONTROLLER])


def read(r: Reader, el: etree._Element, path: str) -> Channel | None:
    kind = r.get(el, "type")
    target = el.find("target")
    ttype = r.get(target, "type")
    name = r.get(target, "name")
    if kind != "unix" or ttype != "virtio" or not name:
        r.lost(el, f"channel {name or kind} ({kind}, target {ttype or 'none'})")
        return None
    channel = Channel(name=name)
    source = el.find("source")
    if source is not None:
        r.get(source, "mode")  # bind: QEMU listens, as libvirt does by default
        channel.path = r.get(source, "path")
    addr = el.find("address")
    if addr is not None and r.get(addr, "type") == "virtio-serial":
        r.changed("channel", addr, "virtio-serial port number left to libvirt")
    return channel


@reports("channel")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    for i, channel in enumerate(a.channels):
        if not channel.name:
            out.error("channel", f"channels[{i}].name", "a channel needs the name the guest sees")
    for name, count in Counter(c.name for c in a.channels if c.name).items():
        if count > 1:
            out.error(
                "channel",
                "channels",
                f"{count} channels are named '{name}': QEMU refuses to start the guest "
                "(virtio-serial-bus: A port already exists by name …)",
            )


KIND = Kind(
    key="channels",
    noun="channel",
    tags=("channel",),
    write=write,
    read=read,
    check=check,
    on_ccw=lambda channel: False,  # the controller is the ccw device, not the port
    controller=lambda channel: CONTROLLER,
    after=write_controller,
)

"""The consoles: the SCLP console (ttysclp0, `virsh console`), its line-mode sibling
(ttysclp1), libvirt's serial form of both, and a virtio console (hvc0). libvirt numbers a
console's port by its place, so their order is the guest's."""

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
    con = answers.console
    first = con.virtio and con.virtio_first and con.sclp and not con.serial
    if first:  # a converted guest's order: virsh console opens the first
        _virtio_console(devices, answers, plan)
    if con.serial:  # libvirt's serial form of the same devices (sclpconsole, sclplmconsole)
        _consoles_as_serials(devices, answers)
    if con.sclp and not con.serial:
        console = sub(devices, "console", type="pty")
        if con.log:
            sub(console, "log", file=con.log, append="on" if con.log_append else "off")
        sub(console, "target", type="sclp", port=str(_consoles(devices) - 1))
    if con.line_mode and not con.serial:  # the line-mode console: virsh console GUEST console1
        line = sub(devices, "console", type="pty")
        sub(line, "target", type="sclplm", port=str(_consoles(devices) - 1))
    if con.virtio and not first:  # hvc0 in the guest
        _virtio_console(devices, answers, plan)


def _consoles(devices: Element) -> int:
    """How many consoles are written: libvirt numbers a console's port by its place."""
    return sum(1 for el in devices.children if el.tag == "console")


def _virtio_console(devices: Element, answers: Answers, plan: Plan) -> None:
    before = _consoles(devices)
    console = sub(devices, "console", type="pty")
    sub(console, "target", type="virtio", port=str(before))
    if "virtio-console" in answers.addresses:  # only as a converted guest stated it
        write_ccw(console, plan.ccw.get("virtio-console"))


def _consoles_as_serials(devices: Element, answers: Answers) -> None:
    """The SCLP consoles as libvirt writes <serial type='pty'/> on s390x: a serial with
    target sclp-serial and model sclpconsole (sclplmconsole for the line-mode one), and
    the <console> libvirt adds beside the first (QEMU gets the same -device sclpconsole)."""
    con = answers.console
    ports = [("0", "sclpconsole")] if con.sclp else []
    if con.line_mode:
        ports.append(("1", "sclplmconsole"))
    log = {"file": con.log or "", "append": "on" if con.log_append else "off"}
    for port, model in ports:
        serial = sub(devices, "serial", type="pty")
        if con.log and port == "0":
            sub(serial, "log", **log)
        sub(sub(serial, "target", type="sclp-serial", port=port), "model", name=model)
    if con.sclp:  # libvirt copies the first serial's log here
        console = sub(devices, "console", type="pty")
        if con.log:
            sub(console, "log", **log)
        sub(console, "target", type="serial", port="0")


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    """The first console is the SCLP console zwizard writes; x86 serial ports are not
    on IBM Z; a further console (sclplm, the line-mode one) is listed, never dropped.
    libvirt's serial form of the same devices (<serial> with target sclp-serial and
    model sclpconsole or sclplmconsole, and the <console target type='serial'> it
    adds beside the first) is kept as console.serial; a virtio console (hvc0 in the
    guest) as console.virtio."""
    target = el.find("target")
    ttype = r.get(target, "type") if target is not None else None
    if el.tag == "serial" and ttype in ("isa-serial", "pci-serial", "usb-serial", "isa"):
        r.never("virtio-pci", el, f"{ttype} serial port")
        return
    model = target.find("model") if target is not None else None
    sclp_model = r.get(model, "name") if model is not None else None
    serial_form = el.tag == "serial" and ttype in ("sclp-serial", None)
    if el.tag == "console" and ttype in ("serial", None) and a.console.serial:
        # libvirt's alias of the first <serial> (a console without a target type
        # beside serials becomes it: virDomainDefAddConsoleCompat): written with it
        r.get(el, "type")
        r.take(target)
        r.get(target, "port")
        log = el.find("log")  # libvirt copies the serial's log here
        if log is not None:
            r.get(log, "file"), r.get(log, "append")
        return
    if el.tag == "console" and ttype == "virtio" and not a.console.virtio:
        a.console.virtio = True  # hvc0: a console of its own, not the SCLP one
        r.mark("console.virtio", el)
        if r.consoles == 0 and not a.console.serial:  # kept first, where it was
            a.console.virtio_first = True
            r.mark("console.virtio_first", el)
        r.take(target)
        r.get(target, "port")
        if r.get(el, "type") != "pty":
            what = f"<console> type {r.get(el, 'type')} -> pty"
            r.changed("ccw-only", el, what, whole=False)
        r.placed(el, "virtio-console")  # libvirt keeps a ccw address stated on it
        return
    r.consoles += 1
    if r.consoles > 1:
        line_mode = ttype == "sclplm" or (serial_form and sclp_model == "sclplmconsole")
        if line_mode and not a.console.line_mode and serial_form == a.console.serial:
            a.console.line_mode = True
            r.mark("console.line_mode", el)
            r.get(el, "type")
            r.take(target, model)
            r.get(target, "port")
            return
        r.lost(el, f"a further <{el.tag}> (target {ttype or 'default'})")
        return
    r.get(el, "type")
    r.take(target)
    if serial_form and sclp_model in ("sclpconsole", None):
        a.console.serial = True
        r.mark("console.serial", el)
        r.take(model)
    log = el.find("log")
    if log is not None and r.get(log, "file"):
        a.console.log = r.get(log, "file")
        a.console.log_append = r.get(log, "append") == "on"
        r.mark("console.log", log)
    if target is not None:
        r.get(target, "port")
    if ttype not in ("sclp", "sclp-serial", None):
        r.changed("ccw-only", el, f"<{el.tag}> target {ttype} -> SCLP console", whole=False)
    elif r.get(el, "type") != "pty":
        r.changed("ccw-only", el, f"<{el.tag}> type {r.get(el, 'type')} -> pty", whole=False)


QUESTIONS: tuple[Question, ...] = (
    Question("console.log", "Also log to (a host file)", empty="no log", kind="optional-str"),
    Question("console.log_append", "Append to the log file"),
    Question(
        "console.line_mode", "Line-mode console (sclplm) too", help="virsh console GUEST console1"
    ),
    Question(
        "console.virtio",
        "Virtio console too (hvc0 in the guest)",
        help="on the virtio-serial controller; virsh console GUEST console<N>",
    ),
)
PART = Part(key="console", tags=("console", "serial"), write=write, read=read, questions=QUESTIONS)

"""The graphical console: one VNC display with its virtio-gpu-ccw heads and virtio
keyboard and pointer (rule graphical-console), and a converted guest's further virtio
inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from zwizard import xmlsafe
from zwizard.devices.base import write_ccw
from zwizard.findings import reports
from zwizard.parts.base import Part, PartReader, Question
from zwizard.vocabulary import InputType
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write(devices: Element, answers: Answers, plan: Plan) -> None:
    g = answers.graphics
    if g.vnc:
        for key in ("keyboard", "mouse") if g.inputs else ():  # libvirt adds none (seen)
            pointer = "tablet" if key == "mouse" and g.tablet else key  # virtio-tablet-ccw
            write_ccw(sub(devices, "input", type=pointer, bus="virtio"), plan.ccw.get(key))
    for n, device in enumerate(g.extra_inputs, start=1):  # a converted guest's further ones
        write_ccw(sub(devices, "input", type=device, bus="virtio"), plan.ccw.get(f"input{n}"))
    if g.vnc:
        if g.listen:
            vnc = sub(devices, "graphics", type="vnc", port="-1", autoport="yes", listen=g.listen)
            sub(vnc, "listen", type="address", address=g.listen)
        else:  # libvirt's default address (qemu.conf's vnc_listen), as a converted guest had
            sub(devices, "graphics", type="vnc", port="-1", autoport="yes")
        for n in range(1, g.videos + 1):  # the first is the primary head
            video = sub(devices, "video")
            primary = {"heads": str(g.heads), "primary": "yes"} if n == 1 else {"heads": "1"}
            sub(video, "model", type="virtio", **primary)
            write_ccw(video, plan.ccw.get("video" if n == 1 else f"video{n}"))


def read(r: PartReader, el: etree._Element, a: Answers) -> None:
    READERS[el.tag](r, el, a)


def _vnc(r: PartReader) -> etree._Element | None:
    """The VNC display the answers carry as [graphics] (the first one)."""
    return next(iter(xmlsafe.find_all(r.root, "devices/graphics[@type='vnc']")), None)


def read_input(r: PartReader, el: etree._Element, a: Answers) -> None:
    bus = r.get(el, "bus")
    kind = r.get(el, "type")
    if bus in ("usb", "ps2", None):
        # libvirt puts an input without bus on USB except on x86, and USB is off on s390x
        on = bus or "no bus (USB, as libvirt places it)"
        never = "usb" if bus != "ps2" else "ps2"
        if kind in ("keyboard", "mouse", "tablet") and _vnc(r) is not None:
            # beside a VNC display the input is kept, on the bus IBM Z has: dropped, the
            # display would take no key and no pointer
            rule, reason = r.reason(never)
            r.finding(el, rule, "error", f"{kind} input on {on}: {reason}")
            if _pointer(r, el, kind, a, carried=False):
                r.changed(rule, el, f"{kind} input on {on} -> virtio-{kind}-ccw")
            return
        r.never(never, el, f"{kind} input on {on}")
    elif bus == "virtio" and kind in ("keyboard", "mouse", "tablet"):
        key = "keyboard" if kind == "keyboard" else "mouse"
        if _vnc(r) is not None and key not in r.pointers:
            _pointer(r, el, kind, a, carried=True)
        else:  # without a display, or beyond its keyboard and pointer: kept as it was
            if _vnc(r) is None:  # worth a word: the guest has no screen to use it
                rule, reason = r.reason("graphical-console")
                r.finding(el, rule, "note", f"{kind} input on virtio: {reason}")
            a.graphics.extra_inputs.append(cast(InputType, kind))
            r.take(el)  # type and bus are read; its address below, the rest is said
            r.placed(el, f"input{len(a.graphics.extra_inputs)}")
            r.mark("graphics.extra_inputs", el)
    else:
        _console_note(r, el, f"{kind} input on {bus}")


def _pointer(r: PartReader, el: etree._Element, kind: str, a: Answers, *, carried: bool) -> bool:
    """A keyboard, mouse or tablet beside the VNC display, part of [graphics]: one
    keyboard and one pointer (a mouse or a tablet). False when one is there already."""
    key = "keyboard" if kind == "keyboard" else "mouse"  # the pointer: mouse or tablet
    if key in r.pointers:
        r.lost(el, f"a further {kind} (zwizard writes one keyboard and pointer)")
        return False
    r.pointers.add(key)
    if kind == "tablet":
        a.graphics.tablet = True
        r.mark("graphics.tablet", el)
    if carried:
        r.take(*el.iter())  # written again with [graphics], as it was
        r.placed(el, key)
    else:  # written again as the virtio one, said as a change; its USB address goes
        r.accounted.add(el)
    return True


def read_graphics(r: PartReader, el: etree._Element, a: Answers) -> None:
    kind = r.get(el, "type")
    vnc = _vnc(r)
    if kind != "vnc" or vnc is None or el is not vnc:
        _console_note(r, el, f"{kind} graphics")
        return
    a.graphics.vnc = True
    r.mark("graphics.vnc", el)
    pointers = [
        i for i in r.root.findall("devices/input")
        if i.get("bus") in ("virtio", "usb", "ps2", None)
        and i.get("type") in ("keyboard", "mouse", "tablet")
    ]  # fmt: skip
    a.graphics.inputs = bool(pointers)  # none stated: none written
    r.get(el, "port"), r.get(el, "autoport")  # zwizard lets libvirt pick the port
    listen = el.find("listen")
    attr, child = r.get(el, "listen"), r.get(listen, "address")
    address = attr or child
    if listen is not None:
        r.get(listen, "type")  # read (so carried): zwizard writes the address
    a.graphics.listen = address or ""  # none stated: libvirt's own default, kept so
    for name in ("passwd", "keymap", "sharePolicy", "passwdValidTo", "connected"):
        if el.get(name) is not None:
            r.lost(el, f"attribute {name} of the VNC display", whole=False)


def read_video(r: PartReader, el: etree._Element, a: Answers) -> None:
    model = el.find("model")
    mtype = r.get(model, "type") if model is not None else None
    if mtype not in ("virtio", "none", None):  # libvirt's default on s390x is virtio
        r.never("video", el, f"{mtype} video")
    elif mtype != "none" and _vnc(r) is not None:
        r.take(*el.iter())  # virtio-gpu-ccw of [graphics]: graphics.videos of them
        r.videos += 1
        a.graphics.videos = r.videos
        r.mark("graphics.videos", el)
        r.get(model, "primary")
        heads = r.get(model, "heads")
        first = r.videos == 1
        if model is not None and first and heads is not None and heads.isdigit():
            a.graphics.heads = int(heads)  # the primary device's outputs
            r.mark("graphics.heads", model)
        elif model is not None and heads not in (None, "1"):
            what = f"heads='{heads}'" + ("" if first else " of a further video device")
            r.lost(model, what, whole=False)
        r.placed(el, "video" if r.videos == 1 else f"video{r.videos}")
    else:
        _console_note(r, el, f"{mtype or 'default (virtio)'} video")


def _console_note(r: PartReader, el: etree._Element, what: str) -> None:
    """VNC with virtio-gpu-ccw and virtio input work on s390x (libvirt 9.0, QEMU 7.2):
    convert carries one VNC display as [graphics]; the rest is a note and listed."""
    rule, reason = r.reason("graphical-console")
    r.finding(el, rule, "note", f"{what}: {reason}")
    r.lost(el, what)


@reports("graphics")
def check(a: Answers, plan: Plan, out: Collector) -> None:
    g = a.graphics
    if not g.vnc:
        return
    out.note(
        "graphics",
        "graphics.vnc",
        "VNC shows the guest once its kernel drives virtio-gpu-ccw; the installer and the "
        "boot menu stay on the SCLP console (virsh console)",
    )
    if not g.listen:
        out.note(
            "graphics",
            "graphics.listen",
            "no address given: VNC listens where the host's libvirt says (vnc_listen in "
            "/etc/libvirt/qemu.conf, 127.0.0.1 unless changed there)",
        )
    elif g.listen in ("0.0.0.0", "::"):
        out.warn(
            "graphics",
            "graphics.listen",
            f"listening on {g.listen} with no VNC password opens the guest's screen to the "
            "network; keep 127.0.0.1 and use an SSH tunnel (virsh domdisplay shows the port)",
        )


READERS: dict[str, Callable[[PartReader, etree._Element, Answers], None]] = {
    "input": read_input,
    "graphics": read_graphics,
    "video": read_video,
}
QUESTIONS: tuple[Question, ...] = (
    Question(
        "graphics.vnc",
        "VNC display (virtio-gpu-ccw, keyboard, mouse)",
        help="off by default: RHEL on IBM Z runs from the console",
    ),
    Question("graphics.listen", "VNC listens on", placeholder="127.0.0.1"),
)
PART = Part(
    key="graphics", tags=tuple(READERS), write=write, read=read, check=check, questions=QUESTIONS
)

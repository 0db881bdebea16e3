"""Every answers key outside the device lists is asked by both front ends (issue 27: the
wizard and the prompt mode each name their questions; a key added to the model and to one
of them only, or to neither, fails here). Found at run time, not by reading the code:
the wizard's field widgets once every step is built, and the paths the prompt mode's
steps ask when every optional block is opened. Device fields are declared once by their
kind and built by both (tests/unit/test_devices.py).
"""

from __future__ import annotations

from typing import Any

from tests.tui.conftest import SIZE, make_app
from zwizard import prompt
from zwizard.devices import KINDS
from zwizard.model import Answers, Kernel, Nic, NicSource, Target, Vsock, Watchdog
from zwizard.prompt.asker import Asker
from zwizard.structure import fields, is_record
from zwizard.tui.app import STEPS
from zwizard.tui.fields import PathField

# Keys no front end asks, each for its reason; a key leaves this list when it is asked.
NOT_ASKED = {
    "version": "the answers format's version, written by zwizard",
    "addresses": "ccw bus-ids a converted guest states for devices without a list of "
    "their own (balloon, rng, controllers): convert carries them, a new guest lets "
    "zwizard assign them in libvirt's order",
    "clock.offset": "a converted guest's clock (utc is IBM Z's); convert carries it",
    "clock.timers": "x86 timers a converted guest had (rule no-kvmclock): never written",
    "vsock.cid": "a converted guest's vhost-vsock context id; convert carries it",
    "watchdog.model": "diag288 is the only watchdog (rule watchdog-diag288); another model "
    "is a converted guest's, refused",
    "guest.uuid": "made once and shown (Guest step); a converted guest keeps its own",
    "guest.machine": "a converted guest's versioned machine type; a new guest is "
    "s390-ccw-virtio, which libvirt pins at define",
    "guest.memory_kib": "a converted guest's size that is no whole MiB; asked in MiB",
    "guest.osinfo": "a converted guest's libosinfo id; the OS is asked (guest.os)",
    "console.sclp": "off only for a converted guest that had no console",
    "console.serial": "libvirt's serial form of the same SCLP consoles, as a converted "
    "guest stated them",
    "graphics.inputs": "a converted display's stated inputs; VNC brings a keyboard and mouse",
    "graphics.tablet": "a converted guest's virtio tablet instead of the mouse",
    "graphics.videos": "a converted guest's further video heads",
}


def model_keys() -> set[str]:
    """Every leaf key of the answers outside the device lists, the optional tables
    filled so their keys count."""
    a = Answers(target=Target(), kernel=Kernel(path=""), vsock=Vsock(), watchdog=Watchdog())
    devices = {k.key for k in KINDS} | {"channels"}
    out: set[str] = set()

    def walk(obj: Any, prefix: str) -> None:
        for f in fields(obj):
            value, key = getattr(obj, f.name), f"{prefix}{f.name}"
            if key in devices:
                continue
            if is_record(value):
                walk(value, key + ".")
            else:
                out.add(key)

    walk(a, "")
    return out


async def wizard_keys() -> set[str]:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for step in STEPS:
            await app.show_step(step.step_id)
            await pilot.pause()
        keys = {w.path for w in app.query(PathField) if "[" not in w.path}
        if app.query("#cpu-model"):  # a Select of its own: the list follows the host
            keys.add("cpu.model")
        return keys


def prompt_keys(monkeypatch) -> set[str]:
    asked: set[str] = set()
    seen: set[str] = set()

    def record(self: Asker, path: str, *args: Any, **kw: Any) -> None:
        asked.add(path)

    def confirm(self: Asker, message: str, default: bool = False, key: str = "") -> bool:
        first = message not in seen  # every optional block opened once, no list grows
        seen.add(message)
        if key:
            asked.add(key)
        return first and not message.startswith("Add")

    def choose(self: Asker, path: str, message: str, options: list[Any]) -> None:
        asked.add(path)
        # the last choice, where a choice reveals more (static, custom): those are asked too
        self.session.set_value(path, options[-1][0])

    def select(self: Asker, message: str, options: list[Any], default: Any = None) -> Any:
        pick = default if default is not None else options[0]  # 'done' where offered
        return getattr(pick, "value", pick)

    toggle = Asker.toggle

    def switch(self: Asker, path: str, *args: Any, **kw: Any) -> None:
        asked.add(path)  # greyed or not, it was put to the person
        toggle(self, path, *args, **kw)  # on where allowed: what it reveals is asked too

    for name in ("text", "boot_position"):
        monkeypatch.setattr(Asker, name, record)
    monkeypatch.setattr(Asker, "toggle", switch)
    monkeypatch.setattr(Asker, "greyed", lambda self, label, path: asked.add(path))
    monkeypatch.setattr(Asker, "confirm", confirm)
    monkeypatch.setattr(Asker, "choose", choose)
    monkeypatch.setattr(Asker, "select", select)
    monkeypatch.setattr(Asker, "say", lambda self, text: None)
    answers = Answers()
    answers.console.log = "/var/log/zw.log"  # text that reveals its follow-up question
    answers.nics = [Nic(source=NicSource(bridge="br0"))]  # PXE installs over a NIC
    q = Asker(answers)
    for step in prompt.STEPS:
        step(q)
    return {p for p in asked if "[" not in p}


async def test_every_answers_key_is_asked_by_both_front_ends(monkeypatch):
    keys = model_keys()
    assert set(NOT_ASKED) <= keys, set(NOT_ASKED) - keys  # no stale exception
    wizard, asked = await wizard_keys(), prompt_keys(monkeypatch)
    expected = keys - set(NOT_ASKED)
    missing = {"wizard": sorted(expected - wizard), "prompt mode": sorted(expected - asked)}
    assert missing == {"wizard": [], "prompt mode": []}

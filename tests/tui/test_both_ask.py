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
from zwizard.choices import REVEALS
from zwizard.devices import KINDS
from zwizard.model import Answers, Kernel, Nic, NicSource, Target, Vsock, Watchdog
from zwizard.prompt.asker import Asker
from zwizard.questions import GROUPS, QUESTIONS, question
from zwizard.structure import fields, is_record
from zwizard.tui.app import STEPS
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import MoreOptions, PathField

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
    "console.virtio_first": "a converted guest's order of its consoles (the virtio one "
    "first); a new guest's SCLP console comes first",
    "graphics.heads": "a converted guest's outputs of its primary virtio-gpu device",
    "guest.scsi_iothread": "a converted guest's virtio-scsi controller I/O thread; a new "
    "guest's I/O threads serve its virtio-blk disks (disks[].iothread)",
    "guest.iothread_ids": "a converted guest's own I/O thread numbering; a new guest's "
    "threads are 1..guest.iothreads",
    "guest.no_usb": "a converted guest's statement that it has no USB controller; IBM Z "
    "has none either way",
    "rng.source": "a converted guest's entropy source; a new guest reads /dev/urandom, "
    "libvirt's own default",
    "vsock.iommu": "a converted vsock's <driver iommu>; QEMU's default otherwise",
    "graphics.extra_inputs": "a converted guest's further virtio inputs (or its inputs "
    "without a display); VNC brings a keyboard and pointer",
    "scsi_controllers": "a converted guest's virtio-scsi controller settings (queues …); a "
    "new guest's controllers take QEMU's defaults",
    "pci_bridges": "a converted guest's pci-bridge controllers; for a new guest libvirt adds "
    "the bridge a PCI function's guest address on bus 1 on needs",
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


async def wizard_keys() -> dict[str, str]:
    """The keys the wizard's fields are bound to, each with the field's label."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for step in STEPS:
            await app.show_step(step.step_id)
            await pilot.pause()
        keys = {w.path: w.label for w in app.query(PathField) if "[" not in w.path}
        if app.query("#cpu-model"):  # a Select of its own: the list follows the host
            keys.setdefault("cpu.model", "")
        return keys


def prompt_keys(monkeypatch, confirmed: list[str] | None = None) -> dict[str, str]:
    """The keys the prompt mode asks, each with its question (and in `confirmed`, the
    yes/no questions, in order)."""
    asked: dict[str, str] = {}
    seen: set[str] = set()

    def said(path: str, message: str | None, end: str = ":") -> str:
        """The words put to the person: given, or the key's declared question."""
        return message if message is not None else question(path).asked(end)

    def record(self: Asker, path: str, message: str | None = None, *a: Any, **kw: Any) -> None:
        asked.setdefault(path, said(path, message))

    def confirm(self: Asker, message: str, default: bool = False, key: str = "") -> bool:
        first = message not in seen  # every optional block opened once, no list grows
        seen.add(message)
        if confirmed is not None:
            confirmed.append(message)
        if key:
            asked.setdefault(key, message)
        return first and not message.startswith("Add")

    def choose(
        self: Asker, path: str, message: str | None = None, options: list[Any] | None = None
    ) -> None:
        asked.setdefault(path, said(path, message))
        # a choice that reveals more (static, custom), so those are asked too; else the
        # first (KVM, a plain crash action): emulation or a full crash dump would grey
        # Secure Execution, and its questions would go unasked
        offered = options if options is not None else question(path).choices
        reveals = [o for o in offered if (path, o[0]) in REVEALS]
        self.session.set_value(path, (reveals or offered)[0][0])

    def select(self: Asker, message: str, options: list[Any], default: Any = None) -> Any:
        pick = default if default is not None else options[0]  # 'done' where offered
        return getattr(pick, "value", pick)

    toggle = Asker.toggle

    def switch(self: Asker, path: str, message: str | None = None, *a: Any, **kw: Any) -> None:
        asked.setdefault(path, said(path, message, "?"))  # greyed or not, it was put
        toggle(self, path, message, *a, **kw)  # on where allowed: what it reveals is asked too

    for name in ("text", "boot_position"):
        monkeypatch.setattr(Asker, name, record)
    monkeypatch.setattr(Asker, "toggle", switch)
    monkeypatch.setattr(
        Asker, "greyed", lambda self, path, why=None: asked.setdefault(path, question(path).label)
    )
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
    return {p: m for p, m in asked.items() if "[" not in p}


async def test_every_answers_key_is_asked_by_both_front_ends(monkeypatch):
    keys = model_keys()
    assert set(NOT_ASKED) <= keys, set(NOT_ASKED) - keys  # no stale exception
    wizard, asked = await wizard_keys(), prompt_keys(monkeypatch)
    expected = keys - set(NOT_ASKED)
    missing = {"wizard": sorted(expected - set(wizard)),
               "prompt mode": sorted(expected - set(asked))}  # fmt: skip
    assert missing == {"wizard": [], "prompt mode": []}


async def test_both_front_ends_put_a_key_in_its_declared_words(monkeypatch):
    """Issue 27: a key's question is declared once (zwizard.questions, beside the part that
    writes the key) and both front ends put it in those words: the wizard's label is the
    declared label, the prompt mode's question is the declared one. Before, each front end
    named its questions, and they drifted ("Lock guest memory in host RAM?" against "Lock
    memory in host RAM (never swapped)"). A key either front end asks without a declaration
    fails here, and so does a declaration nobody asks."""
    wizard, asked = await wizard_keys(), prompt_keys(monkeypatch)
    own_words = {"cpu.model": "the wizard's list of models is a Select of its own"}
    drifted = {
        key: label
        for key, label in sorted(wizard.items())
        if key not in own_words and (key not in QUESTIONS or label != QUESTIONS[key].label)
    }
    assert drifted == {}, "the wizard's label is not the declared one"
    # the label, then why the default will not do: a static install whose guest's name is
    # no host name ("not 'db_01'")
    adds_why = {"pxe.hostname"}

    def declared(key: str, message: str) -> bool:
        q = QUESTIONS[key]
        if key in adds_why and message.startswith(f"{q.label} (not "):
            return True
        return message in (q.asked(":"), q.asked("?"), q.label)

    drifted = {
        key: message
        for key, message in sorted(asked.items())
        if key not in QUESTIONS or not declared(key, message)
    }
    assert drifted == {}, "the prompt mode's question is not the declared one"
    greyed_only = {"virtio-pci"}  # a choice IBM Z lacks: the wizard shows it as text
    unasked = {
        "wizard": sorted(set(QUESTIONS) - set(wizard) - greyed_only),
        "prompt mode": sorted(set(QUESTIONS) - set(asked) - set(NOT_ASKED)),
    }
    assert unasked == {"wizard": [], "prompt mode": []}, "declared, but not asked"


async def test_both_front_ends_fold_the_same_options_under_the_same_title(monkeypatch):
    """Issue 27: the wizard folded "More CPU options" and "More memory options" where the
    prompt mode asked "More CPU and memory options (…)?", and the console's group had
    two titles. The groups are declared once (zwizard.questions.GROUPS): the wizard's
    folded groups outside the device lists are exactly those, with their keys in order,
    and the prompt mode puts each title as its yes/no."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for step in STEPS:
            await app.show_step(step.step_id)
            await pilot.pause()
        folded = {
            str(group.title): [f.path for f in group.fields()]
            for group in app.query(MoreOptions)
            if not any(isinstance(a, DeviceList) for a in group.ancestors)
        }
    assert folded == {g.title: list(g.paths) for g in GROUPS.values()}
    confirmed: list[str] = []
    prompt_keys(monkeypatch, confirmed)
    assert [m for m in confirmed if m.rstrip("?") in folded] == [
        f"{g.title}?" for g in GROUPS.values()
    ]

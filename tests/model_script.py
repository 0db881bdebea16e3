"""Issue 25's model-based differential test: one edit script, four front ends.

An edit script is a list of operations a person does (type into a field — the guest's,
the PXE install's kernel and static address —, add, remove and move disks, Secure Execution on and off, jump to a step, write). `plan` applies it
straight on `zwizard.session.Session` (front end (a), the model) and records, for each
operation, what it did and the keys a person presses for it in the full-screen wizard
(the keys depend on what the screen shows then: the disk list, the format a disk has).
The pilot test (tests/tui/test_model_differential.py) presses those keys one at a time;
the pseudo-terminal test (tests/e2e/test_model_pty.py) writes each operation's keys in
one burst to the real program at 80x24; the prompt mode answers its questions from the
script's net effect. All must end with the same answers and the same files.

`MODEL_EXAMPLES` sets how many scripts hypothesis tries (CI: a few dozen, derandomized).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.helpers import AP_UUID, ASSETS, CCW_UUID
from zwizard import drafts
from zwizard.answers import dumps, load
from zwizard.devices import BY_KEY
from zwizard.model import Answers, Disk, Nic, NicSource, Passthrough
from zwizard.session import Session, can_add
from zwizard.structure import assign

EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "0"))  # 0: each test's own bounded count

STEP_IDS = ["guest", "cpu", "disks", "network", "watchdog", "passthrough", "secure", "pxe",
            "review"]  # fmt: skip

# field -> (step, Tabs from where the cursor lands on the step, kind)
# (PXE: the cursor lands on its switch; the Address choice is one stop, static keeps the
# address fields shown; the install NIC boots first, so its button is hidden)
FIELDS = {
    "guest.name": ("guest", 0, "str"),
    "guest.vcpus": ("cpu", 0, "int"),
    "guest.memory_mib": ("cpu", 1, "int"),
    "pxe.kernel": ("pxe", 1, "str"),
    "pxe.address": ("pxe", 6, "optional-str"),
    "pxe.gateway": ("pxe", 8, "optional-str"),
}
TEXTS = {
    "guest.name": ["db01", "w-2", "a.b_c+d", "", "../x", "a b", "x" * 65],
    "guest.vcpus": ["1", "2", "4", "8", "0", "8G", "abc", "", "300"],
    "guest.memory_mib": ["1024", "2048", "4096", "8G", "1024G", "", "12x", "0"],
    # issue 25 point 2 (mend the address, then write, in one burst) and issue 22's
    # paths out of the TFTP root
    "pxe.kernel": ["rhel9/kernel.img", "k", "s390x/../../x", "-t/etc", ""],
    "pxe.address": ["10.0.0.50/24", "10.1.2.3/16", "fd00::5/64", "10.0.0.300/24", "x", ""],
    "pxe.gateway": ["10.0.0.1", "10.1.0.1", "10.0.0.300", ""],
}
DISK_PATHS = ["/i/d1.qcow2", "/i/d2.img", "/dev/sdb", "rel.qcow2", ""]  # short: typed a key each
FORMATS = [None, "qcow2", "raw"]  # the Format choice's options, in their order
DISK_ADDS = len(BY_KEY["disks"].adds)  # the Disks step's add buttons, before Remove/Up/Down
# what a new interface connects to: a libvirt network or a host bridge, by name (issue 22:
# a name starting with "-" would reach virsh as an option; empty: not connected)
NIC_SOURCES = ["network", "bridge"]
NIC_NAMES = ["default", "prod", "br0", "-x", ""]
# host devices: the step's add buttons in their order (SCSI is not drawn), and what is
# typed into a new one's first field (its UUID, or a PCI function's host address)
PT_BUTTONS = ["vfio-ap", "vfio-ccw", "pci", "scsi"]
PT_VALUES = {
    "vfio-ap": [AP_UUID, "8ef6d3b0", ""],
    "vfio-ccw": [CCW_UUID, "x"],
    "pci": ["0000:00:02.0", "0001:1f:00.7", "00:02.0x", ""],
}
OUT = "<output folder>"  # a key that stands for typing the front end's output folder
# a key that stands for starting zwizard again (no --draft) and answering its
# "Resume your unfinished guest?" with Enter once the question is on screen
RESTART = "<start again and resume>"


# --- the operations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    path: str
    text: str


@dataclass(frozen=True)
class CpuAndMemory:
    """vCPUs, Tab, memory: two fields in one go (a burst crosses from one to the next)."""

    vcpus: str
    memory: str


@dataclass(frozen=True)
class AddDisk:
    path: str
    format: str | None


@dataclass(frozen=True)
class EditDisk:
    """Pick a disk in the list, then type its path (None: leave it) and choose its format."""

    index: int
    path: str | None
    format: str | None


@dataclass(frozen=True)
class BootToggle:
    """Pick a disk in the list, then `Disk boots: on/off` under the boot sequence."""

    index: int


@dataclass(frozen=True)
class RemoveDisk:
    index: int  # taken modulo the disks there are then (none: the operation is skipped)


@dataclass(frozen=True)
class MoveDisk:
    index: int
    delta: int


@dataclass(frozen=True)
class AddNic:
    """`+ interface`, then the name of what it connects to (a new one offers the libvirt
    network "default", selected: typing replaces it)."""

    source: str
    name: str


@dataclass(frozen=True)
class RemoveNic:
    index: int  # taken modulo the interfaces there are then


@dataclass(frozen=True)
class AddPassthrough:
    """The step's `+ vfio-ap crypto` / `+ vfio-ccw DASD` / `+ PCI` (a greyed one is not
    reached by Tab, nor pressed), then its UUID or host address."""

    type: str
    value: str


@dataclass(frozen=True)
class RemovePassthrough:
    index: int


@dataclass(frozen=True)
class SecureExecution:
    on: bool


@dataclass(frozen=True)
class Goto:
    step: str


@dataclass(frozen=True)
class QuitResume:
    """Quit keeping the draft (Ctrl-Q, Enter), start zwizard again and resume it."""


Op = (
    Text | CpuAndMemory | AddDisk | EditDisk | BootToggle | RemoveDisk | MoveDisk | AddNic | RemoveNic
    | AddPassthrough | RemovePassthrough | SecureExecution | Goto | QuitResume
)  # fmt: skip


def ops() -> st.SearchStrategy[Op]:
    text = st.sampled_from(sorted(FIELDS)).flatmap(
        lambda p: st.sampled_from(TEXTS[p]).map(lambda t: Text(p, t))
    )
    return st.one_of(
        text,
        st.builds(
            CpuAndMemory,
            st.sampled_from(TEXTS["guest.vcpus"]),
            st.sampled_from(TEXTS["guest.memory_mib"]),
        ),
        st.builds(AddDisk, st.sampled_from(DISK_PATHS), st.sampled_from(FORMATS)),
        st.builds(
            EditDisk,
            st.integers(0, 3),
            st.none() | st.sampled_from(DISK_PATHS),
            st.sampled_from(FORMATS),
        ),
        st.builds(BootToggle, st.integers(0, 3)),
        st.builds(RemoveDisk, st.integers(0, 3)),
        st.builds(MoveDisk, st.integers(0, 3), st.sampled_from([-1, 1])),
        st.builds(AddNic, st.sampled_from(NIC_SOURCES), st.sampled_from(NIC_NAMES)),
        st.builds(RemoveNic, st.integers(0, 2)),
        st.sampled_from(sorted(PT_VALUES)).flatmap(
            lambda t: st.sampled_from(PT_VALUES[t]).map(lambda v: AddPassthrough(t, v))
        ),
        st.builds(RemovePassthrough, st.integers(0, 2)),
        st.builds(SecureExecution, st.booleans()),
        st.builds(Goto, st.sampled_from(STEP_IDS)),
        st.just(QuitResume()),
    )


def scripts(max_size: int = 6) -> st.SearchStrategy[list[Op]]:
    return st.lists(ops(), min_size=1, max_size=max_size)


# --- the start: a complete guest without disks (every disk comes from the script) ------


def base() -> Answers:
    """A RHEL 9 guest that installs over PXE with a static address (its NIC boots first)."""
    answers, _ = load(ASSETS / "minimal-rhel9.toml")
    answers.disks = []
    answers.nics[0].boot_order = 1
    pxe = answers.pxe
    pxe.enabled, pxe.kernel, pxe.initrd = True, "rhel9/kernel.img", "rhel9/initrd.img"
    pxe.repo = "http://192.0.2.1/rhel9/"
    pxe.ip, pxe.address, pxe.gateway = "static", "10.0.0.50/24", "10.0.0.1"
    return answers


def base_draft(path: Path | None = None) -> drafts.Draft:
    """The draft every front end opens (for another host: no front end reads this one)."""
    draft = drafts.Draft(answers=base(), step="guest", other_host=True)
    if path is not None:
        drafts.save(draft, path)
        draft.path = path
    return draft


# --- (a): the script straight on Session, with the keys of each operation --------------


@dataclass
class Done:
    """One operation as applied: the keys for it, and what the prompt mode needs."""

    op: Op
    keys: list[str]


@dataclass
class Plan:
    session: Session
    done: list[Done] = field(default_factory=list)
    # text typed into a field, in order, each with whether the field showed an error after
    typed: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    base_nic_kept: bool = True  # the prompt mode adds interfaces, never removes one


def _goto_keys(current: str, target: str) -> list[str]:
    """The keys that show `target` with the cursor in its first field."""
    if current == target:  # leave and come back: the cursor lands in the first field
        return ["pagedown", "pageup"] if target == "guest" else ["pageup", "pagedown"]
    a, b = STEP_IDS.index(current), STEP_IDS.index(target)
    arrows = ["down"] * (b - a) if b > a else ["up"] * (a - b)
    return ["f3", *arrows, "enter"]


def _text_keys(text: str) -> list[str]:
    # the field's text is selected when the cursor arrives: typing replaces it, and
    # Backspace empties it
    return list(text) or ["backspace"]


def _field_error(s: Session, path: str) -> bool:
    return path in s.pending or any(
        f.severity == "error" and f.path == path for f in s.result.findings
    )


def plan(script: list[Op], outdir: Path | None) -> Plan:
    """Apply `script` on a Session (front end (a)); then write into `outdir` if given."""
    draft = base_draft()
    s = Session.from_draft(draft)
    p = Plan(s)
    step = "guest"
    for op in script:
        keys: list[str]
        disks = s.answers.disks
        if isinstance(op, Text):
            where, tabs, kind = FIELDS[op.path]
            keys = [*_goto_keys(step, where), *["tab"] * tabs, *_text_keys(op.text)]
            step = where
            s.set_text(op.path, op.text, kind)
            p.typed.setdefault(op.path, []).append((op.text, _field_error(s, op.path)))
        elif isinstance(op, CpuAndMemory):
            keys = [*_goto_keys(step, "cpu"), *_text_keys(op.vcpus), "tab",
                    *_text_keys(op.memory)]  # fmt: skip
            step = "cpu"
            for path, text in (("guest.vcpus", op.vcpus), ("guest.memory_mib", op.memory)):
                s.set_text(path, text, "int")
                p.typed.setdefault(path, []).append((text, _field_error(s, path)))
        elif isinstance(op, AddDisk):
            # `+ disk` is where the cursor lands; the new disk's path takes what is typed;
            # Tab Tab reaches its Format, whose highlight is on the value it has (default)
            keys = [*_goto_keys(step, "disks"), "enter", *op.path]
            at = FORMATS.index(op.format)
            if at:
                keys += ["tab", "tab", *["down"] * at, "enter"]
            step = "disks"
            i = s.add_device("disks", Disk(path=""))
            if op.path:
                s.set_text(f"disks[{i}].path", op.path)
            if op.format is not None:
                s.set_value(f"disks[{i}].format", op.format)
        elif isinstance(op, EditDisk):
            if not disks:
                continue
            i = op.index % len(disks)
            # from `+ disk` back to the list, the disk highlighted; Tab past the list's
            # buttons (its adds, Remove, Up, Down) to its path, then Kind, then Format
            # (highlight on its value)
            keys = [*_goto_keys(step, "disks"), "shift+tab", "home", *["down"] * i,
                    *["tab"] * (DISK_ADDS + 4)]  # fmt: skip
            if op.path is not None:
                keys += _text_keys(op.path)
                s.set_text(f"disks[{i}].path", op.path)
            now, to = FORMATS.index(disks[i].format), FORMATS.index(op.format)
            if now != to:
                arrows = ["down"] * (to - now) if to > now else ["up"] * (now - to)
                keys += ["tab", "tab", *arrows, "enter"]
                s.set_value(f"disks[{i}].format", op.format)
            step = "disks"
            op = EditDisk(i, op.path, op.format)
        elif isinstance(op, BootToggle):
            if not disks:
                continue
            i = op.index % len(disks)
            # past the list's buttons, the disk's form (path, kind, format, ccw,
            # loadparm, its folded options), the boot sequence and its two buttons
            keys = [*_goto_keys(step, "disks"), "shift+tab", "home", *["down"] * i,
                    *["tab"] * (DISK_ADDS + 13), "enter"]  # fmt: skip
            step = "disks"
            s.toggle_boot("disks", i)
            op = BootToggle(i)
        elif isinstance(op, RemoveDisk | MoveDisk):
            if not disks:
                continue
            i = op.index % len(disks)
            # from `+ disk` back to the list, the disk highlighted, then Remove / Up / Down
            buttons = DISK_ADDS + (1 if isinstance(op, RemoveDisk) else 2 if op.delta < 0 else 3)
            keys = [*_goto_keys(step, "disks"), "shift+tab", "home", *["down"] * i,
                    *["tab"] * buttons, "enter"]  # fmt: skip
            step = "disks"
            if isinstance(op, RemoveDisk):
                s.remove_device("disks", i)
            else:
                s.move_device("disks", i, op.delta)
            op = type(op)(*([i] if isinstance(op, RemoveDisk) else [i, op.delta]))
        elif isinstance(op, AddNic):
            # the cursor lands on `+ interface`; the new one's network field takes the
            # keys, its "default" selected; a bridge empties it and Tabs to the next
            keys = [*_goto_keys(step, "network"), "enter"]
            step = "network"
            i = s.add_device("nics", Nic(source=NicSource(network="default")))
            if op.source == "network":
                keys += _text_keys(op.name)
                s.set_text(f"nics[{i}].source.network", op.name, "optional-str")
            else:
                keys += ["backspace", "tab", *op.name]
                s.set_text(f"nics[{i}].source.network", "", "optional-str")
                if op.name:
                    s.set_text(f"nics[{i}].source.bridge", op.name, "optional-str")
        elif isinstance(op, RemoveNic):
            nics = s.answers.nics
            if not nics:
                continue
            i = op.index % len(nics)
            # from `+ interface` back to the list, the interface highlighted, then Remove
            keys = [*_goto_keys(step, "network"), "shift+tab", "home", *["down"] * i,
                    "tab", "tab", "enter"]  # fmt: skip
            step = "network"
            s.remove_device("nics", i)
            p.base_nic_kept &= i != 0
            op = RemoveNic(i)
        elif isinstance(op, AddPassthrough | RemovePassthrough):
            # the cursor lands on the first add button not greyed (a second vfio-ap, any
            # under Secure Execution); Tab reaches only those
            addable = [
                t for t in PT_BUTTONS
                if can_add(s.answers, "passthrough", Passthrough(type=t), s.host,
                           s.host_is_target).allowed
            ]  # fmt: skip
            devices = s.answers.passthrough
            if isinstance(op, AddPassthrough):
                if op.type not in addable:
                    continue
                keys = [*_goto_keys(step, "passthrough"), *["tab"] * addable.index(op.type),
                        "enter", *op.value]  # fmt: skip
                i = s.add_device("passthrough", Passthrough(type=op.type))
                if op.value:
                    where = "address" if op.type == "pci" else "uuid"
                    s.set_text(f"passthrough[{i}].{where}", op.value, "str")
            else:
                if not devices or not addable:
                    continue
                i = op.index % len(devices)
                # back to the list, the device highlighted; past the add buttons to Remove
                keys = [*_goto_keys(step, "passthrough"), "shift+tab", "home",
                        *["down"] * i, *["tab"] * (len(addable) + 1), "enter"]  # fmt: skip
                s.remove_device("passthrough", i)
                op = RemovePassthrough(i)
            step = "passthrough"
        elif isinstance(op, SecureExecution):
            if s.answers.secure_execution.enabled == op.on:
                continue
            # off: what must go is listed with the button that removes it and turns it on
            # (the cursor lands on it); on: the cursor lands on the switch
            keys = [*_goto_keys(step, "secure"), "enter"]
            step = "secure"
            if op.on:
                assert s.secure_execution_removals(), "the button is shown only with these"
                s.enable_secure_execution()
            else:
                s.set_value("secure_execution.enabled", False)
        elif isinstance(op, QuitResume):
            keys = ["ctrl+q", "enter", RESTART]
            s.step = step
            s = p.session = Session.from_draft(s.draft())
        else:
            keys = _goto_keys(step, op.step)
            step = op.step
            s.step = step
        p.done.append(Done(op, keys))
    s.step = step
    if outdir is not None:
        # OUT: each front end types its own output folder there
        keys = [*_goto_keys(step, "review"), OUT, "tab", "tab", "enter"]
        p.done.append(Done(Goto("review"), keys))
        s.step = "review"
        if s.result.ok:
            outcome = s.write(outdir)
            assert not outcome.error, outcome.error
    return p


# --- comparing ---------------------------------------------------------------------------


def answers_of(s: Session) -> tuple[str, dict[str, str]]:
    """The answers as written to a draft, and the text that is no value yet. The value
    under pending text is nobody's word (typing `8G` passes through `8`): not compared."""
    answers = copy.deepcopy(s.answers)
    for path in s.pending:
        try:
            assign(answers, path, None)
        except (AttributeError, IndexError, TypeError):
            pass
    return dumps(answers), dict(s.pending)


def shown_texts(s: Session) -> dict[str, str]:
    """What the script's fields show."""
    out = {p: s.text_of(p) for p in FIELDS}
    for i in range(len(s.answers.disks)):
        out[f"disks[{i}].path"] = s.text_of(f"disks[{i}].path")
    for i in range(len(s.answers.nics)):
        for source in NIC_SOURCES:
            out[f"nics[{i}].source.{source}"] = s.text_of(f"nics[{i}].source.{source}")
    return out


def ended(s: Session, folder: Path, shown: bool = True) -> dict[str, Any]:
    """What a front end ended with: answers, text that is no value yet, what the
    script's fields show (where the front end shows fields), the files written."""
    answers, pending = answers_of(s)
    out: dict[str, Any] = {"answers": answers, "pending": pending}
    if shown:
        out["shown"] = shown_texts(s)
    out["files"] = files_in(folder)
    return out


def files_in(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def describe(script: list[Op]) -> str:
    return "[" + ", ".join(repr(op) for op in script) + "]"


# --- (d): the prompt mode's answers for the script's net effect ------------------------


def prompt_shares(p: Plan) -> bool:
    """The prompt refuses what breaks a rule and has no remove, move or jump: it shares
    the scripts that end writable, reached by their net effect, with the guest's own
    interface still first (it adds interfaces after it)."""
    return p.session.result.ok and not p.session.pending and p.base_nic_kept


class PromptAnswers:
    """A stdin for the plain prompt mode (TERM=dumb: one question a line) that answers
    each question as the script's net effect asks: a field gets the texts the script
    typed into it that showed an error, then its last; the final disks are added in
    their order with their format and boot position, the interfaces added after the
    guest's own with the network or bridge they connect to, the host devices with their
    UUID or address; Secure Execution as it ends;
    the rest keeps what is offered (Enter)."""

    def __init__(self, p: Plan, outdir: Path) -> None:
        s = p.session
        self.fields = {
            path: [t for t, error in texts[:-1] if error] + [texts[-1][0]]
            for path, texts in p.typed.items()
        }
        self.disks = [(d.path, d.format, d.boot_order) for d in s.answers.disks]
        self.disk: tuple[str, str | None, int | None] | None = None
        # the interfaces added after the guest's own: (a bridge?, the name)
        self.nics = [(n.source.bridge is not None, n.source.bridge or n.source.network or "")
                     for n in s.answers.nics[1:]]  # fmt: skip
        self.nic: tuple[bool, str] = (False, "")
        self.devices = [(d.type, d.address if d.type == "pci" else d.uuid)
                        for d in s.answers.passthrough]  # fmt: skip
        self.device: tuple[str, str | None] | None = None
        self.se = s.answers.secure_execution.enabled
        self.outdir = outdir
        self.asked = ""  # what was written since the last answer
        self.count = 0
        self.log: list[str] = []

    def write(self, text: str) -> int:
        self.asked += text
        self.log.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def readline(self) -> str:
        self.count += 1
        if self.count > 400:
            return ""  # end of input: the prompt stops
        asked, self.asked = self.asked, ""
        answer = self.answer(asked)
        self.log.append(answer + "\n")
        return answer + "\n"

    def answer(self, asked: str) -> str:
        last = asked.strip().splitlines()[-1] if asked.strip() else ""
        for path, question in (("guest.name", "Guest name:"), ("guest.vcpus", "vCPUs:"),
                               ("guest.memory_mib", "Memory (MiB):"),
                               ("pxe.kernel", "kernel, relative"), ("pxe.address", "static address"),
                               ("pxe.gateway", "gateway:")):  # fmt: skip
            if last.startswith(question):
                texts = self.fields.get(path)
                return (texts.pop(0) or "-") if texts else ""
        if last.startswith("Add a disk?"):
            if not self.disks:
                return "n"
            self.disk = self.disks.pop(0)
            return "y"
        if "Kind:" in asked and last.startswith("number"):
            return "1"
        if last.startswith("Path:") and self.disk is not None:
            return self.disk[0] or "-"
        if "Format" in asked and last.startswith("number") and self.disk is not None:
            return str(FORMATS.index(self.disk[1]) + 1)
        if last.startswith("Boot order") and self.disk is not None:
            return str(self.disk[2]) if self.disk[2] else "-"
        if last.startswith("Add a network interface?"):
            self.disk = None  # the questions that follow are the interface's
            if not self.nics:
                return "n"
            self.nic = self.nics.pop(0)
            return "y"
        if "Connect to:" in asked and last.startswith("number"):
            return "2" if self.nic[0] else "1"
        if last.startswith(("libvirt network:", "Host bridge:")):
            return self.nic[1] or "-"
        if "Host devices:" in asked and last.startswith("number"):
            self.disk = None  # the questions that follow are the device's
            if not self.devices:
                return ""  # done, what is offered
            self.device = self.devices.pop(0)
            return str(PT_BUTTONS.index(self.device[0]) + 1)
        if last.startswith(("Mediated device UUID", "Host PCI address")) and self.device:
            return self.device[1] or "-"
        if last.startswith("Run as a secure guest"):
            return "y" if self.se else "n"
        if last.startswith("Remove these and turn it on?"):
            return "y"
        if last.startswith("Output folder:"):
            return str(self.outdir)
        if last.startswith("Write these files now?"):
            return "y"
        return ""  # what is offered


def run_prompt(p: Plan, outdir: Path, monkeypatch: Any) -> tuple[Session, int, str]:
    """Front end (d): the prompt mode, answered by PromptAnswers; returns its session."""
    import sys

    from zwizard import prompt

    stdin = PromptAnswers(p, outdir)
    seen: dict[str, Session] = {}
    real = prompt.Asker.__init__

    def keep(self: Any, answers: Any, *args: Any, **kw: Any) -> None:
        real(self, answers, *args, **kw)
        seen["session"] = self.session

    with monkeypatch.context() as m:
        m.setattr(sys, "stdin", stdin)
        m.setattr(prompt.Asker, "__init__", keep)
        draft = base_draft()
        code = prompt.run(
            draft.answers, Path("."), draft=draft, host_is_target=False, plain=True,
            print_to=stdin,
        )  # fmt: skip
    return seen["session"], code, "".join(stdin.log)

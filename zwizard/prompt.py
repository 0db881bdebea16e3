"""Plain prompts: the same wizard for terminals that cannot run a full screen.

Every step and choice of the full-screen wizard, asked one by one through the same
editing core (zwizard.session) and the same rules: a choice the rules forbid is
listed disabled with its reason, a value that breaks a rule is refused with the
rule's words. Ctrl-C on any question offers the way back (the previous step),
keeping the draft, or going on. The draft is saved after every step and records
the step, so resuming starts where the session stopped; nothing is written
before a final confirmation. With TERM=dumb or NO_COLOR the questions are plain
numbered lines without a single escape code; `ask_missing` asks only what an answers
file left open.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from zwizard import choices, drafts
from zwizard.answers import missing
from zwizard.build import summary
from zwizard.cpu_models import CPU_MODELS
from zwizard.devices import BY_KEY
from zwizard.host import HostInfo
from zwizard.inputs import HOSTNAME_FORM, hostname_ok
from zwizard.lineedit import line_reader
from zwizard.model import (
    AGENT_CHANNEL,
    Answers,
    Disk,
    Nic,
    NicSource,
    Passthrough,
    Watchdog,
)
from zwizard.output import existing
from zwizard.session import (
    Session,
    can_add,
    choice_availability,
    list_problem,
    mapping_problem,
    number_problem,
    parse_list,
    parse_mapping,
)
from zwizard.shown import printable
from zwizard.structure import lookup

DEFAULT = "(default)"  # questionary takes a None value as "use the title"


class Quit(Exception):
    """The user chose to stop; the draft was saved when they asked to keep it."""


class Back(Exception):
    """The user asked to go back to the previous step."""


def plain_terminal() -> bool:
    """TERM=dumb (or unset), or NO_COLOR: no escape code may be written, not even bold
    (questionary's prompts style and move the cursor), so questions are plain lines."""
    return os.environ.get("TERM", "") in ("", "dumb") or bool(os.environ.get("NO_COLOR"))


class LineQuestions:
    """questionary's three questions as numbered plain lines: for TERM=dumb, where not
    one escape code may reach the terminal. Same shape as questionary (`unsafe_ask`)."""

    def __init__(self, read: Callable[[], str], write: Callable[[str], None]) -> None:
        self.read, self.write = read, write

    def _line(self, prompt: str) -> str:
        self.write(prompt)
        line = self.read()
        if line == "":  # end of input
            raise KeyboardInterrupt
        return line.rstrip("\n")

    def text(self, message: str, default: str = "", validate: Any = None, **_: Any) -> Any:
        def ask() -> str:
            while True:
                shown = f" [{default}]" if default else ""
                got = self._line(f"{message}{shown} ")
                value = default if got == "" else ("" if got == "-" else got)
                verdict = validate(value) if validate else True
                if verdict is True:
                    return value
                self.write(f"  ✗ {verdict}\n")

        return _Asked(ask)

    def confirm(self, message: str, default: bool = True, **_: Any) -> Any:
        def ask() -> bool:
            while True:
                got = self._line(f"{message} ({'Y/n' if default else 'y/N'}) ").strip().lower()
                if got == "":
                    return default
                if got in ("y", "yes", "n", "no"):
                    return got.startswith("y")
                self.write("  answer y or n\n")

        return _Asked(ask)

    def select(self, message: str, options: list[Any], default: Any = None, **_: Any) -> Any:
        from questionary import Choice

        items = [o if isinstance(o, Choice) else Choice(str(o), value=o) for o in options]

        def ask() -> Any:
            self.write(f"{message}\n")
            default_no = 1
            for n, item in enumerate(items, start=1):
                if item is default or (default is not None and item.value == default):
                    default_no = n
                off = f"  (not available: {item.disabled})" if item.disabled else ""
                self.write(f"  {n}) {item.title}{off}\n")
            while True:
                got = self._line(f"number [{default_no}] ").strip()
                n = default_no if got == "" else int(got) if got.isdigit() else 0
                if 1 <= n <= len(items) and not items[n - 1].disabled:
                    return items[n - 1].value
                self.write("  choose one of the numbers that is available\n")

        return _Asked(ask)


class _Asked:
    def __init__(self, ask: Callable[[], Any]) -> None:
        self.ask_now = ask

    def unsafe_ask(self) -> Any:
        return self.ask_now()


class Asker:
    """Questions bound to one terminal (or to a test's pipe input), over one Session."""

    def __init__(
        self,
        answers: Answers | Session,
        draft: drafts.Draft | None = None,
        host: HostInfo | None = None,
        **io: Any,
    ) -> None:
        self.session = answers if isinstance(answers, Session) else Session(answers, host=host)
        if host is not None:
            self.session.use_host(host)
        self.autosave = drafts.autosave_path(draft)
        self.draft = draft or drafts.Draft(answers=self.session.answers)
        self.out = io.pop("print_to", sys.stderr)  # messages (never stdout: it may be redirected)
        plain = io.pop("plain", None)
        self.io = io  # input= / output= for prompt_toolkit (a test's pipe, or the terminal)
        if plain is None:
            plain = plain_terminal() and "input" not in io
        if plain:
            # our own line reader on a terminal: typed-ahead answers echo after their
            # questions, not before (the kernel's echo would show them on arrival)
            self.q: Any = LineQuestions(line_reader(self._write), self._write)
        else:
            import questionary

            self.q = questionary

    @property
    def answers(self) -> Answers:
        return self.session.answers

    @property
    def host(self) -> HostInfo | None:
        return self.session.host

    # -- plumbing -----------------------------------------------------------------------

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def allowed(self, path: str, value: Any) -> Any:
        s = self.session
        return choice_availability(
            s.answers, path, value, s.host, s.host_is_target, pending=s.pending
        )

    def on_host(self, items: list[tuple[str, str]]) -> None:
        """Show what this host has for the next question (typing another value stays fine)."""
        if self.host is not None:
            shown = ", ".join(f"{v} ({n})" if n else v for v, n in items) or "none found"
            self.say(f"  on this host: {shown}")

    def say(self, text: str) -> None:
        print(printable(text), file=self.out)

    def notes(self, lines: list[str]) -> None:
        """Why choices below are greyed or marked, whole, before the list: a list row
        is cut at the terminal's edge."""
        for line in lines:
            self.say(wrapped(line, self.columns()))

    def columns(self) -> int:
        output = self.io.get("output")
        if output is not None:  # the terminal prompt_toolkit draws on (a test's buffer)
            return int(output.get_size().columns)
        import shutil

        return shutil.get_terminal_size((80, 24)).columns

    def _ask(self, question: Any) -> Any:
        try:
            return question.unsafe_ask()
        except (KeyboardInterrupt, EOFError):
            return self._interrupted()

    def _interrupted(self) -> Any:
        """Ctrl-C: the way back, or out, or on — never a dead end."""
        from questionary import Choice

        try:
            what = self.q.select(
                "Stopped. What now?",
                [Choice("Back to the previous step", value="back"),
                 Choice("Keep the draft and quit", value="keep"),
                 Choice("Quit without keeping it", value="discard"),
                 Choice("Go on with this question", value="on")],
                **self.io,
            ).unsafe_ask()  # fmt: skip
        except (KeyboardInterrupt, EOFError):
            what = "keep"
        if what == "back":
            raise Back
        if what == "on":
            raise Again
        if what == "keep":
            self.save()
        elif self.autosave and self.autosave.exists():
            self.autosave.unlink()
        raise Quit

    def ask(self, make: Callable[[], Any]) -> Any:
        """Ask the question `make` builds; again after "go on" from the Ctrl-C menu."""
        while True:
            try:
                return self._ask(make())
            except Again:
                continue

    def save(self) -> None:
        """Autosave to this session's own file in the state directory."""
        draft = self.session.draft(finished=self.draft.finished)
        try:
            self.autosave = drafts.save(draft, self.autosave)
            self.say(f"draft saved: {self.autosave}")
        except OSError as exc:
            self.say(f"draft not saved: {exc.strerror}")

    def text(self, path: str, message: str, *, kind: str = "str", optional: bool = False) -> None:
        """Ask for the value at `path`, refusing what the rules refuse at that path."""
        kind = ("optional-" if optional else "") + kind
        text = self.session.text_of(path)
        validate = self.validator(path, kind.removeprefix("optional-"), optional)
        answer = self._ask_until(message, text, validate)
        self.session.set_text(path, answer.strip() if optional else answer, kind)
        for f in self.session.result.findings:  # what this host lacks: said, not refused
            if f.path == path and f.rule.startswith("host-"):
                self.say(f"  ! {f.message} [{f.rule}]")

    def _ask_until(self, message: str, text: str, validate: Callable[[str], Any]) -> str:
        """Ask until `validate` says True. Judged here, not by the prompt: its one-line
        toolbar cut a reason at 80 columns; the whole reason is printed, then the text is
        offered again to mend."""
        while True:
            answer = self.ask(partial(self.q.text, message, default=text, **self.over(text)))
            verdict = validate(answer)
            if verdict is True:
                return answer
            self.say(wrapped(f"✗ {verdict}", self.columns()))
            text = answer

    def boot_position(self, path: str, message: str) -> None:
        """Where the device at `path` boots: a number another device has already is that
        place in the sequence (the others move one later), not a refusal."""
        check = self.validator(path, "int", True)

        def validate(text: str) -> bool | str:
            if not text.strip():
                return True
            problem = number_problem(path, text.strip())
            if problem is not None:
                return f"{problem.message} [{problem.rule}]"
            if int(text) < 1:
                return "boot orders start at 1 (1 boots first) [boot-order]"
            verdict = check(text.strip())
            # a place another device has is no reason: it is taken, the others move
            if isinstance(verdict, str) and "already used by" in verdict:
                return True
            return verdict

        answer = self._ask_until(message, self.session.text_of(path), validate)
        device = path.rpartition(".")[0]
        self.session.place_in_boot_sequence(device, int(answer) if answer.strip() else None)

    def over(self, shown: str) -> dict[str, Any]:
        """The text question's options: the value it shows is replaced by what is typed
        first, as the wizard's fields select theirs (typing `8G` at a shown 2048 made
        `20488G`); an arrow, Backspace or Ctrl-U first edits it instead."""
        if isinstance(self.q, LineQuestions) or not shown:
            return self.io  # a plain line: Enter keeps the value in brackets
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.keys import Keys

        untouched = [True]
        keys = KeyBindings()

        def fresh() -> bool:
            from prompt_toolkit.application import get_app

            buffer = get_app().current_buffer
            if untouched[0] and (buffer.text != shown or buffer.cursor_position != len(shown)):
                untouched[0] = False  # edited another way first: typing goes on from there
            return untouched[0]

        @keys.add(Keys.Any, filter=Condition(fresh))
        def _replace(event: Any) -> None:
            untouched[0] = False
            event.current_buffer.text = ""
            event.current_buffer.insert_text(event.data)

        @keys.add(Keys.BracketedPaste, filter=Condition(fresh))
        def _paste(event: Any) -> None:
            untouched[0] = False
            event.current_buffer.text = ""
            event.current_buffer.insert_text(event.data.replace("\r\n", "\n"))

        return {**self.io, "key_bindings": keys}  # on top of the prompt's own

    def validator(self, path: str, kind: str, optional: bool) -> Callable[[str], bool | str]:
        """True for text the rules accept at `path`, else their reason (shown under the prompt).
        What this host lacks is not refused here: it is said, and judged on Review."""

        def validate(text: str) -> bool | str:
            if optional and not text.strip():
                return True
            if kind == "int":
                problem = number_problem(path, text)
                if problem:
                    return f"{problem.message} [{problem.rule}]"
                value: Any = int(text)
            elif kind == "mapping":
                value = parse_mapping(text)
                if value is None:
                    return f"{mapping_problem(text)} [value]"
            elif kind.endswith("list"):
                value = parse_list(text, kind)
                if value is None:
                    return f"{list_problem(text)} [value]"
            else:
                if not text:
                    return "a value is needed"
                value = text
            verdict = self.allowed(path, value)
            own = [f for f in verdict.reasons if f.severity == "error" and f.path.startswith(path)
                   and not f.rule.startswith("host-")]  # fmt: skip
            return f"{own[0].message} [{own[0].rule}]" if own else True

        return validate

    def choose(self, path: str, message: str, options: list[tuple[Any, str]]) -> None:
        """One of several values; the rules disable what they forbid, with the reason."""
        from questionary import Choice

        current = lookup(self.answers, path)
        offered = []
        default = None
        notes = []
        for value, title in options:
            verdict = self.allowed(path, value) if value != current else None
            disabled = None
            if verdict is not None and not verdict.allowed:
                disabled = "greyed"
                notes.append(f"{title} — greyed: {verdict.reason} [{verdict.rule}]")
            elif verdict is not None and verdict.reasons:
                notes.append(f"{title} — mind: {verdict.reason} [{verdict.rule}]")
                title = f"{title} (!)"
            choice = Choice(title, value=DEFAULT if value is None else value, disabled=disabled)
            offered.append(choice)
            if value == current:
                default = choice
        self.notes(notes)
        picked = self.ask(lambda: self.q.select(message, offered, default=default, **self.io))
        self.session.set_value(path, None if picked == DEFAULT else picked)

    def toggle(self, path: str, message: str, effective: bool | None = None) -> None:
        current = lookup(self.answers, path)
        shown = bool(effective if current is None and effective is not None else current)
        if not shown:
            verdict = self.allowed(path, True)
            if not verdict.allowed:
                self.notes([f"{message}: greyed — {verdict.reason} [{verdict.rule}]"])
                return
        if self.confirm(message, default=shown) != shown:
            self.session.set_value(path, not shown)

    def confirm(self, message: str, default: bool = False) -> bool:
        # auto_enter=False: y or n waits for Enter, as every other question does, so
        # "n Enter" typed in one go answers this question, not this one and the next
        return bool(
            self.ask(lambda: self.q.confirm(message, default=default, auto_enter=False, **self.io))
        )

    def select(self, message: str, options: list[Any], default: Any = None) -> Any:
        return self.ask(lambda: self.q.select(message, options, default=default, **self.io))

    def greyed(self, label: str, path: str) -> None:
        verdict = self.allowed(path, True)
        if not verdict.allowed:
            self.notes([f"{label}: greyed — {verdict.reason} [{verdict.rule}]"])


def wrapped(text: str, columns: int) -> str:
    """A line of words, indented, wrapped to the terminal (nothing cut at its edge)."""
    import textwrap

    return textwrap.fill(
        text,
        max(40, columns - 1),
        initial_indent="  ",
        subsequent_indent="    ",
        break_on_hyphens=False,
    )


class Again(Exception):
    """Ask the same question again (the user chose to go on after Ctrl-C)."""


# --- the steps (the full-screen wizard's, in its order) ---------------------------------


def step_guest(q: Asker) -> None:
    q.say("\n== Guest OS")
    q.text("guest.name", "Guest name:")
    q.choose("guest.os", "Operating system:", choices.OS)
    q.choose("guest.domain_type", "Runs on:", choices.DOMAIN_TYPES)
    if q.host is not None:
        q.say(f"  this host: {q.host.summary()}")
        other = q.confirm(
            "Is the guest for another host? (what this host lacks is then only a warning)",
            default=not q.session.host_is_target,
        )
        q.session.set_other_host(other)
    _target(q)


def _target(q: Asker) -> None:
    """The stack the guest is judged against: this host's versions when it is for this
    host (shown), else the `[target]` the user gives (empty: libvirt 9.0 / QEMU 7.2)."""
    s = q.session
    if q.host is not None and s.host_is_target:
        q.say(f"  version rules judged on {s.stack().describe()}")
        return
    asked = not s.host_is_target or q.confirm(
        "State the libvirt and QEMU of the host the guest is for (else 9.0 / 7.2)?",
        default=q.answers.target is not None,
    )
    if asked:
        for path, label in choices.TARGET_LABELS.items():
            q.text(path, f"{label}:", optional=True)
    q.say(f"  version rules judged on {s.stack().describe()}")


def step_cpu(q: Asker) -> None:
    q.say("\n== CPU & memory")
    q.text("guest.vcpus", "vCPUs:", kind="int")
    q.text("guest.memory_mib", "Memory (MiB):", kind="int")
    q.choose("cpu.mode", "CPU mode:", choices.CPU_MODES)
    if q.answers.cpu.mode == "custom":
        usable = q.host.cpu_usable if q.host is not None and q.host.has_domcaps else None
        models = [(m, m if usable is None or m in usable else f"{m} (not usable here)")
                  for m in reversed(CPU_MODELS)]  # fmt: skip
        q.choose("cpu.model", "CPU model:", models)
    plan = q.session.result.plan
    q.toggle("memory.hugepages", "Back memory with host huge pages?")
    q.toggle("memory.balloon", "Memory balloon (virtio)?", effective=plan.balloon)
    q.toggle("rng.enabled", "Random number generator (virtio-rng)?", effective=plan.rng)
    for label, path in (("Memory hot-plug", "memory.hotplug"), ("NUMA topology", "cpu.numa"),
                        ("SMBIOS", "guest.smbios")):  # fmt: skip
        q.greyed(label, path)
    if q.confirm("More CPU and memory options (vCPUs at start, topology, KSM, locking, "
                 "balloon)?", default=False):  # fmt: skip
        q.text("guest.vcpus_current", "vCPUs online at start (empty: all):", kind="int",
               optional=True)  # fmt: skip
        q.text("cpu.sockets", "Sockets (empty: one per vCPU):", kind="int", optional=True)
        q.text("cpu.cores", "Cores per socket (empty: 1):", kind="int", optional=True)
        q.text("cpu.features", "CPU feature policies (name=policy …; empty: none):",
               kind="mapping", optional=True)  # fmt: skip
        q.text("cpu.pinning", "vCPU pinning (vCPU=host CPUs …; empty: none):", kind="mapping",
               optional=True)  # fmt: skip
        q.text("cpu.emulator_pinning", "QEMU's threads on host CPUs (empty: any):",
               optional=True)  # fmt: skip
        path, label = choices.DEPRECATED_FEATURES_FIELD
        q.choose(path, f"{label}:", choices.DEPRECATED_FEATURES)
        for key, what in (("hard_limit_mib", "hard limit"), ("soft_limit_mib", "soft limit"),
                          ("swap_hard_limit_mib", "memory+swap limit")):  # fmt: skip
            q.text(f"memory.{key}", f"memtune {what} in MiB (empty: none):", kind="int",
                   optional=True)  # fmt: skip
        q.toggle("memory.nosharepages", "Keep KSM from sharing the guest's pages?")
        q.toggle("memory.locked", "Lock guest memory in host RAM?")
        if q.session.result.plan.balloon:
            q.toggle("memory.balloon_autodeflate", "Balloon gives memory back on OOM?")
            q.text("memory.balloon_stats_period", "Balloon statistics every … s (empty: off):",
                   kind="int", optional=True)  # fmt: skip


def _unfinished(q: Asker, key: str, what: Callable[[int], str]) -> None:
    """List entries a stopped session left half-filled: shown, and finished or removed."""
    for i in reversed(range(len(getattr(q.answers, key)))):
        open_ = [p for p in missing(q.answers) if p.startswith(f"{key}[{i}]")]
        if not open_:
            continue
        q.say(f"  {key}[{i}] ({what(i)}) is not finished: {', '.join(open_)}")
        if q.confirm(f"Finish {key}[{i}] now? (no: remove it)", default=True):
            _finish(q, key, i)
        else:
            q.session.remove_device(key, i)


def _finish(q: Asker, key: str, i: int) -> None:
    if key == "disks":
        q.text(f"disks[{i}].path", "Path:")
    elif key == "nics":
        _nic_source(q, i)
    elif key == "shares":
        for f in BY_KEY["shares"].options:
            q.text(f"shares[{i}].{f.key}", f"{f.label}:")
    else:
        _fields(q, key, i, required_only=True)


def _fields(q: Asker, key: str, i: int, *, required_only: bool = False) -> None:
    """The fields a device kind declares for each entry (Kind.fields), in their order,
    with what this host has for them: the declarations the full-screen wizard shows in
    the entry's form."""
    item = getattr(q.answers, key)[i]
    for f in BY_KEY[key].fields:
        if not f.applies(item) or (required_only and not f.required):
            continue
        path = f"{key}[{i}].{f.key}"
        if f.probe is not None and lookup(q.answers, path) is None:
            verdict = q.allowed(path, f.probe(q.answers))
            if not verdict.allowed:  # as the wizard greys the field, with the reason
                q.notes([f"{f.label}: greyed — {verdict.reason} [{verdict.rule}]"])
                continue
        if f.offer is not None and q.host is not None:
            q.on_host(f.offer(q.answers, q.host, item))
        if f.choices:
            q.choose(path, f"{_question(f)}:", list(f.choices))
        elif f.key == "boot_order":
            q.boot_position(path, f"{_question(f)}:")
        else:
            kind = f.text.removeprefix("optional-")
            q.text(path, f"{_question(f)}:", kind=kind, optional=not f.required)


def _question(f: Any) -> str:
    """A declared field as a question: its label, capitalised (not a term written in
    lower case: ccw, loadparm), with where to look."""
    first = f.label.split(" ", 1)[0]
    text = f.label if first in ("ccw", "loadparm", "zPCI") else f.label[:1].upper() + f.label[1:]
    return f"{text} ({f.help})" if f.help else text


def step_disks(q: Asker) -> None:
    q.say("\n== Disks & boot order")
    _unfinished(q, "disks", lambda i: q.answers.disks[i].device)
    for i, d in enumerate(q.answers.disks):
        q.say(f"  disks[{i}]: {d.device} {d.path}")
    while q.confirm("Add a disk?", default=not q.answers.disks):
        kind = q.select("Kind:", ["disk", "cdrom", "lun", "volume"])
        disk = {
            "lun": Disk(path="", device="lun", kind="block"),  # a SCSI LUN: a block device
            "volume": Disk(path="", kind="volume"),
        }.get(kind) or Disk(path="", device=kind)
        i = q.session.add_device("disks", disk)
        q.text(f"disks[{i}].path", "Storage volume (POOL/VOLUME):" if kind == "volume" else "Path:")
        _fields(q, "disks", i)
        # the wizard's boot sequence, asked per disk: a position taken moves the rest
        q.boot_position(f"disks[{i}].boot_order",
                        "Boot order (1 boots first; empty: does not boot):")  # fmt: skip
        _options(q, "disks", i)
    _boot_sequence(q)
    _kernel(q)


def _options(q: Asker, key: str, i: int) -> None:
    """The options a device kind declares (Kind.options), behind one question: the same
    declarations the full-screen wizard shows under the entry's form."""
    kind = BY_KEY[key]
    if not kind.options or not q.confirm(f"{kind.options_title}?", default=False):
        return
    item = getattr(q.answers, key)[i]
    for f in kind.options:
        if not f.applies(item):
            continue
        path = f"{key}[{i}].{f.key}"
        if f.key == "iothread" and not q.answers.guest.iothreads:
            # a disk's I/O thread is one of the guest's: ask for those first
            q.text("guest.iothreads", "I/O threads of the guest (empty: none):", kind="int",
                   optional=True)  # fmt: skip
        if f.choices:
            q.choose(path, f"{f.label}:", list(f.choices))
        else:
            q.text(path, f"{f.label}:", kind=f.text.removeprefix("optional-"), optional=True)


def _kernel(q: Asker) -> None:
    """Direct kernel boot: QEMU starts a host kernel instead of IPLing a device."""
    if not q.confirm("Boot a kernel directly (instead of IPL from a device)?",
                     default=q.answers.kernel is not None):  # fmt: skip
        q.session.set_value("kernel", None)
        return
    q.text("kernel.path", "Kernel (a host path):")
    q.text("kernel.initrd", "initrd (a host path; empty: none):", optional=True)
    q.text("kernel.cmdline", "Kernel command line (empty: none):", optional=True)


def _shares(q: Asker) -> None:
    """Host directories over virtiofs: the fields the share kind declares."""
    from zwizard.model import Share

    _unfinished(q, "shares", lambda i: "share")
    for i, s in enumerate(q.answers.shares):
        q.say(f"  shares[{i}]: {s.tag} <- {s.source}")
    while q.confirm("Share a host directory with the guest (virtiofs)?", default=False):
        i = q.session.add_device("shares", Share())
        for f in BY_KEY["shares"].options:
            q.text(f"shares[{i}].{f.key}", f"{f.label}:")
        _fields(q, "shares", i)  # read-only: greyed, with the versions, where not possible


def _keywrap(q: Asker) -> None:
    if q.confirm("Change CPACF protected-key wrapping (default: AES and DEA on)?", default=False):
        q.toggle("keywrap.aes", "AES key wrapping?", effective=True)
        q.toggle("keywrap.dea", "DEA/TDEA key wrapping?", effective=True)


def _boot_sequence(q: Asker) -> None:
    plan = q.session.result.plan
    seq = sorted(plan.boot, key=plan.boot.__getitem__)
    if seq:
        q.say("  boot sequence: " + ", ".join(f"{n}. {p}" for n, p in enumerate(seq, 1)))


def _nic_source(q: Asker, i: int) -> None:
    kind = q.select("Connect to:", ["network", "bridge", "direct"])
    for other in ("network", "bridge", "direct"):
        if other != kind:
            q.session.set_value(f"nics[{i}].source.{other}", None)
    if q.host is not None:
        h = q.host
        q.on_host(
            [(n.name, "active" if n.active else "inactive") for n in h.networks or []]
            if kind == "network"
            else [(f.name, "") for f in h.interfaces if f.bridge == (kind == "bridge")]
        )
    q.text(f"nics[{i}].source.{kind}", f"{kind} name:")
    if kind == "direct":
        from zwizard.devices.nic import SOURCE_MODES

        q.choose(f"nics[{i}].source.mode", "macvtap mode:", list(SOURCE_MODES))


def step_network(q: Asker) -> None:
    q.say("\n== Network (virtio-net-ccw)")
    q.greyed("virtual PCI NIC", "virtio-pci")
    _unfinished(q, "nics", lambda i: "network interface")
    while q.confirm("Add a network interface?", default=not q.answers.nics):
        i = q.session.add_device("nics", Nic(source=NicSource()))
        _nic_source(q, i)
        _fields(q, "nics", i)
        _options(q, "nics", i)
    _boot_sequence(q)


def step_watchdog(q: Asker) -> None:
    q.say("\n== Watchdog & agent")
    on = q.confirm("diag288 watchdog?", default=q.answers.watchdog is not None)
    q.session.set_value("watchdog", (q.answers.watchdog or Watchdog()) if on else None)
    if on:
        actions = [(a, a) for a in choices.WATCHDOG_ACTIONS]
        q.choose("watchdog.action", "When the guest stops feeding it:", actions)
    agent = any(c.name == AGENT_CHANNEL for c in q.answers.channels)
    q.session.set_agent(q.confirm("QEMU guest agent channel (virtio-serial)?", default=agent))
    con = q.answers.console
    if q.confirm("Console options (log file, line-mode console, VNC)?",
                 default=bool(con.log or con.line_mode or q.answers.graphics.vnc)):  # fmt: skip
        q.text("console.log", "Also log the console to (a host file; empty: no log):",
               optional=True)  # fmt: skip
        if q.answers.console.log:
            q.toggle("console.log_append", "Append to the log?")
        q.toggle(
            "console.line_mode", "Line-mode console too (sclplm, virsh console GUEST console1)?"
        )
        q.toggle("graphics.vnc", "VNC display (virtio-gpu-ccw, keyboard, mouse)?")
        if q.answers.graphics.vnc:
            q.text("graphics.listen", "VNC listens on:")


def step_passthrough(q: Asker) -> None:
    from questionary import Choice

    q.say("\n== Passthrough")
    _unfinished(q, "passthrough", lambda i: q.answers.passthrough[i].type)
    while True:
        offered, notes = [], []
        for kind, title in choices.PASSTHROUGH:
            verdict = can_add(q.answers, "passthrough", Passthrough(type=kind), q.host,
                              q.session.host_is_target)  # fmt: skip
            if not verdict.allowed:
                notes.append(f"add {title} — greyed: {verdict.reason} [{verdict.rule}]")
            offered.append(Choice(f"add {title}", value=kind,
                                  disabled=None if verdict.allowed else "greyed"))  # fmt: skip
        offered.append(Choice("done", value="done"))
        q.notes(notes)
        kind = q.select("Host devices:", offered, default=offered[-1])
        if kind == "done":
            _shares(q)
            _keywrap(q)
            return
        i = q.session.add_device("passthrough", Passthrough(type=kind))
        _fields(q, "passthrough", i)


def step_secure(q: Asker) -> None:
    q.say("\n== Secure Execution")
    s = q.session
    if s.answers.secure_execution.enabled:
        q.toggle("secure_execution.enabled", "Run as a secure guest (s390-pv)?")
        return
    removals = s.secure_execution_removals()
    if not q.confirm("Run as a secure guest (s390-pv)?", default=False):
        return
    if removals:
        q.say("  Turning Secure Execution on removes:")
        for what in removals:
            q.say(f"    ✗ {what}")
        if not q.confirm("Remove these and turn it on?", default=False):
            return
    removed = s.enable_secure_execution()
    for what in removed:
        q.say(f"  removed {what}")
    for f in s.result.findings:
        if f.rule == "host-se":
            q.say(f"  ! {f.message} [{f.rule}]")
    q.say("  the secure boot image (zwizard prepare writes its script; blank-separated paths):")
    for key, what in (("host_key_documents", "host-key documents (HKD-*.crt)"),
                      ("certificates", "signing key and CA certificates"),
                      ("crls", "revocation lists (CRLs)")):  # fmt: skip
        q.text(f"secure_execution.{key}", f"{what}:", kind="str-list", optional=True)


def step_pxe(q: Asker) -> None:
    q.say("\n== PXE")
    q.toggle("pxe.enabled", "Write pxelinux.cfg for a network install?")
    if not q.answers.pxe.enabled:
        return
    if q.session.result.plan.boot_nic() is None and q.answers.nics:
        q.say("  no network interface boots yet: nics[0] now boots first, to install")
        q.session.boot_first("nics[0]")
    q.text("pxe.kernel", "kernel (path relative to the TFTP root):")
    q.text("pxe.initrd", "initrd (relative to the TFTP root):")
    q.text("pxe.repo", "installation source (inst.repo=; http://…, nfs:server:/path, hmc …):",
           optional=True)  # fmt: skip
    q.text("pxe.kickstart", "kickstart (inst.ks=; empty: none):", optional=True)
    q.choose("pxe.ip", "Address:", [("dhcp", "DHCP"), ("static", "static")])
    if q.answers.pxe.ip == "static":
        q.text("pxe.address", "static address (IPv4: a /prefix gives the netmask; IPv6: /64):")
        if "/" not in (q.answers.pxe.address or ""):
            q.text("pxe.netmask", "netmask:")
        q.text("pxe.gateway", "gateway:")
    name = q.answers.guest.name
    if q.answers.pxe.ip == "static" and not hostname_ok(name):  # the default will not do
        q.text("pxe.hostname", f"host name the installer sets (not '{name}': {HOSTNAME_FORM}):")
    else:
        q.text("pxe.hostname", "host name the installer sets (empty: the guest's name if static):",
               optional=True)  # fmt: skip
    q.text("pxe.interface", "guest interface (empty: enc<devno> of the installing NIC):",
           optional=True)  # fmt: skip
    q.text("pxe.nameserver", "name servers (blank- or comma-separated; empty: none):",
           kind="addr-list", optional=True)  # fmt: skip
    q.text("pxe.extra_args", "more kernel arguments (empty: none):", optional=True)


STEPS = (step_guest, step_cpu, step_disks, step_network, step_watchdog, step_passthrough,
         step_secure, step_pxe)  # fmt: skip
STEP_NAMES = ("guest", "cpu", "disks", "network", "watchdog", "passthrough", "secure", "pxe",
              "review")  # fmt: skip


def review_and_write(
    q: Asker, outdir: Path, force: bool = False, define_uri: str | list[str] | None = None
) -> list[Path]:
    q.say("\n== Review & write")
    s = q.session
    result = s.result
    for f in result.findings:
        q.say(f"  {f.severity}: {f.path}: {f.message} [{f.rule}]")
    if not result.ok:
        only_host = all(f.rule.startswith("host-") for f in result.findings
                        if f.severity == "error")  # fmt: skip
        if (
            only_host
            and s.host_is_target
            and q.confirm(
                "Only this host's lacks block writing. Is the guest for another host?",
                default=False,
            )
        ):
            s.set_other_host(True)
            return review_and_write(q, outdir, force, define_uri)
        q.say("  the guest breaks a rule: nothing written (your draft is kept)")
        q.save()
        return []
    for line in summary(result):
        q.say(f"  {line}")
    _preparation(q, s)
    files = s.output_files()
    where = q.ask(lambda: q.q.text("Output folder:", default=str(outdir), **q.over(str(outdir))))
    outdir = Path(where.strip() or str(outdir)).expanduser()
    q.say(f"  will write into {outdir}: {', '.join(files)}")
    clash = existing(outdir, files)
    if clash and not force:
        names = ", ".join(str(p) for p in clash)
        if not q.confirm(f"Replace {names}?", default=False):
            q.say("  nothing written")
            q.save()
            return []
        force = True
    elif not q.confirm("Write these files now?", default=True):
        q.say("  nothing written (your draft is kept)")
        q.save()
        return []
    outcome = s.write(outdir, force=force, define_uri=define_uri)
    for path in outcome.written:
        q.say(f"wrote {path}")
    for line in outcome.defined:
        q.say(line)
    if outcome.error:
        q.say(f"  {outcome.error}")
    if outcome.written:
        q.draft.finished = True
        q.save()
        q.say("next steps:")
        for step in outcome.next_steps:
            q.say(f"  {step}")
    return outcome.written if not outcome.error else []


def _preparation(q: Asker, s: Session) -> None:
    """The host preparation, as zwizard prepare and the wizard's Review show it."""
    from zwizard.prepare import overview

    lines = overview(s.preparation)
    if lines:
        q.say(f"  host preparation ({s.preparation.script_name}):")
    for line in lines:
        q.say(f"    {line}")


def run(
    answers: Answers,
    outdir: Path,
    *,
    draft: drafts.Draft | None = None,
    host: HostInfo | None = None,
    host_is_target: bool = True,
    define_uri: str | list[str] | None = None,
    hosts: list[HostInfo] | None = None,
    shared_folder: bool = False,
    **io: Any,
) -> int:
    """The whole wizard as questions, from the draft's step on; returns an exit code."""
    session = Session.from_draft(draft, host) if draft is not None else Session(answers, host=host)
    if hosts and len(hosts) > 1:  # judged against every host given with --connect
        session.use_hosts(hosts)
    session.shared_folder = shared_folder
    if not host_is_target:  # --other-host; else a draft's own choice stands
        session.set_other_host(True)
    q = Asker(session, draft, **io)
    start = STEP_NAMES.index(session.step) if session.step in STEP_NAMES else 0
    if start:
        q.say(f"resuming at step {start + 1} ({session.step})")
    index = start
    try:
        while True:  # the steps, then Review; Back from any of them is one step back
            session.step = STEP_NAMES[index]
            try:
                if index == len(STEPS):
                    written = review_and_write(q, outdir, define_uri=define_uri)
                    break
                STEPS[index](q)
            except Back:
                index = max(0, index - 1)
                continue
            index += 1
            session.step = STEP_NAMES[index]
            q.save()
    except Quit:
        return 1
    return 0 if written else 1


# --- partial answers -------------------------------------------------------------------


QUESTIONS = {
    "guest.name": "Guest name:",
    "path": "Path of {where}:",
}


def _declared_question(answers: Answers, where: str, key: str) -> str | None:
    """The question a device kind declares for `key` of the entry at `where`."""
    kind = BY_KEY.get(where.split("[", 1)[0])
    if kind is None or "[" not in where:
        return None
    item = lookup(answers, where)
    for f in kind.fields:
        if f.key == key and f.applies(item):
            return f"{f.label[:1].upper()}{f.label[1:]} of {where}:"
    return None


def ask_missing(answers: Answers, **io: Any) -> bool:
    """Ask only for what `missing` names; False when the user quit."""
    q = Asker(answers, **io)
    try:
        for path in missing(answers):
            where = path.rsplit(".", 1)[0]
            if path.endswith(".source"):
                kind = q.select(f"{where} connects to:", ["network", "bridge", "direct"])
                q.text(f"{path}.{kind}", f"{kind} name for {where}:")
                continue
            key = path.rsplit(".", 1)[-1]
            message = QUESTIONS.get(path) or _declared_question(answers, where, key)
            q.text(path, message or QUESTIONS[key].format(where=where))
    except (Quit, Back):
        return False
    return True

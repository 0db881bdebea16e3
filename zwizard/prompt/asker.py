"""The questions themselves: one Asker over questionary or plain numbered lines, every
answer judged by the session (its rules, its typed-text parsing) before it is kept."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from zwizard import drafts
from zwizard.lineedit import line_reader
from zwizard.model import (
    Answers,
)
from zwizard.questions import group, question, yes_or_no
from zwizard.rules import Availability, Finding
from zwizard.session import (
    Session,
    choice_availability,
    list_problem,
    mapping_problem,
    number_problem,
    parse_list,
    parse_mapping,
)
from zwizard.shown import printable
from zwizard.structure import lookup

if TYPE_CHECKING:
    from zwizard.host import HostInfo

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

    def text(
        self,
        path: str,
        message: str | None = None,
        *,
        kind: str | None = None,
        optional: bool | None = None,
    ) -> None:
        """Ask for the value at `path`, refusing what the rules refuse at that path. Left
        out, the question, the kind and whether it may stay empty are the key's declared
        ones (zwizard.questions); a device's fields give their own."""
        asked = question(path) if message is None else None
        words = asked.asked() if asked is not None else str(message)
        if kind is None:
            kind = asked.kind.removeprefix("optional-") if asked is not None else "str"
        if optional is None:
            optional = bool(asked.empty) if asked is not None else False
        kind = ("optional-" if optional else "") + kind
        text = self.session.text_of(path)
        validate = self.validator(path, kind.removeprefix("optional-"), optional)
        answer = self._ask_until(words, text, validate)
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

    def choose(
        self,
        path: str,
        message: str | None = None,
        options: list[tuple[Any, str]] | None = None,
    ) -> None:
        """One of several values; the rules disable what they forbid, with the reason.
        Left out, the question and the values are the key's declared ones."""
        from questionary import Choice

        if message is None:
            message = question(path).asked()
        if options is None:
            options = list(question(path).choices)

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

    def toggle(self, path: str, message: str | None = None, effective: bool | None = None) -> None:
        if message is None:
            message = question(path).asked("?")
        current = lookup(self.answers, path)
        shown = bool(effective if current is None and effective is not None else current)
        if not shown:
            verdict = self.allowed(path, True)
            if not verdict.allowed:
                self.notes([f"{message}: greyed — {verdict.reason} [{verdict.rule}]"])
                return
        if self.confirm(message, default=shown) != shown:
            self.session.set_value(path, not shown)

    def group(
        self, key: str, default: bool = False, skip: Callable[[str], bool] | None = None
    ) -> None:
        """A declared group of options (zwizard.questions.GROUPS), as the wizard folds it:
        its title as a yes/no, then each key of it, of its kind, in its order — unless
        `skip` says, when the key's turn comes, that it does not apply now."""
        declared = group(key)
        if not self.confirm(f"{declared.title}?", default=default):
            return
        for path in declared.paths:
            if skip is not None and skip(path):
                continue
            if question(path).choices:
                self.choose(path)
            elif yes_or_no(path):
                self.toggle(path)
            else:
                self.text(path)

    def confirm(self, message: str, default: bool = False, key: str = "") -> bool:
        """A yes/no question; `key`: the answers key it decides, where it decides one."""
        # auto_enter=False: y or n waits for Enter, as every other question does, so
        # "n Enter" typed in one go answers this question, not this one and the next
        return bool(
            self.ask(lambda: self.q.confirm(message, default=default, auto_enter=False, **self.io))
        )

    def select(self, message: str, options: list[Any], default: Any = None) -> Any:
        return self.ask(lambda: self.q.select(message, options, default=default, **self.io))

    def greyed(self, path: str, why: Finding | None = None) -> None:
        """A choice IBM Z does not have (or `why` forbids here), said with its rule."""
        verdict = self.allowed(path, True) if why is None else Availability(False, (why,))
        if not verdict.allowed:
            self.notes([f"{question(path).label}: greyed — {verdict.reason} [{verdict.rule}]"])


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

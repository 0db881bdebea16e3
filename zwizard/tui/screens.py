"""The wizard's screens other than its steps: the preview (F2), a question with a few
answers (quit, resume), the help (F1), the step list and the wizard's own screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, OptionList, Static, TextArea

from zwizard.rules import RULES, rules_for_step
from zwizard.tui.compat import SteadyFooter, option_lines
from zwizard.tui.fields import Plain, focus_on

if TYPE_CHECKING:
    from zwizard.build import Build


class Preview(Vertical):
    """The domain XML and PXE file exactly as they would be written."""

    def compose(self) -> ComposeResult:
        yield Plain("", id="preview-findings")
        # wrapped: at 80 columns a long line (the PXE append line above all) must be
        # read whole, not cut at the edge
        yield TextArea("", read_only=True, id="preview-text", soft_wrap=True)

    def show(self, result: Build) -> None:
        files = result.shown_files()  # what there is, even while errors block writing
        text = "\n".join(f"── {name} ──\n{body}" for name, body in files.items())
        area = self.query_one(TextArea)
        if area.text != text:
            area.load_text(text)
        errors = sum(1 for f in result.findings if f.severity == "error")
        shown = [f for f in result.findings if f.severity != "note"]
        head = "preview (F2 closes) — " + (
            f"{errors} error(s), not writable yet" if errors else "as it will be written"
        )
        lines = [f"{'✗' if f.severity == 'error' else '!'} {f.path}: {f.message} [{f.rule}]"
                 for f in shown[:4]]  # fmt: skip
        if len(shown) > 4:
            lines.append(f"… {len(shown) - 4} more on Review & write")
        self.query_one("#preview-findings", Static).update("\n".join([head, *lines]))


class PreviewScreen(ModalScreen[None]):
    """The preview over the whole window: on 80 columns a side panel would be too narrow
    to read `<memory unit="MiB">` with its value."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "dismiss", "Close preview"),
        Binding("escape", "dismiss", "Close preview"),
    ]

    def __init__(self, result: Build) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        yield Preview(id="preview-full")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(Preview).show(self.result)
        self.query_one(TextArea).focus()


class Question(Plain):
    """A dialog's question; says when it was laid out, and so painted in the same turn."""

    class Shown(Message):
        pass

    def on_show(self, event: events.Show) -> None:
        shown = self.Shown()
        shown.time = event.time  # when the layout put it on screen, not when this runs
        self.post_message(shown)


class Confirm(ModalScreen[str]):
    """A question with a few answers; dismisses with the id of the chosen button.

    Keys typed before the question was on screen are not its answer: typed ahead at
    start (the resume question) or in a burst, an Enter meant for a field would
    otherwise pick a choice nobody read. They are dropped, and the dialog says so."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss('cancel')", "Cancel"),
        # the arrows move between the answers, as in every dialog a person has met
        Binding("right,down", "choice(1)", "Next answer", show=False),
        Binding("left,up", "choice(-1)", "Previous answer", show=False),
    ]
    AUTO_FOCUS = "Button"  # Enter answers with the first choice

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.answers = answers
        self.shown_at = float("inf")  # Textual's monotonic clock, as Message.time
        self.unused = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Question(self.question, id="dialog-question")
            yield Plain("", id="dialog-unused")
            with Horizontal(classes="buttons"):
                for key, text in self.answers:
                    yield Button(text, id=key, compact=True)

    def on_question_shown(self, event: Question.Shown) -> None:
        # the time of the layout that showed it, not of this handler: under load the
        # handler runs late, and an Enter pressed on seeing the question must count
        self.shown_at = min(self.shown_at, event.time)

    def typed_before_shown(self, event: events.Key) -> bool:
        """True (and counted) for a key that arrived before the question was seen."""
        if event.time >= self.shown_at:
            return False
        self.unused += 1
        note = self.query_one("#dialog-unused", Static)
        note.update(f"{self.unused} key(s) typed before this question was shown were not used")
        note.display = True
        return True

    def action_choice(self, delta: int) -> None:
        """Move the cursor to the next (1) or previous (-1) answer, round the ends."""
        buttons = list(self.query(Button))
        at = buttons.index(self.focused) if self.focused in buttons else 0
        focus_on(buttons[(at + delta) % len(buttons)])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")


KEYS_HELP = (
    ("PageDown / PageUp", "next / previous step (the cursor lands in its first field)"),
    ("Tab / Shift-Tab", "next / previous field"),
    ("Enter / Space", "press a button, tick a box, choose an option"),
    ("F1", "this help"),
    ("F2", "the XML and PXE file as they will be written"),
    ("F3", "the list of steps (arrows, Enter)"),
    ("F4", "the guest is for another host / for this host"),
    ("Ctrl-S", "save the draft now"),
    ("Ctrl-Q, Ctrl-C", "quit (asks first; the draft is kept)"),
)


class HelpScreen(ModalScreen[None]):
    """F1: the keys, and the rules of the step on screen, each by id with one line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("f1", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, step_title: str, step_id: str) -> None:
        super().__init__()
        self.step_title = step_title
        self.rule_ids = rules_for_step(step_id)  # the rule catalog says which step shows it

    def compose(self) -> ComposeResult:
        keys = "\n".join(f"  {k:<18} {what}" for k, what in KEYS_HELP)
        rules = "\n".join(f"  {r:<18} {RULES[r]}" for r in self.rule_ids if r in RULES)
        text = (
            f"Keys\n{keys}\n\nRules on this step ({self.step_title})\n{rules or '  (none)'}\n\n"
            "Escape or F1 closes this help. The whole reference: docs/rules.md"
        )
        with VerticalScroll(id="help"):
            yield Plain(text)
        yield SteadyFooter()


class StepList(OptionList):
    """The steps, the current one highlighted. Moving the highlight repaints the two
    options it leaves and reaches, not the whole list: fewer bytes per step change
    over SSH (OptionList repaints everything on any highlight)."""

    highlighted: reactive[int | None] = reactive(None, repaint=False)

    # Textual calls a watcher with (old, new) when it takes two: the type checker sees
    # OptionList's one-argument watcher as the signature to keep
    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]
        super().watch_highlighted(new)
        for index in (old, new):
            if index is not None and 0 <= index < self.option_count:
                lines = option_lines(self, index)
                if lines is not None:  # else not laid out yet: the first paint draws it
                    self.refresh_lines(*lines)


class WizardScreen(Screen[None]):
    """The wizard's screen. Textual's Screen repaints itself whole whenever the focus
    moves (its `focused` reactive repaints); the widgets that gain and lose focus are
    restyled and repainted by set_focus anyway, so here a Tab or a step change sends
    only the lines that change: about half the bytes of a step change over SSH."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

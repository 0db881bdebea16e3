"""The full-screen wizard. It presents the editing core (zwizard.session): steps show
the answers and post one message per thing a person does; the app hands each to
the session and redraws. The preview, the greyed choices (rules.availability) and
what Review writes are the same `build` the answers mode runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from zwizard import drafts
from zwizard.build import Build, render_files
from zwizard.host import HostInfo
from zwizard.model import Answers
from zwizard.output import Outcome, existing
from zwizard.rules import RULES
from zwizard.session import Session
from zwizard.tui.compat import bindings_for, option_lines, priority_keys, type_into
from zwizard.tui.compat import sender as message_sender
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import Box, Plain, State, TextField, focus_on, shown
from zwizard.tui.messages import (
    AgentChosen,
    BootFirst,
    BootMoved,
    BootToggled,
    DeviceAdded,
    DeviceMoved,
    DeviceRemoved,
    Goto,
    HostTarget,
    OptionsOpened,
    SecureExecutionRequested,
    TextEdited,
    ValueChosen,
)
from zwizard.tui.steps.base import Step
from zwizard.tui.steps.cpu_memory import CpuMemoryStep
from zwizard.tui.steps.disks import DisksStep
from zwizard.tui.steps.guest import GuestStep
from zwizard.tui.steps.network import NetworkStep
from zwizard.tui.steps.passthrough import PassthroughStep
from zwizard.tui.steps.pxe import PxeStep
from zwizard.tui.steps.review import ReviewStep
from zwizard.tui.steps.secure_execution import SecureExecutionStep
from zwizard.tui.steps.watchdog import WatchdogStep

STEPS = (
    GuestStep, CpuMemoryStep, DisksStep, NetworkStep, WatchdogStep, PassthroughStep,
    SecureExecutionStep, PxeStep, ReviewStep,
)  # fmt: skip


class Preview(Vertical):
    """The domain XML and PXE file exactly as they would be written."""

    def compose(self) -> ComposeResult:
        yield Plain("", id="preview-findings")
        # wrapped: at 80 columns a long line (the PXE append line above all) must be
        # read whole, not cut at the edge
        yield TextArea("", read_only=True, id="preview-text", soft_wrap=True)

    def show(self, result: Build) -> None:
        files = result.files
        if not files:
            try:  # show what there is, even while errors block writing
                files = render_files(result.answers, result.plan)
            except Exception:
                files = {}
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
        yield Footer()

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

    def __init__(self, step_title: str, rule_ids: tuple[str, ...]) -> None:
        super().__init__()
        self.step_title = step_title
        self.rule_ids = rule_ids

    def compose(self) -> ComposeResult:
        keys = "\n".join(f"  {k:<18} {what}" for k, what in KEYS_HELP)
        rules = "\n".join(f"  {r:<18} {RULES[r]}" for r in self.rule_ids if r in RULES)
        text = (
            f"Keys\n{keys}\n\nRules on this step ({self.step_title})\n{rules or '  (none)'}\n\n"
            "Escape or F1 closes this help. The whole reference: docs/rules.md"
        )
        with VerticalScroll(id="help"):
            yield Plain(text)
        yield Footer()


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


class ZWizard(App[int]):
    """zwizard's interactive front end."""

    CSS_PATH = "wizard.tcss"
    AUTO_FOCUS = None  # the wizard puts the cursor in the step's first field itself
    TITLE = "zwizard"
    SUB_TITLE = "IBM Z guest definition"
    # Textual's command palette lists generic actions (scroll, copy) an admin has no use
    # for; F1 shows the wizard's own keys instead
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        # Tab at app level, before any widget: a burst "4<Tab>8192" must put 8192 into
        # the next field, so the focus moves before the keys behind it are delivered
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
        Binding("pagedown", "next_step", "Next", priority=True),
        Binding("pageup", "previous_step", "Back", priority=True),
        # the wizard's own keys act at once, ahead of keys queued behind them
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "toggle_preview", "Preview", priority=True),
        Binding("f3", "focus_steps", "Steps", priority=True),
        Binding("f4", "toggle_other_host", "Other host", show=False, priority=True),
        Binding("ctrl+s", "save_draft", "Save", priority=True),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("ctrl+c", "request_quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        draft: drafts.Draft | None = None,
        *,
        offer_resume: drafts.Draft | None = None,
        output_dir: str = ".",
        steady_cursor: bool = False,
        autosave: bool = True,
        read_host: bool = True,
        define_uri: str | list[str] | None = None,
        connect: list[str] | None = None,
    ) -> None:
        super().__init__()
        from zwizard.tui import ansi

        ansi.install()  # style changes, not full styles, per line: fewer bytes over SSH
        self.draft = draft or drafts.Draft(answers=Answers())
        self.session = Session.from_draft(self.draft)
        self.offer_resume = offer_resume
        self.output_dir = output_dir
        self.steady_cursor = steady_cursor
        if steady_cursor:
            self.animation_level = "none"  # a switch sliding mid-screenshot is not a change
        self.autosave = autosave
        self.current = self.draft.step if self.draft.step in STEP_IDS else "guest"
        self.session.step = self.current
        self.written: list[Path] = []
        self.read_host = read_host
        self.define_uri = define_uri
        self.connect = connect or []  # the hosts to judge against; none: this one
        self.host_line = ""  # what host discovery found, or that it is still reading
        # a session nobody typed into leaves no draft behind
        self.dirty = draft is not None
        self.autosave_path = drafts.autosave_path(draft)
        self._held: list[events.Key] | None = None  # keys waiting for a button's effect
        self._hold_id = 0
        self._flash = ""  # a short message shown in place of the status
        self._held_at: Widget | None = None
        self._held_since = 0.0
        self._last_key = 0.0  # Textual's monotonic clock: when the last key came

    # -- the session's state, for steps and tests ------------------------------------------

    @property
    def answers(self) -> Answers:
        return self.session.answers

    @property
    def pending(self) -> dict[str, str]:
        return self.session.pending

    @property
    def result(self) -> Build:
        return self.session.result

    @property
    def host(self) -> HostInfo | None:
        return self.session.host

    @property
    def host_is_target(self) -> bool:
        return self.session.host_is_target

    @host_is_target.setter
    def host_is_target(self, value: bool) -> None:
        self.session.set_other_host(not value)

    # -- keys in bursts ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Hold keys typed right after Enter/Space on a button or choice until its effect
        (a new device, fields shown, another step, a dialog) is on screen: over SSH keys
        arrive in bursts, and `+ disk` Enter `/var/…` must type into the new disk."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._last_key = time.monotonic()
            if isinstance(self.screen, Confirm) and self.screen.typed_before_shown(event):
                return
            if self._flash:  # a status message lasts until the next key
                self._end_flash()
            if self._held is not None:
                self._held.append(event)
                return
            focused = self.focused
            here = not isinstance(self.screen, ModalScreen)
            ours = here and focused is not None and event.key not in self._priority_keys
            if ours and isinstance(focused, Input) and await self._type_into(focused, event):
                return
            # Enter/Space on anything but a text field acts (a button, a box, a radio
            # choice) and may show, hide or focus fields: the keys behind it wait
            if event.key in ("enter", "space") and not isinstance(
                focused, Input | TextArea | type(None)
            ):
                self._held = []
                self._held_at = focused
                # a message posted before now cannot be this press's effect (Message.time
                # is Textual's monotonic clock)
                self._held_since = time.monotonic()
                self._hold_id += 1
                hold = self._hold_id
                if not (ours and await self._run_binding(focused, event)):
                    await super().on_event(event)
                # the press travels as messages up to the app; whichever handler takes
                # it releases the keys once the focus is where typing continues; a timer
                # releases this hold (not a later one) if nothing does
                self.set_timer(HOLD_LIMIT, lambda: self.call_later(self._release_keys, hold))
                return
            # any other key the focused widget binds (Down in a radio set …) acts now too,
            # so it stays in order with the presses and typing around it
            if (
                ours
                and focused is not None
                and not isinstance(focused, Input | TextArea)
                and await self._run_binding(focused, event)
            ):
                if isinstance(focused, OptionList) and isinstance(focused.parent, DeviceList):
                    focused.parent.follow(focused.highlighted)  # before the keys behind
                return
        await super().on_event(event)

    async def _type_into(self, inp: Input, event: events.Key) -> bool:
        """Apply a key to the focused input now, in order with the keys around it.

        Textual delivers a key to the input's own queue and resolves its bindings
        (Backspace, arrows, Home …) only when the key bubbles back — by then a Tab later
        in the same burst has moved the focus, and Backspace would act on the next field.
        Typing straight into the input keeps a burst exactly as slow typing."""
        before = inp.value
        if event.is_printable:
            await type_into(inp, event)  # inserts, or replaces the selection
            done = True
        else:
            done = await self._run_binding(inp, event)  # F3, Escape …: False, the usual way
        if done and inp.value != before:
            self._apply_typed(inp)
        return done

    def _apply_typed(self, inp: Input) -> None:
        """Hand the text of a field just typed into to the session now, not when the
        input's change has bubbled up to the app: by then the keys behind it in a burst
        (PageDown, Tab, Enter on Write) have been handled against the answers as they
        were before — a Write still greyed for the address being mended was passed over
        by the Tabs, and nothing was written."""
        field = inp.parent
        if isinstance(field, TextField):
            field.applied.append(inp.value)  # its Changed, when it comes, is no news
            field.shown = inp.value
            self._edited(self.session.set_text(field.path, inp.value, field.kind))

    async def _run_binding(self, widget: Widget, event: events.Key) -> bool:
        """Run `widget`'s own binding for the key at once; False when it has none.

        Textual resolves a binding when the key bubbles back up from the widget's
        queue; a focus change in between (a step shown, a field hidden) made a press
        fall on nothing, and a Down behind it could act after the Enter that followed."""
        for binding in bindings_for(widget, event.key):
            if isinstance(widget, Button) and binding.action == "press":
                # Button's own action ignores a press within 0.2 s of the last one (its
                # "-active" look): the second `+ disk` of a burst would vanish
                widget.press()
            else:
                await widget.run_action(binding.action)
            return True
        return False

    def action_focus_next(self) -> None:
        focused = self.screen.focus_next()
        if focused is not None:
            focus_on(focused)

    def action_focus_previous(self) -> None:
        focused = self.screen.focus_previous()
        if focused is not None:
            focus_on(focused)

    @cached_property
    def _priority_keys(self) -> frozenset[str]:
        """The app's own keys (Tab, PgDn, F1 …): fixed, and asked for at every key."""
        return priority_keys(self)

    async def _release_keys(self, hold: int | None = None) -> None:
        """Deliver the held keys, in order, to wherever the focus is now. `hold` names
        the hold a timer was set for: a later hold is not released by an old timer.

        Runs as a message of the app's own queue (never in a timer's or the screen's
        task, where the app would go on handling keys meanwhile) and delivers the keys
        here and now, not posted again behind keys that came later. A released Enter
        that starts a new hold holds the keys after it again."""
        if hold is not None and hold != self._hold_id:
            return
        held, self._held = self._held, None
        for key in held or []:
            await self.on_event(key)

    def _settled(self, event: Message | None = None) -> None:
        """The effect of the press that started the hold is done: release the held keys
        after the redraw it caused. Only a message from the pressed widget (or the one
        that speaks for it, such as its device list) counts: edits typed before the
        press may still be on their way up and must not release the keys early."""
        if self._held is None:
            return
        if event is not None and event.time < self._held_since:
            return  # an echo of an earlier edit, still on its way: not this press's effect
        sender = message_sender(event)
        pressed = self._held_at
        if event is not None and not (
            pressed is sender or (pressed is not None and sender in pressed.ancestors)
        ):
            return
        if pressed is not None and not pressed.display and pressed.parent is not None:
            # a button that hid itself (done its job): typing goes on in the next field
            after = False
            for widget in self.screen.query("*"):
                if widget is pressed:
                    after = True
                elif after and widget.focusable and widget.display and widget.visible:
                    focus_on(widget)
                    break
        # once the effect is drawn, and then through the app's own queue: keys that
        # arrived meanwhile are in it before this and get held first, so the order typed
        # is the order delivered
        hold = self._hold_id
        self.call_after_refresh(lambda: self.call_later(self._release_keys, hold))

    # -- layout -------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        return WizardScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield StepList(*[Option(s.title, id=s.step_id) for s in STEPS], id="steps")
            with ContentSwitcher(initial=f"step-{self.current}", id="main"):
                for step in STEPS:
                    yield step()
            yield Preview(id="preview")
        with Horizontal(id="nav"):
            yield Button("Back", id="nav-back", compact=True)
            yield Plain("", id="nav-status")
            yield Button("Next", id="nav-next", compact=True)
        yield Footer()

    async def on_mount(self) -> None:
        # a side panel only where it is wide enough to read; elsewhere F2 opens a screen
        self.query_one("#preview").display = False
        await self._populate(self.current)
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                self._loop_add_signal(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
        self.refresh_all()
        self.query_one("#steps", OptionList).highlighted = self.step_index
        # focus before the first paint: keys typed the moment the screen appears count
        self.focus_first_field()
        if self.read_host:  # in a worker: virsh may take a moment, the screen stays live
            self.host_line = "reading this host (virsh, sysfs) …"
            # a daemon thread, not a Textual worker: those run on asyncio's executor, which
            # is joined at exit, so a hung virsh would hold a quit or a hang-up open
            threading.Thread(target=self._read_host, name="host", daemon=True).start()
        self._prebuild_later(PREBUILD_QUIET)
        if self.offer_resume is not None:
            self.push_screen(
                Confirm(
                    f"Resume your unfinished guest {self.offer_resume.label}?",
                    [("resume", "Resume"), ("new", "Start a new guest")],
                ),
                self._resume_answer,
            )

    def _read_host(self) -> None:
        from zwizard.hosts import discover_all

        hosts = discover_all(self.connect or ["qemu:///system"], self.answers.guest.domain_type)
        if self.is_running:  # else the wizard was left while virsh answered: nobody to tell
            try:
                if len(hosts) > 1:
                    self.call_from_thread(self.use_hosts, hosts)
                else:
                    self.call_from_thread(self.use_host, hosts[0])
            except RuntimeError:  # it closed between the check and the call
                pass

    def use_hosts(self, hosts: list[HostInfo]) -> None:
        """Judge against every host (--connect …); the status line names them."""
        self.session.use_hosts(hosts)
        self.host_line = "hosts: " + "; ".join(f"{h.label}: {h.summary()}" for h in hosts)
        self.refresh_all()

    def use_host(self, host: HostInfo | None) -> None:
        """Judge (and offer) against this host from now on; the status line says what it is
        (never a notification over the fields)."""
        self.session.use_host(host)
        self.host_line = f"this host: {host.summary()}" if host is not None else ""
        self.refresh_all()
        if host is not None and host.unavailable:
            # said once, where it is seen at 80x24 (the Guest step's host line may be
            # below the fold); the wizard goes on without what could not be read
            more = " …" if len(host.unavailable) > 1 else ""
            self.flash(f"host data unavailable ({host.unavailable[0]}{more}); going on", 6.0)

    @on(HostTarget)
    def _target(self, event: HostTarget) -> None:
        event.stop()
        self.dirty = True
        self.session.set_other_host(not event.this_host)
        self.refresh_all()

    def action_toggle_other_host(self) -> None:
        self.dirty = True
        self.session.set_other_host(self.session.host_is_target)
        self.refresh_all()

    def _loop_add_signal(self, sig: signal.Signals) -> None:
        import asyncio

        asyncio.get_running_loop().add_signal_handler(sig, self._hangup, sig)

    def _hangup(self, sig: signal.Signals) -> None:
        """The terminal went away (SSH dropped) or we are told to stop: keep the work.

        A hang-up ends the process at once, the draft saved: there is no terminal left to
        restore, and Textual's shutdown can wait for ever on its writer thread then (seen:
        processes stuck in WriterThread.stop after tmux or sshd closed the terminal, 80 MiB
        each). A SIGTERM restores the terminal, with the same end as a backstop."""
        self.save_draft()
        code = 128 + int(sig)
        if sig == signal.SIGHUP:
            os._exit(code)
        backstop = threading.Timer(3.0, os._exit, args=(code,))
        backstop.daemon = True
        backstop.start()
        self.exit(code)

    async def _resume_answer(self, answer: str | None) -> None:
        if answer == "resume" and self.offer_resume is not None:
            await self.load_draft(self.offer_resume)
        self._settled()  # the keys typed behind the answer go on now, in the guest shown

    async def load_draft(self, draft: drafts.Draft) -> None:
        self.draft = draft
        self.autosave_path = drafts.autosave_path(draft)
        self.dirty = True
        host, shared = self.session.host, self.session.shared_folder
        self.session = Session.from_draft(draft, host)
        self.session.shared_folder = shared
        step = draft.step if draft.step in STEP_IDS else "guest"
        await self._populate(step)
        self.current = step
        self.session.step = step
        self.query_one(ContentSwitcher).current = f"step-{self.current}"
        self.query_one("#steps", OptionList).highlighted = self.step_index
        self.refresh_all()
        self.focus_first_field(draft.field)

    async def _prebuild(self) -> None:
        """Build the steps not yet seen, one at a time, while nobody types: a first
        visit then only shows widgets that exist (on a busy 2-core host, building a step
        on the key that asks for it took 110-370 ms). A build runs in the app's own turn,
        as a visit's would: keys that come meanwhile wait and then go, in order, where
        they were typed (run as a task beside the keys, one burst in three lost the start
        of a folder typed behind a PageDown). Any key puts the next build off until the
        keyboard has been quiet for a moment."""
        if not self.is_running:
            return
        quiet_for = time.monotonic() - self._last_key
        if quiet_for < PREBUILD_QUIET:
            self._prebuild_later(PREBUILD_QUIET - quiet_for)
            return
        order = STEP_IDS[self.step_index + 1 :] + STEP_IDS[: self.step_index]
        todo = [s for s in order if not self.query_one(f"#step-{s}", Step).populated]
        if todo:
            await self._populate(todo[0])
            self._prebuild_later(PREBUILD_GAP)

    def _prebuild_later(self, seconds: float) -> None:
        # through the app's own queue, never in the timer's task: there the app would go
        # on handling keys during the build
        self.set_timer(seconds, lambda: self.call_later(self._prebuild))

    async def _populate(self, step_id: str) -> None:
        step = self.query_one(f"#step-{step_id}", Step)
        first = not step.populated
        await step.populate()  # waits for a build the idle pre-build has under way
        if first:
            if self.steady_cursor:  # stable screenshots
                for widget in step.query(Input):
                    widget.cursor_blink = False

    # -- redrawing ----------------------------------------------------------------------

    @property
    def step_index(self) -> int:
        return STEP_IDS.index(self.current)

    def state(self) -> State:
        s = self.session
        return State(
            s.answers, s.result, s.pending, s.typed, s.host, s.host_is_target, stack=s.stack()
        )

    def refresh_all(self) -> None:
        """Redraw the visible step, the step list and the status from the session."""
        with self.batch_update():
            state = self.state()
            self.query_one(f"#step-{self.current}", Step).sync(state)
            self._mark_steps(state)
            preview = self.query_one(Preview)
            if preview.display:
                preview.show(self.result)

    def _mark_steps(self, state: State) -> None:
        steps = self.query_one("#steps", OptionList)
        for i, cls in enumerate(STEPS):
            step = self.query_one(f"#step-{cls.step_id}", Step)
            errors = [f for f in step.findings(state) if f.severity == "error"] if cls.owns else []
            mark = f" ✗{len(errors)}" if errors else ""
            prompt = f"{i + 1} {cls.title}{mark}"
            if str(steps.get_option_at_index(i).prompt) != prompt:
                steps.replace_option_prompt_at_index(i, prompt)
        total = sum(1 for f in state.result.findings if f.severity == "error")
        status = f"step {self.step_index + 1}/{len(STEPS)}"
        # on Review, what it lists below its fold: the host preparation's errors
        refused = self.query_one(ReviewStep).refused() if self.current == "review" else 0
        if total:
            status += f" · {total} error(s)"
        elif refused:
            status += f" · {refused} error(s) in the host preparation"
        else:
            status += " · no errors"
        if not state.host_is_target:
            status += " · for another host (F4)"
        elif self.read_host and state.host is None:
            status += " · reading this host …"  # discovery runs in a worker
        if self._flash:
            status = self._flash
        self.query_one("#nav-status", Static).update(status)

    # -- what a person did --------------------------------------------------------------

    def _edited(self, changed: bool = True, event: Message | None = None) -> None:
        if changed:
            self.dirty = True
            self.refresh_all()
        if event is not None:
            self._settled(event)

    @on(TextEdited)
    def _text_edited(self, event: TextEdited) -> None:
        event.stop()
        field: Any = message_sender(event)  # the field that posted it, if any
        if getattr(field, "in_flight", 0):
            field.in_flight -= 1
        self._edited(self.session.set_text(event.path, event.text, event.kind))

    @on(ValueChosen)
    def _value_chosen(self, event: ValueChosen) -> None:
        event.stop()
        self._edited(self.session.set_value(event.path, event.value), event=event)

    @on(OptionsOpened)
    def _options_opened(self, event: OptionsOpened) -> None:
        event.stop()
        self.refresh_all()  # its fields were not drawn while folded

    @on(AgentChosen)
    def _agent_chosen(self, event: AgentChosen) -> None:
        event.stop()
        self.session.set_agent(event.on)
        self._edited(event=event)

    @on(DeviceAdded)
    def _device_added(self, event: DeviceAdded) -> None:
        event.stop()
        self.session.add_device(event.key, event.item)
        self._edited(event=event)

    @on(DeviceRemoved)
    def _device_removed(self, event: DeviceRemoved) -> None:
        event.stop()
        self.session.remove_device(event.key, event.index)
        self._edited(event=event)

    @on(DeviceMoved)
    def _device_moved(self, event: DeviceMoved) -> None:
        event.stop()
        self.session.move_device(event.key, event.index, event.delta)
        self._edited(event=event)

    @on(BootToggled)
    def _boot_toggled(self, event: BootToggled) -> None:
        event.stop()
        self.session.toggle_boot(event.key, event.index)
        self._edited(event=event)

    @on(BootMoved)
    def _boot_moved(self, event: BootMoved) -> None:
        event.stop()
        self.session.move_in_boot_sequence(event.position, event.delta)
        self._edited(event=event)

    @on(BootFirst)
    def _boot_first(self, event: BootFirst) -> None:
        event.stop()
        self.session.boot_first(event.path)
        self._edited(event=event)

    @on(SecureExecutionRequested)
    def _secure_execution(self, event: SecureExecutionRequested) -> None:
        event.stop()
        removed = self.session.enable_secure_execution()
        self.query_one(SecureExecutionStep).show_removed(removed)
        self._edited(event=event)

    # -- moving around ------------------------------------------------------------------

    @on(Goto)
    async def go(self, event: Goto) -> None:
        await self.show_step(event.step)
        self._settled(event)

    async def show_step(self, step_id: str) -> None:
        if step_id == self.current:
            return
        await self._populate(step_id)
        with self.batch_update():  # one repaint for the whole change: fewer bytes over SSH
            self.current = step_id
            self.session.step = step_id
            self.query_one(ContentSwitcher).current = f"step-{step_id}"
            steps = self.query_one("#steps", OptionList)
            if steps.highlighted != self.step_index:
                steps.highlighted = self.step_index
            self.refresh_all()
            # now, not after a refresh: keys already queued (a burst over SSH) must land
            # in the new step's field, never in the one the user just left
            self.focus_first_field()
        self.save_draft()  # autosave on every step change

    @on(OptionList.OptionSelected, "#steps")
    async def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            await self.show_step(event.option.id)
        self._settled(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog is open, step keys belong to nobody (the dialog has the focus)."""
        if action in ("next_step", "previous_step", "toggle_preview", "focus_steps", "help",
                      "toggle_other_host"):  # fmt: skip
            return not isinstance(self.screen, ModalScreen)
        return True

    def focus_first_field(self, path: str = "") -> None:
        """Put the cursor where typing starts on the step now shown (or in the field
        bound to `path`, as a resumed draft asks)."""
        if isinstance(self.screen, ModalScreen):
            return
        step = self.query_one(f"#step-{self.current}")
        candidates = [
            w
            for w in step.query("*")
            if w.focusable and not isinstance(w, OptionList) and shown(w, step)
        ]
        if path:
            bound = [w for w in candidates if getattr(w.parent, "path", None) == path]
            candidates = bound + candidates
        if candidates:
            # at once (Widget.focus() would queue the change behind keys that arrived);
            # a fresh step shows from its top, so its first field needs no scrolling
            focus_on(candidates[0], scroll=bool(path))
            if not path and step.scroll_y:
                step.scroll_home(animate=False)  # the step's heading stays in view

    def focused_path(self) -> str:
        return str(getattr(getattr(self.focused, "parent", None), "path", "") or "")

    async def action_next_step(self) -> None:
        await self.show_step(STEPS[min(self.step_index + 1, len(STEPS) - 1)].step_id)

    async def action_previous_step(self) -> None:
        await self.show_step(STEPS[max(self.step_index - 1, 0)].step_id)

    def action_focus_steps(self) -> None:
        steps = self.query_one("#steps", OptionList)
        steps.highlighted = self.step_index  # F3 opens at the step on screen
        focus_on(steps)

    def action_help(self) -> None:
        step = STEPS[self.step_index]
        self.push_screen(HelpScreen(step.title, step.rules))

    def action_toggle_preview(self) -> None:
        if self.size.width < 120:
            self.push_screen(PreviewScreen(self.result))
            return
        preview = self.query_one(Preview)
        preview.display = not preview.display
        if preview.display:
            preview.show(self.result)

    @on(Button.Pressed, "#nav-next")
    async def _next(self, event: Button.Pressed) -> None:
        await self.action_next_step()
        self._settled(event)

    @on(Button.Pressed, "#nav-back")
    async def _back(self, event: Button.Pressed) -> None:
        await self.action_previous_step()
        self._settled(event)

    # -- drafts, writing, quitting ------------------------------------------------------

    def snapshot(self) -> drafts.Draft:
        draft = self.session.draft(finished=bool(self.written))
        draft.field = self.focused_path()
        return draft

    def save_draft(self) -> Path | None:
        """Autosave: always this session's own file in the state directory."""
        if not self.dirty or not self.autosave:
            return None
        old = self.autosave_path
        if old is not None and not old.name.startswith(f"{drafts.draft_stem(self.answers)}-"):
            self.autosave_path = None  # saved under another name: now one named after this one
        try:
            self.autosave_path = drafts.save(self.snapshot(), self.autosave_path)
        except OSError:
            return None
        if old is not None and old != self.autosave_path:
            old.unlink(missing_ok=True)
        return self.autosave_path

    def save_as(self, path: Path, replace: bool) -> str:
        """Save the draft where the user says (refusing to replace a file unless asked)."""
        from zwizard.output import OutputError

        if path.exists() and not replace:
            return f"{path} already exists: tick 'Replace existing files' to overwrite it"
        try:
            drafts.save(self.snapshot(), path, replace=True)
        except (OSError, OutputError) as exc:
            return f"draft not saved: {exc}"
        return f"draft saved as {path} (open it again with: zwizard --draft {path})"

    def action_save_draft(self) -> None:
        path = self.save_draft()
        # in the status line, never a notification over the fields
        self.flash(f"draft saved: {path.name}" if path else "draft not saved (no state directory)")

    def flash(self, text: str, seconds: float = 4.0) -> None:
        """A short message in the status line; the step status returns after it."""
        self._flash = text
        self._mark_steps(self.state())
        self.set_timer(seconds, self._end_flash)

    def _end_flash(self) -> None:
        self._flash = ""
        if self.query("#steps"):  # else the wizard is closing: its widgets are gone
            self._mark_steps(self.state())

    def action_request_quit(self) -> None:
        if self.written:
            self.save_draft()
            self.exit(0)
            return
        self.push_screen(
            Confirm(
                "Quit? Your answers stay a draft; zwizard offers it next time.",
                [("save", "Keep draft, quit"), ("discard", "Discard, quit"), ("cancel", "Cancel")],
            ),
            self._quit_answer,
        )

    def _quit_answer(self, answer: str | None) -> None:
        if answer == "save":
            self.save_draft()
            self.exit(0)
        elif answer == "discard":
            # only our own autosave goes; a file the user opened is theirs
            if self.autosave_path and self.autosave_path.exists():
                self.autosave_path.unlink()
            self.exit(0)
        else:
            self._settled()  # cancelled: the keys typed behind it go on where they were

    @on(Button.Pressed, "#save-as")
    def _save_as(self, event: Button.Pressed) -> None:
        self._settled(event)
        review = self.query_one(ReviewStep)
        text = self.query_one("#save-as-path", Input).value.strip()
        if not text:
            review.show_result("give a file name for the draft")
            return
        replace = self.query_one("#overwrite", Box).value
        review.show_result(self.save_as(Path(text).expanduser(), replace))

    @on(Button.Pressed, "#write")
    def write(self, event: Button.Pressed | None = None) -> None:
        self._settled(event)
        review = self.query_one(ReviewStep)
        outdir = Path(self.query_one("#output-dir", Input).value.strip() or ".")
        force = self.query_one("#overwrite", Box).value
        if not self.result.ok:
            review.show_result("Fix the errors above first; nothing was written.")
            return
        clash = existing(outdir, self.session.output_files())
        review.show_existing([str(p) for p in clash])
        if clash and not force:
            review.show_result("Nothing written.")
            return
        if self.define_uri:
            where = (
                self.define_uri if isinstance(self.define_uri, str) else ", ".join(self.define_uri)
            )
            review.show_result(f"writing, then defining at {where} …")
        # in a worker: virsh define may take up to a minute; the screen stays live
        self.run_worker(lambda: self._write_in_worker(outdir, force), thread=True, group="write")

    def _write_in_worker(self, outdir: Path, force: bool) -> None:
        outcome = self.session.write(outdir, force=force, define_uri=self.define_uri)
        self.call_from_thread(self._written, outcome)

    def _written(self, outcome: Outcome) -> None:
        review = self.query_one(ReviewStep)
        self.written = outcome.written or self.written
        lines = [f"wrote {p}" for p in outcome.written] + outcome.defined
        if outcome.error:
            lines.append(outcome.error)
        if outcome.next_steps:
            lines += ["next steps:", *(f"  {s}" for s in outcome.next_steps)]
        review.show_result("\n".join(lines), written=bool(outcome.written))
        if outcome.written:
            self.save_draft()  # marked finished: not offered for resuming


STEP_IDS = [s.step_id for s in STEPS]
# Keys held behind a press whose effect never comes (Enter on the choice already made)
# go on after this many seconds; a slow redraw on a busy host must not release them early.
HOLD_LIMIT = 2.0
# Steps not yet seen are built after the keyboard has been quiet this long (seconds),
# one step per turn, with a gap for keys between two builds.
PREBUILD_QUIET = 0.4
PREBUILD_GAP = 0.05

"""The full-screen wizard. The app owns the answers; steps show them and post edits.

Every change runs the same `build` the answers mode uses, so the preview, the
greyed choices (rules.availability) and what Review writes are one truth.
"""

from __future__ import annotations

import copy
import signal
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from zwizard import drafts
from zwizard.build import Build, build, next_steps, render_files
from zwizard.host import HostInfo
from zwizard.model import Answers
from zwizard.output import OutputError, existing, write_set
from zwizard.structure import assign, lookup
from zwizard.tui.fields import Box, Plain, State
from zwizard.tui.messages import UNSET, Edit, Goto, HostTarget, ListOp
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
        yield TextArea("", read_only=True, id="preview-text", soft_wrap=False)

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
        head = "preview — " + (
            f"{errors} error(s), not writable yet" if errors else "as it will be written"
        )
        lines = [f"{'✗' if f.severity == 'error' else '!'} {f.path}: {f.message} [{f.rule}]"
                 for f in shown[:6]]  # fmt: skip
        if len(shown) > 6:
            lines.append(f"… {len(shown) - 6} more on Review & write")
        self.query_one("#preview-findings", Static).update("\n".join([head, *lines]))


class Confirm(ModalScreen[str]):
    """A question with a few answers; dismisses with the id of the chosen button."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss('cancel')", "Cancel")]
    AUTO_FOCUS = "Button"  # Enter answers with the first choice

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question)
            with Horizontal(classes="buttons"):
                for key, text in self.answers:
                    yield Button(text, id=key, compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")


class ZWizard(App[int]):
    """zwizard's interactive front end."""

    CSS_PATH = "wizard.tcss"
    AUTO_FOCUS = None  # the wizard puts the cursor in the step's first field itself
    TITLE = "zwizard"
    SUB_TITLE = "IBM Z guest definition"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Tab at app level, before any widget: a burst "4<Tab>8192" must put 8192 into
        # the next field, so the focus moves before the keys behind it are delivered
        Binding("tab", "focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Previous field", show=False, priority=True),
        Binding("pagedown", "next_step", "Next", priority=True),
        Binding("pageup", "previous_step", "Back", priority=True),
        Binding("f2", "toggle_preview", "Preview"),
        Binding("f3", "focus_steps", "Steps"),
        Binding("ctrl+s", "save_draft", "Save draft"),
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
        define_uri: str | None = None,
    ) -> None:
        super().__init__()
        self.draft = draft or drafts.Draft(answers=Answers())
        self.answers = self.draft.answers
        self.pending = dict(self.draft.pending)
        self.offer_resume = offer_resume
        self.output_dir = output_dir
        self.steady_cursor = steady_cursor
        if steady_cursor:
            self.animation_level = "none"  # a switch sliding mid-screenshot is not a change
        self.autosave = autosave
        self.result = build(self.answers)
        self.current = self.draft.step if self.draft.step in [s.step_id for s in STEPS] else "guest"
        self.written: list[Path] = []
        self.read_host = read_host
        self.define_uri = define_uri
        self.host: HostInfo | None = None
        self.host_is_target = True
        # a session nobody typed into leaves no draft behind
        self.dirty = draft is not None
        self.autosave_path = drafts.autosave_path(draft)
        self._held: list[events.Key] | None = None  # keys waiting for a button's effect

    # -- keys in bursts ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        """Hold keys typed right after Enter/Space on a button until its effect (a new
        device, another step, a dialog) has moved the focus: over SSH keys arrive in
        bursts, and `+ disk` Enter `/var/…` must type the path into the new disk."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._held is not None:
                self._held.append(event)
                return
            if event.key in ("enter", "space") and isinstance(self.focused, Button):
                self._held = []
                await super().on_event(event)
                # the press travels as messages; release once they have all been handled
                self.call_after_refresh(self._release_keys)
                self.set_timer(0.5, self._release_keys)  # never hold for long
                return
        await super().on_event(event)

    def _release_keys(self) -> None:
        held, self._held = self._held, None
        for key in held or []:
            self.post_message(key)

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield OptionList(*[Option(s.title, id=s.step_id) for s in STEPS], id="steps")
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
        self.query_one("#preview").display = self.size.width >= 120
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
        if self.read_host:  # after the first paint: virsh may take a moment
            self.run_worker(self._read_host, thread=True, exclusive=True, group="host")
        if self.offer_resume is not None:
            self.push_screen(
                Confirm(
                    f"Resume your unfinished guest {self.offer_resume.label}?",
                    [("resume", "Resume"), ("new", "Start a new guest")],
                ),
                self._resume_answer,
            )

    def _read_host(self) -> None:
        from zwizard.host import discover

        host = discover(self.answers.guest.domain_type)
        self.call_from_thread(self.use_host, host)

    def use_host(self, host: HostInfo | None) -> None:
        """Judge (and offer) against this host from now on; say once what it is."""
        self.host = host
        self.refresh_all()
        if host is not None:
            self.notify(host.summary(), title="this host", timeout=6)

    @on(HostTarget)
    def _target(self, event: HostTarget) -> None:
        event.stop()
        self.host_is_target = event.this_host
        self.refresh_all()

    def _loop_add_signal(self, sig: signal.Signals) -> None:
        import asyncio

        asyncio.get_running_loop().add_signal_handler(sig, self._hangup, sig)

    def _hangup(self, sig: signal.Signals) -> None:
        """The terminal went away (SSH dropped) or we are told to stop: keep the work."""
        self.save_draft()
        self.exit(128 + int(sig))

    async def _resume_answer(self, answer: str | None) -> None:
        if answer == "resume" and self.offer_resume is not None:
            await self.load_draft(self.offer_resume)

    async def load_draft(self, draft: drafts.Draft) -> None:
        self.draft = draft
        self.autosave_path = drafts.autosave_path(draft)
        self.dirty = True
        self.answers = draft.answers
        self.pending = dict(draft.pending)
        step = draft.step if draft.step in [s.step_id for s in STEPS] else "guest"
        await self._populate(step)
        self.current = step
        self.query_one(ContentSwitcher).current = f"step-{self.current}"
        self.refresh_all()
        self.call_after_refresh(self.focus_first_field)

    async def _populate(self, step_id: str) -> None:
        step = self.query_one(f"#step-{step_id}")
        if not step.populated:
            await step.populate()
            if self.steady_cursor:  # stable screenshots
                for widget in step.query(Input):
                    widget.cursor_blink = False

    # -- the one place answers change -------------------------------------------------

    @property
    def step_index(self) -> int:
        return [s.step_id for s in STEPS].index(self.current)

    def state(self) -> State:
        return State(self.answers, self.result, self.pending, self.host, self.host_is_target)

    def refresh_all(self) -> None:
        """Rebuild from the answers and redraw the visible step, list and preview."""
        if self.answers.guest.uuid is None:
            from zwizard.answers import fill_generated

            fill_generated(self.answers)  # kept in the draft: MACs derive from it
        self.result = build(self.answers, host=self.host, host_is_target=self.host_is_target)
        state = self.state()
        self.query_one(f"#step-{self.current}").sync(state)
        self._mark_steps(state)
        preview = self.query_one(Preview)
        if preview.display:
            preview.show(self.result)

    def _mark_steps(self, state: State) -> None:
        steps = self.query_one("#steps", OptionList)
        for i, cls in enumerate(STEPS):
            step = self.query_one(f"#step-{cls.step_id}")
            errors = [f for f in step.findings(state) if f.severity == "error"] if cls.owns else []
            mark = f" ✗{len(errors)}" if errors else ""
            steps.replace_option_prompt_at_index(i, f"{i + 1} {cls.title}{mark}")
        total = sum(1 for f in state.result.findings if f.severity == "error")
        status = f"step {self.step_index + 1}/{len(STEPS)}"
        status += f" — {total} error(s)" if total else " — no errors"
        self.query_one("#nav-status", Static).update(status)

    @on(Edit)
    def apply_edit(self, event: Edit) -> None:
        event.stop()
        if event.value is not UNSET and event.path not in self.pending:
            try:
                if lookup(self.answers, event.path) == event.value:
                    return  # a widget echoing what sync showed it: nothing changed
            except (AttributeError, IndexError, TypeError):
                pass
        if event.value is UNSET and self.pending.get(event.path) == event.raw:
            return
        self.dirty = True
        if event.value is UNSET:
            self.pending[event.path] = event.raw or ""
        else:
            self.pending.pop(event.path, None)
            try:
                assign(self.answers, event.path, event.value)
            except (AttributeError, IndexError, TypeError):
                return  # the item was removed meanwhile
        self.refresh_all()

    @on(ListOp)
    def apply_list_op(self, event: ListOp) -> None:
        event.stop()
        self.dirty = True
        a = self.answers
        if event.key == "secure_execution":
            self._enable_secure_execution()
        elif event.key == "boot":
            self._move_in_boot_sequence(event.op, event.index or 0)
        else:
            items: list[Any] = getattr(a, event.key)
            i = event.index or 0
            if event.op == "add":
                if not any(d.boot_order for d in self._bootables()) and event.key == "disks":
                    event.item.boot_order = 1
                items.append(event.item)
            elif event.op == "remove" and items:
                del items[i]
                self._forget_pending(f"{event.key}[")
            elif event.op == "up" and i > 0:
                items[i - 1], items[i] = items[i], items[i - 1]
            elif event.op == "down" and i + 1 < len(items):
                items[i + 1], items[i] = items[i], items[i + 1]
            elif event.op == "boot-toggle" and items:
                dev = items[i]
                top = max((d.boot_order or 0) for d in self._bootables())
                dev.boot_order = None if dev.boot_order else top + 1
                if dev.boot_order is None:
                    dev.loadparm = None
        self._renumber_boot()
        self.refresh_all()

    def _bootables(self) -> list[Any]:
        return [*self.answers.disks, *self.answers.nics, *self.answers.passthrough]

    def _renumber_boot(self) -> None:
        ordered = sorted((d for d in self._bootables() if d.boot_order), key=lambda d: d.boot_order)
        for n, dev in enumerate(ordered, start=1):
            dev.boot_order = n

    def _move_in_boot_sequence(self, op: str, pos: int) -> None:
        plan = self.result.plan
        seq = sorted(plan.boot, key=plan.boot.__getitem__)
        other = pos - 1 if op == "boot-up" else pos + 1
        if not (0 <= pos < len(seq) and 0 <= other < len(seq)):
            return
        if plan.boot_assigned:  # make the chosen order explicit before moving it
            for path, order in plan.boot.items():
                lookup(self.answers, path).boot_order = order
        a, b = lookup(self.answers, seq[pos]), lookup(self.answers, seq[other])
        a.boot_order, b.boot_order = b.boot_order, a.boot_order

    def _enable_secure_execution(self) -> None:
        """Remove what Secure Execution cannot have, then turn it on."""
        a = self.answers
        a.passthrough.clear()
        a.memory.hugepages = False
        if a.memory.balloon:
            a.memory.balloon = None
        if a.rng.enabled:
            a.rng.enabled = None
        a.guest.vcpus = min(a.guest.vcpus, 247) if isinstance(a.guest.vcpus, int) else 2
        if a.cpu.mode not in (None, "host-model"):
            a.cpu.mode, a.cpu.model = None, None
        a.secure_execution.enabled = True
        self._forget_pending("passthrough[")

    def _forget_pending(self, prefix: str) -> None:
        for key in [k for k in self.pending if k.startswith(prefix)]:
            del self.pending[key]

    # -- moving around ------------------------------------------------------------------

    @on(Goto)
    async def go(self, event: Goto) -> None:
        await self.show_step(event.step)

    async def show_step(self, step_id: str) -> None:
        if step_id == self.current:
            return
        await self._populate(step_id)
        self.current = step_id
        self.query_one(ContentSwitcher).current = f"step-{step_id}"
        steps = self.query_one("#steps", OptionList)
        if steps.highlighted != self.step_index:
            steps.highlighted = self.step_index
        self.refresh_all()
        # now, not after a refresh: keys already queued (a burst over SSH) must land in
        # the new step's field, never in the one the user just left
        self.focus_first_field()
        self.save_draft()  # autosave on every step change

    @on(OptionList.OptionSelected, "#steps")
    async def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            await self.show_step(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While a dialog is open, step keys belong to nobody (the dialog has the focus)."""
        if action in ("next_step", "previous_step", "toggle_preview", "focus_steps"):
            return not isinstance(self.screen, ModalScreen)
        return True

    def focus_first_field(self) -> None:
        """Put the cursor where typing starts on the step now shown."""
        if isinstance(self.screen, ModalScreen):
            return
        step = self.query_one(f"#step-{self.current}")
        for widget in step.query("*"):
            if widget.focusable and not isinstance(widget, OptionList):
                # Screen.set_focus is immediate; Widget.focus() would queue the change
                # behind keys that already arrived
                self.screen.set_focus(widget, scroll_visible=False)
                step.scroll_home(animate=False)  # the step's heading and labels stay in view
                return

    async def action_next_step(self) -> None:
        await self.show_step(STEPS[min(self.step_index + 1, len(STEPS) - 1)].step_id)

    async def action_previous_step(self) -> None:
        await self.show_step(STEPS[max(self.step_index - 1, 0)].step_id)

    def action_focus_steps(self) -> None:
        self.query_one("#steps").focus()

    def action_toggle_preview(self) -> None:
        preview = self.query_one(Preview)
        preview.display = not preview.display
        if preview.display:
            preview.show(self.result)

    @on(Button.Pressed, "#nav-next")
    async def _next(self) -> None:
        await self.action_next_step()

    @on(Button.Pressed, "#nav-back")
    async def _back(self) -> None:
        await self.action_previous_step()

    # -- drafts, writing, quitting ------------------------------------------------------

    def snapshot(self) -> drafts.Draft:
        return drafts.Draft(
            answers=copy.deepcopy(self.answers),
            pending=dict(self.pending),
            step=self.current,
            finished=bool(self.written),
        )

    def save_draft(self) -> Path | None:
        """Autosave: always this session's own file in the state directory."""
        if not self.dirty or not self.autosave:
            return None
        try:
            self.autosave_path = drafts.save(self.snapshot(), self.autosave_path)
        except OSError:
            return None
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
        self.notify(f"draft saved: {path}" if path else "draft not saved (no state directory)")

    def action_request_quit(self) -> None:
        if self.written:
            self.save_draft()
            self.exit(0)
            return
        self.push_screen(
            Confirm(
                "Quit? Your answers are kept as a draft, and `zwizard` offers it next time.",
                [
                    ("save", "Keep draft and quit"),
                    ("discard", "Discard and quit"),
                    ("cancel", "Cancel"),
                ],
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

    @on(Button.Pressed, "#save-as")
    def _save_as(self) -> None:
        review = self.query_one(ReviewStep)
        text = self.query_one("#save-as-path", Input).value.strip()
        if not text:
            review.show_result("give a file name for the draft")
            return
        replace = self.query_one("#overwrite", Box).value
        review.show_result(self.save_as(Path(text).expanduser(), replace))

    @on(Button.Pressed, "#write")
    def write(self) -> None:
        review = self.query_one(ReviewStep)
        outdir = Path(self.query_one("#output-dir", Input).value.strip() or ".")
        force = self.query_one("#overwrite", Box).value
        if not self.result.ok:
            review.show_result("Fix the errors above first; nothing was written.")
            return
        clash = existing(outdir, self.result.files)
        review.show_existing([str(p) for p in clash])
        if clash and not force:
            review.show_result("Nothing written.")
            return
        try:
            self.written = write_set(outdir, self.result.files, force=force)
        except OutputError as exc:
            review.show_result(str(exc))
            return
        steps = "\n".join(f"  {s}" for s in next_steps(self.result, outdir))
        wrote = "\n".join(f"wrote {p}" for p in self.written)
        if self.define_uri:
            from zwizard.define import DefineError, define_all

            try:
                wrote += "\n" + "\n".join(
                    define_all([outdir / self.result.xml_name], self.define_uri, replace=force)
                )
            except DefineError as exc:
                wrote += f"\nnot defined: {exc}"
        review.show_result(f"{wrote}\nnext steps:\n{steps}")
        self.save_draft()  # marked finished: not offered for resuming

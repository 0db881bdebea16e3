"""The full-screen wizard. It presents the editing core (zwizard.session): steps show
the answers and post one message per thing a person does; the app hands each to
the session and redraws. The preview, the greyed choices (rules.availability) and
what Review writes are the same `build` the answers mode runs.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Header,
    Input,
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from zwizard import drafts
from zwizard.model import Answers
from zwizard.session import Session, read_hosts
from zwizard.tui.compat import SteadyFooter
from zwizard.tui.compat import sender as message_sender
from zwizard.tui.fields import Plain, State, TextField, focus_on, shown
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
from zwizard.tui.saving import SavingApp
from zwizard.tui.screens import Confirm, HelpScreen, Preview, PreviewScreen, StepList, WizardScreen
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

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.rules import Availability

STEPS = (
    GuestStep, CpuMemoryStep, DisksStep, NetworkStep, WatchdogStep, PassthroughStep,
    SecureExecutionStep, PxeStep, ReviewStep,
)  # fmt: skip


class ZWizard(SavingApp):
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
        self._written_as: Answers | None = None  # the answers the last write wrote
        self.read_host = read_host
        self.define_uri = define_uri
        self.connect = connect or []  # the hosts to judge against; none: this one
        self.host_line = ""  # what host discovery found, or that it is still reading
        # a session nobody typed into leaves no draft behind
        self.dirty = draft is not None
        self.autosave_path = drafts.autosave_path(draft)
        self._flash = ""  # a short message shown in place of the status
        self._frozen = False  # the built steps moved out of the collector's sight
        self._verdicts_for: object = None  # the session result the verdicts below judge
        self._verdicts: dict[tuple[str, str], Availability] = {}

    # -- keys in bursts (zwizard.tui.keys) ------------------------------------------------

    def _key_seen(self) -> None:
        if self._flash:  # a status message lasts until the next key
            self._end_flash()

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
        yield SteadyFooter()

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
            self.ask(
                Confirm(
                    f"Resume your unfinished guest {self.offer_resume.label}?",
                    [("resume", "Resume"), ("new", "Start a new guest")],
                ),
                self._resume_answer,
            )

    def _read_host(self) -> None:
        hosts = read_hosts(self.connect or ["qemu:///system"], self.answers.guest.domain_type)
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
            # what was read (its network interfaces, say) is judged still: "unavailable"
            # alone read as if nothing were, beside a "bridge does not exist" error
            partly = host.has_domcaps or bool(host.mdevs or host.interfaces)
            what = "not all host data read" if partly else "host data unavailable"
            self.flash(f"{what} ({host.unavailable[0]}{more}); going on", 6.0)

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
            if not self.is_running:  # the wizard closed during the build
                return
            # drawn from the session now, while hidden: a first visit then changes only
            # what was edited since (its first sync set every field, class and list)
            self.query_one(f"#step-{todo[0]}", Step).sync(self.state())
            self._prebuild_later(PREBUILD_GAP)
        elif not self._frozen:
            # every step built: the ~190,000 objects of the widgets stay for the whole
            # session, and each full collection walked them all again, a pause of tens
            # of ms on whatever key came then; frozen, collections walk only what is new
            self._frozen = True
            gc.collect()
            gc.freeze()

    def on_unmount(self) -> None:
        if self._frozen:  # what was frozen may be collected again once the wizard is gone
            gc.unfreeze()

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
        result = s.result
        if self._verdicts_for is not result:
            # what the rules say of a choice holds as long as the session's result: a
            # step change or a redraw with nothing edited asks the rules nothing again
            self._verdicts_for, self._verdicts = result, {}
        return State(
            s.answers,
            result,
            s.pending,
            s.typed,
            s.host,
            s.host_is_target,
            stack=s.stack(),
            _cache=self._verdicts,
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
            status += f" · {total} error(s) in all"
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
        changed = self.session.set_value(event.path, event.value)
        # PXE turned on, as the prompt mode does: the first interface boots first, to
        # install (a button for it used to sit between the switch and the kernel field,
        # where a burst's first Tab landed and the path typed next was lost)
        if event.path == "pxe.enabled" and self.session.install_from_first_nic():
            self.flash("no interface booted: nics[0] now boots first, to install", 4.0)
        if event.path == "secure_execution.enabled" and self.session.given_back:
            back, self.session.given_back = self.session.given_back, []
            self.flash("Secure Execution off; back: " + "; ".join(back), 6.0)
        self._edited(changed, event=event)

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
            first = candidates[0]
            focus_on(first, scroll=bool(path))
            if not path and step.scroll_y:
                step.scroll_home(animate=False)  # the step's heading stays in view
            if not path:
                # unless what comes first is greyed (every add button under Secure
                # Execution): then the cursor's field is brought into view once laid out
                def keep_in_view() -> None:
                    if self.focused is first and not self.screen.can_view_entire(first):
                        first.scroll_visible(animate=False)

                self.call_after_refresh(keep_in_view)

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
        self.push_screen(HelpScreen(step.title, step.step_id))

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


STEP_IDS = [s.step_id for s in STEPS]
# Steps not yet seen are built after the keyboard has been quiet this long (seconds),
# one step per turn, with a gap for keys between two builds.
PREBUILD_QUIET = 0.4
PREBUILD_GAP = 0.05

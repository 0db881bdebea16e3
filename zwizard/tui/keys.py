"""Keys in bursts: over SSH a person's keys arrive many at once, and each must act as
if typed slowly — in order, on the widget that has the focus when its turn comes.

`BurstApp` is the App the wizard builds on: it types into the focused input at once,
runs a focused widget's own binding at once, and holds the keys behind an Enter or
Space on a button or choice until the press's effect is on screen (`_settled`).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, TextArea

from zwizard.tui.compat import bindings_for, priority_keys, type_into
from zwizard.tui.compat import sender as message_sender
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import focus_on
from zwizard.tui.screens import Confirm

# Keys held behind a press whose effect never comes (Enter on the choice already made)
# go on after this many seconds; a slow redraw on a busy host must not release them early.
HOLD_LIMIT = 2.0


class BurstApp(App[int]):
    """An App whose keys keep their order and their target however fast they come."""

    def __init__(self) -> None:
        super().__init__()
        self._held: list[events.Key] | None = None  # keys waiting for a button's effect
        self._hold_id = 0
        self._held_at: Widget | None = None
        self._held_since = 0.0
        self._last_key = 0.0  # Textual's monotonic clock: when the last key came

    def ask(self, question: Confirm, then: Callable[[str | None], Any]) -> None:
        """Show `question`; `then` gets the answer. Once it has acted (a draft resumed, a
        quit cancelled), the keys typed behind the answering Enter go on — nothing else
        would release them before the hold's limit, and a Ctrl-Q among them lost its Enter."""

        async def answered(answer: str | None) -> None:
            done = then(answer)
            if inspect.isawaitable(done):
                await done
            self._settled()

        self.push_screen(question, answered)

    def _key_seen(self) -> None:
        """Each key, as it comes (before it acts)."""

    def _apply_typed(self, inp: Input) -> None:
        """Hand the text just typed into `inp` to whoever keeps the answers."""

    async def on_event(self, event: events.Event) -> None:
        """Hold keys typed right after Enter/Space on a button or choice until its effect
        (a new device, fields shown, another step, a dialog) is on screen: over SSH keys
        arrive in bursts, and `+ disk` Enter `/var/…` must type into the new disk."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._last_key = time.monotonic()
            if isinstance(self.screen, Confirm) and self.screen.typed_before_shown(event):
                return
            self._key_seen()
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

"""Step 5: the diag288 watchdog, the QEMU guest agent's channel and the console."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox

from zwizard.model import AGENT_CHANNEL, Watchdog
from zwizard.tui.fields import (
    Box,
    ChoiceField,
    State,
    TextField,
    ToggleField,
    grouped,
    set_label,
    sync_fields,
)
from zwizard.tui.messages import AgentChosen, ValueChosen
from zwizard.tui.steps.base import Explain, Heading, Step


class WatchdogStep(Step):
    step_id = "watchdog"
    title = "Watchdog & agent"
    owns = ("watchdog", "channels", "console", "graphics")

    def compose_fields(self) -> ComposeResult:
        yield Heading("Watchdog")
        with Horizontal(classes="toggle-row"):
            # a box with X, not a switch: its state reads without colour
            yield Box("diag288 watchdog", id="watchdog-on", compact=True)
        yield Explain("A diag288 watchdog resets, stops or powers off a guest that hangs.")
        yield ChoiceField("watchdog.model")
        yield ChoiceField("watchdog.action")
        yield Heading("Guest agent")
        with Horizontal(classes="toggle-row"):
            yield Box("QEMU guest agent channel", id="agent-on", compact=True)
        yield Explain(
            "A virtio-serial port for qemu-guest-agent in the guest: virsh domfsfreeze, "
            "domifaddr --source agent and set-user-password use it."
        )
        yield grouped("console")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "watchdog-on":
            event.stop()
            self.post_message(ValueChosen("watchdog", Watchdog() if event.value else None))
        elif event.checkbox.id == "agent-on":
            event.stop()
            self.post_message(AgentChosen(event.value))

    def sync(self, state: State) -> None:
        on = state.answers.watchdog is not None
        box = self.query_one("#watchdog-on", Box)
        if box.value != on:
            with self.prevent(Checkbox.Changed):
                box.value = on
        set_label(box, f"diag288 watchdog: {'on' if on else 'off'}")
        agent = any(c.name == AGENT_CHANNEL for c in state.answers.channels)
        agent_box = self.query_one("#agent-on", Box)
        if agent_box.value != agent:
            with self.prevent(Checkbox.Changed):
                agent_box.value = agent
        set_label(agent_box, f"QEMU guest agent channel: {'on' if agent else 'off'}")
        choices = self.holding(ChoiceField)
        for field in choices:
            field.display = on
        others = [*self.holding(TextField), *self.holding(ToggleField)]
        sync_fields([*(choices if on else []), *others], state)

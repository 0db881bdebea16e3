"""Step 5: the diag288 watchdog, the QEMU guest agent's channel and the console."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox

from zwizard import choices
from zwizard.model import AGENT_CHANNEL, Watchdog
from zwizard.tui.fields import (
    Box,
    ChoiceField,
    MoreOptions,
    State,
    TextField,
    ToggleField,
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
        yield ChoiceField(
            "watchdog.model", "Model",
            [("diag288", "diag288"), ("i6300esb", "i6300esb (PCI)"), ("ib700", "ib700 (ISA)")],
        )  # fmt: skip
        yield ChoiceField(
            "watchdog.action", "When the guest stops feeding it",
            [(a, a) for a in choices.WATCHDOG_ACTIONS],
        )  # fmt: skip
        yield Heading("Guest agent")
        with Horizontal(classes="toggle-row"):
            yield Box("QEMU guest agent channel", id="agent-on", compact=True)
        yield Explain(
            "A virtio-serial port for qemu-guest-agent in the guest: virsh domfsfreeze, "
            "domifaddr --source agent and set-user-password use it."
        )
        yield MoreOptions(
            TextField("console.log", "also log to (a host file; empty: no log)",
                      kind="optional-str", placeholder="(no log)"),
            ToggleField("console.log_append", "Append to the log file"),
            ToggleField("console.line_mode", "Line-mode console (sclplm) too",
                        help="virsh console GUEST console1"),
            ToggleField("console.virtio", "Virtio console too (hvc0 in the guest)",
                        help="on the virtio-serial controller; virsh console GUEST console<N>"),
            ToggleField("graphics.vnc", "VNC display (virtio-gpu, keyboard, mouse)",
                        help="off by default: RHEL on IBM Z runs from the console"),
            TextField("graphics.listen", "VNC listens on", placeholder="127.0.0.1"),
            title="Console options (log, sclplm, VNC)",
        )  # fmt: skip

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
        choices = list(self.query(ChoiceField))
        for field in choices:
            field.display = on
        others = [*self.query(TextField), *self.query(ToggleField)]
        sync_fields([*(choices if on else []), *others], state)

"""Step 5: the diag288 watchdog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Switch

from zwizard import choices
from zwizard.model import Watchdog
from zwizard.tui.fields import ChoiceField, State
from zwizard.tui.messages import Edit
from zwizard.tui.steps.base import Explain, Heading, Step


class WatchdogStep(Step):
    step_id = "watchdog"
    title = "Watchdog"
    owns = ("watchdog",)
    shown_on = False

    def compose_fields(self) -> ComposeResult:
        yield Heading("Watchdog")
        with Horizontal(classes="toggle-row"):
            yield Switch(id="watchdog-on")
            yield Label(" diag288 watchdog", classes="switch-label")
        yield Explain("A diag288 watchdog resets, stops or powers off a guest that hangs.")
        yield ChoiceField(
            "watchdog.model", "Model",
            [("diag288", "diag288"), ("i6300esb", "i6300esb (PCI)"), ("ib700", "ib700 (ISA)")],
        )  # fmt: skip
        yield ChoiceField(
            "watchdog.action", "When the guest stops feeding it",
            [(a, a) for a in choices.WATCHDOG_ACTIONS],
        )  # fmt: skip

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        if event.value != self.shown_on:
            self.post_message(Edit("watchdog", Watchdog() if event.value else None))

    def sync(self, state: State) -> None:
        on = state.answers.watchdog is not None
        self.shown_on = on
        self.query_one(Switch).value = on
        for field in self.query(ChoiceField):
            field.display = on
            if on:
                field.sync(state)

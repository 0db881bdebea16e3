"""Step 5: the diag288 watchdog."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox

from zwizard import choices
from zwizard.model import Watchdog
from zwizard.tui.fields import Box, ChoiceField, State
from zwizard.tui.messages import ValueChosen
from zwizard.tui.steps.base import Explain, Heading, Step


class WatchdogStep(Step):
    step_id = "watchdog"
    title = "Watchdog"
    owns = ("watchdog",)
    rules = ("watchdog-diag288",)

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

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "watchdog-on":
            event.stop()
            self.post_message(ValueChosen("watchdog", Watchdog() if event.value else None))

    def sync(self, state: State) -> None:
        on = state.answers.watchdog is not None
        box = self.query_one("#watchdog-on", Box)
        if box.value != on:
            with self.prevent(Checkbox.Changed):
                box.value = on
        box.label = f"diag288 watchdog: {'on' if on else 'off'}"
        for field in self.query(ChoiceField):
            field.display = on
            if on:
                field.sync(state)

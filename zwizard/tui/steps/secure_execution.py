"""Step 7: Secure Execution — what it excludes is greyed elsewhere, and said here."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Static

from zwizard.rules import SE_NOTES
from zwizard.tui.fields import Plain, State, ToggleField, finding_text
from zwizard.tui.messages import ListOp
from zwizard.tui.steps.base import Explain, Heading, Step


class SecureExecutionStep(Step):
    step_id = "secure"
    title = "Secure Execution"
    owns = ("secure_execution",)

    def compose_fields(self) -> ComposeResult:
        yield Heading("Secure Execution (IBM Z: z15 / LinuxONE III or newer)")
        yield ToggleField("secure_execution.enabled", "Run as a secure guest (s390-pv)")
        yield Plain("", id="se-must-go", classes="must-go")
        yield Button("Remove these and turn on Secure Execution", id="se-clear", compact=True)
        yield Explain(
            "Guest memory is encrypted and hidden from the hypervisor. The boot image must be "
            "prepared with genprotimg (pvimg) for the host key documents of every host that may "
            "run the guest."
        )
        yield Heading("What a secure guest cannot do")
        yield Plain("\n".join(f"• {text} [{rule}]" for rule, text in SE_NOTES.items()),
                     classes="explain")  # fmt: skip

    def sync_extra(self, state: State) -> None:
        on = state.answers.secure_execution.enabled
        verdict = state.allowed("secure_execution.enabled", True) if not on else None
        blocked = verdict is not None and not verdict.allowed
        must_go = self.query_one("#se-must-go", Static)
        must_go.display = blocked
        self.query_one("#se-clear", Button).display = blocked
        if blocked:
            must_go.update(
                "Secure Execution needs these to go first:\n" + finding_text(list(verdict.reasons))
            )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "se-clear":
            event.stop()
            self.post_message(ListOp("secure_execution", "enable-clearing"))

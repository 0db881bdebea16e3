"""Step 7: Secure Execution — what it excludes is greyed elsewhere, and said here.

Turning it on with devices it cannot have lists every one of them first (passthrough,
huge pages, the balloon, the rng), removes them only on the button, and then says what
was removed.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Static

from zwizard.rules import SE_NOTES
from zwizard.session import secure_execution_blockers
from zwizard.tui.fields import Plain, State, TextField, ToggleField
from zwizard.tui.messages import SecureExecutionRequested
from zwizard.tui.steps.base import Explain, Heading, Step


class SecureExecutionStep(Step):
    step_id = "secure"
    title = "Secure Execution"
    owns = ("secure_execution",)
    removed: list[str] | None = None

    def compose_fields(self) -> ComposeResult:
        yield Heading("Secure Execution (IBM Z: z15 / LinuxONE III or newer)")
        yield Button("Remove what is listed and turn it on", id="se-clear",
                     compact=True)  # fmt: skip
        yield Plain("", id="se-must-go", classes="must-go")
        yield ToggleField("secure_execution.enabled")
        yield Plain("", id="se-removed", classes="explain")
        yield Explain(
            "Guest memory is encrypted and hidden from the hypervisor. The boot image must be "
            "prepared with genprotimg (pvimg) for the host key documents of every host that may "
            "run the guest."
        )
        yield Heading("The secure boot image (zwizard prepare writes its script)", id="se-image")
        for key in ("host_key_documents", "certificates", "crls", "image"):
            yield TextField(f"secure_execution.{key}")
        yield ToggleField("secure_execution.no_verify", id="se-no-verify")
        yield Heading("What a secure guest cannot do")
        yield Plain("\n".join(f"• {text} [{rule}]" for rule, text in SE_NOTES.items()),
                     classes="explain")  # fmt: skip

    def sync_extra(self, state: State) -> None:
        from zwizard.session import Session

        on = state.answers.secure_execution.enabled
        verdict = state.allowed("secure_execution.enabled", True) if not on else None
        # what turning it on takes away, listed whether or not a rule blocks the switch
        # (balloon and rng go quietly by default: they are listed all the same)
        will_go = [] if on else Session(state.answers).secure_execution_removals()
        blocked = verdict is not None and not verdict.allowed
        cannot = secure_execution_blockers(verdict, will_go) if blocked and verdict else []
        must_go = self.query_one("#se-must-go", Static)
        button = self.query_one("#se-clear", Button)
        must_go.display = button.display = bool(will_go) and not on
        button.disabled = bool(cannot)  # removing these would not be enough
        if will_go and not on:
            head = "Turning Secure Execution on removes:" if not blocked else (
                "Secure Execution needs these to go first:")  # fmt: skip
            if cannot:
                why = cannot[0]
                head = f"greyed: {why.message} [{why.rule}]; it would remove:"
            must_go.update(head + "\n" + "\n".join(f"  ✗ {w}" for w in will_go))
        for field in self.holding(TextField):  # the image's files matter once it is on
            field.display = on
        self.query_one("#se-image").display = on
        self.query_one("#se-no-verify").display = on
        removed = self.query_one("#se-removed", Static)
        removed.display = bool(self.removed) and on
        if self.removed and on:
            removed.update("Removed for Secure Execution:\n" +
                           "\n".join(f"  - {w}" for w in self.removed))  # fmt: skip

    def show_removed(self, removed: list[str]) -> None:
        self.removed = removed
        enabled = next(f for f in self.holding(ToggleField) if f.path == "secure_execution.enabled")
        toggle = enabled.query_one("Checkbox")
        self.screen.set_focus(toggle)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "se-clear":
            event.stop()
            self.post_message(SecureExecutionRequested())

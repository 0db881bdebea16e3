"""Step 9: every finding, the output directory, and the atomic write."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from zwizard.tui.fields import MARKS, Box, Plain, State, finding_text
from zwizard.tui.steps.base import Heading, Step


class ReviewText(VerticalScroll):
    """What the rules say and what will be written, in a box of its own that Tab
    reaches and the arrows scroll (the step itself cannot be scrolled from the keyboard).
    The output directory sat below a long list of findings, out of sight, with the
    cursor in it."""

    can_focus = True


class ReviewStep(Step):
    step_id = "review"
    title = "Review & write"
    owns = ()
    shown_for: str | None = None  # the answers (as TOML) the shown "wrote …" speaks of
    _files = ""  # the output files, when the answers are writable
    _summary: tuple[str, ...] = ()  # what was chosen for them

    def compose_fields(self) -> ComposeResult:
        # the verdict, then where to write and the button, then the details: at 80x24 the
        # cursor's field and Write are in view on arrival, however long the findings
        yield Heading("Review & write")
        yield Plain("", id="review-status")
        yield Label("Output directory", classes="field-label")
        # the wizard selects a field's text when it moves the cursor there, at once;
        # Textual's own select-on-focus comes later, behind the keys of a burst, and
        # threw away what they had typed (the start of an output folder)
        yield Input(str(getattr(self.app, "output_dir", ".")), id="output-dir", compact=True,
                    select_on_focus=False)  # fmt: skip
        with Horizontal(classes="toggle-row"):
            yield Box("Replace existing files", id="overwrite", compact=True)
        yield Plain("", id="review-existing", classes="must-go")
        yield Button("Write", id="write", variant="primary", compact=True)
        yield Plain("", id="review-result", classes="explain")
        with ReviewText(id="review-text"):
            yield Plain("", id="review-findings")
            yield Plain("", id="review-summary", classes="explain")
            yield Plain("", id="review-prepare", classes="explain")
        yield Label("Save draft to a file (zwizard --draft FILE)", classes="field-label")
        yield Input(self._opened(), id="save-as-path", compact=True, select_on_focus=False,
                    placeholder="(a file name, e.g. <guest>-draft.toml)")  # fmt: skip
        yield Button("Save draft as", id="save-as", compact=True)

    def _opened(self) -> str:
        draft = getattr(self.app, "draft", None)
        return str(draft.path) if draft is not None and draft.path else ""

    def sync_extra(self, state: State) -> None:
        findings = state.result.findings
        errors = [f for f in findings if f.severity == "error"]
        text = finding_text(findings) if findings else "No findings."
        head = (
            f"{len(errors)} error(s) must be fixed before writing (listed below)."
            if errors
            else "Ready to write."
        )
        refused = self.refused()
        if refused and not errors:
            # at 80x24 the preparation's own lines are below the fold: said up here
            head = (
                f"Ready to write the guest's files; the host preparation has {refused} "
                "error(s) (below), so its script is not written."
            )
        self.query_one("#review-status", Static).update(head)
        self.query_one("#review-findings", Static).update(text)
        self.query_one("#review-prepare", Static).update(self._preparation())
        self._files = (
            # the app is ZWizard, which this step cannot import (it imports the steps)
            ", ".join(self.app.session.output_files())  # type: ignore[attr-defined]
            if state.result.files
            else ""
        )
        self._summary = (
            tuple(self.app.session.summary())  # type: ignore[attr-defined]
            if state.result.files
            else ()
        )
        self.query_one("#write", Button).disabled = not state.result.ok
        # "wrote …" speaks of the answers as they were: gone once they change
        if self.shown_for and self.shown_for != self._fingerprint():
            self.query_one("#review-result", Static).update(
                "(changed since the last write: Write again to update the files)"
            )
            self.shown_for = None
        self._show_summary()

    def _show_summary(self) -> None:
        """The files and what was chosen for them: 'written' once they are, until the
        answers change ('will write' after a write read as if nothing had been)."""
        text = ""
        if self._files:
            done = self.shown_for is not None
            text = "\n".join([f"{'written' if done else 'will write'}: {self._files}",
                               *self._summary])  # fmt: skip
        self.query_one("#review-summary", Static).update(text)

    def _preparation(self) -> str:
        """The host preparation, as zwizard prepare and the prompt mode show it."""
        session = getattr(self.app, "session", None)
        lines = session.preparation_overview(MARKS) if session is not None else []
        if session is None or not lines:
            return ""
        prep = session.preparation
        head = (
            f"Host preparation ({prep.script_name}, written with the files):"
            if prep.ok
            else f"Host preparation ({prep.script_name} is not written while a step is refused):"
        )
        return "\n".join([head, *(f"  {line}" for line in lines)])

    def refused(self) -> int:
        """Errors of the host preparation (its script is not written while there are)."""
        session = getattr(self.app, "session", None)
        return session.preparation_errors() if session is not None else 0

    def show_existing(self, names: list[str]) -> None:
        note = self.query_one("#review-existing", Static)
        note.update(
            f"already there: {', '.join(names)} — tick 'Replace existing files' to overwrite"
            if names
            else ""
        )

    def show_result(self, text: str, written: bool = False) -> None:
        self.query_one("#review-result", Static).update(text)
        self.shown_for = self._fingerprint() if written else None
        self._show_summary()

    def _fingerprint(self) -> str:
        # the app is ZWizard, which this step cannot import (it imports the steps)
        return self.app.session.answers_text()  # type: ignore[attr-defined]

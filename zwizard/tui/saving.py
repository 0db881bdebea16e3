"""The session the wizard edits, and keeping it: the session's state for steps and tests,
the autosaved draft and Save as, quitting (asked first unless nothing changed since a
write) and writing (in a worker: virsh define may take a minute). The wizard's App
(zwizard.tui.app) builds on this one; the steps and screens are its part.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.widgets import Button, Input

from zwizard import drafts
from zwizard.session import Session
from zwizard.tui.fields import Box, State
from zwizard.tui.keys import BurstApp
from zwizard.tui.screens import Confirm
from zwizard.tui.steps.review import ReviewStep

if TYPE_CHECKING:
    from zwizard.build import Build
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.output import Outcome


class SavingApp(BurstApp):
    """The session, its drafts and its writes; ZWizard sets these up and draws."""

    session: Session
    draft: drafts.Draft
    dirty: bool  # typed into: a draft is kept
    autosave: bool
    autosave_path: Path | None
    written: list[Path]
    _written_as: Answers | None  # the answers the last write wrote
    define_uri: str | list[str] | None
    _flash: str  # a short message shown in place of the status

    # what the wizard's own part answers
    def focused_path(self) -> str:
        raise NotImplementedError

    def state(self) -> State:
        raise NotImplementedError

    def _mark_steps(self, state: State) -> None:
        raise NotImplementedError

    # -- the session's state, for steps and tests ------------------------------------------

    @property
    def answers(self) -> Answers:
        return self.session.answers

    @property
    def pending(self) -> dict[str, str]:
        return self.session.pending

    @property
    def result(self) -> Build:
        return self.session.result

    @property
    def host(self) -> HostInfo | None:
        return self.session.host

    @property
    def host_is_target(self) -> bool:
        return self.session.host_is_target

    @host_is_target.setter
    def host_is_target(self, value: bool) -> None:
        self.session.set_other_host(not value)

    # -- drafts, writing, quitting ------------------------------------------------------

    def snapshot(self) -> drafts.Draft:
        draft = self.session.draft(finished=self.unchanged_since_write())
        draft.field = self.focused_path()
        return draft

    def save_draft(self) -> Path | None:
        """Autosave: always this session's own file in the state directory."""
        if not self.dirty or not self.autosave:
            return None
        old = self.autosave_path
        if old is not None and not old.name.startswith(f"{drafts.draft_stem(self.answers)}-"):
            self.autosave_path = None  # saved under another name: now one named after this one
        try:
            self.autosave_path = drafts.save(self.snapshot(), self.autosave_path)
        except OSError:
            return None
        if old is not None and old != self.autosave_path:
            old.unlink(missing_ok=True)
        return self.autosave_path

    def save_as(self, path: Path, replace: bool) -> str:
        """Save the draft where the user says (refusing to replace a file unless asked)."""
        if path.exists() and not replace:
            return f"{path} already exists: tick 'Replace existing files' to overwrite it"
        try:
            drafts.save(self.snapshot(), path, replace=True)
        except (OSError, drafts.OutputError) as exc:
            return f"draft not saved: {exc}"
        return f"draft saved as {path} (open it again with: zwizard --draft {path})"

    def action_save_draft(self) -> None:
        path = self.save_draft()
        # in the status line, never a notification over the fields
        self.flash(f"draft saved: {path.name}" if path else "draft not saved (no state directory)")

    def flash(self, text: str, seconds: float = 4.0) -> None:
        """A short message in the status line; the step status returns after it."""
        self._flash = text
        self._mark_steps(self.state())
        self.set_timer(seconds, self._end_flash)

    def _end_flash(self) -> None:
        self._flash = ""
        if self.query("#steps"):  # else the wizard is closing: its widgets are gone
            self._mark_steps(self.state())

    def unchanged_since_write(self) -> bool:
        """Written, and nothing edited since: the draft is finished, quitting loses nothing.
        An edit after a write (or text not yet a value) makes it a draft to offer again."""
        return bool(self.written) and not self.session.pending and self.answers == self._written_as

    def action_request_quit(self) -> None:
        if self.unchanged_since_write():
            self.save_draft()
            self.exit(0)
            return
        self.ask(
            Confirm(
                "Quit? Your answers stay a draft; zwizard offers it next time.",
                [("save", "Keep draft, quit"), ("discard", "Discard, quit"), ("cancel", "Cancel")],
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
    def _save_as(self, event: Button.Pressed) -> None:
        self._settled(event)
        review = self.query_one(ReviewStep)
        text = self.query_one("#save-as-path", Input).value.strip()
        if not text:
            review.show_result("give a file name for the draft")
            return
        replace = self.query_one("#overwrite", Box).value
        review.show_result(self.save_as(Path(text).expanduser(), replace))

    @on(Button.Pressed, "#write")
    def write(self, event: Button.Pressed | None = None) -> None:
        self._settled(event)
        review = self.query_one(ReviewStep)
        outdir = Path(self.query_one("#output-dir", Input).value.strip() or ".")
        force = self.query_one("#overwrite", Box).value
        if not self.result.ok:
            review.show_result("Fix the errors above first; nothing was written.")
            return
        clash = self.session.existing_outputs(outdir)
        review.show_existing([str(p) for p in clash])
        if clash and not force:
            review.show_result("Nothing written.")
            return
        if self.define_uri:
            where = (
                self.define_uri if isinstance(self.define_uri, str) else ", ".join(self.define_uri)
            )
            review.show_result(f"writing, then defining at {where} …")
        # in a worker: virsh define may take up to a minute; the screen stays live
        self.run_worker(lambda: self._write_in_worker(outdir, force), thread=True, group="write")

    def _write_in_worker(self, outdir: Path, force: bool) -> None:
        outcome = self.session.write(outdir, force=force, define_uri=self.define_uri)
        self.call_from_thread(self._written, outcome)

    def _written(self, outcome: Outcome) -> None:
        review = self.query_one(ReviewStep)
        self.written = outcome.written or self.written
        lines = [f"wrote {p}" for p in outcome.written] + outcome.defined
        if outcome.error:
            lines.append(outcome.error)
        if outcome.next_steps:
            lines += ["next steps:", *(f"  {s}" for s in outcome.next_steps)]
        review.show_result("\n".join(lines), written=bool(outcome.written))
        if outcome.written:
            self._written_as = copy.deepcopy(self.answers)
            self.save_draft()  # marked finished: not offered for resuming

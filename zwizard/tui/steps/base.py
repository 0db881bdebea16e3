"""What every wizard step shares: a title, the answers paths it owns, and sync."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import VerticalScroll

from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import (
    MARKS,
    FixedChoice,
    PathField,
    Plain,
    State,
    W,
    finding_text,
    folded,
    holding,
    shown,
    sync_fields,
)


class Step(VerticalScroll):
    """One screen of the wizard. Subclasses compose their fields; sync is generic."""

    step_id = ""
    title = ""
    owns: tuple[str, ...] = ()  # answers path prefixes whose findings count for this step
    can_focus = False  # Tab goes to the fields; the step scrolls to keep them in view

    def __init__(self) -> None:
        super().__init__(id=f"step-{self.step_id}", classes="step")
        self.populated = False
        self._built: asyncio.Event | None = None  # set once the first build has mounted

    def compose(self) -> ComposeResult:
        # Built on first view: the wizard's first paint pays for one step, not nine.
        if self.populated:
            # what the step counts and no field on screen says (an error on the device
            # the form is not showing): said here, at the top, never only on Review
            elsewhere = Elsewhere("", classes="field-findings -error step-elsewhere")
            elsewhere.display = False
            yield elsewhere
            yield from self.compose_fields()

    def compose_fields(self) -> ComposeResult:
        """The step's widgets; every step defines this."""
        raise NotImplementedError

    async def populate(self) -> None:
        """Build the step's widgets once; a caller that comes while the build (begun by
        the wizard's idle pre-build) is under way waits for it to finish."""
        if not self.populated:
            self.populated = True
            self._built = asyncio.Event()
            try:
                await self.recompose()
            finally:
                self._built.set()
        elif self._built is not None:
            await self._built.wait()

    def holding(self, kind: type[W]) -> list[W]:
        """Every `kind` in the step, looked up once the step is built."""
        return holding(self, kind, built=self._built is not None and self._built.is_set())

    def sync(self, state: State) -> None:
        lists = self.holding(DeviceList)
        for lst in lists:
            lst.sync(state)  # a list binds its own form to the highlighted item
        own = [*self.holding(PathField), *self.holding(FixedChoice)]
        sync_fields([f for f in own if not any(a in lists for a in f.ancestors)], state)
        self.sync_extra(state)
        self._elsewhere(state, lists)

    def _elsewhere(self, state: State, lists: list[DeviceList]) -> None:
        """The errors this step counts that none of its fields on screen shows."""
        notes = self.holding(Elsewhere)
        if not notes:
            return
        shown_at = [f.path for f in self.holding(PathField) if shown(f, self) and not folded(f)]
        shown_at += [e for lst in lists if shown(lst, self) and (e := lst.entry(state))]

        def on_screen(path: str) -> bool:
            return any(path == p or path.startswith((p + ".", p + "[")) for p in shown_at)

        missed = [
            f for f in self.findings(state) if f.severity == "error" and not on_screen(f.path)
        ]
        note = notes[0]
        note.update(
            "\n".join(f"{MARKS[f.severity]} {f.path}: {f.message} [{f.rule}]" for f in missed)
        )
        note.display = bool(missed)

    def sync_extra(self, state: State) -> None:
        """Steps with more than plain fields draw the rest here."""

    def findings(self, state: State) -> list:
        return [f for f in state.result.findings if f.path.startswith(self.owns)]


class Elsewhere(Plain):
    """The step's errors that no field on screen shows."""


class Heading(Plain):
    def __init__(self, text: str, id: str | None = None) -> None:
        super().__init__(text, classes="heading", id=id)


class Explain(Plain):
    def __init__(self, text: str, id: str | None = None) -> None:
        super().__init__(text, classes="explain", id=id)


__all__ = ["Explain", "Heading", "State", "Step", "finding_text"]

"""Shared set-up for driving the wizard with Pilot."""

from __future__ import annotations

import pytest

from zwizard.tui.app import ZWizard

SIZE = (100, 40)


@pytest.fixture(autouse=True)
def private_state(tmp_path, monkeypatch):
    """Drafts go to a temporary XDG state directory, never the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def make_app(**kw) -> ZWizard:
    kw.setdefault("steady_cursor", True)
    kw.setdefault("read_host", False)  # tests hand the app a recorded host where they need one
    return ZWizard(**kw)


async def press_until(pilot, predicate, key: str = "tab", limit: int = 60) -> None:
    """Press `key` until the focused widget satisfies `predicate` (as a person tabs)."""
    for _ in range(limit):
        if predicate(pilot.app.focused):
            return
        await pilot.press(key)
        await pilot.pause()
    raise AssertionError(f"never reached the widget (focused: {pilot.app.focused!r})")


def field_input(path: str):
    """Predicate: the Input of the TextField bound to `path`."""

    def match(widget) -> bool:
        parent = getattr(widget, "parent", None)
        return (
            widget is not None
            and type(widget).__name__ == "Input"
            and getattr(parent, "path", None) == path
        )

    return match


def widget_id(wid: str):
    return lambda w: w is not None and w.id == wid


async def type_text(pilot, text: str) -> None:
    """Type into the focused input; the wizard's inputs select all on focus, so this replaces."""
    await pilot.press(*text)
    await pilot.pause()

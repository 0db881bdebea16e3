"""Steps not yet seen are built while nobody types (issue 25, point 11: a first visit
that built its step on the key took 110-370 ms on a busy host). What a user would
notice: every step ends up built without being visited, a name typed meanwhile is the
name the guest gets, and a step shown while its build is under way is whole."""

from __future__ import annotations

import asyncio

from tests.tui.conftest import make_app, type_text
from zwizard.tui.app import STEP_IDS
from zwizard.tui.steps.base import Step


def built(app) -> list[str]:
    return [s for s in STEP_IDS if app.query_one(f"#step-{s}", Step).populated]


async def wait_all_built(pilot, limit: float = 60) -> None:
    for _ in range(int(limit / 0.1)):
        if len(built(pilot.app)) == len(STEP_IDS):
            return
        await pilot.pause(0.1)
    raise AssertionError(f"only {built(pilot.app)} built after {limit} s of quiet")


async def test_unvisited_steps_are_built_while_nobody_types_and_typing_still_counts():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.current == "guest"
        await type_text(pilot, "prebuilt01")
        await wait_all_built(pilot)
        assert app.current == "guest"  # nobody moved
        assert app.answers.guest.name == "prebuilt01"
        await pilot.press("pagedown")
        await pilot.pause()
        assert app.current == "cpu"
        cpu = app.query_one("#step-cpu")
        assert app.focused is not None and cpu in app.focused.ancestors  # typing starts here


async def test_a_step_shown_while_its_build_is_under_way_is_whole():
    """The idle build and a visit meet: the visit waits for the build, never shows a
    step whose widgets are not there yet (seen: a watchdog switch 0 columns wide)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        step = app.query_one("#step-watchdog", Step)
        building = asyncio.ensure_future(step.populate())  # as the idle build begins it
        await asyncio.sleep(0)  # the build has begun and waits for its widgets to mount
        assert step.populated and not building.done()
        await app.show_step("watchdog")
        # shown means built: its widgets exist and the cursor is in its first field
        switch = app.query_one("#watchdog-on")
        assert app.focused is not None and step in app.focused.ancestors
        await building
        await pilot.pause()
        assert switch.region.width >= len(str(switch.label)) + 2


async def test_no_input_selects_its_text_behind_the_keys_of_a_burst():
    """The wizard selects a field's text the moment the cursor lands there (typing then
    replaces it). Textual's own select-on-focus runs later, when the input gets to its
    Focus event: keys of a burst typed in between were thrown away (seen in tmux: an
    output folder typed behind PageDown lost '/tmp/' and was written relative)."""
    from textual.widgets import Input

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_all_built(pilot)
        inputs = list(app.screen.query(Input))
        assert len(inputs) > 20
        late = [w.id or w.parent.id for w in inputs if w.select_on_focus]
        assert late == []


FOOTER_KEY = "FooterKey"  # the footer's key widget, by its type name (its module is private)


def footer_keys(app) -> list[tuple[str, bool]]:
    return [(k.description, k.disabled) for k in app.screen.query(FOOTER_KEY)]


async def test_the_footer_is_rebuilt_only_when_what_it_shows_changes():
    """Moving between fields and steps leaves the footer's keys as they are (Textual's
    own footer rebuilt a dozen widgets on every focus change: a fifth of a step change
    on a busy host), and it still shows what the keys do when the bindings change."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FOOTER_KEY))
        shown = sorted(d for d, _ in footer_keys(app))
        assert shown == ["Back", "Help", "Next", "Preview", "Quit", "Save", "Steps"]
        for key in ("tab", "tab", "pagedown", "tab", "pagedown", "pageup"):
            await pilot.press(key)
            await pilot.pause()
        assert list(app.screen.query(FOOTER_KEY)) == keys  # the same widgets: not rebuilt
        await pilot.press("f1")  # a dialog: its own keys, in its own footer
        await pilot.pause()
        assert "Close" in [d for d, _ in footer_keys(app)]
        await pilot.press("escape")
        await pilot.pause()
        assert sorted(d for d, _ in footer_keys(app)) == shown

"""Issue 25: one model-based differential test for the wizard's front ends.

hypothesis generates edit scripts (tests/model_script.py): type valid and invalid text
into fields and mend them, add, remove and move disks (with a format each), Secure
Execution on and off, jump between steps, then write. Each script is applied straight
on `Session` (the model), as keys to the full-screen wizard one key at a time (Pilot,
80x24), and as answers to the prompt mode; all must end with the same answers (and text
not yet a value) and write the same files byte for byte. A difference fails with the
shrunk script, which then stays below as a regular test.

The prompt mode (plain lines, as with TERM=dumb) shares the scripts that end writable:
it refuses what breaks a rule and has no remove, move or jump, so it is given the
script's net effect — each field's refused texts then its last, the final disks in
their order with their format and boot position, Secure Execution as it ends.

Bounded in CI (derandomized, MODEL_EXAMPLES scripts, 25 unless set); a longer run:
MODEL_EXAMPLES=500 .venv/bin/python -m pytest tests/tui/test_model_differential.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests import model_script as m
from tests.tui.conftest import make_app
from zwizard.session import Session
from zwizard.tui.app import HOLD_LIMIT

SIZE = (80, 24)


async def run_pilot(p: m.Plan, outdir: Path) -> Session:
    """Front end (b): the script's keys pressed one at a time, each handled before the next."""
    app = make_app(draft=m.base_draft())
    async with app.run_test(size=SIZE) as pilot:
        for done in p.done:
            for key in done.keys:
                for k in str(outdir) if key == m.OUT else [key]:
                    await pilot.press("space" if k == " " else k)  # returns once handled
        for _ in range(int(HOLD_LIMIT / 0.1) + 10):  # keys held behind a press, if any
            if app._held is None:
                break
            await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        return app.session


def differences(
    script: list[m.Op], tmp: Path, monkeypatch, *, wizard: bool = True, plain: bool = True
) -> list[str]:
    """Every way the front ends end differently from the model. Output folders are
    relative to `tmp` (a short name to type)."""
    with monkeypatch.context() as mp:
        mp.chdir(tmp)
        return _differences(script, tmp, monkeypatch, wizard, plain)


def _differences(
    script: list[m.Op], tmp: Path, monkeypatch, wizard: bool, plain: bool
) -> list[str]:
    p = m.plan(script, Path("a"))
    model = m.ended(p.session, tmp / "a")
    out = []
    if wizard:
        tui = asyncio.run(run_pilot(p, Path("b")))
        out += _compare("wizard (keys one at a time)", model, m.ended(tui, tmp / "b"))
    if plain and m.prompt_shares(p):
        s, _, log = m.run_prompt(p, Path("d"), monkeypatch)
        found = _compare("prompt mode", model, m.ended(s, tmp / "d", shown=False))
        out += [f"{f}\n--- the prompt said:\n{log[-3000:]}" for f in found[:1]]
    return out


def _compare(name: str, model: dict, other: dict) -> list[str]:
    """What `other` ended with that differs from the model, with a diff of each."""
    import difflib

    out = []
    for what, theirs in other.items():
        if model[what] != theirs:
            diff = difflib.unified_diff(_lines(model[what]), _lines(theirs), "session", name,
                                        lineterm="")  # fmt: skip
            out.append(f"{name}: {what} differ from the session's\n" + "\n".join(diff))
    return out


def _lines(value: object) -> list[str]:
    import pprint

    text = value if isinstance(value, str) else pprint.pformat(value, width=100)
    return text.replace("\\n", "\n").splitlines()


def check(script: list[m.Op], tmp: Path, monkeypatch, **which: bool) -> None:
    found = differences(script, tmp, monkeypatch, **which)
    assert not found, f"script {m.describe(script)}\n" + "\n".join(found)


BOUNDED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=m.EXAMPLES or 12, **BOUNDED)
@given(script=m.scripts())
def test_the_wizard_typed_key_by_key_ends_as_the_session_does(
    script, tmp_path_factory, monkeypatch
):
    check(script, tmp_path_factory.mktemp("model"), monkeypatch, plain=False)


@settings(max_examples=(m.EXAMPLES or 12) * 4, **BOUNDED)
@given(script=m.scripts(max_size=10))
def test_the_prompt_mode_ends_as_the_session_does(script, tmp_path_factory, monkeypatch):
    check(script, tmp_path_factory.mktemp("model"), monkeypatch, wizard=False)

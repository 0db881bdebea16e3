"""Issue 25: one model-based differential test for the wizard's front ends.

hypothesis generates edit scripts (tests/model_script.py): type valid and invalid text
into fields and mend them (one field, or two in one go), add disks, pick one in the list
and edit its path and format, switch its boot on and off, remove and move disks, add
network interfaces on a libvirt network or a host bridge and remove them, add host
devices (vfio-ap, vfio-ccw, PCI, with their UUID or address; a greyed add button is
neither reached nor pressed) and remove them, Secure Execution on and off, jump between steps, quit keeping the draft and resume it,
then write. Each script is applied
straight on `Session` (the model); as keys to the full-screen wizard (Pilot, 80x24) one
key at a time, and again with each operation's keys queued at once (a burst, as over
SSH); and as answers to the prompt mode. All must end with the same answers (and text
not yet a value, and what the fields show) and write the same files byte for byte. A
difference fails with the shrunk script, which then stays below as a regular test.
tests/e2e/test_model_pty.py types the same scripts into the real program in tmux.

The prompt mode (plain lines, as with TERM=dumb) shares the scripts that end writable:
it refuses what breaks a rule and has no way to remove or move a finished disk, to jump
to a step, or to pick a disk to edit again, so it is given the script's net effect —
each field's refused texts then its last, the final disks in their order with their
format and boot position, the interfaces added after the guest's own (a script that
removes the guest's own is not shared), the host devices in their order, Secure
Execution as it ends. Quit and resume leave its
answers as they were, so the net effect covers them too.

Bounded in CI (derandomized; MODEL_EXAMPLES sets each test's count, 8 key by key, 10
in bursts, 48 for the prompt mode unless set); a longer run:
MODEL_EXAMPLES=200 .venv/bin/python -m pytest tests/tui/test_model_differential.py
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests import model_script as m
from tests.tui.conftest import make_app
from zwizard import drafts
from zwizard.session import Session
from zwizard.tui.keys import HOLD_LIMIT

SIZE = (80, 24)


def _event(key: str):
    from textual import events

    if len(key) == 1:
        return events.Key("space" if key == " " else key, key)
    return events.Key(key, None)


async def run_pilot(p: m.Plan, outdir: Path, bursts: bool = False) -> Session:
    """Front end (b): the script's keys pressed one at a time, each handled before the
    next — or, with `bursts`, each operation's keys queued at once, as they arrive over
    SSH. At RESTART the wizard (quit with its draft kept) is started again as a plain
    `zwizard` starts, offering that draft, and Enter resumes it."""
    segments: list[list[list[str]]] = [[]]  # per run of the wizard, per operation
    for done in p.done:
        keys: list[str] = []
        for key in done.keys:
            if key == m.RESTART:
                segments[-1].append(keys)
                segments.append([])
                keys = []
            else:
                keys += list(str(outdir)) if key == m.OUT else [key]
        segments[-1].append(keys)
    session = None
    for n, segment in enumerate(segments):
        if n == 0:
            app = make_app(draft=m.base_draft())
        else:
            app = make_app(offer_resume=drafts.newest_unfinished())
        async with app.run_test(size=SIZE) as pilot:
            if n:
                await pilot.pause()
                await pilot.press("enter")  # Resume
            for keys in segment:
                if bursts and "ctrl+q" not in keys:  # a question drops keys sent before it
                    for key in keys:
                        app.post_message(_event(key))
                    await settle(pilot)
                    continue
                for k in keys:
                    await pilot.press("space" if k == " " else k)  # returns once handled
            if n < len(segments) - 1:
                continue  # it quits
            await settle(pilot)
            session = app.session
            stale = on_screen_but_not_so(app)
    assert session is not None
    assert not stale, "the screen shows what the session does not hold:\n" + "\n".join(stale)
    return session


def on_screen_but_not_so(app) -> list[str]:
    """What the step on screen shows that the session does not hold: a field's text,
    a device list's row (a row left stale after a burst)."""
    from zwizard.tui.devices import DeviceList
    from zwizard.tui.fields import TextField, shown

    step = app.query_one(f"#step-{app.current}")
    state = app.state()
    out = []
    for f in step.query(TextField):
        text = f.query_one("Input").value
        if shown(f, step) and text != app.session.text_of(f.path):
            out.append(f"{f.path} shows {text!r}, holds {app.session.text_of(f.path)!r}")
    for lst in step.query(DeviceList):
        rows = [lst.describe(state, i) for i in range(len(lst.items(state)))] or [lst.empty]
        options = lst.query_one("OptionList")
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if listed != rows:
            out.append(f"{lst.key} lists {listed}, holds {rows}")
    return out


async def settle(pilot) -> None:
    """Until the keys queued and held behind a press are handled, and writing is done."""
    app = pilot.app
    await pilot.pause()
    for _ in range(int(HOLD_LIMIT / 0.1) + 10):
        if app._held is None:
            break
        await pilot.pause(0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()


def differences(
    script: list[m.Op],
    tmp: Path,
    monkeypatch,
    *,
    wizard: bool = True,
    plain: bool = True,
    bursts: bool = False,
) -> list[str]:
    """Every way the front ends end differently from the model. Output folders are
    relative to `tmp` (a short name to type)."""
    with monkeypatch.context() as mp:
        mp.chdir(tmp)
        return _differences(script, tmp, monkeypatch, wizard, plain, bursts)


def _differences(
    script: list[m.Op], tmp: Path, monkeypatch, wizard: bool, plain: bool, bursts: bool
) -> list[str]:
    p = m.plan(script, Path("a"))
    model = m.ended(p.session, tmp / "a")
    out = []
    if wizard:
        tui = asyncio.run(run_pilot(p, Path("b"), bursts))
        name = "wizard (each operation's keys queued at once)" if bursts else (
            "wizard (keys one at a time)")  # fmt: skip
        out += _compare(name, model, m.ended(tui, tmp / "b"))
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

    if isinstance(value, dict) and all(isinstance(v, bytes) for v in value.values()):
        value = "".join(f"== {k} ==\n{v.decode(errors='replace')}" for k, v in value.items())
    text = value if isinstance(value, str) else pprint.pformat(value, width=100)
    return text.splitlines()


def check(script: list[m.Op], tmp: Path, monkeypatch, **which: bool) -> None:
    found = differences(script, tmp, monkeypatch, **which)
    assert not found, f"script {m.describe(script)}\n" + "\n".join(found)


BOUNDED = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=m.EXAMPLES or 8, **BOUNDED)
@given(script=m.scripts())
def test_the_wizard_typed_key_by_key_ends_as_the_session_does(
    script, tmp_path_factory, monkeypatch
):
    check(script, tmp_path_factory.mktemp("model"), monkeypatch, plain=False)


@settings(max_examples=m.EXAMPLES or 10, **BOUNDED)
@given(script=m.scripts())
def test_the_wizard_given_each_operation_in_one_burst_ends_as_the_session_does(
    script, tmp_path_factory, monkeypatch
):
    check(script, tmp_path_factory.mktemp("model"), monkeypatch, plain=False, bursts=True)


@settings(max_examples=m.EXAMPLES or 48, **BOUNDED)
@given(script=m.scripts(max_size=10))
def test_the_prompt_mode_ends_as_the_session_does(script, tmp_path_factory, monkeypatch):
    check(script, tmp_path_factory.mktemp("model"), monkeypatch, wizard=False)


# --- the shrunk scripts that found a difference, kept ------------------------------------


def test_a_disk_picked_in_the_list_then_edited_in_one_burst_is_the_one_edited(
    tmp_path, monkeypatch
):
    """Found by the real program in tmux: `Shift-Tab Home Tab…` then a path and a format,
    in one burst, edited the disk highlighted before (Home's move reached the form only
    after the keys behind it): /dev/sdb and qcow2 were written for the second disk."""
    script = [
        m.AddDisk("/i/d1.qcow2", "raw"),
        m.AddDisk("/i/d2.img", None),
        m.EditDisk(0, "/dev/sdb", None),
    ]
    check(script, tmp_path, monkeypatch, plain=False, bursts=True)


def test_what_is_typed_after_resuming_a_draft_is_kept_by_the_next_quit(tmp_path, monkeypatch):
    """Found when the PXE fields joined the scripts: after Enter on "Resume", the keys
    behind it waited for a release that never came from the dialog (two seconds, the
    hold's limit); a Ctrl-Q among them then opened the quit question with its Enter
    already spent, nothing was saved, and the next start resumed the older draft."""
    script = [m.QuitResume(), m.CpuAndMemory("4", "1024"), m.QuitResume()]
    check(script, tmp_path, monkeypatch, plain=False)


def test_a_key_typed_right_after_resuming_acts_at_once(tmp_path):
    """PageDown pressed the moment the resumed guest shows goes to the next step then,
    not two seconds later."""

    async def run() -> str:
        draft = m.base_draft(tmp_path / "draft.toml")
        app = make_app(offer_resume=draft)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("enter", "pagedown")
            await pilot.pause()
            return app.current

    assert asyncio.run(run()) == "cpu"

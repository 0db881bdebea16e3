"""Issue 25's model-based differential test in a real terminal: each edit script of
tests/model_script.py is typed into the real program (this checkout's zwizard, run by
python -m in a tmux pane at 80x24), each operation's keys in ONE write — a burst, as keys
arrive over SSH — and must end with the session's answers and write its files byte for
byte. The pilot and prompt-mode sides are tests/tui/test_model_differential.py.

Bounded in CI (derandomized, MODEL_PTY_EXAMPLES scripts, 4 unless set; MODEL_EXAMPLES
sets the pilot's and prompt's); a longer run: MODEL_PTY_EXAMPLES=60.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from hypothesis import given, settings

from tests import model_script as m
from tests.e2e.conftest import _need
from tests.e2e.terminal import Tmux
from tests.helpers import ROOT
from tests.tui.test_model_differential import BOUNDED, _compare
from zwizard import drafts
from zwizard.session import Session

EXAMPLES = int(os.environ.get("MODEL_PTY_EXAMPLES", "4"))
TMUX_KEYS = {"tab": "Tab", "shift+tab": "BTab", "enter": "Enter", "down": "Down", "up": "Up",
             "home": "Home", "pagedown": "NPage", "pageup": "PPage", "f3": "F3",
             "backspace": "BSpace", " ": "Space"}  # fmt: skip


def settle(term: Tmux, quiet: float = 0.8, limit: float = 30) -> str:
    """Wait until the screen has not changed for `quiet` seconds."""
    screen, since, end = term.screen(), time.monotonic(), time.monotonic() + limit
    while time.monotonic() < end:
        time.sleep(0.2)
        now = term.screen()
        if now != screen:
            screen, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return screen


def wait_dead(term: Tmux, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while not term.dead() and time.monotonic() < deadline:
        time.sleep(0.2)


def run_pty(p: m.Plan, tmp: Path, name: str) -> tuple[Session, str]:
    """Front end (c): the real program in tmux; the session it ends with is read back
    from the draft it keeps when it quits. A question (Quit? Resume?) drops keys typed
    before it shows: the keys after it are sent once it is on screen."""
    state = tmp / "state"
    draft = m.base_draft(tmp / "start.toml")
    term = Tmux(name)
    term.width, term.height = 80, 24
    # no virsh on the PATH: this machine's host is no part of the script
    command = (
        f"cd {tmp} && env PATH=/nonexistent XDG_STATE_HOME={state} PYTHONPATH={ROOT} "
        f"{sys.executable} -m zwizard"
    )
    try:
        term.start(f"{command} --draft {draft.path}")
        term.wait_for("Guest OS", timeout=30)
        settle(term)
        for done in p.done:
            burst: list[str] = []
            for key in [*done.keys, None]:
                if key not in ("ctrl+q", m.RESTART, None):
                    burst += list("c") if key == m.OUT else [TMUX_KEYS.get(key, key)]
                    continue
                if burst:
                    term._tmux("send-keys", "-t", "t", "--", *burst)  # one write: a burst
                    burst = []
                    settle(term)
                if key == "ctrl+q":
                    term.keys("C-q")
                    term.wait_for("Quit?")
                    time.sleep(0.5)
                elif key == m.RESTART:
                    wait_dead(term)
                    term.kill()
                    term.start(command)
                    term.wait_for("Resume your unfinished guest", timeout=30)
                    time.sleep(0.5)
                    term.keys("Enter")
                    settle(term)
        screen = term.screen()
        term.keys("C-q")
        if "Quit?" in settle(term):
            term.keys("Enter")  # keep the draft, quit
        wait_dead(term)
        kept = sorted((state / "zwizard" / "drafts").glob("*.toml"), key=os.path.getmtime)
        assert kept, f"no draft kept; the screen showed:\n{screen}"
        back = drafts.load(kept[-1])
        return Session(back.answers, pending=back.pending), screen
    finally:
        term.kill()


def pty_differences(script: list[m.Op], tmp: Path) -> list[str]:
    _need(["tmux"])
    cwd = os.getcwd()
    try:
        os.chdir(tmp)
        p = m.plan(script, Path("a"))
    finally:
        os.chdir(cwd)
    s, screen = run_pty(p, tmp, tmp.name[-30:])
    model = m.ended(p.session, tmp / "a")
    found = _compare("real program (bursts in a terminal)", model,
                     m.ended(s, tmp / "c", shown=False))  # fmt: skip
    return [f"{f}\n--- its last screen:\n{screen}" for f in found]


@settings(max_examples=EXAMPLES, **BOUNDED)
@given(script=m.scripts(max_size=5))
def test_the_real_program_typed_in_bursts_ends_as_the_session_does(script, tmp_path_factory):
    found = pty_differences(script, tmp_path_factory.mktemp("pty"))
    assert not found, f"script {m.describe(script)}\n" + "\n".join(found)

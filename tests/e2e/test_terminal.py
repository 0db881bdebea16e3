"""zwizard as a person uses it: typed into a real terminal, locally and over SSH."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import time

import pytest

from tests.e2e.terminal import ZWIZARD, wait_gone
from tests.helpers import run_zwizard
from zwizard import drafts
from zwizard.answers import from_data


def zwizard_command(state, out, *args: str) -> str:
    # --other-host: the typed guests use network "default", which this test machine lacks
    return f"env XDG_STATE_HOME={state} {ZWIZARD} -o {out} --other-host {' '.join(args)}"


def type_guest(term, name: str) -> None:
    """A whole guest, keys only: name, CPUs, memory, one disk, one NIC, the watchdog."""
    term.wait_for("Guest OS")
    term.type(name)
    term.keys("PageDown")
    term.wait_for("vCPUs")
    term.type("4")
    term.keys("Tab")
    term.type("4096")
    term.keys("PageDown")
    term.wait_for("+ disk")
    term.keys("Enter")
    term.wait_for("Path")
    term.type(f"/var/lib/libvirt/images/{name}.qcow2")
    term.keys("PageDown")
    term.wait_for("+ interface")
    term.keys("Enter")
    term.keys("PageDown")
    term.wait_for("diag288 watchdog")
    term.keys("Enter")
    for _ in range(4):
        term.keys("PageDown")
    term.wait_for("Ready to write.")


def answers_mode_xml(tmp_path, name: str, uuid: str) -> str:
    src = tmp_path / f"{name}.toml"
    src.write_text(
        f'version = 1\n[guest]\nname = "{name}"\nmemory_mib = 4096\nvcpus = 4\nuuid = "{uuid}"\n'
        f'[[disks]]\npath = "/var/lib/libvirt/images/{name}.qcow2"\nboot_order = 1\n'
        '[[nics]]\nsource = { network = "default" }\n[watchdog]\naction = "poweroff"\n'
    )
    r = run_zwizard("--answers", str(src), "--stdout")
    assert r.returncode == 0, r.stderr
    return r.stdout


def written_uuid(xml: str) -> str:
    return xml.split("<uuid>")[1].split("</uuid>")[0]


def check_written(tmp_path, out, name: str) -> None:
    xml = (out / f"{name}.xml").read_text()
    assert xml == answers_mode_xml(tmp_path, name, written_uuid(xml))


def test_whole_guest_typed_in_tmux(tmux, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    tmux.start(zwizard_command(state, out))
    type_guest(tmux, "term01")
    tmux.keys("Tab")
    tmux.keys("Tab")
    tmux.keys("Enter")  # Write
    tmux.wait_for("term01.xml")
    tmux.wait_for("virsh define")
    check_written(tmp_path, out, "term01")
    tmux.keys("C-q")
    deadline = time.monotonic() + 10
    while not tmux.dead() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tmux.dead(), "zwizard did not exit on Ctrl-Q after writing"
    assert drafts.newest_unfinished(state / "zwizard" / "drafts") is None  # finished


def test_what_the_terminal_shows_after_a_burst_is_what_a_full_repaint_shows(tmux, tmp_path):
    """The wizard sends only the lines that change (a focus move does not repaint the whole
    screen); nothing stale may stay behind: after Tabs and step changes typed in bursts,
    the terminal equals a repaint from scratch, colours included."""
    tmux.width, tmux.height = 80, 24
    tmux.start(zwizard_command(tmp_path / "state", tmp_path / "out"))
    tmux.wait_for("Guest OS")
    # one burst, as over SSH: each tmux call sends its keys at once, none waits
    tmux.keys("db01", literal=True, delay=0)
    tmux.keys("PageDown", delay=0)
    tmux.keys("4", literal=True, delay=0)
    tmux.keys("Tab", delay=0)
    tmux.keys("8192", literal=True, delay=0)
    tmux.keys("PageDown", "Enter", delay=0)
    tmux.keys("/var/lib/libvirt/images/db01.qcow2", literal=True, delay=0)
    # down the disk's form (the list scrolls away), then back up to "+ disk": the
    # "Remove #1" button comes back into view (it showed "Remove", its first label)
    tmux.keys("Tab", "Tab", "Tab", "Tab", delay=0)
    tmux.keys("BOOT-1", literal=True, delay=1)  # refused, in three lines under the field
    tmux.keys(*["BSpace"] * 6, delay=0)
    tmux.keys("1", literal=True, delay=0)
    tmux.keys(*["BTab"] * 10, delay=1.5)
    tmux.wait_for("Remove #1")  # a busy host may still be working through the burst
    tmux.keys("PageDown", "PageUp", "F3", "Escape", "Tab", delay=1.5)
    before = tmux.settled()
    tmux.repaint()
    assert tmux.settled() == before


def test_sighup_saves_the_draft_and_the_next_start_offers_it(tmux, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    tmux.start(f"exec {zwizard_command(state, out)}")
    tmux.wait_for("Guest OS")
    tmux.type("hup01")
    tmux.keys("PageDown")
    tmux.wait_for("vCPUs")
    tmux.type("7")
    time.sleep(0.5)
    pid = tmux.pane_pid()
    os.kill(pid, signal.SIGHUP)
    assert wait_gone(pid, 10), "zwizard did not exit after SIGHUP"
    saved = drafts.newest_unfinished(state / "zwizard" / "drafts")
    assert saved is not None and saved.answers.guest.name == "hup01"
    assert saved.answers.guest.vcpus == 7 and saved.step == "cpu"

    tmux.kill()
    tmux.start(zwizard_command(state, out))
    tmux.wait_for("Resume your unfinished guest hup01")
    tmux.keys("Enter")  # Resume
    screen = tmux.wait_for("vCPUs")
    assert "7" in screen


def test_keys_typed_before_the_resume_question_are_not_its_answer(tmux, tmp_path):
    """Typed ahead while the program starts, `db01 Tab Enter` would have chosen "Start a
    new guest" unseen; the question drops them, says so, and waits for a real answer."""
    out, state = tmp_path / "out", tmp_path / "state"
    old = drafts.Draft(answers=from_data({"version": 1, "guest": {"name": "ahead01"}}, "x",
                                         draft=True), step="cpu")  # fmt: skip
    drafts.save(old, drafts.new_draft_path(old.answers, state / "zwizard" / "drafts"))
    tmux.start(zwizard_command(state, out))
    tmux.type("db01")  # before the program has even started: the terminal keeps them
    tmux.keys("Tab", "Enter")
    screen = tmux.wait_for("typed before this question was shown were not used")
    assert "Resume your unfinished guest ahead01" in screen
    tmux.keys("Enter")  # now, having read it: Resume
    screen = tmux.wait_for("vCPUs")
    assert "Guest OS ✗" not in screen  # the resumed guest has its name


@pytest.mark.parametrize("how", ["SIGHUP", "Ctrl-Q"])
def test_a_hung_virsh_does_not_hold_the_wizard_open(tmux, tmp_path, how):
    """Host discovery runs virsh in a thread; with a virsh that never answers, a dropped
    SSH session (SIGHUP) or a quit still ends the program at once (the draft kept)."""
    out, state, bin_ = tmp_path / "out", tmp_path / "state", tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "virsh").write_text("#!/bin/sh\nexec sleep 30\n")  # longer than any wait here
    (bin_ / "virsh").chmod(0o755)
    tmux.start(f"exec env PATH={bin_}:{os.environ['PATH']} {zwizard_command(state, out)}")
    tmux.wait_for("Guest OS")  # discovery has started: its virsh now sleeps
    tmux.type("hang01")
    time.sleep(0.5)
    pid = tmux.pane_pid()
    started = time.monotonic()
    if how == "SIGHUP":
        os.kill(pid, signal.SIGHUP)
    else:
        tmux.keys("C-q")
        # the question itself, not the footer's "^q Quit": a key typed before the question
        # shows is dropped on purpose (it must not answer a question nobody saw)
        tmux.wait_for("Keep draft, quit")
        tmux.keys("Enter")  # the dialog's first button: keep the draft and quit
    assert wait_gone(pid, 4), (
        f"zwizard still running {time.monotonic() - started:.1f} s after {how}"
    )
    saved = drafts.newest_unfinished(state / "zwizard" / "drafts")
    assert saved is not None and saved.answers.guest.name == "hang01"


def test_redirected_stdout_gets_only_the_xml(tmp_path):
    """Terminal hygiene: stdin and stderr are a terminal, stdout a file: only the XML goes there."""
    src = tmp_path / "g.toml"
    src.write_text('version = 1\n[guest]\nname = "g"\n[[disks]]\npath = "/d.qcow2"\n')
    primary, secondary = pty.openpty()
    with (tmp_path / "g.xml").open("wb") as out:
        proc = subprocess.run(
            [ZWIZARD, "--answers", str(src), "--stdout"],
            stdin=secondary, stdout=out, stderr=secondary, timeout=60,
        )  # fmt: skip
    os.close(secondary)
    os.close(primary)
    assert proc.returncode == 0
    xml = (tmp_path / "g.xml").read_text()
    assert xml.startswith("<domain") and xml.rstrip().endswith("</domain>")


@pytest.mark.parametrize("remote_kill", [False, True], ids=["typed", "ssh-dropped"])
def test_over_ssh(tmux, sshd, tmp_path, remote_kill):
    out, state = tmp_path / "out", tmp_path / "state"
    tmux.start(f"exec {sshd.command(zwizard_command(state, out))}")
    if not remote_kill:
        type_guest(tmux, "ssh01")
        tmux.keys("Tab")
        tmux.keys("Tab")
        tmux.keys("Enter")
        tmux.wait_for("ssh01.xml")
        check_written(tmp_path, out, "ssh01")
        return
    tmux.wait_for("Guest OS")
    tmux.type("drop01")
    tmux.keys("PageDown")
    tmux.wait_for("vCPUs")
    tmux.type("3")
    time.sleep(0.5)
    ssh_client = tmux.pane_pid()
    os.kill(ssh_client, signal.SIGKILL)  # the connection drops, as when a laptop sleeps
    deadline = time.monotonic() + 15
    saved = None
    while time.monotonic() < deadline:
        saved = drafts.newest_unfinished(state / "zwizard" / "drafts")
        if saved is not None and saved.answers.guest.vcpus == 3:
            break
        time.sleep(0.3)
    assert saved is not None and saved.answers.guest.name == "drop01"
    assert saved.answers.guest.vcpus == 3

    tmux.kill()
    tmux.start(sshd.command(zwizard_command(state, out)))
    tmux.wait_for("Resume your unfinished guest drop01")


def test_partial_answers_are_completed_on_a_terminal(tmux, tmp_path):
    src = tmp_path / "partial.toml"
    src.write_text(
        'version = 1\n[[disks]]\nboot_order = 1\n[[nics]]\nsource = { bridge = "br0" }\n'
    )
    out = tmp_path / "out"
    tmux.start(f"{ZWIZARD} --answers {src} -o {out}")
    tmux.wait_for("leaves 2 value(s) open")
    tmux.wait_for("Guest name:")
    tmux.type("partial01")
    tmux.keys("Enter")
    tmux.wait_for("Path of disks[0]:")
    tmux.type("/var/lib/libvirt/images/partial01.qcow2")
    tmux.keys("Enter")
    tmux.wait_for("next steps:")
    assert "<name>partial01</name>" in (out / "partial01.xml").read_text()


def test_no_input_on_a_terminal_lists_what_is_missing(tmux, tmp_path):
    src = tmp_path / "partial.toml"
    src.write_text("version = 1\n[[disks]]\nboot_order = 1\n")
    tmux.start(f"cd {tmp_path} && {ZWIZARD} --answers partial.toml --no-input -o out; echo EXIT=$?")
    screen = tmux.wait_for("EXIT=", history=True)
    assert "EXIT=2" in screen
    assert "guest.name: missing" in screen and "disks[0].path: missing" in screen


def test_dumb_terminal_gets_plain_questions(tmux, tmp_path):
    state = tmp_path / "state"
    tmux.start(f"env TERM=dumb XDG_STATE_HOME={state} {ZWIZARD} -o {tmp_path / 'out'}")
    screen = tmux.wait_for("Guest name:")
    assert "TERM=dumb cannot show a full-screen wizard: asking plain questions" in screen
    tmux.type("dumb01")
    tmux.keys("Enter")
    tmux.wait_for("Operating system:")
    # not one escape code: capture-pane -e would show any attribute (bold, colour) as SGR
    styled = tmux._tmux("capture-pane", "-p", "-e", "-t", "t").stdout
    assert "\x1b[" not in styled, styled
    tmux.keys("C-c")
    tmux.wait_for("Stopped. What now?")  # the way back, out, or on
    tmux.type("2")  # keep the draft and quit
    tmux.keys("Enter")
    tmux.wait_for("draft saved")
    saved = drafts.newest_unfinished(state / "zwizard" / "drafts")
    assert saved is not None and saved.answers.guest.name == "dumb01"


def test_dumb_terminal_shows_answers_typed_ahead_after_their_questions(tmux, tmp_path):
    """Issue 25, 8b: three answers in one burst. The kernel's own echo would print them
    all beside the first question and leave the next two questions bare; each answer
    must stand on its own question's line, as if typed slowly."""
    state = tmp_path / "state"
    tmux.start(f"env TERM=dumb XDG_STATE_HOME={state} {ZWIZARD} -o {tmp_path / 'out'}")
    tmux.wait_for("Guest name:")
    tmux.keys("dumb02", "Enter", "1", "Enter", "2", "Enter")  # one burst
    screen = tmux.wait_for("More guest options", history=True)  # the question after them
    lines = [line.rstrip() for line in screen.splitlines()]
    assert "Guest name: dumb02" in lines
    numbers = [line for line in lines if line.startswith("number [")]
    assert numbers[:2] == ["number [1] 1", "number [1] 2"], lines
    assert "1" not in lines and "2" not in lines, lines  # no answer shown on its own
    tmux.keys("C-c")
    tmux.wait_for("Stopped. What now?")


def test_a_terminal_that_vanishes_ends_the_program_with_the_draft_kept(tmux, tmp_path):
    """tmux (or sshd) closes the terminal and hangs up at once: nothing can be restored
    on a terminal that is gone, and the program must not wait to write to it (seen: an
    exit blocked for ever in Textual's writer thread, 80 MiB left behind per session)."""
    out = tmp_path / "out"
    for attempt in range(4):
        state = tmp_path / f"state{attempt}"  # no resume question: each starts anew
        tmux.start(f"exec {zwizard_command(state, out)}")
        tmux.wait_for("Guest OS")
        tmux.type(f"gone0{attempt}")
        tmux.keys("PageDown")
        tmux.wait_for("vCPUs")
        pid = tmux.pane_pid()
        # while the screen is being redrawn (steps flipping by): writes are in flight
        tmux.keys(*["PageDown", "PageUp"] * 12, delay=0)
        tmux.kill()  # the terminal closes and its processes are hung up together
        assert wait_gone(pid, 10), f"zwizard lived on after its terminal closed ({attempt})"
        saved = drafts.newest_unfinished(state / "zwizard" / "drafts")
        assert saved is not None and saved.answers.guest.name == f"gone0{attempt}"

"""The plain questions' own line reader (TERM=dumb): keys typed ahead are not echoed
on arrival, but when their question reads them; editing keys edit, arrows add nothing."""

from __future__ import annotations

import os
import termios

import pytest

from zwizard.lineedit import TerminalLines


@pytest.fixture
def terminal():
    master, slave = os.openpty()
    shown: list[str] = []
    lines = TerminalLines(slave, shown.append)
    yield master, lines, shown
    lines.restore()
    os.close(master)
    os.close(slave)


def kernel_echo(master: int) -> bytes:
    os.set_blocking(master, False)
    try:
        return os.read(master, 1024)
    except BlockingIOError:
        return b""
    finally:
        os.set_blocking(master, True)


def test_typed_ahead_answers_are_shown_when_read_not_on_arrival(terminal):
    master, lines, shown = terminal
    os.write(master, b"db01\r2\r")  # a burst: two answers before the second question
    assert kernel_echo(master) == b""  # the terminal showed nothing by itself
    assert lines.readline() == "db01\n"
    assert "".join(shown) == "db01\n"  # only the first answer, after its question
    assert lines.readline() == "2\n"
    assert "".join(shown) == "db01\n2\n"


def test_backspace_ctrl_u_ctrl_w_and_arrows_edit_the_line(terminal):
    master, lines, _ = terminal
    os.write(master, b"dbx\x7f01\r")
    assert lines.readline() == "db01\n"
    os.write(master, b"wrong words\x17\x17right\r")
    assert lines.readline() == "right\n"
    os.write(master, b"gone\x15kept\r")
    assert lines.readline() == "kept\n"
    os.write(master, b"a\x1b[Db\x1b[1;5Cc\x1bOAd\r")  # arrows move nothing here
    assert lines.readline() == "abcd\n"
    os.write(master, "Grüße\r".encode())
    assert lines.readline() == "Grüße\n"


def test_ctrl_d_on_an_empty_line_is_end_of_input(terminal):
    master, lines, _ = terminal
    os.write(master, b"\x04")
    assert lines.readline() == ""


def test_the_terminal_gets_its_own_mode_back(terminal):
    _, lines, _ = terminal
    before = lines.saved
    assert not termios.tcgetattr(lines.fd)[3] & termios.ECHO
    lines.restore()
    assert termios.tcgetattr(lines.fd) == before


def test_ctrl_c_ends_the_line_shown_and_interrupts(terminal):
    """The kernel still turns Ctrl-C into SIGINT; what follows (the Ctrl-C menu) must
    start on a line of its own, not after a half-typed answer."""
    import signal

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt  # what Python's SIGINT handler does

    master, lines, shown = terminal
    os.write(master, b"half")
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(KeyboardInterrupt):
            lines.readline()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert "".join(shown) == "half^C\n"


def test_a_stand_in_for_stdin_without_a_terminal_is_read_as_it_is(monkeypatch):
    """A pipe, or an object a caller puts in place of stdin with only readline(): its
    lines come as they are (seen: the model-based test's answers object)."""
    import sys

    from zwizard.lineedit import line_reader

    class Lines:
        def __init__(self) -> None:
            self.left = ["db01\n", ""]

        def readline(self) -> str:
            return self.left.pop(0)

    monkeypatch.setattr(sys, "stdin", Lines())
    read = line_reader(lambda _: None)
    assert read() == "db01\n" and read() == ""

"""A line reader of our own for plain questions on a terminal (TERM=dumb).

In the terminal's own (canonical) mode the kernel echoes every key the moment it
arrives: answers typed ahead — pasted, or delivered at once by an SSH link — appear
before the questions they answer, and the transcript lies about what answered what.
Here echo is off for the whole session; each line is echoed by us when it is read,
after its question. Only plain control characters are written (backspace, newline),
never an escape code: a dumb terminal shows them as they are.
"""

from __future__ import annotations

import atexit
import codecs
import os
import termios
from collections.abc import Callable

ERASE = ("\x7f", "\x08")  # DEL and BS: what terminals send for Backspace
KILL_LINE = "\x15"  # Ctrl-U
ERASE_WORD = "\x17"  # Ctrl-W
END = "\x04"  # Ctrl-D


class TerminalLines:
    """`readline()` for a terminal: keys are echoed when their question reads them."""

    def __init__(self, fd: int, write: Callable[[str], None]) -> None:
        self.fd, self.write = fd, write
        self.saved = termios.tcgetattr(fd)
        mode = termios.tcgetattr(fd)
        # no echo, no kernel line editing; signals (Ctrl-C) still reach us as before
        mode[3] &= ~(termios.ECHO | termios.ICANON)
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(fd, termios.TCSANOW, mode)
        atexit.register(self.restore)
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""

    def restore(self) -> None:
        """Give the terminal back as it was (at exit, or when the questions end)."""
        try:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
        except (termios.error, OSError):
            pass  # the terminal is gone: nothing to give back

    def _char(self) -> str:
        if self.pending:
            ch, self.pending = self.pending, ""
            return ch
        while True:
            data = os.read(self.fd, 1)
            if not data:
                return END
            text = self.decoder.decode(data)
            if text:
                return text

    def _skip_sequence(self) -> None:
        """An arrow or function key (ESC [ … final, ESC O x) moves nothing here: drop it
        whole, so none of its letters become text."""
        ch = self._char()
        if ch == "O":
            self._char()
        elif ch == "[":
            while not ("\x40" <= (ch := self._char()) <= "\x7e") and ch != END:
                pass
        else:
            self.pending = ch  # ESC alone, then a key: the key counts

    def readline(self) -> str:
        """One line with its newline; "" at end of input (Ctrl-D on an empty line)."""
        try:
            return self._readline()
        except KeyboardInterrupt:
            self.write("^C\n")  # as the terminal's own echo would: what follows starts afresh
            raise

    def _readline(self) -> str:
        line: list[str] = []
        while True:
            ch = self._char()
            if ch in ("\r", "\n"):
                self.write("\n")
                return "".join(line) + "\n"
            if ch == END:
                if not line:
                    self.write("\n")
                    return ""
            elif ch in ERASE:
                if line:
                    line.pop()
                    self.write("\b \b")
            elif ch == KILL_LINE:
                self.write("\b \b" * len(line))
                line.clear()
            elif ch == ERASE_WORD:
                while line and line[-1] == " ":
                    line.pop()
                    self.write("\b \b")
                while line and line[-1] != " ":
                    line.pop()
                    self.write("\b \b")
            elif ch == "\x1b":
                self._skip_sequence()
            elif ch >= " " and ch != "\x7f" and not ("\x80" <= ch <= "\x9f"):
                line.append(ch)
                self.write(ch)
            # any other control character is not text


_READERS: dict[int, TerminalLines] = {}  # one per terminal: its first mode is the one to restore


def line_reader(write: Callable[[str], None]) -> Callable[[], str]:
    """stdin's lines: through `TerminalLines` on a terminal, as they come otherwise."""
    import sys

    stdin = sys.stdin
    try:
        # a test's or a caller's stand-in for stdin may be no file at all: read its lines
        if callable(getattr(stdin, "isatty", None)) and stdin.isatty():
            fd = stdin.fileno()
            if fd not in _READERS:
                _READERS[fd] = TerminalLines(fd, write)
            _READERS[fd].write = write
            return _READERS[fd].readline
    except (termios.error, OSError, ValueError):
        pass
    return stdin.readline

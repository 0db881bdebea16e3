"""Text as zwizard shows it to a person: a value inside a message never acts on the
terminal, and a command it suggests can be pasted as printed.

A value from an answers file, a draft or a file name may hold ESC ] … BEL (which retitles
the terminal), ESC [2J (which clears it), a carriage return that hides what came before,
NUL, or Unicode's bidirectional overrides that reorder what is read. Each is shown as its
escape (\\x1b, \\u202e); tab and line breaks between a message's lines stay as they are.
"""

from __future__ import annotations

import shlex
import sys
from typing import TextIO

from zwizard.lazy import Pattern

# C0 but tab and LF, DEL, C1, the bidirectional marks and overrides, and line and
# paragraph separators (which some terminals break on)
_CONTROL = Pattern(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every character that could act on a terminal shown as its escape."""
    return _CONTROL.sub(lambda m: _escape(m.group()), text)


def one_line(text: str) -> str:
    """printable(), with line breaks and tabs escaped too: for a comment line, or a value
    that must stay on the one line it is shown on."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


def say(*parts: object, file: TextIO | None = None, sep: str = " ") -> None:
    """print() for messages: every part shown printable."""
    print(printable(sep.join(str(p) for p in parts)), file=file or sys.stdout)


def command(*words: str) -> str:
    """A command line as the shell reads it back: each word quoted where it must be."""
    return shlex.join(words)

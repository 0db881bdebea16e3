"""Regular expressions compiled on first use.

A one-guest answers run meets only a few of the ~60 patterns the rules and parsers
declare; compiling all of them at import cost about a tenth of the run.
"""

from __future__ import annotations

import re
from typing import Any


class Pattern:
    """Declared like re.compile(); compiled the first time it is used."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)

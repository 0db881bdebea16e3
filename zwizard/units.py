"""Sizes typed with a unit, where a field takes MiB as digits: the hint both the
editing core (a field holding `8G`) and the answers format (`memory_mib = "8G"`) give."""

from __future__ import annotations

import re

_UNITS = {"k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}


def mib_hint(text: str) -> str:
    """`for 8G write 8192` for a size with a unit that is a whole number of MiB, else ''.
    Digits, as the field takes them: never 1.04858e+06 for 1024G."""
    stripped = text.strip()
    unit = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kKmMgGtT])(?:i?[bB])?", stripped)
    if not unit:
        return ""
    mib = float(unit[1]) * _UNITS[unit[2].lower()]
    return f"for {stripped} write {int(mib)}" if mib == int(mib) else ""

"""Fewer bytes to the terminal: a line's styles written as changes, not in full.

Textual renders each styled segment of a line as a full SGR sequence, its text and a
reset (`ESC[38;5;253;48;5;234m text ESC[0m`). Over SSH at 80x24 a step change was
14 KiB, about 60% of it those sequences. `render_strip` writes the same cells with
SGR transitions: only the attributes and colours that change between neighbouring
segments (`39`/`49` back to the default colours, a full `0;…` only when an attribute
must be switched off), one reset at the end of the line — so a line still leaves the
terminal in the default state, as Textual's joined lines expect. What the terminal
shows is the same cell for cell (tests/tui/test_ansi.py replays both through a
terminal emulator).
"""

from __future__ import annotations

from typing import Any

from rich.color import ColorSystem
from rich.style import Style

# SGR codes of Rich's attribute bits, as Textual's Strip.render_ansi maps them
SGR_STYLES = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53"]
Codes = tuple[int, str | None, str | None]  # attribute bits, foreground, background
DEFAULT: Codes = (0, None, None)


def codes(style: Style, color_system: ColorSystem) -> Codes:
    attributes = style._attributes & style._set_attributes
    color, bgcolor = style._color, style._bgcolor
    fg = ";".join(color.downgrade(color_system).get_ansi_codes()) if color is not None else None
    bg = (
        ";".join(bgcolor.downgrade(color_system).get_ansi_codes(False))
        if bgcolor is not None
        else None
    )
    return attributes, fg or None, bg or None


def _attribute_codes(bits: int) -> list[str]:
    return [SGR_STYLES[i] for i in range(bits.bit_length()) if bits & (1 << i)]


def transition(old: Codes, new: Codes) -> str:
    """The shortest SGR sequence that turns the terminal's state `old` into `new`: the
    changes alone, or a reset followed by the whole of `new` (the only way to switch an
    attribute off for every attribute at once)."""
    if old == new:
        return ""
    bits, fg, bg = new
    whole = _attribute_codes(bits) + [c for c in (fg, bg) if c]
    if old == DEFAULT:
        return f"\x1b[{';'.join(whole)}m"
    full = f"\x1b[0;{';'.join(whole)}m" if whole else "\x1b[0m"
    if old[0] & ~bits:  # an attribute must go off
        return full
    parts = _attribute_codes(bits & ~old[0])
    if fg != old[1]:
        parts.append(fg or "39")
    if bg != old[2]:
        parts.append(bg or "49")
    changes = f"\x1b[{';'.join(parts)}m"
    return changes if len(changes) <= len(full) else full


def render_segments(segments: Any, color_system: ColorSystem) -> str:
    out = []
    state = DEFAULT
    for text, style, _ in segments:
        if style is None or style._link:
            if state != DEFAULT:
                out.append("\x1b[0m")
                state = DEFAULT
            if style is None:
                out.append(text)
            else:  # a hyperlink: as Textual writes it, self-contained
                from textual.strip import Strip

                out.append(Strip.render_style(style, text, color_system))
            continue
        new = codes(style, color_system)
        out.append(transition(state, new))
        state = new
        out.append(text)
    if state != DEFAULT:
        out.append("\x1b[0m")
    return "".join(out)


def install() -> bool:
    """Use `render_segments` for every line Textual writes; False (and Textual's own
    renderer kept) where Textual's Strip or Rich's Style is not the shape this was
    written for."""
    from zwizard.tui.compat import replace_strip_render

    style = Style(bold=True, color="red", bgcolor="blue")
    fields = ("_attributes", "_set_attributes", "_color", "_bgcolor", "_link")
    if not all(hasattr(style, name) for name in fields):
        return False
    return replace_strip_render(
        lambda segments, color_system: render_segments(
            segments, color_system or ColorSystem.TRUECOLOR
        )
    )

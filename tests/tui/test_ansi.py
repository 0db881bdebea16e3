"""The transition renderer writes the same cells as Textual's own, in fewer bytes.

Any line of styled segments is rendered both ways and replayed through a model of a
terminal's SGR state (every code either renderer writes: attributes 1-9, 21, 51-53,
reset, 38/48 colours in 16, 256 and truecolour, 39/49); each cell must come out with
the same character, attributes and colours, and the line must leave the default state.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color, ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from zwizard.tui import ansi

ORIGINAL = Strip.render  # Textual's own (the app installs ours when it starts)
ATTRIBUTES = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "21", "51", "52", "53"}
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def replay(text: str) -> tuple[list[tuple[str, frozenset, str | None, str | None]], bool]:
    """Cells as a terminal shows them, and whether the state ends at the default."""
    attrs: set[str] = set()
    fg = bg = None
    cells = []
    pos = 0
    for m in SGR.finditer(text):
        cells += [(ch, frozenset(attrs), fg, bg) for ch in text[pos : m.start()]]
        pos = m.end()
        codes = m[1].split(";") if m[1] else ["0"]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == "0":
                attrs, fg, bg = set(), None, None
            elif c in ATTRIBUTES:
                attrs.add(c)
            elif c == "39":
                fg = None
            elif c == "49":
                bg = None
            elif c in ("38", "48"):
                n = 3 if codes[i + 1] == "5" else 5
                value = ";".join(codes[i + 1 : i + n])
                fg, bg = (value, bg) if c == "38" else (fg, value)
                i += n - 1
            elif c.isdigit() and (30 <= int(c) <= 37 or 90 <= int(c) <= 97):
                fg = c
            elif c.isdigit() and (40 <= int(c) <= 47 or 100 <= int(c) <= 107):
                bg = c
            else:
                raise AssertionError(f"unmodelled SGR code {c} in {text!r}")
            i += 1
    cells += [(ch, frozenset(attrs), fg, bg) for ch in text[pos:]]
    return cells, not attrs and fg is None and bg is None


colors = st.one_of(
    st.none(),
    st.sampled_from(["red", "bright_blue", "color(17)", "color(233)", "#2e3440", "#ffaa00"]),
)
styles = st.one_of(
    st.none(),
    st.builds(
        lambda c, b, flags: Style(
            color=Color.parse(c) if c else None,
            bgcolor=Color.parse(b) if b else None,
            **flags,
        ),
        colors,
        colors,
        st.fixed_dictionaries(
            {},
            optional={
                k: st.booleans()
                for k in (
                    "bold",
                    "dim",
                    "italic",
                    "underline",
                    "blink",
                    "reverse",
                    "conceal",
                    "strike",
                    "underline2",
                    "frame",
                    "encircle",
                    "overline",
                )
            },
        ),
    ),
)
segments = st.lists(st.tuples(st.text("ab ─│█", min_size=1, max_size=4), styles), max_size=12)


@settings(max_examples=400, deadline=None)
@given(
    parts=segments,
    system=st.sampled_from([ColorSystem.STANDARD, ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR]),
)
def test_the_same_cells_as_textuals_renderer(parts, system):
    strip = Strip([Segment(text, style) for text, style in parts])
    theirs = ORIGINAL.__get__(strip)  # type: ignore[attr-defined]

    class Console:
        _color_system = system

    original = theirs(Console())
    ours = ansi.render_segments(strip._segments, system)
    assert replay(ours)[0] == replay(original)[0]
    assert replay(ours)[1], ours  # a line ends in the default state: lines are joined
    assert len(ours) <= len(original)


def test_neighbours_write_only_what_changes():
    dark = Color.parse("color(234)")
    line = [
        Segment("Name ", Style(color=Color.parse("color(253)"), bgcolor=dark)),
        Segment("web01", Style(color=Color.parse("color(214)"), bgcolor=dark, bold=True)),
        Segment("  ", Style(bgcolor=dark)),
    ]
    text = ansi.render_segments(line, ColorSystem.EIGHT_BIT)
    assert text == ("\x1b[38;5;253;48;5;234mName \x1b[1;38;5;214mweb01\x1b[0;48;5;234m  \x1b[0m")


def test_installed_only_on_the_strip_it_was_written_for(monkeypatch):
    monkeypatch.setattr(Strip, "render", ORIGINAL)
    assert ansi.install() and Strip.render is not ORIGINAL
    line = Strip([Segment("x", Style(bold=True))])
    assert line.render(Console(color_system="256")) == "\x1b[1mx\x1b[0m"


async def test_moving_the_focus_repaints_only_what_changes(monkeypatch):
    """Over SSH every byte counts: Tab and a step change must not make Textual send the
    whole screen (its Screen repaints itself on every focus move unless told not to)."""
    from textual._compositor import Compositor

    from tests.tui.conftest import make_app

    full = []
    render_full = Compositor.render_full_update
    monkeypatch.setattr(
        Compositor,
        "render_full_update",
        lambda self, **kw: full.append(1) or render_full(self, **kw),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        full.clear()
        for key in ("tab", "tab", "pagedown", "tab", "shift+tab", "pagedown", "pageup"):
            await pilot.press(key)
            await pilot.pause()
        assert app.current == "cpu" and full == []

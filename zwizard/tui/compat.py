"""Textual's private parts the wizard relies on, all here and nowhere else in tui/.

Each is used because Textual offers no public way to the same behaviour (named at each);
pyproject pins Textual to one major version, and the tests drive every one of them, so
a Textual release that moves one fails here first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, OptionList, RadioButton, RadioSet


def type_into(inp: Input, event: events.Key) -> Awaitable[None]:
    """Insert a printable key into `inp` now (or replace its selection), as its own key
    handler does: a burst must not wait for the key to bubble back (app._type_into)."""
    return inp._on_key(event)


def bindings_for(node: DOMNode, key: str) -> list[Binding]:
    """`node`'s own bindings for `key`, resolved at once instead of when the key bubbles
    back up from the node's queue."""
    return list(node._bindings.key_to_bindings.get(key, []))


def priority_keys(node: DOMNode) -> frozenset[str]:
    """The keys `node` binds with priority (the app's Tab, PgDn, F1 …)."""
    return frozenset(
        b.key for bs in node._bindings.key_to_bindings.values() for b in bs if b.priority
    )


def sender(message: Message | None) -> Any:
    """The widget that posted `message` (None when unknown): Textual keeps it private."""
    return getattr(message, "_sender", None)


def option_lines(options: OptionList, index: int) -> tuple[int, int] | None:
    """The first line and the height of option `index` once laid out, else None: to
    repaint two options instead of the whole list."""
    try:
        return options._index_to_line[index], options._heights[index]
    except (KeyError, IndexError):
        return None


def highlight(radios: RadioSet, index: int | None) -> None:
    """Put a radio set's keyboard highlight on button `index` (None: on none, so Down
    starts at the first): RadioSet keeps it in the private `_selected` and offers no
    public way to move it but the arrows."""
    if radios._selected != index:
        radios._selected = index


def highlighted(radios: RadioSet) -> int | None:
    """The button a radio set's keyboard highlight is on (None: none)."""
    return radios._selected


class Radio(RadioButton):
    """A radio button whose mark shows its state without colour (NO_COLOR, mono terminals):
    the mark is drawn by the private `_button`."""

    @property
    def _button(self) -> Any:
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


class Box(Checkbox):
    """A checkbox whose mark shows its state without colour."""

    @property
    def _button(self) -> Any:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


def replace_strip_render(render: Callable[[Any, Any], str]) -> bool:
    """Have Textual write every line with `render(segments, color_system)`, cached per
    line as Textual's own Strip.render caches it; False (Textual's renderer kept) where
    Strip is not the shape this was written for."""
    from textual.strip import Strip

    if not all(hasattr(Strip, name) for name in ("render", "render_style", "_segments")):
        return False

    def render_strip(self: Any, console: Any) -> str:
        if self._render_cache is None:
            self._render_cache = render(self._segments, console._color_system)
        return self._render_cache

    Strip.render = render_strip  # type: ignore[method-assign]  # the one global patch
    return True


class SteadyFooter(Footer):
    """Textual's footer, rebuilt only when what it shows changes. Textual's own rebuilds
    its keys (a dozen widgets, each styled anew) on every focus change, though moving
    between fields rarely changes a binding: on a busy 2-core host that was a fifth of
    a step change. `bindings_changed` is the footer's undocumented signal handler."""

    _shown: tuple[tuple[str, str, str, bool, str], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple(  # what each key widget is made of
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # what the rebuild Textual now schedules will show
        super().bindings_changed(screen)

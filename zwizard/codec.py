"""One declaration per answers value that an XML attribute or an element's text holds:
a `Prop` both writes the value and reads it back, so reading cannot forget what writing
knows (virt-manager's XMLProperty, in small). A value the declaration cannot read is
listed as not carried, with what it should have been, never dropped without a word.

Parts (zwizard.parts) and device kinds (zwizard.devices) declare their plain values so;
what needs judgement (a finding in libvirt's words, a value IBM Z replaces) keeps its own
code beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from zwizard.structure import record
from zwizard.xmlwrite import Element, sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.devices.base import Reader


@record(frozen=True)
class Codec:
    """How a value is written as XML text and read back (`parse` raises ValueError on
    text it cannot read, which is then said to be `words`)."""

    words: str  # what unreadable text is said to be: "not a number", "on or off"
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str


def _number(text: str) -> int:
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def _on_off(text: str) -> bool:
    if text not in ("on", "off"):
        raise ValueError(text)
    return text == "on"


def _text(text: str) -> str:
    if not text:
        raise ValueError(text)
    return text


TEXT = Codec("empty", _text)
NUMBER = Codec("not a number", _number)
ON_OFF = Codec("on or off", _on_off, lambda value: "on" if value else "off")


def one_of(values: Iterable[str]) -> Codec:
    """A value from a fixed list (libvirt's enumeration)."""
    allowed = tuple(values)

    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(text)
        return text

    return Codec(f"one of {', '.join(allowed)}", parse)


@record(frozen=True)
class Prop:
    """The record field `key` held at `place` below an element: "@name" (its attribute),
    "child/@name" (an attribute of its child, made when written) or "child" (the child's
    text). Unset (None) is written as nothing and is what an absent place reads as."""

    key: str
    place: str
    codec: Codec = TEXT

    def _split(self) -> tuple[str | None, str | None]:
        if "@" not in self.place:
            return self.place, None  # the child's text
        before, _, attr = self.place.rpartition("@")
        return before.rstrip("/") or None, attr

    def write(self, el: Element, rec: Any) -> None:
        value = getattr(rec, self.key)
        if value is None:
            return
        child, attr = self._split()
        target = el
        if child is not None:
            found = [c for c in el.children if c.tag == child]
            target = found[0] if found else sub(el, child)
        if attr is None:
            target.text = self.codec.show(value)
        else:
            target.set(attr, self.codec.show(value))

    def read(self, r: Reader, el: etree._Element, rec: Any, path: str) -> None:
        """Read the value onto `rec` (marked as `path`.key), or say why it is not."""
        child, attr = self._split()
        node = el if child is None else el.find(child)
        if node is None:
            return
        raw = r.get(node, attr) if attr is not None else r.text(node)
        if raw is None or (attr is None and raw == ""):
            return
        try:
            value = self.codec.parse(raw)
        except ValueError:
            named = f"{node.tag} {attr}='{raw}'" if attr else f"<{node.tag}> '{raw}'"
            r.lost(node, f"{named} ({self.codec.words})", whole=False)
            return
        setattr(rec, self.key, value)
        r.mark(f"{path}.{self.key}" if path else self.key, node)


def write_all(props: Iterable[Prop], el: Element, rec: Any) -> None:
    for prop in props:
        prop.write(el, rec)


def read_all(props: Iterable[Prop], r: Reader, el: etree._Element, rec: Any, path: str) -> None:
    for prop in props:
        prop.read(r, el, rec, path)

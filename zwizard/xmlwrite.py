"""The XML zwizard writes: a small element tree and its serialiser.

Writing a guest needs elements, attributes, text and two-space indentation, nothing
more; loading lxml for it was a quarter of the answers mode's run (issue 11). The
text is byte for byte what lxml's `indent` + `tostring` write (a test compares the
two over random trees), and, as lxml does, a character XML cannot hold is refused
rather than written. XML zwizard did not write is read by `xmlsafe` (lxml).
"""

from __future__ import annotations

import re

# what XML 1.0's Char leaves out (lxml refuses these the same way); the class of what is
# left out compiles in a tenth of the time of a negated class of what is in
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


class Element:
    """One element: a tag, attributes in the order they were set, text or children."""

    __slots__ = ("_text", "attrib", "children", "tag")

    def __init__(
        self, tag: str, attrib: dict[str, str] | None = None, text: str | None = None
    ) -> None:
        self.tag = tag
        self.attrib: dict[str, str] = {}
        self._text = None if text is None else _checked(text)
        self.children: list[Element] = []
        for key, value in (attrib or {}).items():
            self.set(key, value)

    @property
    def text(self) -> str | None:
        return self._text

    @text.setter
    def text(self, value: str | None) -> None:
        self._text = None if value is None else _checked(value)

    def set(self, key: str, value: str) -> None:
        self.attrib[key] = _checked(value)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def __repr__(self) -> str:
        return f"<Element {self.tag} {self.attrib}>"


def _checked(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"XML text must be a string, not {type(value).__name__}")
    if _NOT_XML.search(value):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or "
            f"control characters ({value!r})"
        )
    return value


def sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    """A child element; `type_`-style names lose their trailing underscore."""
    el = Element(tag, {k.rstrip("_"): v for k, v in attrs.items()}, text)
    parent.children.append(el)
    return el


def to_xml(root: Element) -> str:
    """The document text, indented by two spaces, ending in a newline."""
    out: list[str] = []
    _write(root, "", out)
    return "".join(out)


def _write(el: Element, pad: str, out: list[str]) -> None:
    out.append(f"{pad}<{el.tag}")
    for key, value in el.attrib.items():
        out.append(f' {key}="{value.translate(_ATTR)}"')
    if el.children:
        if el.text:  # never written so: text beside children would be reindented
            raise ValueError(f"<{el.tag}> has both text and children")
        out.append(">\n")
        inner = pad + "  "
        for child in el.children:
            _write(child, inner, out)
        out.append(f"{pad}</{el.tag}>\n")
    elif el.text is not None:
        out.append(f">{el.text.translate(_TEXT)}</{el.tag}>\n")
    else:
        out.append("/>\n")

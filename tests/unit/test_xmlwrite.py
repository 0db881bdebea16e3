"""zwizard writes its XML without lxml; what it writes must be what lxml would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from zwizard.xmlwrite import Element, sub, to_xml

NAMES = st.from_regex(r"[a-z][a-zA-Z0-9_.-]{0,8}", fullmatch=True)
# every character XML 1.0 can hold, markup and blanks above all
XML_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00\ufffe\uffff"
).filter(lambda c: c in "\t\n\r" or ord(c) >= 0x20)
TEXT = st.text(st.one_of(st.sampled_from("&<>\"' \t\r\n]]>"), XML_CHARS), max_size=12)


@st.composite
def trees(draw, depth: int = 0) -> tuple[Element, etree._Element]:
    tag = draw(NAMES)
    attrs = draw(st.dictionaries(NAMES, TEXT, max_size=3))
    ours, theirs = Element(tag, attrs), etree.Element(tag, attrs)
    children = draw(st.integers(0, 3 if depth < 3 else 0))
    if children:
        for _ in range(children):
            child, lchild = draw(trees(depth + 1))
            ours.children.append(child)
            theirs.append(lchild)
    else:
        text = draw(st.one_of(st.none(), TEXT))
        if text is not None and text.strip() == "" and text:
            text = "x" + text  # lxml's indent would replace blank text; zwizard never writes it
        ours.text = theirs.text = text
    return ours, theirs


@settings(max_examples=400, deadline=None)
@given(trees())
def test_written_xml_is_what_lxml_writes_for_the_same_tree(pair):
    ours, theirs = pair
    etree.indent(theirs, space="  ")
    assert to_xml(ours) == etree.tostring(theirs, encoding="unicode") + "\n"


@pytest.mark.parametrize("bad", ["\x00", "a\x01b", "\x0b", "\ufffe", "\ud800"])
def test_a_character_xml_cannot_hold_is_refused_in_text_and_attributes(bad):
    root = Element("domain")
    with pytest.raises(ValueError, match="XML compatible"):
        sub(root, "name", bad)
    with pytest.raises(ValueError, match="XML compatible"):
        sub(root, "name", type=bad)
    el = sub(root, "title")
    with pytest.raises(ValueError, match="XML compatible"):
        el.text = bad
    assert root.children[0].text is None
    assert to_xml(root) == "<domain>\n  <title/>\n</domain>\n"


def test_namespaced_metadata_reads_back_in_its_namespaces():
    root = Element("domain", {"type": "kvm"})
    meta = sub(root, "metadata")
    sub(meta, "zwizard:generator", "zwizard", **{"xmlns:zwizard": "urn:x-zwizard:domain:1"})
    back = etree.fromstring(to_xml(root).encode())
    assert back.find("metadata/{urn:x-zwizard:domain:1}generator").text == "zwizard"

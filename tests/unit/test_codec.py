"""The declarations that both write and read a value (zwizard.codec.Prop): every one the
parts and device kinds declare writes a value and reads the same value back with nothing
left unread, and text it cannot read is listed as not carried, never dropped silently."""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace
from typing import Any

import pytest
from lxml import etree

import zwizard.devices
import zwizard.parts
from zwizard.codec import NUMBER, ON_OFF, TEXT, Prop, one_of
from zwizard.importer.reader import Reader
from zwizard.xmlwrite import Element, to_xml


def declared() -> list[tuple[str, Prop]]:
    """Every Prop at module level or in a module-level tuple, in parts and devices."""
    found: list[tuple[str, Prop]] = []
    for package in (zwizard.parts, zwizard.devices):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, value in vars(module).items():
                values = value if isinstance(value, tuple) else (value,)
                found += [
                    (f"{module.__name__}.{name}[{p.key}]", p) for p in values if isinstance(p, Prop)
                ]
    return found


def samples(prop: Prop) -> list[Any]:
    if prop.codec is NUMBER:
        return [0, 7, 65521]
    if prop.codec is ON_OFF:
        return [True, False]
    if prop.codec is TEXT:
        return ["destroy", "a b"]
    return [prop.codec.parse(word) for word in prop.codec.words.removeprefix("one of ").split(", ")]


def unread(r: Reader, root: etree._Element) -> list[str]:
    """What no read took: elements and attributes below the root."""
    left = [el.tag for el in root.iter() if el is not root and el not in r.taken]
    left += [
        f"{el.tag}@{name}"
        for el in root.iter()
        for name in el.attrib
        if (el, name) not in r.read_attrs
    ]
    return left


DECLARED = declared()


def test_the_parts_and_kinds_declare_their_plain_values():
    keys = {name.rpartition(".")[2] for name, _ in DECLARED}
    # the disk's <driver>, the NIC's tuning, the balloon's, the vsock's and the lifecycle
    assert {"DRIVER[cache]", "TUNING[mtu]", "PROPS[balloon_stats_period]", "IOMMU[iommu]",
            "PROPS[on_crash]"} <= keys  # fmt: skip


@pytest.mark.parametrize(("name", "prop"), DECLARED, ids=[n for n, _ in DECLARED])
def test_each_declared_value_is_read_back_as_written(name: str, prop: Prop):
    for value in samples(prop):
        el = Element("domain")
        prop.write(el, SimpleNamespace(**{prop.key: value}))
        root = etree.fromstring(to_xml(el).encode())
        r = Reader(root)
        back = SimpleNamespace(**{prop.key: None})
        prop.read(r, root, back, "part")
        assert getattr(back, prop.key) == value, (name, value, to_xml(el))
        assert unread(r, root) == [], (name, value, to_xml(el))
        assert r.out.lost == []
        assert f"part.{prop.key}" in r.out.where


@pytest.mark.parametrize(
    ("prop", "doc", "said"),
    [
        (Prop("queues", "driver/@queues", NUMBER), "<domain><driver queues='four'/></domain>",
         "driver queues='four' (not a number)"),
        (Prop("iommu", "driver/@iommu", ON_OFF), "<domain><driver iommu='yes'/></domain>",
         "driver iommu='yes' (on or off)"),
        (Prop("io", "@io", one_of(("native", "threads"))), "<domain io='uring'/>",
         "domain io='uring' (one of native, threads)"),
    ],
)  # fmt: skip
def test_text_a_declaration_cannot_read_is_listed_not_dropped(prop: Prop, doc: str, said: str):
    root = etree.fromstring(doc)
    r = Reader(root)
    back = SimpleNamespace(**{prop.key: None})
    prop.read(r, root, back, "part")
    assert getattr(back, prop.key) is None
    assert [c.what for c in r.out.lost] == [said]


def test_an_unset_value_writes_nothing_and_an_absent_place_reads_as_unset():
    el = Element("domain")
    Prop("mtu", "mtu/@size", NUMBER).write(el, SimpleNamespace(mtu=None))
    assert el.children == []
    root = etree.fromstring(b"<domain/>")
    back = SimpleNamespace(mtu=3)
    Prop("mtu", "mtu/@size", NUMBER).read(Reader(root), root, back, "nics[0]")
    assert back.mtu == 3

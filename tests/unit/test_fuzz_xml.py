"""Any domain XML -> `check` and `convert` give findings or a readable refusal, never a
traceback: attributes and texts of real definitions replaced by hostile values."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.helpers import ROOT
from zwizard.build import build
from zwizard.conversion import convert_domain
from zwizard.importer import ImportError_, check_domain

SOURCES = sorted((ROOT / "tests" / "data").glob("*/*.xml"))
DOCS = [etree.parse(str(p)) for p in SOURCES]
VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "0x", "0xfe", "254", "99999999999999999999", "none", "yes",
                     "virtio", "pci", "ccw", "s390x", "qemu", "custom", "1.5", "KiB", "TiB"]),
)  # fmt: skip
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    doc=st.sampled_from(range(len(DOCS))),
    picks=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 9), VALUES), max_size=4),
    drop=st.lists(st.integers(0, 10_000), max_size=2),
)
def test_mutated_definitions_never_crash_check_or_convert(doc, picks, drop):
    root = etree.fromstring(etree.tostring(DOCS[doc]))
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for index, which, value in picks:
        el = elements[index % len(elements)]
        value = "".join(c for c in value if c.isprintable() or c in "\t\n")
        keys = list(el.attrib)
        if keys and which < 7:
            el.set(keys[which % len(keys)], value)
        else:
            el.text = value
    for index in drop:
        el = elements[index % len(elements)]
        if el.getparent() is not None:
            el.getparent().remove(el)
    data = etree.tostring(root)
    try:
        check_domain(data, "fuzz.xml")
        imported = convert_domain(data, "fuzz.xml")
    except ImportError_:
        return  # refused with a reason (e.g. the root is no longer <domain>)
    result = build(imported.answers)
    if result.ok:  # what convert would write passes libvirt's schema
        assert not result.schema_problems

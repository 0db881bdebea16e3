"""The one way zwizard reads XML it did not write: a definition to check or
convert, libvirt's answers during host discovery.

Locked down the same way everywhere: no DTD is loaded, no entity expanded, no
network touched, no huge tree, a size bound, and a DOCTYPE refused outright
(libvirt's own files never have one; an internal subset is how entity attacks
arrive).
"""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 10 << 20


class XmlError(ValueError):
    """The text is not XML zwizard will read; the message says where and why."""


def parse(data: bytes, source: str, *, root: str | None = None) -> etree._Element:
    """The document element of `data`, read from `source` (named in every error)."""
    if len(data) > MAX_XML_BYTES:
        raise XmlError(f"{source}: larger than {MAX_XML_BYTES >> 20} MiB")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        element = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"{source}:{exc.lineno or '?'}: not well-formed XML: {exc.msg}") from None
    if root is not None and element.tag != root:
        raise XmlError(f"{source}: the root element is <{element.tag}>, not a libvirt <{root}>")
    info = element.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise XmlError(f"{source}: DOCTYPE declarations are not accepted")
    return element


def find_all(el: etree._Element, path: str, **namespaces: str) -> list[etree._Element]:
    """The elements an XPath selects below `el` (lxml's xpath() may answer with text,
    numbers or attribute values too; a path that names elements gets those alone)."""
    found = el.xpath(path, namespaces=namespaces or None)
    return [x for x in found if isinstance(x, etree._Element)] if isinstance(found, list) else []


def values(el: etree._Element, path: str) -> list[str]:
    """The attribute values or texts an XPath selects below `el`, as text."""
    found = el.xpath(path)
    return [str(x) for x in found if isinstance(x, str)] if isinstance(found, list) else []

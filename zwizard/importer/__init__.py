"""libvirt domain XML -> Answers, plus everything that could not be carried.

The importer maps what it reads onto the answers model, x86 habits included
(SMBIOS -> guest.smbios, a NUMA cell -> cpu.numa, an i6300esb -> watchdog.model,
a SATA disk -> disks[].bus …), so that `rules.check` judges imported XML exactly
as it judges an answers file. Only what the model has no place for at all (PCI
addresses, USB, graphics, ACPI …) becomes a finding here, worded by the rules
module's NEVER_AVAILABLE table. `convert` is this import followed by its own pass
(conversion.py), which replaces each such value by its IBM Z equivalent and says so.

`document` holds what an import yields, `reader` the bookkeeping every part reads through,
`devices` the reader of `<devices>` (each element to its device kind or part); the domain's
own elements are read by their parts (zwizard.parts).
"""

from __future__ import annotations

import re

from zwizard import parts, xmlsafe
from zwizard.devices import KINDS
from zwizard.importer.devices import DeviceParts
from zwizard.importer.document import (
    Change,
    Imported,
    ImportError_,
    parse_xml,
)
from zwizard.lazy import Pattern
from zwizard.parts import DOMAIN_TAGS
from zwizard.rules import Finding
from zwizard.structure import record

__all__ = ["Change", "ImportError_", "Imported", "Located", "check_domain", "import_domain"]


# The domain's own parts in the order they are read: the CPU after the guest's basics
# (its check depends on the domain type), the memory's backing after the CPU, Secure
# Execution before the devices libvirt adds (it changes them); findings and what is not
# carried come out in this order.
READ_BEFORE_DEVICES = (
    parts.basics.PART,
    parts.vcpu.PART,
    parts.memory.SIZE,
    parts.lifecycle.PART,
    parts.os_kernel.PART,
    parts.features.PART,
    parts.cpu.PART,
    parts.memory.BACKING,
    parts.clock.PART,
)
READ_AFTER_DEVICES = (
    parts.tuning.IOTHREADS,
    parts.keywrap.PART,
    parts.tuning.MEMTUNE,
    parts.tuning.CPUTUNE,
    parts.launch_security.PART,
)


# the domain's children something reads: the parts', <devices>, and <sysinfo> (SMBIOS)
HANDLED = DOMAIN_TAGS | {"devices", "sysinfo"}


class _Importer(DeviceParts):
    """Reads what the document says, as far as the answers can hold it: values IBM Z
    cannot take are kept (for `check` to judge) and changed only by conversion.py."""

    # -- the document -------------------------------------------------------------------

    def run(self) -> Imported:
        r, a = self.root, self.out.answers
        for part in READ_BEFORE_DEVICES:
            part.read(self, r, a)
        devices = r.find("devices")
        os_el = r.find("os")
        if os_el is not None:
            self.out.os_at = self.at(os_el)
        if devices is not None:
            self.out.devices_at = self.at(devices)
            for el in devices:
                if isinstance(el.tag, str):
                    self._device(el, a)
            self._boot_dev(r, a)
        if self.consoles == 0:  # libvirt adds none of its own: a guest without one has none
            a.console.sclp = False
            a.console.virtio_first = False  # first of one: nothing to keep in order
        for part in READ_AFTER_DEVICES:  # Secure Execution before the implicit devices
            part.read(self, r, a)
        self._implicit_devices(r, devices, a)
        if self.s390:  # an s390x guest's addresses are its ABI (x86 ones mean nothing here)
            self._input_addresses(devices, a)
        for el in xmlsafe.find_all(r, "sysinfo | os/smbios"):
            self.held("guest.smbios", el)
            a.guest.smbios = True
        for el in r:
            if isinstance(el.tag, str) and el.tag not in HANDLED:
                self.lost(el, f"<{el.tag}>")
        ns = {"l": "http://libosinfo.org/xmlns/libvirt/domain/1.0"}
        for el in xmlsafe.find_all(r, "metadata/*[not(self::l:libosinfo)]", **ns):
            if not str(el.tag).startswith("{urn:x-zwizard"):
                self.lost(el, f"metadata {el.tag}")
            else:
                self.take(*el.iter())  # our own generator mark: written again
                self.get(el, "os")
        self.take(r, r.find("metadata"), r.find("devices"), r.find("os"))
        self._not_read()
        return self.out

    def _not_read(self) -> None:
        """Every element and attribute no handler read, and no change or loss named,
        becomes a 'not carried' line: convert never drops anything without a word."""
        for el in self.root.iter():
            if not isinstance(el.tag, str) or any(
                e in self.accounted for e in (el, *el.iterancestors())
            ):
                continue
            if el not in self.taken:
                attrs = "".join(f" {k!s}='{v!s}'" for k, v in el.attrib.items())
                text = (el.text or "").strip()
                self.lost(el, f"<{el.tag}{attrs}>" + (f" {text!r}" if text else ""))
                continue
            for name, value in el.attrib.items():
                if (el, name) not in self.read_attrs:
                    where, line = self.at(el)
                    self.out.lost.append(
                        Change("not-carried", where, line, f"attribute {name!s}='{value!s}'")
                    )


@record
class Located:
    """A finding placed in the source document."""

    finding: Finding
    xpath: str
    line: int | None

    def as_dict(self, source: str) -> dict[str, object]:
        f = self.finding
        return {
            "file": source, "line": self.line, "xpath": self.xpath, "severity": f.severity,
            "rule": f.rule, "message": f.message,
        }  # fmt: skip


def check_domain(data: bytes, source: str = "<xml>") -> list[Located]:
    """Every IBM Z finding about an existing domain XML, placed at its element.

    Messages speak the document's language: an answers path such as `disks[1]` inside
    a message becomes the element's XPath (1-based, as the reader sees it)."""
    from zwizard.rules import check

    imported = import_domain(data, source)
    lines = {where: line for where, line in imported.where.values()}
    located = [
        Located(f, f.path, lines.get(f.path, imported.lines.get(f.path))) for f in imported.findings
    ]

    def xpath_of(match: re.Match[str]) -> str:
        return imported.locate(match.group(0))[0]

    for f in check(imported.answers):
        if f.rule == "guest-os" and not imported.os_known:
            continue  # no libosinfo metadata: nothing to judge
        xpath, line = imported.locate(f.path)
        message = _ANSWERS_PATH.sub(xpath_of, f.message)
        located.append(Located(Finding(f.rule, f.severity, f.path, message), xpath, line))
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(located, key=lambda x: (order[x.finding.severity], x.line or 0))


_ANSWERS_PATH = Pattern(r"\b(?:" + "|".join(k.key for k in KINDS) + r")\[\d+\]")


def import_domain(data: bytes, source: str = "<xml>") -> Imported:
    """Read a domain XML as it is (conversion.convert_domain brings it onto IBM Z)."""
    root = parse_xml(data, source)
    return _Importer(root).run()

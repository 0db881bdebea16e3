"""The importer's bookkeeping, shared by the domain's and the devices' readers."""

from __future__ import annotations

from lxml import etree

from zwizard.findings import Severity
from zwizard.importer.document import UNIT_BYTES, Change, Imported, element_paths
from zwizard.model import (
    Answers,
)
from zwizard.rules import NEVER_AVAILABLE, Finding


class Reader:
    """The bookkeeping every part of the import reads through: what was read, taken,
    changed or lost, at which element and line, so convert can say what nobody read."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.out = Imported(answers=Answers())
        self.paths = element_paths(root)
        # what was read, so convert can list everything it did not carry (nothing silent)
        self.read_attrs: set[tuple[etree._Element, str]] = set()
        self.taken: set[etree._Element] = set()
        self.accounted: set[etree._Element] = set()  # said to be dropped or changed
        self.consoles = 0
        self.videos = 0  # virtio video devices carried with the VNC display
        self.pointers: set[str] = set()  # the virtio inputs carried: keyboard, mouse
        self.ccw_keys: dict[etree._Element, str] = {}  # a carried device's key in Plan.ccw
        os_type = root.find("os/type")
        self.s390 = self.out.s390 = os_type is not None and os_type.get("arch") == "s390x"

    # -- bookkeeping --------------------------------------------------------------------

    def get(self, el: etree._Element | None, name: str, default: str | None = None) -> str | None:
        """An attribute, noted as read (`default` where the element is absent)."""
        if el is None:
            return default
        self.taken.add(el)
        self.read_attrs.add((el, name))
        return el.get(name, default)

    def take(self, *els: etree._Element | None) -> None:
        """Elements whose presence (or text) was read."""
        self.taken.update(el for el in els if el is not None)

    def text(self, el: etree._Element) -> str:
        self.taken.add(el)
        return (el.text or "").strip()

    def mib(self, el: etree._Element | None) -> int | None:
        """A libvirt memory value in MiB (None when it is not a number)."""
        if el is None:
            return None
        text = self.text(el)
        unit = (self.get(el, "unit") or "KiB").lower()
        if not text.isdigit() or unit not in UNIT_BYTES:
            return None
        return max(1, round(int(text) * UNIT_BYTES[unit] / (1 << 20)))

    def kib(self, el: etree._Element | None) -> int | None:
        """A libvirt memory value in KiB, as libvirt keeps it (rounded up)."""
        if el is None:
            return None
        text, unit = self.text(el), (self.get(el, "unit") or "KiB").lower()
        if not text.isdigit() or unit not in UNIT_BYTES:
            return None
        return -(-int(text) * UNIT_BYTES[unit] // 1024)

    def unreadable_size(self, el: etree._Element, rule: str) -> str:
        """A size `mib` cannot read, which libvirt refuses at define too: an error for
        check, and the words for what convert says of it."""
        text, unit = self.text(el), self.get(el, "unit") or "KiB"
        said = (
            f"libvirt: unknown suffix {unit!r}"
            if text.isdigit()
            else f"libvirt: invalid value {text!r} for element <{el.tag}>"
        )
        what = f"{text!r} {unit} ({said})"
        self.finding(el, rule, "error", f"<{el.tag}> {what}")
        return what

    def finding(self, el: etree._Element, rule: str, severity: Severity, message: str) -> None:
        """A finding about the document itself, placed at `el`."""
        where, line = self.at(el)
        self.out.lines[where] = line
        self.out.findings.append(Finding(rule, severity, where, message))

    def at(self, el: etree._Element) -> tuple[str, int | None]:
        path = self.paths.get(el)
        if path is None:  # not reached by the walk (cannot happen for elements)
            path = el.getroottree().getpath(el)
        line = el.sourceline
        return path, line if isinstance(line, int) else None

    def mark(self, path: str, el: etree._Element) -> None:
        self.out.where[path] = self.at(el)
        self.out.sources.setdefault(path, []).append(self.out.where[path])

    def held(self, path: str, el: etree._Element) -> None:
        """`el` with all inside it is held by one answers value (`cpu.numa` for <numa>)."""
        self.mark(path, el)
        self.accounted.add(el)

    def never(self, key: str, el: etree._Element, detail: str = "") -> None:
        """Something IBM Z cannot have and the answers cannot hold: a finding for check,
        a drop for convert."""
        rule, reason = NEVER_AVAILABLE[key]
        self.accounted.add(el)
        where, line = self.at(el)
        self.out.lines[where] = line
        text = f"{detail}: {reason}" if detail else reason
        self.out.findings.append(Finding(rule, "error", where, text))
        self.out.changes.append(Change(rule, where, line, f"dropped {detail or el.tag}"))

    def reason(self, key: str) -> tuple[str, str]:
        """The rule and the words for something IBM Z has not (rules.NEVER_AVAILABLE)."""
        return NEVER_AVAILABLE[key]

    def changed(self, rule: str, el: etree._Element, what: str, *, whole: bool = True) -> None:
        """A value the answers cannot hold as written (a domain type 'xen', a machine
        type): read as the IBM Z one, and said. `whole`: the element and all inside it
        are replaced; else only what `what` names, and the element's other attributes
        and children are still carried or listed."""
        (self.accounted if whole else self.taken).add(el)
        where, line = self.at(el)
        self.out.changes.append(Change(rule, where, line, what))

    def lost(self, el: etree._Element, what: str, *, whole: bool = True) -> None:
        """Something convert cannot carry (`whole`: the element with all inside it)."""
        (self.accounted if whole else self.taken).add(el)
        where, line = self.at(el)
        self.out.lost.append(Change("not-carried", where, line, what))

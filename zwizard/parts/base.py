"""What a domain-level part declares, once: its XML writer and reader beside each other
(and its own rules and conversion where it has them), so writing and reading one element
cannot drift apart. `render/domain.py` and the importer walk the parts (zwizard.parts).

A part's module depends only on the model, the address codec, the findings and these
helpers, as a device kind's does (zwizard.devices.base), so the renderer, the importer,
the rules and the conversion can all import the registry without import cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from zwizard.devices.base import Reader
from zwizard.structure import record

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector
    from zwizard.importer.document import Imported
    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


class PartReader(Reader, Protocol):
    """What a part's reader may use of the importer beyond a device kind's."""

    out: Imported
    root: etree._Element  # the <domain>
    taken: set[etree._Element]  # the elements read so far
    accounted: set[etree._Element]  # said to be dropped or changed, with all inside
    consoles: int  # the SCLP consoles and serials read so far
    videos: int  # virtio video devices carried with the VNC display
    pointers: set[str]  # the virtio inputs carried: keyboard, mouse

    def mib(self, el: etree._Element | None) -> int | None: ...
    def kib(self, el: etree._Element | None) -> int | None: ...
    def unreadable_size(self, el: etree._Element, rule: str) -> str: ...
    def held(self, path: str, el: etree._Element) -> None: ...
    def placed(self, el: etree._Element, key: str) -> None: ...
    def never(self, key: str, el: etree._Element, detail: str = "") -> None: ...
    def reason(self, key: str) -> tuple[str, str]: ...


@record(frozen=True)
class Question:
    """One answers key as both front ends put it to a person, declared once beside the
    part that writes it: the wizard shows `label` over the field and `help` below it; the
    prompt mode asks `asked()`. A key declared nowhere cannot be asked (zwizard.questions)."""

    path: str  # the answers key: "guest.vcpus", "pxe.kernel"
    label: str
    help: str = ""  # a word more, below the wizard's field
    empty: str = ""  # what leaving the text empty means ("none", "all"); "": a value is needed
    kind: str = "str"  # the wizard's text kind (zwizard.typed): "optional-int", "mapping" ...
    placeholder: str = ""  # the wizard's empty field shows it; default: "(<empty>)"
    choices: tuple[tuple[Any, str], ...] = ()  # the values offered, in the words shown

    def asked(self, end: str = ":") -> str:
        """The prompt mode's question: the label, with what an empty answer means inside
        its parentheses ("memtune hard limit (MiB; empty: none):"), then ':' or '?'."""
        text = self.label
        if self.empty:
            more = f"empty: {self.empty}"
            text = f"{text[:-1]}; {more})" if text.endswith(")") else f"{text} ({more})"
        return text + end

    @property
    def shown_empty(self) -> str:
        """What the wizard's empty field shows."""
        return self.placeholder or (f"({self.empty})" if self.empty else "")


@record(frozen=True)
class Part:
    """One domain-level part of a guest. Where its elements are is where the registry
    lists it (zwizard.parts): the domain's own children (HEAD, TAIL: `write` gets
    <domain>, `read` the root once) or <devices> children (DEVICES: `write` gets
    <devices>, `read` each element whose tag is in `tags`)."""

    # the answers it holds: a table ("watchdog") or the first key of several; "" for a
    # part that holds none (features: read and judged only; the panic device: always)
    key: str
    tags: tuple[str, ...]  # the elements it reads
    write: Callable[[Element, Answers, Plan], None]
    read: Callable[[PartReader, etree._Element, Answers], None]
    check: Callable[[Answers, Plan, Collector], None] | None = None  # its own rules
    convert: Callable[[Imported], None] | None = None  # convert's pass over it
    questions: tuple[Question, ...] = ()  # how both front ends ask its keys

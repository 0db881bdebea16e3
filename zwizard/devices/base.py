"""What a device kind declares, once: its answers list, its traits, its XML codec
(one writer for the renderer, one reader for `check`/`convert`), what an answers
file must give, and its own rules. The engine walks `zwizard.devices.KINDS`.

A kind's module depends only on the model, the address codec, the findings and
these helpers, so the plan, the rules, the renderer and the importer can all
import the registry without import cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from zwizard.address import Ccw, ccw_attributes
from zwizard.structure import record
from zwizard.xmlwrite import sub

if TYPE_CHECKING:
    from lxml import etree

    from zwizard.findings import Collector, Severity
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


class Reader(Protocol):
    """What a kind's reader may use of the importer: every attribute and element is read
    through it, so `convert` can list whatever nobody read."""

    s390: bool

    def get(self, el: etree._Element | None, name: str, default: str | None = None) -> Any: ...
    def take(self, *els: etree._Element | None) -> None: ...
    def text(self, el: etree._Element) -> str: ...
    def mark(self, path: str, el: etree._Element) -> None: ...
    def changed(self, rule: str, el: etree._Element, what: str, *, whole: bool = True) -> None: ...
    def lost(self, el: etree._Element, what: str, *, whole: bool = True) -> None: ...
    def finding(self, el: etree._Element, rule: str, severity: Severity, message: str) -> None: ...
    def boot(self, el: etree._Element, dev: Any, path: str) -> None: ...
    def address(self, el: etree._Element, path: str) -> str | None: ...


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def _none(_: Any) -> str | None:  # no controller; nothing Secure Execution removes
    return None


def _nothing_missing(_: Any) -> list[str]:
    return []


@record
class HostJudge:
    """Reports what this host lacks: an error when the guest is for this host, a
    warning (with `other` appended where it helps) when it is meant for another."""

    out: Collector
    target: bool

    @property
    def other(self) -> str:
        return "" if self.target else " (fine if the guest is meant for another host)"

    def report(self, rule: str, path: str, message: str) -> None:
        (self.out.error if self.target else self.out.warn)(rule, path, message)


@record(frozen=True)
class Field:
    """A value of one entry that both front ends ask for, declared with its kind: typed
    text (`text`: optional-str or optional-int) or one of `choices` ((value, label); the
    value None is "leave it to libvirt/QEMU")."""

    key: str  # below the entry: "io", "source.mode"
    label: str
    choices: tuple[tuple[Any, str], ...] = ()
    text: str = "optional-str"
    placeholder: str = ""
    applies: Callable[[Any], bool] = _always  # shown only for the entries it fits
    required: bool = False  # the entry is unfinished without it (as the kind's `missing`)
    help: str = ""  # where the value is found on the host ("ls /sys/bus/mdev/devices/")
    # what this host has for it: (answers, host, entry) -> [(value, note)]
    offer: Callable[[Answers, HostInfo, Any], list[tuple[str, str]]] | None = None
    # a value to ask the rules about while the field is empty: refused, the field is
    # greyed with their reason (a boot order on a device that cannot boot)
    probe: Callable[[Answers], Any] | None = None


# Every kind, in registry order. zwizard.devices fills it once each kind's module is
# loaded: those modules import this one, so it cannot import them.
KINDS: list[Kind] = []


def entries(answers: Answers) -> Iterator[tuple[Kind, str, Any]]:
    """Every listed device as (kind, path, entry), in registry order."""
    for kind in KINDS:
        for path, item in kind.paths(answers):
            yield kind, path, item


def next_boot_order(answers: Answers) -> int:
    """The order a device would get if it joined the boot sequence now."""
    given = [item.boot_order or 0 for kind, _, item in entries(answers) if kind.boots]
    return max(given, default=0) + 1


def default_or(values: tuple[str, ...], default: str = "default") -> tuple[tuple[Any, str], ...]:
    """Choices of a value list, led by leaving the key out."""
    return ((None, default), *((v, v) for v in values))


@record(frozen=True)
class Kind:
    """One device kind. Paths name an entry as `<key>[<index>]` everywhere."""

    key: str  # the answers list: disks, nics, passthrough
    noun: str  # how messages name one entry
    tags: tuple[str, ...]  # the <devices> children its reader takes
    write: Callable[[Element, Answers, int, Plan], None]  # entry i -> its element
    read: Callable[[Reader, etree._Element, str], Any | None]  # element -> entry, or None
    check: Callable[[Answers, Plan, Collector], None]  # its rules, over the whole list
    on_ccw: Callable[[Any], bool] = _always  # has its own ccw address
    boots: bool = False  # entries carry boot_order and loadparm
    installed_boot: Callable[[Any], bool] = _never  # an installed system can boot from it
    controller: Callable[[Any], str | None] = _none  # the controller it sits on
    missing: Callable[[Any], list[str]] = _nothing_missing  # keys an answers file must give
    se_forbidden: Callable[[Any], str | None] = _none  # what SE removes, or None
    after: Callable[[Element, Answers, Plan], None] | None = None  # e.g. a controller
    resolve: Callable[[Answers, Plan], None] | None = None  # its part of the plan
    check_host: Callable[[Answers, HostInfo, HostJudge], None] | None = None  # host rules
    source: tuple[Field, ...] = ()  # where an entry connects, asked before its fields
    fields: tuple[Field, ...] = ()  # what both front ends ask of each entry they add
    options: tuple[Field, ...] = ()  # what both front ends offer beyond the essentials
    options_title: str = ""  # how they name that group ("More disk options (…)")
    # what both front ends offer to add, in their words: (what, a blank new entry)
    adds: tuple[tuple[str, Callable[[], Any]], ...] = ()

    def paths(self, answers: Answers) -> list[tuple[str, Any]]:
        return [(f"{self.key}[{i}]", item) for i, item in enumerate(getattr(answers, self.key))]


# --- XML helpers the writers share ----------------------------------------------------


def write_ccw(parent: Element, addr: Ccw | None) -> None:
    if addr is not None:
        sub(parent, "address", **ccw_attributes(addr))


def write_boot(parent: Element, plan: Plan, path: str, loadparm: str | None) -> None:
    if path in plan.boot:
        attrs = {"order": str(plan.boot[path])}
        if loadparm:
            attrs["loadparm"] = loadparm.upper()
        sub(parent, "boot", **attrs)

"""A finding: one rule's verdict about one place in the answers, the collector every
rule (the engine's own and each device kind's) reports into, and `reports`: the rule ids
each check declares, so that every rule knows where it is checked."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, TypeVar

from zwizard.shown import printable
from zwizard.structure import field, record

Severity = Literal["error", "warning", "note"]


@record(frozen=True)
class Finding:
    """One rule's verdict about one place in the answers."""

    rule: str
    severity: Severity
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} [{self.rule}]"


@record
class Collector:
    findings: list[Finding] = field(default_factory=list)

    # a value quoted in a message is shown with its control characters escaped, in
    # every front end (zwizard.shown)
    def error(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "error", printable(path), printable(message)))

    def warn(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "warning", printable(path), printable(message)))

    def note(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "note", printable(path), printable(message)))


# --- which check reports which rule ----------------------------------------------------

C = TypeVar("C", bound=Callable[..., object])

# check -> the rule ids it reports; filled as the modules that hold checks are imported
DECLARED: dict[Callable[..., object], frozenset[str]] = {}


def reports(*rule_ids: str) -> Callable[[C], C]:
    """Declare the rule ids a check reports, above its `def`: the rule catalog then
    knows which checks each rule has (`zwizard.rules.checks_of`), and a check that
    reports an id it does not declare fails the test suite (`declared_only`)."""

    def declare(check: C) -> C:
        DECLARED[check] = frozenset(rule_ids)
        return check

    return declare


class UndeclaredRule(AssertionError):
    """A check reported a rule id it does not declare with `reports`."""


# the test suite (and anyone who asks) runs every check strictly: ZWIZARD_STRICT_RULES=1
STRICT = os.environ.get("ZWIZARD_STRICT_RULES") == "1"


def declared_only(check: Callable[..., object], found: list[Finding]) -> None:
    """Under ZWIZARD_STRICT_RULES=1, refuse findings whose rule `check` does not declare;
    a user's run never stops for this (the finding is as true either way)."""
    if not STRICT:
        return
    check = getattr(check, "__func__", check)  # a method: its function declares
    stray = sorted({f.rule for f in found} - DECLARED.get(check, frozenset()))
    if stray:
        name = getattr(check, "__qualname__", repr(check))
        module = getattr(check, "__module__", "")
        raise UndeclaredRule(f"{module}.{name} reports {stray} without @reports for them")


def checked(check: Callable[..., object], out: Collector, *args: object) -> None:
    """Run `check(*args)`, which reports into `out`, holding it to what it declares."""
    before = set(out.findings) if STRICT else None
    check(*args)
    if before is not None:
        declared_only(check, [f for f in out.findings if f not in before])

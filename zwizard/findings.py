"""A finding: one rule's verdict about one place in the answers, and the collector
every rule (the engine's own and each device kind's) reports into."""

from __future__ import annotations

from typing import Literal

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

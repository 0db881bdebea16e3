"""A finding: one rule's verdict about one place in the answers, and the collector
every rule (the engine's own and each device kind's) reports into."""

from __future__ import annotations

from typing import Literal

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

    def error(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "error", path, message))

    def warn(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "warning", path, message))

    def note(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(rule, "note", path, message))

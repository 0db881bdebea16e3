"""What a host preparation is made of: the checks the host must pass before anything
changes, the steps that change it (or that only the administrator can take), the findings
that refuse a step, and how the steps are listed — by the wizard's Review, the prompt mode
and `zwizard prepare --dry-run` alike."""

from __future__ import annotations

from collections.abc import Callable

from zwizard.findings import Finding
from zwizard.structure import field, record

Report = Callable[[str, str, str], None]  # rule, path, message: an error or a warning


@record
class Check:
    """A condition the host must meet before anything changes, and its exact fix."""

    test: str  # shell condition
    fix: str
    what: str = ""  # what holds when it passes, for the listing


@record
class Step:
    """One change (or, `manual`, one thing only the administrator can do)."""

    section: str
    title: str
    why: str
    done_when: str | None = None  # shell condition: true once the work is there
    commands: list[str] = field(default_factory=list)  # shell lines, quoted
    manual: bool = False
    note: bool = False  # only information: nothing to do


@record
class Preparation:
    guest: str
    checks: list[Check] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)  # shell lines run after the checks
    extra_files: dict[str, str] = field(default_factory=dict)  # beside the script
    # (rule, path) of host findings a step here makes moot: the mdev it creates, the
    # network it defines
    resolves: set[tuple[str, str]] = field(default_factory=set)

    @property
    def script_name(self) -> str:
        return f"{self.guest}.prepare.sh"

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def host_findings(prep: Preparation, findings: list[Finding]) -> list[Finding]:
    """The guest's own host findings as `zwizard prepare` shows them: those a step here
    makes moot go, the rest become warnings — they are for the guest's start, not for
    this script (the answers mode with --host-check refuses them)."""
    out = []
    for f in findings:
        if (f.rule, f.path) in prep.resolves:
            continue
        if f.rule.startswith("host-") and f.severity == "error":
            f = Finding(f.rule, "warning", f.path, f.message + " (needed before the guest starts)")
        out.append(f)
    return out


def unique(checks: list[Check]) -> list[Check]:
    seen: dict[str, Check] = {}
    for check in checks:
        seen.setdefault(check.test, check)
    return list(seen.values())


def listing(prep: Preparation) -> list[str]:
    """The steps as the wizard and `zwizard prepare --dry-run` show them."""
    checks = [c.what or c.fix for c in unique(prep.checks)]
    out = [f"checks first: {', '.join(checks)}"] if checks else []
    for n, step in enumerate(prep.steps, start=1):
        mark = "note" if step.note else "by hand" if step.manual else "runs"
        out.append(f"{n}. [{step.section}] {step.title} ({mark})")
    return out


def overview(prep: Preparation, marks: dict[str, str] | None = None) -> list[str]:
    """What both front ends show of the host preparation, below their own heading: its
    steps, what this host refuses or warns of, and whether the script is written; empty
    when there is none. `marks`: how a finding's severity is shown (the wizard's ✗ ! i),
    else its word."""
    if not prep.steps and not prep.findings:
        return []
    mark = marks or {s: f"{s}:" for s in ("error", "warning", "note")}
    lines = listing(prep)
    lines += [f"{mark[f.severity]} {f.path}: {f.message} [{f.rule}]" for f in prep.findings]
    if not prep.ok:
        lines.append("(not written while a step is refused; the guest's files are)")
    return lines

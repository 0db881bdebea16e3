"""Suite-wide guards: a tier that collects nothing fails the run instead of passing, and
every check zwizard runs here (in-process and in the programs the tests start) reports
only the rule ids it declares with `@reports` (zwizard.findings)."""

from __future__ import annotations

import os
from pathlib import Path

# before zwizard is imported; the programs the tests start inherit it
os.environ["ZWIZARD_STRICT_RULES"] = "1"

import pytest

TESTS = Path(__file__).parent
TIERS = ("unit", "tui", "system", "e2e")


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list
) -> None:
    asked = [Path(a.split("::")[0]).resolve() for a in config.args]
    counts = {tier: 0 for tier in TIERS}
    for item in items:
        parts = Path(item.path).resolve().relative_to(TESTS).parts
        if parts and parts[0] in counts:
            counts[parts[0]] += 1
    for tier in TIERS:
        folder = TESTS / tier
        wanted = any(folder == a or folder.is_relative_to(a) for a in asked)
        if wanted and folder.is_dir() and counts[tier] == 0 and not config.option.keyword:
            raise pytest.UsageError(f"the {tier} tier collected no test ({folder})")


@pytest.fixture(autouse=True, scope="session")
def libvirt_schema() -> None:
    """Every tier checks the XML it sees zwizard write against libvirt's RelaxNG schema
    (`validate_domain`, `Build.schema_problems`); without the schema those checks would
    pass unseen, so its absence is an error (tests/run installs it as root: libvirt0)."""
    from zwizard.build import schema_path

    if schema_path() is None:
        pytest.fail(
            "libvirt's RelaxNG schema (/usr/share/libvirt/schemas/domain.rng) is missing: "
            "apt-get install libvirt0, or set ZWIZARD_LIBVIRT_SCHEMAS",
            pytrace=False,
        )


# --- time per tier: CI has 90 minutes, and the suite's own budget is 45 ------------------

BUDGET_S = 45 * 60
_tier_seconds: dict[str, float] = {}
_tier_tests: dict[str, int] = {}


def _tier_of(path: str) -> str:
    try:
        parts = Path(path).resolve().relative_to(TESTS).parts
    except ValueError:
        return "other"
    return parts[0] if parts and parts[0] in TIERS else "other"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Setup, call and teardown of every test, summed per tier (session fixtures such as
    the system tier's package installs count where they run: in the first test's setup)."""
    tier = _tier_of(report.fspath)
    _tier_seconds[tier] = _tier_seconds.get(tier, 0.0) + report.duration
    if report.when == "call":
        _tier_tests[tier] = _tier_tests.get(tier, 0) + 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _tier_seconds:
        return
    tr = terminalreporter
    tr.section("time per tier")
    total = sum(_tier_seconds.values())
    for tier in (*TIERS, "other"):
        if tier in _tier_seconds:
            tr.write_line(
                f"{tier:<7} {_tier_seconds[tier]:8.1f} s  {_tier_tests.get(tier, 0):5d} tests"
            )
    verdict = "within" if total <= BUDGET_S else "OVER"
    tr.write_line(
        f"{'all':<7} {total:8.1f} s  ({verdict} the suite's budget of {BUDGET_S // 60} min)"
    )

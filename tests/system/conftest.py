"""System tier: the real libvirt daemon and qemu-system-s390x.

In CI (CI=true) a missing piece fails the run; elsewhere the tier is skipped
with a message that says exactly what is missing.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from tests.system.stack import Daemons, StackUnavailable, ensure_packages, ensure_users

REPORT: dict[str, dict[str, str]] = defaultdict(dict)


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"system tier cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"system tier needs the real stack: {reason}")


@pytest.fixture(scope="session")
def stack():
    daemons = Daemons()
    try:
        ensure_packages()
        ensure_users()
        daemons.start()
    except StackUnavailable as exc:
        unavailable(str(exc))
    yield daemons
    daemons.stop()


@pytest.fixture
def report():
    """report(example, step, result): one cell of the table printed at the end."""

    def record(example: str, step: str, result: str) -> None:
        old = REPORT[example].get(step)
        REPORT[example][step] = f"{old},{result}" if old else result

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not REPORT:
        return
    steps = ["validate", "define", "start", "firmware", "netboot"]
    steps += sorted({s for row in REPORT.values() for s in row} - set(steps))  # e.g. channel
    tr = terminalreporter
    tr.section("zwizard system report: examples on the real stack")
    width = max(len(name) for name in REPORT) + 2
    tr.write_line("example".ljust(width) + "".join(s.ljust(32) for s in steps))
    for name in sorted(REPORT):
        row = REPORT[name]
        tr.write_line(name.ljust(width) + "".join(row.get(s, "-")[:31].ljust(32) for s in steps))

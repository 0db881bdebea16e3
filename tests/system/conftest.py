"""System tier: the real libvirt daemon and qemu-system-s390x.

In CI (CI=true) a missing piece fails the run; elsewhere the tier is skipped
with a message that says exactly what is missing.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from tests.system.stack import Daemons, StackUnavailable, ensure_packages, ensure_users, run

REPORT: dict[str, dict[str, str]] = defaultdict(dict)
BRIDGE = "zwbr-test"  # the Linux bridge NICs with host-side settings (MTU, queues) sit on


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


@pytest.fixture(scope="session")
def bridge(stack):
    """A Linux bridge (no uplink) for NICs whose MTU, queues and tap name the host must
    set up: QEMU's user network has no tap, so those need a real one."""
    made = run("ip", "link", "add", BRIDGE, "type", "bridge", check=False)
    if made.returncode != 0 and "File exists" not in made.stderr:
        unavailable(f"cannot make a bridge: {made.stderr.strip()}")
    run("ip", "link", "set", BRIDGE, "up")
    yield BRIDGE
    run("ip", "link", "del", BRIDGE, check=False)


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

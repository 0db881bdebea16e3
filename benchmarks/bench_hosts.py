"""Probing many hosts: eight take about as long as the slowest one.

    python benchmarks/bench_hosts.py [--runs 5]

Two figures:
- simulated: eight hosts whose libvirt answers after a round trip of 0.15-0.60 s
  (a stand-in for virsh that sleeps, as a far host's ssh connection costs time while
  the CPU waits); `discover_all` over all eight against the slowest one alone.
  Target: at most 1.5x the slowest host (sequential probing would be the sum, ~3x).
- real: `zwizard hosts` with qemu:///system given eight times, against once (the same
  daemon eight times: bounded by this machine's 2 cores, reported, not a target).
The exit code is 1 when the simulated target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zwizard.hosts import discover_all  # noqa: E402

DATA = ROOT / "tests" / "data" / "host"
DELAYS = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6]  # seconds per connection


class FarHost:
    """virsh against a far host: each connection (one command, or a batch) costs `delay`."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.caps = (DATA / "domcaps-s390x-kvm-z15-synthetic.xml").read_text()
        self.machines = (DATA / "capabilities-s390x-z15-synthetic.xml").read_text()

    def answer(self, args: list[str]) -> str | None:
        if args[0] == "domcapabilities":
            return self.caps
        if args[0] == "capabilities":
            return self.machines
        return "" if args[0] in ("uri", "list", "net-list", "pool-list", "nodedev-list") else None

    def __call__(self, args: list[str]) -> str | None:
        time.sleep(self.delay)
        return self.answer(args)

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        time.sleep(self.delay)
        return [self.answer(c) for c in commands]


def simulated() -> tuple[float, float]:
    uris = [f"qemu+ssh://z{i}/system" for i in range(len(DELAYS))]
    delay = dict(zip(uris, DELAYS, strict=True))
    start = time.perf_counter()
    hosts = discover_all(uris, runner_for=lambda uri: FarHost(delay[uri]))
    together = time.perf_counter() - start
    assert all(h.reachable and h.has_domcaps for h in hosts)
    start = time.perf_counter()
    discover_all([uris[-1]], runner_for=lambda uri: FarHost(delay[uri]))
    slowest = time.perf_counter() - start
    return together, slowest


def real(count: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "zwizard", "hosts", "--virttype", "qemu",
         *["qemu:///system"] * count],
        cwd=ROOT, capture_output=True, check=False,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    ratios, togethers, slowests = [], [], []
    for _ in range(args.runs):
        together, slowest = simulated()
        togethers.append(together)
        slowests.append(slowest)
        ratios.append(together / slowest)
    ratio = statistics.median(ratios)
    print(
        f"simulated: 8 hosts {statistics.median(togethers):.2f} s, the slowest alone "
        f"{statistics.median(slowests):.2f} s, ratio {ratio:.2f} (target <= 1.5; "
        f"one host after another would be {sum(DELAYS) / max(DELAYS):.1f}x)"
    )
    one = statistics.median(real(1) for _ in range(args.runs))
    eight = statistics.median(real(8) for _ in range(args.runs))
    print(f"real (qemu:///system): once {one:.2f} s, eight times {eight:.2f} s")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())

"""zwizard's speed and memory figures, measured as a user meets them: whole processes.

    python benchmarks/bench.py            # answers mode (and the TUI when built)

Targets: one guest cold at most 5x a bare `python -c pass`, at least 8x faster
than `virt-install --print-xml` for the same guest, at most 40 MiB peak; 200
guests in one run under 0.5 s. Ratios are pairwise: each zwizard run is timed
right after its partner (bare interpreter, virt-install), and the median of the
per-pair ratios is reported, so a machine that slows down for a while slows both
sides of a pair. The exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUEST = """version = 1
[guest]
name = "{name}"
memory_mib = 4096
vcpus = 2
uuid = "{uuid}"
[[disks]]
path = "/var/lib/libvirt/images/{name}.qcow2"
boot_order = 1
[[nics]]
source = {{ network = "default" }}
[watchdog]
action = "poweroff"
"""


def measure(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float]:
    """Median wall seconds and peak resident MiB of a whole process."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {proc.stderr.read().decode()}")
    return statistics.median(times), max(peaks)


def pairwise(a: list[str], b: list[str], runs: int, cwd: Path) -> tuple[float, float, float]:
    """Median seconds of `a`, of `b`, and the median of the per-pair ratios b/a."""
    pairs = [(measure(a, 1, cwd)[0], measure(b, 1, cwd)[0]) for _ in range(runs)]
    return (
        statistics.median(x for x, _ in pairs),
        statistics.median(y for _, y in pairs),
        statistics.median(y / x for x, y in pairs),
    )


def virt_install_cmd(work: Path) -> tuple[list[str], str] | None:
    """The same s390x guest from virt-install, against the local libvirtd as an admin
    would run it; libvirt's test driver (x86, no daemon) when no daemon answers."""
    exe = shutil.which("virt-install")
    if not exe:
        return None
    daemon = (
        subprocess.run(
            ["virsh", "-c", "qemu:///system", "list", "--name"], capture_output=True, timeout=20
        ).returncode
        == 0
        if shutil.which("virsh")
        else False
    )
    target = (
        ["--connect", "qemu:///system", "--arch", "s390x", "--virt-type", "qemu",
         "--watchdog", "diag288"]
        if daemon
        else ["--connect", "test:///default", "--watchdog", "default"]
    )  # fmt: skip
    cmd = [
        exe, "--print-xml", "--name", "bench", "--memory", "4096", "--vcpus", "2", "--import",
        "--disk", f"path={work}/bench.qcow2,size=1", "--network", "network=default",
        "--osinfo", "rhel9.0", "--noautoconsole", *target,
    ]  # fmt: skip
    return cmd, ("qemu:///system, s390x" if daemon else "test:///default, x86: no libvirtd")


INSTALL = Path(tempfile.mkdtemp(prefix="zwizard-bench-"))


def installed_zwizard() -> list[str]:
    """Install this checkout (not editable) into a folder of its own and return the
    command that runs it: the program a user runs, with the bytecode pip compiled
    (this machine may set PYTHONDONTWRITEBYTECODE, which makes a source-tree run
    recompile every time). The developer's own install is left alone."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
         "--target", str(INSTALL), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    os.environ["PYTHONPATH"] = str(INSTALL)  # children find this copy first
    os.environ["ZWIZARD_BENCH_COMMAND"] = f"{sys.executable} -m zwizard"
    return [sys.executable, "-m", "zwizard"]


def line(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("  meets target" if ok else "  MISSES target")
    print(f"  {label:<44}{value:>14}   {target}{verdict}")


def answers_mode(runs: int, guests: int) -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one = work / "one.toml"
        one.write_text(GUEST.format(name="bench", uuid="0f8fad5b-d9cb-469f-a165-70867728950e"))
        python = sys.executable
        zwizard = installed_zwizard()
        one_cmd = [*zwizard, "--answers", str(one), "-o", str(work / "one"), "--force"]
        bare_mem = measure([python, "-c", "pass"], 1, cwd=work)[1]
        cold_mem = measure(one_cmd, 1, cwd=work)[1]
        bare, cold, ratio = pairwise([python, "-c", "pass"], one_cmd, runs, work)
        floor = measure([python, "-c", "import tomllib, argparse, pathlib"], runs, work)[0]
        validated = measure([*one_cmd, "--validate"], runs, work)[0]
        print(f"answers mode ({runs} pairs, medians; {os.cpu_count()} CPUs)")
        line("python -c pass", f"{bare * 1000:.0f} ms", f"{bare_mem:.0f} MiB peak")
        line("  + importing tomllib, argparse, pathlib", f"{floor * 1000:.0f} ms", "(the floor)")
        line(
            "zwizard --answers one.toml (cold)",
            f"{cold * 1000:.0f} ms",
            f"{ratio:.1f}x bare, pairwise (<= 5x)",
            ratio <= 5,
        )
        line("  peak resident memory", f"{cold_mem:.1f} MiB", "(<= 40 MiB)", cold_mem <= 40)
        line(
            "  with --validate (lxml, libvirt's schema)",
            f"{validated * 1000:.0f} ms",
            "(not a target: virsh define --validate checks too)",
        )
        ok &= ratio <= 5 and cold_mem <= 40

        vi = virt_install_cmd(work)
        if vi:
            vi_mem = measure(vi[0], 1)[1]
            _, vi_time, speedup = pairwise(one_cmd, vi[0], max(3, runs // 2), work)
            line(
                "virt-install --print-xml (same guest)",
                f"{vi_time * 1000:.0f} ms",
                f"{vi_mem:.0f} MiB peak, {vi[1]}",
            )
            line(
                "  zwizard speed-up over virt-install",
                f"{speedup:.1f}x",
                "pairwise (>= 8x)",
                speedup >= 8,
            )
            ok &= speedup >= 8
        else:
            line("virt-install --print-xml", "not installed", "(apt-get install virtinst)")

        many = work / "many"
        many.mkdir()
        files = []
        for i in range(guests):
            f = many / f"g{i:03d}.toml"
            f.write_text(
                GUEST.format(name=f"guest{i:03d}", uuid=f"00000000-0000-4000-8000-{i:012d}")
            )
            files.append(str(f))
        out = work / "out"
        runs200 = [
            measure([*zwizard, "--answers", *files, "-o", str(out), "--force"], 1, work)
            for _ in range(3)
        ]
        elapsed, mem = statistics.median(t for t, _ in runs200), max(m for _, m in runs200)
        line(f"{guests} guests in one run", f"{elapsed:.2f} s", "(< 0.5 s)", elapsed < 0.5)
        line("  peak resident memory", f"{mem:.1f} MiB")
        ok &= elapsed < 0.5
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--guests", type=int, default=200)
    args = parser.parse_args()
    ok = answers_mode(args.runs, args.guests)
    tui = ROOT / "benchmarks" / "bench_tui.py"
    if tui.exists():
        ok &= subprocess.run([sys.executable, str(tui)]).returncode == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

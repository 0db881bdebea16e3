"""zwizard's speed and memory figures, measured as a user meets them: whole processes.

    python benchmarks/bench.py            # answers mode (and the TUI when built)

Targets (issue 2): one guest cold at most 10x a bare `python -c pass`, at least
5x faster than `virt-install --print-xml` for the same guest, at most 40 MiB
peak; 200 guests in one run under 2 s. Figures are medians of several runs;
the exit code is 1 when a target is missed, so the figures can gate a change.
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
        bare, bare_mem = measure([python, "-c", "pass"], runs, cwd=work)
        cold, cold_mem = measure(
            [*zwizard, "--answers", str(one), "-o", str(work / "one"), "--force"], runs, cwd=work
        )
        print(f"answers mode ({runs} runs each, medians; {os.cpu_count()} CPUs)")
        line("python -c pass", f"{bare * 1000:.0f} ms", f"{bare_mem:.0f} MiB peak")
        line(
            "zwizard --answers one.toml (cold)",
            f"{cold * 1000:.0f} ms",
            f"{cold / bare:.1f}x bare (<= 10x)",
            cold <= 10 * bare,
        )
        line("  peak resident memory", f"{cold_mem:.1f} MiB", "(<= 40 MiB)", cold_mem <= 40)
        ok &= cold <= 10 * bare and cold_mem <= 40

        vi = virt_install_cmd(work)
        if vi:
            vi_time, vi_mem = measure(vi[0], max(3, runs // 3))
            line(
                "virt-install --print-xml (same guest)",
                f"{vi_time * 1000:.0f} ms",
                f"{vi_mem:.0f} MiB peak, {vi[1]}",
            )
            line(
                "  zwizard speed-up over virt-install",
                f"{vi_time / cold:.1f}x",
                "(>= 5x)",
                vi_time / cold >= 5,
            )
            ok &= vi_time / cold >= 5
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
        elapsed, mem = measure([*zwizard, "--answers", *files, "-o", str(out)], 1, cwd=work)
        line(f"{guests} guests in one run", f"{elapsed:.2f} s", "(< 2 s)", elapsed < 2)
        line("  peak resident memory", f"{mem:.1f} MiB")
        ok &= elapsed < 2
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

"""Auditing many guests on many hosts, through real virsh and libvirt's test driver.

    python benchmarks/bench_audit.py [--guests 200] [--hosts 20] [--runs 3]

libvirt's `test:///PATH` driver reads a node described in an XML file: many domains, no
QEMU, no daemon (virsh runs the driver in its own process). Each host here is such a
node with `--guests` s390x domains — a third with an x86 habit (`<os><boot dev>`, a PCI
address, ACPI), the test driver's domains all running, so each has a live definition
too. Two figures, each the median of `--runs`:
- one host with `--guests` guests (target 3 s),
- `--hosts` hosts with `--guests` guests each, audited at once (target 10 s).
Prints the figures; the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zwizard.audit import audit, exit_code  # noqa: E402

FAULTS = [
    "",
    "<boot dev='hd'/>",
    "",
]
DEVICE_FAULT = (
    "<interface type='network'><source network='default'/><model type='virtio'/>"
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/></interface>"
)


def domain(host: int, n: int) -> str:
    fault = FAULTS[n % len(FAULTS)]
    acpi = "<features><acpi/></features>" if n % 7 == 0 else ""
    nic = DEVICE_FAULT if n % 5 == 0 else ""
    order = "" if fault else "<boot order='1'/>"  # libvirt takes one or the other
    return f"""<domain type='test'>
  <name>zwa-h{host}-g{n}</name>
  <uuid>{uuid.UUID(int=(host << 32) + n + 1)}</uuid>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type>{fault}</os>{acpi}
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/zwa-h{host}-g{n}.qcow2'/>
      <target dev='vda' bus='virtio'/>{order}</disk>{nic}
    <console type='pty'><target type='sclp'/></console>
  </devices>
</domain>"""


def node(folder: Path, host: int, guests: int) -> str:
    path = folder / f"node{host}.xml"
    path.write_text("<node>\n" + "\n".join(domain(host, n) for n in range(guests)) + "\n</node>\n")
    return f"test://{path}"


def cpu() -> float:
    """CPU seconds of this process and its children (virsh, the judging workers)."""
    own, kids = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


CPU: list[float] = []


def timed(uris: list[str], expect: int) -> tuple[float, int]:
    started, spent = time.monotonic(), cpu()
    hosts = audit(uris)
    took = time.monotonic() - started
    CPU.append(cpu() - spent)
    judged = sum(len(h.guests) for h in hosts)
    assert all(h.judged for h in hosts), [h.problem for h in hosts if not h.judged]
    assert judged == expect, (judged, expect)  # inactive and live of every guest
    return took, exit_code(hosts)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--guests", type=int, default=200)
    p.add_argument("--hosts", type=int, default=20)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="zwa-bench-") as tmp:
        uris = [node(Path(tmp), h, args.guests) for h in range(args.hosts)]
        load = os.getloadavg()[0]
        one = [timed(uris[:1], 2 * args.guests)[0] for _ in range(args.runs)]
        one_cpu = statistics.median(CPU[-args.runs :])
        many = [timed(uris, 2 * args.guests * args.hosts)[0] for _ in range(args.runs)]
        many_cpu = statistics.median(CPU[-args.runs :])
    one_s, many_s = statistics.median(one), statistics.median(many)
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the start")
    print(
        f"1 host x {args.guests} guests ({2 * args.guests} definitions): {one_s:.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in one)}; target 3 s), {one_cpu:.2f} CPU s"
    )
    print(
        f"{args.hosts} hosts x {args.guests} guests ({2 * args.guests * args.hosts} "
        f"definitions): {many_s:.2f} s (runs {', '.join(f'{t:.2f}' for t in many)}; "
        f"target 10 s), {many_cpu:.2f} CPU s (virsh and judging workers included)"
    )
    return 0 if one_s <= 3 and many_s <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())

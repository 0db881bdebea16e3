"""Rules on the guest as a whole: name, OS, machine, lifecycle, memory and its tuning
(pinning, I/O threads, memtune, the rng's source, the vsock's id), the console's log and
the balloon's settings, and text. A part's own rules sit in its module in zwizard.parts
(the CPU and its topology, the kernel boot, graphics, the watchdog, the clock)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwizard.findings import Collector as _Collector
from zwizard.findings import Finding, Severity, reports
from zwizard.iothreads import iothread_ids, iothreads_said
from zwizard.lazy import Pattern
from zwizard.model import Answers

if TYPE_CHECKING:
    from zwizard.host import HostInfo
from zwizard.address import is_uuid
from zwizard.inputs import (
    bad_character,
)
from zwizard.limits import (
    GUEST_NAME,
    LIFECYCLE_ACTIONS,
    MAX_MEMORY_MIB,
    MAX_VCPUS,
    QEMU_REFUSED_LIFECYCLE,
    S390_ARCH,
    S390_MACHINE,
    SUPPORTED_OS,
)
from zwizard.machine import machine_problem
from zwizard.plan import Plan
from zwizard.stack_versions import (
    DEFAULT_STACK,
    Stack,
    machine_absent,
)
from zwizard.structure import fields, is_record


def machine_removed(
    machine: str | None,
    stack: Stack = DEFAULT_STACK,
    host: HostInfo | None = None,
    host_is_target: bool = True,
) -> Finding | None:
    """Rule machine-removed: a definition pinned to a versioned machine type (libvirt
    records s390-ccw-virtio-X.Y at define) that the judged QEMU does not have. libvirt
    refuses to define or start it ("Emulator … does not support machine type …"): an
    error for the stack judged (a warning where the guest is for another host). The
    host's own machine list, where discovery read it, is preferred over the table."""
    if not machine or machine == S390_MACHINE:
        return None
    machines = host.machines if host is not None and host_is_target else None
    why = machine_absent(machine, stack, machines)
    if why is None:
        return None
    severity: Severity = "error" if host is None or host_is_target else "warning"
    return Finding(
        "machine-removed",
        severity,
        "guest",
        f"machine type {machine}: {why}; libvirt refuses to define or start it "
        f"(\"Emulator … does not support machine type '{machine}'\"): use "
        f"{S390_MACHINE}, which libvirt pins to the host's newest at define",
    )


# --- guest -----------------------------------------------------------------------------


@reports(
    "guest-name",
    "guest-os",
    "lifecycle",
    "memory",
    "no-mem-hotplug",
    "no-smbios",
    "s390-machine",
    "uuid",
    "vcpus",
)
def _guest(a: Answers, plan: Plan, out: _Collector, stack: Stack = DEFAULT_STACK) -> None:
    g = a.guest
    if not g.name:
        out.error("guest-name", "guest.name", "a guest name is required")
    elif not GUEST_NAME.fullmatch(g.name):
        out.error(
            "guest-name",
            "guest.name",
            f"'{g.name}' cannot be used: it names the libvirt domain and the output file, so "
            "use 1-64 of letters, digits, '_', '.', '+', '-', not starting with '.', '-' or '+'",
        )
    if g.uuid is not None and not is_uuid(g.uuid):
        out.error("uuid", "guest.uuid", f"'{g.uuid}' is not a UUID (8-4-4-4-12 hex digits)")
    if g.os not in SUPPORTED_OS:
        out.warn(
            "guest-os",
            "guest.os",
            f"'{g.os}' is not supported by Red Hat on IBM Z (only RHEL 7, 8 and 9 are)",
        )
    if g.smbios:
        out.error("no-smbios", "guest.smbios", "SMBIOS is not available on IBM Z")
    if g.machine is not None and machine_problem(S390_ARCH, g.machine) is not None:
        out.error("s390-machine", "guest.machine", f"'{g.machine}' is no {S390_MACHINE} machine")

    if not 1 <= g.vcpus <= MAX_VCPUS:
        out.error(
            "vcpus", "guest.vcpus", f"{g.vcpus} vCPUs: IBM Z guests have 1 to {MAX_VCPUS} vCPUs"
        )
    # s390-ccw-virtio (>= 5.0) gives exactly the size asked: no rounding to warn about
    # (only machine types up to 4.2 rounded; hw/s390x/sclp.c fixup_ram_size).
    if g.memory_mib < 1:
        out.error("memory", "guest.memory_mib", f"{g.memory_mib} MiB is not a memory size")
    elif g.memory_mib > MAX_MEMORY_MIB:
        out.error(
            "memory",
            "guest.memory_mib",
            f"{g.memory_mib} MiB is more than libvirt can hold ({MAX_MEMORY_MIB} MiB at most)",
        )
    for key in ("on_poweroff", "on_reboot", "on_crash"):
        action, refused = getattr(g, key), QEMU_REFUSED_LIFECYCLE[key]
        if action in refused:
            usable = ", ".join(x for x in LIFECYCLE_ACTIONS[key] if x not in refused)
            out.error(
                "lifecycle",
                f"guest.{key}",
                f"{key} = '{action}': libvirt's QEMU driver refuses it at define "
                f"(\"qemu driver doesn't support the '{action}' action\"); use {usable}",
            )
    if g.on_poweroff == "restart" and g.on_reboot == "destroy":
        out.error(
            "lifecycle",
            "guest.on_reboot",
            "on_reboot = 'destroy' with on_poweroff = 'restart': libvirt's QEMU driver refuses "
            "the pair at define (\"qemu driver doesn't support 'onReboot' set to 'destroy and "
            "'onPoweroff' set to 'reboot'\"); change one of them",
        )
    if g.memory_mib < 1024 and g.os in SUPPORTED_OS and g.memory_mib >= 1:
        out.warn(
            "memory",
            "guest.memory_mib",
            f"{g.memory_mib} MiB is below what the {SUPPORTED_OS[g.os]} installer needs "
            "(at least 1024 MiB; 2048 or more recommended)",
        )
    if a.memory.hotplug and not stack.allows("virtio-mem"):
        out.error(
            "no-mem-hotplug",
            "memory.hotplug",
            "memory cannot be added to a running guest on IBM Z, so there is no maxMemory "
            f"(virtio-mem {stack.verdict('virtio-mem')})",
        )
    elif a.memory.hotplug:
        out.warn(
            "no-mem-hotplug",
            "memory.hotplug",
            f"virtio-mem-ccw can add memory to a running guest on {stack.describe()}, but "
            "Red Hat's document does not support memory hot-plug on IBM Z, and zwizard "
            "writes no virtio-mem device: add one with virsh attach-device after define",
        )


# --- tuning, across parts ---------------------------------------------------------------


# libvirt's bitmap syntax (virBitmapParse): N, N-M and ^N, comma-separated
CPUSET = Pattern(r"\^?[0-9]+(-[0-9]+)?(,\^?[0-9]+(-[0-9]+)?)*")  # ASCII: \d takes '٣' too


@reports("cpu-pinning", "iothreads", "memtune", "rng-source", "vsock")
def _tuning(a: Answers, plan: Plan, out: _Collector) -> None:
    """I/O threads, cputune pinning and memtune limits, as libvirt 9.0 takes them (seen)."""
    cpu, mem = a.cpu, a.memory
    if a.guest.iothreads is not None and a.guest.iothreads < 0:
        count = a.guest.iothreads
        out.error("iothreads", "guest.iothreads", f"{count} I/O threads: give 0 or more")
    source = a.rng.source
    if not source.startswith("/") or any(ord(ch) < 32 for ch in source):
        out.error(
            "rng-source",
            "rng.source",
            f"'{source}' is not an absolute host path (e.g. /dev/urandom)",
        )
    seen: set[int] = set()
    for j, thread_id in enumerate(a.guest.iothread_ids):
        if thread_id < 1:
            out.error(
                "iothreads",
                f"guest.iothread_ids[{j}]",
                f"I/O thread id {thread_id}: ids start at 1 (libvirt refuses 0 and below)",
            )
        elif thread_id in seen:
            where = f"guest.iothread_ids[{j}]"
            out.error("iothreads", where, f"I/O thread id {thread_id} is listed twice")
        seen.add(thread_id)
    thread = a.guest.scsi_iothread
    if thread is not None and thread not in iothread_ids(a.guest):
        out.error(
            "iothreads",
            "guest.scsi_iothread",
            f"I/O thread {thread} does not exist ({iothreads_said(a.guest)}; libvirt: "
            f"\"controller iothread '{thread}' not defined in iothreadid\")",
        )
    for index, cpuset in cpu.pinning.items():
        path = f"cpu.pinning.{index}"
        if not index.isdigit() or int(index) >= a.guest.vcpus:
            out.error(
                "cpu-pinning",
                path,
                f"vCPU '{index}' does not exist (vCPUs 0 to {a.guest.vcpus - 1}): libvirt drops "
                "such a vcpupin at define without a word",
            )
        if not CPUSET.fullmatch(cpuset):
            out.error(
                "cpu-pinning",
                path,
                f"'{cpuset}' is not a set of host CPUs: N, N-M or ^N, comma-separated (libvirt: "
                '"Failed to parse bitmap")',
            )
    if a.vsock is not None and a.vsock.cid is not None and a.vsock.cid < 3:
        out.error(
            "vsock", "vsock.cid", f"context id {a.vsock.cid}: libvirt: guest CIDs must be >= 3"
        )
    for index, cpuset in cpu.iothread_pinning.items():
        path = f"cpu.iothread_pinning.{index}"
        if not index.isdigit() or int(index) not in iothread_ids(a.guest):
            out.error(
                "cpu-pinning",
                path,
                f"I/O thread '{index}' does not exist ({iothreads_said(a.guest)})",
            )
        if not CPUSET.fullmatch(cpuset):
            out.error("cpu-pinning", path, f"'{cpuset}' is not a set of host CPUs")
    if cpu.emulator_pinning is not None and not CPUSET.fullmatch(cpu.emulator_pinning):
        out.error(
            "cpu-pinning",
            "cpu.emulator_pinning",
            f"'{cpu.emulator_pinning}' is not a set of host CPUs: N, N-M or ^N, comma-separated",
        )
    for key in ("hard_limit_mib", "soft_limit_mib", "swap_hard_limit_mib"):
        value = getattr(mem, key)
        if value is not None and value < 1:
            out.error("memtune", f"memory.{key}", f"{value} MiB: give 1 or more, or leave it out")
    hard, swap = mem.hard_limit_mib, mem.swap_hard_limit_mib
    if swap is not None and hard is None:
        out.error(
            "memtune",
            "memory.swap_hard_limit_mib",
            "swap_hard_limit is memory plus swap above hard_limit, so it needs hard_limit_mib "
            'too (libvirt at start, seen with 9.0: "Invalid value … for '
            "'memory.memsw.limit_in_bytes'\" while the memory limit is unlimited)",
        )
    if hard is not None and swap is not None and swap <= hard:
        out.error(
            "memtune",
            "memory.swap_hard_limit_mib",
            f"swap_hard_limit {swap} MiB must be more than hard_limit {hard} MiB (it is memory "
            "plus swap; libvirt's memtune documentation)",
        )
    if hard is not None and hard >= 1 and hard <= a.guest.memory_mib:
        out.warn(
            "memtune",
            "memory.hard_limit_mib",
            f"hard_limit {hard} MiB is not above the guest's {a.guest.memory_mib} MiB: QEMU "
            "needs that plus its own memory, and the kernel kills it at the limit",
        )


@reports("console-log", "memory", "se-no-memstats")
def _console_memory(a: Answers, plan: Plan, out: _Collector) -> None:
    if a.console.log is not None and not a.console.log.startswith("/"):
        out.error(
            "console-log",
            "console.log",
            f"'{a.console.log}' must be an absolute host path (virtlogd writes it as given)",
        )
    if a.console.log is not None and not a.console.sclp:
        out.error(
            "console-log",
            "console.log",
            "the log is the SCLP console's, and console.sclp = false leaves the guest none: "
            "turn the console on or leave out the log",
        )
    mem = a.memory
    for key in ("balloon_autodeflate", "balloon_stats_period"):
        if getattr(mem, key) is not None and not plan.balloon:
            out.error(
                "se-no-memstats" if a.secure_execution.enabled else "memory",
                f"memory.{key}",
                f"memory.{key} sets the balloon, and this guest has none"
                + (" (Secure Execution)" if a.secure_execution.enabled else ""),
            )
    if mem.balloon_stats_period is not None and mem.balloon_stats_period < 1:
        out.error(
            "memory",
            "memory.balloon_stats_period",
            f"{mem.balloon_stats_period} s: give 1 or more seconds, or leave it out for no "
            "statistics (libvirt's schema takes a positive period)",
        )


# --- text ----------------------------------------------------------------------------

# The one key whose text may span lines (it is an XML element's text); every other value
# lands in an attribute, a one-line element or a pxelinux line. libvirt itself refuses a
# newline in <title> ("Domain title can't contain newlines").
MULTILINE_KEYS = ("guest.description",)


@reports("text")
def _text(a: Answers, plan: Plan, out: _Collector) -> None:
    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, str):
            bad = bad_character(obj, newlines=path in MULTILINE_KEYS)
            if bad:
                out.error(
                    "text",
                    path,
                    f"{obj!r} holds a character that cannot be written ({bad}): control "
                    "characters are refused" + ("" if path in MULTILINE_KEYS else
                                                ", and line breaks outside description"),
                )  # fmt: skip
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]")
        elif is_record(obj):
            for f in fields(obj):
                walk(getattr(obj, f.name), f"{path}.{f.name}" if path else f.name)

    walk(a, "")

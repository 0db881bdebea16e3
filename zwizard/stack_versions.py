"""The libvirt and QEMU versions the rules depend on: one table, one place.

The rules were written from RHEL 9's document and proven on Debian 12's libvirt 9.0 and
QEMU 7.2, the oldest stack libvirt supports. Newer stacks change some of them. Each row
below says which rule, what older stacks do, what newer ones allow, from which libvirt
and QEMU version, and the source. docs/rules.md (section 13) is this table in prose.

A guest is judged against a stack: the host's (its daemon's libvirt and its QEMU, read
by discovery), else the answers' `[target]`, else the default — libvirt 9.0 with QEMU
7.2, which is safe everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Answers

Version = tuple[int, ...]

# QEMU's deprecated s390x CPU features (target/s390x/cpu_features.c,
# s390_get_deprecated_features): what deprecated_features='off' writes as policy='disable'
DEPRECATED_CPU_FEATURES = frozenset({"bpb", "csske", "te", "cte"})
# from this libvirt, deprecated_features='off' is the default for s390 host-model
DEPRECATED_OFF_BY_DEFAULT: Version = (11, 6)

DEFAULT_LIBVIRT: Version = (9, 0)
DEFAULT_QEMU: Version = (7, 2)
# what [target] libvirt/qemu must look like: "digits.digits"
TARGET_VERSION = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}")


@dataclass(frozen=True)
class StackRule:
    """One rule whose truth depends on the stack's versions."""

    key: str  # this row's name, asked by `Stack.allows`
    rule: str  # the rule id (zwizard.rules.RULES) the row changes
    older: str  # what stacks before the versions do
    newer: str  # what stacks from the versions on allow
    libvirt: Version | None  # needed libvirt (None: any)
    qemu: Version | None  # needed QEMU (None: any)
    source: str

    def since(self) -> str:
        parts = [f"libvirt {show(self.libvirt)}" if self.libvirt else ""]
        parts.append(f"QEMU {show(self.qemu)}" if self.qemu else "")
        return " with ".join(p for p in parts if p)


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        "boot-fallback",
        "boot-order",
        "the firmware tries only the first boot device; a broken one is not skipped",
        "the next boot device is tried when one fails (at most 8 devices)",
        (10, 10),
        (9, 2),
        "libvirt NEWS 10.10.0; QEMU docs/system/s390x/bootdevices.rst",
    ),
    StackRule(
        "per-device-loadparm",
        "loadparm",
        "only the first boot device's loadparm is used (libvirt 9.0: -machine loadparm=, "
        "from a disk or interface: a vfio-ccw one is dropped)",
        "each ccw boot device has its own loadparm; QEMU refuses one on a device "
        "without a boot index",
        (10, 10),
        (9, 2),
        "QEMU docs/system/s390x/bootdevices.rst, commit 0927875e; libvirt NEWS 10.10.0",
    ),
    StackRule(
        "virtio-mem",
        "no-mem-hotplug",
        "no memory hot-plug on s390x (the RHEL 9 document's rule)",
        "virtio-mem-ccw adds memory to a running guest (libvirt 11.1 wrote a PCI "
        "address for it; the ccw address is fixed in 11.2)",
        (11, 2),
        (10, 0),
        "QEMU hw/s390x/virtio-ccw-mem.c (virtio-mem-ccw, QEMU 10.0); libvirt NEWS.rst 11.1.0 "
        '("Introduce virtio-mem <memory/> model for s390 guests") and 11.2.0 ("qemu: attach '
        'virtio-mem with CCW address")',
    ),
    StackRule(
        "virtiofs-readonly",
        "share",
        "libvirt refuses `<readonly/>` on virtiofs "
        '("virtiofs does not yet support read-only mode")',
        "a read-only virtiofs share",
        (11, 0),
        None,
        'libvirt NEWS.rst 11.0.0 ("virtiofs: Allow read only mode")',
    ),
    StackRule(
        "deprecated-features",
        "cpu-migration",
        "no `deprecated_features` attribute: the deprecated CPU features (bpb, csske, te, "
        "cte) are turned off one by one with `policy='disable'`",
        "`<cpu deprecated_features='off'>` writes them as `policy='disable'` itself; from "
        "libvirt 11.6 that is the default for s390 host-model",
        (11, 0),
        (9, 1),
        "libvirt commit 62658bbf (conf: add deprecated_features attribute; its series' "
        'VIR_CONNECT_GET_DOMAIN_CAPABILITIES_DISABLE_DEPRECATED_FEATURES is "Since: 11.0.0" '
        "in include/libvirt/libvirt-domain.h; NEWS.rst 11.0.0 does not list it), NEWS.rst "
        "11.6.0 (off by default for s390 host-model); QEMU qapi/machine-target.json "
        'deprecated-props ("since 9.1" on s390x)',
    ),
    StackRule(
        "machine-4.2-removed",
        "machine-removed",
        "versioned machine types back to s390-ccw-virtio-2.4 exist",
        "versioned machine types are removed after six years: s390-ccw-virtio-4.2 is "
        "gone in QEMU 10.2 (X.Y is gone from QEMU X+6.Y on)",
        None,
        (10, 2),
        'QEMU docs/about/deprecated.rst ("versioned machine types are only intended to be '
        'supported for a period of 6 years"); include/hw/boards.h MACHINE_VER_DELETION_MAJOR '
        "6 and _MACHINE_VER_IS_CURRENT_EXPIRED (from QEMU 9.1)",
    ),
    StackRule(
        "se-ap",
        "se-no-vfio",
        "no vfio-ap in a Secure Execution guest (the RHEL 9 document's rule)",
        "AP passthrough into a secure guest where host-model carries `appv`",
        None,
        None,
        "QEMU target/s390x/cpu_features_def.h.inc (appv); read from the host's domain "
        "capabilities, no version pinned here",
    ),
    StackRule(
        "gen17",
        "cpu-model",
        "CPU models up to gen16b",
        "gen17a and gen17b",
        None,
        None,
        "QEMU target/s390x/cpu_models.c; read from the host's domain capabilities "
        "(`usable='yes'`), no version pinned here",
    ),
    StackRule(
        "cpu-blockers",
        "host-cpu-model",
        "an unusable CPU model is only `usable='no'`",
        "domain capabilities name the features that block it (`<blockers>`)",
        (10, 9),
        None,
        "libvirt NEWS 10.9.0",
    ),
)
BY_KEY = {r.key: r for r in STACK_RULES}


def show(version: Version | None) -> str:
    return ".".join(map(str, version)) if version else "(not read)"


def parse(text: str) -> Version | None:
    """'10.10' -> (10, 10); None for anything but digits.digits."""
    if not TARGET_VERSION.fullmatch(text):
        return None
    return tuple(int(p) for p in text.split("."))


@dataclass(frozen=True)
class Stack:
    """The libvirt and QEMU a guest is judged against, and where they come from."""

    libvirt: Version
    qemu: Version
    origin: str = "default"  # "default", "target", or the host's label

    def allows(self, key: str) -> bool:
        row = BY_KEY[key]
        return (row.libvirt is None or self.libvirt[:2] >= row.libvirt) and (
            row.qemu is None or self.qemu[:2] >= row.qemu
        )

    def describe(self) -> str:
        """'libvirt 9.0 / QEMU 7.2 (the default target; …)' for a finding's message."""
        versions = f"libvirt {show(self.libvirt)} / QEMU {show(self.qemu)}"
        if self.origin == "default":
            return f"{versions} (the default target; [target] or the host's stack changes it)"
        if self.origin == "target":
            return f"{versions} (the answers' [target])"
        return f"{versions} ({self.origin}'s stack)"

    def verdict(self, key: str) -> str:
        """Why this stack does (not) allow `key`: the versions it needs and judged."""
        row = BY_KEY[key]
        return f"needs {row.since()}; judged on {self.describe()}"


DEFAULT_STACK = Stack(DEFAULT_LIBVIRT, DEFAULT_QEMU)


def target_stack(answers: Answers) -> Stack:
    """The answers' `[target]`, or the default; a malformed version keeps the default
    for that part (rule `target` reports it)."""
    target = answers.target
    if target is None:
        return DEFAULT_STACK
    libvirt = parse(target.libvirt or "") if target.libvirt else None
    qemu = parse(target.qemu or "") if target.qemu else None
    if libvirt is None and qemu is None:
        return DEFAULT_STACK
    return Stack(libvirt or DEFAULT_LIBVIRT, qemu or DEFAULT_QEMU, "target")


def stack_of(answers: Answers, host: HostInfo | list[HostInfo] | None = None) -> Stack:
    """The stack to judge against: the host's versions where discovery read both (with
    several hosts, the oldest of each: a guest for all of them gets what all allow),
    else the answers' `[target]`, else the default."""
    hosts = host if isinstance(host, list) else [host] if host is not None else []
    read = [h for h in hosts if h.libvirt_version and h.qemu_version]
    if not read or len(read) < len(hosts):
        return target_stack(answers)
    libvirt = min(h.libvirt_version or () for h in read)
    qemu = min(h.qemu_version or () for h in read)
    origin = read[0].label if len(read) == 1 else "the oldest host"
    return Stack(libvirt, qemu, f"host {origin}" if len(read) == 1 else origin)


def table_lines() -> list[str]:
    """The table as Markdown rows (docs/rules.md section 13 is checked against it)."""
    lines = [
        "| key | rule | older stacks | newer stacks allow | since | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in STACK_RULES:
        since = r.since() or "read from the host"
        lines.append(f"| `{r.key}` | `{r.rule}` | {r.older} | {r.newer} | {since} | {r.source} |")
    return lines


def judged_stack(
    answers: Answers, host: HostInfo | list[HostInfo] | None, host_is_target: bool = True
) -> Stack:
    """The stack a guest is judged against: this host's when the guest is for it (or for
    each of several hosts), else the answers' `[target]` or the default — a guest for
    another host is not judged by this one's versions."""
    if host is not None and not isinstance(host, list) and not host_is_target:
        return target_stack(answers)
    return stack_of(answers, host)


# QEMU's versioned machine types live six years (include/hw/boards.h
# MACHINE_VER_DELETION_MAJOR): X.Y is not registered from QEMU X+6.Y on, a lifecycle
# QEMU enforces from 9.1; before it no s390-ccw-virtio-X.Y from 2.4 on was removed.
MACHINE_LIFETIME_MAJOR = 6
MACHINE_LIFECYCLE_FROM: Version = (9, 1)
_VERSIONED_MACHINE = re.compile(r"s390-ccw-virtio-([0-9]+)\.([0-9]+)")


def machine_absent(machine: str, stack: Stack, machines: list[str] | None = None) -> str | None:
    """Why QEMU of `stack` has no machine type `machine`, or None where it has it (or
    where it is not an upstream versioned name: RHEL's s390-ccw-virtio-rhel9.4.0 has its
    own lifecycle, read from the host's list only). `machines`: the host's own list
    (`virsh capabilities`), preferred over the table where it was read."""
    if machines:
        if machine in machines:
            return None
        return (
            f"the host's QEMU has no {machine} (its list: {machines[0]} to {machines[-1]}; "
            f"judged on {stack.describe()})"
        )
    found = _VERSIONED_MACHINE.fullmatch(machine)
    if found is None:
        return None
    major, minor = int(found[1]), int(found[2])
    qemu = stack.qemu[:2]
    if (major, minor) > qemu:
        return f"{machine} is newer than QEMU {show(qemu)} of {stack.describe()}"
    expired = qemu[0] - major > MACHINE_LIFETIME_MAJOR or (
        qemu[0] - major == MACHINE_LIFETIME_MAJOR and qemu[1] >= minor
    )
    if qemu >= MACHINE_LIFECYCLE_FROM and expired:
        return (
            f"QEMU removes versioned machine types after six years: {machine} is gone from "
            f"QEMU {major + MACHINE_LIFETIME_MAJOR}.{minor} on; judged on {stack.describe()}"
        )
    return None

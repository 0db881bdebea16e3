"""The IBM Z rules: the one place that decides what a guest may be.

`check(answers)` returns every finding; `availability(answers, path, value)`
tells a front end whether a choice is allowed *now* and, if not, why. The
second is the first applied to a trial copy, so a rule can never say one thing
to the answers mode and another to the wizard. Rule ids come from
docs/rules.md (the project's rules reference) and are never renamed.

The rules themselves are declared in `catalog` and checked by group, one module each:
`guest` (the guest as a whole, CPU, memory, text), `boot` (addresses, boot order,
loadparm), `secure` (Secure Execution), `pxe` (the install's kernel line) and `host`
(what this host, several hosts or the judged versions must have); every device kind's own
rules sit beside the kind (zwizard.devices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwizard.cpu_models import CPU_MODELS
from zwizard.devices import KINDS
from zwizard.findings import DECLARED, Finding, checked, reports
from zwizard.findings import Collector as _Collector
from zwizard.limits import (
    GUEST_NAME,
    MAX_MEMORY_MIB,
    S390_ARCH,
    S390_MACHINE,
    SE_MAX_VCPUS,
    SE_NOTES,
)
from zwizard.machine import machine_problem as machine_problem
from zwizard.model import Answers
from zwizard.parts import PARTS
from zwizard.plan import Plan, make_plan
from zwizard.rules.boot import _addresses, _boot
from zwizard.rules.catalog import CATALOG, RULES, Rule, rules_for_step
from zwizard.rules.guest import (
    _console_memory,
    _guest,
    _text,
    _tuning,
    machine_removed,
)
from zwizard.rules.host import _host, _hosts, _stack
from zwizard.rules.pxe import _pxe
from zwizard.rules.secure import _se_ap_allowed, _secure_execution
from zwizard.stack_versions import judged_stack
from zwizard.structure import record

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.stack_versions import Stack

__all__ = [
    "CATALOG",
    "CPU_MODELS",
    "GUEST_NAME",
    "MAX_MEMORY_MIB",
    "NEVER_AVAILABLE",
    "RULES",
    "S390_ARCH",
    "S390_MACHINE",
    "SE_MAX_VCPUS",
    "SE_NOTES",
    "Availability",
    "Finding",
    "Rule",
    "availability",
    "check",
    "checks_of",
    "errors",
    "machine_problem",
    "machine_removed",
    "rules_for_step",
]


def check(
    answers: Answers,
    plan: Plan | None = None,
    host: HostInfo | list[HostInfo] | None = None,
    host_is_target: bool = True,
) -> list[Finding]:
    """Every finding for these answers, errors first, then in answers order.

    With `host`, what this KVM host lacks is found too: as errors when the guest
    is for this host, as warnings when the XML is meant for another one. With several
    hosts, each host's findings name it, and what they do not share is judged too.
    """
    plan = plan or make_plan(answers)
    out = _Collector()
    # the libvirt and QEMU the version-dependent rules judge against (stack_versions)
    stack = judged_stack(answers, host, host_is_target)
    for rule_group in _RULE_GROUPS:
        if rule_group in (_guest, _boot):
            checked(rule_group, out, answers, plan, out, stack)
        else:
            checked(rule_group, out, answers, plan, out)
    checked(_stack, out, answers, plan, stack, out)
    # a versioned machine type the judged QEMU no longer has (a converted guest keeps its
    # own; a new one is unversioned and never meets this)
    one_host = host[0] if isinstance(host, list) and len(host) == 1 else host
    checked(
        _machine_removed,
        out,
        answers,
        stack,
        one_host if not isinstance(one_host, list) else None,
        host_is_target,
        out,
    )
    if isinstance(host, list) and len(host) == 1:
        host = host[0]
    if isinstance(host, list):
        _hosts(answers, plan, host, out, host_is_target)  # each host's checks, named
    elif host is not None:
        _host(answers, plan, host, out, host_is_target)  # this host's and each kind's
        if host_is_target and host.se_ap:
            checked(_se_ap_allowed, out, answers, out)
    order = {"error": 0, "warning": 1, "note": 2}
    return sorted(out.findings, key=lambda f: order[f.severity])


@reports("machine-removed")
def _machine_removed(
    answers: Answers,
    stack: Stack,
    host: HostInfo | None,
    host_is_target: bool,
    out: _Collector,
) -> None:
    removed = machine_removed(answers.guest.machine, stack, host, host_is_target)
    if removed is not None:
        out.findings.append(
            Finding(removed.rule, removed.severity, "guest.machine", removed.message)
        )


def checks_of(rule_id: str) -> tuple[str, ...]:
    """Where a rule is checked: every check that declares it (`@reports`), by its
    module and name — of the modules imported so far (the host preparation's and the
    typed text's checks are declared in zwizard.prepare and zwizard.session)."""
    return tuple(
        f"{check.__module__}.{check.__qualname__}"
        for check, ids in DECLARED.items()
        if rule_id in ids
    )


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


_RULE_GROUPS = (
    _text,
    _guest,
    *(kind.check for kind in KINDS),  # each device kind's own rules
    _addresses,
    _boot,
    *(part.check for part in PARTS if part.check is not None),  # in document order
    _secure_execution,
    _pxe,
    _console_memory,
    _tuning,
)


# --- availability for front ends ---------------------------------------------------------

# Things no answers key can ask for, because IBM Z has none of them; front ends show
# them greyed with this reason (and `zwizard check` finds them in imported XML).
NEVER_AVAILABLE = {
    "usb": ("ccw-only", "IBM Z has no virtual USB devices"),
    "virtio-pci": ("ccw-only", "IBM Z has no virtual PCI devices; virtio devices are virtio-ccw"),
    "graphical-console": (
        "graphics",
        "libvirt 9.0 and QEMU 7.2 accept VNC with virtio-gpu-ccw and virtio input on s390x, "
        "but RHEL on IBM Z is run from the SCLP console (virsh console)",
    ),
    "video": (
        "ccw-only",
        "only virtio video (virtio-gpu-ccw) exists on IBM Z; VGA, QXL and "
        "Cirrus are PCI or ISA devices",
    ),
    "parallel": (
        "ccw-only",
        "parallel ports are PC ISA devices (libvirt: parallel ports are not supported)",
    ),
    "v2v": ("no-v2v", "virt-v2v and virt-p2v are not available on IBM Z; use zwizard convert"),
    "os-boot-dev": (
        "boot-order",
        "<os><boot dev> is not supported on IBM Z; the boot order is set per device",
    ),
    "x86-features": (
        "no-x86-features",
        "ACPI, APIC, PAE, VMport, Hyper-V and SMM are x86 features; IBM Z has none of them",
    ),
    "uefi": ("s390-machine", "IBM Z guests boot with the s390-ccw firmware; there is no UEFI"),
    "pci-controller": ("ccw-only", "IBM Z has no virtual PCI bus; devices sit on the ccw bus"),
    "ps2": ("ccw-only", "PS/2 input devices sit on the PC's ISA bus; IBM Z has none"),
    "sound": ("ccw-only", "sound cards are PCI or USB devices, which IBM Z does not have"),
}


@record(frozen=True)
class Availability:
    """Whether a choice is allowed now; `reasons` say why not (or what to mind)."""

    allowed: bool
    reasons: tuple[Finding, ...] = ()

    @property
    def reason(self) -> str:
        return self.reasons[0].message if self.reasons else ""

    @property
    def rule(self) -> str:
        return self.reasons[0].rule if self.reasons else ""


def availability(
    answers: Answers,
    path: str,
    value: Any,
    baseline: list[Finding] | None = None,
    host: HostInfo | None = None,
    host_is_target: bool = True,
) -> Availability:
    """Would setting `path` to `value` break a rule that holds now?

    `path` is a key path (`cpu.mode`, `passthrough[0].boot_order`); `list[+]`
    appends `value` to the list. Findings the answers already have do not count,
    so an unfinished form elsewhere never greys an unrelated choice. Pass
    `baseline` (= check(answers)) when asking about many choices at once.
    """
    if path in NEVER_AVAILABLE:
        rule, text = NEVER_AVAILABLE[path]
        return Availability(False, (Finding(rule, "error", path, text),))
    import copy

    from zwizard.structure import assign

    before = set(baseline if baseline is not None else check(answers, None, host, host_is_target))
    from zwizard.choices import follow_choice

    trial = copy.deepcopy(answers)
    assign(trial, path, copy.deepcopy(value))
    follow_choice(trial, path, value)
    after = check(trial, None, host, host_is_target)
    new = [f for f in after if f not in before and f.severity != "note"]
    blocking = tuple(f for f in new if f.severity == "error")
    if blocking:
        return Availability(False, blocking)
    return Availability(True, tuple(new))

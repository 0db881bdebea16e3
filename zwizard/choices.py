"""What the front ends offer, in the words they show: one list for the wizard and
the prompts, so the two can never drift apart. The rules decide which are allowed."""

from __future__ import annotations

from typing import Any, get_args

from zwizard.vocabulary import (
    WATCHDOG_ACTIONS,  # noqa: F401 - offered in the model's order
    CrashAction,
    Lifecycle,
    PassthroughType,
)

OS = [("rhel9", "RHEL 9"), ("rhel8", "RHEL 8"), ("rhel7", "RHEL 7"), ("other", "other")]
# what libvirt does when the guest powers off, reboots, crashes (the QEMU driver refuses
# some: greyed by rule lifecycle, with its words)
LIFECYCLE: list[tuple[Any, str]] = [(a, a) for a in get_args(Lifecycle)]
CRASH_ACTIONS: list[tuple[Any, str]] = [(a, a) for a in get_args(CrashAction)]
LIFECYCLE_LABELS = {
    "guest.on_poweroff": "when the guest powers off",
    "guest.on_reboot": "when the guest reboots",
    "guest.on_crash": "when the guest crashes",
}
DOMAIN_TYPES = [("kvm", "KVM on this IBM Z host"), ("qemu", "emulation (TCG), for tests elsewhere")]
CPU_MODES: list[tuple[Any, str]] = [
    (None, "default (host-model on KVM)"),
    ("host-model", "host-model"),
    ("host-passthrough", "host-passthrough"),
    ("maximum", "maximum"),
    ("custom", "custom model"),
]
PASSTHROUGH: list[tuple[PassthroughType, str]] = [
    ("vfio-ap", "vfio-ap crypto"),
    ("vfio-ccw", "vfio-ccw DASD"),
    ("pci", "PCI function"),
    ("scsi", "SCSI device (FCP tape)"),
]

# Choices that reveal fields to fill in: errors about those fields mean "unfinished",
# not "impossible", so the choice is never greyed for them.
REVEALS: dict[tuple[str, Any], tuple[str, ...]] = {
    # the host name too: the guest's name is its default, and one with '_' needs its own
    ("pxe.ip", "static"): ("pxe.address", "pxe.netmask", "pxe.gateway", "pxe.hostname"),
    ("cpu.mode", "custom"): ("cpu.model",),
    # PXE then asks which NIC installs (it gets boot order 1)
    ("pxe.enabled", True): ("nics",),
}

# Domain-level fields both front ends ask: (key path, label), and the choices, said once.
DEPRECATED_FEATURES_FIELD = (
    "cpu.deprecated_features",
    "Deprecated CPU features (bpb, csske, te, cte)",
)
DEPRECATED_FEATURES: list[tuple[Any, str]] = [
    (None, "libvirt's default (off for host-model from libvirt 11.6)"),
    (False, "off: the guest can move to machines without them"),
    (True, "on: kept as the CPU model has them"),
]
# the stack a guest for another host is judged against ([target]); empty: libvirt 9.0 /
# QEMU 7.2, the oldest stack libvirt supports
TARGET_LABELS = {
    "target.libvirt": "Target host's libvirt (digits.digits; empty: 9.0)",
    "target.qemu": "Target host's QEMU (digits.digits; empty: 7.2)",
}

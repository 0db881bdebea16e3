"""What the front ends offer, in the words they show: one list for the wizard and
the prompts, so the two can never drift apart. The rules decide which are allowed; the
questions that offer them are declared with the parts (zwizard.questions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

from zwizard.vocabulary import (
    WATCHDOG_ACTIONS,  # noqa: F401 - offered in the model's order
    CrashAction,
    Lifecycle,
)

if TYPE_CHECKING:
    from zwizard.model import Answers

OS = [("rhel9", "RHEL 9"), ("rhel8", "RHEL 8"), ("rhel7", "RHEL 7"), ("other", "other")]
# what libvirt does when the guest powers off, reboots, crashes (the QEMU driver refuses
# some: greyed by rule lifecycle, with its words)
LIFECYCLE: list[tuple[Any, str]] = [(a, a) for a in get_args(Lifecycle)]
CRASH_ACTIONS: list[tuple[Any, str]] = [(a, a) for a in get_args(CrashAction)]
DOMAIN_TYPES = [("kvm", "KVM on this IBM Z host"), ("qemu", "emulation (TCG), for tests elsewhere")]
CPU_MODES: list[tuple[Any, str]] = [
    (None, "default (host-model on KVM)"),
    ("host-model", "host-model"),
    ("host-passthrough", "host-passthrough"),
    ("maximum", "maximum"),
    ("custom", "custom model"),
]


def follow_choice(answers: Answers, path: str, value: Any) -> None:
    """What a person's choice takes with it, applied where the choice is made and where it
    is judged (Session.set_value, rules.availability), so it is never greyed for a value
    it would drop: a CPU mode other than custom drops the custom model, which no other
    mode uses (an outside tester found every other mode greyed once a model was chosen,
    "a CPU model is only used with mode custom", with no way back but emptying it)."""
    if path == "cpu.mode" and value != "custom":
        answers.cpu.model = None


# Choices that reveal fields to fill in: errors about those fields mean "unfinished",
# not "impossible", so the choice is never greyed for them.
REVEALS: dict[tuple[str, Any], tuple[str, ...]] = {
    # the host name too: the guest's name is its default, and one with '_' needs its own
    ("pxe.ip", "static"): ("pxe.address", "pxe.netmask", "pxe.gateway", "pxe.hostname"),
    ("cpu.mode", "custom"): ("cpu.model",),
    # PXE then asks which NIC installs (it gets boot order 1)
    ("pxe.enabled", True): ("nics",),
}

# whether the deprecated CPU features stay (cpu.deprecated_features)
DEPRECATED_FEATURES: list[tuple[Any, str]] = [
    (None, "libvirt's default (off for host-model from libvirt 11.6)"),
    (False, "off: the guest can move to machines without them"),
    (True, "on: kept as the CPU model has them"),
]

"""The one machine IBM Z KVM guests have (rule s390-machine), named where both the rules
and the parts that read a definition need it without importing each other."""

from __future__ import annotations

# versioned names (s390-ccw-virtio-7.2) are what libvirt records at define for the same
# machine
S390_ARCH, S390_MACHINE = "s390x", "s390-ccw-virtio"


def machine_problem(arch: str | None, machine: str | None) -> str | None:
    """Rule s390-machine on an <os><type> read from a definition: why it cannot be an
    IBM Z guest, or None (a versioned name such as s390-ccw-virtio-7.2 is the same machine)."""
    if arch == S390_ARCH and (machine or "").startswith(S390_MACHINE):
        return None
    return (
        f"arch {arch or '(none)'}, machine {machine or '(none)'}: IBM Z guests are arch "
        f"{S390_ARCH} on machine {S390_MACHINE}"
    )

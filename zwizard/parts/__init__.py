"""The domain-level parts of a guest, in the order libvirt writes their elements.

Each part is one module declaring a `Part` (its writer and reader beside each other, its
rules and conversion where it has them); the renderer writes `DOMAIN_PARTS` into <domain>
and `DEVICE_PARTS` into <devices> after the device kinds (zwizard.devices), and the
importer hands each of their elements to the part that writes it. The parts not yet
here (the guest's basics, memory, CPU, OS and kernel, consoles, graphics, panic, Secure
Execution) are still written by render/domain.py and read by importer/domain.py and
importer/devices.py.
"""

from __future__ import annotations

from zwizard.parts import (
    balloon,
    clock,
    console,
    graphics,
    keywrap,
    launch_security,
    lifecycle,
    panic,
    rng,
    tuning,
    vsock,
    watchdog,
)
from zwizard.parts.base import Part, PartReader

__all__ = ["BY_KEY", "DEVICE_TAGS", "PARTS", "Part", "PartReader"]

# every part, in document order (the writer's places for the domain's own ones are
# named in render/domain.py: libvirt puts <vcpu> and <os> between them)
PARTS: tuple[Part, ...] = (
    tuning.MEMTUNE,
    tuning.CPUTUNE,
    tuning.IOTHREADS,
    clock.PART,
    lifecycle.PART,
    console.PART,
    watchdog.PART,
    balloon.PART,
    rng.PART,
    graphics.PART,
    panic.PART,
    vsock.PART,
    keywrap.PART,
    launch_security.PART,
)
BY_KEY = {part.key: part for part in PARTS}
DEVICE_TAGS = {tag: part for part in PARTS if part.within == "devices" for tag in part.tags}

"""The domain-level parts of a guest, in the order libvirt writes their elements.

Each part is one module declaring a `Part`: its writer and reader beside each other, its
rules and convert's pass where it has them. The renderer writes `HEAD` into <domain>,
then <devices> (the device kinds of zwizard.devices, then `DEVICES`), then `TAIL`; the
importer hands each part its elements; the rules and convert walk `PARTS`.
"""

from __future__ import annotations

from zwizard.parts import (
    balloon,
    basics,
    clock,
    console,
    cpu,
    features,
    graphics,
    keywrap,
    launch_security,
    lifecycle,
    memory,
    os_kernel,
    panic,
    rng,
    tuning,
    vcpu,
    vsock,
    watchdog,
)
from zwizard.parts.base import Part, PartReader

__all__ = ["DEVICES", "DEVICE_TAGS", "DOMAIN_TAGS", "HEAD", "PARTS", "TAIL", "Part", "PartReader"]

# <domain>'s children before <devices>, in the order zwizard writes them
HEAD: tuple[Part, ...] = (
    basics.PART,
    memory.SIZE,
    memory.BACKING,
    tuning.MEMTUNE,
    vcpu.PART,
    tuning.CPUTUNE,
    tuning.IOTHREADS,
    os_kernel.PART,
    cpu.PART,
    features.PART,
    clock.PART,
    lifecycle.PART,
)
# <devices>' children after the device kinds', in libvirt's order
DEVICES: tuple[Part, ...] = (
    console.PART,
    watchdog.PART,
    balloon.PART,
    rng.PART,
    graphics.PART,
    panic.PART,  # libvirt writes the vsock after it
    vsock.PART,
)
# <domain>'s children after <devices>
TAIL: tuple[Part, ...] = (keywrap.PART, launch_security.PART)
PARTS = HEAD + DEVICES + TAIL
DEVICE_TAGS = {tag: part for part in DEVICES for tag in part.tags}
# the domain's own children some part reads (the rest are listed as not carried)
DOMAIN_TAGS = frozenset(tag for part in HEAD + TAIL for tag in part.tags)

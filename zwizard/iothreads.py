"""The guest's I/O threads as libvirt numbers them (formatdomain "IOThreads Allocation"):
what a disk, the SCSI controller and a pinning may name."""

from __future__ import annotations

from zwizard.model import Guest


def iothread_ids(guest: Guest) -> list[int]:
    """The guest's I/O thread ids as libvirt makes them: the stated ids, then the lowest
    free ids from 1 until there are guest.iothreads (formatdomain "IOThreads Allocation")."""
    ids = [i for i in guest.iothread_ids if i > 0]
    free = 1
    while len(ids) < (guest.iothreads or 0):
        if free not in ids:
            ids.append(free)
        free += 1
    return ids


def iothreads_said(guest: Guest) -> str:
    """How a message names the I/O threads there are."""
    ids = sorted(iothread_ids(guest))
    if not ids:
        return "there are none: set guest.iothreads"
    if ids == list(range(1, len(ids) + 1)):
        return f"guest.iothreads gives 1..{len(ids)}"
    return "the guest's are " + ", ".join(map(str, ids))

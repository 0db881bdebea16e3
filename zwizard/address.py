"""Guest addresses, read and written in one place: ccw bus-ids of the devices on
the channel subsystem and host PCI addresses of passed-through functions.

The answers hold them as Linux writes them (`fe.0.0001`, `0001:00:00.0`); libvirt
writes each number as its own attribute (`cssid='0xfe'`) and reads it with base 0
(0xfe, 254 and 0376 are one cssid). Both directions live here, so the renderer,
`check`/`convert` and host discovery can never disagree.
"""

from __future__ import annotations

import re

from zwizard.inputs import c_ulong
from zwizard.lazy import Pattern
from zwizard.structure import record

VIRTUAL_CSSID = 0xFE  # the channel subsystem of virtio-ccw devices
_BUSID = Pattern(
    r"^(?:0x)?(?P<cssid>[0-9a-f]{1,2})\.(?:0x)?(?P<ssid>[0-9a-f])\.(?:0x)?(?P<devno>[0-9a-f]{1,4})$",
    re.IGNORECASE,
)


@record(frozen=True, order=True)
class Ccw:
    """A channel subsystem address of a device."""

    cssid: int
    ssid: int
    devno: int

    @property
    def busid(self) -> str:
        return f"{self.cssid:x}.{self.ssid:x}.{self.devno:04x}"


def parse_ccw(text: str) -> Ccw | None:
    """`fe.0.0001` (as Linux writes bus-ids; `0x` prefixes tolerated) -> Ccw."""
    match = _BUSID.fullmatch(text)  # the whole value: a stray newline is no bus-id
    if not match:
        return None
    return Ccw(*(int(match[g], 16) for g in ("cssid", "ssid", "devno")))


def ccw_attributes(addr: Ccw) -> dict[str, str]:
    """The attributes of libvirt's <address type='ccw'> for `addr`, as libvirt writes them."""
    return {
        "type": "ccw",
        "cssid": f"{addr.cssid:#04x}",
        "ssid": f"{addr.ssid:#x}",
        "devno": f"{addr.devno:#06x}",
    }


def ccw_from_attributes(cssid: str | None, ssid: str | None, devno: str | None) -> str | None:
    """The bus-id of libvirt's three attributes (base 0, as libvirt reads them); the text
    as given when a number is out of range (the rules say what is wrong with it); None
    when a number is missing or unreadable."""
    c, s, d = (c_ulong(v) for v in (cssid, ssid, devno))
    if c is None or s is None or d is None:
        return None
    if c > 0xFF or d > 0xFFFF:
        return f"{cssid}.{ssid}.{devno}"
    return Ccw(c, s, d).busid


PCI_ADDRESS = Pattern(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$", re.IGNORECASE)
PCI_KEYS = ("domain", "bus", "slot", "function")


def pci_attributes(address: str) -> dict[str, str]:
    """`0001:00:00.0` -> the attributes of libvirt's host <source><address>."""
    domain, bus, slot_fn = address.split(":")
    slot, fn = slot_fn.split(".")
    return {
        "domain": f"0x{domain.lower()}",
        "bus": f"0x{bus.lower()}",
        "slot": f"0x{slot.lower()}",
        "function": f"0x{fn}",
    }


def pci_from_attributes(values: list[str | None]) -> str | None:
    """libvirt's domain, bus, slot and function (base 0; absent is 0) -> `dddd:bb:ss.f`,
    or None when one is unreadable."""
    parts = [c_ulong(v if v is not None else "0") for v in values]
    if None in parts:
        return None
    d, b, s, f = parts
    return f"{d:04x}:{b:02x}:{s:02x}.{f:x}"


def parse_int(value: object) -> int | None:
    """An id written as 0x-hex string, decimal string or integer (zPCI uid/fid)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.lower()  # the whole value, as written: no blanks, no `_` separators
    if re.fullmatch(r"0x[0-9a-f]+", text):
        return int(text, 16)
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


UUID = Pattern(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def is_uuid(text: str) -> bool:
    """A UUID as libvirt and mdevctl write it (8-4-4-4-12 hex digits)."""
    return bool(UUID.fullmatch(text))

"""zPCI: the uid and fid a PCI function or a pci-bridge shows the guest, judged once for
both, and the pci-bridge controllers a converted guest states (a guest PCI bus for the
functions placed on bus 1 on), written and judged beside the PCI passthrough that
needs them (zwizard.devices.passthrough)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.address import PCI_ADDRESS, parse_int, pci_attributes
from zwizard.devices.base import sub

if TYPE_CHECKING:
    from zwizard.findings import Collector
    from zwizard.model import Answers, Zpci
    from zwizard.plan import Plan
    from zwizard.xmlwrite import Element


def write_bridges(devices: Element, answers: Answers, plan: Plan) -> None:
    """The pci-bridge controllers a converted guest states, with their zPCI ids (given or
    assigned after the functions', as libvirt assigns them)."""
    for i, bridge in enumerate(answers.pci_bridges):
        path = f"pci_bridges[{i}]"
        index = "" if bridge.index is None else str(bridge.index)  # refused by the rules
        el = sub(devices, "controller", type="pci", index=index, model="pci-bridge")
        if bridge.chassis is not None:
            sub(el, "target", chassisNr=str(bridge.chassis))
        at = bridge.address if PCI_ADDRESS.fullmatch(bridge.address or "") else None
        if at is not None or path in plan.zpci:
            addr = sub(el, "address", type="pci", **(pci_attributes(at) if at else {}))
            if path in plan.zpci:
                uid, fid = plan.zpci[path]
                sub(addr, "zpci", uid=f"{uid:#06x}", fid=f"{fid:#010x}")


def check_bridges(a: Answers, uids: dict[int, str], fids: dict[int, str], out: Collector) -> None:
    """What libvirt 9.0 refuses of a pci-bridge: index 0 is the pci-root ("Invalid PCI
    controller model"), an index twice, a guest address it cannot parse."""
    indexes: dict[int, str] = {}
    for i, bridge in enumerate(a.pci_bridges):
        p = f"pci_bridges[{i}]"
        if bridge.index is None:
            out.error("pci-passthrough", f"{p}.index", "a pci-bridge needs its index (1 on)")
        elif bridge.index < 1:
            out.error("pci-passthrough", f"{p}.index", "index 0 is the pci-root: a bridge has 1 on")
        elif bridge.index in indexes:
            out.error(
                "pci-passthrough",
                f"{p}.index",
                f"PCI controller index {bridge.index} is already {indexes[bridge.index]}",
            )
        else:
            indexes[bridge.index] = p
        if bridge.chassis is not None and not 1 <= bridge.chassis <= 255:
            out.error(
                "pci-passthrough",
                f"{p}.chassis",
                f'chassis {bridge.chassis}: libvirt takes 1-255 ("chassisNr … out of range")',
            )
        if bridge.address is not None and not PCI_ADDRESS.fullmatch(bridge.address):
            out.error(
                "pci-passthrough",
                f"{p}.address",
                f"'{bridge.address}' is not a PCI address (dddd:bb:ss.f, e.g. 0000:00:01.0)",
            )
        zpci_ids(bridge.zpci, p, uids, fids, out)


def zpci_ids(
    zpci: Zpci | None, p: str, uids: dict[int, str], fids: dict[int, str], out: Collector
) -> None:
    if zpci is None:
        return  # libvirt assigns both ids; the plan shows which
    for key, low, high, width in (("uid", 1, 0xFFFF, 6), ("fid", 0, 0xFFFFFFFF, 10)):
        raw = getattr(zpci, key)
        if raw is None or raw == "":
            continue
        value = parse_int(raw)
        ids = uids if key == "uid" else fids
        if value is None or not low <= value <= high:
            zero = " (0 is invalid)" if key == "uid" else ""
            out.error(
                "zpci",
                f"{p}.zpci.{key}",
                f"{key} {raw!r} must be {low:#0{width}x}-{high:#0{width}x}{zero}, written "
                "as 0x-hex or decimal",
            )
        elif value in ids:
            out.error(
                "zpci",
                f"{p}.zpci.{key}",
                f"{key} {value:#0{width}x} is already used by {ids[value]}",
            )
        else:
            ids[value] = p

"""PCI passthrough: a function libvirt manages is only described; one it does not manage
(managed='no') is detached to vfio-pci."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwizard.prepare.shell import q
from zwizard.prepare.steps import Check, Preparation, Step

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Passthrough
    from zwizard.plan import Plan


def pci_steps(
    prep: Preparation, dev: Passthrough, path: str, plan: Plan, host: HostInfo | None
) -> None:
    address = (dev.address or "").lower()
    fn = next((p for p in host.pci if p.address == address), None) if host else None
    state = (
        f"driver {fn.driver or 'none'}, host uid {fn.uid or '?'}, fid {fn.fid or '?'}"
        if fn is not None
        else "not read here"
    )
    uid, fid = plan.zpci.get(path, (None, None))
    guest = f"uid {uid:#06x}, fid {fid:#010x}" if uid is not None and fid is not None else ""
    prep.checks.append(
        Check(
            f"[ -e {q(f'/sys/bus/pci/devices/{address}')} ]",
            f"no PCI function {address} here (lspci -D)",
            f"PCI function {address}",
        )
    )
    if dev.managed:
        prep.steps.append(
            Step(
                "pci",
                f"PCI function {address} ({state}); the guest sees {guest}",
                "managed='yes': at each start libvirt unbinds it from its host driver and binds "
                "vfio-pci, and gives it back at shutdown; the host cannot use it meanwhile",
                manual=True,
                note=True,
            )
        )
        return
    node = "pci_" + address.replace(":", "_").replace(".", "_")
    prep.steps.append(
        Step(
            "pci",
            f"detach PCI function {address} from the host ({state})",
            "managed='no': libvirt expects the function on vfio-pci already; virsh "
            "nodedev-detach binds it (until the next reboot)",
            f'[ "$(driver_of {q(f"/sys/bus/pci/devices/{address}")})" = vfio-pci ]',
            [q("run", "virsh", "nodedev-detach", node)],
        )
    )

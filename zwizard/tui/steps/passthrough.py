"""Step 6: host devices — vfio-ap crypto, vfio-ccw DASD, PCI functions with zPCI ids."""

from __future__ import annotations

from textual.app import ComposeResult

from zwizard.devices import share
from zwizard.model import Passthrough, Share
from zwizard.tui import offers
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import State, TextField, ToggleField, declared
from zwizard.tui.steps.base import Explain, Heading, Step


def describe(state: State, i: int) -> str:
    p = state.answers.passthrough[i]
    boot = state.result.plan.boot.get(f"passthrough[{i}]")
    what = p.uuid or "(no UUID)" if p.type != "pci" else f"{p.address or '(no address)'}"
    extra = ""
    ids = state.result.plan.zpci.get(f"passthrough[{i}]")
    if p.type == "pci" and ids:
        extra = f" uid {ids[0]:#06x} fid {ids[1]:#010x}"
    if p.type == "scsi":
        what = p.address or "(no H:C:T:L)"
    if p.type == "vfio-ccw":
        addr = state.result.plan.ccw.get(f"passthrough[{i}]")
        extra = f" at {addr.busid}" if addr else ""
    return f"{p.type:9} {what}{extra} {'boot ' + str(boot) if boot else ''}"


def describe_share(state: State, i: int) -> str:
    s = state.answers.shares[i]
    addr = state.result.plan.ccw.get(f"shares[{i}]")
    return (
        f"{addr.busid if addr else '?':10} {s.tag or '(no tag)'} <- {s.source or '(no directory)'}"
    )


def new(kind: str) -> Passthrough:
    if kind == "pci":
        return Passthrough(type="pci")
    return Passthrough(type=kind)


def next_boot_order(state: State) -> int:
    """The order a device would get if it joined the boot sequence now."""
    return max(state.result.plan.boot.values(), default=0) + 1


def mdev(p: Passthrough) -> bool:
    return p.type != "pci"


def crypto(p: Passthrough) -> bool:
    return p.type == "vfio-ap"


def dasd(p: Passthrough) -> bool:
    return p.type == "vfio-ccw"


def pci(p: Passthrough) -> bool:
    return p.type == "pci"


def scsi(p: Passthrough) -> bool:
    return p.type == "scsi"


def form() -> list:
    return [
        TextField("passthrough[0].uuid", "mediated device UUID", kind="optional-str",
                  help="ls /sys/bus/mdev/devices/", when=mdev, offer=offers.mdevs,
                  placeholder="(8-4-4-4-12 hex digits)"),
        TextField("passthrough[0].ccw", "guest ccw bus-id (empty: assigned)", kind="optional-str",
                  when=dasd, placeholder="(assigned; or type one like fe.0.xxxx)"),
        TextField("passthrough[0].boot_order", "boot order (empty: does not boot)",
                  kind="optional-int", when=mdev, probe=next_boot_order),
        TextField("passthrough[0].loadparm", "loadparm", kind="optional-str", when=dasd,
                  placeholder="(none)"),
        TextField("passthrough[0].adapters", "AP adapters (for zwizard prepare)",
                  kind="int-list", when=crypto, placeholder="(lszcrypt: e.g. 0x05 0x06)"),
        TextField("passthrough[0].domains", "AP usage domains", kind="int-list", when=crypto,
                  placeholder="(e.g. 0x0004)"),
        TextField("passthrough[0].control_domains", "AP control domains", kind="int-list",
                  when=crypto, placeholder="(none)"),
        TextField("passthrough[0].dasd", "host DASD bus-id (for zwizard prepare)",
                  kind="optional-str", when=dasd, placeholder="(lsdasd: e.g. 0.0.1234)"),
        TextField("passthrough[0].address", "host PCI address", kind="optional-str",
                  placeholder="(dddd:bb:ss.f)", when=pci, offer=offers.pci_functions),
        TextField("passthrough[0].address", "host SCSI address (lsscsi -g)",
                  kind="optional-str", placeholder="(H:C:T:L, e.g. 0:0:1:0)", when=scsi),
        TextField("passthrough[0].zpci.uid", "zPCI uid (empty: assigned)", kind="optional-str",
                  placeholder="(assigned, as libvirt does)", when=pci),
        TextField("passthrough[0].zpci.fid", "zPCI fid (empty: assigned)", kind="optional-str",
                  placeholder="(assigned, as libvirt does)", when=pci),
    ]  # fmt: skip


class PassthroughStep(Step):
    step_id = "passthrough"
    title = "Passthrough"
    owns = ("passthrough", "keywrap", "shares")
    rules = (
        "vfio-ap",
        "vfio-ccw",
        "pci-passthrough",
        "zpci",
        "ccw-address",
        "boot-order",
        "loadparm",
        "se-no-vfio",
        "host-mdev",
        "host-pci",
        "scsi-passthrough",
        "host-scsi",
        "keywrap",
        "share",
        "host-ap-queue",
        "host-dasd",
    )

    def compose_fields(self) -> ComposeResult:
        yield Heading("Passthrough")
        yield DeviceList(
            "passthrough", describe,
            [("+ vfio-ap crypto", lambda: new("vfio-ap")),
             ("+ vfio-ccw DASD", lambda: new("vfio-ccw")),
             ("+ PCI", lambda: new("pci")),
             ("+ SCSI", lambda: new("scsi"))],
            form, empty="no host devices",
        )  # fmt: skip
        yield Explain(
            "vfio-ap and vfio-ccw are IBM Z only; a vfio-ccw DASD may boot, a vfio-ap adapter "
            "may not. PCI functions get zPCI uid and fid assigned unless you give them."
        )
        yield Heading("Shared host directories (virtiofs)")
        yield DeviceList(
            "shares", describe_share, [("+ share", lambda: Share())],
            lambda: declared("shares", share.KIND.options, ""), empty="no shares",
        )  # fmt: skip
        yield Explain("libvirt starts a virtiofsd per share; guest memory is then shared (memfd).")
        yield Heading("CPACF protected-key wrapping (QEMU's default: both on)")
        yield ToggleField("keywrap.aes", "AES key wrapping", effective=lambda s: True)
        yield ToggleField("keywrap.dea", "DEA/TDEA key wrapping", effective=lambda s: True)

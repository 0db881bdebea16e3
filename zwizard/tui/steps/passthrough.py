"""Step 6: host devices — vfio-ap crypto, vfio-ccw DASD, PCI functions with zPCI ids."""

from __future__ import annotations

from textual.app import ComposeResult

from zwizard.choices import probe_device
from zwizard.model import Passthrough, Zpci
from zwizard.tui import offers
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import State, TextField
from zwizard.tui.steps.base import Explain, Heading, Step
from zwizard.tui.validators import BUSID, LOADPARM, MDEV_UUID, PCI, ZPCI_ID


def describe(state: State, i: int) -> str:
    p = state.answers.passthrough[i]
    boot = state.result.plan.boot.get(f"passthrough[{i}]")
    what = p.uuid or "(no UUID)" if p.type != "pci" else f"{p.address or '(no address)'}"
    extra = ""
    if p.type == "pci" and p.zpci:
        extra = f" uid {p.zpci.uid} fid {p.zpci.fid}"
    if p.type == "vfio-ccw":
        addr = state.result.plan.ccw.get(f"passthrough[{i}]")
        extra = f" at {addr.busid}" if addr else ""
    return f"{p.type:9} {what}{extra} {'boot ' + str(boot) if boot else ''}"


def new(kind: str) -> Passthrough:
    if kind == "pci":
        return Passthrough(type="pci", zpci=Zpci())
    return Passthrough(type=kind)


def next_boot_order(state: State) -> int:
    """The order a device would get if it joined the boot sequence now."""
    return max(state.result.plan.boot.values(), default=0) + 1


def mdev(p: Passthrough) -> bool:
    return p.type != "pci"


def dasd(p: Passthrough) -> bool:
    return p.type == "vfio-ccw"


def pci(p: Passthrough) -> bool:
    return p.type == "pci"


def form() -> list:
    return [
        TextField("passthrough[0].uuid", "mediated device UUID", kind="optional-str",
                  validators=[MDEV_UUID], help="ls /sys/bus/mdev/devices/", when=mdev,
                  offer=offers.mdevs),
        TextField("passthrough[0].ccw", "guest ccw bus-id (empty: assigned)", kind="optional-str",
                  validators=[BUSID], when=dasd),
        TextField("passthrough[0].boot_order", "boot order (empty: does not boot)",
                  kind="optional-int", when=mdev, probe=next_boot_order),
        TextField("passthrough[0].loadparm", "loadparm", kind="optional-str",
                  validators=[LOADPARM], when=dasd),
        TextField("passthrough[0].address", "host PCI address", kind="optional-str",
                  validators=[PCI], placeholder="0000:00:00.0", when=pci,
                  offer=offers.pci_functions),
        TextField("passthrough[0].zpci.uid", "zPCI uid", kind="optional-str",
                  validators=[ZPCI_ID], placeholder="0x0001", when=pci),
        TextField("passthrough[0].zpci.fid", "zPCI fid", kind="optional-str",
                  validators=[ZPCI_ID], placeholder="0x00000000", when=pci),
    ]  # fmt: skip


class PassthroughStep(Step):
    step_id = "passthrough"
    title = "Passthrough"
    owns = ("passthrough",)

    def compose_fields(self) -> ComposeResult:
        yield Heading("Passthrough")
        yield DeviceList(
            "passthrough", describe,
            [("+ vfio-ap crypto", lambda: new("vfio-ap"), lambda: probe_device("vfio-ap")),
             ("+ vfio-ccw DASD", lambda: new("vfio-ccw"), lambda: probe_device("vfio-ccw")),
             ("+ PCI", lambda: new("pci"), lambda: probe_device("pci"))],
            form, empty="no host devices",
        )  # fmt: skip
        yield Explain(
            "vfio-ap and vfio-ccw are IBM Z only; a vfio-ccw DASD may boot, a vfio-ap adapter "
            "may not. PCI functions need zPCI uid and fid."
        )

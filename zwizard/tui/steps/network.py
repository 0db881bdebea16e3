"""Step 4: virtio-net-ccw interfaces — the only NIC model IBM Z has."""

from __future__ import annotations

from textual.app import ComposeResult

from zwizard.devices.nic import KIND, SOURCE_MODES
from zwizard.tui import offers
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import ChoiceField, FixedChoice, State, TextField, declared
from zwizard.tui.steps.base import Explain, Heading, Step


def describe(state: State, i: int) -> str:
    n = state.answers.nics[i]
    src = n.source
    what = (
        f"network {src.network}" if src.network else f"bridge {src.bridge}" if src.bridge
        else f"direct {src.direct} ({src.mode or 'bridge'})" if src.direct else "(not connected)"
    )  # fmt: skip
    addr = state.result.plan.ccw.get(f"nics[{i}]")
    mac = state.result.plan.macs[i] if i < len(state.result.plan.macs) else "?"
    boot = state.result.plan.boot.get(f"nics[{i}]")
    busid = addr.busid if addr else "?"
    return f"{busid:10} {mac}  {'boot ' + str(boot) if boot else '':7} {what}"


def form() -> list:
    return [
        TextField("nics[0].source.network", "libvirt network", kind="optional-str",
                  placeholder="(a libvirt network name)", offer=offers.networks),
        TextField("nics[0].source.bridge", "or host bridge", kind="optional-str",
                  placeholder="(a bridge on the host)", offer=offers.bridges),
        TextField("nics[0].source.direct", "or host interface (macvtap)", kind="optional-str",
                  placeholder="(a host interface)", offer=offers.interfaces),
        ChoiceField("nics[0].source.mode", "macvtap mode", list(SOURCE_MODES)),
        *declared("nics", KIND.fields, ""),  # as the prompt mode asks them
        *declared("nics", KIND.options, KIND.options_title),
    ]  # fmt: skip


class NetworkStep(Step):
    step_id = "network"
    title = "Network"
    owns = ("nics",)

    def compose_fields(self) -> ComposeResult:
        yield Heading("Network interfaces (virtio-net-ccw)")
        yield DeviceList(
            "nics", describe, form, empty="no network interfaces",
        )  # fmt: skip
        yield FixedChoice("virtio-pci")
        yield Explain("Boot from the network (PXE): give the interface a boot order, then set PXE.")

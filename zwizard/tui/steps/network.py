"""Step 4: virtio-net-ccw interfaces — the only NIC model IBM Z has."""

from __future__ import annotations

from textual.app import ComposeResult

from zwizard.devices import BY_KEY
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import FixedChoice, State, declared
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
    kind = BY_KEY["nics"]  # as the prompt mode asks them
    return [
        *declared("nics", kind.source, ""),
        *declared("nics", kind.fields, ""),
        *declared("nics", kind.options, kind.options_title),
    ]


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

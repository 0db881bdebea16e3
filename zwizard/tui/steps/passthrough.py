"""Step 6: host devices — vfio-ap crypto, vfio-ccw DASD, PCI functions with zPCI ids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult

from zwizard.devices import BY_KEY
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import State, ToggleField, declared
from zwizard.tui.steps.base import Explain, Heading, Step

if TYPE_CHECKING:
    pass


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
    if p.type == "vhost-scsi":
        what = p.wwpn or "(no WWPN)"
    if p.type in ("vfio-ccw", "vhost-scsi"):
        addr = state.result.plan.ccw.get(f"passthrough[{i}]")
        extra = f" at {addr.busid}" if addr else ""
    return f"{p.type:9} {what}{extra} {'boot ' + str(boot) if boot else ''}"


def describe_share(state: State, i: int) -> str:
    s = state.answers.shares[i]
    addr = state.result.plan.ccw.get(f"shares[{i}]")
    return (
        f"{addr.busid if addr else '?':10} {s.tag or '(no tag)'} <- {s.source or '(no directory)'}"
    )


def form() -> list:
    # the fields the passthrough kind declares, as the prompt mode asks them
    return declared("passthrough", BY_KEY["passthrough"].fields, "")


class PassthroughStep(Step):
    step_id = "passthrough"
    title = "Passthrough"
    owns = ("passthrough", "keywrap", "shares")

    def compose_fields(self) -> ComposeResult:
        yield Heading("Passthrough")
        yield DeviceList(
            "passthrough", describe, form, empty="no host devices",
        )  # fmt: skip
        yield Explain(
            "vfio-ap and vfio-ccw are IBM Z only; a vfio-ccw DASD may boot, a vfio-ap adapter "
            "may not. PCI functions get zPCI uid and fid assigned unless you give them."
        )
        yield Heading("Shared host directories (virtiofs)")
        yield DeviceList(
            "shares", describe_share,
            lambda: [*declared("shares", BY_KEY["shares"].options, ""),
                     *declared("shares", BY_KEY["shares"].fields, "")], empty="no shares",
        )  # fmt: skip
        yield Explain("libvirt starts a virtiofsd per share; guest memory is then shared (memfd).")
        yield Heading("CPACF protected-key wrapping (QEMU's default: both on)")
        yield ToggleField("keywrap.aes", effective=lambda s: True)
        yield ToggleField("keywrap.dea", effective=lambda s: True)

"""Step 8: network install — the pxelinux.cfg file the s390 firmware reads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button

from zwizard.tui.fields import ChoiceField, MoreOptions, State, TextField, ToggleField, grouped
from zwizard.tui.messages import BootFirst
from zwizard.tui.steps.base import Explain, Heading, Step


class PxeStep(Step):
    step_id = "pxe"
    title = "PXE"
    owns = ("pxe",)

    def compose_fields(self) -> ComposeResult:
        yield Heading("PXE network install")
        yield ToggleField("pxe.enabled")
        # labels fit 80 columns whole; the why goes below the field
        for key in ("kernel", "initrd", "repo", "kickstart"):
            yield TextField(f"pxe.{key}")
        yield ChoiceField("pxe.ip")
        for key in ("address", "netmask", "gateway", "hostname", "interface", "nameserver",
                    "extra_args"):  # fmt: skip
            yield TextField(f"pxe.{key}")
        yield grouped("pxe", id="pxe-more")
        # after the fields, not between the switch and the kernel: shown when PXE is turned
        # on, it took the first Tab of a burst and dropped the path typed behind it
        yield Button("Boot nics[0] first, to install from it", id="pxe-boot-nic", compact=True)
        yield Explain(
            "The file starts with '# pxelinux' so the firmware also reads it as a DHCP "
            "bootfile; it stays under 2047 bytes, the append line under 895."
        )

    def sync(self, state: State) -> None:
        on = state.answers.pxe.enabled
        static = state.answers.pxe.ip == "static"
        for f in self.holding(TextField):
            f.display = on and (
                static or f.path not in ("pxe.address", "pxe.netmask", "pxe.gateway")
            )
        self.query_one(ChoiceField).display = on
        self.query_one("#pxe-more", MoreOptions).display = on
        button = self.query_one("#pxe-boot-nic", Button)
        button.display = on and bool(state.answers.nics) and state.result.plan.boot_nic() is None
        super().sync(state)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "pxe-boot-nic":
            event.stop()
            self.post_message(BootFirst("nics[0]"))

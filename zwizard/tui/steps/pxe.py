"""Step 8: network install — the pxelinux.cfg file the s390 firmware reads."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button

from zwizard.tui.fields import ChoiceField, MoreOptions, State, TextField, ToggleField
from zwizard.tui.messages import BootFirst
from zwizard.tui.steps.base import Explain, Heading, Step


class PxeStep(Step):
    step_id = "pxe"
    title = "PXE"
    owns = ("pxe",)

    def compose_fields(self) -> ComposeResult:
        yield Heading("PXE network install")
        yield ToggleField("pxe.enabled", "Write pxelinux.cfg/default (and 01-<mac>)")
        yield Button("Install from nics[0]: it boots first", id="pxe-boot-nic", compact=True)
        # labels fit 80 columns whole; the why goes below the field
        yield TextField(
            "pxe.kernel",
            "kernel, relative to the TFTP root",
            help="the s390 firmware fetches it by TFTP: a path, not a URL",
        )
        yield TextField("pxe.initrd", "initrd, relative to the TFTP root",
                        help="every pxelinux label needs one")  # fmt: skip
        yield TextField("pxe.repo", "installation source (inst.repo=)", kind="optional-str",
                        placeholder="(http://…, nfs:server:/path, hd:…, cdrom, hmc)")  # fmt: skip
        yield TextField("pxe.kickstart", "kickstart (inst.ks=)", kind="optional-str")
        yield ChoiceField(
            "pxe.ip",
            "Address",
            [("dhcp", "DHCP"), ("static", "static")],
            help="static shows the address fields (an answers file may give dracut's ip= form)",
        )
        yield TextField(
            "pxe.address",
            "static address (a /prefix gives the netmask)",
            kind="optional-str",
            placeholder="(IPv4 with /24, or IPv6 with /64)",
        )
        yield TextField(
            "pxe.netmask", "netmask", kind="optional-str", placeholder="(or a /prefix above)"
        )
        yield TextField("pxe.gateway", "gateway", kind="optional-str", placeholder="(its subnet's)")
        yield TextField("pxe.hostname", "host name the installer sets", kind="optional-str",
                        placeholder="(static: the guest's name)")  # fmt: skip
        yield TextField("pxe.interface", "guest interface", kind="optional-str",
                        placeholder="(enc<devno> of the installing NIC)")  # fmt: skip
        yield TextField(
            "pxe.nameserver",
            "name servers",
            kind="optional-addr-list",
            placeholder="(IPv4 or IPv6; several: blank- or comma-separated)",
        )
        yield TextField("pxe.extra_args", "more kernel arguments (not ip=, that is above)",
                        kind="optional-str", placeholder="(e.g. inst.text inst.sshd)")  # fmt: skip
        yield MoreOptions(
            TextField("pxe.tftp_root", "the install server's TFTP root",
                      help="zwizard prepare copies the files there"),
            TextField("pxe.label", "label in the pxelinux file"),
            ToggleField("pxe.write_default", "Write pxelinux.cfg/default",
                        help="off when several guests share one TFTP root"),
            ToggleField("pxe.per_mac", "Write pxelinux.cfg/01-<mac> of the installing NIC"),
            title="More PXE options (TFTP root, label, which files)",
            id="pxe-more",
        )  # fmt: skip
        yield Explain(
            "The file starts with '# pxelinux' so the firmware also reads it as a DHCP "
            "bootfile; it stays under 2047 bytes, the append line under 895."
        )

    def sync(self, state: State) -> None:
        on = state.answers.pxe.enabled
        static = state.answers.pxe.ip == "static"
        for f in self.query(TextField):
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

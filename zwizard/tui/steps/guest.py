"""Step 1: the guest's name, operating system and how it runs."""

from __future__ import annotations

from textual.app import ComposeResult

from zwizard.tui.fields import ChoiceField, State, TextField
from zwizard.tui.steps.base import Explain, Heading, Step


class GuestStep(Step):
    step_id = "guest"
    title = "Guest OS"
    owns = ("guest.name", "guest.os", "guest.domain_type", "guest.uuid", "guest.title")

    def compose_fields(self) -> ComposeResult:
        yield Heading("Guest OS")
        yield TextField(
            "guest.name", "Name", placeholder="web01",
            help="libvirt domain name; the XML is written as <name>.xml",
        )  # fmt: skip
        yield ChoiceField(
            "guest.os", "Operating system",
            [("rhel9", "RHEL 9"), ("rhel8", "RHEL 8"), ("rhel7", "RHEL 7"), ("other", "other")],
        )  # fmt: skip
        yield ChoiceField(
            "guest.domain_type", "Runs on",
            [("kvm", "KVM on this IBM Z host"), ("qemu", "emulation (TCG), for tests elsewhere")],
        )  # fmt: skip
        yield TextField("guest.title", "Title (optional)", kind="optional-str")
        yield Explain("")

    def sync_extra(self, state: State) -> None:
        uuid = state.answers.guest.uuid or "(generated when written)"
        self.query_one(Explain).update(f"UUID {uuid} — kept in the draft, so it stays stable")

"""Step 1: the guest's name, operating system and how it runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal

from zwizard.tui.fields import Box, ChoiceField, State, TextField, grouped
from zwizard.tui.messages import HostTarget
from zwizard.tui.steps.base import Explain, Heading, Step


class GuestStep(Step):
    step_id = "guest"
    title = "Guest OS"
    owns = (
        "guest.name", "guest.os", "guest.domain_type", "guest.uuid", "guest.title", "target",
        "guest.on_poweroff", "guest.on_reboot", "guest.on_crash", "guest.description",
    )  # fmt: skip

    def compose_fields(self) -> ComposeResult:
        yield Heading("Guest OS")
        yield TextField("guest.name")
        yield ChoiceField("guest.os")
        yield ChoiceField("guest.domain_type")
        yield grouped("guest")
        yield Explain("", id="uuid-line")
        with Horizontal(classes="toggle-row", id="target-row"):
            yield Box("For another host (F4 on any step)", id="other-host", compact=True)
        yield Explain("", id="host-line")
        # the stack a guest for another host is judged against; for this host its own
        yield TextField("target.libvirt", id="target-libvirt")
        yield TextField("target.qemu", id="target-qemu")
        yield Explain("", id="stack-line")

    def sync_extra(self, state: State) -> None:
        uuid = state.answers.guest.uuid or "(generated when written)"
        self.query_one("#uuid-line", Explain).update(
            f"UUID {uuid} — kept in the draft, so it stays stable"
        )
        host = state.host
        box = self.query_one("#other-host", Box)
        if box.value != (not state.host_is_target):
            with self.prevent(Box.Changed):
                box.value = not state.host_is_target
        line = f"this host: {host.summary()}" if host is not None else "this host: not read"
        if host is not None and not state.host_is_target:
            line += " — not used to refuse anything: problems here are warnings"
        host_line = self.query_one("#host-line", Explain)
        host_line.update(line)
        host_line.display = bool(line)
        # [target] counts only where this host does not judge the guest: shown there
        for_this_host = host is not None and state.host_is_target
        for key in ("libvirt", "qemu"):
            self.query_one(f"#target-{key}", TextField).display = not for_this_host
        if state.stack is not None:  # the session's (Session.stack), as the rules judge
            line = f"version rules judged on {state.stack.describe()}"
            self.query_one("#stack-line", Explain).update(line)

    def on_checkbox_changed(self, event: Box.Changed) -> None:
        if event.checkbox.id == "other-host":
            event.stop()
            self.post_message(HostTarget(this_host=not event.value))

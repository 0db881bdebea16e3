"""Step 3: disks and CD-ROMs, and the boot sequence across all bootable devices."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, OptionList
from textual.widgets.option_list import Option

from zwizard.devices import BY_KEY
from zwizard.session import boot_sequence
from zwizard.tui.devices import DeviceList
from zwizard.tui.fields import ChoiceField, State, TextField, declared
from zwizard.tui.messages import BootMoved, BootToggled
from zwizard.tui.steps.base import Explain, Heading, Step

KIND = BY_KEY["disks"]


def describe(state: State, i: int) -> str:
    d = state.answers.disks[i]
    addr = state.result.plan.ccw.get(f"disks[{i}]")
    where = addr.busid if addr else "scsi"
    boot = state.result.plan.boot.get(f"disks[{i}]")
    target = state.result.plan.targets[i] if i < len(state.result.plan.targets) else "?"
    order = f"boot {boot}" if boot else ""
    return f"{target}  {d.device:5} {where:10} {order:7} {d.path or '(no path)'}"


def form() -> list:
    return [
        TextField("disks[0].path", "Path", placeholder="absolute path of the image or device"),
        ChoiceField("disks[0].kind", "Kind", [("file", "image file"), ("block", "block device"),
                                              ("volume", "storage volume (POOL/VOLUME)")]),
        *declared("disks", KIND.fields, ""),  # as the prompt mode asks them
        *declared("disks", KIND.options, KIND.options_title),
    ]  # fmt: skip


class DisksStep(Step):
    step_id = "disks"
    title = "Disks & boot order"
    owns = ("disks", "kernel")

    def compose_fields(self) -> ComposeResult:
        yield Heading("Disks")
        yield DeviceList(
            "disks", describe, form, empty="no disks yet",
        )  # fmt: skip
        yield Heading("Boot sequence (first boots first; its loadparm is the one used)")
        yield OptionList(id="boot-list", classes="items")
        with Horizontal(classes="buttons"):
            yield Button("Boot earlier", id="boot-up", compact=True)
            yield Button("Boot later", id="boot-down", compact=True)
            yield Button("Disk boots: on/off", id="boot-toggle", compact=True)
        yield Explain("IBM Z has no <os><boot dev>: every device carries its own boot order.")
        yield Heading("Direct kernel boot (instead of IPL from a device; empty: none)")
        for key in ("path", "initrd", "cmdline"):
            yield TextField(f"kernel.{key}")

    def sync_extra(self, state: State) -> None:
        lst = self.query_one("#boot-list", OptionList)
        selected = lst.highlighted or 0
        named = boot_sequence(state.answers, state.result.plan)
        seq = [path for path, _ in named]
        note = " (chosen for you: no device had one)" if state.result.plan.boot_assigned else ""
        prompts = [f"{n}. {words}{note if n == 1 else ''}" for n, (_, words) in enumerate(named, 1)]
        shown = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        if shown != (prompts or ["nothing boots yet"]):
            lst.clear_options()
            lst.add_options([Option(p) for p in prompts] or [Option("nothing boots yet",
                                                                    disabled=True)])  # fmt: skip
        if seq:
            lst.highlighted = min(selected, len(seq) - 1)
        self._seq = seq

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id not in ("boot-up", "boot-down", "boot-toggle"):
            return
        event.stop()
        op = event.button.id
        if op == "boot-toggle":
            self.post_message(BootToggled("disks", self.query_one(DeviceList).selected))
            return
        pos = self.query_one("#boot-list", OptionList).highlighted or 0
        if getattr(self, "_seq", None):
            delta = -1 if op == "boot-up" else 1
            self.post_message(BootMoved(pos, delta))
            lst = self.query_one("#boot-list", OptionList)
            lst.highlighted = max(0, min(len(self._seq) - 1, pos + delta))

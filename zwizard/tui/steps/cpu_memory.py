"""Step 2: vCPUs, CPU model and memory — with the x86 options IBM Z lacks shown greyed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from zwizard.session import cpu_model_offers
from zwizard.tui.fields import ChoiceField, State, TextField, ToggleField, grouped
from zwizard.tui.messages import ValueChosen
from zwizard.tui.steps.base import Heading, Step

KNOWN_MODELS = frozenset(m for m, _ in cpu_model_offers(None))


class CpuMemoryStep(Step):
    step_id = "cpu"
    title = "CPU & memory"
    owns = ("guest.vcpus", "guest.memory_mib", "guest.iothreads", "cpu", "memory")
    offered_for: object = None  # the host the model list was ordered for

    def compose_fields(self) -> ComposeResult:
        yield Heading("CPU & memory")
        yield TextField("guest.vcpus")
        yield TextField("guest.memory_mib")
        yield ChoiceField("cpu.mode")
        yield Select(
            [(title, m) for m, title in cpu_model_offers(None)], prompt="custom CPU model",
            id="cpu-model", compact=True,
        )  # fmt: skip
        yield Heading("Memory")
        yield ToggleField("memory.hugepages")
        yield ToggleField("memory.balloon", effective=lambda s: s.result.plan.balloon)
        yield ToggleField("rng.enabled", effective=lambda s: s.result.plan.rng)
        yield grouped("cpu")
        yield Heading("Not on IBM Z")
        yield ToggleField("memory.hotplug")
        yield ToggleField("cpu.numa")
        yield ToggleField("guest.smbios")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self.post_message(ValueChosen("cpu.model", event.value))

    def sync_extra(self, state: State) -> None:
        select = self.query_one("#cpu-model", Select)
        host = state.host
        if host is not None and host.has_domcaps and self.offered_for is not host:
            self.offered_for = host
            with self.prevent(Select.Changed):
                select.set_options([(title, m) for m, title in cpu_model_offers(host)])
        select.display = state.answers.cpu.mode == "custom"
        model = state.answers.cpu.model
        if model in KNOWN_MODELS and select.value != model:
            with self.prevent(Select.Changed):
                select.value = model
        elif model not in KNOWN_MODELS and not select.is_blank():
            # the model went with another mode (choices.follow_choice): the list showed
            # the old one, "custom needs a model" said nothing at the field, and choosing
            # the shown model again changed nothing (an outside tester's find)
            with self.prevent(Select.Changed):
                select.clear()

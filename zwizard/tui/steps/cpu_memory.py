"""Step 2: vCPUs, CPU model and memory — with the x86 options IBM Z lacks shown greyed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Select

from zwizard import choices
from zwizard.cpu_models import CPU_MODELS
from zwizard.tui.fields import ChoiceField, MoreOptions, State, TextField, ToggleField
from zwizard.tui.messages import ValueChosen
from zwizard.tui.steps.base import Heading, Step


class CpuMemoryStep(Step):
    step_id = "cpu"
    title = "CPU & memory"
    owns = ("guest.vcpus", "guest.memory_mib", "guest.iothreads", "cpu", "memory")
    offered_for: object = None  # the host the model list was ordered for

    def compose_fields(self) -> ComposeResult:
        yield Heading("CPU & memory")
        yield TextField(
            "guest.vcpus", "vCPUs", kind="int", help="1-248 (247 with Secure Execution)"
        )
        yield TextField(
            "guest.memory_mib", "Memory (MiB)", kind="int",
            help="fixed size: IBM Z cannot add memory to a running guest",
        )  # fmt: skip
        yield ChoiceField(
            "cpu.mode", "CPU mode", choices.CPU_MODES,
        )  # fmt: skip
        yield Select(
            [(m, m) for m in reversed(CPU_MODELS)], prompt="custom CPU model", id="cpu-model",
            compact=True,
        )  # fmt: skip
        yield MoreOptions(
            TextField("guest.vcpus_current", "vCPUs online at start (empty: all)",
                      kind="optional-int", placeholder="(all)",
                      help="the rest can be added later: virsh setvcpus"),
            TextField("cpu.sockets", "sockets (empty: one per vCPU)", kind="optional-int",
                      placeholder="(one per vCPU)"),
            TextField("cpu.cores", "cores per socket (one thread each)", kind="optional-int",
                      placeholder="(1)"),
            TextField("guest.iothreads", "I/O threads (disks name one; empty: none)",
                      kind="optional-int", placeholder="(none)"),
            TextField("cpu.features", "CPU features (name=policy …)", kind="mapping",
                      placeholder="(the model's own; e.g. zpci=disable)"),
            TextField("cpu.pinning", "vCPU pinning (vCPU=host CPUs …)", kind="mapping",
                      placeholder="(none; e.g. 0=2-3 1=4)"),
            TextField("cpu.emulator_pinning", "QEMU's threads on host CPUs",
                      kind="optional-str", placeholder="(any; e.g. 0-1)"),
            TextField("cpu.iothread_pinning", "I/O threads on host CPUs (thread=CPUs …)",
                      kind="mapping", placeholder="(any; e.g. 1=4)"),
            ChoiceField(*choices.DEPRECATED_FEATURES_FIELD, choices.DEPRECATED_FEATURES),
            title="More CPU options (topology, pinning …)",
        )  # fmt: skip
        yield Heading("Memory")
        yield ToggleField("memory.hugepages", "Back memory with host huge pages")
        yield ToggleField(
            "memory.balloon", "Memory balloon (virtio)", effective=lambda s: s.result.plan.balloon
        )
        yield ToggleField("rng.enabled", "Random number generator (virtio-rng)",
                          effective=lambda s: s.result.plan.rng)  # fmt: skip
        yield MoreOptions(
            ToggleField("memory.balloon_autodeflate", "Balloon gives memory back on OOM"),
            TextField("memory.balloon_stats_period", "balloon statistics every (s)",
                      kind="optional-int", placeholder="(off)"),
            TextField("memory.hard_limit_mib", "memtune hard limit (MiB)", kind="optional-int",
                      placeholder="(none)"),
            TextField("memory.soft_limit_mib", "memtune soft limit (MiB)", kind="optional-int",
                      placeholder="(none)"),
            TextField("memory.swap_hard_limit_mib", "memtune memory+swap limit (MiB)",
                      kind="optional-int", placeholder="(none)"),
            ToggleField("memory.nosharepages", "Keep KSM from sharing its pages"),
            ToggleField("memory.locked", "Lock memory in host RAM (never swapped)"),
            title="More memory options (memtune, KSM …)",
        )  # fmt: skip
        yield Heading("Not on IBM Z")
        yield ToggleField("memory.hotplug", "Memory hot-plug (maxMemory)")
        yield ToggleField("cpu.numa", "NUMA topology")
        yield ToggleField("guest.smbios", "SMBIOS system information")

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self.post_message(ValueChosen("cpu.model", event.value))

    def sync_extra(self, state: State) -> None:
        select = self.query_one("#cpu-model", Select)
        host = state.host
        if host is not None and host.has_domcaps and self.offered_for is not host:
            self.offered_for = host
            usable = [m for m in reversed(CPU_MODELS) if m in host.cpu_usable]
            others = [m for m in reversed(CPU_MODELS) if m not in host.cpu_usable]
            with self.prevent(Select.Changed):
                select.set_options(
                    [(m, m) for m in usable] + [(f"{m} (not usable here)", m) for m in others]
                )
        select.display = state.answers.cpu.mode == "custom"
        model = state.answers.cpu.model
        if model in CPU_MODELS and select.value != model:
            with self.prevent(Select.Changed):
                select.value = model

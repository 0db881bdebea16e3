"""Plain prompts (questionary): the wizard for terminals that cannot run a full screen.

The same steps as the full-screen wizard, asking the same rules: a choice the
rules forbid is shown disabled with its reason (questionary's Choice(disabled=)),
a value that breaks a rule is refused with the rule's words, and the session is
kept as a draft after every step. `ask_missing` asks only what an answers file
left open.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import questionary
from questionary import Choice

from zwizard import choices, drafts
from zwizard.answers import missing
from zwizard.build import build, next_steps, summary
from zwizard.host import HostInfo
from zwizard.model import Answers, Disk, Nic, NicSource, Passthrough, Watchdog, Zpci
from zwizard.output import OutputError, existing, write_set
from zwizard.rules import CPU_MODELS, availability
from zwizard.structure import assign, lookup

DEFAULT = "(default)"  # questionary takes a None value as "use the title"


class Quit(Exception):
    """The user chose to stop; the draft was saved when they asked to keep it."""


class Asker:
    """Questions bound to one terminal (or to a test's pipe input)."""

    def __init__(
        self,
        answers: Answers,
        draft: drafts.Draft | None = None,
        host: HostInfo | None = None,
        **io: Any,
    ) -> None:
        self.answers = answers
        self.autosave = drafts.autosave_path(draft)
        self.host = host
        self.host_is_target = True
        self.draft = draft or drafts.Draft(answers=answers)
        self.out = io.pop("print_to", sys.stderr)  # messages (never stdout: it may be redirected)
        self.io = io  # input= / output= for prompt_toolkit (a test's pipe, or the terminal)

    # -- plumbing -----------------------------------------------------------------------

    def allowed(self, path: str, value: Any) -> Any:
        return availability(
            self.answers, path, value, host=self.host, host_is_target=self.host_is_target
        )

    def on_host(self, items: list[tuple[str, str]]) -> None:
        """Show what this host has for the next question (typing another value stays fine)."""
        if self.host is not None:
            shown = ", ".join(f"{v} ({n})" if n else v for v, n in items) or "none found"
            self.say(f"  on this host: {shown}")

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def _ask(self, question: questionary.Question) -> Any:
        try:
            return question.unsafe_ask()
        except KeyboardInterrupt:
            keep = questionary.confirm(
                "Quit? Keep your answers as a draft (zwizard offers it next time)?",
                default=True,
                **self.io,
            ).ask()
            if keep is None or keep:
                self.save()
            raise Quit from None

    def save(self) -> None:
        """Autosave to this session's own file in the state directory."""
        self.draft.answers = self.answers
        try:
            self.autosave = drafts.save(self.draft, self.autosave)
            self.say(f"draft saved: {self.autosave}")
        except OSError as exc:
            self.say(f"draft not saved: {exc.strerror}")

    def text(self, path: str, message: str, *, kind: str = "str", optional: bool = False) -> None:
        """Ask for the value at `path`, refusing what the rules refuse at that path."""
        current = lookup(self.answers, path)
        validate = self.validator(path, kind, optional)
        default = "" if current is None else str(current)
        answer = self._ask(questionary.text(message, default=default, validate=validate, **self.io))
        assign(self.answers, path, _convert(answer, kind, optional))

    def validator(self, path: str, kind: str, optional: bool) -> Callable[[str], bool | str]:
        """True for text the rules accept at `path`, else their reason (shown under the prompt)."""

        def validate(text: str) -> bool | str:
            try:
                value = _convert(text, kind, optional)
            except ValueError as exc:
                return str(exc)
            verdict = self.allowed(path, value)
            own = [f for f in verdict.reasons if f.severity == "error" and f.path.startswith(path)]
            return f"{own[0].message} [{own[0].rule}]" if own else True

        return validate

    def choose(self, path: str, message: str, options: list[tuple[Any, str]]) -> None:
        """One of several values; the rules disable what they forbid, with the reason."""
        current = lookup(self.answers, path)
        choices = []
        default = None
        for value, title in options:
            verdict = self.allowed(path, value) if value != current else None
            disabled = None
            if verdict is not None and not verdict.allowed:
                disabled = f"{verdict.reason} [{verdict.rule}]"
            elif verdict is not None and verdict.reasons:
                title = f"{title} — mind: {verdict.reason}"
            choice = Choice(title, value=DEFAULT if value is None else value, disabled=disabled)
            choices.append(choice)
            if value == current:
                default = choice
        picked = self._ask(questionary.select(message, choices, default=default, **self.io))
        assign(self.answers, path, None if picked == DEFAULT else picked)

    def toggle(self, path: str, message: str, effective: bool | None = None) -> None:
        current = lookup(self.answers, path)
        shown = bool(effective if current is None and effective is not None else current)
        if not shown:
            verdict = self.allowed(path, True)
            if not verdict.allowed:
                self.say(f"  {message}: greyed — {verdict.reason} [{verdict.rule}]")
                return
        if self._ask(questionary.confirm(message, default=shown, **self.io)) != shown:
            assign(self.answers, path, not shown)

    def greyed(self, label: str, path: str) -> None:
        verdict = self.allowed(path, True)
        if not verdict.allowed:
            self.say(f"  {label}: greyed — {verdict.reason} [{verdict.rule}]")


def _convert(text: str, kind: str, optional: bool) -> Any:
    text = text.strip()
    if not text:
        if optional:
            return None
        raise ValueError("a value is needed")
    if kind == "int":
        try:
            return int(text, 0)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
    return text


# --- the steps -------------------------------------------------------------------------


def step_guest(q: Asker) -> None:
    q.say("\n== Guest OS")
    q.text("guest.name", "Guest name:")
    q.choose("guest.os", "Operating system:", choices.OS)
    q.choose("guest.domain_type", "Runs on:", choices.DOMAIN_TYPES)


def step_cpu(q: Asker) -> None:
    q.say("\n== CPU & memory")
    q.text("guest.vcpus", "vCPUs:", kind="int")
    q.text("guest.memory_mib", "Memory (MiB):", kind="int")
    q.choose("cpu.mode", "CPU mode:", choices.CPU_MODES)
    if q.answers.cpu.mode == "custom":
        q.choose("cpu.model", "CPU model:", [(m, m) for m in reversed(CPU_MODELS)])
    plan = build(q.answers, validate=False).plan
    q.toggle("memory.hugepages", "Back memory with host huge pages?")
    q.toggle("memory.balloon", "Memory balloon (virtio)?", effective=plan.balloon)
    q.toggle("rng.enabled", "Random number generator (virtio-rng)?", effective=plan.rng)
    for label, path in (("Memory hot-plug", "memory.hotplug"), ("NUMA topology", "cpu.numa"),
                        ("SMBIOS", "guest.smbios")):  # fmt: skip
        q.greyed(label, path)


def step_disks(q: Asker) -> None:
    q.say("\n== Disks & boot order")
    for i, d in enumerate(q.answers.disks):
        q.say(f"  disks[{i}]: {d.device} {d.path}")
    while q._ask(questionary.confirm("Add a disk?", default=not q.answers.disks, **q.io)):
        i = len(q.answers.disks)
        kind = q._ask(questionary.select("Kind:", ["disk", "cdrom"], **q.io))
        first = not any(d.boot_order for d in [*q.answers.disks, *q.answers.nics])
        q.answers.disks.append(Disk(path="", device=kind, boot_order=1 if first else None))
        q.text(f"disks[{i}].path", "Path:")
        if q.answers.disks[i].boot_order:
            q.text(f"disks[{i}].loadparm", "loadparm (empty: none):", optional=True)


def step_network(q: Asker) -> None:
    q.say("\n== Network (virtio-net-ccw)")
    q.greyed("virtual PCI NIC", "virtio-pci")
    while q._ask(
        questionary.confirm("Add a network interface?", default=not q.answers.nics, **q.io)
    ):
        i = len(q.answers.nics)
        kind = q._ask(questionary.select("Connect to:", ["network", "bridge", "direct"], **q.io))
        q.answers.nics.append(Nic(source=NicSource()))
        if q.host is not None:
            h = q.host
            q.on_host(
                [(n.name, "active" if n.active else "inactive") for n in h.networks or []]
                if kind == "network"
                else [(i.name, "") for i in h.interfaces if i.bridge == (kind == "bridge")]
            )
        q.text(f"nics[{i}].source.{kind}", f"{kind} name:")
        q.text(f"nics[{i}].mac", "MAC (empty: derived from the guest UUID):", optional=True)


def step_watchdog(q: Asker) -> None:
    q.say("\n== Watchdog")
    on = q._ask(
        questionary.confirm("diag288 watchdog?", default=q.answers.watchdog is not None, **q.io)
    )
    q.answers.watchdog = (q.answers.watchdog or Watchdog()) if on else None
    if on:
        actions = [(a, a) for a in choices.WATCHDOG_ACTIONS]
        q.choose("watchdog.action", "When the guest stops feeding it:", actions)


def step_passthrough(q: Asker) -> None:
    q.say("\n== Passthrough")
    while True:
        offered = []
        for kind, title in choices.PASSTHROUGH:
            verdict = q.allowed("passthrough[+]", choices.probe_device(kind))
            reason = None if verdict.allowed else f"{verdict.reason} [{verdict.rule}]"
            offered.append(Choice(f"add {title}", value=kind, disabled=reason))
        offered.append(Choice("done", value="done"))
        kind = q._ask(questionary.select("Host devices:", offered, default=offered[-1], **q.io))
        if kind == "done":
            return
        i = len(q.answers.passthrough)
        q.answers.passthrough.append(Passthrough(type=kind, zpci=Zpci() if kind == "pci" else None))
        if kind == "pci":
            if q.host is not None:
                q.on_host(
                    [(f.address, f"uid {f.uid} fid {f.fid}" if f.uid else "") for f in q.host.pci]
                )
            q.text(f"passthrough[{i}].address", "Host PCI address (dddd:bb:ss.f):")
            q.text(
                f"passthrough[{i}].zpci.uid",
                "zPCI uid (0x0001-0xffff; empty: assigned):",
                optional=True,
            )
            q.text(f"passthrough[{i}].zpci.fid", "zPCI fid (empty: assigned):", optional=True)
        else:
            if q.host is not None:
                q.on_host(
                    [(m.uuid, f"in use by {m.in_use_by}" if m.in_use_by else m.parent)
                     for m in q.host.mdevs if m.kind == kind]
                )  # fmt: skip
            q.text(f"passthrough[{i}].uuid", "Mediated device UUID (ls /sys/bus/mdev/devices/):")


def step_secure(q: Asker) -> None:
    q.say("\n== Secure Execution")
    a = q.answers
    if not a.secure_execution.enabled:
        verdict = q.allowed("secure_execution.enabled", True)
        if not verdict.allowed:
            q.say("  Secure Execution needs these to go first:")
            for f in verdict.reasons:
                q.say(f"    ✗ {f.message} [{f.rule}]")
            return
    q.toggle("secure_execution.enabled", "Run as a secure guest (s390-pv)?")


def step_pxe(q: Asker) -> None:
    q.say("\n== PXE")
    q.toggle("pxe.enabled", "Write pxelinux.cfg for a network install?")
    if q.answers.pxe.enabled:
        q.text("pxe.kernel", "kernel (relative to the TFTP root):")
        q.text("pxe.initrd", "initrd:")
        q.text("pxe.repo", "installation source (inst.repo=):", optional=True)
        q.text("pxe.kickstart", "kickstart URL (empty: none):", optional=True)


STEPS = (step_guest, step_cpu, step_disks, step_network, step_watchdog, step_passthrough,
         step_secure, step_pxe)  # fmt: skip


def review_and_write(q: Asker, outdir: Path, force: bool = False) -> list[Path]:
    q.say("\n== Review & write")
    result = build(q.answers, host=q.host, host_is_target=q.host_is_target)
    for f in result.findings:
        q.say(f"  {f.severity}: {f.path}: {f.message} [{f.rule}]")
    if not result.ok:
        q.say("  the guest breaks a rule: nothing written (your draft is kept)")
        q.save()
        return []
    for line in summary(result):
        q.say(f"  {line}")
    clash = existing(outdir, result.files)
    if clash and not force:
        names = ", ".join(str(p) for p in clash)
        if not q._ask(questionary.confirm(f"Replace {names}?", default=False, **q.io)):
            q.say("  nothing written")
            q.save()
            return []
        force = True
    try:
        written = write_set(outdir, result.files, force=force)
    except OutputError as exc:
        q.say(f"  {exc}")
        return []
    q.draft.finished = True
    q.save()
    for path in written:
        q.say(f"wrote {path}")
    q.say("next steps:")
    for step in next_steps(result, outdir):
        q.say(f"  {step}")
    return written


def run(
    answers: Answers,
    outdir: Path,
    *,
    draft: drafts.Draft | None = None,
    host: HostInfo | None = None,
    host_is_target: bool = True,
    define_uri: str | None = None,
    **io: Any,
) -> int:
    """The whole wizard as questions; returns an exit code."""
    q = Asker(answers, draft, host, **io)
    q.host_is_target = host_is_target
    if answers.guest.uuid is None:
        from zwizard.answers import fill_generated

        fill_generated(answers)
    try:
        for step in STEPS:
            step(q)
            q.draft.step = step.__name__.removeprefix("step_")
            q.save()
        written = review_and_write(q, outdir)
    except Quit:
        return 1
    if written and define_uri:
        from zwizard.define import DefineError, define_all

        xml = next(p for p in written if p.suffix == ".xml")
        try:
            for line in define_all([xml], define_uri):
                q.say(line)
        except DefineError as exc:
            q.say(f"not defined: {exc}")
            return 1
    return 0 if written else 1


# --- partial answers -------------------------------------------------------------------


QUESTIONS = {
    "guest.name": "Guest name:",
    "path": "Path of {where}:",
    "uuid": "Mediated device UUID of {where}:",
    "address": "Host PCI address of {where}:",
    "uid": "zPCI uid of {where}:",
    "fid": "zPCI fid of {where}:",
}


def ask_missing(answers: Answers, **io: Any) -> bool:
    """Ask only for what `missing` names; False when the user quit."""
    q = Asker(answers, **io)
    try:
        for path in missing(answers):
            where = path.rsplit(".", 1)[0]
            if path.endswith(".source"):
                kind = q._ask(
                    questionary.select(
                        f"{where} connects to:", ["network", "bridge", "direct"], **q.io
                    )
                )
                q.text(f"{path}.{kind}", f"{kind} name for {where}:")
                continue
            if path.endswith(".zpci.uid") or path.endswith(".zpci.fid"):
                dev = lookup(answers, where.rsplit(".", 1)[0])
                if dev.zpci is None:
                    dev.zpci = Zpci()
            key = path.rsplit(".", 1)[-1]
            message = QUESTIONS.get(path) or QUESTIONS[key].format(where=where.replace(".zpci", ""))
            q.text(path, message)
    except Quit:
        return False
    return True

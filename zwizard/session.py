"""The editing core: one guest being edited, whatever front end edits it.

The full-screen wizard, the prompt mode and the answers mode all go through here: the
answers plus the text typed that is not a value yet (`pending`), every edit a person can
make, and turning Secure Execution on together with what must go; writing, defining and
next steps are output.write_and_define. No rule and no edit lives in `tui/` or `prompt/`.

Text typed is never coerced into another value: a number field holding `8G`
keeps `8G`, reports it with the rule's id and words, and blocks writing.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwizard.build import Build, build, needs_preparation, summary
from zwizard.choices import follow_choice
from zwizard.devices import KINDS, entries
from zwizard.findings import declared_only, reports
from zwizard.model import Answers

# what a front end may offer now (zwizard.offering), offered here too
from zwizard.offering import boot_sequence as boot_sequence
from zwizard.offering import can_add as can_add
from zwizard.offering import choice_availability as choice_availability
from zwizard.offering import cpu_model_offers as cpu_model_offers
from zwizard.offering import option_entry as option_entry
from zwizard.offering import secure_execution_blockers as secure_execution_blockers
from zwizard.output import Outcome, existing, write_and_define
from zwizard.rules import SE_MAX_VCPUS, Finding
from zwizard.rules.secure import lacks_unpack
from zwizard.structure import assign, fields, holder, is_record, lookup
from zwizard.typed import INT_LIST_KEYS, MAPPING_KEYS

# typed text read as values (zwizard.typed), offered here too: front ends import the session
from zwizard.typed import NUMBER_RULES as NUMBER_RULES
from zwizard.typed import field_text as field_text
from zwizard.typed import list_problem as list_problem
from zwizard.typed import mapping_problem as mapping_problem
from zwizard.typed import number_problem as number_problem
from zwizard.typed import number_rule as number_rule
from zwizard.typed import parse_list as parse_list
from zwizard.typed import parse_mapping as parse_mapping
from zwizard.typed import shown_text as shown_text

if TYPE_CHECKING:
    from zwizard.drafts import Draft
    from zwizard.host import HostInfo
    from zwizard.prepare import Preparation
    from zwizard.stack_versions import Stack

# Tables there only when asked for, filled by text fields: emptied, they go ([kernel], [target])
OPTIONAL_TABLES = ("kernel", "target")


def _absent_by_default(answers: Answers, path: str) -> bool:
    """The key at `path` is absent unless given (its default is None: pxe.nameserver)."""
    table, key = holder(answers, path)
    return table is not None and any(f.name == key and f.default is None for f in fields(table))


def read_hosts(uris: list[str], domain_type: str) -> list[HostInfo]:
    """Every host the guest is judged against, each read over its libvirt URI (in
    parallel: zwizard.hosts); what a front end hands to `Session.use_host(s)`."""
    from zwizard.hosts import discover_all

    return discover_all(uris, domain_type)


class Session:
    """One guest being edited: answers, pending text, the host it is judged against."""

    def __init__(
        self,
        answers: Answers | None = None,
        *,
        pending: dict[str, str] | None = None,
        host: HostInfo | None = None,
        host_is_target: bool = True,
        step: str = "guest",
    ) -> None:
        self.answers = answers if answers is not None else Answers()
        self.pending = dict(pending or {})
        # the text a valid value was typed as ("0x05 0x06" for [5, 6]): shown as typed
        # while the value stays what it meant, never rewritten into zwizard's own form
        self.typed: dict[str, tuple[str, Any]] = {}
        self.host = host
        self.hosts: list[HostInfo] = []  # every host the guest is judged against (--connect)
        self.host_is_target = host_is_target
        self.step = step
        # --shared-folder: write into a folder other users can write to (refused otherwise)
        self.shared_folder = False
        self._result: Build | None = None
        # the guests written by this session, name -> UUID: renamed, it is another guest
        self.written_as: dict[str, str] = {}
        # the answers as they were before Secure Execution removed what it cannot have:
        # turned off again, it gives back what it took (an outside tester lost a custom
        # CPU model that way, without a word)
        self.before_secure: Answers | None = None
        self.given_back: list[str] = []  # what turning it off gave back, to be said
        if self.answers.guest.uuid is None:
            from zwizard.answers import fill_generated

            fill_generated(self.answers)  # kept in the draft: MACs derive from it

    @classmethod
    def from_draft(cls, draft: Draft, host: HostInfo | None = None) -> Session:
        return cls(
            draft.answers,
            pending=draft.pending,
            host=host,
            host_is_target=not draft.other_host,
            step=draft.step,
        )

    # -- what the rules say --------------------------------------------------------------

    @reports("value", *NUMBER_RULES.values())
    def pending_findings(self) -> list[Finding]:
        out = []
        for path, text in self.pending.items():
            if path in MAPPING_KEYS:
                out.append(Finding("value", "error", path, mapping_problem(text)))
                continue
            if path.rsplit(".", 1)[-1] in INT_LIST_KEYS:
                out.append(Finding("value", "error", path, list_problem(text)))
                continue
            problem = number_problem(path, text)
            out.append(problem or Finding("value", "error", path, f"'{text}' is not valid here"))
        return out

    @property
    def result(self) -> Build:
        """Findings and files for the answers as they are, text not yet valid included:
        while any is pending, nothing is writable."""
        if self._result is None:
            judged = self.hosts if len(self.hosts) > 1 else self.host
            # the script written with the files creates what it prepares: not missing.
            # Only host findings can be resolved: without a host, or with nothing to
            # prepare, no preparation is made at each keystroke
            resolved = None
            if self.host is not None and needs_preparation(self.answers):
                prep = self.preparation
                resolved = prep.resolves if prep.ok and prep.steps else None
            result = build(
                self.answers, host=judged, host_is_target=self.host_is_target, resolved=resolved
            )
            pending = self.pending_findings()
            declared_only(self.pending_findings, pending)
            if pending:
                # what the rules say of the last valid value under pending text is stale
                # ('8' while '8G' is shown): the pending text's own finding speaks instead
                stale = set(self.pending)
                result.findings = pending + [f for f in result.findings if f.path not in stale]
                result.files = {}
            self._result = result
        return self._result

    def changed(self) -> None:
        self._result = None
        self._preparation = None
        self._apart_from_written()

    def _apart_from_written(self) -> None:
        """A guest renamed after it was written is a second guest: it gets its own UUID,
        and so its own derived MACs (an outside tester's db02 had db01's, which libvirt
        refuses to define twice and one bridge cannot carry); named back, it is the
        written guest again."""
        g = self.answers.guest
        if g.name in self.written_as:
            g.uuid = self.written_as[g.name]
        elif g.uuid in self.written_as.values():
            from uuid import uuid4

            g.uuid = str(uuid4())

    _preparation: Preparation | None = None

    @property
    def preparation(self) -> Preparation:
        """The host preparation for the answers as they are (zwizard prepare's steps)."""
        if self._preparation is None:
            from zwizard.plan import make_plan
            from zwizard.prepare import prepare

            plan = make_plan(self.answers)
            self._preparation = prepare(self.answers, plan, self.host, self.host_is_target)
        return self._preparation

    def output_files(self) -> dict[str, str]:
        """What Write writes: the guest's files, and its host preparation script when
        there is something to prepare and no step is refused."""
        from zwizard.answers import dumps
        from zwizard.prepare import files

        result = self.result
        if not result.files:
            return {}
        # the answers that made these files, beside them: what `zwizard prepare`, a
        # later --answers run or --draft takes (a .toml: the owner's alone)
        out = {**result.files, self.answers_name(): dumps(self.answers)}
        prep = self.preparation
        if not result.ok or not prep.ok or not prep.steps:
            return out
        return {**out, **files(prep)}

    def existing_outputs(self, outdir: Path) -> list[Path]:
        """The files Write would replace in `outdir` (same content is no clash)."""
        return existing(outdir, self.output_files())

    def summary(self) -> list[str]:
        """What the user should know of the values chosen for them, one line each."""
        return summary(self.result)

    def preparation_overview(self, marks: dict[str, str] | None = None) -> list[str]:
        """The host preparation as both front ends show it (`marks`: how a finding's
        severity is shown); empty when there is nothing to prepare."""
        from zwizard.prepare import overview

        return overview(self.preparation, marks)

    def preparation_errors(self) -> int:
        """Errors of the host preparation, while the guest needs one and has files (its
        script is not written while there are)."""
        if not self.result.files or not needs_preparation(self.answers):
            return 0
        return sum(1 for f in self.preparation.findings if f.severity == "error")

    def answers_text(self) -> str:
        """The answers as the TOML file Write puts beside the files."""
        from zwizard.answers import dumps

        return dumps(self.answers)

    def missing(self) -> list[str]:
        """Key paths the answers leave open that no default can fill."""
        from zwizard.answers import missing

        return missing(self.answers)

    def answers_name(self) -> str:
        """The answers file written beside the guest's files: `<name>.toml`."""
        return f"{self.answers.guest.name}.toml"

    # -- edits ----------------------------------------------------------------------------

    def set_value(self, path: str, value: Any) -> bool:
        """Set a value; False when nothing changed (an echo of what is shown)."""
        try:
            if path not in self.pending and lookup(self.answers, path) == value:
                return False
            assign(self.answers, path, value)
            follow_choice(self.answers, path, value)
            if path == "secure_execution.enabled" and not value:
                self.given_back = self._give_back_after_secure()
        except (AttributeError, IndexError, TypeError):
            return False  # the item went away meanwhile
        self.pending.pop(path, None)
        self.changed()
        return True

    def set_text(self, path: str, text: str, kind: str = "str") -> bool:
        """Text typed into a field. `kind` is str, int, optional-str or optional-int.
        Strings are kept exactly as typed (the rules judge them); a number field takes
        only digits — anything else stays pending, reported, never coerced."""
        optional = kind.startswith("optional")
        if kind.endswith(("list", "mapping")):
            value = parse_list(text, kind) if kind.endswith("list") else parse_mapping(text)
            if value is None:
                return self._keep(path, text)
            if optional and not value and _absent_by_default(self.answers, path):
                return self.set_value(path, None)  # emptied: the key goes, as it came
            return self._typed(path, text, value)
        if kind.endswith("int"):
            if optional and text == "":
                return self.set_value(path, None)
            if number_problem(path, text) is None:
                return self._typed(path, text, int(text))
            return self._keep(path, text)
        if not (optional and text == ""):
            return self.set_value(path, text)
        parent, _, key = path.rpartition(".")
        table = lookup(self.answers, parent) if parent else None
        if table is None or not is_record(table):
            return self.set_value(path, None)
        # a key a table must have ([kernel] path) is emptied, never None; a table that
        # is there only when asked for and now holds nothing goes (no kernel boot)
        required = next(f for f in fields(table) if f.name == key).metadata
        changed = self.set_value(path, "" if required.get("required") else None)
        if parent in OPTIONAL_TABLES and all(
            getattr(table, f.name) in (None, "") for f in fields(table)
        ):
            assign(self.answers, parent, None)
            self.changed()
            return True
        return changed

    def _typed(self, path: str, text: str, value: Any) -> bool:
        self.typed[path] = (text, value)
        return self.set_value(path, value)

    def _keep(self, path: str, text: str) -> bool:
        """Text that is not a value of its field: kept as typed, pending, reported."""
        if self.pending.get(path) == text:
            return False
        self.pending[path] = text
        self.changed()
        return True

    def text_of(self, path: str) -> str:
        """What a field shows: the pending text, or the value (as it was typed)."""
        return shown_text(self.answers, path, self.pending, self.typed)

    def _bootables(self) -> list[Any]:
        return [item for kind, _, item in entries(self.answers) if kind.boots]

    def add_device(self, key: str, item: Any) -> int:
        """Append a device; the first disk of a guest with no boot order boots first."""
        if key == "disks" and not any(d.boot_order for d in self._bootables()):
            item.boot_order = 1
        items = getattr(self.answers, key)
        items.append(item)
        self._renumber_boot()
        self.changed()
        return len(items) - 1

    def remove_device(self, key: str, index: int) -> None:
        items = getattr(self.answers, key)
        if 0 <= index < len(items):
            del items[index]
            self._shift_pending(key, index)
            self._renumber_boot()
            self.changed()

    def set_agent(self, on: bool) -> None:
        """The QEMU guest agent's channel on (added once) or off (every one removed)."""
        from zwizard.model import AGENT_CHANNEL, Channel

        have = [i for i, c in enumerate(self.answers.channels) if c.name == AGENT_CHANNEL]
        if on and not have:
            self.add_device("channels", Channel())
        elif not on:
            for i in reversed(have):
                self.remove_device("channels", i)

    def move_device(self, key: str, index: int, delta: int) -> int:
        """Move a device up (-1) or down (+1) in its list; returns its new index."""
        items = getattr(self.answers, key)
        other = index + delta
        if not (0 <= index < len(items) and 0 <= other < len(items)):
            return index
        items[index], items[other] = items[other], items[index]
        self._swap_pending(f"{key}[{index}]", f"{key}[{other}]")
        self.changed()
        return other

    def toggle_boot(self, key: str, index: int) -> None:
        """Put a device into the boot sequence (last) or take it out (with its loadparm)."""
        items = getattr(self.answers, key)
        if not 0 <= index < len(items):
            return
        dev = items[index]
        if dev.boot_order:
            dev.boot_order, dev.loadparm = None, None
        else:
            dev.boot_order = max((d.boot_order or 0) for d in self._bootables()) + 1
        self._renumber_boot()
        self.changed()

    def move_in_boot_sequence(self, position: int, delta: int) -> int:
        """Boot the device at `position` (0 = first) earlier (-1) or later (+1)."""
        plan = self.result.plan
        seq = sorted(plan.boot, key=plan.boot.__getitem__)
        other = position + delta
        if not (0 <= position < len(seq) and 0 <= other < len(seq)):
            return position
        if plan.boot_assigned:  # make the order the plan chose explicit before moving it
            for path, order in plan.boot.items():
                lookup(self.answers, path).boot_order = order
        a, b = lookup(self.answers, seq[position]), lookup(self.answers, seq[other])
        a.boot_order, b.boot_order = b.boot_order, a.boot_order
        self.changed()
        return other

    def boot_first(self, path: str) -> None:
        """`path` boots first (a NIC to install over the network); the rest keep their
        order after it."""
        plan = self.result.plan
        rest = [p for p in sorted(plan.boot, key=plan.boot.__getitem__) if p != path]
        for order, p in enumerate([path, *rest], start=1):
            lookup(self.answers, p).boot_order = order
        self.changed()

    def install_from_first_nic(self) -> bool:
        """PXE is on and no interface boots: the first boots first, to install (both
        front ends, when PXE is turned on). False where nothing had to change."""
        if not self.answers.pxe.enabled or not self.answers.nics:
            return False
        if self.result.plan.boot_nic() is not None:
            return False
        self.boot_first("nics[0]")
        return True

    def place_in_boot_sequence(self, path: str, position: int | None) -> None:
        """The device at `path` boots at `position` (1 = first), the others keep their
        order around it — a position another device has is taken, not refused: it moves
        one later. None: the device does not boot (its loadparm stays, judged)."""
        dev = lookup(self.answers, path)
        if position is None:
            dev.boot_order = None
            self._renumber_boot()
            self.changed()
            return
        plan = self.result.plan
        rest = [p for p in sorted(plan.boot, key=plan.boot.__getitem__) if p != path]
        at = max(0, min(position - 1, len(rest)))
        for order, p in enumerate([*rest[:at], path, *rest[at:]], start=1):
            lookup(self.answers, p).boot_order = order
        self.changed()

    def _renumber_boot(self) -> None:
        ordered = sorted(
            (d for d in self._bootables() if isinstance(d.boot_order, int) and d.boot_order > 0),
            key=lambda d: d.boot_order,
        )
        for n, dev in enumerate(ordered, start=1):
            dev.boot_order = n

    def _shift_pending(self, key: str, removed: int) -> None:
        """Pending text follows its device when one before it is removed."""
        import re

        moved = {}
        for path, text in self.pending.items():
            m = re.match(rf"{key}\[(\d+)\](.*)", path)
            if not m:
                moved[path] = text
            elif int(m[1]) > removed:
                moved[f"{key}[{int(m[1]) - 1}]{m[2]}"] = text
            elif int(m[1]) < removed:
                moved[path] = text
        self.pending = moved

    def _swap_pending(self, a: str, b: str) -> None:
        swapped = {}
        for path, text in self.pending.items():
            if path.startswith(a + ".") or path == a:
                path = b + path[len(a) :]
            elif path.startswith(b + ".") or path == b:
                path = a + path[len(b) :]
            swapped[path] = text
        self.pending = swapped

    # -- Secure Execution ------------------------------------------------------------------

    def secure_execution_removals(self) -> list[str]:
        """What turning Secure Execution on removes or changes, in words, before it does."""
        a, plan = self.answers, self.result.plan
        out = [
            f"{path}: the {what}"
            for kind, path, item in entries(a)
            if (what := kind.se_forbidden(item))
        ]
        if a.memory.hugepages:
            out.append("memory.hugepages: huge-page backing")
        if plan.balloon:
            out.append("memory.balloon: the virtio memory balloon")
        if plan.rng:
            out.append("rng.enabled: the virtio-rng device")
        if isinstance(a.guest.vcpus, int) and a.guest.vcpus > SE_MAX_VCPUS:
            out.append(f"guest.vcpus: {a.guest.vcpus} vCPUs become {SE_MAX_VCPUS}")
        if lacks_unpack(a):
            out.append(f"cpu.mode: {a.cpu.mode} becomes host-model")
        return out

    def enable_secure_execution(self) -> list[str]:
        """Remove what Secure Execution cannot have, turn it on; returns what went."""
        removed = self.secure_execution_removals()
        a = self.answers
        self.before_secure = copy.deepcopy(a)
        for kind in KINDS:  # boot orders stay as they were: the rest keep their sequence
            items = getattr(a, kind.key)
            for i in reversed(range(len(items))):
                if kind.se_forbidden(items[i]):
                    del items[i]
                    self._shift_pending(kind.key, i)
        a.memory.hugepages = False
        a.memory.balloon = None  # off by default under Secure Execution
        # its options set the balloon (se-no-memstats): they go with it
        a.memory.balloon_autodeflate = a.memory.balloon_stats_period = None
        a.rng.enabled = None
        if isinstance(a.guest.vcpus, int) and a.guest.vcpus > SE_MAX_VCPUS:
            a.guest.vcpus = SE_MAX_VCPUS
        if lacks_unpack(a):
            a.cpu.mode, a.cpu.model = None, None
        a.secure_execution.enabled = True
        self.changed()
        return removed

    def _give_back_after_secure(self) -> list[str]:
        """Secure Execution turned off: what it removed comes back where nothing else took
        its place since — the host devices, huge pages, the balloon and rng as they were
        set, the vCPUs and the CPU mode and model. Returns what came back, in words."""
        before, self.before_secure = self.before_secure, None
        if before is None:
            return []
        a, back = self.answers, []
        for kind in KINDS:
            items = getattr(a, kind.key)
            for item in getattr(before, kind.key):
                if what := kind.se_forbidden(item):
                    items.append(item)
                    back.append(f"{kind.key}[{len(items) - 1}]: the {what}")
        if before.memory.hugepages and not a.memory.hugepages:
            a.memory.hugepages = True
            back.append("memory.hugepages: huge-page backing")
        if a.memory.balloon is None:  # as it was set (None: on again by default)
            a.memory.balloon = before.memory.balloon
            a.memory.balloon_autodeflate = before.memory.balloon_autodeflate
            a.memory.balloon_stats_period = before.memory.balloon_stats_period
        if a.rng.enabled is None:
            a.rng.enabled = before.rng.enabled
        if a.guest.vcpus == SE_MAX_VCPUS and before.guest.vcpus != SE_MAX_VCPUS:
            a.guest.vcpus = before.guest.vcpus
            back.append(f"guest.vcpus: {before.guest.vcpus}")
        if (a.cpu.mode, a.cpu.model) == (None, None) and before.cpu.mode is not None:
            a.cpu.mode, a.cpu.model = before.cpu.mode, before.cpu.model
            back.append(f"cpu.mode: {before.cpu.mode} {before.cpu.model or ''}".rstrip())
        return back

    # -- host ------------------------------------------------------------------------------

    def use_hosts(self, hosts: list[HostInfo]) -> None:
        """Judge against all of them; the first is the one whose devices are offered."""
        self.hosts = hosts
        self.use_host(hosts[0] if hosts else None)

    def use_host(self, host: HostInfo | None) -> None:
        self.host = host
        self.changed()

    def stack(self) -> Stack:
        """The libvirt and QEMU the version-dependent rules judge against now: this host's
        (or the oldest of the hosts') when the guest is for it, else the answers'
        `[target]`, else libvirt 9.0 / QEMU 7.2."""
        from zwizard.stack_versions import judged_stack

        judged = self.hosts if len(self.hosts) > 1 else self.host
        return judged_stack(self.answers, judged, self.host_is_target)

    def hostname_needed(self) -> str | None:
        """Why the installer's host name must be given: a static install takes the guest's
        name by default, and this one is no host name; None where empty will do."""
        from zwizard.inputs import HOSTNAME_FORM, hostname_ok

        name = self.answers.guest.name
        if self.answers.pxe.ip != "static" or hostname_ok(name):
            return None
        return f"not '{name}': {HOSTNAME_FORM}"

    def set_other_host(self, other: bool) -> None:
        """The guest is for another host: what this one lacks becomes a warning."""
        self.host_is_target = not other
        self.changed()

    # -- drafts and output -----------------------------------------------------------------

    def draft(self, *, finished: bool = False) -> Draft:
        from zwizard.drafts import Draft

        return Draft(
            answers=copy.deepcopy(self.answers),
            pending=dict(self.pending),
            step=self.step,
            finished=finished,
            other_host=not self.host_is_target,
        )

    def write(
        self, outdir: Path, *, force: bool = False, define_uri: str | list[str] | None = None
    ) -> Outcome:
        result = self.result
        if not result.ok:
            errors = sum(1 for f in result.findings if f.severity == "error")
            return Outcome(error=f"{errors} error(s) to fix first: nothing written")
        extra = {k: v for k, v in self.output_files().items() if k not in result.files}
        outcome = write_and_define(
            [result],
            outdir,
            force=force,
            define_uri=define_uri,
            extra=extra,
            shared_ok=self.shared_folder,
            answers_files=[outdir / self.answers_name()],
        )
        if outcome.error is None and self.answers.guest.uuid is not None:
            self.written_as[self.answers.guest.name] = self.answers.guest.uuid
        return outcome

"""What a front end may offer now: whether a choice or one more device is allowed (greyed
with the rules' reason, never for what is merely unfinished) and the CPU models offered.
The rules decide (zwizard.rules.availability); this reads their answer as a front end
needs it. Front ends take these through the session (zwizard.session re-exports them).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import TYPE_CHECKING, Any

from zwizard.devices import BY_KEY
from zwizard.rules import Availability, Finding, availability

if TYPE_CHECKING:
    from zwizard.host import HostInfo
    from zwizard.model import Answers
    from zwizard.plan import Plan


def can_add(
    answers: Answers, key: str, item: Any, host: HostInfo | None = None, target: bool = True
) -> Availability:
    """May one more device like `item` be added? Greyed means impossible here, not
    unfinished: the new item's own blanks (a UUID still to type) and what this host
    lacks grey nothing; a rule about the kind itself (a second vfio-ap, passthrough
    under Secure Execution) does."""
    index = len(getattr(answers, key))
    own = f"{key}[{index}]"
    verdict = availability(answers, f"{key}[+]", item, None, host, target)
    blocking = tuple(
        f
        for f in verdict.reasons
        if f.severity == "error"
        and not f.rule.startswith("host-")
        and (f.path == own or not f.path.startswith((own + ".", own + "[")))
    )
    return Availability(not blocking, blocking)


def choice_availability(
    answers: Answers,
    path: str,
    value: Any,
    host: HostInfo | None = None,
    target: bool = True,
    baseline: list[Finding] | None = None,
    pending: Collection[str] = (),
    resolved: Collection[tuple[str, str]] = (),
) -> Availability:
    """Whether a choice is allowed, where a choice that reveals fields to fill in (static
    addressing, a custom CPU model) is never greyed for those fields being empty yet.

    `pending`: key paths holding text that is not a value yet. What the rules say of the
    last value under such text is not the session's word (its own finding speaks), so it
    is no reason about this choice either ('8' under '8G' would read "8 MiB is below …").
    `resolved`: (rule, path) of the host findings the host preparation takes care of
    (Build.resolved), as `baseline` holds them: notes, not warnings."""
    from zwizard.choices import REVEALS

    verdict = availability(answers, path, value, baseline, host, target)
    if resolved:
        # what the host preparation written with the files creates (a mediated device)
        # is a note in the session's result and no reason about any choice
        kept = tuple(f for f in verdict.reasons if (f.rule, f.path) not in resolved)
        verdict = Availability(not any(f.severity == "error" for f in kept), kept)
    entry = option_entry(path)
    if (
        entry
        and not verdict.allowed
        and all(f.path.startswith(entry + ".") for f in verdict.reasons if f.severity == "error")
    ):
        # a device option at odds only with another field of the same device (io native
        # under the default cache): choosable, the fix is on this step — said, not greyed
        return Availability(True, verdict.reasons)
    revealed = REVEALS.get((path, value), ()) if isinstance(value, Hashable) else ()
    skip = set(revealed) | set(pending)
    if not skip:
        return verdict
    rest = tuple(f for f in verdict.reasons if f.path not in skip)
    return Availability(not any(f.severity == "error" for f in rest), rest)


def option_entry(path: str) -> str | None:
    """`disks[0]` for `disks[0].io`, a key a device kind declares in its options."""
    head, dot, key = path.partition("].")
    kind = BY_KEY.get(head.partition("[")[0]) if dot else None
    if kind is not None and any(f.key == key for f in kind.options):
        return head + "]"
    return None


def cpu_model_offers(host: HostInfo | None) -> list[tuple[str, str]]:
    """The custom CPU models both front ends offer, as (model, title): newest first and,
    where this host's domain capabilities say which it can run, those first and the rest
    marked "(not usable here)" — chosen, they are refused on Review (rule host-cpu)."""
    from zwizard.cpu_models import CPU_MODELS

    newest_first = list(reversed(CPU_MODELS))
    if host is None or not host.has_domcaps:
        return [(m, m) for m in newest_first]
    usable = [(m, m) for m in newest_first if m in host.cpu_usable]
    others = [(m, f"{m} (not usable here)") for m in newest_first if m not in host.cpu_usable]
    return usable + others


def boot_sequence(answers: Answers, plan: Plan) -> list[tuple[str, str]]:
    """The devices that boot, first first, each with what a person knows it by: a disk's
    target and file, an interface's MAC and network, a host device's type and id (an
    outside tester read only "1. disks[0]  2. nics[0]")."""
    out = []
    for path in sorted(plan.boot, key=plan.boot.__getitem__):
        key, _, index = path.partition("[")  # "disks[0]"
        n = int(index.rstrip("]"))
        item = getattr(answers, key)[n]
        if key == "disks":
            target = plan.targets[n] if n < len(plan.targets) else ""
            words = f"{target} {(item.path or '').rsplit('/', 1)[-1] or item.device}"
        elif key == "nics":
            mac = plan.macs[n] if n < len(plan.macs) else ""
            src = item.source  # a partial answers file may not give it yet
            name = (src.network or src.bridge or src.direct) if src is not None else None
            words = f"{mac} {name or ''}"
        else:
            words = f"{item.type} {item.uuid or item.address or ''}"
        out.append((path, f"{path} ({words.strip()})"))
    return out


def secure_execution_blockers(verdict: Availability, removals: list[str]) -> list[Finding]:
    """What stops Secure Execution that turning it on cannot remove (emulation, an old
    host): with any, the "remove these and turn it on" action is greyed too — an outside
    tester pressed it under TCG and got a secure guest the rules refuse. `removals`:
    Session.secure_execution_removals()."""
    gone = {what.split(":", 1)[0] for what in removals}
    if "cpu.mode" in gone:
        gone.add("cpu.model")  # the mode becomes host-model: the custom model goes too

    def removed(path: str) -> bool:  # the balloon's options go with it
        return any(path == g or path.startswith((g + ".", g + "_")) for g in gone)

    return [f for f in verdict.reasons if f.severity == "error" and not removed(f.path)]

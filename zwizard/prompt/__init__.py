"""Plain prompts: the same wizard for terminals that cannot run a full screen.

Every step and choice of the full-screen wizard, asked one by one through the same
editing core (zwizard.session) and the same rules: a choice the rules forbid is
listed disabled with its reason, a value that breaks a rule is refused with the
rule's words. Ctrl-C on any question offers the way back (the previous step),
keeping the draft, or going on. The draft is saved after every step and records
the step, so resuming starts where the session stopped; nothing is written
before a final confirmation. With TERM=dumb or NO_COLOR the questions are plain
numbered lines without a single escape code; `ask_missing` asks only what an answers
file left open.

`asker` holds the questions themselves, `steps` the wizard's steps as questions; this
module runs them in order, then Review and the write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwizard import drafts
from zwizard.devices import BY_KEY
from zwizard.model import Answers
from zwizard.prompt.asker import DEFAULT, Asker, Back, LineQuestions, Quit, plain_terminal
from zwizard.prompt.steps import (
    STEP_NAMES,
    STEPS,
    step_cpu,
    step_disks,
    step_guest,
    step_network,
    step_passthrough,
    step_pxe,
    step_secure,
    step_watchdog,
)
from zwizard.session import Session
from zwizard.structure import lookup

if TYPE_CHECKING:
    from zwizard.host import HostInfo

__all__ = [
    "DEFAULT",
    "STEPS",
    "STEP_NAMES",
    "Asker",
    "Back",
    "LineQuestions",
    "Quit",
    "Session",
    "ask_missing",
    "drafts",
    "plain_terminal",
    "review_and_write",
    "run",
    "step_cpu",
    "step_disks",
    "step_guest",
    "step_network",
    "step_passthrough",
    "step_pxe",
    "step_secure",
    "step_watchdog",
]


def review_and_write(
    q: Asker, outdir: Path, force: bool = False, define_uri: str | list[str] | None = None
) -> list[Path]:
    q.say("\n== Review & write")
    s = q.session
    result = s.result
    for f in result.findings:
        q.say(f"  {f.severity}: {f.path}: {f.message} [{f.rule}]")
    if not result.ok:
        only_host = all(f.rule.startswith("host-") for f in result.findings
                        if f.severity == "error")  # fmt: skip
        if (
            only_host
            and s.host_is_target
            and q.confirm(
                "Only this host's lacks block writing. Is the guest for another host?",
                default=False,
            )
        ):
            s.set_other_host(True)
            return review_and_write(q, outdir, force, define_uri)
        q.say("  the guest breaks a rule: nothing written (your draft is kept)")
        q.save()
        return []
    for line in s.summary():
        q.say(f"  {line}")
    _preparation(q, s)
    files = s.output_files()
    where = q.ask(lambda: q.q.text("Output folder:", default=str(outdir), **q.over(str(outdir))))
    outdir = Path(where.strip() or str(outdir)).expanduser()
    q.say(f"  will write into {outdir}: {', '.join(files)}")
    clash = s.existing_outputs(outdir)
    if clash and not force:
        names = ", ".join(str(p) for p in clash)
        if not q.confirm(f"Replace {names}?", default=False):
            q.say("  nothing written")
            q.save()
            return []
        force = True
    elif not q.confirm("Write these files now?", default=True):
        q.say("  nothing written (your draft is kept)")
        q.save()
        return []
    outcome = s.write(outdir, force=force, define_uri=define_uri)
    for path in outcome.written:
        q.say(f"wrote {path}")
    for line in outcome.defined:
        q.say(line)
    if outcome.error:
        q.say(f"  {outcome.error}")
    if outcome.written:
        q.draft.finished = True
        q.save()
        q.say("next steps:")
        for step in outcome.next_steps:
            q.say(f"  {step}")
    return outcome.written if not outcome.error else []


def _preparation(q: Asker, s: Session) -> None:
    """The host preparation, as zwizard prepare and the wizard's Review show it."""
    lines = s.preparation_overview()
    if lines:
        q.say(f"  host preparation ({s.preparation.script_name}):")
    for line in lines:
        q.say(f"    {line}")


def run(
    answers: Answers,
    outdir: Path,
    *,
    draft: drafts.Draft | None = None,
    host: HostInfo | None = None,
    host_is_target: bool = True,
    define_uri: str | list[str] | None = None,
    hosts: list[HostInfo] | None = None,
    shared_folder: bool = False,
    **io: Any,
) -> int:
    """The whole wizard as questions, from the draft's step on; returns an exit code."""
    session = Session.from_draft(draft, host) if draft is not None else Session(answers, host=host)
    if hosts and len(hosts) > 1:  # judged against every host given with --connect
        session.use_hosts(hosts)
    session.shared_folder = shared_folder
    if not host_is_target:  # --other-host; else a draft's own choice stands
        session.set_other_host(True)
    q = Asker(session, draft, **io)
    start = STEP_NAMES.index(session.step) if session.step in STEP_NAMES else 0
    if start:
        q.say(f"resuming at step {start + 1} ({session.step})")
    index = start
    try:
        while True:  # the steps, then Review; Back from any of them is one step back
            session.step = STEP_NAMES[index]
            try:
                if index == len(STEPS):
                    written = review_and_write(q, outdir, define_uri=define_uri)
                    break
                STEPS[index](q)
            except Back:
                index = max(0, index - 1)
                continue
            index += 1
            session.step = STEP_NAMES[index]
            q.save()
    except Quit:
        return 1
    return 0 if written else 1


# --- partial answers -------------------------------------------------------------------


QUESTIONS = {
    "guest.name": "Guest name:",
    "path": "Path of {where}:",
}


def _declared_question(answers: Answers, where: str, key: str) -> str | None:
    """The question a device kind declares for `key` of the entry at `where`."""
    kind = BY_KEY.get(where.split("[", 1)[0])
    if kind is None or "[" not in where:
        return None
    item = lookup(answers, where)
    for f in kind.fields:
        if f.key == key and f.applies(item):
            return f"{f.label[:1].upper()}{f.label[1:]} of {where}:"
    return None


def ask_missing(answers: Answers, **io: Any) -> bool:
    """Ask only for what `missing` names; False when the user quit."""
    q = Asker(answers, **io)
    try:
        for path in q.session.missing():
            where = path.rsplit(".", 1)[0]
            if path.endswith(".source"):
                kind = q.select(f"{where} connects to:", ["network", "bridge", "direct"])
                q.text(f"{path}.{kind}", f"{kind} name for {where}:")
                continue
            key = path.rsplit(".", 1)[-1]
            message = QUESTIONS.get(path) or _declared_question(answers, where, key)
            q.text(path, message or QUESTIONS[key].format(where=where))
    except (Quit, Back):
        return False
    return True

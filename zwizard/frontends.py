"""Choose and start an interactive front end: the full-screen wizard or plain prompts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwizard.commands import EXIT_INPUT, EXIT_OK
from zwizard.shown import say

if TYPE_CHECKING:
    from zwizard.drafts import Draft

MIN_COLS, MIN_ROWS = 80, 24
TERMINFO_DIRS = ("~/.terminfo", "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo",
                 "/usr/lib/terminfo")  # fmt: skip


def terminfo_known(term: str) -> bool:
    dirs = [os.environ.get("TERMINFO", ""), *os.environ.get("TERMINFO_DIRS", "").split(":")]
    for folder in [*dirs, *TERMINFO_DIRS]:
        if not folder:
            continue
        base = Path(folder).expanduser()
        if (base / term[0] / term).exists() or (base / f"{ord(term[0]):x}" / term).exists():
            return True
    return False


def plain_reason(args: argparse.Namespace) -> str | None:
    """Why the full-screen wizard cannot (or should not) run here; None when it can."""
    if args.plain:
        return "plain prompts, as asked with --plain"
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return f"TERM={term or '(unset)'} cannot show a full-screen wizard: asking plain questions"
    if not terminfo_known(term):
        return f"unknown terminal TERM={term}: asking plain questions"
    try:
        cols, rows = os.get_terminal_size(sys.stderr.fileno())
    except OSError:
        return None
    if cols < MIN_COLS or rows < MIN_ROWS:
        return (
            f"the window is {cols}x{rows}; the full-screen wizard needs "
            f"{MIN_COLS}x{MIN_ROWS}: asking plain questions"
        )
    return None


def run_interactive(args: argparse.Namespace) -> int:
    from zwizard import drafts
    from zwizard.answers import AnswersError

    draft = None
    if args.draft:
        try:
            draft = drafts.load(args.draft)
        except AnswersError as exc:
            for problem in exc.problems:
                say(f"error: {problem}", file=sys.stderr)
            return EXIT_INPUT
    if args.no_input or not sys.stdin.isatty() or not sys.stderr.isatty():
        say(
            "error: the wizard needs a terminal; use --answers FILE to run without one",
            file=sys.stderr,
        )
        return EXIT_INPUT
    offer = None if draft else drafts.newest_unfinished()
    reason = plain_reason(args)
    if reason:
        return run_plain(
            reason,
            draft,
            offer,
            Path(args.output),
            args.define,
            not args.other_host,
            connect=args.connect,
            shared_folder=args.shared_folder,
        )
    from zwizard.tui.app import ZWizard

    app = ZWizard(
        draft,
        offer_resume=offer,
        output_dir=args.output,
        define_uri=args.define,
        connect=args.connect,
    )
    app.session.shared_folder = args.shared_folder
    if args.other_host:  # else the draft's own choice stands
        app.host_is_target = False
    code = app.run()
    if app.written:
        say("\n".join(f"wrote {p}" for p in app.written), file=sys.stderr)
    return code if isinstance(code, int) else EXIT_OK


def run_plain(
    reason: str,
    draft: Draft | None,
    offer: Draft | None,
    outdir: Path,
    define_uri: str | list[str] | None = None,
    host_is_target: bool = True,
    connect: list[str] | None = None,
    shared_folder: bool = False,
) -> int:
    from zwizard import prompt
    from zwizard.model import Answers

    say(reason, file=sys.stderr)
    io: dict[str, Any] = {}
    if not prompt.plain_terminal() and not sys.stdout.isatty():
        from prompt_toolkit.output import create_output

        # questions go to the terminal, never into redirected output
        io["output"] = create_output(stdout=sys.stderr)
    if draft is None and offer is not None:
        asker = prompt.Asker(Answers(), **io)
        try:
            resume = asker.confirm(f"Resume your unfinished guest {offer.label}?", default=True)
        except (prompt.Quit, prompt.Back):
            return 1
        draft = offer if resume else None
    answers = draft.answers if draft is not None else Answers()
    from zwizard.hosts import discover_all

    try:
        found = discover_all(connect or ["qemu:///system"], answers.guest.domain_type)
    except KeyboardInterrupt:  # Ctrl-C while virsh answers: the wizard works without
        say("host discovery stopped (Ctrl-C): going on without host data", file=sys.stderr)
        found = []
    for h in found:
        say(f"{h.label}: {h.summary()}", file=sys.stderr)
    return prompt.run(
        answers, outdir, draft=draft, host=found[0] if found else None,
        host_is_target=host_is_target,
        define_uri=define_uri, hosts=found, shared_folder=shared_folder, **io,
    )  # fmt: skip

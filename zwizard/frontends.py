"""Choose and start an interactive front end: the full-screen wizard or plain prompts."""

from __future__ import annotations

import argparse
import sys

from zwizard.cli import EXIT_INPUT, EXIT_OK


def run_interactive(args: argparse.Namespace) -> int:
    from zwizard import drafts
    from zwizard.answers import AnswersError

    draft = None
    if args.draft:
        try:
            draft = drafts.load(args.draft)
        except AnswersError as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return EXIT_INPUT
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        print(
            "error: the wizard needs a terminal; use --answers FILE to run without one",
            file=sys.stderr,
        )
        return EXIT_INPUT
    offer = None if draft else drafts.newest_unfinished()
    from zwizard.tui.app import ZWizard

    app = ZWizard(draft, offer_resume=offer, output_dir=args.output)
    code = app.run()
    if app.written:
        print("\n".join(f"wrote {p}" for p in app.written))
    return code if isinstance(code, int) else EXIT_OK

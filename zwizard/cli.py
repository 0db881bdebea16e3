"""Command line: argument parsing and dispatch only.

Exit codes: 0 done; 1 the configuration breaks rules (nothing written);
2 the input could not be read or parsed (nothing written).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from zwizard.commands import EXIT_INPUT, EXIT_OK, EXIT_RULES  # noqa: F401 - one place for them

SUBCOMMANDS = ("audit", "check", "convert", "diff", "hosts", "prepare", "schema")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter at the terminal's width, found as shutil finds it but without
    importing shutil: argparse makes a formatter at every add_argument, and shutil (with
    the compression modules it loads) was 3 ms of the answers mode's start (issue 11)."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_columns() - 2)


def _parser(**kwargs: Any) -> argparse.ArgumentParser:
    """An argument parser of zwizard's: its help at the terminal's width (_HelpFormatter)."""
    return argparse.ArgumentParser(formatter_class=_HelpFormatter, **kwargs)


def _columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            out = sys.__stdout__  # None when Python runs without one
            columns = os.get_terminal_size(out.fileno()).columns if out else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _main_parser() -> argparse.ArgumentParser:
    p = _parser(
        prog="zwizard",
        description="Describe an IBM Z (s390x) KVM guest and get libvirt domain XML and a "
        "PXE config that follow the IBM Z rules. "
        "Subcommands: audit, check, convert, diff, hosts, prepare, schema.",
    )
    p.add_argument("--answers", nargs="+", metavar="FILE", help="answers files: no questions asked")
    p.add_argument("-o", "--output", metavar="DIR", default=".", help="output directory (.)")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument(
        "--shared-folder",
        action="store_true",
        help="write into a folder other users can write to (refused without it)",
    )
    p.add_argument(
        "--stdout", action="store_true", help="print the domain XML instead of writing files"
    )
    p.add_argument(
        "--validate",
        action="store_true",
        help="also check the XML against libvirt's RelaxNG schema installed here "
        "(virsh define --validate, as the next steps and --define run it, checks it "
        "against the defining host's own)",
    )
    p.add_argument("--draft", metavar="FILE", help="reopen a saved draft in the wizard")
    p.add_argument("--plain", action="store_true", help="ask plain questions, no full screen")
    p.add_argument(
        "--no-input", action="store_true", help="never ask; report what is missing instead"
    )
    p.add_argument(
        "--other-host",
        action="store_true",
        help="the guest is for another host: what this one lacks is only a warning",
    )
    p.add_argument(
        "--host-check",
        action="store_true",
        help="also check the answers against this KVM host (devices, CPU models, s390-pv)",
    )
    p.add_argument(
        "--define",
        nargs="?",
        const="qemu:///system",
        action="append",
        metavar="URI",
        help="after writing, define the guests in libvirt (default qemu:///system); "
        "repeat for several hosts: each gets all of them or none",
    )
    p.add_argument(
        "--connect",
        action="append",
        default=[],
        metavar="URI",
        help="read and judge against this libvirt host (qemu+ssh://host/system …); repeat "
        "for several: every host finding names its host",
    )
    p.add_argument(
        "--hosts",
        nargs="+",
        default=[],
        metavar="URI",
        help="the same as --connect for each URI: the hosts the guest may run on",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # `zwizard check --format json | head`: the reader left; no traceback. Point
        # stdout at /dev/null so the interpreter's final flush does not fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a pipe writer ended by SIGPIPE


def _main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        return _subcommand(argv[0], argv[1:])
    args = _main_parser().parse_args(argv)
    args.connect = [*args.connect, *args.hosts]
    if args.answers:
        interactive = not args.no_input and sys.stdin.isatty() and sys.stderr.isatty()
        from zwizard.commands import run_answers

        return run_answers(
            args.answers,
            Path(args.output),
            args.force,
            args.stdout,
            interactive=interactive,
            host_check=args.host_check or bool(args.connect),
            define_uri=args.define,
            connect=args.connect,
            host_is_target=not args.other_host,
            validate=args.validate,
            shared_ok=args.shared_folder,
        )
    from zwizard.frontends import run_interactive

    return run_interactive(args)


def _subcommand(name: str, argv: list[str]) -> int:
    if name == "schema":
        _parser(
            prog="zwizard schema",
            description="print the JSON Schema of the answers format",
        ).parse_args(argv)
        import json

        from zwizard.draftmeta import DraftMeta
        from zwizard.model import Answers
        from zwizard.structure import json_schema

        schema = json_schema(Answers)
        draft = json_schema(DraftMeta)  # the same declaration the draft reader decodes with
        del draft["$schema"]
        schema["properties"]["draft"] = draft
        print(json.dumps(schema, indent=2))
        return EXIT_OK
    if name == "prepare":
        return run_prepare(argv)
    if name == "hosts":
        return run_hosts(argv)
    if name in ("audit", "diff"):
        return run_audit(argv) if name == "audit" else run_diff(argv)
    return run_check(argv) if name == "check" else run_convert(argv)


def run_hosts(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard hosts",
        description="Read several KVM hosts through libvirt, in parallel, and show per host "
        "its host-model CPU, usable CPU models, Secure Execution, maximum vCPUs, machine "
        "types and free mediated devices — and what all of them share: the newest CPU model "
        "and machine type a guest may use to run on, and migrate between, every one.",
    )
    p.add_argument(
        "uris", nargs="+", metavar="URI", help="qemu:///system, qemu+ssh://host/system …"
    )
    p.add_argument("--virttype", choices=("kvm", "qemu"), default="kvm")
    args = p.parse_args(argv)
    from zwizard.hosts import discover_all, table

    hosts = discover_all(args.uris, args.virttype)
    from zwizard.shown import say

    say("\n".join(table(hosts)))
    return EXIT_OK if all(h.reachable for h in hosts) else EXIT_RULES


def run_audit(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard audit",
        description="Judge every guest defined on these KVM hosts by the IBM Z rules and "
        "each host's own (the inactive definition, and a running guest's live one apart), "
        "hosts in parallel; nothing on a host is changed. Exit 0 none has an error, 1 some "
        "guest has one, 2 a host or a guest could not be judged.",
    )
    p.add_argument(
        "uris", nargs="*", metavar="URI", help="qemu:///system (default), qemu+ssh://host/system …"
    )
    p.add_argument("--hosts", nargs="+", default=[], metavar="URI", help="the same as URI …")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    args = p.parse_args(argv)
    from zwizard.audit import run_audit as audit

    return audit([*args.uris, *args.hosts] or ["qemu:///system"], args.format)


def run_diff(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard diff",
        description="Compare what an answers file would write with what the host has defined "
        "for that guest (found by its UUID, else its name), key by key; nothing is defined. "
        "Exit 0 the same, 1 they differ, 2 they cannot be compared.",
    )
    p.add_argument("answers", metavar="ANSWERS.toml")
    p.add_argument("uri", nargs="?", default="qemu:///system", metavar="URI")
    p.add_argument("--live", action="store_true", help="the running guest's live definition")
    args = p.parse_args(argv)
    from zwizard.drift import diff_answers

    return diff_answers(args.answers, args.uri, live=args.live)


def run_prepare(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard prepare",
        description="Write the host preparation for a guest: DIR/<name>.prepare.sh (vfio-ap "
        "queues and matrix device, vfio-ccw subchannel, PCI, Secure Execution preflight, "
        "install server, boot plan), plus <name>.se-image.sh and <name>.install-net.xml "
        "where needed. Judged against this host; nothing on the host is changed.",
    )
    p.add_argument("answers", metavar="ANSWERS.toml")
    p.add_argument("-o", "--output", metavar="DIR", default=".")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument(
        "--shared-folder",
        action="store_true",
        help="write into a folder other users can write to (refused without it)",
    )
    p.add_argument("--dry-run", action="store_true", help="list the steps; write nothing")
    p.add_argument(
        "--other-host",
        action="store_true",
        help="the guest is for another host: what this one lacks is only a warning",
    )
    p.add_argument(
        "--connect",
        metavar="URI",
        default="qemu:///system",
        help="the host to judge against (another host is read through libvirt only; the "
        "script checks the rest where it runs)",
    )
    args = p.parse_args(argv)
    from zwizard.commands import prepare_file

    return prepare_file(
        args.answers,
        Path(args.output),
        args.force,
        args.dry_run,
        host_is_target=not args.other_host,
        uri=args.connect,
        shared_ok=args.shared_folder,
    )


def run_check(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard check",
        description="Report every IBM Z rule an existing libvirt domain XML breaks.",
    )
    p.add_argument("files", nargs="+", metavar="DOMAIN.xml", help="'-' reads standard input")
    p.add_argument("--format", choices=("text", "json"), default="text")
    args = p.parse_args(argv)
    from zwizard.commands import check_files

    return check_files(args.files, args.format)


def run_convert(argv: list[str]) -> int:
    p = _parser(
        prog="zwizard convert",
        description="Turn a libvirt domain XML (e.g. an x86 guest) into an IBM Z one; writes "
        "DIR/<name>.xml and DIR/<name>.toml (a draft the wizard can open).",
    )
    p.add_argument("file", metavar="DOMAIN.xml")
    p.add_argument("-o", "--output", metavar="DIR", default=".")
    p.add_argument("--force", action="store_true", help="replace existing output files")
    p.add_argument(
        "--shared-folder",
        action="store_true",
        help="write into a folder other users can write to (refused without it)",
    )
    args = p.parse_args(argv)
    from zwizard.commands import convert_file

    return convert_file(args.file, Path(args.output), args.force, args.shared_folder)

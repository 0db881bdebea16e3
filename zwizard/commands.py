"""What the no-questions commands do: --answers, check, convert.

cli.py parses the command line and calls these; they print findings and
results (stdout for results, stderr for problems) and return the exit code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from zwizard.shown import command, one_line, say

if TYPE_CHECKING:
    from zwizard.host import HostInfo

EXIT_OK, EXIT_RULES, EXIT_INPUT = 0, 1, 2


def _read(path: str) -> bytes:
    from zwizard.xmlsafe import MAX_XML_BYTES

    if path == "-":  # virsh dumpxml guest | zwizard check -
        return sys.stdin.buffer.read(MAX_XML_BYTES + 1)
    # a pipe is fine (zwizard check <(virsh dumpxml guest)); a named FIFO nobody writes
    # must not hang the open: opened without waiting, then read as usual (EOF: empty)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(MAX_XML_BYTES + 1)


def check_files(files: list[str], fmt: str = "text") -> int:
    """zwizard check: every IBM Z finding of existing domain XML files."""
    from zwizard.importer import ImportError_, check_domain

    worst = EXIT_OK
    report: list[dict[str, object]] = []
    for path in files:
        name = one_line(path)  # a file name is shown on one line, its controls escaped
        try:
            located = check_domain(_read(path), name)
        except (OSError, ImportError_) as exc:
            text = f"{name}: cannot read: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
            say(f"error: {text}", file=sys.stderr)
            report.append({"file": name, "error": text})
            worst = EXIT_INPUT
            continue
        for item in located:
            f = item.finding
            if fmt == "json":
                report.append(item.as_dict(name))
            else:
                where = f"{name}:{item.line}" if item.line else name
                say(f"{where}: {f.severity}: {item.xpath}: {f.message} [{f.rule}]")
        errors = sum(1 for x in located if x.finding.severity == "error")
        if fmt == "text":
            verdict = "fits IBM Z" if not errors else f"{errors} error(s)"
            say(f"{name}: {verdict}", file=sys.stderr)
        if errors and worst == EXIT_OK:
            worst = EXIT_RULES
    if fmt == "json":
        import json

        print(json.dumps(report, indent=2))
    return worst


def convert_file(source: str, outdir: Path, force: bool = False, shared_ok: bool = False) -> int:
    """zwizard convert: a domain XML (e.g. an x86 guest) -> its IBM Z equivalent."""
    from zwizard.answers import dumps, fill_generated
    from zwizard.build import build
    from zwizard.conversion import convert_domain
    from zwizard.importer import ImportError_
    from zwizard.output import OutputError, write_set

    given, source = source, one_line(source)  # shown on one line, its controls escaped
    try:
        imported = convert_domain(_read(given), source)
    except (OSError, ImportError_) as exc:
        text = f"{source}: cannot read: {exc.strerror}" if isinstance(exc, OSError) else exc
        say(f"error: {text}\nnothing written", file=sys.stderr)
        return EXIT_INPUT
    answers = imported.answers
    generated = fill_generated(answers)
    result = build(answers)
    for change in imported.changes:
        where = f"{source}:{change.line}" if change.line else source
        say(f"changed: {where}: {change.where}: {change.what} [{change.rule}]")
    for item in imported.lost:
        where = f"{source}:{item.line}" if item.line else source
        say(f"not carried: {where}: {item.where}: {item.what}")
    for line in generated:
        say(f"generated: {line}")
    for f in imported.findings:  # what the source itself had that Red Hat cannot run
        if f.severity == "warning":
            at = imported.lines.get(f.path)
            place = f"{source}:{at}" if at else source
            say(f"warning: {place}: {f.path}: {f.message} [{f.rule}]", file=sys.stderr)
    for f in result.findings:
        say(f"{f.severity}: {f.path}: {f.message} [{f.rule}]", file=sys.stderr)
    for problem in result.schema_problems:
        say(
            f"error: converted XML fails libvirt's schema (a zwizard bug): {problem}",
            file=sys.stderr,
        )
    if not result.ok:
        say("the converted guest still breaks a rule: nothing written", file=sys.stderr)
        return EXIT_RULES
    files = {result.xml_name: result.files[result.xml_name]}
    files[f"{answers.guest.name}.toml"] = (
        f"# converted by zwizard from {one_line(Path(source).name)}; open with: "
        f"zwizard --draft {answers.guest.name}.toml\n" + dumps(answers)
    )
    try:
        written = write_set(outdir, files, force=force, shared_ok=shared_ok)
    except OutputError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_RULES
    for path in written:
        say(f"wrote {path}")
    say(f"{len(imported.changes)} change(s), {len(imported.lost)} item(s) not carried")
    return EXIT_OK


def prepare_file(
    source: str,
    outdir: Path,
    force: bool = False,
    dry_run: bool = False,
    *,
    host_is_target: bool = True,
    host: HostInfo | None = None,
    uri: str = "qemu:///system",
    shared_ok: bool = False,
) -> int:
    """zwizard prepare: the host preparation script for one answers file."""
    from zwizard.answers import AnswersError, load, missing
    from zwizard.build import build
    from zwizard.output import OutputError, write_set
    from zwizard.prepare import files, host_findings, listing, prepare

    try:
        answers, lines = load(source)
    except AnswersError as exc:
        for problem in exc.problems:
            say(f"error: {problem}", file=sys.stderr)
        say("nothing written", file=sys.stderr)
        return EXIT_INPUT
    gaps = missing(answers)
    if gaps:
        for gap in gaps:
            say(f"error: {source}: {gap}: missing", file=sys.stderr)
        say("nothing written", file=sys.stderr)
        return EXIT_INPUT
    from zwizard.answers import fill_generated

    # the guest's identity (and the MACs derived from it) as the guest's files beside the
    # script have it, so the per-MAC pxelinux file the script installs is the one written
    fill_generated(answers, outdir)
    if host is None:
        from zwizard.host import discover

        host = discover(answers.guest.domain_type, uri=uri)
        say(f"host: {host.summary()}", file=sys.stderr)
    result = build(answers, host=host, host_is_target=host_is_target)
    prep = prepare(answers, result.plan, host, host_is_target)
    guest = host_findings(prep, [f for f in result.findings if f.severity != "note"])
    findings = guest + prep.findings
    for f in findings:
        line = lines.find(f.path)
        where = f"{source}:{line}" if line else source
        say(f"{f.severity}: {where}: {f.path}: {f.message} [{f.rule}]", file=sys.stderr)
    if any(f.severity == "error" for f in guest) or result.schema_problems or not prep.ok:
        say("nothing written", file=sys.stderr)
        return EXIT_RULES
    steps = listing(prep)
    if dry_run:
        say(f"host preparation for {answers.guest.name}: {len(prep.steps)} step(s)")
        for entry in steps:
            say(f"  {entry}")
        return EXIT_OK
    try:
        written = write_set(outdir, files(prep), force=force, shared_ok=shared_ok)
    except OutputError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_RULES
    for path in written:
        say(f"wrote {path}")
    for entry in steps:
        say(f"  {entry}")
    script = outdir / prep.script_name
    run = command("sh", str(script))
    say(f"next: read {script}, then as root: {run} --dry-run; {run}")
    return EXIT_OK


def run_answers(
    files: list[str],
    outdir: Path,
    force: bool,
    to_stdout: bool,
    err: TextIO | None = None,
    *,
    interactive: bool = False,
    host_check: bool = False,
    define_uri: str | list[str] | None = None,
    connect: list[str] | None = None,
    host_is_target: bool = True,
    validate: bool = False,
    shared_ok: bool = False,
) -> int:
    """The no-questions mode: judge every file, then write all outputs or none.

    A file may leave keys open (a name, a disk path, a device UUID …): on a
    terminal they are asked for; without one every missing key is listed (exit 2).
    `validate` also checks each XML against libvirt's schema here; without it libvirt
    checks at `virsh define --validate`, which the next steps and `--define` use (the
    schema check is lxml plus a compiled schema: a third of this mode's run).
    """
    from zwizard.answers import AnswersError, Problem, fill_generated, load, missing
    from zwizard.build import build, next_steps, summary

    err = err or sys.stderr
    if validate:
        from zwizard.build import SCHEMA_DIRS, schema_path

        if schema_path() is None:  # asked for a check it cannot make: never a silent pass
            where = os.environ.get("ZWIZARD_LIBVIRT_SCHEMAS") or ", ".join(SCHEMA_DIRS)
            say(
                f"error: --validate: libvirt's schema (domain.rng) is not in {where}; "
                "install libvirt's library package (Debian: libvirt0, RHEL: libvirt-libs) "
                "or point ZWIZARD_LIBVIRT_SCHEMAS at its folder\nnothing written",
                file=err,
            )
            return EXIT_INPUT
    parsed = []
    problems = []
    for name in files:
        try:
            answers, lines = load(name, partial=True)
        except AnswersError as exc:
            problems += exc.problems
            continue
        gaps = missing(answers)
        if gaps and interactive:
            from zwizard.prompt import ask_missing

            say(f"{name} leaves {len(gaps)} value(s) open:", file=err)
            if not ask_missing(answers):
                say("nothing written", file=err)
                return EXIT_INPUT
        elif gaps:
            problems += [
                Problem(
                    name,
                    lines.find(p),
                    p,
                    "missing: give it in the file, or run on a terminal to be asked",
                )
                for p in gaps
            ]
            continue
        generated = fill_generated(answers, None if to_stdout else outdir)
        parsed.append((name, answers, lines, generated))
    if problems:
        for problem in problems:
            say(f"error: {problem}", file=err)
        say("nothing written", file=err)
        return EXIT_INPUT

    define_uris = [define_uri] if isinstance(define_uri, str) else list(define_uri or [])
    uris = list(connect or []) or define_uris[:1] or ["qemu:///system"]
    hosts: dict[str, HostInfo | list[HostInfo]] = {}
    results = []
    failed = False
    for name, answers, lines, generated in parsed:
        host = None
        if host_check:
            from zwizard.hosts import discover_all

            kind = answers.guest.domain_type
            if kind not in hosts:  # every host at once, each with its own timeout
                found = discover_all(uris, kind)
                for h in found:
                    where = f"host {h.label}" if len(found) > 1 else "host"
                    say(f"{where} ({kind}): {h.summary()}", file=err)
                hosts[kind] = found if len(found) > 1 else found[0]
            host = hosts[kind]
        result = build(
            answers,
            host=host,
            host_is_target=host_is_target,
            validate=validate,
        )
        results.append((name, result, generated))
        for f in result.findings:
            line = lines.find(f.path)
            where = f"{name}:{line}" if line else name
            say(f"{f.severity}: {where}: {f.path}: {f.message} [{f.rule}]", file=err)
        for bug in result.schema_problems:
            say(
                f"error: {name}: the generated XML does not pass libvirt's schema — this is a "
                f"zwizard bug, please report it: {bug}",
                file=err,
            )
        failed |= not result.ok
    if failed:
        say("nothing written", file=err)
        return EXIT_RULES

    owners: dict[str, str] = {}
    clashes = []
    for name, result, _ in results:
        for rel in result.files:
            if rel in owners:
                hint = (
                    " (set pxe.write_default = false in all but one)"
                    if rel.endswith("/default")
                    else ""
                )
                clashes.append(
                    f"error: {rel} would be written for both {owners[rel]} and {name}{hint}"
                )
            owners[rel] = name
    if clashes:
        say("\n".join(clashes) + "\nnothing written", file=err)
        return EXIT_RULES

    if to_stdout:
        if len(results) != 1:
            say("error: --stdout takes exactly one answers file", file=err)
            return EXIT_INPUT
        _, result, _ = results[0]
        sys.stdout.write(result.files[result.xml_name])
        return EXIT_OK

    import signal

    from zwizard.output import write_and_define

    # SIGTERM mid-write: unwind like Ctrl-C, so write_set removes its temporary files
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    # the one write-and-define path the wizard and the prompt mode use too
    outcome = write_and_define(
        [result for _, result, _ in results],
        outdir,
        force=force,
        define_uri=define_uris or None,
        shared_ok=shared_ok,
    )
    out = sys.stdout
    for path in outcome.written:
        say(f"wrote {path}", file=out)
    for entry in outcome.defined:
        say(entry, file=out)
    if outcome.error:
        say(f"error: {outcome.error}", file=err)
        return EXIT_RULES
    for name, result, generated in results:
        if len(results) > 1:
            say(f"\n{name} ({result.answers.guest.name}):", file=out)
        for entry in generated:
            say(f"  {entry}", file=out)
        for entry in summary(result):
            say(f"  {entry}", file=out)
        say("next steps:", file=out)
        # the file read, as it is: never rewritten, named where a step needs answers
        for step in next_steps(result, outdir, answers_file=Path(name)):
            say(f"  {step}", file=out)
    return EXIT_OK

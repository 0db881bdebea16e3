"""zwizard diff: what an answers file would write, next to what a host has defined.

Both sides go through the one faithful importer (importer.import_domain): the answers are
rendered as `zwizard --answers` writes them and read back, the host's definition (`virsh
dumpxml --inactive`, or the live one with `live`) is read as `zwizard check` reads it, and
the two answers are compared key by key — plus every element or attribute the importer
lists as not carried on the host's side only (what a hand edit added that the answers
format has no place for). The guest is found by the answers' UUID, else by its name, and
always asked for by UUID (virsh reads a name as an id first). Nothing is defined or
changed on the host.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from zwizard.commands import EXIT_INPUT, EXIT_OK, EXIT_RULES
from zwizard.host import GUEST_LIST, Runner, guest_list
from zwizard.shown import say
from zwizard.structure import join, record

ACTIVE_LIST = ["list", "--uuid"]


@record(frozen=True)
class Drift:
    """One key (or one thing not carried) on which the answers and the host differ."""

    path: str  # answers key path, or the host's XPath for what is not carried
    wanted: str | None  # what the answers would write (None: nothing / the default)
    found: str | None  # what the host has
    where: str  # XPath in the host's definition

    def __str__(self) -> str:
        wanted = "(not set)" if self.wanted is None else self.wanted
        found = "(not set)" if self.found is None else self.found
        return f"{self.path}: answers {wanted}, host {found} [{self.where}]"


def flatten(data: Any, path: str = "") -> dict[str, Any]:
    """Plain data (structure.encode) as leaf key paths: {'disks[0].path': '/x', …}."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(flatten(value, join(path, str(key))))
        return out if out or not path else {path: {}}
    if isinstance(data, list):
        out = {}
        for i, value in enumerate(data):
            out.update(flatten(value, join(path, i)))
        return out if out or not path else {path: []}
    return {path: data}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()  # as TOML writes it
    return repr(value) if isinstance(value, str) else str(value)


def compare(
    wanted_xml: str | bytes, found_xml: str | bytes, source: str = "host", *, live: bool = False
) -> list[Drift]:
    """Every difference between two definitions, read by the faithful importer; with
    `live`, what libvirt writes into a running guest's definition at start is none."""
    from zwizard.importer import import_domain
    from zwizard.structure import encode

    def read(xml: str | bytes, name: str) -> Any:
        return import_domain(xml.encode() if isinstance(xml, str) else xml, name)

    wanted, found = read(wanted_xml, "answers"), read(found_xml, source)
    ours, theirs = flatten(encode(wanted.answers)), flatten(encode(found.answers))
    drifts = []
    for path in sorted(ours.keys() | theirs.keys(), key=_order(ours, theirs)):
        a, b = ours.get(path), theirs.get(path)
        if a != b and not _pinned_at_define(path, a, b):
            where = found.locate(path)[0] if path in theirs else wanted.locate(path)[0]
            drifts.append(
                Drift(
                    path,
                    None if path not in ours else _shown(a),
                    None if path not in theirs else _shown(b),
                    where,
                )
            )
    known = {(item.where, item.what) for item in wanted.lost}
    for item in found.lost:
        if (item.where, item.what) not in known and not (live and _started(item.where, item.what)):
            drifts.append(Drift(item.where, None, f"{item.what} (not carried)", item.where))
    # what the answers have no place for at all (a sound card, a PCI address …): the
    # importer reports it as a finding at its element
    said = {(f.path, f.message) for f in wanted.findings}
    for f in found.findings:
        if (f.path, f.message) not in said:
            drifts.append(Drift(f.path, None, f"{f.message} [{f.rule}]", f.path))
    return drifts


def _pinned_at_define(path: str, wanted: Any, found: Any) -> bool:
    """libvirt records the unversioned s390-ccw-virtio as the host QEMU's newest versioned
    type at define (s390-ccw-virtio-7.2 on QEMU 7.2, s390-ccw-virtio-rhel9.4.0 on RHEL's):
    the same guest, no drift."""
    return (
        path == "guest.machine"
        and wanted is None
        and isinstance(found, str)
        and re.fullmatch(r"s390-ccw-virtio-(\d+\.\d+|rhel\d+(\.\d+)*)", found) is not None
    )


def _started(where: str, what: str) -> bool:
    """What libvirt writes into a running guest's live definition at start [seen with
    libvirt 9.0]: the domain id, device aliases, the resource partition, the security
    label, the disk's source index and empty backing store, the console's pty."""
    if what.startswith(("<alias ", "<resource", "<seclabel", "<backingStore")):
        return True
    if what.startswith(("attribute tty=", "<source path='/dev/pts/")):
        return True
    if what.startswith("attribute index=") and where.endswith("/source"):
        return True
    return where == "/domain" and what.startswith("attribute id=")


def _order(ours: dict[str, Any], theirs: dict[str, Any]) -> Any:
    rank = {p: i for i, p in enumerate([*ours, *(p for p in theirs if p not in ours)])}
    return lambda p: rank[p]


def diff_answers(
    path: str, uri: str = "qemu:///system", *, live: bool = False, run: Runner | None = None
) -> int:
    """zwizard diff: print each difference; 0 none, 1 drift, 2 cannot compare."""
    from zwizard.answers import AnswersError, load, missing
    from zwizard.build import build
    from zwizard.host import batch, virsh_runner

    err = sys.stderr
    try:
        answers, _ = load(path)
    except AnswersError as exc:
        for problem in exc.problems:
            say(f"error: {problem}", file=err)
        return EXIT_INPUT
    gaps = missing(answers)
    if gaps:
        say(f"error: {path}: {', '.join(gaps)}: missing, so it writes no guest", file=err)
        return EXIT_INPUT
    run = run or virsh_runner(uri)
    listed, active = batch(run, [GUEST_LIST, ACTIVE_LIST])
    if listed is None:
        why = getattr(run, "last_error", "") or "no answer"
        say(f"error: cannot list the guests of {uri}: {why}", file=err)
        return EXIT_INPUT
    guests = guest_list(lambda _args: listed)
    want_uuid = (answers.guest.uuid or "").lower()
    match = [
        (uuid, name)
        for uuid, name in guests
        if (uuid.lower() == want_uuid if want_uuid else name == answers.guest.name)
    ]
    what = f"UUID {want_uuid}" if want_uuid else f"name {answers.guest.name}"
    if not match:
        named = [u for u, n in guests if n == answers.guest.name]
        also = f"; its guest {answers.guest.name} is {named[0]}, another one" if named else ""
        say(f"error: {uri} has no guest with the {what} (nothing to compare){also}", file=err)
        return EXIT_INPUT
    uuid, name = match[0]
    if live and uuid not in (active or "").split():
        say(f"error: {name} is not running on {uri}: it has no live definition", file=err)
        return EXIT_INPUT
    xml = run(["dumpxml", uuid] if live else ["dumpxml", "--inactive", uuid])
    if not xml:
        why = getattr(run, "last_error", "") or "no answer"
        say(f"error: cannot read {name}'s definition on {uri}: {why}", file=err)
        return EXIT_INPUT
    if not want_uuid:
        answers.guest.uuid = uuid  # the identity (and the MACs derived from it) it was given
        say(f"note: {path} gives no UUID: compared with {name} ({uuid})", file=err)
    result = build(answers, validate=False)
    if not result.ok:
        for f in result.findings:
            if f.severity == "error":
                say(f"error: {path}: {f}", file=err)
        say("error: the answers break rules, so they write nothing to compare", file=err)
        return EXIT_INPUT
    from zwizard.importer import ImportError_

    try:
        drifts = compare(result.files[result.xml_name], xml, f"{uri}/{name}", live=live)
    except ImportError_ as exc:
        say(f"error: {exc}", file=err)
        return EXIT_INPUT
    which = "live" if live else "inactive"
    for d in drifts:
        say(f"drift: {d}")
    if drifts:
        say(f"{name} on {uri} ({which} definition): {len(drifts)} difference(s) from {path}")
        return EXIT_RULES
    say(f"{name} on {uri} ({which} definition): as {path} would write it", file=err)
    return EXIT_OK

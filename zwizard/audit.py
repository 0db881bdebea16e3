"""zwizard audit: every guest defined on every host, judged by the IBM Z rules.

Each host is read as discovery reads it (hosts.discover_all: all hosts at once, each with
its own timeouts, an unreachable one reported and the rest judged) and in the same two
connections: audit rides along discovery's batches (`_Riding`), adding to the first the
list of active guests and the s390x capabilities for TCG guests, and to the second — which
already holds every guest's inactive definition, asked by UUID — the live definition and
state of each active guest. Nothing on a host is changed: only `list`, `dumpxml`,
`domcapabilities` and discovery's own read-only commands are run.

Every definition is judged as `zwizard check` judges a file (importer.import_domain, then
rules.check), plus the host rules of the host it is on (its CPU models, Secure Execution,
mediated devices, networks …). A running guest's live XML is judged and reported apart.
"""

from __future__ import annotations

import copy
import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

from zwizard.commands import EXIT_INPUT, EXIT_OK, EXIT_RULES
from zwizard.findings import Finding
from zwizard.host import GUEST_LIST, HostInfo, Runner, guest_list, host_label, is_remote
from zwizard.importer import ImportError_, Located, import_domain
from zwizard.structure import field, record

ACTIVE_LIST = ["list", "--uuid"]  # running, paused …: the guests with a live definition
STATES = {
    "running": ["list", "--uuid", "--state-running"],
    "paused": ["list", "--uuid", "--state-paused"],
}
TCG_CAPS = ["domcapabilities", "--arch", "s390x", "--virttype", "qemu"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
RULES_HELP = "docs/rules.md"  # the rules reference, relative to the project's root


@record
class GuestAudit:
    """One definition of one guest: the inactive one, or a running guest's live one."""

    host: str  # how the table names the host
    uri: str
    uuid: str
    name: str
    state: str  # as `virsh domstate` says it: "shut off", "running", "paused" …
    definition: str  # "inactive" | "live"
    findings: list[Located] = field(default_factory=list)
    problem: str | None = None  # why it could not be judged

    def count(self, severity: str) -> int:
        return sum(1 for x in self.findings if x.finding.severity == severity)

    def rules(self, severity: str) -> str:
        """'boot-order, ccw-only x2': the rule ids of one severity, the most frequent first."""
        counts = Counter(x.finding.rule for x in self.findings if x.finding.severity == severity)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(rule if n == 1 else f"{rule} x{n}" for rule, n in ordered)


@record
class HostAudit:
    uri: str
    host: str
    judged: bool = True
    problem: str | None = None  # why the host could not be judged
    guests: list[GuestAudit] = field(default_factory=list)


class _Riding:
    """A Runner around virsh (or a stand-in) that adds audit's commands to discovery's two
    batches, so a host costs the connections discovery costs, and keeps every answer."""

    def __init__(self, run: Runner, remote: bool = False) -> None:
        self.run = run
        self.remote = remote
        self.cache: dict[tuple[str, ...], str | None] = {}
        self.last_error = ""

    def __call__(self, args: list[str]) -> str | None:
        key = tuple(args)
        if key not in self.cache:
            self.cache[key] = self.run(args)
            self._error()
        return self.cache[key]

    def _error(self) -> None:
        self.last_error = getattr(self.run, "last_error", "") or self.last_error

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        extra: list[list[str]] = []
        if GUEST_LIST in commands:  # discovery's first round
            extra = [ACTIVE_LIST, *STATES.values(), TCG_CAPS]
            if not self.remote:  # its second round asks these of this host too, one by one
                extra += [["nodedev-list", "--cap", c] for c in ("mdev", "ap_queue", "pci")]
                extra.append(["iface-list", "--all"])
        elif any(c[:2] == ["dumpxml", "--inactive"] for c in commands):  # its second
            for uuid in self.active():
                extra.append(["dumpxml", uuid])
        asked = [c for c in commands + extra if tuple(c) not in self.cache]
        many = getattr(self.run, "batch", None)
        answers = many(asked) if many is not None else [self.run(c) for c in asked]
        self._error()
        self.cache.update({tuple(c): a for c, a in zip(asked, answers, strict=True)})
        return [self.cache[tuple(c)] for c in commands]

    def active(self) -> list[str]:
        return (self.cache.get(tuple(ACTIVE_LIST)) or "").split()


def judge(data: bytes, source: str, host: HostInfo | None, remote: bool = False) -> list[Located]:
    """Every IBM Z finding of one definition, with the host rules of `host` (the host it
    is on), placed at its element: `zwizard check`'s judgement plus the host's."""
    from zwizard.rules import check

    imported = import_domain(data, source)
    lines = {where: line for where, line in imported.where.values()}
    located = [
        Located(f, f.path, lines.get(f.path, imported.lines.get(f.path))) for f in imported.findings
    ]
    kinds = _kinds()
    for f in check(imported.answers, host=host):
        if f.rule == "guest-os" and not imported.os_known:
            continue  # no libosinfo metadata: nothing to judge (as check_domain)
        if remote and f.rule == "host-disk" and not f.message.startswith(POOL_MESSAGES):
            continue  # a path on another machine: this one's files say nothing about it
        xpath, line = imported.locate(f.path)
        message = kinds.sub(lambda m: imported.locate(m.group(0))[0], f.message)
        located.append(Located(Finding(f.rule, f.severity, f.path, message), xpath, line))
    return sorted(located, key=lambda x: (SEVERITY_ORDER[x.finding.severity], x.line or 0))


POOL_MESSAGES = ("storage pool ", "pool '")  # host-disk from the host's own pool list


@functools.cache
def _kinds() -> Any:
    from zwizard.devices import KINDS
    from zwizard.lazy import Pattern

    return Pattern(r"\b(?:" + "|".join(k.key for k in KINDS) + r")\[\d+\]")


def _tcg_host(host: HostInfo, caps: str | None) -> HostInfo:
    """The same host as a TCG (domain type qemu) guest sees it: its qemu capabilities."""
    from zwizard import xmlsafe
    from zwizard.host import parse_domcaps

    tcg = copy.copy(host)
    tcg.domain_type = "qemu"
    tcg.cpu_usable, tcg.cpu_unusable, tcg.cpu_modes = [], [], {}
    tcg.host_model, tcg.s390_pv, tcg.vcpu_max = None, None, None
    tcg.host_model_features = set()
    if caps:
        try:
            parse_domcaps(caps, tcg)
        except xmlsafe.XmlError:
            pass  # judged without CPU facts, as discovery does when it cannot read them
    return tcg


def fetch_host(uri: str, run: Runner | None = None) -> tuple[HostAudit, list[_Job]]:
    """One host's guests and what judging each definition needs (the XML and the host
    facts), read in discovery's connections; never raises for a host that is down."""
    from zwizard.host import discover, virsh_runner

    label = host_label(uri) if is_remote(uri) else uri
    riding = _Riding(run if run is not None else virsh_runner(uri), is_remote(uri))
    info = discover("kvm", uri=uri, run=riding)
    listed = riding.cache.get(tuple(GUEST_LIST))
    if not info.reachable or listed is None:
        why = "; ".join(info.unavailable) if not info.reachable else ""
        why = why or f"cannot list its guests: {riding.last_error or 'no answer'}"
        return HostAudit(uri, label, judged=False, problem=why), []
    out = HostAudit(uri, label)
    facts = _Facts(info, _tcg_host(info, riding.cache.get(tuple(TCG_CAPS))), is_remote(uri))
    active = set(riding.active())
    states = {s: set((riding.cache.get(tuple(ask)) or "").split()) for s, ask in STATES.items()}
    jobs = []
    for uuid, name in guest_list(riding):
        state = "shut off"
        if uuid in active:
            state = next((s for s, ask in states.items() if uuid in ask), "active")
        wanted = [("inactive", ["dumpxml", "--inactive", uuid])]
        if uuid in active:
            wanted.append(("live", ["dumpxml", uuid]))
        for definition, command in wanted:
            entry = GuestAudit(label, uri, uuid, name, state, definition)
            out.guests.append(entry)
            xml = riding.cache.get(tuple(command))
            if not xml:
                entry.problem = "its definition could not be read (undefined meanwhile?)"
                continue
            jobs.append(_Job(entry, xml, f"{label}/{name}", facts))
    return out, jobs


@record
class _Facts:
    """What the host rules of one host are judged against."""

    kvm: HostInfo
    qemu: HostInfo  # the same host as TCG guests see it
    remote: bool


@record
class _Job:
    entry: GuestAudit
    xml: str
    source: str
    facts: _Facts


def _judge_many(facts: _Facts, work: list[tuple[str, str]]) -> list[list[Located] | str]:
    """Judge (source, xml) pairs of one host: each its findings, or why it is unreadable."""
    out: list[list[Located] | str] = []
    for source, xml in work:
        host = facts.qemu if _domain_type(xml) == "qemu" else facts.kvm
        try:
            out.append(judge(xml.encode(), source, host, facts.remote))
        except ImportError_ as exc:
            out.append(str(exc))
    return out


def _same_as(xml: str) -> str:
    """A live definition as its inactive one reads where only <domain id='N'> tells them
    apart (libvirt's test driver; a guest whose devices change nothing at start): the
    text is judged once and the findings reported for both."""
    head, sep, rest = xml.partition(">")
    if " id='" in head:
        before, _, after = head.partition(" id='")
        head = before + after.partition("'")[2]
    return head + sep + rest


CHUNK = 64  # definitions per worker task
PARALLEL_FROM = 300  # fewer distinct definitions are judged here: a worker costs ~0.1 s


def judge_jobs(jobs: list[_Job], workers: int | None = None) -> None:
    """Judge every job into its entry: in worker processes when there are many (judging
    is CPU-bound; the hosts were read before, so no thread is forked mid-call)."""
    import os

    groups: dict[int, tuple[_Facts, dict[str, list[_Job]]]] = {}
    for job in jobs:  # one judgement per distinct text on each host
        facts, texts = groups.setdefault(id(job.facts), (job.facts, {}))
        texts.setdefault(_same_as(job.xml), []).append(job)
    tasks = []
    for facts, texts in groups.values():
        items = list(texts.values())
        for at in range(0, len(items), CHUNK):
            chunk = items[at : at + CHUNK]
            tasks.append((facts, chunk, [(same[0].source, same[0].xml) for same in chunk]))
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    distinct = sum(len(t[1]) for t in tasks)
    results: list[list[list[Located] | str]]
    if workers > 1 and distinct >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_judge_many, [t[0] for t in tasks], [t[2] for t in tasks]))
    else:
        results = [_judge_many(t[0], t[2]) for t in tasks]
    for (_, chunk, _), answers in zip(tasks, results, strict=True):
        for same, answer in zip(chunk, answers, strict=True):
            for job in same:
                if isinstance(answer, str):
                    job.entry.problem = answer
                else:
                    job.entry.findings = list(answer)


def audit_host(uri: str, run: Runner | None = None) -> HostAudit:
    """Every guest defined on one host, judged."""
    out, jobs = fetch_host(uri, run)
    judge_jobs(jobs)
    return out


def _domain_type(xml: str) -> str:
    """The type attribute of <domain> (kvm, qemu), read from the start of the text."""
    head = xml[: xml.find(">") + 1]
    for quote in ("'", '"'):
        mark = f"type={quote}"
        if mark in head:
            return head.split(mark, 1)[1].split(quote, 1)[0]
    return "kvm"


def audit(
    uris: list[str],
    runner_for: Callable[[str], Runner] | None = None,
    workers: int | None = None,
) -> list[HostAudit]:
    """Every host at once, each with discovery's timeouts, then every definition judged;
    `runner_for` stands in for virsh (tests, benchmark)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(uri: str) -> tuple[HostAudit, list[_Job]]:
        return fetch_host(uri, runner_for(uri) if runner_for is not None else None)

    if len(uris) == 1:
        fetched = [one(uris[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(len(uris), 16)) as pool:
            fetched = list(pool.map(one, uris))
    judge_jobs([job for _, jobs in fetched for job in jobs], workers)
    return [host for host, _ in fetched]


def exit_code(hosts: list[HostAudit]) -> int:
    """2 when a host or a definition could not be judged, else 1 when any definition has
    an error, else 0."""
    if any(not h.judged or any(g.problem for g in h.guests) for h in hosts):
        return EXIT_INPUT
    errors = any(g.count("error") for h in hosts for g in h.guests)
    return EXIT_RULES if errors else EXIT_OK


def ranked(hosts: list[HostAudit]) -> list[GuestAudit]:
    """Every definition, the worst first: unreadable, then most errors, most warnings."""
    rows = [g for h in hosts for g in h.guests]
    return sorted(
        rows,
        key=lambda g: (
            g.problem is None,
            -g.count("error"),
            -g.count("warning"),
            g.host,
            g.name,
            g.definition != "inactive",
        ),
    )


def table(hosts: list[HostAudit]) -> list[str]:
    """What `zwizard audit` prints: one row per definition, then what was not judged."""
    head = ("HOST", "GUEST", "STATE", "XML", "ERRORS", "WARNINGS")
    rows = [
        (
            g.host,
            g.name,
            g.state,
            g.definition,
            f"not judged: {g.problem}" if g.problem else g.rules("error") or "-",
            "" if g.problem else g.rules("warning") or "-",
        )
        for g in ranked(hosts)
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in [head, *rows]
    ]
    lines = [line.rstrip() for line in lines] if rows else []
    guests = [g for h in hosts for g in h.guests]
    bad = sum(1 for g in guests if g.count("error"))
    warned = sum(1 for g in guests if not g.count("error") and g.count("warning"))
    names = {(g.host, g.uuid) for g in guests}
    judged = [h for h in hosts if h.judged]
    lines.append(
        f"{len(names)} guest(s) on {len(judged)} host(s); of their {len(guests)} "
        f"definition(s) {bad} with errors, {warned} with warnings only, "
        f"{len(guests) - bad - warned} clean"
    )
    lines += [f"not judged: {h.host}: {h.problem}" for h in hosts if not h.judged]
    return lines


def _finding(x: Located) -> dict[str, object]:
    f = x.finding
    return {
        "severity": f.severity,
        "rule": f.rule,
        "xpath": x.xpath,
        "line": x.line,
        "message": f.message,
    }


def as_json(hosts: list[HostAudit]) -> dict[str, Any]:
    """The audit for scripts: per host, per definition, every finding."""
    return {
        "hosts": [
            {
                "uri": h.uri,
                "host": h.host,
                "judged": h.judged,
                "problem": h.problem,
                "guests": [
                    {
                        "uuid": g.uuid,
                        "name": g.name,
                        "state": g.state,
                        "definition": g.definition,
                        "problem": g.problem,
                        "errors": g.count("error"),
                        "warnings": g.count("warning"),
                        "findings": [_finding(x) for x in g.findings],
                    }
                    for g in h.guests
                ],
            }
            for h in hosts
        ],
        "exit": exit_code(hosts),
    }


def as_sarif(hosts: list[HostAudit]) -> dict[str, Any]:
    """SARIF 2.1.0: a rule per rule id (RULES), a result per finding whose logical location
    is the guest on its host, the element's XPath in the message."""
    from zwizard import __version__
    from zwizard.rules import RULES

    ids = list(RULES)
    extra = sorted({x.finding.rule for h in hosts for g in h.guests for x in g.findings} - set(ids))
    ids += extra
    index = {rule: i for i, rule in enumerate(ids)}
    rules = [
        {
            "id": rule,
            "shortDescription": {"text": RULES.get(rule, rule)},
            "helpUri": RULES_HELP,
            "help": {"text": f"{RULES_HELP}: rule `{rule}`"},
        }
        for rule in ids
    ]
    logical: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for h in hosts:
        host_at = len(logical)
        logical.append({"name": h.host, "fullyQualifiedName": h.uri, "kind": "module"})
        if not h.judged:
            notes.append({"level": "error", "message": {"text": f"{h.uri}: {h.problem}"}})
            continue
        for g in h.guests:
            guest_at = len(logical)
            fqn = f"{h.uri}/{g.name}" + (" (live)" if g.definition == "live" else "")
            logical.append(
                {"name": g.name, "fullyQualifiedName": fqn, "kind": "object",
                 "parentIndex": host_at}
            )  # fmt: skip
            if g.problem:
                notes.append({"level": "error", "message": {"text": f"{fqn}: {g.problem}"}})
            for x in g.findings:
                f = x.finding
                results.append(
                    {
                        "ruleId": f.rule,
                        "ruleIndex": index[f.rule],
                        "level": f.severity,
                        "message": {"text": f"{x.xpath}: {f.message}"},
                        "locations": [
                            {"logicalLocations": [{"index": guest_at, "fullyQualifiedName": fqn}]}
                        ],
                        "properties": {
                            "host": h.uri,
                            "guest": g.name,
                            "uuid": g.uuid,
                            "state": g.state,
                            "definition": g.definition,
                            "xpath": x.xpath,
                        },
                    }
                )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "zwizard",
                "version": __version__,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not notes,
                "toolExecutionNotifications": notes,
            }
        ],
        "logicalLocations": logical,
        "results": results,
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }


def run_audit(uris: list[str], fmt: str = "text") -> int:
    """zwizard audit: print the audit of these hosts in `fmt`; the exit code."""
    import json
    import sys

    from zwizard.shown import say

    hosts = audit(uris)
    if fmt == "text":
        say("\n".join(table(hosts)))
    else:
        print(json.dumps(as_sarif(hosts) if fmt == "sarif" else as_json(hosts), indent=2))
        for h in hosts:
            if not h.judged:
                say(f"error: not judged: {h.uri}: {h.problem}", file=sys.stderr)
    return exit_code(hosts)

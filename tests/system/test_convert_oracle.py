"""Issue 23: `zwizard convert` judged by libvirt itself.

For every input — libvirt's own s390x test definitions (from the Debian source package
of the libvirt installed here, see libvirt_testdata.py), every domain XML under
tests/data, and the XML every example in assets/ writes — libvirt's normal form of the
input (`virsh define` + `dumpxml --inactive`: A) is compared element by element with
libvirt's normal form of what `convert` wrote from A (B), and B with the normal form of
what `zwizard --answers` writes from convert's draft (C).

A difference between A and B is *announced* when convert's printed output names that
element's location (`changed: FILE:LINE: /domain/devices/disk[1]/target: ...`), and
*silent* otherwise. Today's differences are the baseline, tests/data/convert-baseline.json;
the test fails on a silent difference the baseline does not hold, on any difference
between C and B, and when libvirt refuses an input or an output it accepted before.
After a deliberate change, or to shrink the baseline after a fix:

    ZWIZARD_UPDATE_BASELINE=1 tests/run tests/system/test_convert_oracle.py

`convert` reads A, libvirt's own writing of the input, so that every value libvirt
fills in is in front of convert and convert's locations are A's locations. It also reads
the source as written (an address libvirt would give, left out), as a person converts a
file of their own: that output's normal form is compared with A too, and a silent
difference there fails the same way. An input
libvirt refuses is recorded with libvirt's words; convert then reads the input itself,
and only B against C (and whether libvirt takes B) is judged.

This machine has no KVM, so everything is judged as a TCG guest: a `kvm` input is
defined (and so converted) as `qemu`, and convert's output, when it says `kvm`, is
defined as `qemu` too (the record says so). Each input gets the name zwo-<hash of its
id> and, when it has a UUID, one derived from its id (no clash with guests defined
elsewhere); names, UUIDs and the MACs libvirt made up are masked. zwizard's own mark
(<metadata><zwizard:generator>) added to an input without one is no difference.
Elements that are the same device are paired by likeness, not place (libvirt sorts
disks by bus and name); an address whose type changes is one difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lxml import etree

from tests.helpers import ASSETS, ROOT, run_zwizard
from tests.system.stack import StackUnavailable, virsh

BASELINE = ROOT / "tests" / "data" / "convert-baseline.json"
UPDATE = os.environ.get("ZWIZARD_UPDATE_BASELINE") == "1"
PREFIX = "zwo-"
NAMESPACE = uuid.UUID("6f1d3c1e-9a3b-4c55-9f0e-2d1f00c0a523")  # the inputs' stand-in UUIDs
WORKERS = 4  # define/dumpxml/convert are mostly waiting on other processes
PAIR_AT = 0.3  # how alike two same-tag siblings must be to be the same element
ABSENT = None
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
EMULATORS = {"s390x": "qemu-system-s390x", "x86_64": "qemu-system-x86_64"}
EMULATORS["i686"] = EMULATORS["x86_64"]
ZWIZARD_NS = "urn:x-zwizard:domain:1"  # zwizard/parts/basics.py: its own mark


# --- the canonical walk ---------------------------------------------------------------


def qname(el: etree._Element) -> str:
    q = etree.QName(el)
    return f"{el.prefix}:{q.localname}" if el.prefix else q.localname


def attr_name(key: str, el: etree._Element) -> str:
    if not key.startswith("{"):
        return key
    q = etree.QName(key)
    prefix = next((p for p, ns in (el.nsmap or {}).items() if ns == q.namespace and p), None)
    return f"{prefix}:{q.localname}" if prefix else q.localname


def children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def text_of(el: etree._Element) -> str | None:
    text = (el.text or "").strip()
    return text or None


def step(el: etree._Element) -> str:
    """The element's path step: its tag, and its place among same-tag siblings if several."""
    parent = el.getparent()
    if parent is None:
        return ""
    same = [c for c in children(parent) if qname(c) == qname(el)]
    return qname(el) if len(same) == 1 else f"{qname(el)}[{same.index(el) + 1}]"


def path_of(el: etree._Element) -> str:
    steps = []
    while el.getparent() is not None:
        steps.append(step(el))
        el = el.getparent()
    return "/".join(reversed(steps))


def join(path: str, step_: str) -> str:
    return f"{path}/{step_}" if path else step_


def weight(path: str) -> int:
    """What says which element this is: its source and MAC much, its kind more than the
    rest, its address not at all (libvirt places devices; convert moves them to ccw)."""
    if path.startswith("address"):
        return 0
    if path.startswith(("source", "mac", "target/@dev", "@name")):
        return 3
    return 2 if path == "@type" else 1  # a usb controller is not a scsi one


def leaves(el: etree._Element, cache: dict) -> frozenset:
    """Every (relative path without indexes, value) below el: what makes two alike."""
    if el not in cache:  # the cache holds el: an element's identity stays its own
        out = {(f"@{attr_name(k, el)}", v) for k, v in el.attrib.items()}
        if text_of(el) is not None:
            out.add(("", text_of(el)))
        for child in children(el):
            out.add((qname(child), "<present>"))
            out |= {(f"{qname(child)}/{p}", v) for p, v in leaves(child, cache)}
        cache[el] = frozenset(out)
    return cache[el]


def alike(a: etree._Element, b: etree._Element, cache: dict) -> float:
    la, lb = leaves(a, cache), leaves(b, cache)
    total = sum(weight(p) for p, _ in la) + sum(weight(p) for p, _ in lb)
    if not total:
        return 1.0
    return 2 * sum(weight(p) for p, _ in la & lb) / total


def align(
    a: list[etree._Element], b: list[etree._Element], cache: dict
) -> list[tuple[etree._Element | None, etree._Element | None]]:
    """Same-tag siblings of A and B paired by likeness, whatever their order (libvirt
    sorts disks by bus and name, so a converted disk may change places); the rest alone."""
    if len(a) == 1 and len(b) == 1:
        return [(a[0], b[0])]
    ranked = sorted(
        ((alike(x, y, cache), -abs(i - j), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        reverse=True,
    )
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for score, _, i, j in ranked:
        if score >= PAIR_AT and i not in partner and j not in taken:
            partner[i] = j
            taken.add(j)
    pairs: list[tuple[etree._Element | None, etree._Element | None]] = [
        (x, b[partner[i]] if i in partner else None) for i, x in enumerate(a)
    ]
    return pairs + [(None, y) for j, y in enumerate(b) if j not in taken]


def shown(el: etree._Element) -> str:
    text = etree.tostring(el, encoding="unicode", with_tail=False)
    text = re.sub(r"\s+xmlns(:\w+)?=(\"[^\"]*\"|'[^']*')", "", text)
    text = re.sub(r">\s+<", "><", text).strip()
    return text if len(text) <= 240 else text[:237] + "..."


def differences(a: etree._Element, b: etree._Element) -> list[dict]:
    """Element by element: [{"at": path, "A": value, "B": value}], a value None if absent."""
    out: list[dict] = []
    cache: dict = {}

    def walk(x: etree._Element, y: etree._Element, path: str) -> None:
        if qname(x) == "address" and x.get("type") != y.get("type"):  # pci -> ccw: one
            out.append({"at": path, "A": shown(x), "B": shown(y)})
            return
        xa = {attr_name(k, x): v for k, v in x.attrib.items()}
        ya = {attr_name(k, y): v for k, v in y.attrib.items()}
        for key in sorted(xa.keys() | ya.keys()):
            if xa.get(key) != ya.get(key):
                out.append({"at": join(path, f"@{key}"), "A": xa.get(key), "B": ya.get(key)})
        if text_of(x) != text_of(y):
            out.append({"at": path or ".", "A": text_of(x), "B": text_of(y)})
        xs, ys = children(x), children(y)
        tags = list(dict.fromkeys(qname(c) for c in [*xs, *ys]))
        for tag in tags:
            mine = [c for c in xs if qname(c) == tag]
            theirs = [c for c in ys if qname(c) == tag]
            for p, q in align(mine, theirs, cache):
                if p is not None and q is not None:
                    walk(p, q, join(path, step(p)))
                elif p is not None:
                    out.append({"at": join(path, step(p)), "A": shown(p), "B": ABSENT, "el": p})
                else:
                    at = join(path, step(q))  # B's index: convert never saw this element
                    out.append({"at": at, "A": ABSENT, "B": shown(q), "in": path, "own": not mine})

    walk(a, b, "")
    return out


def plain(d: dict) -> dict:
    return {k: d[k] for k in ("at", "A", "B")}


# --- what convert says ----------------------------------------------------------------

SAID = re.compile(r"^(changed|not carried): (?:.*?: )?(/domain\S*?): (.*)$")


def announced_locations(output: str, only: str | None = None) -> list[list[str]]:
    """Each location convert's output names, as path steps (an attribute as '@name');
    `only`: the lines of one kind ("changed": those that name the rule)."""
    found = []
    for line in output.splitlines():
        m = SAID.match(line.strip())
        if not m or (only is not None and m.group(1) != only):
            continue
        steps = [s for s in m.group(2).split("/")[2:] if s]
        attribute = re.match(r"attribute ([\w:-]+)=", m.group(3))
        if attribute:
            steps.append(f"@{attribute.group(1)}")
        found.append(steps)
    return found


def _same_step(said: str, seen: str) -> bool:
    if said == "*":
        return True
    strip = lambda s: s[:-3] if s.endswith("[1]") else s  # noqa: E731
    return strip(said) == strip(seen)


def covered(d: dict, locations: list[list[str]]) -> bool:
    """Announced: its location is named, or (a whole element) everything in it is."""

    def whole(el: etree._Element, at: str) -> bool:
        if is_announced(at, locations):
            return True
        inside = children(el)
        if el.attrib and not inside and text_of(el) is None:  # each of its attributes said
            return all(is_announced(f"{at}/@{name}", locations) for name in el.attrib)
        own = el.attrib or text_of(el) is not None
        return bool(inside) and not own and all(whole(c, join(at, step(c))) for c in inside)

    if "in" in d:  # added: named by a location of the element it is added to, or (if A
        # has none of its kind there) by its own; a sibling's location is not its own
        inside = d["in"] and any(
            said and len(said) <= len(d["in"].split("/"))
            and all(map(_same_step, said, d["in"].split("/")))
            for said in locations
        )  # fmt: skip
        return bool(inside) or (d["own"] and is_announced(d["at"], locations))
    return whole(d["el"], d["at"]) if "el" in d else is_announced(d["at"], locations)


# What the guest sees of a device: its place, identity and model (issue 23: "any announced
# change of the guest's ABI must name the rule that required it")
ABI_STEPS = {"address", "zpci", "mac", "model", "target", "serial", "vcpu"}


def is_abi(at: str) -> bool:
    return any(re.sub(r"\[\d+\]$", "", s).lstrip("@") in ABI_STEPS for s in at.split("/"))


def is_announced(at: str, locations: list[list[str]]) -> bool:
    steps = [] if at == "." else at.split("/")
    for said in locations:
        if not said:  # the root itself: its own attributes and text only
            if len(steps) <= 1 and (not steps or steps[0].startswith("@")):
                return True
            continue
        if len(said) <= len(steps) and all(map(_same_step, said, steps)):
            return True
    return False


def strip_own_mark(b: etree._Element, a: etree._Element) -> None:
    """zwizard signs what it writes (<metadata><zwizard:generator>); an input without
    that mark gets it from convert, which is no change to the guest."""
    if a.xpath("metadata/*[namespace-uri()=$ns]", ns=ZWIZARD_NS):
        return
    for el in b.xpath("metadata/*[namespace-uri()=$ns]", ns=ZWIZARD_NS):
        el.getparent().remove(el)
    meta = b.find("metadata")
    if meta is not None and not children(meta) and a.find("metadata") is None:
        b.remove(meta)


# --- masking what libvirt (or this test) makes up ---------------------------------------


def mask(root: etree._Element, made_up: dict[str, str], name: str, known_macs: set[str]) -> None:
    """In place: the name, the UUID and the MACs libvirt or this test chose become labels;
    a UUID or MAC nobody chose before (made up again later) becomes '<other ...>'."""

    def value(v: str, where: str) -> str:
        if v in made_up:
            return made_up[v]
        if where == "uuid" and re.fullmatch(r"[0-9a-f-]{36}", v):
            return "<other uuid>"
        if where == "mac" and v.lower() not in known_macs:
            return "<other mac>"
        return v.replace(name, "<name>")

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if text_of(el) is not None:
            top_uuid = el.tag == "uuid" and el.getparent() is root
            el.text = value(text_of(el), "uuid" if top_uuid else "")
        for key, v in el.attrib.items():
            mac = key == "address" and el.tag == "mac"
            el.set(key, value(v, "mac" if mac else ""))


def masks_from(dumped: etree._Element, name: str, raw_macs: set[str]) -> dict[str, str]:
    made_up = {name: "<name>"}
    if dumped.findtext("uuid"):
        made_up[dumped.findtext("uuid")] = "<uuid>"
    count = 0
    for mac in dumped.iterfind("devices/*/mac"):
        address = mac.get("address", "")
        if address.lower() not in raw_macs and address not in made_up:
            count += 1
            made_up[address] = f"<mac {count}>"
    return made_up


# --- libvirt ----------------------------------------------------------------------------


def libvirt_words(r: subprocess.CompletedProcess, tmp: Path) -> str:
    lines = [
        line.removeprefix("error: ").strip()
        for line in (r.stderr or r.stdout).splitlines()
        if line.strip() and not line.startswith("error: Failed to define domain from")
    ]
    words = "; ".join(lines).replace(str(tmp), "<tmp>")
    return re.sub(rf"{PREFIX}[0-9a-f]{{10}}", "<name>", words)


def undefine(target: str) -> None:
    r = virsh("undefine", target)
    if r.returncode != 0 and "nvram" in r.stderr:
        virsh("undefine", target, "--keep-nvram")


def normal_form(xml: str, name: str, tmp: Path, label: str, validate: bool) -> tuple[str, str]:
    """("accepted", libvirt's inactive XML) or ("refused by libvirt: words", "")."""
    assert name.startswith(PREFIX), name  # only ever our own guests
    path = tmp / f"{label}.define.xml"
    path.write_text(xml)
    if virsh("domuuid", name).returncode == 0:  # a leftover of a killed run
        undefine(name)
    r = virsh("define", *(["--validate"] if validate else []), str(path))
    if r.returncode != 0:
        return f"refused by libvirt: {libvirt_words(r, tmp)}", ""
    handle = name
    try:
        got = virsh("domuuid", name)
        handle = got.stdout.strip() or name
        dumped = virsh("dumpxml", "--inactive", handle)
        assert dumped.returncode == 0, dumped.stderr
        (tmp / f"{label}.dumped.xml").write_text(dumped.stdout)
        return "accepted", dumped.stdout
    finally:
        undefine(handle)


def qemu_argv(xml_file: Path, masks: dict[str, str], name: str) -> tuple[list[str], str]:
    r = virsh("domxml-to-native", "qemu-argv", str(xml_file))
    if r.returncode != 0:
        return [], libvirt_words(r, xml_file.parent)
    words = shlex.split(r.stdout)
    while words and re.match(r"^[A-Z_]+=", words[0]):  # the environment: not QEMU's
        words.pop(0)
    args, i = [], 1  # words[0] is the binary: the arch is judged elsewhere
    while i < len(words):
        arg = words[i]
        if i + 1 < len(words) and not words[i + 1].startswith("-"):
            arg, i = f"{arg} {words[i + 1]}", i + 1
        for real, label in masks.items():
            arg = arg.replace(real, label)
        arg = re.sub(r'("fd":"|fd=)\d+', r"\1<fd>", arg)  # numbered as libvirt opens them
        args.append(arg.replace(name, "<name>"))
        i += 1
    return args, ""


def compare_argv(a_file: Path, b_file: Path, masks: dict[str, str], name: str) -> object:
    a, why_a = qemu_argv(a_file, masks, name)
    b, why_b = qemu_argv(b_file, masks, name)
    if why_a or why_b:
        return f"no command line: {why_a or why_b}"
    only_a = sorted((Counter(a) - Counter(b)).elements())
    only_b = sorted((Counter(b) - Counter(a)).elements())
    return "same" if not only_a and not only_b else {"only A": only_a, "only B": only_b}


# --- one input ------------------------------------------------------------------------


def runnable(xml: str, name: str, guest_uuid: str | None = None) -> str:
    """Renamed, with a UUID of its own, and definable here (no KVM: TCG)."""
    dom = etree.fromstring(xml.encode(), PARSER)
    if dom.get("type") == "kvm":
        dom.set("type", "qemu")
    if dom.find("name") is None:
        dom.insert(0, etree.Element("name"))
    dom.find("name").text = name
    if guest_uuid and dom.find("uuid") is not None:
        dom.find("uuid").text = guest_uuid  # no clash with guests defined elsewhere
    emulator = dom.find("devices/emulator")
    if emulator is not None and not Path((emulator.text or "").strip()).exists():
        ostype = dom.find("os/type")
        arch = ostype.get("arch") if ostype is not None else None
        if arch is None and ostype is not None:
            arch = "s390x" if (ostype.get("machine") or "").startswith("s390") else None
        binary = shutil.which(EMULATORS.get(arch or "", ""))
        if binary:
            emulator.text = binary
    return etree.tostring(dom, encoding="unicode")


def convert_words(r: subprocess.CompletedProcess, tmp: Path) -> str:
    said = [ln.strip() for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    lines = [ln for ln in said if ln.startswith("error")] or said[-1:]  # a traceback's end
    return f"exit {r.returncode}: " + "; ".join(lines).replace(str(tmp), "<tmp>")


def judge(key: str, source: str, tmp: Path) -> dict:
    """One input through define, convert and the answers round trip."""
    tmp.mkdir(parents=True)
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    name = f"{PREFIX}{digest}"
    raw = etree.fromstring(source.encode(), PARSER)
    raw_macs = {m.get("address", "").lower() for m in raw.iterfind("devices/*/mac")}
    record: dict = {}
    xml = runnable(source, name, str(uuid.uuid5(NAMESPACE, key)))
    record["input"], a_xml = normal_form(xml, name, tmp, "A", validate=False)
    if "does not support machine type 's390-ccw-virtio-" in record["input"]:
        # a distribution's machine (s390-ccw-virtio-rhel9.2.0): this QEMU's own instead
        dom = etree.fromstring(xml.encode(), PARSER)
        was = dom.find("os/type").get("machine")
        dom.find("os/type").set("machine", "s390-ccw-virtio")
        retry = etree.tostring(dom, encoding="unicode")
        status, a_xml = normal_form(retry, name, tmp, "A", validate=False)
        if status == "accepted":
            record["input"], xml = status, retry
            record["made definable"] = f"machine {was} -> s390-ccw-virtio (this QEMU's)"

    convert_in = tmp / "A.xml"
    convert_in.write_text(a_xml or xml)
    r = run_zwizard("convert", str(convert_in), "-o", str(tmp / "B"))
    record["convert"] = "exit 0" if r.returncode == 0 else convert_words(r, tmp)
    written = tmp / "B" / f"{name}.xml"
    if not written.exists():
        record["output"] = "not written"
        return record
    b_xml_in = runnable(written.read_text(), name)
    if etree.fromstring(written.read_bytes(), PARSER).get("type") != "qemu":
        record["made definable"] = "output's domain type kvm -> qemu (no KVM here)"
    record["output"], b_xml = normal_form(b_xml_in, name, tmp, "B", validate=True)

    draft = tmp / "B" / f"{name}.toml"
    back = run_zwizard("--answers", str(draft), "-o", str(tmp / "C"), "--no-input")
    c_xml = ""
    if back.returncode != 0 or not (tmp / "C" / f"{name}.xml").exists():
        record["answers"] = convert_words(back, tmp)
    else:
        c_in = runnable((tmp / "C" / f"{name}.xml").read_text(), name)
        record["answers"], c_xml = normal_form(c_in, name, tmp, "C", validate=True)

    if not b_xml:
        return record
    b = etree.fromstring(b_xml.encode(), PARSER)
    b_again = etree.fromstring(b_xml.encode(), PARSER)  # B as it is, for C
    if a_xml:
        # libvirt's normal form is not always its own fixpoint: a pci-bridge libvirt adds
        # has no zPCI ids in A, and defining A again gives it some (9.0, seen). What
        # libvirt itself changes of A is no change of convert's: B is judged against A
        # defined again, and what that pass changed is recorded
        again_status, again = normal_form(a_xml, name, tmp, "A2", validate=False)
        if again_status == "accepted" and again != a_xml:
            first, second = (etree.fromstring(x.encode(), PARSER) for x in (a_xml, again))
            masks0 = masks_from(first, name, raw_macs)
            mask(first, masks0, name, raw_macs)
            mask(second, masks0, name, raw_macs)
            record["libvirt's own second define"] = [plain(d) for d in differences(first, second)]
            a_xml = again
        said, masks = judged(a_xml, b, name, raw_macs, r.stdout + r.stderr)
        record.update(said)
        record["qemu"] = compare_argv(tmp / "A.dumped.xml", tmp / "B.dumped.xml", masks, name)
        if xml != a_xml:
            record.update(from_source(xml, a_xml, name, raw_macs, tmp))
    else:
        masks = masks_from(b, name, raw_macs)
    if c_xml:
        known = raw_macs | {m.lower() for m in masks if ":" in m}
        c = etree.fromstring(c_xml.encode(), PARSER)
        mask(b_again, masks, name, known)
        mask(c, masks, name, known)
        found = differences(b_again, c)
        record["roundtrip"] = [{"at": d["at"], "B": d["A"], "C": d["B"]} for d in found]
    return record


def from_source(xml: str, a_xml: str, name: str, raw_macs: set[str], tmp: Path) -> dict:
    """The source as written, converted as a person converts a file of their own (libvirt
    has not filled in its addresses and defaults): its defined normal form against A, with
    what that run of convert said. An outside tester's held-out definitions found
    addresses moving this way that converting A never shows."""
    source_in = tmp / "source.xml"
    source_in.write_text(xml)
    r = run_zwizard("convert", str(source_in), "-o", str(tmp / "S"))
    written = tmp / "S" / f"{name}.xml"
    if r.returncode != 0 or not written.exists():
        return {"convert (source)": convert_words(r, tmp)}
    status, s_xml = normal_form(runnable(written.read_text(), name), name, tmp, "S", validate=True)
    if not s_xml:
        return {"output (source)": status}
    b = etree.fromstring(s_xml.encode(), PARSER)
    said, _ = judged(a_xml, b, name, raw_macs, r.stdout + r.stderr)
    return {f"{kind} (source)": said[kind] for kind in ("silent", "abi without a rule")}


def judged(a_xml: str, b: etree._Element, name: str, raw_macs: set[str], output: str):
    """A's normal form against B (masked in place): its differences, each silent or
    announced by what convert printed, and those of the guest's ABI said by no rule."""
    a = etree.fromstring(a_xml.encode(), PARSER)
    masks = masks_from(a, name, raw_macs)
    known = raw_macs | {m.lower() for m in masks if ":" in m}
    mask(a, masks, name, known)
    mask(b, masks, name, known)
    strip_own_mark(b, a)
    locations, ruled = announced_locations(output), announced_locations(output, only="changed")
    found = differences(a, b)
    said = {
        "silent": [plain(d) for d in found if not covered(d, locations)],
        "announced": [plain(d) for d in found if covered(d, locations)],
        "abi without a rule": [
            plain(d)
            for d in found
            if covered(d, locations) and is_abi(d["at"]) and not covered(d, ruled)
        ],
    }
    return said, masks


# --- the inputs -----------------------------------------------------------------------


def is_domain(path: Path) -> bool:
    try:
        return etree.parse(str(path), PARSER).getroot().tag == "domain"
    except etree.XMLSyntaxError:
        return False


def inputs(tmp: Path) -> tuple[dict[str, str], dict[str, str]]:
    """{id: XML text} of every input, and {id: refusal} of examples that wrote nothing."""
    from tests.system.libvirt_testdata import s390x_definitions

    found: dict[str, str] = {}
    broken: dict[str, str] = {}
    for path in s390x_definitions():
        found[f"libvirt:{path.parent.name}/{path.name}"] = path.read_text()
    for toml in sorted(ASSETS.glob("*.toml")):
        out = tmp / "assets" / toml.stem
        r = run_zwizard("--answers", str(toml), "-o", str(out), "--no-input")
        if r.returncode != 0:
            broken[f"asset:{toml.stem}"] = convert_words(r, tmp)
            continue
        for xml in sorted(out.glob("*.xml"), key=lambda p: (p.name.count("."), p.name)):
            if is_domain(xml):
                main = xml.name.count(".") == 1 and f"asset:{toml.stem}" not in found
                found[f"asset:{toml.stem}" if main else f"asset:{toml.stem}/{xml.name}"] = (
                    xml.read_text()
                )
    data = ROOT / "tests" / "data"
    for path in sorted(data.rglob("*.xml")):
        if is_domain(path):
            found[f"data:{path.relative_to(data)}"] = path.read_text()
    return found, broken


# --- the baseline -----------------------------------------------------------------------


# what fails the test when the baseline does not hold it
SILENT_KINDS = ("silent", "abi without a rule", "silent (source)", "abi without a rule (source)")


def diff_keys(entries: list[dict]) -> set[tuple]:
    return {tuple(json.dumps(v) for v in d.values()) for d in entries}


def figures(results: dict[str, dict]) -> dict[str, int]:
    judged = {k: r for k, r in results.items() if "same_as" not in r and "asset" not in r}
    return {
        "inputs": len(judged),
        "duplicates": sum("same_as" in r for r in results.values()),
        "libvirt accepted": sum(r.get("input") == "accepted" for r in judged.values()),
        "came back the same": sum(
            r.get("output") == "accepted" and "silent" in r and not r["silent"] + r["announced"]
            for r in judged.values()
        ),
        "silent differences": sum(len(r.get("silent", [])) for r in judged.values()),
        "announced differences": sum(len(r.get("announced", [])) for r in judged.values()),
        "ABI changes without a rule": sum(
            len(r.get("abi without a rule", [])) for r in judged.values()
        ),
        "silent converting the source as written": sum(
            len(r.get("silent (source)", [])) + len(r.get("abi without a rule (source)", []))
            for r in judged.values()
        ),
        "refused by convert": sum(r.get("convert", "exit 0") != "exit 0" for r in judged.values()),
        "output refused by libvirt": sum(
            r.get("output", "").startswith("refused") for r in judged.values()
        ),
        "answers round trip differs": sum(bool(r.get("roundtrip")) for r in judged.values()),
        "same QEMU command line": sum(r.get("qemu") == "same" for r in judged.values()),
        "libvirt's own normal form changed when defined again": sum(
            bool(r.get("libvirt's own second define")) for r in judged.values()
        ),
    }


def kinds(results: dict[str, dict]) -> list[tuple[str, int, dict]]:
    """Silent differences by location pattern (indexes dropped), most common first."""
    seen: dict[str, list[dict]] = {}
    for record in results.values():
        for d in record.get("silent", []):
            seen.setdefault(re.sub(r"\[\d+\]", "", d["at"]), []).append(d)
    return sorted(((k, len(v), v[0]) for k, v in seen.items()), key=lambda t: (-t[1], t[0]))


def judge_against(baseline: dict, results: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(what fails, what is gone from the baseline)."""
    new: list[str] = []
    gone: list[str] = []
    old_inputs = baseline.get("inputs", {})
    for key, record in sorted(results.items()):
        old = old_inputs.get(key, {})
        for kind in SILENT_KINDS:
            had = diff_keys(old.get(kind, []))
            for d in record.get(kind, []):
                if tuple(json.dumps(v) for v in d.values()) not in had:
                    new.append(f"{key}: {kind}: {d['at']}: A {d['A']!r} -> B {d['B']!r}")
        for d in record.get("roundtrip", []):
            new.append(f"{key}: answers round trip: {d['at']}: B {d['B']!r} -> C {d['C']!r}")
        for step_ in ("input", "output", "answers"):
            before, now = old.get(step_), record.get(step_)
            if before == "accepted" and now != "accepted":
                new.append(f"{key}: {step_} accepted before, now: {now}")
        now_keys = diff_keys(record.get("silent", []))
        for d in old.get("silent", []):
            if tuple(json.dumps(v) for v in d.values()) not in now_keys:
                gone.append(f"{key}: silent: {d['at']}: A {d['A']!r} -> B {d['B']!r}")
    gone += [f"{key}: no longer an input" for key in sorted(old_inputs.keys() - results.keys())]
    return new, gone


# --- the tests ---------------------------------------------------------------------------


def test_convert_against_libvirt(stack, tmp_path, capsys):
    from tests.system.conftest import unavailable
    from tests.system.libvirt_testdata import installed_source

    try:
        found, broken = inputs(tmp_path)
    except StackUnavailable as exc:
        unavailable(str(exc))
    results: dict[str, dict] = {key: {"asset": words} for key, words in broken.items()}
    first: dict[bytes, str] = {}
    todo = []
    for key, xml in found.items():
        digest = hashlib.sha256(xml.encode()).digest()
        if digest in first:
            results[key] = {"same_as": first[digest]}
        else:
            first[digest] = key
            todo.append(key)
    with ThreadPoolExecutor(WORKERS) as pool:
        jobs = {
            key: pool.submit(judge, key, found[key], tmp_path / f"in{i}")
            for i, key in enumerate(todo)
        }
        for key, job in jobs.items():
            results[key] = job.result()
    results = dict(sorted(results.items()))
    source, version = installed_source()
    summary = figures(results)
    current = {"libvirt": f"{source} {version}", "summary": summary, "inputs": results}

    lines = ["convert judged by libvirt: " + ", ".join(f"{v} {k}" for k, v in summary.items())]
    lines += [f"  {n:4}  {k}  e.g. A {d['A']!r} -> B {d['B']!r}" for k, n, d in kinds(results)[:10]]
    if UPDATE or not BASELINE.exists():
        if UPDATE:
            BASELINE.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n")
        with capsys.disabled():
            print("\n" + "\n".join(lines) + f"\nbaseline written: {BASELINE}" * UPDATE)
        assert UPDATE, (
            f"no baseline {BASELINE}: ZWIZARD_UPDATE_BASELINE=1 tests/run "
            "tests/system/test_convert_oracle.py writes it"
        )
        return
    baseline = json.loads(BASELINE.read_text())
    new, gone = judge_against(baseline, results)
    if gone:
        lines.append(f"{len(gone)} baseline entries are gone (a fix landed?):")
        lines += [f"  {g}" for g in gone[:100]]
        lines.append(
            "shrink the baseline: ZWIZARD_UPDATE_BASELINE=1 tests/run "
            "tests/system/test_convert_oracle.py"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not new, (
        f"{len(new)} difference(s) the baseline does not hold "
        f"(a deliberate change: ZWIZARD_UPDATE_BASELINE=1 tests/run "
        f"tests/system/test_convert_oracle.py):\n" + "\n".join(new[:200])
    )


# --- the walk itself, without libvirt --------------------------------------------------


def test_the_walk_pairs_siblings_and_names_each_difference():
    a = etree.fromstring(
        "<domain type='qemu'><devices>"
        "<disk type='file'><source file='/a'/><target dev='vda'/></disk>"
        "<disk type='file'><source file='/b'/><target dev='vdb'/><driver cache='none'/></disk>"
        "<panic model='s390'/></devices></domain>"
    )
    b = etree.fromstring(
        "<domain type='kvm'><devices>"
        "<disk type='file'><source file='/b'/><target dev='vdb'/><driver cache='writeback'/>"
        "</disk><watchdog model='diag288'/></devices></domain>"
    )
    found = {(d["at"], d["A"], d["B"]) for d in differences(a, b)}
    assert found == {
        ("@type", "qemu", "kvm"),
        ("devices/disk[1]", shown(a.find("devices/disk")), None),
        ("devices/disk[2]/driver/@cache", "none", "writeback"),
        ("devices/panic", "<panic model='s390'/>".replace("'", '"'), None),
        ("devices/watchdog", None, '<watchdog model="diag288"/>'),
    }
    said = announced_locations(
        "changed: x.xml:3: /domain/devices/disk[2]/driver: cache none -> writeback [disk]\n"
        "not carried: x.xml:1: /domain: attribute type='qemu'\n"
        "changed: x.xml:9: /domain/metadata/*/*: libosinfo os a -> b [guest-os]\n"
    )
    assert is_announced("devices/disk[2]/driver/@cache", said)
    assert is_announced("@type", said)
    assert is_announced("metadata/libosinfo:libosinfo/libosinfo:os/@id", said)
    assert not is_announced("devices/disk[1]", said)
    assert not is_announced("devices/panic", said)


def test_an_added_element_is_not_announced_by_a_sibling_that_had_its_place():
    a = etree.fromstring(
        "<domain><devices><controller type='usb' index='0' model='piix3-uhci'/>"
        "<controller type='pci' index='0' model='pci-root'/></devices></domain>"
    )
    b = etree.fromstring(
        "<domain><devices><controller type='scsi' index='0' model='virtio-scsi'/>"
        "<controller type='pci' index='0' model='pci-root'/><panic model='s390'/>"
        "</devices></domain>"
    )
    said = announced_locations(
        "changed: x.xml:3: /domain/devices/controller[1]: dropped USB controller [ccw-only]"
    )
    judged = [(d["at"], d["A"], d["B"], covered(d, said)) for d in differences(a, b)]
    assert judged == [
        ("devices/controller[1]", shown(a[0][0]), None, True),  # the usb one: named
        ("devices/controller[1]", None, shown(b[0][0]), False),  # its place, not its name
        ("devices/panic", None, shown(b[0][2]), False),
    ]

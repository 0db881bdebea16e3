"""Property: whatever hostile text zwizard accepts in any string key, what it writes is safe.

For every string key of the answers schema (walked from `zwizard schema`, so a new key is
covered the day it is added), hypothesis draws values made of the pieces attacks are made
of — `..`, `/`, a leading `-`, quotes, `$( )`, backticks, `&`, `<`, control characters,
look-alike Unicode, extra kernel arguments — alone or inserted into the example's own
value, and puts them into a valid network-install answers file (assets/pxe-install.toml,
dhcp on a bridge; assets/tcg-pxe.toml, a static ip= on a libvirt network). Both
`zwizard --answers` and `zwizard prepare` run on it as separate processes. Refusing is
always fine; what is accepted must give:

- a prepare script that `sh -n` parses and shellcheck passes (warnings and errors; its
  info-level SC2016 fires on a correctly single-quoted `$(`), whose curl and install
  targets stay in the TFTP root, and a TFTP root that is absolute, normalised, not `/`;
- pxelinux files of the five directives only, a kernel and an initrd path with no `..`
  component and no leading `-`, and an `append` line whose arguments are the example's
  own except those of the key meant for them (inst.repo= from pxe.repo, ip= from the ip
  keys …);
- XML that parses (no entities resolved) with the value in no comment;
- no control character in any comment of any file, and nothing written outside the
  output folder.

FUZZ_EXAMPLES sets the number of examples (100 by default; more: FUZZ_EXAMPLES=2000).
"""

from __future__ import annotations

import copy
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.helpers import CCW_UUID, ROOT
from tests.unit.test_hostile import CONTROL, asset, toml_dumps, tree, zw

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
BASES = ["pxe-install", "tcg-pxe"]
DEFAULT_TFTP_ROOT = "/var/lib/tftpboot"

# what an array of tables gets when the example has none, so its keys can be reached
SEEDS: dict[str, dict[str, Any]] = {
    "disks": {"path": "/var/lib/libvirt/images/zwh-extra.qcow2"},
    "nics": {"source": {"network": "default"}},
    "passthrough": {"type": "vfio-ccw", "uuid": CCW_UUID, "dasd": "0.0.1234"},
    "channels": {},
    "shares": {"source": "/srv/zwh-lab", "tag": "lab"},
}


def schema() -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "zwizard", "schema"], capture_output=True,
                          text=True, env=env, timeout=60, check=True)  # fmt: skip
    return json.loads(done.stdout)


def string_keys(node: dict[str, Any], path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key whose value is free text (a string without an enum), as a path of table
    names and indexes: ("nics", 0, "source", "bridge"), ("cpu", "pinning", "0")."""
    kind = node.get("type")
    if kind == "object":
        found = []
        for name, sub in node.get("properties", {}).items():
            found += string_keys(sub, (*path, name))
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            found += string_keys(extra, (*path, "0"))
        return found
    if kind == "array":
        items = node.get("items", {})
        return string_keys(items, (*path, 0)) if items.get("type") in ("object", "string") else []
    if kind == "string" and "enum" not in node:
        return [path]
    return []


KEYS = string_keys(schema())
PXE_KEYS = [k for k in KEYS if k[0] == "pxe"] + [("guest", "name"), ("nics", 0, "ccw")]
assert ("pxe", "kernel") in KEYS and ("nics", 0, "source", "bridge") in KEYS, KEYS


def spelled(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def get(data: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def put(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for i, part in enumerate(path[:-1]):
        following = path[i + 1]
        if isinstance(following, int):
            items = node.setdefault(part, [])
            if not items:
                items.append(copy.deepcopy(SEEDS.get(part, {})))
            node = items
        elif isinstance(part, int):
            node = node[part]
        else:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
    if path[-2:] == ("source", path[-1]) and isinstance(node, dict):
        node.clear()  # a NIC has one source: bridge, network or direct
    node[path[-1]] = value
    return out


PIECES = [
    "..", "/", "../", "/..", "-", "--", "-o", "'", '"', "$(id)", "`id`", "${IFS}", "&",
    "&amp;", "&#110;", "<", ">", "]]>", "<!--", "-->", "\n", "\r", "\t", "\x00", "\x1b[2J",
    "\x1b]0;x\x07", "\x7f", "\x9b", " ", ":", ";", "#", "=", "\\", "%", "*", "?", "[1-9]",
    "{a,b}", "\u2215", "\uff0f", "\u2044", "\u202e", "\u00a0", "\u0430", "\u2028",
    " init=/bin/sh", " inst.ks=http://x/ks", "admin:pw@", "x", "enc1", "a" * 70,
]  # fmt: skip
piece = st.one_of(st.sampled_from(PIECES), st.text(max_size=4))


def no_surrogates(text: str) -> bool:
    return not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


hostile_text = st.lists(piece, min_size=1, max_size=6).map("".join).filter(no_surrogates)


@st.composite
def hostile_answers(draw: st.DrawFn) -> tuple[str, tuple[Any, ...], str, dict[str, Any]]:
    base = draw(st.sampled_from(BASES))
    key = draw(st.one_of(st.sampled_from(PXE_KEYS), st.sampled_from(KEYS)))
    data = asset(base)
    own = get(data, key)
    value = draw(hostile_text)
    if isinstance(own, str) and own and draw(st.booleans()):
        at = draw(st.integers(0, len(own)))
        value = own[:at] + value + own[at:]  # most of the example's own value survives
    return base, key, value, put(data, key, value)


# --- what the example itself writes ----------------------------------------------------------

BASELINE: dict[str, dict[str, Any]] = {}


def baseline(base: str, tmp: Path) -> dict[str, Any]:
    if base not in BASELINE:
        folder = tmp / f"baseline-{base}"
        folder.mkdir()
        (folder / "a.toml").write_text(toml_dumps(asset(base)))
        ran = zw("--answers", folder / "a.toml", "-o", folder / "out", cwd=folder)
        assert ran.code == 0, ran.report()
        default = (folder / "out" / "pxelinux.cfg" / "default").read_text().splitlines()
        BASELINE[base] = {"pxelinux": default, "append": append_of(default)}
    return BASELINE[base]


def append_of(lines: list[str]) -> list[str]:
    return next(x for x in lines if x.lower().startswith("append ")).split()[1:]


# the append arguments each key is meant to give
IP_KEYS = {("pxe", k) for k in ("ip", "address", "netmask", "gateway", "hostname", "interface")}
OWNERS: dict[tuple[Any, ...], tuple[str, ...]] = {
    ("pxe", "repo"): ("inst.repo=",),
    ("pxe", "kickstart"): ("inst.ks=",),
    ("pxe", "nameserver"): ("nameserver=",),
    ("guest", "name"): ("ip=",),  # the static ip='s host name when pxe.hostname is not set
    ("nics", 0, "ccw"): ("ip=",),  # the static ip='s interface name, enc<devno>
    **dict.fromkeys(IP_KEYS, ("ip=",)),
}
HOSTNAME = re.compile(r"(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")  # fmt: skip
IFNAME = re.compile(r"[A-Za-z0-9_.-]{1,15}")


def check_append(key: tuple[Any, ...], args: list[str], expected: list[str]) -> None:
    if key == ("pxe", "extra_args"):
        return  # the key for more arguments: its own rules (no second ip= …) are unit tests
    owned = OWNERS.get(key, ())
    mine = [a for a in args if not a.startswith(owned)] if owned else args
    theirs = [a for a in expected if not a.startswith(owned)] if owned else expected
    assert mine == theirs, f"{spelled(key)} changed other arguments: {args} (was {expected})"
    for prefix in owned:
        given_ = [a for a in args if a.startswith(prefix)]
        assert len(given_) <= max(1, sum(a.startswith(prefix) for a in expected)), args
    for arg in args:
        if arg.startswith("ip=") and arg != "ip=dhcp" and ":" in arg:
            fields = arg[3:].split(":")
            assert len(fields) == 7, f"ip= with {len(fields)} fields: {arg}"
            host, iface, autoconf = fields[4], fields[5], fields[6]
            assert not host or HOSTNAME.fullmatch(host), f"ip= host name {host!r}"
            # no interface with DHCP and a host name (ip=::::web01::dhcp) is a valid single
            # ip= line: dracut's modules.d/40network/parse-ip-opts.sh makes <interface>
            # mandatory only when more than one ip= is given (hypothesis found the case)
            if iface or autoconf not in ("dhcp", "dhcp6", "auto6", "on", "any"):
                assert IFNAME.fullmatch(iface) and iface not in (".", ".."), (
                    f"ip= interface {iface!r}"
                )


def check_tftp_path(path: str) -> None:
    parts = path.split("/")
    assert ".." not in parts and "." not in parts and "//" not in path, path
    assert not path.lstrip("/").startswith("-"), path


def check_pxelinux(out: Path, key: tuple[Any, ...], base: dict[str, Any]) -> None:
    for path in sorted((out / "pxelinux.cfg").glob("*")):
        lines = path.read_text().splitlines()
        assert lines[0] == "# pxelinux" and len(lines) == len(base["pxelinux"]), lines
        words = [x.split(None, 1)[0].lower() for x in lines[1:]]
        assert words == [x.split(None, 1)[0].lower() for x in base["pxelinux"][1:]], lines
        for line in lines[1:]:
            directive, _, rest = line.partition(" ")
            if directive.lower() in ("kernel", "initrd"):
                assert len(rest.split()) == 1, line
                check_tftp_path(rest)
        check_append(key, append_of(lines), base["append"])


def check_xml(out: Path, value: str) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in sorted(out.rglob("*.xml")):
        doc = etree.fromstring(path.read_bytes(), parser)  # raises on broken XML
        if len(value.strip()) >= 6:
            for comment in doc.iter(etree.Comment):
                assert value not in (comment.text or ""), f"{path.name}: value in a comment"


def check_comments(out: Path) -> None:
    """No control character in a comment of any file: shell, pxelinux and TOML `#` lines,
    XML comments."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".xml":
            texts = [
                c.text or ""
                for c in etree.fromstring(path.read_bytes(), parser).iter(etree.Comment)
            ]
        else:
            lines = path.read_text(errors="replace").splitlines()
            texts = [x for x in lines if x.lstrip().startswith("#")]
        for text in texts:
            assert CONTROL.search(text) is None, f"{path.name}: control character in {text!r}"


def check_script(script: Path, root: str) -> None:
    parsed = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    checked = subprocess.run(["shellcheck", "-s", "sh", "-S", "warning", str(script)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    for line in script.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        try:
            words = shlex.split(stripped)
        except ValueError:
            continue  # a line of a multi-line construct; sh -n judged the whole
        targets = []
        if "curl" in words and "-o" in words:
            targets.append(words[words.index("-o") + 1])
        if "install" in words and "-D" in words:
            targets.append(words[-1])
        for target in targets:
            if "$" in target:
                continue  # a variable the script resolves and checks itself
            normal = posixpath.normpath(target)
            assert normal.startswith(root.rstrip("/") + "/"), f"writes {target} outside {root}"


def check_root(root: str) -> None:
    assert root.startswith("/") and root != "/" and posixpath.normpath(root) == root, root
    assert not root.startswith("-"), root


@pytest.fixture(scope="module")
def tools() -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: apt-get install shellcheck (tests/run installs it)")


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=hostile_answers())
def test_what_zwizard_accepts_from_hostile_text_is_safe_to_use(tmp_path_factory, tools, case):
    base_name, key, value, data = case
    base = baseline(base_name, tmp_path_factory.getbasetemp())
    folder = tmp_path_factory.mktemp("hostile")
    answers = folder / "a.toml"
    answers.write_text(toml_dumps(data), encoding="utf-8")
    out = folder / "out"
    written = zw("--answers", answers, "-o", out, cwd=folder)
    prepared = zw("prepare", "--other-host", answers, "-o", out, cwd=folder)
    for ran in (written, prepared):
        assert ran.code in (0, 1, 2), ran.report()
        assert "Traceback" not in ran.text, ran.report()
    outside = [p for p in tree(folder) if p != "a.toml" and not p.startswith(("out", ".state"))]
    assert outside == [], f"written outside the output folder: {outside}"
    if not out.exists():
        return
    check_xml(out, value)
    check_comments(out)
    if written.code == 0 and (out / "pxelinux.cfg").is_dir():
        check_pxelinux(out, key, base)
    if prepared.code == 0:
        root = data.get("pxe", {}).get("tftp_root", DEFAULT_TFTP_ROOT)
        check_root(root)
        for script in sorted(out.glob("*.sh")):
            check_script(script, root)

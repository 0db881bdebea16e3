"""A hostile corpus: answers files, file names, folders and host data made to hurt.

zwizard writes files an administrator uses as root (`zwizard prepare`'s script above
all), so every value that reaches a path, a command line, a kernel command line, an XML
document or a message is an attack surface. Each test here runs the real program as a
separate process, as a user would, and states what that user must see:

- refused: exit 1 or 2, the answers key named (and the rule id where docs/rules.md gives
  one), no traceback, nothing written (in the output folder or anywhere else), and no raw
  control character on the terminal;
- or, where the spec asks for it, a warning, the modes of the files, the words of a
  suggested command.

Every refusal test first runs the *valid twin* (the same file with the hostile value
mended) and requires it to be accepted, so a test fails for its hostile value only.

Host look-ups go through a stand-in `virsh` on PATH (a small program below that answers
as libvirt does: ids, then UUIDs, then names; batches separated by `;`), so the define
and discovery attacks run here without root.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import html
import json
import os
import pty
import re
import resource
import select
import shlex
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.helpers import ASSETS, ROOT

TIMEOUT = 30  # seconds for one run; an unbounded read is stopped by MEMORY first
AT_ONCE = 10  # "ends at once": a FIFO or a device must not keep zwizard waiting this long
MEMORY = 1 << 30  # address space of one run: reading /dev/zero ends in MemoryError, not swap

# C0 controls but tab and line feed, DEL, C1 controls: what a terminal may act on
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")  # reorders what is shown


# --- running the program -------------------------------------------------------------------


@dataclasses.dataclass
class Ran:
    code: int | None  # None: still running at the time limit (then killed)
    out: str
    err: str
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.out + self.err

    def report(self) -> str:
        return (
            f"$ zwizard {shlex.join(self.args)}\nexit {self.code}\n"
            f"--- stdout\n{self.out[-4000:]}\n--- stderr\n{self.err[-4000:]}"
        )


def environment(cwd: Path, path_first: Path | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        # this checkout's code from any folder, as tests/helpers.run_zwizard does
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
        "XDG_STATE_HOME": str(cwd / ".state"),
        "XDG_CONFIG_HOME": str(cwd / ".config"),
        "XDG_CACHE_HOME": str(cwd / ".cache"),
    }
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    return env


def zw(
    *args: str | Path,
    cwd: Path,
    umask: int | None = None,
    timeout: float = TIMEOUT,
    path_first: Path | None = None,
    env: dict[str, str] | None = None,
) -> Ran:
    """`zwizard ARGS` in its own process (stdin closed, no terminal)."""
    words = tuple(str(a) for a in args)

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        if umask is not None:
            os.umask(umask)

    proc = subprocess.Popen(
        [sys.executable, "-m", "zwizard", *words],
        cwd=cwd,
        env={**environment(cwd, path_first), **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limits,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    return Ran(
        code,
        out.decode("utf-8", "backslashreplace"),
        err.decode("utf-8", "backslashreplace"),
        words,
    )


def zw_in_terminal(*args: str | Path, cwd: Path, seconds: float) -> Ran:
    """`zwizard ARGS` on a pseudo-terminal (TERM=dumb: the plain questions); killed after
    `seconds` if still running. Output is stdout and stderr together."""
    words = tuple(str(a) for a in args)
    master, slave = pty.openpty()

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {**environment(cwd), "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwizard", *words],
        cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
        preexec_fn=limits, start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            seen += chunk
            if not chunk and proc.poll() is not None:
                break
        elif proc.poll() is not None:
            break
    code = proc.poll()
    if code is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    os.close(master)
    return Ran(code, seen.decode("utf-8", "backslashreplace"), "", words)


# --- answers files -------------------------------------------------------------------------


def asset(name: str) -> dict[str, Any]:
    return tomllib.loads((ASSETS / f"{name}.toml").read_text())


def toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    raise TypeError(value)


def is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_dumps(data: dict[str, Any]) -> str:
    """TOML for plain data: top-level values, then tables, then arrays of tables (what
    sits deeper is written inline)."""
    lines = [
        f"{toml_string(k)} = {toml_value(v)}"
        for k, v in data.items()
        if not isinstance(v, dict) and not is_table_list(v)
    ]
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"\n[{toml_string(key)}]")
            lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()]
        elif is_table_list(value):
            for item in value:
                lines.append(f"\n[[{toml_string(key)}]]")
                lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


KEY_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def key_parts(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in KEY_PART.findall(key):
        parts.append(int(index) if index else name)
    return parts


def with_value(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with KEY (zwizard's spelling: `nics[0].source.bridge`) set."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = key_parts(key)
    for part in parts[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


def original(base: str, key: str) -> Any:
    node: Any = asset(base)
    for part in key_parts(key):
        node = node[part]
    return node


def write_answers(folder: Path, data: dict[str, Any], name: str = "a.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(toml_dumps(data), encoding="utf-8")
    return path


def command(kind: str, answers: Path, out: Path) -> list[str | Path]:
    if kind == "answers":
        return ["--answers", answers, "-o", out]
    if kind == "prepare":  # judged as for another host: the same on every machine
        return ["prepare", "--other-host", answers, "-o", out]
    raise ValueError(kind)


# --- what the user must see ----------------------------------------------------------------


def tree(root: Path) -> dict[str, str]:
    """Every entry below root: kind and content (a symlink's target, a file's digest)."""
    seen: dict[str, str] = {}
    if not root.exists() and not root.is_symlink():
        return seen
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                seen[rel] = "link " + os.readlink(path)
            elif stat.S_ISDIR(mode):
                seen[rel] = "dir"
            elif stat.S_ISREG(mode):
                seen[rel] = "file " + hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                seen[rel] = f"other {stat.S_IFMT(mode):o}"
    return seen


def assert_no_raw_controls(ran: Ran) -> None:
    for line in ran.text.splitlines():
        found = CONTROL.search(line)
        assert found is None, (
            f"raw control character U+{ord(found.group()):04X} printed: {line!r}\n{ran.report()}"
        )


def assert_clean(ran: Ran) -> None:
    assert ran.code is not None, f"still running after the time limit\n{ran.report()}"
    assert "Traceback" not in ran.text, ran.report()
    assert "MemoryError" not in ran.text, ran.report()
    assert_no_raw_controls(ran)


def assert_accepted(ran: Ran) -> None:
    assert_clean(ran)
    assert ran.code == 0, f"the valid twin is refused\n{ran.report()}"


def assert_refused(
    ran: Ran,
    key: str | None,
    rules: tuple[str, ...] = (),
    *,
    folder: Path | None = None,
    before: dict[str, str] | None = None,
) -> None:
    assert_clean(ran)
    assert ran.code in (1, 2), f"accepted (exit {ran.code})\n{ran.report()}"
    if key:
        assert key in ran.err, f"the message does not name {key}\n{ran.report()}"
    if rules:
        assert any(f"[{r}]" in ran.err for r in rules), (
            f"the message does not give the rule [{'|'.join(rules)}]\n{ran.report()}"
        )
    if folder is not None and before is not None:
        assert tree(folder) == before, f"written although refused: {tree(folder)}\n{ran.report()}"


def run_value(tmp: Path, name: str, base: str, key: str, value: Any, kind: str) -> tuple[Ran, Path]:
    """Write BASE with KEY = VALUE into tmp/NAME/a.toml and run KIND on it."""
    folder = tmp / name
    answers = write_answers(folder, with_value(asset(base), key, value))
    out = folder / "out"
    return zw(*command(kind, answers, out), cwd=folder), out


def accepted_twin(tmp: Path, base: str, key: str, mended: Any, kind: str) -> Path:
    ran, out = run_value(tmp, "twin", base, key, mended, kind)
    assert_accepted(ran)
    return out


def refused_value(
    tmp: Path, base: str, key: str, value: Any, kind: str, rules: tuple[str, ...] = ()
) -> Ran:
    folder = tmp / "hostile"
    answers = write_answers(folder, with_value(asset(base), key, value))
    before = tree(folder)
    ran = zw(*command(kind, answers, folder / "out"), cwd=folder)
    assert_refused(ran, key, rules, folder=folder, before=before)
    return ran


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    base: str  # an example of assets/
    key: str
    hostile: Any
    mended: Any
    kinds: tuple[str, ...] = ("answers", "prepare")
    rules: tuple[str, ...] = ()


def cases(*items: Case) -> list[Any]:
    return [
        pytest.param(case, kind, id=f"{case.id}-{kind}") for case in items for kind in case.kinds
    ]


def check_case(tmp: Path, case: Case, kind: str) -> Ran:
    accepted_twin(tmp, case.base, case.key, case.mended, kind)
    return refused_value(tmp, case.base, case.key, case.hostile, kind, case.rules)


def pxelinux_lines(out: Path) -> dict[str, list[str]]:
    return {p.name: p.read_text().splitlines() for p in sorted((out / "pxelinux.cfg").glob("*"))}


def append_args(out: Path) -> list[str]:
    line = next(x for x in (out / "pxelinux.cfg" / "default").read_text().splitlines()
                if x.lower().startswith("append "))  # fmt: skip
    return line.split()[1:]


# === 1. paths inside the TFTP root, and the TFTP root =======================================

TFTP_PATHS = cases(
    Case("kernel-climbs-to-cron", "pxe-install", "pxe.kernel",
         "s390x/../../../../etc/cron.d/x", "s390x/vmlinuz", rules=("pxe-config",)),
    Case("initrd-climbs-to-authorized-keys", "pxe-install", "pxe.initrd",
         "../../../root/.ssh/authorized_keys", "rhel9/initrd.img", rules=("pxe-config",)),
    Case("kernel-from-the-root-climbs", "pxe-install", "pxe.kernel",
         "/../etc/passwd", "/rhel9/kernel.img", rules=("pxe-config",)),
    Case("kernel-climbs-in-the-middle", "pxe-install", "pxe.kernel",
         "rhel9/../../kernel.img", "rhel9/kernel.img", rules=("pxe-config",)),
    Case("initrd-is-dot-dot", "pxe-install", "pxe.initrd", "rhel9/..", "rhel9/initrd.img",
         rules=("pxe-config",)),
    Case("kernel-starts-with-dash", "pxe-install", "pxe.kernel", "-kernel.img", "kernel.img",
         rules=("pxe-config",)),
    Case("initrd-starts-with-dash", "pxe-install", "pxe.initrd", "--output=/etc/x",
         "initrd.img", rules=("pxe-config",)),
)  # fmt: skip


@pytest.mark.parametrize(("case", "kind"), TFTP_PATHS)
def test_a_path_in_the_tftp_root_cannot_leave_it_or_start_with_a_dash(tmp_path, case, kind):
    check_case(tmp_path, case, kind)


TFTP_ROOTS = cases(
    Case("root-is-slash", "pxe-install", "pxe.tftp_root", "/", "/srv/tftp", ("prepare",)),
    Case("root-is-relative", "pxe-install", "pxe.tftp_root", "relative/tftp", "/srv/tftp",
         ("prepare",)),
    Case("root-is-an-option", "pxe-install", "pxe.tftp_root", "-t/etc", "/srv/tftp",
         ("prepare",)),
    Case("root-climbs", "pxe-install", "pxe.tftp_root", "/srv/tftp/../../etc", "/srv/tftp",
         ("prepare",)),
    Case("root-is-empty", "pxe-install", "pxe.tftp_root", "", "/srv/tftp", ("prepare",)),
    Case("root-is-double-slash", "pxe-install", "pxe.tftp_root", "//", "/srv/tftp",
         ("prepare",)),
)  # fmt: skip


@pytest.mark.parametrize(("case", "kind"), TFTP_ROOTS)
def test_the_tftp_root_is_absolute_normalised_and_not_slash(tmp_path, case, kind):
    check_case(tmp_path, case, kind)


@pytest.mark.parametrize("path", ["rhel9//kernel.img", "./rhel9/kernel.img", "rhel9/./kernel.img"])
def test_an_unnormalised_tftp_path_is_written_normalised_or_refused(tmp_path, path):
    accepted_twin(tmp_path, "pxe-install", "pxe.kernel", "rhel9/kernel.img", "answers")
    folder = tmp_path / "odd"
    answers = write_answers(folder, with_value(asset("pxe-install"), "pxe.kernel", path))
    written = zw(*command("answers", answers, folder / "out"), cwd=folder)
    prepared = zw(*command("prepare", answers, folder / "prep"), cwd=folder)
    for ran in (written, prepared):
        assert_clean(ran)
        if ran.code != 0:
            assert "pxe.kernel" in ran.err, ran.report()
    if written.code == 0:
        for name, lines in pxelinux_lines(folder / "out").items():
            assert "kernel rhel9/kernel.img" in lines, (name, lines)
    if prepared.code == 0:
        script = (folder / "prep" / "pxe-install.prepare.sh").read_text()
        assert "rhel9//" not in script and "/./" not in script and "/rhel9/kernel.img" in script


# === 2. no name reaches a command as an option ==============================================

OPTION_NAMES = cases(
    Case("network", "tcg-pxe", "nics[0].source.network", "-x", "default", rules=("nic-source",)),
    Case("network-long-option", "tcg-pxe", "nics[0].source.network", "--all", "default",
         rules=("nic-source",)),
    Case("bridge", "pxe-install", "nics[0].source.bridge", "-br0", "br0",
         ("answers",), ("nic-source",)),
    Case("macvtap", "dasd-boot", "nics[0].source.direct", "-encbdf0", "encbdf0",
         ("answers",), ("nic-source",)),
    Case("tap", "production-tuned", "nics[0].target", "-tap0", "db-prod-0",
         ("answers",), ("nic-tuning", "nic-source")),
    Case("guest", "minimal-rhel9", "guest.name", "-x", "x", ("answers",), ("guest-name",)),
    Case("secure-image", "secure-execution", "secure_execution.image", "-o/etc/x",
         "/boot/secure-linux.img", ("prepare",), ("se-image",)),
    Case("host-key-document", "secure-execution", "secure_execution.host_key_documents[0]",
         "-k", "/root/se/HKD-8562-0123456.crt", ("prepare",), ("se-image",)),
)  # fmt: skip


@pytest.mark.parametrize(("case", "kind"), OPTION_NAMES)
def test_a_name_starting_with_a_dash_is_refused(tmp_path, case, kind):
    check_case(tmp_path, case, kind)


# === 3. every XML written is escaped; no user value in a comment ============================


def xml_documents(out: Path) -> dict[str, etree._Element]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    docs = {}
    for path in sorted(out.rglob("*.xml")):
        try:
            docs[path.name] = etree.fromstring(path.read_bytes(), parser)
        except etree.XMLSyntaxError as exc:
            pytest.fail(f"{path.name} is not XML ({exc}):\n{path.read_text()}")
    return docs


def comments(doc: etree._Element) -> list[str]:
    return [c.text or "" for c in doc.iter(etree.Comment)]


@pytest.mark.parametrize(
    "network", ["zwh&net", "zwh&#110;et", "zwh&amp;", "zwh<net>", "zwh'\"net", "zwh]]>net"]
)
def test_the_install_network_xml_is_escaped(tmp_path, network):
    """The install network's name reaches `<name>` of <guest>.install-net.xml: refused,
    or written so that the XML parses and says exactly that name."""
    accepted_twin(tmp_path, "tcg-pxe", "nics[0].source.network", "default", "prepare")
    ran, out = run_value(tmp_path, "hostile", "tcg-pxe", "nics[0].source.network", network,
                         "prepare")  # fmt: skip
    assert_clean(ran)
    if ran.code != 0:
        assert_refused(ran, "nics[0].source.network")
        return
    docs = xml_documents(out)
    net = docs["tcg-pxe.install-net.xml"]
    assert net.findtext("name") == network, etree.tostring(net, encoding="unicode")


def test_a_guest_name_with_a_double_dash_does_not_break_an_xml_comment(tmp_path):
    accepted_twin(tmp_path, "tcg-pxe", "guest.name", "zwh-x", "prepare")
    ran, out = run_value(tmp_path, "hostile", "tcg-pxe", "guest.name", "zwh--x", "prepare")
    assert_clean(ran)
    if ran.code != 0:
        assert_refused(ran, "guest.name")
        return
    for name, doc in xml_documents(out).items():
        for text in comments(doc):
            assert "zwh--x" not in text, f"{name}: the guest's name inside a comment: {text!r}"


def test_no_user_value_sits_in_an_xml_comment(tmp_path):
    """Not even a harmless one: the guest's name, description and title stay in elements."""
    data = asset("tcg-pxe")
    data["guest"] |= {"name": "zwh-marker", "title": "zwh-title-marker",
                      "description": "zwh-description-marker"}  # fmt: skip
    folder = tmp_path / "g"
    answers = write_answers(folder, data)
    assert_accepted(zw(*command("answers", answers, folder / "out"), cwd=folder))
    assert_accepted(zw(*command("prepare", answers, folder / "out"), cwd=folder))
    for name, doc in xml_documents(folder / "out").items():
        for text in comments(doc):
            assert "zwh-" not in text, f"{name}: a user value inside a comment: {text!r}"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("guest.description", "a --> <!-- ]]> &amp; </description><on_crash>x</on_crash>"),
        ("guest.title", "a & b <c/> ]]> -- &#x41;"),
        ("channels[0].name", "org.qemu.'\"<&>"),
    ],
)
def test_text_with_markup_round_trips_through_the_domain_xml(tmp_path, key, value):
    ran, out = run_value(tmp_path, "hostile", "tcg-lab", key, value, "answers")
    assert_clean(ran)
    if ran.code != 0:
        assert_refused(ran, key)
        return
    dom = xml_documents(out)["tcg-lab.xml"]
    texts = {"guest.description": dom.findtext("description"), "guest.title": dom.findtext("title")}
    if key in texts:
        assert texts[key] == value
    else:
        names = [c.get("name") for c in dom.iter("target")]
        assert value in names, etree.tostring(dom, encoding="unicode")


X86_DOMAIN = """<domain type="kvm">
  <name>{name}</name>
  <uuid>6671c8d6-b32d-4cd9-937b-9aad6cb0badb</uuid>
  <description>{description}</description>
  <memory unit="KiB">2097152</memory>
  <vcpu>2</vcpu>
  <os><type arch="x86_64" machine="pc-q35-7.2">hvm</type><boot dev="hd"/></os>
  <devices>
    <disk type="file" device="disk"><driver name="qemu" type="qcow2"/>
      <source file="/var/lib/libvirt/images/zwh-x.qcow2"/><target dev="vda" bus="virtio"/></disk>
    <interface type="network"><mac address="52:54:00:aa:bb:cc"/><source network="default"/>
      <model type="virtio"/></interface>
  </devices>
</domain>
"""


def x86_xml(name: str = "zwh-conv", description: str = "a guest") -> str:
    return X86_DOMAIN.format(name=html.escape(name), description=html.escape(description))


def converted(tmp: Path, file_name: str, xml: str, umask: int | None = None) -> tuple[Ran, Path]:
    folder = tmp / "conv"
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / file_name
    src.write_text(xml)
    return zw("convert", src, "-o", folder / "out", cwd=folder, umask=umask), folder / "out"


def draft_of(out: Path) -> tuple[str, dict[str, Any]]:
    [draft] = sorted(out.glob("*.toml"))
    text = draft.read_text()
    return text, tomllib.loads(text)


@pytest.mark.parametrize(
    "file_name",
    [
        "a\nevil = 1\n[pxe]\nenabled = true\n#.xml",
        "a\r\nversion = 9\n#.xml",
        "a\x1b[2J\x1b]0;x\x07.xml",
    ],
    ids=["newline-adds-keys", "crlf-adds-a-key", "terminal-escapes"],
)
def test_convert_keeps_the_source_file_name_out_of_the_draft_structure(tmp_path, file_name):
    twin, twin_out = converted(tmp_path / "twin", "x86.xml", x86_xml())
    assert_accepted(twin)
    _, expected = draft_of(twin_out)
    ran, out = converted(tmp_path / "hostile", file_name, x86_xml())
    assert_clean(ran)
    if ran.code != 0:
        return  # refusing such a file name is fine too
    text, data = draft_of(out)
    assert data == expected, "the file name changed the draft's keys"
    for line in text.splitlines():
        assert CONTROL.search(line) is None, f"control character in the draft: {line!r}"


# === 4. host name and interface: no value adds a kernel argument ============================

HOSTNAMES = [
    "h:enc1:none inst.ks=http://x/evil.ks init=/bin/sh #",
    "db01 init=/bin/sh",
    "db01:enc1",
    "db_01",
    "-db01",
    "db01-",
    "db..01",
    ".db01",
    "db01.",
    "a" * 65,  # 65 in one label (a label of 64 is kept: nm-initrd-generator, issue 24)
    "a" * 63 + "." + "a",  # 65 in all
    "db\u0430l",  # Cyrillic a
]


@pytest.mark.parametrize("hostname", HOSTNAMES)
@pytest.mark.parametrize("base", ["tcg-pxe", "pxe-install"])  # static ip=, and dhcp
def test_pxe_hostname_is_a_hostname_systemd_takes(tmp_path, base, hostname):
    accepted_twin(tmp_path, base, "pxe.hostname", "db01", "answers")
    refused_value(tmp_path, base, "pxe.hostname", hostname, "answers", ("pxe-config",))


INTERFACES = ["enc1:dhcp init=/bin/sh", "enc1 rd.break", "../x", "a/b", ".", "..",
              "enc1234567890abc", "enc1:"]  # fmt: skip


@pytest.mark.parametrize("interface", INTERFACES)
def test_pxe_interface_is_a_kernel_interface_name(tmp_path, interface):
    accepted_twin(tmp_path, "tcg-pxe", "pxe.interface", "enc1", "answers")
    refused_value(tmp_path, "tcg-pxe", "pxe.interface", interface, "answers", ("pxe-config",))


@pytest.mark.parametrize("name", ["tcg_pxe", "tcg+pxe", "tcg..pxe", "tcg-pxe-"])
def test_a_guest_name_that_is_no_hostname_is_not_the_hostname_of_a_static_ip(tmp_path, name):
    """The static ip= takes the guest's name when pxe.hostname is not set: the hostname
    rule applies to it (refused, or pxe.hostname asked for)."""
    accepted_twin(tmp_path, "tcg-pxe", "guest.name", "tcg-pxe", "answers")
    with_hostname = with_value(with_value(asset("tcg-pxe"), "guest.name", name), "pxe.hostname",
                               "tcgpxe")  # fmt: skip
    folder = tmp_path / "named"
    answers = write_answers(folder, with_hostname)
    assert_accepted(zw(*command("answers", answers, folder / "out"), cwd=folder))
    folder = tmp_path / "hostile"
    answers = write_answers(folder, with_value(asset("tcg-pxe"), "guest.name", name))
    before = tree(folder)
    ran = zw(*command("answers", answers, folder / "out"), cwd=folder)
    assert_refused(ran, "pxe.hostname", folder=folder, before=before)


KERNEL_ARGS = cases(
    Case("repo", "pxe-install", "pxe.repo", "http://x/os/ init=/bin/sh",
         "http://x/os/", ("answers",), ("pxe-config",)),
    Case("kickstart", "pxe-install", "pxe.kickstart", "http://x/ks.cfg init=/bin/sh",
         "http://x/ks.cfg", ("answers",), ("pxe-config",)),
    Case("nameserver", "tcg-pxe", "pxe.nameserver", "10.0.2.3 init=/bin/sh", "10.0.2.3",
         ("answers",), ("pxe-config",)),
    Case("gateway", "tcg-pxe", "pxe.gateway", "10.0.2.2:evil", "10.0.2.2", ("answers",),
         ("pxe-config",)),
    Case("netmask", "tcg-pxe", "pxe.netmask", "255.255.255.0:h:enc1:none init=/bin/sh",
         "255.255.255.0", ("answers",), ("pxe-config",)),
    Case("address", "tcg-pxe", "pxe.address", "10.0.2.15 init=/bin/sh", "10.0.2.15",
         ("answers",), ("pxe-config",)),
    Case("ip", "pxe-install", "pxe.ip",
         "10.0.2.15::10.0.2.2:255.255.255.0:h:enc1:none init=/bin/sh",
         "10.0.2.15::10.0.2.2:255.255.255.0:h:enc1:none", ("answers",), ("pxe-config",)),
    Case("label-line", "pxe-install", "pxe.label", "linux\nkernel /etc/shadow", "linux",
         ("answers",), ("text", "pxe-config")),
    Case("extra-args-line", "pxe-install", "pxe.extra_args", "inst.text\nkernel /etc/shadow",
         "inst.text", ("answers",), ("text",)),
    Case("kernel-line", "pxe-install", "pxe.kernel", "rhel9/kernel.img\nappend init=/bin/sh",
         "rhel9/kernel.img", ("answers",), ("text", "pxe-config")),
)  # fmt: skip


@pytest.mark.parametrize(("case", "kind"), KERNEL_ARGS)
def test_no_value_adds_a_kernel_argument_or_a_pxelinux_line(tmp_path, case, kind):
    check_case(tmp_path, case, kind)


# === 5. modes, and credentials in URLs ======================================================


def modes(out: Path) -> dict[str, int]:
    return {
        str(p.relative_to(out)): stat.S_IMODE(p.lstat().st_mode) for p in sorted(out.rglob("*"))
    }


def test_written_files_honour_the_umask_but_the_served_pxelinux_files(tmp_path):
    answers = ASSETS / "tcg-pxe.toml"
    out = tmp_path / "out"
    assert_accepted(zw("--answers", answers, "-o", out, cwd=tmp_path, umask=0o077))
    assert_accepted(zw("prepare", "--other-host", answers, "-o", out, cwd=tmp_path, umask=0o077))
    loose = {
        name: oct(mode)
        for name, mode in modes(out).items()
        if not name.startswith("pxelinux.cfg/") and mode & 0o077
    }
    assert loose == {}, f"group/other may read these under umask 077: {loose}"


def test_a_converted_draft_is_0600(tmp_path):
    ran, out = converted(tmp_path, "x86.xml", x86_xml(), umask=0o022)
    assert_accepted(ran)
    drafts = {name: oct(mode) for name, mode in modes(out).items() if name.endswith(".toml")}
    assert drafts == {"zwh-conv.toml": "0o600"}


CREDENTIALS = [
    ("pxe.repo", "http://admin:s3cret@install.example.com/rhel9/BaseOS/s390x/os/", "answers"),
    ("pxe.repo", "http://admin:s3cret@install.example.com/rhel9/BaseOS/s390x/os/", "prepare"),
    ("pxe.kickstart", "https://admin:s3cret@install.example.com/ks/pxe-install.cfg", "answers"),
    ("pxe.repo", "ftp://admin:s3cret@install.example.com/rhel9/", "answers"),
]


@pytest.mark.parametrize(("key", "url", "kind"), CREDENTIALS)
def test_a_url_with_a_password_is_a_warning_naming_the_files_that_hold_it(tmp_path, key, url, kind):
    ran, out = run_value(tmp_path, "creds", "pxe-install", key, url, kind)
    assert_accepted(ran)
    holding = sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and b"s3cret" in p.read_bytes()
    )
    assert holding, "the URL is in no file"
    warnings = [
        line for line in ran.err.splitlines() if line.startswith("warning:") and key in line
    ]
    assert warnings, f"no warning names {key}\n{ran.report()}"
    said = "\n".join(warnings)
    for name in holding:  # by name, or by its folder's pattern (pxelinux.cfg/*)
        named = (name, Path(name).name, f"{Path(name).parent}/*", f"{Path(name).parent}/")
        assert any(n in said for n in named), f"{name} holds the password, unsaid\n{said}"


# === 6. the output folder is not trusted ====================================================


def test_a_planted_pxelinux_cfg_symlink_in_the_output_folder_is_not_followed(tmp_path):
    accepted_twin(tmp_path, "pxe-install", "guest.name", "pxe-install", "answers")
    folder = tmp_path / "hostile"
    answers = write_answers(folder, asset("pxe-install"))
    (folder / "elsewhere").mkdir()
    (folder / "out").mkdir()
    (folder / "out" / "pxelinux.cfg").symlink_to(folder / "elsewhere")
    for force in ((), ("--force",)):
        before = tree(folder)
        ran = zw("--answers", answers, "-o", folder / "out", *force, cwd=folder)
        assert list((folder / "elsewhere").iterdir()) == [], "written through the symlink"
        assert_refused(ran, None, folder=folder, before=before)
        assert "pxelinux.cfg" in ran.err, ran.report()


@pytest.mark.parametrize(
    "planted",
    ["pxe-install.xml", "pxelinux.cfg/default", "pxe-install.prepare.sh",
     "pxe-install.after-install.xml"],
)  # fmt: skip
def test_a_planted_file_symlink_in_the_output_folder_is_not_followed(tmp_path, planted):
    answers = write_answers(tmp_path, asset("pxe-install"))
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (out / planted).parent.mkdir(parents=True)
    (out / planted).symlink_to(victim)
    for args in (("--answers", answers, "-o", out, "--force"),
                 ("prepare", "--other-host", answers, "-o", out, "--force")):  # fmt: skip
        ran = zw(*args, cwd=tmp_path)
        assert_clean(ran)
        assert victim.read_text() == "precious\n", f"written through the symlink\n{ran.report()}"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o770])
@pytest.mark.parametrize("force", [False, True])
def test_an_output_folder_others_can_write_to_is_refused(tmp_path, mode, force):
    for safe in (0o755, 0o1777):  # the twins: a private folder, a sticky shared one
        twin = tmp_path / f"twin-{safe:o}"
        twin.mkdir()
        twin.chmod(safe)
        assert_accepted(zw("--answers", ASSETS / "minimal-rhel9.toml", "-o", twin, cwd=tmp_path))
    out = tmp_path / "shared"
    out.mkdir()
    out.chmod(mode)
    before = tree(out)
    ran = zw("--answers", ASSETS / "minimal-rhel9.toml", "-o", out, *(["--force"] if force else []),
             cwd=tmp_path)  # fmt: skip
    assert_refused(ran, None, folder=out, before=before)
    assert str(out) in ran.err or "shared" in ran.err, ran.report()


def test_an_output_folder_that_is_a_symlink_to_a_shared_folder_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    link = tmp_path / "out"
    link.symlink_to(shared)
    ran = zw("--answers", ASSETS / "minimal-rhel9.toml", "-o", link, cwd=tmp_path)
    assert_refused(ran, None, folder=shared, before={})


def test_prepare_script_carries_the_sha256_of_each_file_it_takes_from_its_folder(tmp_path):
    out = tmp_path / "out"
    answers = ASSETS / "tcg-pxe.toml"
    assert_accepted(zw("--answers", answers, "-o", out, cwd=tmp_path))
    assert_accepted(zw("prepare", "--other-host", answers, "-o", out, cwd=tmp_path))
    script = (out / "tcg-pxe.prepare.sh").read_text()
    taken = [*sorted((out / "pxelinux.cfg").iterdir()), out / "tcg-pxe.install-net.xml"]
    for path in taken:
        assert path.name in script, f"the script does not use {path.name}?"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in script, f"no sha256 of {path.relative_to(out)} in the script"
    assert "sha256sum" in script or "sha256" in script


# --- a stand-in virsh: libvirt's look-up order, batches, and a racing attacker -------------

FAKE_VIRSH = r'''#!{python}
"""A stand-in for virsh over a JSON state file (tests/unit/test_hostile.py)."""
import fcntl, json, os, re, shlex, sys
from pathlib import Path

STATE = Path(os.environ["ZWH_VIRSH_STATE"])
DATA = Path({data!r})

def main():
    with open(STATE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = json.loads(STATE.read_text())
        args = sys.argv[1:]
        uri = "qemu:///system"
        while args and args[0] in ("-c", "--connect", "-q", "--quiet", "-r", "--readonly"):
            if args[0] in ("-c", "--connect"):
                uri = args[1]
                args = args[2:]
            else:
                args = args[1:]
        state["calls"].append(args)
        swap = state.get("swap")
        if swap and Path(swap).is_file():  # the attacker rewrites zwizard's file at once
            text = Path(swap).read_text()
            if "ZWH-SWAPPED" not in text:
                Path(swap).write_text(text.replace("</name>", "</name><title>ZWH-SWAPPED</title>", 1))
        if len(args) == 1:
            lex = shlex.shlex(args[0], posix=True, punctuation_chars=";")
            lex.whitespace_split = True
            commands, current = [], []
            for token in lex:
                if token == ";":
                    commands.append(current)
                    current = []
                else:
                    current.append(token)
            commands.append(current)
        else:
            commands = [args]
        out, err, code = [], [], 0
        for words in commands:
            if not words:
                continue
            try:
                out.append(answer(state, uri, words))
            except LookupError as exc:
                err.append(f"error: {{exc}}\n")
                code = 1
        STATE.write_text(json.dumps(state))
    sys.stdout.write("".join(out))
    sys.stderr.write("".join(err))
    sys.exit(code)

def find(state, ref):
    doms = state["domains"]
    if ref.isdigit():
        for d in doms:
            if d.get("id") == int(ref):
                return d
    for d in doms:
        if d["uuid"] == ref.lower():
            return d
    for d in doms:
        if d["name"] == ref:
            return d
    raise LookupError(f"failed to get domain '{{ref}}'")

def answer(state, uri, words):
    cmd, rest = words[0], [w for w in words[1:] if not w.startswith("--")]
    if cmd == "echo":
        return " ".join(words[1:]) + "\n"
    if cmd == "uri":
        return uri.split("?")[0] + "\n"
    if cmd == "domcapabilities":
        return (DATA / "domcaps-s390x-kvm-z15-synthetic.xml").read_text()
    if cmd == "capabilities":
        return (DATA / "capabilities-s390x-z15-synthetic.xml").read_text()
    if cmd == "version":
        return ("Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\n"
                "Using API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.0\n")
    if cmd == "list":
        doms = state["domains"] if "--all" in words else [d for d in state["domains"] if d.get("id")]
        if "--uuid" in words and "--name" in words:  # virsh prints both columns
            return "".join(f"{{d['uuid']:<36}} {{d['name']}}\n" for d in doms) + "\n"
        if "--uuid" in words:
            return "".join(d["uuid"] + "\n" for d in doms) + "\n"
        return "".join(d["name"] + "\n" for d in doms) + "\n"
    if cmd in ("net-list", "pool-list", "iface-list"):
        return "\n"
    if cmd == "nodedev-list":
        if "mdev" in words:
            return "".join("mdev_" + u.replace("-", "_") + "\n" for u in state.get("mdevs", [])) + "\n"
        return "\n"
    if cmd == "nodedev-dumpxml":
        uuid = rest[0].removeprefix("mdev_").replace("_", "-")
        if uuid not in state.get("mdevs", []):
            raise LookupError(f"Could not find matching device '{{rest[0]}}'")
        return (f"<device>\n  <name>{{rest[0]}}</name>\n  <path>/sys/devices/vfio_ap/matrix/{{uuid}}</path>\n"
                f"  <parent>ap_matrix</parent>\n  <driver><name>vfio_mdev</name></driver>\n"
                f"  <capability type='mdev'>\n    <type id='vfio_ap-passthrough'/>\n"
                f"    <uuid>{{uuid}}</uuid>\n    <iommuGroup number='0'/>\n  </capability>\n</device>\n")
    if cmd in ("dominfo", "domuuid", "domname", "domid", "domstate"):
        d = find(state, rest[-1])
        if cmd == "domuuid":
            return d["uuid"] + "\n\n"
        if cmd == "domname":
            return d["name"] + "\n\n"
        if cmd == "domid":
            return (str(d["id"]) if d.get("id") else "-") + "\n\n"
        if cmd == "domstate":
            return ("running" if d.get("id") else "shut off") + "\n\n"
        return (f"Id:             {{d.get('id') or '-'}}\nName:           {{d['name']}}\n"
                f"UUID:           {{d['uuid']}}\nState:          "
                f"{{'running' if d.get('id') else 'shut off'}}\n\n")
    if cmd == "dumpxml":
        return find(state, rest[-1])["xml"]
    if cmd == "define":
        path = rest[-1]
        xml = sys.stdin.read() if path in ("-", "/dev/stdin") else Path(path).read_text()
        state["defined"].append(xml)
        name = re.search(r"<name>(.*?)</name>", xml).group(1)
        uuid = re.search(r"<uuid>(.*?)</uuid>", xml).group(1).lower()
        if name == "zwh-refused":
            raise LookupError("XML error: refused by the stand-in libvirt")
        for d in state["domains"]:
            if d["uuid"] == uuid and d["name"] != name:
                raise LookupError(f"operation failed: domain '{{d['name']}}' already exists with uuid {{uuid}}")
            if d["name"] == name and d["uuid"] != uuid:
                raise LookupError(f"operation failed: domain '{{name}}' already exists with uuid {{d['uuid']}}")
        for d in state["domains"]:
            if d["uuid"] == uuid:
                d["xml"] = xml
                break
        else:
            state["domains"].append({{"name": name, "uuid": uuid, "id": None, "xml": xml}})
        return f"Domain '{{name}}' defined from {{path}}\n\n"
    if cmd == "undefine":
        d = find(state, rest[-1])
        state["domains"].remove(d)
        state["undefined"].append(d)
        return f"Domain '{{d['name']}}' has been undefined\n\n"
    raise LookupError(f"unknown command: '{{cmd}}'")

main()
'''


class FakeLibvirt:
    """The stand-in virsh on PATH and its state: domains, mediated devices, and what it
    was asked (calls, defined XML, undefined domains)."""

    def __init__(self, tmp: Path) -> None:
        self.bin = tmp / "fake-bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        virsh = self.bin / "virsh"
        data = ROOT / "tests" / "data" / "host"
        virsh.write_text(FAKE_VIRSH.format(python=sys.executable, data=str(data)))
        virsh.chmod(0o755)
        self.path = tmp / "virsh-state.json"
        self.state: dict[str, Any] = {"domains": [], "mdevs": [], "calls": [], "defined": [],
                                      "undefined": []}  # fmt: skip
        self.save()

    def save(self) -> None:
        self.path.write_text(json.dumps(self.state))

    def load(self) -> dict[str, Any]:
        self.state = json.loads(self.path.read_text())
        return self.state

    def add(self, name: str, uuid: str, xml: str, id: int | None = None) -> None:
        self.state["domains"].append({"name": name, "uuid": uuid, "id": id, "xml": xml})
        self.save()

    def run(self, *args: str | Path, cwd: Path) -> Ran:
        return zw(*args, cwd=cwd, path_first=self.bin, env={"ZWH_VIRSH_STATE": str(self.path)})

    def domain(self, ref: str) -> dict[str, Any] | None:
        return next((d for d in self.load()["domains"] if ref in (d["name"], d["uuid"])), None)


def domain_xml(
    name: str, uuid: str, title: str = "", description: str = "", devices: str = ""
) -> str:
    return (
        f"<domain type='kvm'>\n  <name>{html.escape(name)}</name>\n  <uuid>{uuid}</uuid>\n"
        f"  <title>{html.escape(title)}</title>\n"
        f"  <description>{html.escape(description, quote=False)}</description>\n"
        f"  <memory unit='KiB'>1048576</memory>\n  <os><type arch='s390x'>hvm</type></os>\n"
        f"  <devices>{devices}</devices>\n</domain>\n"
    )


def guest_file(folder: Path, name: str, uuid: str, file_name: str | None = None) -> Path:
    data = asset("minimal-rhel9")
    data["guest"] |= {"name": name, "uuid": uuid}
    data["disks"][0]["path"] = f"/var/lib/libvirt/images/{name}.qcow2"
    return write_answers(folder, data, file_name or f"{name}.toml")


UUID_A = "0b0c6a8e-5d0e-4f5e-9a57-2f0e1c2d3e4f"
UUID_B = "1c1d7b9f-6e1f-4a6f-8b68-3a1f2d3e4f50"
UUID_VICTIM = "2d2e8c0a-7f2a-4b7a-9c79-4b2a3e4f5061"


# === 6 (cont.). --define defines what was built, not what the folder holds now ==============


def test_define_defines_the_xml_built_in_memory_not_the_file_in_the_folder(tmp_path):
    twin = FakeLibvirt(tmp_path / "twin")
    answers = guest_file(tmp_path / "twin", "zwh-def", UUID_A)
    assert_accepted(twin.run("--answers", answers, "-o", tmp_path / "twin" / "out", "--define",
                             cwd=tmp_path / "twin"))  # fmt: skip
    assert twin.domain("zwh-def") is not None

    fake = FakeLibvirt(tmp_path / "race")
    out = tmp_path / "race" / "out"
    answers = guest_file(tmp_path / "race", "zwh-def", UUID_A)
    fake.state["swap"] = str(out / "zwh-def.xml")  # another user rewrites it once written
    fake.save()
    ran = fake.run("--answers", answers, "-o", out, "--define", cwd=tmp_path / "race")
    assert_clean(ran)
    defined = fake.load()["defined"]
    assert defined, ran.report()
    assert all("ZWH-SWAPPED" not in xml for xml in defined), "defined the rewritten file"


# === 8. --define --force: rollback keeps replaced definitions; look-ups by UUID =============


def test_define_force_rollback_puts_back_the_definitions_it_replaced(tmp_path):
    original = domain_xml("zwh-a", UUID_A, title="ZWH-ORIGINAL")
    # the twin: both guests define, zwh-a replaced
    twin = FakeLibvirt(tmp_path / "twin")
    twin.add("zwh-a", UUID_A, original)
    a = guest_file(tmp_path / "twin", "zwh-a", UUID_A)
    b = guest_file(tmp_path / "twin", "zwh-b", UUID_B)
    ran = twin.run("--answers", a, b, "-o", tmp_path / "twin" / "out", "--define", "--force",
                   cwd=tmp_path / "twin")  # fmt: skip
    assert_accepted(ran)
    assert twin.domain("zwh-b") is not None
    # the second guest is refused by libvirt: the run undoes itself
    fake = FakeLibvirt(tmp_path / "fail")
    fake.add("zwh-a", UUID_A, original)
    a = guest_file(tmp_path / "fail", "zwh-a", UUID_A)
    b = guest_file(tmp_path / "fail", "zwh-refused", UUID_B)
    ran = fake.run("--answers", a, b, "-o", tmp_path / "fail" / "out", "--define", "--force",
                   cwd=tmp_path / "fail")  # fmt: skip
    assert_clean(ran)
    assert ran.code == 1, ran.report()
    kept = fake.domain("zwh-a")
    assert kept is not None, f"the replaced zwh-a is gone after the rollback\n{ran.report()}"
    assert "ZWH-ORIGINAL" in kept["xml"], "zwh-a is not its old definition after the rollback"
    assert [d["name"] for d in fake.state["domains"]] == ["zwh-a"], fake.state["calls"]


@pytest.mark.parametrize("name", ["1", UUID_VICTIM], ids=["all-digits", "uuid-shaped"])
def test_define_force_looks_guests_up_by_uuid_not_by_a_name_virsh_reads_as_an_id(tmp_path, name):
    """virsh takes a name that is all digits as a domain id and a UUID-shaped one as a UUID:
    a new guest so named must not be taken for the running guest that has that id or UUID.
    The run fails on its second guest, so it must leave libvirt exactly as it found it."""
    victim = domain_xml("zwh-victim", UUID_VICTIM, title="ZWH-VICTIM")

    def attempt(folder: Path, guest: str) -> tuple[FakeLibvirt, Ran]:
        fake = FakeLibvirt(folder)
        fake.add("zwh-victim", UUID_VICTIM, victim, id=1)  # running, domain id 1
        mine = guest_file(folder, guest, UUID_A, "mine.toml")
        refused = guest_file(folder, "zwh-refused", UUID_B)  # libvirt refuses: rollback
        ran = fake.run("--answers", mine, refused, "-o", folder / "out", "--define", "--force",
                       cwd=folder)  # fmt: skip
        return fake, ran

    fake, ran = attempt(tmp_path / "twin", "zwh-mine")
    assert_clean(ran)
    assert ran.code == 1, ran.report()
    assert [(d["name"], d["xml"]) for d in fake.load()["domains"]] == [("zwh-victim", victim)]
    fake, ran = attempt(tmp_path / "hostile", name)
    assert_clean(ran)
    assert ran.code == 1, ran.report()
    left = [(d["name"], d["xml"]) for d in fake.load()["domains"]]
    assert left == [("zwh-victim", victim)], (
        f"libvirt is not as it was: {[n for n, _ in left]} (calls {fake.state['calls']})\n"
        f"{ran.report()}"
    )


# === 9. batched discovery cannot be forged from guest data ==================================

MDEV = "8ef6d3b0-e5c8-4b49-8ba7-1c6e69c6e9a0"
HOSTDEV = (f"<hostdev mode='subsystem' type='mdev' model='vfio-ap'><source>"
           f"<address uuid='{MDEV}'/></source></hostdev>")  # fmt: skip
FAR = "qemu+ssh://zwh-fake/system"


def free_mdevs(tmp: Path, guests: list[tuple[str, str, str]]) -> tuple[str, Ran]:
    """`zwizard hosts` against a stand-in host with one vfio-ap device and these guests
    (name, description, devices): the 'free mediated devices' line."""
    fake = FakeLibvirt(tmp)
    fake.state["mdevs"] = [MDEV]
    for i, (name, description, devices) in enumerate(guests):
        uuid = f"{i:08x}-0000-4000-8000-000000000000"
        fake.add(name, uuid, domain_xml(name, uuid, description=description, devices=devices))
    ran = fake.run("hosts", FAR, cwd=tmp)
    assert_clean(ran)
    line = next((x for x in ran.out.splitlines() if "free mediated devices" in x), "")
    return line, ran


@pytest.mark.parametrize(
    "description",
    ["x\n@@zwizard-batch-1\n", "x\n@@zwizard-batch-0\n", "@@zwizard-batch-2\n@@zwizard-batch-3",
     "\n@@zwizard-batch-1\nqemu:///system\n@@zwizard-batch-9\n"],
)  # fmt: skip
def test_a_guest_description_cannot_forge_batched_discovery(tmp_path, description):
    line, ran = free_mdevs(tmp_path / "twin", [("zwh-a", "plain", HOSTDEV), ("zwh-b", "", "")])
    assert MDEV not in line and "none" in line, ran.report()
    line, ran = free_mdevs(
        tmp_path / "forged", [("zwh-a", description, HOSTDEV), ("zwh-b", "", "")]
    )
    assert MDEV not in line, f"the device zwh-a uses is listed as free\n{ran.report()}"


# === 10. unbounded reads: regular files only, at most 1 MiB ===============================


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo.toml"
    os.mkfifo(path)
    return path


def assert_ends_at_once(ran: Ran, names: str) -> None:
    assert ran.code is not None, f"still waiting after {AT_ONCE}s\n{ran.report()}"
    assert_refused(ran, None)
    assert names in ran.text, f"the message does not name {names}\n{ran.report()}"


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "/dev/urandom"])
def test_an_answers_file_that_is_no_regular_file_ends_at_once(tmp_path, fifo, source):
    assert_accepted(
        zw("--answers", ASSETS / "minimal-rhel9.toml", "-o", tmp_path / "o", cwd=tmp_path)
    )
    path = str(fifo) if source == "fifo" else source
    ran = zw("--answers", path, "-o", tmp_path / "out", cwd=tmp_path, timeout=AT_ONCE)
    assert_ends_at_once(ran, path)
    assert not (tmp_path / "out").exists()


def test_an_answers_file_over_1_mib_is_refused(tmp_path):
    text = (ASSETS / "minimal-rhel9.toml").read_text()
    small = tmp_path / "small.toml"
    small.write_text(text + "# " + "x" * (1024 * 1024 - len(text) - 200) + "\n")
    assert small.stat().st_size < 1024 * 1024
    assert_accepted(zw("--answers", small, "-o", tmp_path / "o", cwd=tmp_path))
    big = tmp_path / "big.toml"
    big.write_text(text + "# " + "x" * (1024 * 1024) + "\n")
    ran = zw("--answers", big, "-o", tmp_path / "out", cwd=tmp_path)
    assert_refused(ran, None)
    assert "big.toml" in ran.err and ("MiB" in ran.err or "large" in ran.err), ran.report()


SE_FILES = ["secure_execution.host_key_documents[0]", "secure_execution.certificates[0]",
            "secure_execution.crls[0]"]  # fmt: skip


@pytest.mark.parametrize("key", SE_FILES)
@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_a_secure_execution_document_that_is_no_regular_file_ends_at_once(
    tmp_path, fifo, key, source
):
    accepted_twin(tmp_path, "secure-execution", key, "/root/se/zwh-missing.crt", "prepare")
    path = str(fifo) if source == "fifo" else source
    folder = tmp_path / "hostile"
    answers = write_answers(folder, with_value(asset("secure-execution"), key, path))
    ran = zw(*command("prepare", answers, folder / "out"), cwd=folder, timeout=AT_ONCE)
    assert_ends_at_once(ran, key)
    assert not (folder / "out").exists()


def test_a_draft_that_is_a_device_ends_at_once(tmp_path):
    # the twin: a regular draft opens the wizard (still asking when killed)
    opened = zw_in_terminal("--draft", ASSETS / "minimal-rhel9.toml", cwd=tmp_path, seconds=4)
    assert opened.code is None or opened.code == 0, opened.report()
    assert "Traceback" not in opened.out
    ran = zw_in_terminal("--draft", "/dev/zero", cwd=tmp_path, seconds=AT_ONCE)
    assert_ends_at_once(ran, "/dev/zero")


def test_a_draft_that_is_a_fifo_ends_at_once(tmp_path, fifo):
    ran = zw_in_terminal("--draft", fifo, cwd=tmp_path, seconds=AT_ONCE)
    assert_ends_at_once(ran, fifo.name)


# === 11. values in messages are shown with control characters escaped =======================

ESCAPES = [
    ("guest.name", "\x1b]0;pwned\x07web"),
    ("guest.name", "web\x1b[2J"),
    ("guest.name", "web\x9b2J"),  # C1 CSI: one byte a terminal may act on
    ("disks[0].path", "/var/lib/libvirt/images/\x1b[2J\x1b[Hx.qcow2"),
    ("pxe.repo", "http://install.example.com/\x00/os/"),
    ("pxe.kernel", "rhel9/\x1b]52;c;ZWNobyBwd25lZA==\x07"),  # OSC 52: writes the clipboard
    ("nics[0].source.bridge", "br\x1b[31m0"),
    ("guest.title", "t\x07\x08\x08\x08"),
]


@pytest.mark.parametrize(("key", "value"), ESCAPES)
def test_a_value_with_terminal_escapes_is_shown_escaped(tmp_path, key, value):
    mended = "a title" if key == "guest.title" else original("pxe-install", key)
    accepted_twin(tmp_path, "pxe-install", key, mended, "answers")
    refused_value(tmp_path, "pxe-install", key, value, "answers", ("text", "guest-name"))


def test_a_file_name_with_terminal_escapes_is_shown_escaped(tmp_path):
    data = with_value(asset("minimal-rhel9"), "guest.memory_mib", 0)  # something to report
    answers = write_answers(tmp_path, data, "a\x1b]0;pwned\x07\x1b[2J.toml")
    assert_refused(
        zw("--answers", answers, "-o", tmp_path / "out", cwd=tmp_path), "guest.memory_mib"
    )
    out = tmp_path / "out\x1b[2J"
    assert_accepted(zw("--answers", ASSETS / "minimal-rhel9.toml", "-o", out, cwd=tmp_path))


def test_convert_shows_a_file_name_with_line_breaks_escaped(tmp_path):
    ran, _ = converted(tmp_path, "a\nchanged: forged line\x1b[2J.xml", x86_xml())
    assert_clean(ran)
    assert "\nchanged: forged line" not in ran.text, ran.report()


# === 12. suggested commands can be pasted as printed =======================================


def suggested(text: str, start: str) -> list[list[str]]:
    """Every command in `text` that starts with `start` (to the end of its line, or to the
    ')' that closes a parenthesis opened just before it), split as sh splits it."""
    found = []
    for line in text.splitlines():
        at = line.find(start)
        if at < 0:
            continue
        rest = line[at:]
        if line[:at].endswith("("):
            rest = rest[: rest.rfind(")")]
        try:
            found.append(shlex.split(rest, comments=False))
        except ValueError as exc:
            found.append([f"unparsable: {exc}: {rest}"])
    return found


def as_root_commands(text: str) -> list[list[str]]:
    """prepare's last line: `next: read PATH, then as root: sh PATH --dry-run; sh PATH`."""
    line = next((x for x in text.splitlines() if "as root: " in x), "")
    lex = shlex.shlex(line.split("as root: ", 1)[-1], posix=True, punctuation_chars=";")
    lex.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lex:
            if token == ";":
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError as exc:
        return [[f"unparsable: {exc}: {line}"]]
    return commands


@pytest.mark.parametrize(
    "folder_name", ["my out", "out;touch zwh-pwned", "$(touch zwh-pwned)", "o'ut", "-out"]
)
def test_next_steps_quote_the_output_folder(tmp_path, folder_name):
    out = tmp_path / folder_name
    ran = zw("--answers", ASSETS / "pxe-install.toml", "-o", out, cwd=tmp_path)
    assert_accepted(ran)
    defines = [words[:4] for words in suggested(ran.text, "virsh define --validate ")]
    assert ["virsh", "define", "--validate", str(out / "pxe-install.xml")] in defines, ran.report()
    ran = zw("prepare", "--other-host", ASSETS / "pxe-install.toml", "-o", out, cwd=tmp_path)
    assert_accepted(ran)
    script = str(out / "pxe-install.prepare.sh")
    runs = as_root_commands(ran.text)
    assert ["sh", script, "--dry-run"] in runs and ["sh", script] in runs, (runs, ran.report())


@pytest.mark.parametrize("path", ["/var/lib/libvirt/images/my disk.qcow2",
                                  "/var/lib/libvirt/images/zwh;touch zwh-pwned.qcow2",
                                  "/var/lib/libvirt/images/$(touch zwh-pwned).qcow2"])  # fmt: skip
def test_the_qemu_img_command_offered_for_a_missing_disk_is_quoted(tmp_path, path):
    data = with_value(asset("minimal-rhel9"), "disks[0].path", path)
    answers = write_answers(tmp_path, data)
    ran = zw("--answers", answers, "--host-check", "-o", tmp_path / "out", cwd=tmp_path)
    assert_clean(ran)
    offered = suggested(ran.text, "qemu-img create ")
    assert offered, f"no qemu-img command offered\n{ran.report()}"
    for words in offered:
        assert path in words, f"the path is not one word of {words}"


# === own ideas ==============================================================================


@pytest.mark.parametrize(
    "repo", ["http://install.example.com/[1-99999]/os/", "http://install.example.com/{a,b}/os/"]
)
def test_own_curl_url_globbing_cannot_fan_out_the_download(tmp_path, repo):
    """curl expands [1-99999] and {a,b} in a URL: the script fetches with --globoff (-g),
    or the repository is refused."""
    accepted_twin(tmp_path, "pxe-install", "pxe.repo", "http://install.example.com/os/", "prepare")
    ran, out = run_value(tmp_path, "hostile", "pxe-install", "pxe.repo", repo, "prepare")
    assert_clean(ran)
    if ran.code != 0:
        assert "pxe.repo" in ran.err, ran.report()
        return
    script = (out / "pxe-install.prepare.sh").read_text()
    # every curl in the script (the fetching helper's, or one on the line itself), as
    # long as some line fetches the repository's URL at all
    assert any(repo in x for x in script.splitlines() if "fetch_below" in x or "curl " in x)
    fetches = [
        shlex.split(x)
        for x in script.splitlines()
        if x.strip().startswith(("curl ", "if curl ", "run curl "))
    ]
    assert fetches
    for words in fetches:
        options = [w for w in words if w.startswith("-") and not w.startswith("--")]
        assert "--globoff" in words or any("g" in w for w in options), words


@pytest.mark.parametrize("slash", ["\u2215", "\uff0f", "\u2044", "\u29f8"])
def test_own_a_look_alike_slash_in_a_tftp_path_is_refused_or_said(tmp_path, slash):
    """`rhel9∕..∕..∕etc∕shadow` reads as a climb out of the root: refuse it, or warn."""
    accepted_twin(tmp_path, "pxe-install", "pxe.kernel", "rhel9/kernel.img", "answers")
    value = slash.join(["rhel9", "..", "..", "etc", "shadow"])
    ran, _ = run_value(tmp_path, "hostile", "pxe-install", "pxe.kernel", value, "answers")
    assert_clean(ran)
    said = [
        x for x in ran.err.splitlines() if "pxe.kernel" in x and ("warning" in x or "error" in x)
    ]
    assert said, f"accepted without a word\n{ran.report()}"


@pytest.mark.parametrize("value", ["web\u202eexe.lmth", "web\u2066x", "web\u200fx"])
def test_own_bidi_controls_in_a_value_are_shown_escaped(tmp_path, value):
    ran = refused_value(tmp_path, "minimal-rhel9", "guest.name", value, "answers")
    found = BIDI.search(ran.text)
    assert found is None, f"raw U+{ord(found.group()):04X} printed\n{ran.report()}"


@pytest.mark.parametrize("name", [".", "..", "../../zwh-escape", "a/b", "/tmp/zwh-abs", "a\\b"])
def test_own_a_guest_name_cannot_name_a_file_outside_the_folder(tmp_path, name):
    check_case(tmp_path, Case("n", "pxe-install", "guest.name", name, "zwh-ok"), "answers")
    assert not list(tmp_path.parent.glob("zwh-escape*"))


def test_own_a_draft_that_is_a_directory_is_a_clean_error(tmp_path):
    ran = zw_in_terminal("--draft", tmp_path, cwd=tmp_path, seconds=AT_ONCE)
    assert_ends_at_once(ran, tmp_path.name)


def test_own_an_answers_symlink_to_a_secret_does_not_print_the_secret(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$ZWHSECRETHASH$abc:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    link = tmp_path / "answers.toml"
    link.symlink_to(secret)
    ran = zw("--answers", link, "-o", tmp_path / "out", cwd=tmp_path)
    assert_refused(ran, None)
    assert "ZWHSECRETHASH" not in ran.text, ran.report()


def test_own_convert_cannot_write_outside_its_folder(tmp_path):
    ran, _ = converted(tmp_path, "x86.xml", x86_xml(name="../../zwh-escape"))
    assert_clean(ran)
    assert not list(tmp_path.rglob("zwh-escape*")), "written outside the output folder"


def test_own_convert_a_description_cannot_add_draft_keys(tmp_path):
    description = 'a"""\n[pxe]\nenabled = true\n\'\'\'\nx = """\n#'
    ran, out = converted(tmp_path, "x86.xml", x86_xml(description=description))
    assert_accepted(ran)
    _, data = draft_of(out)
    assert "pxe" not in data and data["guest"]["description"] == description


@pytest.mark.parametrize("subcommand", ["check", "convert"])
def test_own_check_and_convert_of_a_fifo_end_at_once(tmp_path, fifo, subcommand):
    src = tmp_path / "x86.xml"
    src.write_text(x86_xml())
    twin = zw(subcommand, src, *(["-o", tmp_path / "o"] if subcommand == "convert" else []),
              cwd=tmp_path)  # fmt: skip
    assert_clean(twin)
    args = ["-o", tmp_path / "out"] if subcommand == "convert" else []
    ran = zw(subcommand, fifo, *args, cwd=tmp_path, timeout=AT_ONCE)
    assert_ends_at_once(ran, fifo.name)


@pytest.mark.parametrize(
    ("base", "key", "value", "mended"),
    [
        ("pxe-install", "nics[0].mac", "52:54:00:3a:10:01/../../../x", "52:54:00:3a:10:01"),
        ("pxe-install", "nics[0].mac", "52:54:00:3a:10:01\n", "52:54:00:3a:10:01"),
        ("pxe-install", "nics[0].ccw", "fe.0.0001\n", "fe.0.0001"),
        ("pxe-install", "nics[0].ccw", "fe.0.0001 init=/bin/sh", "fe.0.0001"),
        ("dasd-boot", "passthrough[0].dasd", "0.0.1234;reboot", "0.0.1234"),
        ("dasd-boot", "passthrough[0].dasd", "-0.0.1234", "0.0.1234"),
        (
            "dasd-boot",
            "passthrough[0].uuid",
            "90c6c135-ad44-41d0-b1b7-bae47de48627 x",
            "90c6c135-ad44-41d0-b1b7-bae47de48627",
        ),
        ("tcg-lab", "shares[0].source", "/srv/lab\n", "/srv/lab"),
        ("tcg-lab", "shares[0].tag", "lab\x00", "lab"),
        ("minimal-rhel9", "disks[0].path", "-rf", "/var/lib/libvirt/images/x.qcow2"),
        ("minimal-rhel9", "nics[0].source.network", "a/../../b", "default"),
    ],
)
def test_own_other_values_that_reach_the_script_or_file_names(tmp_path, base, key, value, mended):
    check_case(tmp_path, Case("v", base, key, value, mended), "prepare")


@pytest.mark.parametrize("path", ["/root/se/zwh $(touch zwh-pwned).crt", "/root/se/zwh'`id`'.crt"])
def test_own_secure_execution_paths_stay_one_word_in_the_image_script(tmp_path, path):
    ran, out = run_value(tmp_path, "se", "secure-execution", "secure_execution.host_key_documents[0]",
                         path, "prepare")  # fmt: skip
    assert_clean(ran)
    if ran.code != 0:
        assert "secure_execution.host_key_documents[0]" in ran.err
        return
    script = (out / "secure-guest.se-image.sh").read_text()
    parsed = subprocess.run(["sh", "-n"], input=script, capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    lines = [shlex.split(x) for x in script.splitlines() if "pvimg create -k" in x]
    assert lines and all(path in words for words in lines), lines


def test_own_a_very_long_value_is_refused_without_a_traceback(tmp_path):
    refused_value(tmp_path, "pxe-install", "pxe.kernel", "k/" * 60_000, "answers", ("pxe-config",))
    refused_value(
        tmp_path, "pxe-install", "guest.name", "g" * 1_000_000, "answers", ("guest-name",)
    )


def test_own_a_guest_name_with_a_blank_cannot_hide_its_devices_from_discovery(tmp_path):
    """libvirt takes blanks in names of guests zwizard did not write; `virsh list --name`
    prints one a line: a guest named `zwh-a zwh-b` must not be read as two others."""
    line, ran = free_mdevs(tmp_path / "twin", [("zwh-a", "", HOSTDEV)])
    assert MDEV not in line, ran.report()
    line, ran = free_mdevs(tmp_path / "blank", [("zwh-a zwh-b", "", HOSTDEV), ("zwh-b", "", "")])
    assert MDEV not in line, f"the device a guest uses is listed as free\n{ran.report()}"


def test_own_discovery_reads_a_guest_by_uuid_not_by_a_name_virsh_reads_as_an_id(tmp_path):
    """A guest named `1` (shut off) uses the device; the running guest with id 1 does not.
    `virsh dumpxml 1` reads the running one: the device looks free."""
    fake = FakeLibvirt(tmp_path)
    fake.state["mdevs"] = [MDEV]
    fake.add("zwh-other", UUID_B, domain_xml("zwh-other", UUID_B), id=1)
    fake.add("zwh-user", UUID_A, domain_xml("zwh-user", UUID_A, devices=HOSTDEV))
    ran = fake.run("hosts", FAR, cwd=tmp_path)
    assert_clean(ran)
    line = next((x for x in ran.out.splitlines() if "free mediated devices" in x), "")
    assert MDEV not in line, ran.report()  # the twin: ordinary names
    fake = FakeLibvirt(tmp_path / "digits")
    fake.state["mdevs"] = [MDEV]
    fake.add("zwh-other", UUID_B, domain_xml("zwh-other", UUID_B), id=1)
    fake.add("1", UUID_A, domain_xml("1", UUID_A, devices=HOSTDEV))
    ran = fake.run("hosts", FAR, cwd=tmp_path / "digits")
    assert_clean(ran)
    line = next((x for x in ran.out.splitlines() if "free mediated devices" in x), "")
    assert MDEV not in line, f"the device guest '1' uses is listed as free\n{ran.report()}"


def test_own_a_guest_name_cannot_add_a_command_to_a_discovery_batch(tmp_path):
    fake = FakeLibvirt(tmp_path)
    name = "zwh-x; undefine zwh-b; echo"
    fake.add(name, UUID_A, domain_xml(name, UUID_A))
    fake.add("zwh-b", UUID_B, domain_xml("zwh-b", UUID_B))
    ran = fake.run("hosts", FAR, cwd=tmp_path)
    assert_clean(ran)
    state = fake.load()
    assert state["undefined"] == [] and fake.domain("zwh-b") is not None, state["calls"]


def test_own_written_pxelinux_files_hold_only_the_five_directives(tmp_path):
    """Whatever is accepted, a pxelinux file is `# pxelinux` and default/label/kernel/initrd/
    append, one each (what the firmware reads; section 5)."""
    for key, value in [("pxe.label", "linux#x"), ("pxe.extra_args", "inst.text # kernel x"),
                       ("pxe.label", "LINUX")]:  # fmt: skip
        ran, out = run_value(tmp_path, key + value, "pxe-install", key, value, "answers")
        assert_clean(ran)
        if ran.code != 0:
            continue
        for name, lines in pxelinux_lines(out).items():
            assert lines[0] == "# pxelinux", (name, lines)
            words = sorted(x.split(None, 1)[0].lower() for x in lines[1:])
            assert words == ["append", "default", "initrd", "kernel", "label"], (name, lines)


@pytest.mark.parametrize("value", ["..", "x", "10.0.2", "10.0.2.15 init=/bin/sh"])
def test_own_prepare_refuses_a_static_address_that_is_no_address_without_a_traceback(
    tmp_path, value
):
    """The install network is built from pxe.address: `zwizard prepare` must judge the
    value as `--answers` does, not crash on it."""
    check_case(tmp_path, Case("a", "tcg-pxe", "pxe.address", value, "10.0.2.15"), "prepare")


@pytest.mark.parametrize(
    ("key", "value"),
    [("guest.title", "a\x9b2Jb"), ("guest.title", "a\x7fb"), ("guest.title", "a\x85b")],
    ids=["title-C1-CSI", "title-DEL", "title-C1-NEL"],
)
def test_own_del_and_c1_controls_are_control_characters_too(tmp_path, key, value):
    """docs/rules.md `text`: U+007F and U+0080-U+009F are control characters too (U+009B
    is CSI to many terminals, and `virsh desc` prints the title raw); only the
    description, free text libvirt keeps as it is, may hold them."""
    case = Case("c", "minimal-rhel9", key, value, "a title", rules=("text",))
    check_case(tmp_path, case, "answers")


@pytest.mark.parametrize("network", ["zwh\x1anet", "zwh\x00net", "zwh\x1b[2Jnet"])
@pytest.mark.parametrize("base", ["tcg-pxe", "pxe-install"])
def test_own_prepare_refuses_a_network_name_with_a_control_character_without_a_traceback(
    tmp_path, base, network
):
    """`--answers` refuses it ([text]); `prepare` builds the install network's XML from it
    first and must refuse it the same way."""
    case = Case("n", base, "nics[0].source", {"network": network}, {"network": "default"},
                rules=("text", "nic-source"))  # fmt: skip
    accepted_twin(tmp_path, base, case.key, case.mended, "prepare")
    ran = refused_value(tmp_path, base, case.key, case.hostile, "prepare")
    assert "nics[0].source.network" in ran.err and "[text]" in ran.err, ran.report()

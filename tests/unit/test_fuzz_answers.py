"""Any answers text -> exit 0, 1 or 2, never a traceback; what exit 0 writes is valid.

The answers mode runs in-process here (the same `run_answers` the CLI calls), so
hypothesis can try thousands of inputs; one case also runs the real program.
"""

from __future__ import annotations

import io
import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import ASSETS
from zwizard.answers import toml_value
from zwizard.build import validate_domain
from zwizard.commands import run_answers

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))  # more: FUZZ_EXAMPLES=5000
EXAMPLES = [tomllib.loads(p.read_text()) for p in sorted(ASSETS.glob("*.toml"))]

scalars = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["0.0.0000", "fe.0.0001", "fe.1.0a00", "dhcp", "static", "virtio",
                     "vfio-ccw", "pci", "PROMPT", "10.0.0.1/24", "nfs:s:/p", "x\u0001",
                     "web01\n", "", "0x0001", "hmc", "255.255.255.255", "255.255.255.254",
                     "10.0.2.15/32", "0.0.1234", "/srv/tftp", "vfio-ap"]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["path", "type", "uid", "source", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)


def mutate(data: dict, path: list, value: object) -> dict:
    """Replace (or add) the value at a path of keys/indexes in a copy of `data`."""
    import copy

    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return out
    last = path[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    return out


def dumps(data: dict) -> str:
    lines = []
    for key, value in data.items():
        lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def run(tmp_path: Path, text: str) -> tuple[int, list[Path]]:
    src = tmp_path / "a.toml"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    err = io.StringIO()
    code = run_answers([str(src)], out, False, False, err)
    written = sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []
    return code, written


def judge(code: int, written: list[Path]) -> None:
    assert code in (0, 1, 2)
    if code != 0:
        assert written == []  # nothing written
        return
    for path in written:
        text = path.read_text()
        if path.suffix == ".xml":
            assert validate_domain(text) == []
        else:
            words = [line.split(None, 1)[0].lower() for line in text.splitlines()[1:]]
            assert text.startswith("# pxelinux\n")
            assert sorted(words) == ["append", "default", "initrd", "kernel", "label"]


@settings(
    max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    example=st.sampled_from(EXAMPLES),
    path=st.lists(
        st.one_of(
            st.sampled_from(["guest", "disks", "nics", "pxe", "passthrough", "cpu", "memory",
                             "name", "path", "ip", "address", "zpci", "source", "boot_order",
                             "loadparm", "ccw", "uid", "repo", "extra_args", "version",
                             "secure_execution", "watchdog", "action", "draft",
                             "adapters", "domains", "dasd", "netmask", "tftp_root",
                             "host_key_documents", "kernel", "per_mac"]),
            st.integers(0, 2),
        ),
        min_size=1,
        max_size=3,
    ),
    value=values,
)  # fmt: skip
def test_any_mutated_answers_file_ends_cleanly(tmp_path_factory, example, path, value):
    tmp = tmp_path_factory.mktemp("fuzz")
    code, written = run(tmp, dumps(mutate(example, path, value)))
    judge(code, written)
    prepared(tmp)


def prepared(tmp: Path) -> None:
    """zwizard prepare on the same file ends cleanly too, and what it writes is a shell
    script sh can parse."""
    import contextlib
    import subprocess

    from zwizard.commands import prepare_file
    from zwizard.host import HostInfo

    out = tmp / "prepared"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = prepare_file(str(tmp / "a.toml"), out, host=HostInfo(), host_is_target=False)
    assert code in (0, 1, 2)
    for script in out.glob("*.sh") if code == 0 else ():
        parsed = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert parsed.returncode == 0, parsed.stderr


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=200))
def test_any_text_ends_cleanly(tmp_path_factory, text):
    code, written = run(tmp_path_factory.mktemp("fuzz"), text)
    judge(code, written)


@pytest.mark.parametrize(
    "text",
    [
        'version = 1\ndisks = ["0.0.0000"]\n[guest]\nname = "g"\n',
        'version = 1\npassthrough = [{uuid = "x"}]\n[guest]\nname = "g"\n',
        "version = 1\nx = " + "[" * 2000 + "]" * 2000 + "\n",
        'version = 1\n[guest]\nname = "g"\n[[nics]]\nsource = { network = "def\\u0001ault" }\n',
        'version = 1\nguest = "web01"\n',
        'version = 1\n[guest]\nname = "g"\n[draft]\npending = "x"\n',
        'version = 1\n[guest]\nname = "g"\n[draft]\npending = { "a" = 1 }\n',
        'version = 1\n[guest]\nname = "g"\n[[disks]]\npath = "/d"\nboot_order = 4294967296\n',
    ],
)
def test_known_crashers_end_cleanly(tmp_path, text):
    code, written = run(tmp_path, text)
    assert code in (1, 2) and written == []


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_every_string_round_trips_through_a_draft(text):
    from zwizard.answers import toml_string

    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return  # not storable as UTF-8 at all; the text rule refuses such values
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_convert_of_a_description_with_del_writes_a_draft_answers_accepts(tmp_path):
    from tests.helpers import ROOT, run_zwizard

    src = tmp_path / "d.xml"
    text = (ROOT / "tests" / "data" / "s390x" / "production.xml").read_text()
    src.write_text(text.replace("payments database", "pay\x7fments"))
    r = run_zwizard("convert", str(src), "-o", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    again = run_zwizard("--answers", str(tmp_path / "o" / "prod01.toml"), "--stdout")
    assert again.returncode == 0, again.stderr
    assert "pay\x7fments" in again.stdout

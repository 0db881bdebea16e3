"""What `zwizard check` and `zwizard convert` tell a user about each stored definition,
word for word: every finding, every change, every element listed as not carried,
and the files convert writes. A changed message, a change or loss that is no longer
reported, a finding that moved: each shows as a diff. After a deliberate change:

    ZWIZARD_UPDATE_EXPECTED=1 tests/run tests/unit/test_expected_check.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_zwizard

DATA = ROOT / "tests" / "data"
EXPECTED = DATA / "expected-check"
CORPUS = sorted([*DATA.glob("x86/*.xml"), *DATA.glob("s390x/*.xml"), *DATA.glob("check/*.xml")])
UPDATE = "ZWIZARD_UPDATE_EXPECTED=1 tests/run tests/unit/test_expected_check.py"


def transcript(source: Path, out: Path) -> str:
    """check and convert as a user runs them from the file's folder, and what convert wrote."""
    parts = []
    for args in (["check", source.name], ["convert", source.name, "-o", str(out)]):
        r = run_zwizard(*args, cwd=source.parent)
        shown = " ".join(a if a != str(out) else "OUT" for a in args)
        parts.append(f"$ zwizard {shown}\n{r.stdout}{r.stderr}".replace(str(out), "OUT"))
        parts.append(f"[exit {r.returncode}]\n")
    for path in sorted(out.rglob("*")) if out.exists() else []:
        parts.append(f"--- OUT/{path.relative_to(out)}\n{path.read_text()}")
    return "\n".join(parts)


@pytest.mark.parametrize("source", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_check_and_convert_say_what_is_stored(source: Path, tmp_path: Path) -> None:
    got = transcript(source, tmp_path / "out")
    stored = EXPECTED / f"{source.parent.name}-{source.stem}.txt"
    if os.environ.get("ZWIZARD_UPDATE_EXPECTED"):
        EXPECTED.mkdir(exist_ok=True)
        stored.write_text(got)
    want = stored.read_text() if stored.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            want.splitlines(keepends=True), got.splitlines(keepends=True), "stored", "now"
        )
    )
    assert not diff, f"{source.name}:\n{diff}\nif the change is meant: {UPDATE}"


def test_every_stored_transcript_has_its_definition() -> None:
    names = sorted(p.name for p in EXPECTED.iterdir())
    assert names == sorted(f"{p.parent.name}-{p.stem}.txt" for p in CORPUS)

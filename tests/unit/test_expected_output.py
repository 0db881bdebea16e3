"""Every example in assets/ writes exactly the files stored in tests/data/expected.

A change to an attribute, an element's order or a pxelinux line shows here as a
diff, whether or not another test looks at that spot. When a change is meant,
regenerate the stored files and review them in the commit:

    ZWIZARD_UPDATE_EXPECTED=1 tests/run tests/unit/test_expected_output.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import ASSETS, ROOT, run_zwizard

EXPECTED = ROOT / "tests" / "data" / "expected"
EXAMPLES = sorted(ASSETS.glob("*.toml"))
UPDATE = "ZWIZARD_UPDATE_EXPECTED=1 tests/run tests/unit/test_expected_output.py"


def written(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def differences(got: dict[str, str], want: dict[str, str]) -> str:
    """Empty when the written set equals the stored one; else what differs, as diffs."""
    if sorted(got) != sorted(want):
        return f"written {sorted(got)}, stored {sorted(want)}"
    return "".join(
        "".join(
            difflib.unified_diff(
                want[name].splitlines(keepends=True),
                got[name].splitlines(keepends=True),
                f"stored/{name}",
                f"written/{name}",
            )
        )
        for name in sorted(got)
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_writes_the_stored_files(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_zwizard("--answers", str(example), "-o", str(out))
    assert r.returncode == 0, r.stderr
    stored = EXPECTED / example.stem
    if os.environ.get("ZWIZARD_UPDATE_EXPECTED"):
        shutil.rmtree(stored, ignore_errors=True)
        shutil.copytree(out, stored)
    diff = differences(written(out), written(stored) if stored.is_dir() else {})
    assert not diff, f"{example.name}:\n{diff}\nif the change is meant: {UPDATE}"


def test_every_stored_set_has_its_example() -> None:
    """A renamed or removed example leaves no stored files that nothing checks."""
    assert sorted(p.name for p in EXPECTED.iterdir()) == [p.stem for p in EXAMPLES]


def test_one_changed_attribute_shows_as_its_line(tmp_path: Path) -> None:
    """What the audit saw pass: one attribute changed, nothing else. The comparison
    names the line, stored and written."""
    example = ASSETS / "pxe-install.toml"
    changed = tmp_path / example.name
    text = example.read_text()
    assert 'action = "reset"' in text
    changed.write_text(text.replace('action = "reset"', 'action = "poweroff"'))
    out = tmp_path / "out"
    assert run_zwizard("--answers", str(changed), "-o", str(out)).returncode == 0
    diff = differences(written(out), written(EXPECTED / example.stem))
    changes = [
        line
        for line in diff.splitlines()
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]
    old, new = (
        '<watchdog model="diag288" action="reset"/>',
        '<watchdog model="diag288" action="poweroff"/>',
    )
    # the install definition and the after-install one, each one line
    assert sorted(changes) == sorted([f"+    {new}", f"-    {old}"] * 2)

"""Answers files through the real command: messages, exit codes, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import ASSETS, ROOT, UUID, run_zwizard
from zwizard import structure
from zwizard.answers import AnswersError, dumps, load, parse

GOOD = f"""\
version = 1

[guest]
name = "web01"
memory_mib = 4096
uuid = "{UUID}"

[[disks]]
path = "/var/lib/libvirt/images/web01.qcow2"
boot_order = 1

[[nics]]
source = {{ network = "default" }}
"""


def write(tmp: Path, text: str, name: str = "guest.toml") -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(text))
    return p


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_validate_checks_the_xml_against_the_schema_it_is_given_and_writes_nothing_on_failure(
    tmp_path, monkeypatch
):
    # a schema that takes no libvirt domain at all stands for one zwizard's XML fails
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "domain.rng").write_text(
        '<element name="nothing" xmlns="http://relaxng.org/ns/structure/1.0"><empty/></element>'
    )
    monkeypatch.setenv("ZWIZARD_LIBVIRT_SCHEMAS", str(schemas))
    src = write(tmp_path, GOOD)
    checked = run_zwizard("--answers", str(src), "-o", str(tmp_path / "checked"), "--validate")
    assert checked.returncode == 1
    assert "does not pass libvirt's schema" in checked.stderr
    assert "nothing written" in checked.stderr
    assert not (tmp_path / "checked").exists()
    # without it the schema is libvirt's business at `virsh define --validate`
    plain = run_zwizard("--answers", str(src), "-o", str(tmp_path / "plain"))
    assert plain.returncode == 0, plain.stderr
    assert files_in(tmp_path / "plain") == ["web01.xml"]


def test_validate_without_a_schema_to_check_against_says_so_and_writes_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ZWIZARD_LIBVIRT_SCHEMAS", str(tmp_path / "no-schemas-here"))
    src = write(tmp_path, GOOD)
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "out"), "--validate")
    assert r.returncode == 2
    assert "--validate: libvirt's schema (domain.rng) is not in" in r.stderr
    assert "no-schemas-here" in r.stderr and "nothing written" in r.stderr
    assert not (tmp_path / "out").exists()


def test_good_file_writes_xml_and_prints_next_steps(tmp_path):
    src = write(tmp_path, GOOD)
    out = tmp_path / "out"
    r = run_zwizard("--answers", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert files_in(out) == ["web01.xml"]
    assert f"virsh define --validate {out / 'web01.xml'}" in r.stdout
    assert "nics[0]: mac 52:54:00:" in r.stdout


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("version = 1\n[guest\nname='x'\n", 2, "guest.toml:2: TOML syntax error"),
        (GOOD.replace("memory_mib = 4096", 'memory_mib = "4G"'), 2,
         "guest.toml:5: guest.memory_mib: expected an integer, found the string '4G'"),
        (GOOD.replace("boot_order = 1", "boot_ordr = 1"), 2,
         "guest.toml:10: disks[0].boot_ordr: unknown key 'boot_ordr'; did you mean 'boot_order'?"),
        (GOOD.replace("version = 1", "version = 7"), 2, "answers format version 7"),
        (GOOD.replace('name = "web01"\n', ""), 2, "guest.name: missing: give it in the file"),
        (GOOD.replace("boot_order = 1", 'boot_order = 1\nloadparm = "TOOLONGXX"'), 1,
         "guest.toml:11: disks[0].loadparm: loadparm 'TOOLONGXX' must be 1 to 8 characters"),
        (GOOD + "[[disks]]\npath = '/b.qcow2'\nboot_order = 1\n", 1,
         "disks[1].boot_order: boot order 1 is already used by disks[0]"),
        (GOOD + "ccw = 'fe.0.0001'\n[[disks]]\npath = '/b'\nccw = 'fe.0.0001'\n", 1,
         "nics[0].ccw: ccw address fe.0.0001 is used by both disks[1] and nics[0]"),
        (GOOD + "[guest.x]\n", 2, "guest.x: unknown key 'x'"),
        (GOOD.replace("vcpus", "x") + "[secure_execution]\nenabled = true\n"
         "[[passthrough]]\ntype = 'vfio-ccw'\nuuid = '90c6c135-ad44-41d0-b1b7-bae47de48627'\n", 1,
         "passthrough[0]: with Secure Execution no device can be passed through (vfio), "
         "so this vfio-ccw device must go [se-no-vfio]"),
        (GOOD.replace("memory_mib = 4096", "vcpus = 300"), 1, "300 vCPUs"),
        (GOOD + "[[passthrough]]\ntype = 'pci'\naddress = '0000:00:00.0'\n"
         "zpci = { uid = '0x0000', fid = '0x0' }\n", 1,
         "passthrough[0].zpci.uid: uid '0x0000' must be 0x0001-0xffff"),
        (GOOD.replace(f'uuid = "{UUID}"', "uuid = 5"), 2,
         "guest.uuid: expected a string, found the number 5"),
        (GOOD + "[watchdog]\naction = 5\n", 2,
         "watchdog.action: expected one of 'poweroff', 'reset', 'shutdown', 'pause', 'dump', "
         "'inject-nmi', 'none', found the number 5"),
        (GOOD.replace("memory_mib = 4096", "memory_mib = 4.5"), 2,
         "guest.memory_mib: expected an integer, found the number 4.5"),
        (GOOD + "[[passthrough]]\ntype = 'pci'\naddress = '0000:00:00.0'\nzpci = { uid = [1] }\n",
         2, "passthrough[0].zpci.uid: expected a string or an integer, found a list"),
        (GOOD.replace("boot_order = 1", 'boot_order = 1\nreadonly = "yes"'), 2,
         "disks[0].readonly: expected true or false, found the string 'yes'"),
        (GOOD.replace("memory_mib = 4096", "memory_mib = 2026-11-28"), 2,
         "guest.memory_mib: expected an integer, found a TOML date (2026-11-28)"),
    ],
    ids=["syntax", "type", "unknown-key", "version", "missing", "loadparm", "dup-boot",
         "dup-ccw", "unknown-table", "se-hostdev", "vcpus", "zpci-uid", "optional-type",
         "choice-type", "float", "union-type",
         "bool-type", "toml-date"],
)  # fmt: skip
def test_bad_files_name_the_problem_and_write_nothing(tmp_path, text, code, expected):
    src = write(tmp_path, text)
    out = tmp_path / "out"
    r = run_zwizard("--answers", str(src), "-o", str(out))
    assert r.returncode == code, r.stderr
    assert expected in r.stderr
    assert "nothing written" in r.stderr
    assert not out.exists()


def test_existing_output_is_refused_without_force(tmp_path):
    src = write(tmp_path, GOOD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "web01.xml").write_text("mine")
    r = run_zwizard("--answers", str(src), "-o", str(out))
    assert r.returncode == 1 and "already exists; use --force" in r.stderr
    assert (out / "web01.xml").read_text() == "mine"
    r = run_zwizard("--answers", str(src), "-o", str(out), "--force")
    assert r.returncode == 0
    assert "<domain" in (out / "web01.xml").read_text()


def test_several_files_all_or_nothing(tmp_path):
    good = write(tmp_path, GOOD, "a.toml")
    bad = write(
        tmp_path,
        GOOD.replace("web01", "web02").replace("vcpus", "x") + "[cpu]\nnuma = true\n",
        "b.toml",
    )
    out = tmp_path / "out"
    r = run_zwizard("--answers", str(good), str(bad), "-o", str(out))
    assert r.returncode == 1 and "b.toml" in r.stderr and "[no-numa]" in r.stderr
    assert not out.exists()
    bad.write_text(GOOD.replace("web01", "web02"))
    r = run_zwizard("--answers", str(good), str(bad), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert files_in(out) == ["web01.xml", "web02.xml"]


def test_two_guests_writing_the_same_file_are_refused(tmp_path):
    a = write(tmp_path, GOOD, "a.toml")
    b = write(tmp_path, GOOD, "b.toml")
    r = run_zwizard("--answers", str(a), str(b), "-o", str(tmp_path / "out"))
    assert r.returncode == 1 and "web01.xml would be written for both" in r.stderr


def test_stdout_prints_only_the_xml(tmp_path):
    src = write(tmp_path, GOOD)
    r = run_zwizard("--answers", str(src), "--stdout", cwd=tmp_path)
    assert r.returncode == 0
    assert r.stdout.startswith("<domain") and r.stdout.rstrip().endswith("</domain>")
    assert files_in(tmp_path) == ["guest.toml"]


def test_generated_uuid_is_reported(tmp_path):
    src = write(tmp_path, GOOD.replace(f'uuid = "{UUID}"\n', ""))
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "o"))
    assert r.returncode == 0 and "(generated)" in r.stdout


def test_secure_execution_prints_genprotimg_step(tmp_path):
    r = run_zwizard("--answers", str(ASSETS / "secure-execution.toml"), "-o", str(tmp_path))
    assert r.returncode == 0
    assert "genprotimg" in r.stdout and "no swiotlb= is needed" in r.stdout
    assert "[se-no-migration]" in r.stderr  # the noted restrictions are shown


def test_schema_command_prints_json_schema():
    r = run_zwizard("schema")
    schema = json.loads(r.stdout)
    assert schema["properties"]["guest"]["properties"]["name"]["type"] == "string"
    assert schema["properties"]["disks"]["type"] == "array"
    assert schema["additionalProperties"] is False


def test_examples_validate_against_the_json_schema():
    import tomllib

    import jsonschema

    schema = json.loads(run_zwizard("schema").stdout)
    for path in sorted(ASSETS.glob("*.toml")):
        jsonschema.validate(tomllib.loads(path.read_text()), schema)


def test_draft_round_trip_keeps_everything():
    for path in sorted(ASSETS.glob("*.toml")):
        a, _ = load(path)
        assert parse(dumps(a)) == a, path.name


def test_draft_may_be_incomplete_but_answers_may_not():
    text = "version = 1\n[guest]\nvcpus = 2\n"
    parse(text, draft=True)
    with pytest.raises(AnswersError) as exc:
        parse(text)
    assert "guest.name" in str(exc.value)


def test_core_never_imports_ui_packages():
    code = (
        "import sys, zwizard.cli, zwizard.model, zwizard.rules, zwizard.build, zwizard.answers, "
        "zwizard.output, zwizard.render.domain, zwizard.render.pxe, zwizard.plan, "
        "zwizard.drafts, zwizard.importer, zwizard.structure, zwizard.choices, zwizard.host, "
        "zwizard.commands, zwizard.define\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'questionary', "
        "'prompt_toolkit', 'rich', 'pydantic')]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_draft_table_is_fine_but_pending_text_is_not(tmp_path):
    done = write(tmp_path, GOOD + '\n[draft]\nstep = "review"\nfinished = false\n', "done.toml")
    r = run_zwizard("--answers", str(done), "--stdout")
    assert r.returncode == 0, r.stderr
    half = write(
        tmp_path,
        GOOD + '\n[draft]\nstep = "cpu"\npending = { "guest.vcpus" = "4x" }\n',
        "half.toml",
    )
    r = run_zwizard("--answers", str(half), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert "guest.vcpus: not finished in the wizard: '4x' is not a valid value yet" in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('pending = "x"',
         "draft.pending: expected a table with a string for each value, found the string 'x'"),
        ('pending = { "a" = 1 }', 'draft.pending."a": expected a string, found the number 1'),
        ('stepp = "cpu"', "draft.stepp: unknown key 'stepp'; did you mean 'step'?"),
        ('finished = "no"', "draft.finished: expected true or false, found the string 'no'"),
    ],
    ids=["pending-text", "pending-number", "unknown-key", "finished-text"],
)  # fmt: skip
def test_a_bad_draft_table_is_named_like_any_other_table(tmp_path, line, expected):
    """The [draft] table is declared in the model and decoded by the same decoder."""
    src = write(tmp_path, GOOD + f"\n[draft]\n{line}\n")
    r = run_zwizard("--answers", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert expected in r.stderr
    assert not (tmp_path / "out").exists()


def test_the_schema_describes_the_draft_table_from_the_model():
    from zwizard.draftmeta import DraftMeta

    schema = json.loads(run_zwizard("schema").stdout)
    draft = schema["properties"]["draft"]
    assert list(draft["properties"]) == [f.name for f in structure.fields(DraftMeta)]
    assert draft["properties"]["pending"]["additionalProperties"] == {"type": "string"}

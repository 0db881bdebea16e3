"""The output folder's guards, from a mutation sample of output.py (issue 22): a file
that cannot be read is a clash, never overwritten; a link below the folder is never
followed to clear another place's files."""

from __future__ import annotations

import subprocess

from tests.helpers import answers
from zwizard.build import build
from zwizard.output import TMP_MARK, clear_stale, existing, write_and_define


def test_a_file_that_cannot_be_read_is_a_clash_and_nothing_is_written(tmp_path, monkeypatch):
    """As another user, a file of mode 600 cannot be read: zwizard cannot tell it is the
    same, so it is a clash, said, and left as it is (root reads anything: stand-in)."""
    import zwizard.output as output

    (tmp_path / "web01.xml").write_text("someone else's")

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(output, "_read_nofollow", unreadable)
    assert existing(tmp_path, {"web01.xml": "x", "web01.toml": "y"}) == [tmp_path / "web01.xml"]
    outcome = write_and_define([build(answers())], tmp_path)
    assert outcome.error and "web01.xml" in outcome.error and not outcome.written
    assert (tmp_path / "web01.xml").read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["web01.xml"]


def test_stale_temporary_files_are_not_cleared_through_a_link(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    stale = elsewhere / f".a.xml{TMP_MARK}{dead.pid}-0"
    stale.write_text("half")
    link = tmp_path / "out"
    link.symlink_to(elsewhere)
    clear_stale({link, tmp_path / "missing"})
    assert stale.exists()
    clear_stale({elsewhere})  # the folder itself: a dead writer's file goes
    assert not stale.exists()


def test_a_stale_file_whose_name_holds_the_mark_twice_is_read_by_its_last_mark(tmp_path):
    """A guest named like a temporary file (x.zwizard-tmp-1): the writer's pid is the one
    after the last mark, so a dead writer's leftover still goes."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".x{TMP_MARK}1.xml{TMP_MARK}{dead.pid}-0"
    stale.write_text("half")
    clear_stale({tmp_path})
    assert not stale.exists()


def test_a_file_planted_at_the_temporary_name_is_never_removed(tmp_path, monkeypatch):
    """Someone put a file where zwizard's next temporary file would go: writing stops
    with an error, and that file, not zwizard's, stays as it was."""
    import itertools
    import os

    import zwizard.output as output

    monkeypatch.setattr(output, "_serial", itertools.count(7))
    planted = tmp_path / f".web01.xml{TMP_MARK}{os.getpid()}-7"
    planted.write_text("not zwizard's")
    outcome = write_and_define([build(answers())], tmp_path)
    assert outcome.error and not outcome.written
    assert planted.read_text() == "not zwizard's"
    assert sorted(p.name for p in tmp_path.iterdir()) == [planted.name]


def stand_in_virsh(folder):
    """A virsh that lists no guest (or, with a file `refuse` beside it, cannot reach the
    host) and records its calls. Told by a file, not the environment: virsh runs with
    the environment zwizard.host saw when first imported."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    log = folder / "calls"
    virsh = bin_dir / "virsh"
    virsh.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f'if [ -e {folder}/refuse ]; then echo "error: failed to connect to $2" >&2; exit 1; fi\n'
        'case "$*" in *" list "*) echo;; esac\n'
    )
    virsh.chmod(0o755)
    return bin_dir, log


def test_written_files_are_defined_where_asked(tmp_path, monkeypatch):
    bin_dir, log = stand_in_virsh(tmp_path)
    monkeypatch.setenv("PATH", str(bin_dir))
    out = tmp_path / "out"
    outcome = write_and_define([build(answers())], out, define_uri="qemu:///system")
    assert outcome.error is None and outcome.defined == ["defined web01 at qemu:///system"]
    assert [p.name for p in outcome.written] == ["web01.xml"]
    assert any(" define --validate " in line for line in log.read_text().splitlines())


def test_each_host_that_refuses_is_named_on_a_line_of_its_own(tmp_path, monkeypatch):
    bin_dir, _ = stand_in_virsh(tmp_path)
    monkeypatch.setenv("PATH", str(bin_dir))
    (tmp_path / "refuse").write_text("")
    uris = ["qemu+ssh://za/system", "qemu+ssh://zb/system"]
    outcome = write_and_define([build(answers())], tmp_path / "out", define_uri=uris)
    lines = outcome.error.split("\n")
    assert [line.split(": nothing defined there: ")[0] for line in lines] == uris
    assert all("failed to connect" in line for line in lines) and outcome.defined == []


def test_what_is_written_comes_with_its_next_steps(tmp_path):
    outcome = write_and_define([build(answers())], tmp_path)
    assert outcome.error is None
    assert any(f"virsh define --validate {tmp_path / 'web01.xml'}" in s for s in outcome.next_steps)


def test_a_killed_runs_leftover_is_known_by_its_name(tmp_path):
    """The temporary name is zwizard's across versions: .<file>.zwizard-tmp-<pid>-<n>. A
    run killed mid-write (any version) leaves such a file; the next run clears it."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".web01.xml.zwizard-tmp-{dead.pid}-0"
    stale.write_text("half")
    outcome = write_and_define([build(answers())], tmp_path)
    assert outcome.error is None and not stale.exists()


def test_a_folder_zwizard_creates_gets_the_usual_mode(tmp_path):
    """pxelinux.cfg/ and the like: made with 0o777 less the umask, as mkdir(1) would."""
    import os

    from zwizard.output import write_set

    old = os.umask(0o022)
    try:
        write_set(tmp_path, {"sub/x.cfg": "y\n"})
    finally:
        os.umask(old)
    assert (tmp_path / "sub").stat().st_mode & 0o7777 == 0o755

"""`--define` on the real daemon when other guests are there: it acts by UUID only, defines
what it built in memory, and a refusal puts back every definition the run replaced."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from tests.helpers import ASSETS, run_zwizard
from tests.system.stack import virsh


def guest_file(folder: Path, asset: str, name: str, **guest: str | int) -> Path:
    """The asset as an answers file of its own, with another name and [guest] values."""
    text = (ASSETS / f"{asset}.toml").read_text()
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{name}"', text, count=1)
    for key, value in guest.items():
        line = f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}"
        text, n = re.subn(rf"(?m)^{key} = .*$", line, text, count=1)
        if not n:
            text = text.replace("[guest]\n", f"[guest]\n{line}\n", 1)
    path = folder / f"{name}.toml"
    path.write_text(text)
    return path


def memory_kib(name: str) -> str:
    dumped = virsh("dumpxml", "--inactive", "--domain", name)
    assert dumped.returncode == 0, dumped.stderr
    return re.search(r"<memory unit='KiB'>(\d+)</memory>", dumped.stdout)[1]


def undefine(*names: str) -> None:
    listed = virsh("list", "--all", "--uuid", "--name").stdout
    for line in listed.splitlines():
        uid, _, name = line.strip().partition(" ")
        if name in names:
            virsh("undefine", uid)


def test_a_refusal_puts_back_the_definition_a_forced_run_replaced(stack, tmp_path):
    names = ("zwd-kept", "zwd-refused")
    undefine(*names)
    kept_uuid = str(uuid.uuid4())
    first = guest_file(tmp_path, "tcg-lab", "zwd-kept", uuid=kept_uuid, memory_mib=1024)
    try:
        r = run_zwizard("--answers", str(first), "-o", str(tmp_path / "a"), "--define")
        assert r.returncode == 0, r.stderr
        assert memory_kib("zwd-kept") == str(1024 * 1024)
        # the same guest with more memory, replaced with --force, and beside it a guest
        # libvirt refuses here (kvm on a machine without IBM Z): all or nothing
        bigger = guest_file(tmp_path, "tcg-lab", "zwd-kept", uuid=kept_uuid, memory_mib=2048)
        refused = guest_file(tmp_path, "minimal-rhel9", "zwd-refused")
        r = run_zwizard(
            "--answers", str(bigger), str(refused), "-o", str(tmp_path / "b"),
            "--define", "--force",
        )  # fmt: skip
        assert r.returncode == 1
        assert "does not support virt type 'kvm'" in r.stderr  # libvirt's own words
        assert memory_kib("zwd-kept") == str(1024 * 1024), "the replaced guest was not put back"
        assert virsh("dominfo", "--domain", "zwd-refused").returncode != 0
    finally:
        undefine(*names)


def test_a_guest_named_like_another_guests_uuid_is_its_own(stack, tmp_path):
    """virsh resolves a name argument as an id, then a UUID, then a name: a guest named
    like another guest's UUID must neither be refused as that guest nor replace it."""
    victim_uuid = str(uuid.uuid4())
    names = ("zwd-victim", victim_uuid)
    undefine(*names)
    victim = guest_file(tmp_path, "tcg-lab", "zwd-victim", uuid=victim_uuid, memory_mib=1024)
    try:
        r = run_zwizard("--answers", str(victim), "-o", str(tmp_path / "a"), "--define")
        assert r.returncode == 0, r.stderr
        alike = guest_file(tmp_path, "tcg-lab", victim_uuid, uuid=str(uuid.uuid4()),
                           memory_mib=2048)  # fmt: skip
        r = run_zwizard("--answers", str(alike), "-o", str(tmp_path / "b"), "--define")
        assert r.returncode == 0, r.stderr
        assert memory_kib("zwd-victim") == str(1024 * 1024), "another guest was replaced"
        listed = virsh("list", "--all", "--name").stdout.split()
        assert victim_uuid in listed and "zwd-victim" in listed
    finally:
        undefine(*names)


def test_define_uses_what_zwizard_built_not_the_file_in_the_folder(stack, tmp_path):
    """The XML is defined from memory: a file swapped in the output folder between the
    write and the define (a shared folder) is not what libvirt gets."""
    undefine("zwd-built")
    src = guest_file(tmp_path, "tcg-lab", "zwd-built", uuid=str(uuid.uuid4()))
    out = tmp_path / "out"
    out.mkdir()
    # a planted file with other content: refused as a clash, never defined
    (out / "zwd-built.xml").write_text("<domain type='qemu'><name>zwd-evil</name></domain>")
    try:
        r = run_zwizard("--answers", str(src), "-o", str(out), "--define")
        assert r.returncode == 1 and "already exists" in r.stderr
        assert virsh("dominfo", "--domain", "zwd-evil").returncode != 0
        assert virsh("dominfo", "--domain", "zwd-built").returncode != 0
    finally:
        undefine("zwd-built", "zwd-evil")

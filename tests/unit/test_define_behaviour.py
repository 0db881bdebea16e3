"""Defining in libvirt without virsh, from a mutation sample of define.py (issue 22): the
user is told what to install, nothing else happens."""

from __future__ import annotations

import pytest

from zwizard.define import DefineError, define_all


def test_without_virsh_the_message_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no virsh anywhere
    with pytest.raises(DefineError) as refused:
        define_all([("web01", "<domain/>")], "qemu:///system")
    assert str(refused.value) == "virsh is not installed (apt-get install libvirt-clients)"


def stand_in_virsh(folder, listed: str):
    """A virsh that lists `listed` and records every call (no libvirt needed). Told in its
    own text, not the environment: virsh runs with the environment zwizard.host saw when
    first imported."""
    virsh = folder / "virsh"
    log = folder / "calls"
    virsh.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\ncase "$*" in *" list "*) echo "{listed}";; esac\n'
    )
    virsh.chmod(0o755)
    return log


def test_a_guest_of_that_name_already_there_is_not_replaced_unasked(tmp_path, monkeypatch):
    log = stand_in_virsh(tmp_path, "0f8fad5b-d9cb-469f-a165-70867728950e web01")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DefineError) as refused:
        define_all([("web01", "<domain/>")], "qemu:///system")
    assert str(refused.value) == (
        "a guest named web01 is already defined at qemu:///system; use --force to replace it"
    )
    assert not any(" define " in f" {line} " for line in log.read_text().splitlines())


def refusal(folder, monkeypatch, body: str, replace: bool = False) -> str:
    """What define_all says when the only virsh on the PATH is the shell `body`."""
    virsh = folder / "virsh"
    virsh.write_text("#!/bin/sh\n" + body)
    virsh.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    with pytest.raises(DefineError) as refused:
        define_all([("web01", "<domain/>")], "qemu:///system", replace=replace)
    return str(refused.value)


def test_a_refusal_gives_libvirts_words_below_the_guests_name(tmp_path, monkeypatch):
    said = refusal(tmp_path, monkeypatch, 'case "$*" in *" list "*) echo;; *" define "*) '
                   'echo "error: XML error: bad" >&2; exit 1;; esac\n')  # fmt: skip
    assert said == "libvirt refused web01:\nerror: XML error: bad"


def test_a_host_whose_guests_cannot_be_listed_gives_virshs_words(tmp_path, monkeypatch):
    """From define's seed-83 sample: the listing's refusal carried stdout's (empty) text."""
    said = refusal(tmp_path, monkeypatch, 'echo "partial"; '
                   'echo "error: failed to connect to the hypervisor" >&2; exit 1\n')  # fmt: skip
    assert said == (
        "cannot list the guests at qemu:///system: error: failed to connect to the hypervisor"
    )


def test_a_guest_whose_definition_cannot_be_saved_first_is_not_replaced(tmp_path, monkeypatch):
    """From define's seed-83 sample: --force replaces a guest only once its old definition
    is saved (to put back on rollback); when libvirt cannot give it, nothing is defined."""
    log = tmp_path / "calls"
    said = refusal(
        tmp_path, monkeypatch, f'echo "$*" >> {log}\n'
        'case "$*" in *" list "*) echo "0f8fad5b-d9cb-469f-a165-70867728950e web01";;\n'
        '  *" dumpxml "*) echo "error: access denied" >&2; exit 1;; esac\n', replace=True,
    )  # fmt: skip
    assert said == "cannot save web01's definition first:\nerror: access denied"
    assert not any(" define " in f" {line} " for line in log.read_text().splitlines())

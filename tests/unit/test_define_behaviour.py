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

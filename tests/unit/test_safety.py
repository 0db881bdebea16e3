"""Hostile values and hostile places (issue 22): each new rule refused and allowed, and
the writer that follows no link and trusts no folder others can write to."""

from __future__ import annotations

import os
import stat

import pytest

from tests.helpers import answers
from zwizard.output import OutputError, write_set
from zwizard.rules import check

PXE = {"enabled": True, "repo": "http://10.1.2.1/rhel9/BaseOS/s390x/os/"}


def pxe_guest(**pxe):
    return answers(
        nics=[{"source": {"network": "install"}, "boot_order": 1, "mac": "52:54:00:aa:bb:01"}],
        disks=[{"path": "/var/lib/libvirt/images/web01.qcow2", "boot_order": 2}],
        pxe={**PXE, **pxe},
    )


def errors_at(a, path):
    return [f.message for f in check(a) if f.severity == "error" and f.path == path]


STATIC = {"ip": "static", "address": "10.1.2.50/24", "gateway": "10.1.2.1"}


@pytest.mark.parametrize(
    ("pxe", "path", "words", "mended"),
    [
        ({"kernel": "s390x/../../../../etc/cron.d/x"}, "pxe.kernel", "'..'",
         {"kernel": "s390x/vmlinuz"}),
        ({"initrd": "../../../root/.ssh/authorized_keys"}, "pxe.initrd", "'..'",
         {"initrd": "/rhel9/initrd.img"}),  # a leading '/' is the TFTP root itself
        ({"kernel": "-oProxyCommand=x"}, "pxe.kernel", "option", {"kernel": "k-1.img"}),
        ({"kernel": "a//b"}, "pxe.kernel", "empty path component", {"kernel": "a/b"}),
        ({"kernel": "a\\..\\..\\etc"}, "pxe.kernel", "dnsmasq", {"kernel": "a/etc"}),
        ({"tftp_root": "/"}, "pxe.tftp_root", "whole file system", {"tftp_root": "/srv/tftp"}),
        ({"tftp_root": "relative/tftp"}, "pxe.tftp_root", "absolute",
         {"tftp_root": "/srv/tftp/"}),
        ({"tftp_root": "-t/etc"}, "pxe.tftp_root", "absolute", {"tftp_root": "/t/etc"}),
        ({"tftp_root": "/srv/../etc"}, "pxe.tftp_root", "write /etc", {"tftp_root": "/etc/t"}),
        ({**STATIC, "hostname": "h:enc1:none inst.ks=http://x/evil.ks init=/bin/sh #"},
         "pxe.hostname", "systemd", {**STATIC, "hostname": "db01.example.com"}),
        ({**STATIC, "hostname": "db_01"}, "pxe.hostname", "drops it",
         {**STATIC, "hostname": "db-01"}),
        ({**STATIC, "interface": "enc1:x"}, "pxe.interface", "kernel interface",
         {**STATIC, "interface": "enc1"}),
        ({"ip": "10.1.2.50::10.1.2.1:24:a b:enc1:none"}, "pxe.ip", "host name 'a b'",
         {"ip": "10.1.2.50::10.1.2.1:24:ab:enc1:none"}),
        ({"ip": "10.1.2.50::10.1.2.1:24:ab:-enc1:none"}, "pxe.ip", "interface '-enc1'",
         {"ip": "10.1.2.50::10.1.2.1:24:ab:enc1:none"}),
        ({"repo": 'http://x/a" inst.ks=http://evil/'}, "pxe.repo", "quoted argument",
         {"repo": "http://x/a"}),
        ({"kickstart": 'http://x/k"s'}, "pxe.kickstart", "quoted argument",
         {"kickstart": "http://x/ks.cfg"}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)  # fmt: skip
def test_a_value_that_would_leave_its_place_is_refused_at_its_key(pxe, path, words, mended):
    said = errors_at(pxe_guest(**pxe), path)
    assert said and any(words in m for m in said), said
    assert not [f for f in check(pxe_guest(**mended)) if f.severity == "error"]


def test_the_guest_name_as_host_name_must_be_one_the_installer_keeps():
    """A static ip= without pxe.hostname takes the guest's name; '_' is fine for libvirt
    and dropped by NetworkManager's initrd reader: said at pxe.hostname."""
    a = pxe_guest(**STATIC)
    a.guest.name = "db_01"
    assert any("set pxe.hostname" in m for m in errors_at(a, "pxe.hostname"))
    a.pxe.hostname = "db-01"
    assert not errors_at(a, "pxe.hostname")
    a.pxe.hostname, a.pxe.ip = None, "dhcp"  # dhcp: no host name is written
    assert not errors_at(a, "pxe.hostname")


@pytest.mark.parametrize("name", ["-net", "--network=prod"])
def test_a_network_name_is_never_an_option(name):
    a = answers(nics=[{"source": {"network": name}}])
    assert any("as an option" in m for m in errors_at(a, "nics[0].source.network"))


@pytest.mark.parametrize("key", ["bridge", "direct"])
@pytest.mark.parametrize("name", ["-br0", ".", ".."])
def test_a_host_interface_name_is_one_the_kernel_takes(key, name):
    a = answers(nics=[{"source": {key: name}}])
    assert errors_at(a, f"nics[0].source.{key}")


def test_credentials_in_a_url_are_said_with_the_files_that_hold_them():
    a = pxe_guest(repo="http://admin:s3cret@10.1.2.1/rhel9/")
    warned = [f for f in check(a) if f.path == "pxe.repo" and f.severity == "warning"]
    assert warned and "TFTP serves to anyone" in warned[0].message
    assert "web01.prepare.sh" in warned[0].message and "s3cret" not in warned[0].message
    assert not [f for f in check(pxe_guest()) if f.path == "pxe.repo"]


def test_a_value_with_terminal_escapes_is_shown_escaped():
    a = pxe_guest(kernel="k\x1b]0;owned\x07\x1b[2J")
    said = " ".join(f.message for f in check(a))
    assert "\x1b" not in said and "\x07" not in said and "\\x1b" in said


# --- the writer ---------------------------------------------------------------------------


def test_a_link_below_the_output_folder_is_never_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "pxelinux.cfg").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="symbolic link"):
        write_set(out, {"a.xml": "A", "pxelinux.cfg/default": "B"})
    assert not list(elsewhere.iterdir()) and not (out / "a.xml").exists()


def test_a_link_where_a_file_goes_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.xml").symlink_to(victim)
    with pytest.raises(OutputError, match="already exists"):
        write_set(out, {"a.xml": "A"})
    write_set(out, {"a.xml": "A"}, force=True)
    assert victim.read_text() == "keep"
    assert not (out / "a.xml").is_symlink() and (out / "a.xml").read_text() == "A"


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_folder_others_can_write_to_is_refused_unless_asked(tmp_path, mode):
    out = tmp_path / "shared"
    out.mkdir()
    os.chmod(out, mode)
    with pytest.raises(OutputError, match="--shared-folder"):
        write_set(out, {"a.xml": "A"})
    assert not (out / "a.xml").exists()
    assert write_set(out, {"a.xml": "A"}, shared_ok=True)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, mode | stat.S_ISVTX)  # like /tmp: nobody can replace another's file
    assert write_set(sticky, {"a.xml": "A"})


def test_modes_follow_the_umask_except_what_is_served_and_what_is_private(tmp_path):
    old = os.umask(0o077)
    try:
        write_set(tmp_path, {"g.xml": "X", "g.prepare.sh": "S", "g.toml": "T",
                             "pxelinux.cfg/default": "P"})  # fmt: skip
    finally:
        os.umask(old)
    mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.rglob("*") if p.is_file()}
    assert mode == {"g.xml": 0o600, "g.prepare.sh": 0o600, "g.toml": 0o600, "default": 0o644}
    old = os.umask(0o022)
    try:
        write_set(tmp_path / "b", {"g.xml": "X", "g.toml": "T"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "b" / "g.xml").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b" / "g.toml").stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "big"])
def test_an_answers_file_or_draft_that_is_no_regular_file_ends_at_once(tmp_path, kind):
    from tests.helpers import run_zwizard

    path = {"device": "/dev/zero", "folder": str(tmp_path)}.get(kind, str(tmp_path / "f"))
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "big":
        with open(path, "w") as fh:
            fh.write("# x\n" * 300_000)
    for args in (["--answers", path, "--no-input"], ["--draft", path]):
        r = run_zwizard(*args, "-o", str(tmp_path / "out"))
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert path in r.stderr and not (tmp_path / "out").exists()


def test_a_live_runs_temporary_file_is_left_alone_and_a_dead_ones_removed(tmp_path):
    """clear_stale asks whether the writer is alive (signal 0) and never signals it."""
    import subprocess

    from zwizard.output import TMP_MARK, clear_stale

    alive = subprocess.Popen(["sleep", "30"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    try:
        kept = tmp_path / f".a.xml{TMP_MARK}{alive.pid}-0"
        gone = tmp_path / f".a.xml{TMP_MARK}{dead.pid}-3"
        kept.write_text("half")
        gone.write_text("half")
        clear_stale({tmp_path})
        assert kept.exists() and not gone.exists()
        with pytest.raises(subprocess.TimeoutExpired):  # still running: nothing signalled it
            alive.wait(timeout=0.5)
    finally:
        alive.kill()
        alive.wait()


def test_writing_leaves_no_descriptor_open(tmp_path):
    before = len(os.listdir("/proc/self/fd"))
    for n in range(3):
        write_set(tmp_path / str(n), {"a.xml": "A", "pxelinux.cfg/default": "B", "b/c/d": "C"})
    assert len(os.listdir("/proc/self/fd")) == before


def test_the_one_write_path_writes_the_extra_files_and_says_a_clash(tmp_path):
    from tests.helpers import answers
    from zwizard.build import build
    from zwizard.output import write_and_define

    result = build(answers())
    done = write_and_define([result], tmp_path, extra={"web01.prepare.sh": "#!/bin/sh\n"})
    assert done.error is None
    assert (tmp_path / "web01.prepare.sh").read_text() == "#!/bin/sh\n"
    (tmp_path / "web01.xml").write_text("other")
    again = write_and_define([result], tmp_path)
    assert again.error and "already exists" in again.error and not again.written

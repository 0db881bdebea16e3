"""Many hosts over libvirt's remote protocol: a real sshd on loopback makes
qemu+ssh://127.0.0.1/system a second host (the same libvirtd, reached as another
machine is), beside qemu:///system; a refused port and a port that never answers
stand for hosts that are down."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import ASSETS, run_zwizard
from tests.system.guests import cleanup
from tests.system.stack import IMAGES, run, virsh

GUESTS = ("zwhosts-a", "zwhosts-b")


@pytest.fixture(scope="module")
def ssh_host(stack, tmp_path_factory):
    from tests.e2e.conftest import _need
    from tests.e2e.terminal import Sshd

    _need(["sshd", "ssh"])
    server = Sshd(tmp_path_factory.mktemp("sshd"))
    server.start()
    yield f"qemu+ssh://{server.user}@127.0.0.1:{server.port}/system?keyfile={server.key}&no_verify=1"
    server.stop()


@pytest.fixture
def silent_port():
    """A TCP port that accepts and then says nothing: ssh waits for a banner for ever."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_hosts_table_reads_a_remote_host_like_the_local_one(ssh_host, report):
    done = run_zwizard("hosts", "--virttype", "qemu", "qemu:///system", ssh_host)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "this host  (qemu:///system)" in out
    assert "127.0.0.1:" in out and "read through libvirt" in out
    local, remote = out.split("\n\n")[:2]
    # the same daemon, read two ways: the same CPU models and machine types
    for key in ("usable CPU models", "machine types", "s390-ccw-virtio is"):
        mine = next(line for line in local.splitlines() if key in line)
        theirs = next(line for line in remote.splitlines() if key in line)
        assert mine == theirs
    assert "common to this host, 127.0.0.1:" in out
    report("hosts", "remote", "read")


def test_guests_are_judged_on_every_host_and_defined_on_the_chosen_one(ssh_host, tmp_path, report):
    for name in GUESTS:
        cleanup(name)
    IMAGES.mkdir(parents=True, exist_ok=True)
    files = []
    for name in GUESTS:
        disk = IMAGES / f"{name}.qcow2"
        run("qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M")
        path = tmp_path / f"{name}.toml"
        path.write_text(
            f'version = 1\n[guest]\nname = "{name}"\nos = "rhel9"\nmemory_mib = 1024\n'
            f'vcpus = 1\ndomain_type = "qemu"\n[cpu]\nmode = "maximum"\n'
            f'[[disks]]\npath = "{disk}"\nboot_order = 1\n'
        )
        files.append(str(path))
    dead = "qemu+ssh://root@127.0.0.1:1/system"
    try:
        done = run_zwizard(
            "--answers", *files, "-o", str(tmp_path / "out"),
            "--connect", "qemu:///system", "--connect", ssh_host, "--connect", dead,
            "--define", ssh_host,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "127.0.0.1:1 was not judged" in done.stderr
        listed = virsh("list", "--all", "--name").stdout.split()
        assert set(GUESTS) <= set(listed)
        assert f"defined zwhosts-a at {ssh_host}" in done.stdout
        # again, without --force: that host refuses the whole set, in libvirt's and our words
        again = run_zwizard(
            "--answers", *files, "-o", str(tmp_path / "out2"), "--define", ssh_host,
        )  # fmt: skip
        assert again.returncode == 1
        assert "nothing defined there" in again.stderr and "already defined" in again.stderr
        report("hosts", "define", "remote")
    finally:
        for name in GUESTS:
            cleanup(name)


def test_a_host_that_never_answers_costs_one_timeout_not_a_hang(stack, silent_port, report):
    started = time.monotonic()
    done = run_zwizard(
        "hosts", "--virttype", "qemu", "qemu:///system",
        f"qemu+ssh://root@127.0.0.1:{silent_port}/system",
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 1
    assert "not reachable" in done.stdout and "no answer within" in done.stdout
    assert "this host  (qemu:///system)" in done.stdout
    assert took < 20, took
    report("hosts", "silent host", f"{took:.0f} s")


def test_prepare_judges_against_a_remote_host(ssh_host, tmp_path):
    done = run_zwizard(
        "prepare", str(ASSETS / "tcg-pxe.toml"), "--dry-run", "--connect", ssh_host,
        "--other-host",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "host: " in done.stderr and "define libvirt network default" in done.stdout
    assert Path(tmp_path).exists()

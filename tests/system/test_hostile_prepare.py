"""prepare's install-server script, run for real as root on a hostile TFTP root.

The TFTP root is shared ground: whoever can write there (another admin's guest, a
compromised dnsmasq user, a careless `chmod 777`) can plant symlinks before the root-run
script copies pxelinux files and downloads the installer's kernel and initrd into it. The
script zwizard writes must keep every write inside that root: it checks each resolved
target, downloads to a temporary file in the same folder and renames it into place, does
not replace another guest's `pxelinux.cfg/default`, and uses only the files of its folder
it was written with (their sha256).

Each case runs `zwizard --answers` and `zwizard prepare` as separate processes, then the
script as root in a private mount namespace whose /etc is an overlay: whatever the script
writes "into /etc" lands in the overlay's upper folder, where the test sees it and the
machine does not. The kernel and initrd come from a local HTTP server on 127.0.0.1.
Victims outside the root are files of the test's own folder.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.system.conftest import unavailable
from tests.unit.test_hostile import asset, tree, write_answers, zw

MAC_FILE = "01-52-54-00-3a-10-01"  # assets/pxe-install.toml's NIC
KERNEL = b"ZWH-KERNEL\n" * 64
INITRD = b"ZWH-INITRD\n" * 64
PRECIOUS = "precious: not to be written by zwizard's script\n"


@pytest.fixture(scope="module")
def namespaces() -> None:
    if os.geteuid() != 0:
        unavailable("the install-server script runs as root (mount namespaces, /etc overlay)")
    for tool in ("unshare", "curl", "install"):
        if shutil.which(tool) is None:
            unavailable(f"{tool} is missing")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        unavailable(f"unshare -m does not work here: {probe.stderr.strip()}")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Iterator[str]:
    """An install tree on 127.0.0.1: os/images/kernel.img and initrd.img."""
    root = tmp_path_factory.mktemp("repo")
    images = root / "os" / "images"
    images.mkdir(parents=True)
    (images / "kernel.img").write_bytes(KERNEL)
    (images / "initrd.img").write_bytes(INITRD)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/os/"
    finally:
        server.shutdown()


class Setup:
    """The guest's files in `out`, its TFTP root `tftp`, an /etc overlay, victims."""

    def __init__(self, tmp: Path, repo: str) -> None:
        self.tmp = tmp
        self.tftp = tmp / "tftp"
        self.out = tmp / "out"
        self.upper = tmp / "overlay" / "upper"
        self.work = tmp / "overlay" / "work"
        for folder in (self.tftp, self.upper, self.work):
            folder.mkdir(parents=True)
        data = asset("pxe-install")
        data["guest"]["name"] = "zwh-hostile"
        data["pxe"] |= {"tftp_root": str(self.tftp), "repo": repo,
                        "kernel": "s390x/kernel.img", "initrd": "s390x/initrd.img"}  # fmt: skip
        answers = write_answers(tmp / "answers", data)
        for args in (("--answers", answers, "-o", self.out),
                     ("prepare", "--other-host", answers, "-o", self.out)):  # fmt: skip
            ran = zw(*args, cwd=tmp)
            assert ran.code == 0, ran.report()
        self.script = self.out / "zwh-hostile.prepare.sh"
        self.wrote = {p.name: p.read_bytes() for p in (self.out / "pxelinux.cfg").iterdir()}

    def victim(self, name: str, text: str = PRECIOUS) -> Path:
        path = self.tmp / "victims" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return path

    def outside(self) -> dict[str, str]:
        """Everything of the test's folder that is not the TFTP root or the overlay."""
        return {k: v for k, v in tree(self.tmp).items() if not k.startswith(("tftp", "overlay"))}

    def run(self) -> subprocess.CompletedProcess:
        inner = (
            f"mount -t overlay overlay -o lowerdir=/etc,upperdir={self.upper},"
            f"workdir={self.work} /etc && sh {self.script}"
        )
        return subprocess.run(
            ["unshare", "-m", "sh", "-c", inner], capture_output=True, text=True, timeout=120
        )

    def etc_written(self) -> list[str]:
        return sorted(str(p.relative_to(self.upper)) for p in self.upper.rglob("*"))


@pytest.fixture
def setup(namespaces, repo, tmp_path) -> Setup:
    return Setup(tmp_path, repo)


def said(done: subprocess.CompletedProcess) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def test_on_a_clean_tftp_root_the_script_installs_everything_and_nothing_else(setup):
    """The twin of every case below: nothing planted, everything lands where it should."""
    before = setup.outside()
    done = setup.run()
    assert done.returncode == 0, said(done)
    assert (setup.tftp / "s390x" / "kernel.img").read_bytes() == KERNEL
    assert (setup.tftp / "s390x" / "initrd.img").read_bytes() == INITRD
    for name, content in setup.wrote.items():
        assert (setup.tftp / "pxelinux.cfg" / name).read_bytes() == content
    assert sorted(tree(setup.tftp)) == sorted(
        ["pxelinux.cfg", "s390x", "s390x/kernel.img", "s390x/initrd.img",
         *(f"pxelinux.cfg/{n}" for n in setup.wrote)]
    ), "a temporary file was left in the TFTP root"  # fmt: skip
    assert setup.etc_written() == [] and setup.outside() == before
    again = setup.run()
    assert again.returncode == 0, said(again)


def test_a_folder_symlinked_to_etc_is_not_written_through(setup):
    (setup.tftp / "s390x").symlink_to("/etc")
    before = setup.outside()
    done = setup.run()
    assert setup.etc_written() == [], f"written into /etc: {setup.etc_written()}\n{said(done)}"
    assert setup.outside() == before


def test_a_kernel_symlinked_to_a_file_outside_is_not_written_through(setup):
    victim = setup.victim("empty-victim", "")  # empty: `[ -s ]` does not call it done
    (setup.tftp / "s390x").mkdir()
    (setup.tftp / "s390x" / "kernel.img").symlink_to(victim)
    done = setup.run()
    assert victim.read_text() == "", f"curl wrote through the symlink\n{said(done)}"
    assert setup.etc_written() == []


def test_a_dangling_initrd_symlink_does_not_create_a_file_outside(setup):
    target = setup.tmp / "victims" / "created-by-curl"
    target.parent.mkdir()
    (setup.tftp / "s390x").mkdir()
    (setup.tftp / "s390x" / "initrd.img").symlink_to(target)
    before = setup.outside()
    done = setup.run()
    assert not target.exists(), f"curl created {target} through the symlink\n{said(done)}"
    assert setup.outside() == before


def test_a_pxelinux_file_symlinked_to_passwd_is_not_written_through(setup):
    (setup.tftp / "pxelinux.cfg").mkdir()
    (setup.tftp / "pxelinux.cfg" / MAC_FILE).symlink_to("/etc/passwd")
    victim = setup.victim("passwd-like")
    (setup.tftp / "pxelinux.cfg" / "default").symlink_to(victim)
    done = setup.run()
    assert setup.etc_written() == [], f"written into /etc: {setup.etc_written()}\n{said(done)}"
    assert victim.read_text() == PRECIOUS, said(done)


def test_a_pxelinux_cfg_symlinked_to_etc_is_not_written_through(setup):
    (setup.tftp / "pxelinux.cfg").symlink_to("/etc")
    done = setup.run()
    assert setup.etc_written() == [], f"written into /etc: {setup.etc_written()}\n{said(done)}"


def test_the_tftp_root_symlinked_below_to_a_victim_folder_is_not_written_through(setup):
    victims = setup.tmp / "victims" / "folder"
    victims.mkdir(parents=True)
    (setup.tftp / "s390x").symlink_to(victims)
    (setup.tftp / "pxelinux.cfg").symlink_to(victims)
    done = setup.run()
    assert list(victims.iterdir()) == [], f"written outside the root\n{said(done)}"


def test_another_guests_pxelinux_default_is_not_replaced(setup):
    other = "# pxelinux\ndefault other\nlabel other\nkernel other/k\ninitrd other/i\nappend x\n"
    (setup.tftp / "pxelinux.cfg").mkdir()
    (setup.tftp / "pxelinux.cfg" / "default").write_text(other)
    done = setup.run()
    assert (setup.tftp / "pxelinux.cfg" / "default").read_text() == other, said(done)
    assert "pxelinux.cfg/default" in done.stdout + done.stderr, said(done)


def test_a_pxelinux_file_changed_in_the_output_folder_is_not_used(setup):
    """Another user who can write the output folder edits the file the script copies."""
    tampered = setup.out / "pxelinux.cfg" / "default"
    tampered.write_text(tampered.read_text().rstrip("\n") + " init=/bin/sh\n")
    done = setup.run()
    assert done.returncode != 0, f"the script ran with a changed input\n{said(done)}"
    copied = setup.tftp / "pxelinux.cfg" / "default"
    assert not copied.exists() or b"init=/bin/sh" not in copied.read_bytes(), said(done)
    assert not (setup.tftp / "s390x").exists(), "changed things before refusing"

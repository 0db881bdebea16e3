"""End-to-end tier: tmux (and OpenSSH) installed by the tests themselves when root."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.e2e.terminal import Sshd, Tmux

PACKAGES = {"tmux": "tmux", "sshd": "openssh-server", "ssh": "openssh-client"}


def _need(commands: list[str]) -> None:
    path = os.environ.get("PATH", "") + ":/usr/sbin"
    missing = [c for c in commands if not shutil.which(c, path=path)]
    if not missing:
        return
    packages = sorted({PACKAGES[c] for c in missing})
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
            env=env, capture_output=True, timeout=900,
        )  # fmt: skip
        missing = [c for c in commands if not shutil.which(c, path=path)]
    if missing:
        reason = f"needs {', '.join(packages)} (apt-get install {' '.join(packages)})"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"e2e tier cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def tmux(request):
    _need(["tmux"])
    term = Tmux(request.node.name[:40].replace("[", "-").replace("]", ""))
    yield term
    term.kill()


@pytest.fixture
def sshd(tmp_path_factory):
    _need(["tmux", "sshd", "ssh"])
    server = Sshd(tmp_path_factory.mktemp("sshd"))
    server.start()
    yield server
    server.stop()

"""Real terminals for end-to-end tests: tmux sessions, and an OpenSSH server on loopback."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ZWIZARD = str(Path(sys.executable).with_name("zwizard"))


class Tmux:
    """One tmux server of our own (-L), so tests never touch a user's sessions."""

    def __init__(self, name: str, width: int = 100, height: int = 32) -> None:
        self.socket = f"zwizard-test-{os.getpid()}-{name}"
        self.width, self.height = width, height

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check
        )

    def start(self, command: str) -> None:
        # remain-on-exit (set before the session exists) keeps the last screen readable
        # after the program ends, however fast it ends
        args = (
            "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
            "new-session", "-d", "-s", "t", "-x", str(self.width), "-y", str(self.height),
            # a detached pane can drop what is printed before it has settled
            f"sleep 0.3; {command}",
        )  # fmt: skip
        # a server just killed may still hold its socket for a moment: try again briefly
        for _ in range(20):
            if self._tmux(*args, check=False).returncode == 0:
                return
            time.sleep(0.25)
        self._tmux(*args)  # raises with tmux's own words

    def keys(self, *keys: str, literal: bool = False, delay: float = 0.35) -> None:
        args = ["send-keys", "-t", "t", *(["-l"] if literal else []), *keys]
        self._tmux(*args)
        time.sleep(delay)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self, history: bool = False) -> str:
        """The visible screen; with `history` also what scrolled off (plain output)."""
        extra = ["-S", "-"] if history else []
        return self._tmux("capture-pane", "-p", *extra, "-t", "t", check=False).stdout

    def painted(self, seconds: float = 1.6) -> set[str]:
        """The screen with its colours, as often as it differs over `seconds`: a blinking
        cursor shows two states, so one capture alone would compare by chance."""
        states = set()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            states.add(self._tmux("capture-pane", "-e", "-p", "-t", "t", check=False).stdout)
            time.sleep(0.15)
        return states

    def settled(self, tries: int = 8) -> set[str]:
        """`painted()` once two windows in a row saw the same states: on a busy host the
        last keys of a burst may still be drawing after any fixed wait (seen in CI). A
        stale paint never settles into a repaint's picture, so waiting hides none."""
        last = self.painted()
        for _ in range(tries):
            now = self.painted()
            if now == last:
                return now
            last = now
        return last

    def repaint(self) -> None:
        """Make the program draw the whole screen anew (a resize and back)."""
        self._tmux("resize-window", "-t", "t", "-x", str(self.width + 1), "-y", str(self.height))
        time.sleep(0.6)
        self._tmux("resize-window", "-t", "t", "-x", str(self.width), "-y", str(self.height))
        time.sleep(0.8)

    def wait_for(self, text: str, timeout: float = 20, history: bool = False) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(history)
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{screen}")

    def pane_pid(self) -> int:
        return int(self._tmux("display-message", "-p", "-t", "t", "#{pane_pid}").stdout.strip())

    def dead(self) -> bool:
        out = self._tmux("display-message", "-p", "-t", "t", "#{pane_dead}", check=False)
        return out.stdout.strip() == "1"

    def kill(self) -> None:
        self._tmux("kill-server", check=False)


def wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as f:  # an exited process tmux has not reaped
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        time.sleep(0.1)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sshd:
    """A throwaway OpenSSH server on 127.0.0.1 that lets this user in with a test key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        self.key = folder / "client_key"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        sshd = shutil.which("sshd", path=os.environ.get("PATH", "") + ":/usr/sbin")
        keygen = shutil.which("ssh-keygen")
        if not sshd or not keygen or not shutil.which("ssh"):
            raise RuntimeError("OpenSSH (openssh-server, openssh-client) is not installed")
        f = self.folder
        for key in ("host_key", "client_key"):
            subprocess.run(
                [keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(f / key)], check=True
            )
        (f / "authorized_keys").write_text((f / "client_key.pub").read_text())
        (f / "sshd_config").write_text(
            f"ListenAddress 127.0.0.1\nPort {self.port}\nHostKey {f / 'host_key'}\n"
            f"AuthorizedKeysFile {f / 'authorized_keys'}\nPidFile {f / 'sshd.pid'}\n"
            "UsePAM no\nStrictModes no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
            "PrintMotd no\nPrintLastLog no\nAcceptEnv LANG LC_* TERM NO_COLOR\n"
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(f / "sshd_config")],
            stdout=subprocess.DEVNULL,
            stderr=(f / "sshd.log").open("wb"),
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"sshd did not start: {(f / 'sshd.log').read_text()[-1000:]}")

    def command(self, remote: str) -> str:
        """The client command line (for tmux) that runs `remote` on a real tty."""
        return (
            f"ssh -tt -i {self.key} -p {self.port} -o StrictHostKeyChecking=no "
            f"-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR "
            f"{self.user}@127.0.0.1 '{remote}'"
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

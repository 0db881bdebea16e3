"""Asking libvirt: `virsh` as a Runner (one command a call, or many over one connection),
answers fetched up front, and what a connection URI says (another host? its name? an ssh
URI that never prompts)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

TIMEOUT = 5.0
C_LOCALE = {**os.environ, "LC_ALL": "C"}
Runner = Callable[[list[str]], str | None]


class Virsh:
    """`virsh -c URI` as a Runner: one command per call (stdout, or None when it failed;
    `last_error` keeps virsh's words), or many in one connection with `batch`. Over ssh
    nothing may ask for a password: stdin is closed, and libvirt's no_tty=1 is added to
    ssh URIs (BatchMode)."""

    def __init__(self, uri: str, timeout: float = TIMEOUT) -> None:
        self.uri = batch_uri(uri)
        self.timeout = timeout
        self.exe = shutil.which("virsh")
        self.last_error = ""

    def _virsh(
        self, args: list[str], timeout: float | None = None
    ) -> subprocess.CompletedProcess | None:
        if self.exe is None:
            self.last_error = "virsh is not installed"
            return None
        timeout = timeout or self.timeout
        try:
            return subprocess.run(
                [self.exe, "-c", self.uri, *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                env=C_LOCALE,  # virsh translates its tables; zwizard reads them
            )
        except subprocess.TimeoutExpired:
            self.last_error = f"no answer within {timeout:g} s"
        except OSError as exc:
            self.last_error = exc.strerror or str(exc)
        return None

    def __call__(self, args: list[str]) -> str | None:
        out = self._virsh(args)
        if out is None:
            return None
        if out.returncode != 0:
            self.last_error = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else ""
            return None
        return out.stdout

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        """Many commands over one connection (virsh runs a ';'-separated list and goes on
        after a failing one): a failed command's output is empty; None for all when the
        connection failed."""
        if not commands:
            return []
        import secrets
        import shlex

        # a marker of this call's own: guest data (a <description>, a name) cannot hold
        # it, so no guest can forge where one command's output ends and the next begins
        mark = f"{BATCH_MARK}{secrets.token_hex(16)}-"
        script = "; ".join(
            f"echo {mark}{i}; " + " ".join(shlex.quote(a) for a in cmd)
            for i, cmd in enumerate(commands)
        )
        # a host with many AP queues asks for hundreds of definitions: each may take a
        # little time, the connection itself is what the timeout guards
        out = self._virsh([script], self.timeout + 0.05 * len(commands))
        if out is None:
            return [None] * len(commands)
        parts = out.stdout.split(mark)[1:]
        found: dict[int, str] = {}
        for part in parts:
            head, _, body = part.partition("\n")
            if head.strip().isdigit():
                found[int(head)] = body
        if not found and out.stderr.strip():  # no connection: virsh's own words
            self.last_error = out.stderr.strip().splitlines()[-1]
        # a command that ran but failed leaves its section empty: read as empty output
        return [found.get(i) for i in range(len(commands))]


BATCH_MARK = "@@zwizard-batch-"


class Prefetched:
    """A Runner whose answers to `commands` were asked for up front — over one
    connection where the runner can batch (virsh), else in parallel; other commands
    (and batches) go to the runner underneath."""

    def __init__(self, run: Runner, commands: list[list[str]]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.run = run
        if hasattr(run, "batch"):  # one connection: over ssh each costs a key exchange
            answers = run.batch(commands)
        else:
            with ThreadPoolExecutor(max_workers=8) as pool:
                answers = list(pool.map(run, commands))
        self.cache = {tuple(c): a for c, a in zip(commands, answers, strict=True)}

    def add_batch(self, commands: list[list[str]]) -> None:
        answers = batch(self.run, commands)
        self.cache.update({tuple(c): a for c, a in zip(commands, answers, strict=True)})

    def __call__(self, args: list[str]) -> str | None:
        key = tuple(args)
        return self.cache[key] if key in self.cache else self.run(args)

    def batch(self, commands: list[list[str]]) -> list[str | None]:
        missing = [c for c in commands if tuple(c) not in self.cache]
        if missing:
            self.add_batch(missing)
        return [self.cache[tuple(c)] for c in commands]


def batch(run: Runner, commands: list[list[str]]) -> list[str | None]:
    """Many virsh commands: in one connection where the runner can, else one by one."""
    many = getattr(run, "batch", None)
    return many(commands) if many is not None else [run(c) for c in commands]


def virsh_runner(uri: str) -> Runner:
    return Virsh(uri)


def is_remote(uri: str) -> bool:
    """qemu+ssh://host/system, qemu+tls://host/system or qemu://host/system reach
    another machine; qemu:///system is this one."""
    scheme, _, rest = uri.partition("://")
    return "+" in scheme or bool(rest.split("/", 1)[0])


def host_label(uri: str) -> str:
    """How messages name a host: its host name, or 'this host'."""
    if not is_remote(uri):
        return "this host"
    netloc = uri.partition("://")[2].split("/", 1)[0]
    return netloc.rpartition("@")[2] or uri


def batch_uri(uri: str) -> str:
    """An ssh URI that never prompts: libvirt's no_tty=1 makes ssh run in BatchMode."""
    scheme = uri.partition("://")[0]
    if "ssh" not in scheme or "no_tty=" in uri:
        return uri
    return uri + ("&" if "?" in uri else "?") + "no_tty=1"

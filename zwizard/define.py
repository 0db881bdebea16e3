"""Define written guests in libvirt, all of them or none."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class DefineError(Exception):
    """libvirt refused; the message carries its words verbatim. Nothing stays defined."""


def _virsh(uri: str, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("virsh")
    if exe is None:
        raise DefineError("virsh is not installed (apt-get install libvirt-clients)")
    from zwizard.host import C_LOCALE, batch_uri

    try:  # stdin closed and ssh in batch mode: nothing may ask for a password
        return subprocess.run(
            [exe, "-c", batch_uri(uri), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=C_LOCALE,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise DefineError(f"{uri} gave no answer within 60 s") from None


def _guests(uri: str) -> dict[str, str]:
    """name -> UUID of every guest defined at `uri`. virsh resolves a name argument as an
    id, then a UUID, then a name, so a guest named '7' or like a UUID would reach another
    guest: zwizard asks for the list and acts by UUID only."""
    r = _virsh(uri, "list", "--all", "--uuid", "--name")
    if r.returncode != 0:
        raise DefineError(f"cannot list the guests at {uri}: {(r.stderr or r.stdout).strip()}")
    found = {}
    for line in r.stdout.splitlines():
        uuid, _, name = line.strip().partition(" ")
        if name:
            found[name] = uuid
    return found


def _define_file(uri: str, folder: Path, xml: str) -> subprocess.CompletedProcess:
    """`virsh define --validate` of XML held in memory, through a private file: what is
    defined is what zwizard built, never a file someone could swap in the output folder."""
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".xml", dir=folder)
    with open(fd, "w", encoding="utf-8") as fh:
        fh.write(xml)
    # --validate: libvirt checks the file against its own schema, where it would
    # otherwise drop an element it does not know without a word
    return _virsh(uri, "define", "--validate", path)


def define_all(guests: list[tuple[str, str]], uri: str, *, replace: bool = False) -> list[str]:
    """`virsh define` each guest (its name, its XML); on a refusal, undo what this call
    did — undefine what it defined, put back what it replaced — and raise.

    An existing guest of the same name is never replaced unless `replace`, and then its
    definition is saved first.
    """
    import re
    import tempfile

    defined: list[str] = []  # UUIDs new at this host
    replaced: list[tuple[str, str]] = []  # UUID, the definition it had
    lines = []
    with tempfile.TemporaryDirectory(prefix="zwizard-define-") as private:
        folder = Path(private)
        try:
            known = _guests(uri)
            for name, xml in guests:
                uuid = known.get(name)
                if uuid is not None and not replace:
                    raise DefineError(
                        f"a guest named {name} is already defined at {uri}; use --force to "
                        "replace it"
                    )
                if uuid is not None:
                    saved = _virsh(uri, "dumpxml", "--inactive", "--security-info", uuid)
                    if saved.returncode != 0:
                        said = (saved.stderr or saved.stdout).strip()
                        raise DefineError(f"cannot save {name}'s definition first:\n{said}")
                    replaced.append((uuid, saved.stdout))
                r = _define_file(uri, folder, xml)
                if r.returncode != 0:
                    said = (r.stderr or r.stdout).strip()
                    raise DefineError(f"libvirt refused {name}:\n{said}")
                if uuid is None:
                    own = re.search(r"<uuid>([0-9a-fA-F-]{36})</uuid>", xml)
                    defined.append(own[1] if own else _guests(uri).get(name, name))
                lines.append(f"defined {name} at {uri}")
        except DefineError:
            for uuid in defined:
                _virsh(uri, "undefine", uuid)
            for _uuid, old in reversed(replaced):
                _define_file(uri, folder, old)
            raise
    return lines


def define_on_hosts(
    guests: list[tuple[str, str]], uris: list[str], *, replace: bool = False
) -> tuple[list[str], list[str]]:
    """Every guest on every host, all or nothing per host, the hosts in parallel:
    (what was defined, each refusal with its host and libvirt's words)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(uri: str) -> tuple[list[str], str | None]:
        try:
            return define_all(guests, uri, replace=replace), None
        except DefineError as exc:
            return [], f"{uri}: nothing defined there: {exc}"

    with ThreadPoolExecutor(max_workers=min(len(uris), 8) or 1) as pool:
        results = list(pool.map(one, uris))
    defined = [line for lines, _ in results for line in lines]
    errors = [err for _, err in results if err]
    return defined, errors

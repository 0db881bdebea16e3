"""Define written guests in libvirt, all of them or none."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lxml import etree


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


def define_all(xmls: list[Path], uri: str, *, replace: bool = False) -> list[str]:
    """`virsh define` each file; on a refusal, undefine what this call defined and raise.

    An existing guest of the same name is never replaced unless `replace`.
    """
    defined: list[str] = []
    lines = []
    try:
        for xml in xmls:
            name = etree.parse(str(xml)).findtext("name")
            exists = _virsh(uri, "dominfo", name).returncode == 0
            if exists and not replace:
                raise DefineError(
                    f"a guest named {name} is already defined at {uri}; use --force to replace it"
                )
            # --validate: libvirt checks the file against its own schema, where it would
            # otherwise drop an element it does not know without a word
            r = _virsh(uri, "define", "--validate", str(xml))
            if r.returncode != 0:
                said = (r.stderr or r.stdout).strip()
                raise DefineError(f"libvirt refused {xml}:\n{said}")
            if not exists:
                defined.append(name)
            lines.append(f"defined {name} at {uri}")
    except DefineError:
        for name in defined:
            _virsh(uri, "undefine", name)
        raise
    return lines


def define_on_hosts(
    xmls: list[Path], uris: list[str], *, replace: bool = False
) -> tuple[list[str], list[str]]:
    """Every guest on every host, all or nothing per host, the hosts in parallel:
    (what was defined, each refusal with its host and libvirt's words)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(uri: str) -> tuple[list[str], str | None]:
        try:
            return define_all(xmls, uri, replace=replace), None
        except DefineError as exc:
            return [], f"{uri}: nothing defined there: {exc}"

    with ThreadPoolExecutor(max_workers=min(len(uris), 8) or 1) as pool:
        results = list(pool.map(one, uris))
    defined = [line for lines, _ in results for line in lines]
    errors = [err for _, err in results if err]
    return defined, errors

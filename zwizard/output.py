"""Write a set of output files all at once, or not at all.

Every file is first written to a temporary file beside its target and synced;
only when all of them exist are they renamed into place. Existing files are
never replaced unless `force` is given.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from zwizard.structure import field, record

if TYPE_CHECKING:
    from zwizard.build import Build

_serial = itertools.count()
TMP_MARK = ".zwizard-tmp-"  # .<name>.zwizard-tmp-<pid>-<n>: ours, and whose


class OutputError(Exception):
    """Nothing was written; the message says why."""


def existing(outdir: Path, files: dict[str, str]) -> list[Path]:
    """Files that exist with other content (the same content is no conflict: a run
    repeated over its own complete or half-written output just finishes the job)."""
    clash = []
    for rel, text in files.items():
        path = outdir / rel
        if path.exists():
            try:
                same = path.is_file() and path.read_bytes() == text.encode("utf-8")
            except OSError:
                same = False
            if not same:
                clash.append(path)
    return clash


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(folders: set[Path]) -> None:
    """Remove temporary files a killed zwizard run left (its pid is gone)."""
    for folder in folders:
        if not folder.is_dir():
            continue
        for tmp in folder.glob(f".*{TMP_MARK}*"):
            pid = tmp.name.rsplit(TMP_MARK, 1)[1].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                tmp.unlink(missing_ok=True)


def write_set(outdir: str | Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write `files` (relative path -> text) below `outdir`; returns the paths written
    (or already there with exactly this content)."""
    root = Path(outdir)
    clear_stale({(root / rel).parent for rel in files})
    if not force:
        clash = existing(root, files)
        if clash:
            names = ", ".join(str(p) for p in clash)
            raise OutputError(f"{names} already exists; use --force to replace (nothing written)")
    staged: list[tuple[str, Path]] = []
    try:
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                raise OutputError(f"{target} is a directory (nothing written)")
            tmp = str(target.parent / f".{target.name}{TMP_MARK}{os.getpid()}-{next(_serial)}")
            # listed before it exists: a signal between open and append leaves nothing
            staged.append((tmp, target))
            try:  # O_EXCL: never follow or reuse a file someone else put there
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                staged.pop()  # not ours: never remove it
                raise
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        _discard(staged)
        raise OutputError(
            f"cannot write {exc.filename or root}: {exc.strerror} (nothing written)"
        ) from None
    except BaseException:  # OutputError, or Ctrl-C / SIGTERM mid-write: leave nothing behind
        _discard(staged)
        raise
    return [target for _, target in staged]


def _discard(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        Path(tmp).unlink(missing_ok=True)


@record
class Outcome:
    """What one write did: files, libvirt's answer, the next steps — or why nothing."""

    written: list[Path] = field(default_factory=list)
    defined: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    error: str | None = None


def write_and_define(
    results: list[Build],
    outdir: Path,
    *,
    force: bool = False,
    define_uri: str | list[str] | None = None,
    extra: dict[str, str] | None = None,
) -> Outcome:
    """The one path from checked guests to files (all or nothing), then `virsh define`
    (all or nothing; an existing guest replaced only with `force`), then next steps."""
    from zwizard.build import next_steps

    if not all(r.ok for r in results):
        return Outcome(error="the guest breaks a rule: nothing written")
    merged = {rel: text for r in results for rel, text in r.files.items()}
    merged.update(extra or {})  # the wizard's host preparation script, written with them
    try:
        outcome = Outcome(written=write_set(outdir, merged, force=force))
    except OutputError as exc:
        return Outcome(error=str(exc))
    uris = [define_uri] if isinstance(define_uri, str) else list(define_uri or [])
    if uris:
        from zwizard.define import define_on_hosts

        xmls = [outdir / r.xml_name for r in results]
        # each host gets every guest or none (libvirt's words when it refuses); one
        # host's refusal leaves the others as they are, and says which
        outcome.defined, errors = define_on_hosts(xmls, uris, replace=force)
        if errors:
            outcome.error = "\n".join(errors)
    for r in results:
        outcome.next_steps += next_steps(r, outdir, prepared=set(extra or ()))
    return outcome

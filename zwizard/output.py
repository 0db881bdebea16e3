"""Write a set of output files all at once, or not at all.

Every file is first written to a temporary file beside its target and synced;
only when all of them exist are they renamed into place. Existing files are
never replaced unless `force` is given.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_serial = itertools.count()


class OutputError(Exception):
    """Nothing was written; the message says why."""


def existing(outdir: Path, files: dict[str, str]) -> list[Path]:
    return [outdir / rel for rel in files if (outdir / rel).exists()]


def write_set(outdir: str | Path, files: dict[str, str], *, force: bool = False) -> list[Path]:
    """Write `files` (relative path -> text) below `outdir`; returns the paths written."""
    root = Path(outdir)
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
            tmp = str(target.parent / f".{target.name}.{os.getpid()}.{next(_serial)}.tmp")
            # O_EXCL: never follow or reuse a file someone else put there
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(
            f"cannot write {exc.filename or root}: {exc.strerror} (nothing written)"
        ) from None
    except OutputError:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    return [target for _, target in staged]

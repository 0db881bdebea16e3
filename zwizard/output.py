"""Write a set of output files all at once, or not at all.

Every file is first written to a temporary file beside its target and synced;
only when all of them exist are they renamed into place. Existing files are
never replaced unless `force` is given.
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from zwizard.structure import field, record

if TYPE_CHECKING:
    from zwizard.build import Build

_serial = itertools.count()
TMP_MARK = ".zwizard-tmp-"  # .<name>.zwizard-tmp-<pid>-<n>: ours, and whose


class OutputError(Exception):
    """Nothing was written; the message says why."""


def file_mode(rel: str) -> int | None:
    """The mode a written file gets: what TFTP serves to the network is world-readable
    (tftpd and libvirt's dnsmasq read it as another user); answers and drafts, which may
    hold a repository's password, are the owner's alone; the rest follows the umask."""
    if rel.startswith("pxelinux.cfg/"):
        return 0o644
    if rel.endswith(".toml"):
        return 0o600
    return None


def existing(outdir: Path, files: dict[str, str]) -> list[Path]:
    """Files that exist with other content (the same content is no conflict: a run
    repeated over its own complete or half-written output just finishes the job). A
    symbolic link where a file would go is never read through: it is a clash."""
    clash = []
    for rel, text in files.items():
        path = outdir / rel
        if path.is_symlink():
            clash.append(path)
        elif path.exists():
            try:
                same = path.is_file() and _read_nofollow(path) == text.encode("utf-8")
            except OSError:
                same = False
            if not same:
                clash.append(path)
    return clash


def _read_nofollow(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(1 << 24)


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
        if folder.is_symlink() or not folder.is_dir():
            continue  # never reach through a link below the output folder
        for tmp in folder.glob(f".*{TMP_MARK}*"):
            pid = tmp.name.rsplit(TMP_MARK, 1)[1].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                tmp.unlink(missing_ok=True)


def _shared(st: os.stat_result) -> bool:
    """Writable by group or others without the sticky bit: another user can swap a file."""
    return bool(st.st_mode & 0o022) and not st.st_mode & stat.S_ISVTX


def _open_folder(root: Path, parts: tuple[str, ...], opened: dict, shared_ok: bool) -> int:
    """A descriptor of root/parts, made where missing, reached without following any
    symbolic link below `root` (the folder named by the user is taken as it is)."""
    key = parts
    if key in opened:
        return opened[key]
    if not parts:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        where = root
    else:
        parent = _open_folder(root, parts[:-1], opened, shared_ok)
        name = parts[-1]
        where = root.joinpath(*parts)
        try:
            os.mkdir(name, 0o777, dir_fd=parent)
        except FileExistsError:
            pass
        try:
            fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                kind = "a symbolic link" if os.path.islink(where) else "not a folder"
                raise OutputError(
                    f"{where} is {kind}: zwizard follows no link below the output folder "
                    "(nothing written)"
                ) from None
            raise
    opened[key] = fd
    if not shared_ok and _shared(os.fstat(fd)):
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        raise OutputError(
            f"{where} is writable by other users (mode {mode:04o}) without the sticky bit: "
            "any of them could replace what zwizard writes there before it is used; write "
            "to a folder of your own, or pass --shared-folder if that is meant (nothing written)"
        )
    return fd


def write_set(
    outdir: str | Path,
    files: dict[str, str],
    *,
    force: bool = False,
    shared_ok: bool = False,
) -> list[Path]:
    """Write `files` (relative path -> text) below `outdir`; returns the paths written
    (or already there with exactly this content). Below `outdir` no symbolic link is
    followed, and a folder other users can write to is refused unless `shared_ok`."""
    root = Path(outdir)
    clear_stale({(root / rel).parent for rel in files})
    if not force:
        clash = existing(root, files)
        if clash:
            names = ", ".join(str(p) for p in clash)
            raise OutputError(f"{names} already exists; use --force to replace (nothing written)")
    opened: dict[tuple[str, ...], int] = {}
    staged: list[tuple[int, str, str, Path]] = []  # folder fd, temporary name, name, path
    try:
        for rel, text in files.items():
            *folders, name = Path(rel).parts
            target = root / rel
            dfd = _open_folder(root, tuple(folders), opened, shared_ok)
            try:
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                st = None
            if st is not None and stat.S_ISDIR(st.st_mode):
                raise OutputError(f"{target} is a directory (nothing written)")
            tmp = f".{name}{TMP_MARK}{os.getpid()}-{next(_serial)}"
            # listed before it exists: a signal between open and append leaves nothing
            staged.append((dfd, tmp, name, target))
            mode = file_mode(rel)
            try:  # O_EXCL: never follow or reuse a file someone else put there
                fd = os.open(
                    tmp,
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                    0o600 if mode is not None else 0o666,  # 0o666 less the umask
                    dir_fd=dfd,
                )
            except FileExistsError:
                staged.pop()  # not ours: never remove it
                raise
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
        for dfd, tmp, name, _ in staged:
            # rename replaces a link planted at the name; it never writes through one
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except OSError as exc:
        _discard(staged)
        raise OutputError(
            f"cannot write {exc.filename or root}: {exc.strerror} (nothing written)"
        ) from None
    except BaseException:  # OutputError, or Ctrl-C / SIGTERM mid-write: leave nothing behind
        _discard(staged)
        raise
    finally:
        for fd in opened.values():
            os.close(fd)
    return [target for *_, target in staged]


def _discard(staged: list[tuple[int, str, str, Path]]) -> None:
    for dfd, tmp, _, _ in staged:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except FileNotFoundError:
            pass


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
    shared_ok: bool = False,
    answers_files: list[Path | None] | None = None,
) -> Outcome:
    """The one path from checked guests to files (all or nothing), then `virsh define`
    (all or nothing; an existing guest replaced only with `force`), then next steps.
    `answers_files`: for each guest, the answers file its next steps name (None: none)."""
    from zwizard.build import next_steps

    if not all(r.ok for r in results):
        return Outcome(error="the guest breaks a rule: nothing written")
    merged = {rel: text for r in results for rel, text in r.files.items()}
    merged.update(extra or {})  # the wizard's host preparation script, written with them
    try:
        outcome = Outcome(written=write_set(outdir, merged, force=force, shared_ok=shared_ok))
    except OutputError as exc:
        return Outcome(error=str(exc))
    uris = [define_uri] if isinstance(define_uri, str) else list(define_uri or [])
    if uris:
        from zwizard.define import define_on_hosts

        # what zwizard built, not the files just written: the folder may be shared
        guests = [(r.answers.guest.name, r.files[r.xml_name]) for r in results]
        # each host gets every guest or none (libvirt's words when it refuses); one
        # host's refusal leaves the others as they are, and says which
        outcome.defined, errors = define_on_hosts(guests, uris, replace=force)
        if errors:
            outcome.error = "\n".join(errors)
    sources = list(answers_files or []) + [None] * len(results)
    for r, source in zip(results, sources, strict=False):
        outcome.next_steps += next_steps(r, outdir, prepared=set(extra or ()), answers_file=source)
    return outcome

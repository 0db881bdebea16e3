"""Drafts: half-finished sessions, kept in the answers-file format.

A draft is an answers file that may be incomplete, plus a `[draft]` table with
what only the wizard needs: the step the user was on, whether the guest was
written already, and `pending` — text typed into a field that is not valid yet
(a draft never loses what the user typed). Autosaves live in the user's XDG
state directory; `newest_unfinished` is what a plain `zwizard` offers to resume.
"""

from __future__ import annotations

import os
import time
import tomllib
from pathlib import Path

from zwizard.answers import AnswersError, dumps, from_data
from zwizard.draftmeta import DraftMeta
from zwizard.model import Answers
from zwizard.output import OutputError as OutputError  # what `save` may raise
from zwizard.output import write_set
from zwizard.structure import encode, field, fields, record


@record
class Draft(DraftMeta):
    """A half-finished session: the answers, the [draft] table's fields (DraftMeta:
    step, finished, pending, other_host, field) and the file it came from."""

    answers: Answers = field(default_factory=Answers)
    path: Path | None = None

    @property
    def label(self) -> str:
        name = self.answers.guest.name or "unnamed guest"
        when = ""
        if self.path and self.path.exists():
            when = time.strftime(
                " (saved %Y-%m-%d %H:%M)", time.localtime(self.path.stat().st_mtime)
            )
        return f"{name}{when}"


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "zwizard" / "drafts"


def draft_stem(answers: Answers) -> str:
    """What an autosave's file name starts with: the guest's name once it is one the
    name rule takes (never 'web 01!' or a half-typed 'web/'), else 'unnamed'."""
    from zwizard.rules import GUEST_NAME

    name = answers.guest.name
    return name if name and GUEST_NAME.fullmatch(name) else "unnamed"


def new_draft_path(answers: Answers, folder: Path | None = None) -> Path:
    folder = folder or state_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = draft_stem(answers)
    path = folder / f"{name}-{stamp}.toml"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{name}-{stamp}-{n}.toml"
    return path


def meta_of(draft: Draft) -> DraftMeta:
    meta = DraftMeta(**{f.name: getattr(draft, f.name) for f in fields(DraftMeta)})
    meta.pending = dict(sorted(meta.pending.items()))
    return meta


def dump_draft(draft: Draft) -> str:
    """The answers, then the [draft] table: both written by the one encoder from the
    model's declarations, so the reader and the writer cannot drift apart."""
    return dumps({**encode(draft.answers), "draft": encode(meta_of(draft))})


def save(draft: Draft, path: Path | None = None, *, replace: bool = True) -> Path:
    """Write the draft atomically to `path` (default: a new file in the state directory)."""
    target = path or new_draft_path(draft.answers)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_set(target.parent, {target.name: dump_draft(draft)}, force=replace)
    return target


def autosave_path(draft: Draft | None) -> Path | None:
    """Where autosaves of this session go: the draft's own file when it is one of ours
    (a resumed autosave), else None (a new file in the state directory). A file the
    user opened from elsewhere is never rewritten behind their back."""
    if draft is None or draft.path is None:
        return None
    try:
        draft.path.resolve().relative_to(state_dir().resolve())
    except ValueError:
        return None
    return draft.path


def load(path: str | Path) -> Draft:
    """Read a draft (or any answers file) back; raises AnswersError when it cannot."""
    from zwizard.userfiles import read_regular

    p = Path(path)
    try:
        text = read_regular(p).decode("utf-8")
    except UnicodeDecodeError as exc:
        from zwizard.answers import Problem

        raise AnswersError([Problem(str(p), None, "", f"not UTF-8 text: {exc.reason}")]) from None
    except OSError as exc:
        from zwizard.answers import Problem

        raise AnswersError([Problem(str(p), None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        from zwizard.answers import parse

        parse(text, str(p), draft=True)  # raises with file and line
        raise
    from zwizard.answers import KeyLines, draft_meta

    meta = draft_meta(data.pop("draft", {}), str(p), KeyLines(text))
    answers = from_data(data, str(p), text, draft=True)
    return Draft(answers=answers, path=p, **vars(meta))


def newest_unfinished(folder: Path | None = None) -> Draft | None:
    folder = folder or state_dir()
    if not folder.is_dir():
        return None
    candidates = sorted(folder.glob("*.toml"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        try:
            draft = load(path)
        except (AnswersError, tomllib.TOMLDecodeError):
            continue
        if not draft.finished:
            return draft
    return None

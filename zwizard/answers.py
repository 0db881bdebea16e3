"""Answers files and drafts: TOML in, Answers out, and back.

An error always names the file, the key path and, where it can be found, the
line. tomllib gives no positions for keys, so `KeyLines` maps key paths to
lines with a light scan of the text, which is enough for the flat shape of
answers files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from zwizard.draftmeta import DraftMeta
from zwizard.lazy import Pattern
from zwizard.model import FORMAT_VERSION, Answers
from zwizard.structure import decode, encode, record

MAX_ANSWERS_BYTES = 1 << 20


@record(frozen=True)
class Problem:
    """Why an input could not be read: file, line (when known), key path, message."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class AnswersError(Exception):
    """The input could not be read or parsed; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


_HEADER = Pattern(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
_KEY = Pattern(r"^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*)$")
_INLINE_KEY = Pattern(r"([A-Za-z0-9_\-]+)\s*=")
BARE_KEY = Pattern(r"[A-Za-z0-9_\-]+")  # TOML bare keys


class KeyLines:
    """Key path -> line number in a TOML text."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counters: dict[str, int] = {}
        prefix = ""
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            header = _HEADER.match(line)
            if header:
                name = header[2]
                if header[1] == "[[":
                    counters[name] = counters.get(name, -1) + 1
                    prefix = f"{name}[{counters[name]}]"
                else:
                    prefix = name
                self.lines.setdefault(prefix, number)
                continue
            key = _KEY.match(line)
            if key:
                path = f"{prefix}.{key[1]}" if prefix else key[1]
                self.lines.setdefault(path, number)
                value = key[2]
                if value.lstrip().startswith("{"):
                    for inner in _INLINE_KEY.findall(value):
                        self.lines.setdefault(f"{path}.{inner}", number)

    def find(self, path: str) -> int | None:
        """The line of `path`, or of the nearest enclosing key that is in the text."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path) if re.search(r"[.\[]", path) else ""
        return None


def parse(
    text: str, source: str = "<answers>", *, draft: bool = False, partial: bool = False
) -> Answers:
    """Text of an answers file -> Answers. Raises AnswersError with every problem found.

    A draft may leave required keys out; an answers file may not.
    """
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise AnswersError(
            [Problem(source, None, "", "TOML nested too deeply: answers files are flat")]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match[1]) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        col = f", column {match[2]}" if match else ""
        raise AnswersError(
            [Problem(source, line, "", f"TOML syntax error{col}: {message}")]
        ) from None
    return from_data(data, source, text, draft=draft, partial=partial)


def from_data(
    data: dict[str, Any],
    source: str,
    text: str = "",
    *,
    draft: bool = False,
    partial: bool = False,
) -> Answers:
    """Plain data -> Answers. A draft may lack anything; a partial answers file may
    lack required keys (they are asked for, or listed by `missing`) but not its version."""
    version = data.get("version", FORMAT_VERSION if draft else None)
    lines = KeyLines(text)
    if "draft" in data:
        # A draft is an answers file that may be incomplete: its [draft] table is fine
        # here, but text still waiting to become a valid value is not.
        pending = draft_meta(data["draft"], source, lines).pending
        data = {k: v for k, v in data.items() if k != "draft"}
        if pending and not draft:
            raise AnswersError(
                [
                    Problem(source, lines.find("draft"), str(key),
                            f"not finished in the wizard: {value!r} is not a valid value yet")
                    for key, value in pending.items()
                ]
            )  # fmt: skip
    if version != FORMAT_VERSION:
        found = "missing" if version is None else repr(version)
        raise AnswersError(
            [
                Problem(
                    source,
                    lines.find("version"),
                    "version",
                    f"answers format version {found}; this zwizard reads version "
                    f"{FORMAT_VERSION} (write version = {FORMAT_VERSION} at the top)",
                )
            ]
        )
    answers, errs = decode(Answers, data)
    if draft or partial:
        errs = [e for e in errs if not e.message.startswith("required key")]
    if errs:
        raise AnswersError([Problem(source, lines.find(e.path), e.path, e.message) for e in errs])
    return answers


def draft_meta(meta: Any, source: str, lines: KeyLines) -> DraftMeta:
    """The [draft] table, decoded by the model's DraftMeta like any other table, or
    every problem with it."""
    decoded, errs = decode(DraftMeta, meta, "draft")
    if errs:
        raise AnswersError([Problem(source, lines.find("draft"), e.path, e.message) for e in errs])
    return decoded


def load(
    path: str | Path, *, draft: bool = False, partial: bool = False
) -> tuple[Answers, KeyLines]:
    """Read an answers file (or a draft) from disk."""
    from zwizard.userfiles import read_regular

    p = Path(path)
    try:
        raw = read_regular(p, MAX_ANSWERS_BYTES)
    except OSError as exc:
        raise AnswersError([Problem(str(p), None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersError([Problem(str(p), None, "", f"not UTF-8 text: {exc.reason}")]) from None
    return parse(text, str(p), draft=draft, partial=partial), KeyLines(text)


def fill_generated(answers: Answers, outdir: Path | None = None) -> list[str]:
    """Give the guest a UUID when it has none; says what it generated.

    MACs need no storing: they derive from the UUID (devices.nic.derived_mac). When `outdir`
    already holds this guest's XML written by zwizard (an earlier or interrupted run of
    the same answers), its UUID is kept, so running again finishes the job instead of
    clashing with a new identity.
    """
    if answers.guest.uuid is not None:
        return []
    earlier = _earlier_uuid(outdir / f"{answers.guest.name}.xml") if outdir else None
    if earlier and outdir is not None:
        answers.guest.uuid = earlier
        return [f"guest.uuid = {earlier} (kept from {outdir / answers.guest.name}.xml)"]
    import uuid

    answers.guest.uuid = str(uuid.uuid4())
    return [f"guest.uuid = {answers.guest.uuid} (generated)"]


def _earlier_uuid(path: Path) -> str | None:
    if not path.is_file() or path.stat().st_size > MAX_ANSWERS_BYTES:
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if "urn:x-zwizard:domain:1" not in text:
        return None  # not ours: never borrow another guest's identity
    match = re.search(r"<uuid>([0-9a-f-]{36})</uuid>", text)
    return match[1] if match else None


def missing(answers: Answers) -> list[str]:
    """Key paths an answers file left open that no default can fill."""
    from zwizard.devices import entries

    out = [] if answers.guest.name else ["guest.name"]
    for kind, path, item in entries(answers):
        out += [f"{path}.{key}" for key in kind.missing(item)]
    return out


# --- writing drafts --------------------------------------------------------------------


_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
                 "\f": "\\f", "\r": "\\r"}  # fmt: skip


def toml_string(text: str) -> str:
    """A TOML basic string that reads back as exactly `text`: TOML forbids U+0000-U+001F
    and U+007F unescaped (JSON's escaping misses U+007F). A lone surrogate cannot be
    stored in UTF-8 at all; it becomes U+FFFD (the `text` rule refuses such values)."""
    out = ['"']
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        elif "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_key(key: object) -> str:
    """A bare key where TOML allows one; else quoted (a draft's pending key paths hold
    dots and brackets, which a bare key would read as nested tables)."""
    text = str(key)  # TOML keys are text: 1 = … reads back as the key "1"
    return text if BARE_KEY.fullmatch(text) else toml_string(text)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(lines: list[str], data: dict[str, Any]) -> None:
    for key, value in data.items():
        lines.append(f"{toml_key(key)} = {toml_value(value)}")


def dumps(answers: Answers | dict[str, Any]) -> str:
    """Answers (or the raw data of a draft) -> TOML text in the contract's layout."""
    data = encode(answers) if not isinstance(answers, dict) else answers
    data = {"version": FORMAT_VERSION, **data}
    lines = [f"version = {FORMAT_VERSION}"]
    for key, value in data.items():
        if key == "version":
            continue
        if isinstance(value, dict):
            lines += ["", f"[{key}]"]
            _table(lines, value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                lines += ["", f"[[{key}]]"]
                _table(lines, item)
        else:
            lines.insert(1, f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"

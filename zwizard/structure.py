"""Turn plain data (parsed TOML) into the model's dataclasses, and back.

One declaration per field serves three purposes: decoding with exact key paths,
encoding (drafts), and the JSON Schema printed by `zwizard schema`. pydantic
would do the same but costs about as much start-up time as the whole answers
run is allowed, so this small, strict decoder stands in.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import MISSING, dataclass, field
from typing import Any, Literal, Union, get_args, get_origin


@dataclass(frozen=True)
class DecodeError:
    """A value in the input that does not fit the answers format."""

    path: str
    message: str


def spec(
    default: Any = MISSING,
    doc: str = "",
    *,
    factory: Any = MISSING,
    required: bool = False,
    always: bool = False,
    **schema: Any,
) -> Any:
    """Declare a model field with its documentation and extra JSON Schema keywords.

    `required` marks a key an answers file must give even though the dataclass
    has a default (so that an empty draft can still be built); `always` writes
    the key into drafts even at its default, where a reader needs to see it.
    """
    no_default = default is MISSING and factory is MISSING
    meta = {"doc": doc, "schema": schema, "required": required or no_default, "always": always}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def join(path: str, key: str | int) -> str:
    """Key path notation used in every message: `disks[1].loadparm`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def hints(cls: type) -> dict[str, Any]:
    """Field types of a dataclass (the model keeps real annotations, so no string
    evaluation and no typing.get_type_hints at start-up)."""
    return {f.name: f.type for f in dataclasses.fields(cls)}


def _describe(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(tp))
    if origin in (Union, types.UnionType):
        parts = [_describe(a) for a in get_args(tp) if a is not type(None)]
        return " or ".join(parts)
    if origin is dict:
        return f"a table with {_describe(get_args(tp)[1])} for each value"
    return {str: "a string", int: "an integer", bool: "true or false"}.get(tp, str(tp))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class Decoder:
    """Collects every error instead of stopping at the first one."""

    def __init__(self) -> None:
        self.errors: list[DecodeError] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(DecodeError(path, message))

    def value(self, tp: Any, data: Any, path: str) -> Any:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            options = [a for a in get_args(tp) if a is not type(None)]
            if data is None:
                return None
            for option in options:
                probe = Decoder()
                result = probe.value(option, data, path)
                if not probe.errors:
                    return result
            if len(options) == 1:
                return self.value(options[0], data, path)
            self.fail(path, f"expected {_describe(tp)}, found {_kind(data)}")
            return None
        if origin is Literal:
            allowed = get_args(tp)
            if data not in allowed:
                self.fail(path, f"expected {_describe(tp)}, found {_kind(data)}")
                return None
            return data
        if origin is list:
            (item_tp,) = get_args(tp)
            if not isinstance(data, list):
                self.fail(path, f"expected a list, found {_kind(data)}")
                return []
            return [self.value(item_tp, item, join(path, i)) for i, item in enumerate(data)]
        if origin is dict:  # free keys (key paths in a draft), values of one type
            _, item_tp = get_args(tp)
            if not isinstance(data, dict):
                self.fail(path, f"expected {_describe(tp)}, found {_kind(data)}")
                return {}
            return {k: self.value(item_tp, v, f'{path}."{k}"') for k, v in data.items()}
        if dataclasses.is_dataclass(tp):
            return self.table(tp, data, path)
        if tp is bool:
            if not isinstance(data, bool):
                self.fail(path, f"expected true or false, found {_kind(data)}")
            return data
        if tp is int:
            if isinstance(data, bool) or not isinstance(data, int):
                self.fail(path, f"expected an integer, found {_kind(data)}")
            return data
        if tp is str:
            if not isinstance(data, str):
                self.fail(path, f"expected a string, found {_kind(data)}")
            return data
        raise TypeError(f"unsupported field type {tp!r}")  # a model bug, not input

    def table(self, cls: type, data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            self.fail(path or "(top level)", f"expected a table, found {_kind(data)}")
            return blank(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in data:
            if key not in fields:
                import difflib  # only on this error path

                close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = ", ".join(fields)
                self.fail(join(path, key), f"unknown key '{key}'{hint} (known here: {known})")
        kwargs = {}
        types_ = hints(cls)
        for name, f in fields.items():
            sub = join(path, name)
            if name in data:
                kwargs[name] = self.value(types_[name], data[name], sub)
            elif f.metadata.get("required"):
                self.fail(sub, f"required key '{name}' is missing ({_describe(types_[name])})")
                if f.default is MISSING and f.default_factory is MISSING:
                    kwargs[name] = None
        return cls(**kwargs)


_PATH_PART = None


def path_parts(path: str) -> list[str]:
    """`disks[1].loadparm` -> ['disks', '[1]', 'loadparm']; `nics[+]` ends in '[+]'."""
    import re

    global _PATH_PART
    if _PATH_PART is None:
        _PATH_PART = re.compile(r"[^.\[\]]+|\[\+\]|\[\d+\]")
    return _PATH_PART.findall(path)


def lookup(obj: Any, path: str) -> Any:
    """The value at a key path (None where a table on the way is absent)."""
    for part in path_parts(path):
        if obj is None:
            return None
        obj = obj[int(part[1:-1])] if part.startswith("[") else getattr(obj, part)
    return obj


def assign(obj: Any, path: str, value: Any) -> None:
    """Set the value at a key path; a final `[+]` appends to the list. An optional table
    on the way that is absent (`zpci` of `passthrough[0].zpci.uid`) is created."""
    parts = path_parts(path)
    for part in parts[:-1]:
        if part.startswith("["):
            obj = obj[int(part[1:-1])]
            continue
        child = getattr(obj, part)
        if child is None and dataclasses.is_dataclass(obj):
            options = [t for t in get_args(hints(type(obj))[part]) if dataclasses.is_dataclass(t)]
            if options:
                child = blank(options[0])
                setattr(obj, part, child)
        obj = child
    last = parts[-1]
    if last == "[+]":
        obj.append(value)
    elif last.startswith("["):
        obj[int(last[1:-1])] = value
    else:
        setattr(obj, last, value)


def blank(cls: type) -> Any:
    """An instance with defaults, and None where a field has no default (the decoder has
    reported it): a wrong value must never crash the decoding itself."""
    kwargs = {
        f.name: None
        for f in dataclasses.fields(cls)
        if f.default is MISSING and f.default_factory is MISSING
    }
    return cls(**kwargs)


def is_default(obj: Any, path: str) -> bool:
    """The value at `path` is what a blank table of its kind holds (a key left out).
    True too where the path leads nowhere (a list item not there)."""
    parent_path, _, key = path.rpartition(".")
    try:
        parent = lookup(obj, parent_path) if parent_path else obj
    except (AttributeError, IndexError, TypeError):
        return True
    if parent is None or not dataclasses.is_dataclass(parent):
        return True
    return bool(getattr(parent, key) == getattr(blank(type(parent)), key))


def decode(cls: type, data: Any, path: str = "") -> tuple[Any, list[DecodeError]]:
    """Decode `data` into `cls`; the result is usable even when errors were found."""
    decoder = Decoder()
    result = decoder.table(cls, data, path)
    return result, decoder.errors


def encode(obj: Any) -> Any:
    """Model -> plain data for TOML, leaving out what is unset or at its default."""
    if dataclasses.is_dataclass(obj):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is None:
                continue
            if f.metadata.get("always"):
                out[f.name] = encode(value)
                continue
            if f.default is not MISSING and value == f.default:
                continue
            if f.default_factory is not MISSING and value == f.default_factory():
                continue
            out[f.name] = encode(value)
        return out
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, dict):
        return {k: encode(v) for k, v in obj.items()}
    return obj


def json_schema(cls: type) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a dataclass tree."""
    schema = _schema_of(cls)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _schema_of(tp: Any) -> dict[str, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if len(options) == 1:
            return _schema_of(options[0])
        return {"anyOf": [_schema_of(a) for a in options]}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin is list:
        return {"type": "array", "items": _schema_of(get_args(tp)[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_of(get_args(tp)[1])}
    if dataclasses.is_dataclass(tp):
        props: dict[str, Any] = {}
        required = []
        for f in dataclasses.fields(tp):
            prop = _schema_of(hints(tp)[f.name])
            if f.metadata.get("doc"):
                prop["description"] = f.metadata["doc"]
            prop.update(f.metadata.get("schema", {}))
            if f.default is not MISSING and f.default is not None and f.default != "":
                prop["default"] = f.default
            if f.metadata.get("required"):
                required.append(f.name)
            props[f.name] = prop
        out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
        if tp.__doc__:
            out["description"] = " ".join(tp.__doc__.split())
        if required:
            out["required"] = required
        return out
    simple = {str: "string", int: "integer", bool: "boolean"}
    return {"type": simple[tp]}


def record(cls: type) -> type:
    """A model dataclass whose `__eq__` and `__repr__` are shared functions, not generated
    ones: Python 3.11 compiles every generated method with its own `exec`, and for the
    model's classes that was a tenth of the answers mode's whole run (issue 11)."""
    made = dataclass(eq=False, repr=False)(cls)
    made._record_fields = tuple(f.name for f in dataclasses.fields(made))  # type: ignore[attr-defined]
    made.__eq__ = _record_eq  # type: ignore[method-assign,assignment]
    made.__repr__ = _record_repr  # type: ignore[method-assign,assignment]
    made.__hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq
    return made


def _record_eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(getattr(self, n) == getattr(other, n) for n in self._record_fields)


def _record_repr(self: Any) -> str:
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._record_fields)
    return f"{self.__class__.__qualname__}({inner})"

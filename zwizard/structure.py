"""The model's record classes, and turning plain data (parsed TOML) into them and back.

One declaration per field serves three purposes: decoding with exact key paths,
encoding (drafts), and the JSON Schema printed by `zwizard schema`. pydantic
would do the same but costs about as much start-up time as the whole answers
run is allowed, so this small, strict decoder stands in.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, Literal, TypeVar, Union, dataclass_transform, get_args, get_origin, overload


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # no default given


class Field:
    """One declared field of a record: its name, type, default and metadata."""

    __slots__ = ("default", "default_factory", "metadata", "name", "type")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.metadata: dict[str, Any] = metadata or {}

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING, metadata: Any = None) -> Any:
    """A field with a default, a factory for a fresh mutable default, or metadata."""
    return Field(default, default_factory, metadata)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order."""
    return obj._record_fields


def is_record(obj: Any) -> bool:
    """A record class or instance."""
    return hasattr(obj, "_record_fields")


_T = TypeVar("_T")


# a type checker reads a record as it reads a dataclass: its constructor from its fields
@overload
@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type[_T], /) -> type[_T]: ...
@overload
@dataclass_transform(field_specifiers=(field, Field))
def record(*, frozen: bool = ..., order: bool = ...) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def record(cls: type | None = None, /, *, frozen: bool = False, order: bool = False) -> Any:
    """A class of named fields, as @dataclass makes one, without the dataclasses module.

    Importing dataclasses loads `inspect`, and @dataclass compiles every generated
    method with its own `exec`; for the model's classes that was a fifth of the answers
    mode's run (issue 11). Here `__init__`, `__eq__` and `__repr__` are shared functions
    that read the class's field table. Fields are the class's annotations (its bases'
    first); a default is a plain value, `field(...)` or `spec(...)`. `frozen` refuses
    assignment and hashes by value; `order` compares as the tuple of the fields.
    """
    if cls is None:
        return lambda c: _make_record(c, frozen, order)
    return _make_record(cls, frozen, order)


def _make_record(cls: type, frozen: bool, order: bool) -> type:
    table: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "_record_fields", ()):
            table[f.name] = f
    # the class's own annotations only (its bases' are in their tables); not
    # inspect.get_annotations: importing inspect is what records avoid
    for name, tp in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if _is_classvar(tp):
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name, f.type = name, tp
        if isinstance(value, Field):  # a plain default stays a class attribute, as dataclass
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
        if isinstance(f.default, list | dict | set):
            raise ValueError(f"{cls.__name__}.{name}: a mutable default needs default_factory")
        table[name] = f  # a base's field redeclared keeps its place, as in a dataclass
    seen_default = False
    for f in table.values():
        has = f.default is not MISSING or f.default_factory is not MISSING
        if seen_default and not has:
            raise TypeError(f"{cls.__name__}: '{f.name}' has no default but follows one that has")
        seen_default |= has
    made: Any = cls
    made._record_fields = tuple(table.values())
    made._record_names = tuple(table)
    made._record_nameset = frozenset(table)
    made._record_required = frozenset(
        f.name for f in table.values() if f.default is MISSING and f.default_factory is MISSING
    )
    made._record_defaults = {f.name: f.default for f in table.values() if f.default is not MISSING}
    made._record_factories = tuple(
        (f.name, f.default_factory) for f in table.values() if f.default_factory is not MISSING
    )
    made.__init__ = _record_init
    made.__eq__ = _record_eq
    made.__repr__ = _record_repr
    if frozen:
        made.__setattr__ = _frozen_setattr
        made.__delattr__ = _frozen_setattr
        made.__hash__ = _record_hash
    else:
        made.__hash__ = None  # mutable and compared by value: unhashable, as a dataclass
    if order:
        made.__lt__ = _record_lt
        made.__le__ = _record_le
        made.__gt__ = _record_gt
        made.__ge__ = _record_ge
    return made


def _is_classvar(tp: Any) -> bool:
    if isinstance(tp, str):
        return tp.startswith(("ClassVar", "typing.ClassVar"))
    from typing import ClassVar

    return tp is ClassVar or get_origin(tp) is ClassVar


def _record_init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    names = cls._record_names
    if args:
        if len(args) > len(names):
            raise TypeError(
                f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} "
                "were given"
            )
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{cls.__name__}() got multiple values for argument '{name}'")
            kwargs[name] = value
    unknown = kwargs.keys() - cls._record_nameset
    if unknown:
        raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{min(unknown)}'")
    missing = cls._record_required - kwargs.keys()
    if missing:
        raise TypeError(
            f"{cls.__name__}() missing required argument(s): "
            + ", ".join(f"'{n}'" for n in names if n in missing)
        )
    state = self.__dict__
    state.update(cls._record_defaults)
    for name, factory in cls._record_factories:
        if name not in kwargs:
            state[name] = factory()
    state.update(kwargs)


def _as_tuple(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, n) for n in obj._record_names)


def _record_eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(getattr(self, n) == getattr(other, n) for n in self._record_names)


def _record_repr(self: Any) -> str:
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._record_names)
    return f"{self.__class__.__qualname__}({inner})"


def _pair(a: Any, b: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    return (_as_tuple(a), _as_tuple(b)) if b.__class__ is a.__class__ else None


def _record_lt(a: Any, b: Any) -> bool:
    pair = _pair(a, b)
    return NotImplemented if pair is None else pair[0] < pair[1]


def _record_le(a: Any, b: Any) -> bool:
    pair = _pair(a, b)
    return NotImplemented if pair is None else pair[0] <= pair[1]


def _record_gt(a: Any, b: Any) -> bool:
    pair = _pair(a, b)
    return NotImplemented if pair is None else pair[0] > pair[1]


def _record_ge(a: Any, b: Any) -> bool:
    pair = _pair(a, b)
    return NotImplemented if pair is None else pair[0] >= pair[1]


def _record_hash(self: Any) -> int:
    return hash(_as_tuple(self))


def _frozen_setattr(self: Any, name: str, *value: Any) -> None:
    raise AttributeError(f"cannot assign to field '{name}' of frozen {type(self).__name__}")


@record(frozen=True)
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
        return Field(default_factory=factory, metadata=meta)
    return Field(default=default, metadata=meta)


def join(path: str, key: str | int) -> str:
    """Key path notation used in every message: `disks[1].loadparm`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def hints(cls: type) -> dict[str, Any]:
    """Field types of a record (the model keeps real annotations, so no string
    evaluation and no typing.get_type_hints at start-up)."""
    return {f.name: f.type for f in fields(cls)}


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
    return f"a TOML {type(value).__name__} ({value})"  # a date or time: TOML's other types


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
        if is_record(tp):
            return self.table(tp, data, path)
        if tp is bool:
            if not isinstance(data, bool):
                self.fail(path, f"expected true or false, found {_kind(data)}")
            return data
        if tp is int:
            if isinstance(data, bool) or not isinstance(data, int):
                hint = ""
                if isinstance(data, str) and path.endswith("_mib"):
                    from zwizard.units import mib_hint

                    # the wizard's words for the same text: `8G` -> write 8192
                    hint = f" ({mib_hint(data)} MiB)" if mib_hint(data) else ""
                self.fail(path, f"expected an integer, found {_kind(data)}{hint}")
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
        declared = {f.name: f for f in fields(cls)}
        for key in data:
            if key not in declared:
                import difflib  # only on this error path

                close = difflib.get_close_matches(key, list(declared), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = ", ".join(declared)
                self.fail(join(path, key), f"unknown key '{key}'{hint} (known here: {known})")
        kwargs = {}
        for name, f in declared.items():  # a field carries its type: no second table
            sub = join(path, name)
            if name in data:
                kwargs[name] = self.value(f.type, data[name], sub)
            elif f.metadata.get("required"):
                self.fail(sub, f"required key '{name}' is missing ({_describe(f.type)})")
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
        if child is None and is_record(obj):
            options = [t for t in get_args(hints(type(obj))[part]) if is_record(t)]
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
        f.name: None for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING
    }
    return cls(**kwargs)


def holder(obj: Any, path: str) -> tuple[Any, str]:
    """The record that holds the key at `path`, and the key; None where the path leads
    nowhere (a list item not there, a table that is not one)."""
    parent_path, _, key = path.rpartition(".")
    try:
        parent = lookup(obj, parent_path) if parent_path else obj
    except (AttributeError, IndexError, TypeError):
        return None, key
    return (parent if parent is not None and is_record(parent) else None), key


def is_default(obj: Any, path: str) -> bool:
    """The value at `path` is what a blank table of its kind holds (a key left out).
    True too where the path leads nowhere (a list item not there)."""
    parent, key = holder(obj, path)
    if parent is None:
        return True
    return bool(getattr(parent, key) == getattr(blank(type(parent)), key))


def decode(cls: type, data: Any, path: str = "") -> tuple[Any, list[DecodeError]]:
    """Decode `data` into `cls`; the result is usable even when errors were found."""
    decoder = Decoder()
    result = decoder.table(cls, data, path)
    return result, decoder.errors


def encode(obj: Any) -> Any:
    """Model -> plain data for TOML, leaving out what is unset or at its default."""
    if is_record(obj):
        out: dict[str, Any] = {}
        for f in fields(obj):
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
    if is_record(tp):
        props: dict[str, Any] = {}
        required = []
        for f in fields(tp):
            prop = _schema_of(f.type)
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

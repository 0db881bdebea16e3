"""zwizard's record classes behave as the dataclasses they replace: the model, drafts and
every finding rely on defaults, fresh mutable defaults, equality and clear errors."""

from __future__ import annotations

import copy
from typing import ClassVar

import pytest

from zwizard.address import Ccw
from zwizard.findings import Finding
from zwizard.model import Answers, Disk, Guest
from zwizard.structure import (
    MISSING,
    DecodeError,
    assign,
    blank,
    decode,
    encode,
    field,
    fields,
    is_default,
    is_record,
    json_schema,
    lookup,
    record,
    spec,
)


@record
class Base:
    name: str
    size: int = 1
    tags: list[str] = field(default_factory=list)


@record
class Child(Base):
    size: int = 2  # a base's field redeclared keeps its place
    extra: str | None = None


def test_defaults_factories_and_keywords_fill_a_record_in_declaration_order():
    a, b = Base("x"), Base("y", 5, ["t"])
    assert (a.name, a.size, a.tags) == ("x", 1, [])
    assert (b.name, b.size, b.tags) == ("y", 5, ["t"])
    a.tags.append("mine")
    assert Base("z").tags == []  # every instance gets its own list
    assert Base(name="k", tags=["q"]).tags == ["q"]
    assert [f.name for f in fields(Child)] == ["name", "size", "tags", "extra"]
    assert Child("c").size == 2
    assert repr(Child("c", extra="e")) == "Child(name='c', size=2, tags=[], extra='e')"


def test_wrong_calls_are_refused_with_the_names_they_got_wrong():
    with pytest.raises(TypeError, match=r"missing required argument.*'name'"):
        Base()
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Base("x", colour="red")
    with pytest.raises(TypeError, match="multiple values for argument 'name'"):
        Base("x", name="y")
    with pytest.raises(TypeError, match="takes 3 positional arguments but 4"):
        Base("x", 1, [], "too many")
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Bad:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="'b' has no default but follows one"):

        @record
        class Order:
            a: int = 1
            b: int  # type: ignore[misc]


def test_equality_is_by_value_and_mutable_records_do_not_hash():
    assert Base("x") == Base("x")
    assert Base("x") != Base("x", 2)
    assert Base("x") != Child("x", 1)  # another class is never equal
    with pytest.raises(TypeError):
        hash(Base("x"))
    a = Answers()
    a.disks.append(Disk(path="/d"))
    assert copy.deepcopy(a) == a and copy.deepcopy(a) is not a
    assert Guest() != Guest(name="g")


def test_frozen_records_refuse_assignment_hash_by_value_and_order_by_fields():
    f = Finding("rule", "error", "guest.name", "m")
    with pytest.raises(AttributeError, match="frozen"):
        f.message = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del f.message  # type: ignore[misc]
    assert hash(f) == hash(Finding("rule", "error", "guest.name", "m"))
    assert {f, Finding("rule", "error", "guest.name", "m")} == {f}
    assert sorted([Ccw(0xFE, 0, 2), Ccw(0xFE, 0, 1), Ccw(0, 1, 0)]) == [
        Ccw(0, 1, 0), Ccw(0xFE, 0, 1), Ccw(0xFE, 0, 2),
    ]  # fmt: skip
    assert Ccw(0xFE, 0, 1) < Ccw(0xFE, 0, 2) and not Ccw(0xFE, 0, 2) <= Ccw(0xFE, 0, 1)
    assert copy.deepcopy(f) == f


def test_a_class_variable_is_no_field():
    @record
    class Counted:  # this module's annotations are strings ("ClassVar[int]")
        made: ClassVar[int] = 0
        name: str = ""

    # and as a module without `from __future__ import annotations` holds them
    real = record(
        type("Real", (), {"__annotations__": {"made": ClassVar[int], "name": str}, "made": 0})
    )
    for cls in (Counted, real):
        assert [f.name for f in fields(cls)] == ["name"]
        with pytest.raises(TypeError, match="unexpected keyword argument 'made'"):
            cls(name="n", made=1)


def test_a_declared_field_keeps_its_documentation_and_its_default_on_the_class():
    @record
    class Doc:
        count: int = spec(doc="no default")  # type: ignore[assignment]
        key: str = spec("d", "what it is", required=True)

    (count, key) = fields(Doc)
    assert key.default == "d" and key.metadata["doc"] == "what it is"
    assert key.metadata["required"] and Doc.key == "d"
    assert count.default is MISSING and not hasattr(Doc, "count")
    assert is_record(Doc) and is_record(Doc(count=1)) and not is_record(object())


def test_a_key_path_reads_and_sets_a_list_entry_as_a_whole():
    a = Answers()
    a.disks.append(Disk(path="/a"))
    assign(a, "disks[0]", Disk(path="/b"))
    assign(a, "disks[+]", Disk(path="/c"))
    assert [d.path for d in a.disks] == ["/b", "/c"]
    assert lookup(a, "disks[1].path") == "/c"


def test_greater_than_compares_frozen_ordered_records_by_their_fields():
    assert Ccw(0xFE, 0, 2) > Ccw(0xFE, 0, 1) and Ccw(0xFE, 0, 2) >= Ccw(0xFE, 0, 2)
    assert not Ccw(0, 0, 1) > Ccw(0xFE, 0, 0) and not Ccw(0, 0, 1) >= Ccw(0, 0, 2)


def test_the_decoder_names_the_key_and_what_it_found():
    assert decode(Disk, {}, "disks[0]")[1] == [
        DecodeError("disks[0].path", "required key 'path' is missing (a string)")
    ]
    (unknown,) = decode(Answers, {"zzzzqq": 1})[1]
    known = ", ".join(f.name for f in fields(Answers))
    assert unknown.message == f"unknown key 'zzzzqq' (known here: {known})"
    (close,) = decode(Answers, {"guets": {}})[1]
    assert close.message.startswith("unknown key 'guets'; did you mean 'guest'? (known here:")
    errors = decode(Answers, {"guest": {"name": "g", "memory_mib": {"a": 1}}})[1]
    assert errors == [DecodeError("guest.memory_mib", "expected an integer, found a table")]


def test_a_field_says_its_name_when_printed():
    assert repr(fields(Base)[0]) == "Field('name')"


def test_a_draft_of_a_half_filled_entry_holds_no_empty_values():
    # blank() gives None where a key has no default; a draft must leave the key out
    assert encode(blank(Disk)) == {}
    assert encode(Disk(path="/a")) == {"path": "/a"}


def test_is_default_answers_for_keys_below_a_table_of_free_keys_too():
    a = Answers()
    a.cpu.pinning = {"0": "1"}
    assert is_default(a, 'cpu.pinning."0"') and is_default(a, "cpu.pinning.x")
    assert not is_default(a, "cpu.pinning") and is_default(a, "cpu.mode")


def test_the_json_schema_closes_every_table_and_types_free_keys():
    schema = json_schema(Answers)
    assert (schema["type"], schema["additionalProperties"]) == ("object", False)
    cpu = schema["properties"]["cpu"]
    assert (cpu["type"], cpu["additionalProperties"]) == ("object", False)
    pinning = cpu["properties"]["pinning"]
    assert (pinning["type"], pinning["additionalProperties"]) == ("object", {"type": "string"})

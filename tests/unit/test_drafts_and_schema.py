"""What a draft keeps and what `zwizard schema` tells an editor: both come from the
model's declarations, so these tests read the written text a user would see."""

from __future__ import annotations

import json
import tomllib

import pytest

from tests.helpers import ASSETS, answers, run_zwizard
from zwizard import drafts
from zwizard.answers import load


@pytest.mark.parametrize("example", sorted(ASSETS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_survives_a_draft_round_trip(example, tmp_path):
    a, _ = load(example)
    draft = drafts.Draft(answers=a, step="pxe", pending={"guest.vcpus": "4x"}, field="guest.vcpus")
    path = drafts.save(draft, tmp_path / "d.toml")
    back = drafts.load(path)
    assert back.answers == a
    assert (back.step, back.pending, back.field, back.finished) == ("pxe", {"guest.vcpus": "4x"},
                                                                    "guest.vcpus", False)  # fmt: skip


def test_a_draft_writes_what_a_reader_needs_and_nothing_unset(tmp_path):
    """Keys marked `always` are written at their default (a reader sees os and memory);
    unset keys and defaults are not (no `uuid = ` of nothing, no `readonly = false`)."""
    a = answers(guest={"uuid": None, "os": "rhel9", "memory_mib": 2048})
    text = drafts.dump_draft(drafts.Draft(answers=a))
    data = tomllib.loads(text)
    assert data["guest"]["os"] == "rhel9" and data["guest"]["memory_mib"] == 2048
    assert "uuid" not in data["guest"] and "readonly" not in data["disks"][0]
    assert data["draft"] == {"step": "guest", "finished": False}


def test_the_schema_carries_each_fields_words_default_and_requirement():
    schema = json.loads(run_zwizard("schema").stdout)
    guest = schema["properties"]["guest"]
    memory = guest["properties"]["memory_mib"]
    assert memory["type"] == "integer" and memory["default"] == 2048
    assert "guest memory in MiB" in memory["description"]
    assert guest["required"] == ["name"] and guest["additionalProperties"] is False
    assert guest["description"] == "the guest"  # the field's words, over the class's
    assert "default" not in guest["properties"]["uuid"]  # None is no default to show
    disk = schema["properties"]["disks"]["items"]
    assert disk["required"] == ["path"]
    assert schema["properties"]["guest"]["properties"]["uuid"]["format"] == "uuid"


def test_answers_compare_by_every_value_and_say_them_in_repr():
    # the round trips above rely on ==: a value that differs anywhere in the tree must count
    one, two = answers(), answers()
    assert one == two
    two.disks[0].loadparm = "1"
    assert one != two
    two.disks[0].loadparm = one.disks[0].loadparm
    two.guest.memory_mib += 1
    assert one != two
    assert one.guest != "not a guest"
    assert "memory_mib=" in repr(one.guest) and repr(one).startswith("Answers(")
    with pytest.raises(TypeError):
        hash(one)  # mutable, so not usable as a key


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('guest = "web01"', "guest: expected a table, found the string 'web01'"),
        ("guest = 5", "guest: expected a table, found the number 5"),
        ("[guest]\nname = true", "guest.name: expected a string, found the boolean true"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_what_was_found(text, said):
    # one message, in the file's own terms; nothing read past a table that is not one
    from zwizard.answers import AnswersError, parse

    with pytest.raises(AnswersError) as caught:
        parse("version = 1\n" + text)
    assert [p.message for p in caught.value.problems if said.split(":")[0] == p.path] == [
        said.split(": ", 1)[1]
    ]
    assert len(caught.value.problems) == 1


def test_the_schema_describes_each_table_in_the_models_words():
    from zwizard.model import Answers
    from zwizard.structure import json_schema

    schema = json_schema(Answers)
    assert schema["description"].startswith("A zwizard answers file (format version 1)")
    assert schema["properties"]["guest"]["description"]  # the field's words, or the table's

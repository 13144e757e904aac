"""A hint's seeds (generation/schema_values.py): an object given as a mapping, an array of objects as a list of
mappings, each filled property by property where the value fits, the rest generated; a seed picks its branch."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import jsonschema

from openai_mock.generation import schema_values

ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "size": {"type": "integer", "minimum": 1, "maximum": 9},
        "value": {"anyOf": [{"type": "integer"}, {"$ref": "#/$defs/Ref"}, {"type": "string"}]},
    },
    "required": ["name", "size", "value"],
    "additionalProperties": False,
}
SCHEMA: dict[str, Any] = {
    "$defs": {"Item": ITEM, "Ref": {"type": "object", "properties": {"column_name": {"type": "string"}}}},
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}}, "main": {"$ref": "#/$defs/Item"}},
    "required": ["items", "main"],
}


def _hint(values: Mapping[str, Any]) -> schema_values.Hint:
    return lambda name, _kind, _schema: values.get(name)


def test_an_array_of_objects_takes_one_item_per_seed() -> None:
    seeds = [{"name": "a", "value": 3}, {"name": "b", "value": {"column_name": "due"}}, {"name": "c", "value": "x"}]
    value = schema_values.generate_value(SCHEMA, random.Random(5), hint=_hint({"items": seeds}))
    jsonschema.validate(value, SCHEMA)
    assert [(item["name"], item["value"]) for item in value["items"]] == [
        ("a", 3),
        ("b", {"column_name": "due"}),
        ("c", "x"),
    ]
    assert all(1 <= item["size"] <= 9 for item in value["items"])  # not seeded: generated


def test_an_object_seed_fills_what_fits_and_generates_the_rest() -> None:
    seed = {"name": "main", "size": 40, "value": 7}  # 40 is out of bounds: generated instead
    value = schema_values.generate_value(SCHEMA, random.Random(5), hint=_hint({"main": seed}))
    jsonschema.validate(value, SCHEMA)
    assert value["main"]["name"] == "main" and value["main"]["value"] == 7
    assert 1 <= value["main"]["size"] <= 9


def test_a_seed_reaches_only_its_own_object() -> None:
    seeds = [{"name": "only"}]
    value = schema_values.generate_value(SCHEMA, random.Random(5), hint=_hint({"items": seeds}))
    assert value["items"][0]["name"] == "only"
    assert value["main"]["name"] != "only"

"""JSON-Schema values: hand-picked schemas and random ones (hypothesis) all validate with jsonschema."""

from __future__ import annotations

import random
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_mock.generation.schema_values import generate_value
from openai_mock.schema_checks import UnsatisfiableSchema, schema_problem, strict_schema_problem

FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def assert_valid(schema: Any, seed: int = 0, **options: Any) -> Any:
    value = generate_value(schema, random.Random(seed), **options)
    jsonschema.Draft202012Validator(schema, format_checker=FORMAT_CHECKER).validate(value)
    return value


SCHEMAS: list[dict[str, Any]] = [
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["city"],
        "additionalProperties": False,
    },
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 10, "exclusiveMaximum": 12},
        "minItems": 2,
        "maxItems": 2,
    },
    {"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": True, "minItems": 3},
    {"const": {"fixed": True}},
    {"anyOf": [{"type": "string", "format": "email"}, {"type": "null"}]},
    {"oneOf": [{"type": "integer", "multipleOf": 5}, {"type": "boolean"}]},
    {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "number", "minimum": 1.5, "maximum": 1.6}}, "required": ["b"]},
        ]
    },
    {
        "$ref": "#/$defs/tree",
        "$defs": {
            "tree": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                },
                "required": ["value", "children"],
            }
        },
    },
    {
        "type": "object",
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
            "ip": {"type": "string", "format": "ipv4"},
            "site": {"type": "string", "format": "uri"},
            "day": {"type": "string", "format": "date"},
        },
        "required": ["when", "id", "ip", "site", "day"],
    },
    {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
    {"type": "string", "minLength": 40, "maxLength": 45},
    {"type": ["string", "null"], "maxLength": 3},
    {"type": "number", "multipleOf": 0.1, "minimum": 0, "maximum": 1},
    {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}},
    {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
    {
        "type": "object",
        "properties": {
            "outer": {
                "type": "object",
                "properties": {
                    "inner": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}
                },
                "required": ["inner"],
            }
        },
        "required": ["outer"],
    },
    {
        "definitions": {"pos": {"type": "integer", "minimum": 1}},
        "type": "array",
        "items": {"$ref": "#/definitions/pos"},
    },
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda schema: str(schema)[:40])
def test_generated_values_validate(schema: dict[str, Any]) -> None:
    for seed in range(10):
        assert_valid(schema, seed)


def test_strict_fills_every_property_and_names_steer_content() -> None:
    schema = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "city": {"type": "string"}, "age": {"type": "integer"}},
    }
    value = assert_valid(schema, all_properties=True)
    assert set(value) == {"email", "city", "age"} and "@" in value["email"]


def test_unsatisfiable_schemas_raise() -> None:
    for schema in (False, {"enum": []}, {"type": "integer", "minimum": 5, "maximum": 4}):
        with pytest.raises(UnsatisfiableSchema):
            generate_value(schema, random.Random(0))


def test_schema_checks() -> None:
    assert schema_problem({"type": "object", "properties": {"a": {"type": "strin"}}}) is not None
    assert schema_problem({"type": "object", "required": "a"}) is not None
    assert schema_problem(SCHEMAS[7]) is None
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert "additionalProperties" in (strict_schema_problem(loose) or "")
    assert "Missing 'a'" in (strict_schema_problem({**loose, "additionalProperties": False}) or "")
    assert strict_schema_problem({**loose, "additionalProperties": False, "required": ["a"]}) is None


# ---- property test: random schemas → generated values validate

_scalars = st.one_of(
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.builds(
        lambda low, span: {"type": "integer", "minimum": low, "maximum": low + span},
        st.integers(-1000, 1000),
        st.integers(0, 50),
    ),
    st.builds(
        lambda low, span: {"type": "number", "minimum": low, "maximum": low + span},
        st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 2)),
        st.floats(0.1, 100).map(round),
    ),
    st.builds(
        lambda low, extra: {"type": "string", "minLength": low, "maxLength": low + extra},
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    st.sampled_from([{"type": "string", "format": f} for f in ("date-time", "date", "email", "uuid", "ipv4", "uri")]),
    st.sampled_from([{"type": "string", "pattern": p} for p in ("^[a-z]+$", "^\\d{3}-\\d{2}$", "^(yes|no)$")]),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), min_size=1, max_size=4, unique=True).map(
        lambda items: {"enum": items}
    ),
    st.integers().map(lambda value: {"const": value}),
    st.builds(lambda k: {"type": "integer", "multipleOf": k, "minimum": 0, "maximum": 100}, st.integers(1, 10)),
)


def _compound(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
    objects = st.dictionaries(names, children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda required, closed: {
                "type": "object",
                "properties": props,
                "required": required,
                **({"additionalProperties": False} if closed else {}),
            },
            st.lists(st.sampled_from(sorted(props)), unique=True) if props else st.just([]),
            st.booleans(),
        )
    )
    arrays = st.builds(
        lambda items, low, extra: {"type": "array", "items": items, "minItems": low, "maxItems": low + extra},
        children,
        st.integers(0, 3),
        st.integers(0, 3),
    )
    unions = st.lists(children, min_size=1, max_size=3).map(lambda branches: {"anyOf": branches})
    nullable = children.map(lambda schema: {"anyOf": [schema, {"type": "null"}]})
    return st.one_of(objects, arrays, unions, nullable)


random_schemas = st.recursive(_scalars, _compound, max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=random_schemas, seed=st.integers(0, 2**32))
def test_random_schemas_generate_valid_values(schema: dict[str, Any], seed: int) -> None:
    assert_valid(schema, seed)


@settings(max_examples=60, deadline=None)
@given(schema=random_schemas, seed=st.integers(0, 2**32))
def test_random_schemas_behind_refs_generate_valid_values(schema: dict[str, Any], seed: int) -> None:
    assert_valid(
        {
            "$defs": {"thing": schema},
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/thing"}},
            "required": ["x"],
        },
        seed,
    )

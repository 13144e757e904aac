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


# --------------------------------------------------------------------------------------------- function arguments

EXEC_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "cmd": {"type": "string"},
        "workdir": {"type": "string"},
        "yield_time_ms": {"type": "number"},
        "tty": {"type": "boolean"},
        "target": {
            "type": "object",
            "properties": {"host": {"type": "string"}, "port": {"type": "integer"}, "user": {"type": "string"}},
            "required": ["host"],
        },
        "options": {
            "type": "object",
            "properties": {"mode": {"enum": ["fast", "safe"]}, "login": {"type": "boolean"}},
            "required": ["mode"],
        },
    },
    "required": ["cmd", "target"],
    "additionalProperties": False,
}


def test_optional_properties_are_present_only_when_the_optional_hint_supplies_them() -> None:
    """A model's arguments: required properties at every level, and the optional ones the prompt gives."""
    given = {"cmd": "ls", "port": 22, "login": True}
    supplied = {"port": 22, "login": True}  # what the prompt ties to those names
    for seed in range(20):
        value = assert_valid(
            EXEC_PARAMETERS,
            seed,
            hint=lambda name, _kind, _schema: given.get(name),
            optional_hint=lambda name, _kind, _schema: supplied.get(name),
        )
        assert set(value) == {"cmd", "target", "options"} and value["cmd"] == "ls"
        assert set(value["target"]) == {"host", "port"} and value["target"]["port"] == 22
        assert set(value["options"]) == {"mode", "login"} and value["options"]["login"] is True
        bare = assert_valid(EXEC_PARAMETERS, seed, hint=lambda *_: None, optional_hint=lambda *_: None)
        assert set(bare) == {"cmd", "target"} and set(bare["target"]) == {"host"}


def test_strict_arguments_are_null_where_nullable_and_not_supplied() -> None:
    schema = {
        "type": "object",
        "properties": {
            "cmd": {"type": "string"},
            "workdir": {"type": ["string", "null"]},
            "timeout": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
        "required": ["cmd", "workdir", "timeout"],
        "additionalProperties": False,
    }
    for seed in range(20):
        value = assert_valid(
            schema,
            seed,
            all_properties=True,
            hint=lambda *_: None,
            optional_hint=lambda name, _kind, _schema: 30 if name == "timeout" else None,
        )
        assert value["workdir"] is None and value["timeout"] == 30 and isinstance(value["cmd"], str)


def test_invented_numbers_are_whole_unless_the_name_or_description_speaks_of_a_fraction() -> None:
    schema = {
        "type": "object",
        "properties": {
            "yield_time_ms": {"type": "number"},
            "max_output_tokens": {"type": "number", "minimum": 1, "maximum": 4000},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "unit_price": {"type": "number"},
            "mix": {"type": "number", "description": "The ratio of water to flour."},
            "narrow": {"type": "number", "minimum": 1.5, "maximum": 1.6},
        },
        "required": ["yield_time_ms", "max_output_tokens", "temperature", "unit_price", "mix", "narrow"],
    }
    values = [assert_valid(schema, seed) for seed in range(20)]
    for value in values:
        assert type(value["yield_time_ms"]) is int and type(value["max_output_tokens"]) is int
        assert 1.5 <= value["narrow"] <= 1.6  # no whole number fits: a fraction it is
    for name in ("temperature", "unit_price", "mix"):
        assert any(not float(value[name]).is_integer() for value in values), name


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema=random_schemas, seed=st.integers(0, 2**32), strict=st.booleans())
def test_random_schemas_as_function_arguments_stay_valid(schema: dict[str, Any], seed: int, strict: bool) -> None:
    assert_valid(schema, seed, all_properties=strict, hint=lambda *_: None, optional_hint=lambda *_: None)


def test_bounds_as_wide_as_the_type_say_nothing_and_names_give_the_natural_range() -> None:
    """zod's `z.number().int()` writes ±(2^53-1) as its bounds: a value is drawn as if the schema had none (a
    population in the millions, a year of this era, a count of 1–100), never one in the quadrillions."""
    safe = {"type": "integer", "minimum": -9007199254740991, "maximum": 9007199254740991}
    schema = {
        "type": "object",
        "properties": {"population": safe, "buildYear": safe, "count": safe},
        "required": ["population", "buildYear", "count"],
    }
    for seed in range(20):
        value = generate_value(schema, random.Random(seed))
        assert 50_000 <= value["population"] <= 12_000_000
        assert 1950 <= value["buildYear"] <= 2026
        assert 1 <= value["count"] <= 100
    bounded = {"type": "integer", "minimum": 3, "maximum": 7}
    assert {generate_value(bounded, random.Random(seed), name="year") for seed in range(30)} <= {3, 4, 5, 6, 7}

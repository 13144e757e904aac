"""A query tool's conditions read from the request (generation/filters.py)."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import jsonschema
import pytest

from openai_mock.generation import chat, filters

COLUMNS = ["id", "status", "expected_delivery_date", "delivered_at", "shipped_at", "ordered_at", "canceled_at"]
# pydantic's `Query` of openai-python's parsing_tools example, as `pydantic_function_tool` sends it.
QUERY: dict[str, Any] = {
    "$defs": {
        "Column": {"enum": COLUMNS, "type": "string"},
        "Condition": {
            "properties": {
                "column": {"type": "string"},
                "operator": {"$ref": "#/$defs/Operator"},
                "value": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"$ref": "#/$defs/DynamicValue"}]},
            },
            "required": ["column", "operator", "value"],
            "type": "object",
            "additionalProperties": False,
        },
        "DynamicValue": {
            "properties": {"column_name": {"type": "string"}},
            "required": ["column_name"],
            "type": "object",
            "additionalProperties": False,
        },
        "Operator": {"enum": ["=", ">", "<", "<=", ">=", "!="], "type": "string"},
        "OrderBy": {"enum": ["asc", "desc"], "type": "string"},
        "Table": {"enum": ["orders", "customers", "products"], "type": "string"},
    },
    "properties": {
        "table_name": {"$ref": "#/$defs/Table"},
        "columns": {"items": {"$ref": "#/$defs/Column"}, "type": "array"},
        "conditions": {"items": {"$ref": "#/$defs/Condition"}, "type": "array"},
        "order_by": {"$ref": "#/$defs/OrderBy"},
    },
    "required": ["table_name", "columns", "conditions", "order_by"],
    "type": "object",
    "additionalProperties": False,
}
ASKED = "look up all my orders in november of last year that were fulfilled but not delivered on time"
TOLD = "You are a helpful assistant. The current date is August 6, 2024."
AUGUST_6 = dt.date(2024, 8, 6)


def test_statuses_late_events_and_a_month_become_conditions() -> None:
    assert filters.conditions(ASKED, COLUMNS, ["orders"], AUGUST_6) == [
        filters.Condition("status", "=", "fulfilled"),
        filters.Condition("delivered_at", ">", "expected_delivery_date", compares_column=True),
        filters.Condition("ordered_at", ">=", "2023-11-01"),
        filters.Condition("ordered_at", "<=", "2023-11-30"),
    ]


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("orders delivered on time", filters.Condition("delivered_at", "<=", "expected_delivery_date", True)),
        # no expected shipping date among the columns to be late against: only the status is said
        ("orders that shipped late", filters.Condition("status", "=", "shipped")),
        ("orders that were not shipped", filters.Condition("status", "!=", "shipped")),
        ("canceled orders", filters.Condition("status", "=", "canceled")),
    ],
)
def test_each_phrase_reads_as_its_condition(asked: str, expected: filters.Condition | None) -> None:
    found = filters.conditions(asked, COLUMNS, ["orders"], AUGUST_6)
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("asked", "span"),
    [
        ("in november of last year", ("2023-11-01", "2023-11-30")),
        ("in november", ("2023-11-01", "2023-11-30")),  # the latest November not after today
        ("in march", ("2024-03-01", "2024-03-31")),
        ("in February 2024", ("2024-02-01", "2024-02-29")),
        ("last month", ("2024-07-01", "2024-07-31")),
        ("last year", ("2023-01-01", "2023-12-31")),
    ],
)
def test_periods_are_counted_from_the_stated_date(asked: str, span: tuple[str, str]) -> None:
    found = filters.period(asked, AUGUST_6)
    assert found is not None
    assert (found[0].isoformat(), found[1].isoformat()) == span


def test_the_query_tools_arguments_name_real_columns() -> None:
    function = {"name": "Query", "strict": True, "parameters": QUERY}
    arguments = json.loads(chat._arguments(function, random.Random(3), ASKED, created=0, instructions=TOLD))
    jsonschema.validate(arguments, QUERY)
    assert arguments["table_name"] == "orders"
    assert arguments["conditions"] == [
        {"column": "status", "operator": "=", "value": "fulfilled"},
        {"column": "delivered_at", "operator": ">", "value": {"column_name": "expected_delivery_date"}},
        {"column": "ordered_at", "operator": ">=", "value": "2023-11-01"},
        {"column": "ordered_at", "operator": "<=", "value": "2023-11-30"},
    ]
    assert arguments["columns"] == ["id", "status", "delivered_at", "expected_delivery_date", "ordered_at"]


def test_operators_spelled_as_words_are_taken_from_the_enum() -> None:
    schema = json.loads(
        json.dumps(QUERY).replace('["=", ">", "<", "<=", ">=", "!="]', '["eq", "gt", "lt", "lte", "gte", "ne"]')
    )
    function = {"name": "Query", "strict": True, "parameters": schema}
    arguments = json.loads(chat._arguments(function, random.Random(3), ASKED, created=0, instructions=TOLD))
    assert [condition["operator"] for condition in arguments["conditions"]] == ["eq", "gt", "gte", "lte"]

"""Answers openai-python's own example checks expect, through the official SDK: an equation solved step by step
(chat parse, Responses parse and text), counting, one weather call per city named, and a query tool's conditions on
real columns."""

from __future__ import annotations

import json
from enum import StrEnum

import openai
from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from pydantic import BaseModel

from tests.support.sdk import held


class Step(BaseModel):
    explanation: str
    output: str


class MathResponse(BaseModel):
    steps: list[Step]
    final_answer: str


TUTOR = [
    {"role": "system", "content": "You are a helpful math tutor."},
    {"role": "user", "content": "solve 8x + 31 = 2"},
]


def test_chat_parse_solves_the_equation_step_by_step(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(model="gpt-4o", messages=TUTOR, response_format=MathResponse)  # type: ignore[arg-type]
    parsed = completion.choices[0].message.parsed
    assert parsed is not None
    assert parsed.steps == [
        Step(explanation="Subtract 31 from both sides", output="8x = -29"),
        Step(explanation="Divide both sides by 8", output="x = -29/8"),
    ]
    assert parsed.final_answer == "x = -29/8 = -3.625"


def test_the_plain_answer_works_the_equation_through(client: openai.OpenAI) -> None:
    body = held(ChatCompletion, client.chat.completions.with_raw_response.create(model="gpt-4o", messages=TUTOR))  # type: ignore[arg-type]
    said = body["choices"][0]["message"]["content"]
    assert "1. Subtract 31 from both sides: 8x = -29" in said
    assert said.endswith("So x = -29/8 = -3.625.")


def test_responses_parse_and_text_solve_it_too(client: openai.OpenAI) -> None:
    parsed = client.responses.parse(model="gpt-4o", input="solve 8x + 31 = 2", text_format=MathResponse)
    assert parsed.output_parsed is not None
    assert parsed.output_parsed.final_answer == "x = -29/8 = -3.625"
    body = held(Response, client.responses.with_raw_response.create(model="gpt-4o", input="solve 5y - 7 = 3y + 9"))
    said = "".join(part["text"] for item in body["output"] if item["type"] == "message" for part in item["content"])
    assert "Subtract 3y from both sides: 2y - 7 = 9" in said
    assert said.endswith("So y = 8.")


def test_a_streamed_count_says_each_number(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Count from 1 to 5."}], stream=True
    )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == "1, 2, 3, 4, 5"


class GetWeather(BaseModel):
    city: str
    country: str


def test_one_weather_call_per_city_named(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model="gpt-4o",
        messages=[{"role": "user", "content": "What's the weather like in SF and New York?"}],
        tools=[openai.pydantic_function_tool(GetWeather, name="get_weather")],
        parallel_tool_calls=True,
    ) as stream:
        completion = stream.get_final_completion()
    calls = completion.choices[0].message.tool_calls or []
    assert [call.function.parsed_arguments for call in calls] == [
        GetWeather(city="San Francisco", country="United States"),
        GetWeather(city="New York", country="United States"),
    ]


def test_without_parallel_calls_one_city_is_asked_about(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "What's the weather like in SF and New York?"}],
        tools=[openai.pydantic_function_tool(GetWeather, name="get_weather")],
        parallel_tool_calls=False,
    )
    calls = completion.choices[0].message.tool_calls or []
    assert [json.loads(call.function.arguments)["city"] for call in calls] == ["San Francisco"]  # type: ignore[union-attr]


class Table(StrEnum):
    orders = "orders"
    customers = "customers"


class Column(StrEnum):
    id = "id"
    status = "status"
    expected_delivery_date = "expected_delivery_date"
    delivered_at = "delivered_at"
    ordered_at = "ordered_at"


class Operator(StrEnum):
    eq = "="
    gt = ">"
    lt = "<"
    le = "<="
    ge = ">="


class DynamicValue(BaseModel):
    column_name: str


class Condition(BaseModel):
    column: str
    operator: Operator
    value: str | int | DynamicValue


class Query(BaseModel):
    table_name: Table
    columns: list[Column]
    conditions: list[Condition]


def test_a_query_tools_conditions_name_real_columns_and_dates(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gpt-4o",
        messages=[
            {"role": "system", "content": "You help users query their data. The current date is August 6, 2024."},
            {"role": "user", "content": "find my orders from november of last year that were fulfilled but late"},
        ],
        tool_choice={"type": "function", "function": {"name": "Query"}},
        tools=[openai.pydantic_function_tool(Query)],
    )
    (call,) = completion.choices[0].message.tool_calls or []
    query = call.function.parsed_arguments
    assert isinstance(query, Query)
    assert query.table_name is Table.orders
    assert query.conditions == [
        Condition(column="status", operator=Operator.eq, value="fulfilled"),
        Condition(
            column="delivered_at", operator=Operator.gt, value=DynamicValue(column_name="expected_delivery_date")
        ),
        Condition(column="ordered_at", operator=Operator.ge, value="2023-11-01"),
        Condition(column="ordered_at", operator=Operator.le, value="2023-11-30"),
    ]
    assert query.columns == [
        Column.id,
        Column.status,
        Column.delivered_at,
        Column.expected_delivery_date,
        Column.ordered_at,
    ]

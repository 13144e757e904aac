"""The deterministic reading of requests (#28): safe arithmetic, the fast path, the extraction hook, predictions."""

from __future__ import annotations

import json
import random
from typing import Any

import jsonschema
import pytest

from openai_mock.generation import answers, chat, extract, schema_values, tokens


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "x + 1", "(1).real", "[1, 2]", "9 ** 999", "sqrt", "'a' * 3", "lambda: 1"],
)
def test_safe_eval_refuses_anything_but_arithmetic(expression: str) -> None:
    with pytest.raises((ValueError, SyntaxError)):
        answers.safe_eval(expression)


def test_safe_eval_computes_exactly() -> None:
    assert answers.safe_eval("12 * (3 + 4) - 2 ** 3") == 76
    assert answers.safe_eval("7 / 2") == 3.5
    assert answers.safe_eval("sqrt(144)") == 12


@pytest.mark.parametrize(
    "prompt",
    ["Hello, whales?", "How do tides work? Explain like I'm ten.", "Summarise the plot of Hamlet.", "Describe it."],
)
def test_prompts_without_a_checkable_answer_keep_the_composed_text(prompt: str) -> None:
    assert answers.direct([{"role": "user", "content": prompt}], 0) is None


def test_a_long_text_is_not_read_as_arithmetic() -> None:
    text = "Summarise: " + "In 2024 the 3 teams met 12 times. " * 100
    assert answers.direct([{"role": "user", "content": text}], 0) == "In short: In 2024 the 3 teams met 12 times."


def test_the_hook_value_must_fit_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "n": {"type": "integer", "minimum": 10},
            "unit": {"type": "string", "enum": ["a", "b"]},
        },
        "required": ["code", "n", "unit"],
    }
    offered = {"code": "toolong", "n": 3, "unit": "c"}
    value = schema_values.generate_value(schema, random.Random(1), hint=lambda name, _kind, _schema: offered.get(name))
    jsonschema.validate(value, schema)
    assert value["code"] != "toolong" and value["n"] >= 10 and value["unit"] in ("a", "b")


def test_literal_calls_are_parsed_without_evaluating() -> None:
    calls = extract.literal_calls('Try magic_function(3) then f(a=1, b="x") and g(os.system("ls"))')
    assert calls["magic_function"] == ([3], {})
    assert calls["f"] == ([], {"a": 1, "b": "x"})
    assert "g" not in calls


def _completion(request: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    return chat.build_chat_completion(request, random.Random(seed), completion_id="chatcmpl-x", created=1764849600)


def test_tool_arguments_are_deterministic_and_valid() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "book_flight",
            "strict": True,
            "parameters": {
                "type": "object",
                "properties": {"origin": {"type": "string"}, "destination": {"type": "string"}},
                "required": ["origin", "destination"],
                "additionalProperties": False,
            },
        },
    }
    request = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "Fly me from Oslo to Lima"}],
        "tools": [tool],
    }
    first, second = _completion(request), _completion(request)
    assert first["choices"] == second["choices"]
    arguments = json.loads(first["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert arguments == {"origin": "Oslo", "destination": "Lima"}


@pytest.mark.parametrize(
    ("ask", "predicted"),
    [
        ("Rename total to amount", "total = 1\nprint(total)\n"),
        ("Tidy this up", "def f(x):\n    return x + 1\n"),
        ("Polish it", "No numbers here at all."),
    ],
)
def test_prediction_tokens_add_up(ask: str, predicted: str) -> None:
    request = {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": ask}],
        "prediction": {"type": "content", "content": predicted},
    }
    completion = _completion(request)
    content = completion["choices"][0]["message"]["content"]
    details = completion["usage"]["completion_tokens_details"]
    predicted_tokens = tokens.count_tokens(predicted)
    assert content != predicted
    assert details["accepted_prediction_tokens"] + details["rejected_prediction_tokens"] == predicted_tokens
    assert 0 < details["accepted_prediction_tokens"] <= predicted_tokens
    assert (
        completion["usage"]["completion_tokens"] == tokens.count_tokens(content) + details["rejected_prediction_tokens"]
    )


@pytest.mark.parametrize(
    ("prompt", "said"),
    [
        ("Count from 1 to 5.", "1, 2, 3, 4, 5"),
        ("count to ten", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
        ("Count down from 5", "5, 4, 3, 2, 1"),
        ("count backwards from 3 to -1", "3, 2, 1, 0, -1"),
        ("count from 2 to 10 by twos", "2, 4, 6, 8, 10"),
    ],
)
def test_counting_says_the_numbers_in_order(prompt: str, said: str) -> None:
    assert answers.direct([{"role": "user", "content": prompt}]) == said

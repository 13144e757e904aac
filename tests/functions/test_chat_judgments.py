"""Structured verdicts read the input, through the official SDK: a guardrail's `is_math_homework`, an outline
checker's `good_quality` and `is_scifi`, over Chat Completions (`response_format` json_schema) and Responses
(`text.format` json_schema); and the Decisions API's scope check of a support request said in its own words."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types import Decision
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from tests.support.sdk import held

MODEL = "gpt-4o"
GUARDRAIL = "Check if the user is asking you to do their math homework."
CHECKER = "Read the given story outline, and judge the quality. Also, determine if it is a scifi story."
SCIFI = (
    "1. A cargo pilot on a starship finds an alien signal in orbit around Mars. 2. The ship's robot hides it. "
    "3. She chooses to answer it."
)
WESTERN = "1. A rancher rides into a dusty town. 2. A feud over water rights. 3. A duel at noon settles it."


def _schema(**fields: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": kind} for name, kind in fields.items()},
        "required": list(fields),
        "additionalProperties": False,
    }


HOMEWORK = _schema(reasoning="string", is_math_homework="boolean")
OUTLINE = _schema(good_quality="boolean", is_scifi="boolean")


def _chat(client: openai.OpenAI, instructions: str, said: str, name: str, schema: dict[str, Any]) -> Any:
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "system", "content": instructions}, {"role": "user", "content": said}],
        response_format={"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}},
    )
    return json.loads(held(ChatCompletion, raw)["choices"][0]["message"]["content"])


def _responses(client: openai.OpenAI, instructions: str, said: str, name: str, schema: dict[str, Any]) -> Any:
    raw = client.responses.with_raw_response.create(
        model=MODEL,
        instructions=instructions,
        input=said,
        text={"format": {"type": "json_schema", "name": name, "schema": schema, "strict": True}},
    )
    body = held(Response, raw)
    return json.loads(body["output"][-1]["content"][0]["text"])


ASK = pytest.mark.parametrize("ask", [_chat, _responses], ids=["chat", "responses"])


@ASK
@pytest.mark.parametrize(
    ("said", "homework"),
    [("Can you help me solve for x: 2x + 5 = 11", True), ("What's the capital of California?", False)],
)
def test_the_math_homework_guardrail_trips_only_on_maths(
    client: openai.OpenAI, ask: Any, said: str, homework: bool
) -> None:
    for seed in ("1", "2", "3"):  # not a lucky draw: every seed judges alike
        verdict = ask(
            client.with_options(default_headers={"x-mock-seed": seed}), GUARDRAIL, said, "MathHomework", HOMEWORK
        )
        assert verdict["is_math_homework"] is homework
        assert isinstance(verdict["reasoning"], str) and verdict["reasoning"]


@ASK
@pytest.mark.parametrize(("outline", "scifi"), [(SCIFI, True), (WESTERN, False)])
def test_the_outline_checker_approves_and_tells_science_fiction(
    client: openai.OpenAI, ask: Any, outline: str, scifi: bool
) -> None:
    for seed in ("1", "2", "3"):
        verdict = ask(client.with_options(default_headers={"x-mock-seed": seed}), CHECKER, outline, "Outline", OUTLINE)
        assert verdict == {"good_quality": True, "is_scifi": scifi}


def test_an_empty_outline_is_not_good_quality(client: openai.OpenAI) -> None:
    assert _chat(client, CHECKER, " ", "Outline", OUTLINE)["good_quality"] is False


SCOPE: Any = {
    "type": "predicate",
    "name": "in_scope",
    "instructions": "Is this a request for help with a software product?",
}
DEPARTMENT: Any = {
    "type": "choice",
    "name": "department",
    "instructions": "Which support department should handle this request?",
    "choices": [{"value": "technical"}, {"value": "billing"}],
}


@pytest.mark.parametrize(
    ("said", "in_scope", "department"),
    [("My dashboard fails to load. Help?", True, "technical"), ("What's a good pasta recipe?", False, None)],
)
def test_a_support_request_in_its_own_words_is_in_scope(
    client: openai.OpenAI, said: str, in_scope: bool, department: str | None
) -> None:
    raw = client.decisions.with_raw_response.create(model="gpt-6-luna", input=said, questions=[SCOPE, DEPARTMENT])
    scope, routed = held(Decision, raw)["answers"]
    assert (scope["probability"] >= 0.8) is in_scope and (scope["probability"] <= 0.2) is not in_scope
    if department is not None:
        assert routed["choice"] == department

"""A JSON schema whose `$ref` points at nothing (a response format, a function's parameters) is OpenAI's 400
naming it, never a 500 from the generator that would follow it."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.support.spec import validate_component

KEY = {"Authorization": "Bearer sk-test"}
DANGLING = {"type": "object", "properties": {"city": {"$ref": "#/$defs/City"}}}
RESOLVED = {**DANGLING, "$defs": {"City": {"type": "string"}}}
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


def _chat_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": ASK,
        "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": schema}},
    }


def _chat_tool(schema: dict[str, Any]) -> dict[str, Any]:
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": schema}}
    return {"model": "gpt-4o-mini", "messages": ASK, "tools": [tool]}


def _responses_format(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "input": "Weather?",
        "text": {"format": {"type": "json_schema", "name": "w", "schema": schema}},
    }


def _responses_tool(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "input": "Weather in Paris?",
        "tools": [{"type": "function", "name": "get_weather", "parameters": schema}],
    }


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/chat/completions", _chat_format, "response_format"),
        ("/v1/chat/completions", _chat_tool, "tools[0].function.parameters"),
        ("/v1/responses", _responses_format, "text.format.schema"),
        ("/v1/responses", _responses_tool, "tools[0].parameters"),
    ],
)
def test_a_dangling_reference_is_a_400_and_a_resolved_one_is_served(
    http: TestClient, path: str, body: Any, param: str
) -> None:
    refused = http.post(path, json=body(DANGLING), headers=KEY)
    assert refused.status_code == 400, refused.text
    validate_component("ErrorResponse", refused.json())
    assert refused.json()["error"]["param"] == param
    assert "'#/$defs/City' which was not found" in refused.json()["error"]["message"]
    assert http.post(path, json=body(RESOLVED), headers=KEY).status_code == 200

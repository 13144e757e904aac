"""Shared by the assistants tests: an SDK client whose every JSON answer is checked against the spec, and poll
helpers that sleep on the mock clock."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.sdk import sdk_client
from tests.support.spec import assert_conforms

T0 = 1_750_000_000.0
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["location", "unit"],
            "additionalProperties": False,
        },
    },
}


def _check_against_spec(response: httpx.Response) -> None:
    if not response.headers.get("content-type", "").startswith("application/json"):
        return
    response.read()
    body = json.loads(response.content)
    if response.status_code >= 400:  # the spec documents only successes; errors are OpenAI's envelope
        assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
        return
    if body.get("object") == "list" and not body["data"]:
        # The real API (and pagination.list_object) send first_id/last_id null for an empty page; the 2025-03
        # spec types them as non-nullable strings. Empty pages are asserted on by the tests instead.
        return
    assert_conforms(response.request.method, response.request.url.path, response.status_code, body)


def conforming_client(app: TemplateRouter, api_key: str = "sk-test") -> openai.OpenAI:
    """The official SDK, with every JSON success validated against the spec and every error checked to be
    OpenAI's envelope."""
    http = TestClient(app, base_url="http://testserver")
    http.event_hooks = {"request": [], "response": [_check_against_spec]}
    client = sdk_client(http, api_key)
    sleep_on_the_clock(client)
    return client


def sleep_on_the_clock(client: openai.OpenAI) -> list[float]:
    """The SDK's poll helpers sleep between polls: their sleeps advance the mock clock instead."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    client.beta.threads.runs._sleep = sleep  # type: ignore[method-assign]
    return slept


def error_body(raised: Any) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body

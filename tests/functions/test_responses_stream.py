"""Responses streaming: the typed event sequence (numbered, spec-valid), consumed by both SDK helpers, and
ending in the very response that GET returns."""

from __future__ import annotations

import json
from typing import Any

import openai
from pydantic import BaseModel
from starlette.testclient import TestClient

from tests.support.spec import validate_component

AUTH = {"Authorization": "Bearer sk-test"}
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "strict": True,
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
        "additionalProperties": False,
    },
}


def _events(http: TestClient, **body: Any) -> list[dict[str, Any]]:
    answer = http.post("/v1/responses", json={**body, "stream": True}, headers=AUTH)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in answer.text.strip().split("\n\n"):
        name, data = block.split("\n", 1)
        event = json.loads(data.removeprefix("data: "))
        assert name == f"event: {event['type']}"
        events.append(event)
    return events


def test_text_stream_is_the_full_typed_sequence(http: TestClient) -> None:
    events = _events(http, model="gpt-4o", input="Explain how tides work.")
    for event in events:
        validate_component("ResponseStreamEvent", event)
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    kinds = [event["type"] for event in events]
    assert kinds[:5] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
    ]
    assert kinds[-5:] == [
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert events[0]["response"]["status"] == "in_progress" and events[0]["response"]["output"] == []
    final = events[-1]["response"]
    text = "".join(event["delta"] for event in events if event["type"] == "response.output_text.delta")
    assert text == final["output"][0]["content"][0]["text"] == events[-4]["text"]
    stored = http.get(f"/v1/responses/{final['id']}", headers=AUTH).json()
    assert stored == final
    same = http.post("/v1/responses", json={"model": "gpt-4o", "input": "Explain how tides work."}, headers=AUTH)
    assert same.json()["output"][0]["content"][0]["text"] == text  # streamed or not, the same answer


def test_function_call_and_hosted_tool_events(http: TestClient) -> None:
    events = _events(http, model="gpt-4o", input="Weather in Paris?", tools=[WEATHER_TOOL])
    for event in events:
        validate_component("ResponseStreamEvent", event)
    arguments = "".join(event["delta"] for event in events if event["type"] == "response.function_call_arguments.delta")
    done = next(event for event in events if event["type"] == "response.function_call_arguments.done")
    assert arguments == done["arguments"] and json.loads(arguments) == {"location": "Paris"}
    added = next(event for event in events if event["type"] == "response.output_item.added")
    assert added["item"]["arguments"] == "" and added["item"]["status"] == "in_progress"
    searched = _events(http, model="gpt-4o", input="Latest solar power news?", tools=[{"type": "web_search_preview"}])
    for event in searched:
        validate_component("ResponseStreamEvent", event)
    kinds = [event["type"] for event in searched]
    phases = [kind for kind in kinds if kind.startswith("response.web_")]
    assert phases == [
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
    ]
    assert kinds.count("response.output_text.annotation.added") == 2


def test_limited_stream_ends_incomplete(http: TestClient) -> None:
    events = _events(http, model="gpt-4o", input="Write an essay about harbours.", max_output_tokens=16)
    for event in events:
        validate_component("ResponseStreamEvent", event)
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}


def test_sdk_create_stream_true(client: openai.OpenAI) -> None:
    stream = client.responses.create(model="gpt-4o", input="Explain how tides work.", stream=True)
    events = list(stream)
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    text = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    final = events[-1].response  # type: ignore[union-attr]
    assert text == final.output_text and client.responses.retrieve(final.id).output_text == text


class Weather(BaseModel):
    city: str
    temperature_c: float


def test_sdk_stream_helper_with_text_format(client: openai.OpenAI) -> None:
    with client.responses.stream(model="gpt-4o", input="Weather in Lisbon as JSON.", text_format=Weather) as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert isinstance(final.output_parsed, Weather)
    assert "".join(deltas) == final.output_text
    with client.responses.stream(model="gpt-4o", input="Weather in Paris?", tools=[WEATHER_TOOL]) as stream:  # type: ignore[list-item]
        arguments = [event.delta for event in stream if event.type == "response.function_call_arguments.delta"]
        final_call = stream.get_final_response()
    assert "".join(arguments) == final_call.output[0].arguments  # type: ignore[union-attr]

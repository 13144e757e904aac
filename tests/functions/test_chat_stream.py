"""Chat streams: the exact wire format, every chunk valid against the spec, and the SDK's stream helpers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
from starlette.testclient import TestClient

from openai_mock.generation import tokens
from tests.functions.test_chat import ASK_WEATHER, WEATHER_TOOL, CalendarEvent
from tests.support.spec import validate_component

AUTH = {"Authorization": "Bearer sk-test"}


def _events(http: TestClient, body: dict[str, Any]) -> list[str]:
    response = http.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = [block for block in response.text.split("\n\n") if block]
    assert all(block.startswith("data: ") for block in blocks)
    return [block.removeprefix("data: ") for block in blocks]


def test_text_stream_wire_format(http: TestClient) -> None:
    body = {"model": "gpt-4o", "messages": ASK_WEATHER, "stream": True, "stream_options": {"include_usage": True}}
    events = _events(http, body)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk)
    assert len({(c["id"], c["created"], c["model"], c["system_fingerprint"]) for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    *content_chunks, finish, usage_chunk = chunks[1:]
    pieces = [c["choices"][0]["delta"]["content"] for c in content_chunks]
    text = "".join(pieces)
    assert len(pieces) == tokens.count_tokens(text) > 5  # one token per delta
    assert finish["choices"][0]["finish_reason"] == "stop" and finish["choices"][0]["delta"] == {}
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["completion_tokens"] == tokens.count_tokens(text)
    assert all(c["usage"] is None for c in chunks[:-1])


def test_every_chunk_is_padded_unless_obfuscation_is_turned_off(http: TestClient) -> None:
    body = {"model": "gpt-4o", "messages": ASK_WEATHER, "stream": True, "stream_options": {"include_usage": True}}
    padded = [json.loads(event) for event in _events(http, body)[:-1]]
    for chunk in padded:  # the padding rounds the delta's text up to a multiple of 16 characters
        text = "".join((choice["delta"].get("content") or "") for choice in chunk["choices"])
        assert chunk["obfuscation"].isalnum() and (len(text) + len(chunk["obfuscation"])) % 16 == 0
        assert list(chunk)[-1] == "obfuscation"  # after `usage`, as the API writes it
    assert len({chunk["obfuscation"] for chunk in padded}) > len(padded) // 2  # random-looking, not one string

    off = {**body, "stream_options": {"include_usage": True, "include_obfuscation": False}}
    plain = [json.loads(event) for event in _events(http, off)[:-1]]
    assert len(plain) == len(padded) and not any("obfuscation" in chunk for chunk in plain)
    assert [c["choices"] for c in plain] == [c["choices"] for c in padded]  # same answer, no padding

    wrong = {**body, "stream_options": {"include_obfuscation": "no"}}
    refused = http.post("/v1/chat/completions", json=wrong, headers=AUTH)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "stream_options.include_obfuscation"


def test_tool_call_stream_deltas(http: TestClient) -> None:
    body = {"model": "gpt-4o", "messages": ASK_WEATHER, "tools": [WEATHER_TOOL], "stream": True}
    chunks = [json.loads(event) for event in _events(http, body)[:-1]]
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk)
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks if "tool_calls" in c["choices"][0]["delta"]]
    opening, *fragments = calls
    # As the API streams a call-only answer: no text at all (`content` null), the call opening in the first chunk.
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None and first["tool_calls"] == [opening]
    assert not any(c["choices"][0]["delta"].get("content") is not None for c in chunks)
    assert opening["index"] == 0 and opening["id"].startswith("call_")
    assert opening["function"] == {"name": "get_weather", "arguments": ""}
    assert fragments and all(set(f) == {"index", "function"} for f in fragments)
    arguments = json.loads("".join(f["function"]["arguments"] for f in fragments))
    jsonschema.validate(arguments, WEATHER_TOOL["function"]["parameters"])
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"
    assert "usage" not in chunks[-1]


def test_sdk_stream_equals_the_non_streamed_answer(client: openai.OpenAI) -> None:
    complete = client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, n=2)
    stream = client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, n=2, stream=True)
    texts = {0: "", 1: ""}
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts == {choice.index: choice.message.content for choice in complete.choices}


def test_stream_helper_accumulates_tool_calls(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model="gpt-4o",
        messages=ASK_WEATHER,  # type: ignore[arg-type]
        tools=[WEATHER_TOOL],
    ) as stream:  # type: ignore[list-item]
        kinds = {event.type for event in stream}
        final = stream.get_final_completion()
    assert "tool_calls.function.arguments.done" in kinds
    call = final.choices[0].message.tool_calls[0]  # type: ignore[index]
    jsonschema.validate(json.loads(call.function.arguments), WEATHER_TOOL["function"]["parameters"])  # type: ignore[union-attr]


def test_stream_helper_parses_structured_output(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model="gpt-4o",
        response_format=CalendarEvent,
        messages=[{"role": "user", "content": "Dinner with Sam on Monday"}],
    ) as stream:
        text = "".join(event.delta for event in stream if event.type == "content.delta")
        final = stream.get_final_completion()
    assert isinstance(final.choices[0].message.parsed, CalendarEvent)
    assert json.loads(text) == final.choices[0].message.parsed.model_dump()


def test_stream_with_logprobs_carries_one_entry_per_token_chunk(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o", messages=ASK_WEATHER, stream=True, logprobs=True, max_completion_tokens=12
    )
    content_chunks = [c for c in stream if c.choices and c.choices[0].delta.content]
    assert len(content_chunks) == 12
    for chunk in content_chunks:
        (entry,) = chunk.choices[0].logprobs.content  # type: ignore[union-attr,misc]
        assert entry.token == chunk.choices[0].delta.content

"""Responses through the official SDK: text, usage, limits, reasoning, structured outputs, function and hosted
tools, conversation state, input items, validation; every JSON answer checked against the spec; one path
through the Lambda handler."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import openai
import pytest
from pydantic import BaseModel
from starlette.testclient import TestClient

from functions.responses import app as responses_function
from openai_mock import clock
from openai_mock.generation import tokens
from openai_mock.settings import get_settings
from tests.functions.test_chat import WEATHER_TOOL as CHAT_WEATHER_TOOL
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms, validate_component

AUTH = {"Authorization": "Bearer sk-test"}
# The Responses API declares a function tool flat: the chat tool's `function` fields at the top level.
WEATHER_TOOL: dict[str, Any] = {"type": "function", **CHAT_WEATHER_TOOL["function"]}
ASK_WEATHER = "What's the weather like in Paris this week?"
CATS = (
    "Cats are small carnivorous mammals kept as pets. A cat purrs when it is content, grooms its fur "
    "with a rough tongue and sleeps up to sixteen hours a day. Kittens open their eyes after a week."
)


def _message_tokens(role: str, text: str, model: str = "gpt-4o") -> int:
    return 3 + tokens.count_tokens(role, model) + tokens.count_tokens(text, model)


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def _create_raw(http: TestClient, **body: Any) -> dict[str, Any]:
    answer = http.post("/v1/responses", json=body, headers=AUTH)
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


# --------------------------------------------------------------------------------------------- text


def test_text_response_has_message_output_text_and_exact_usage(client: openai.OpenAI, http: TestClient) -> None:
    prompt = "Tell me a three sentence bedtime story about a unicorn."
    raw = _create_raw(http, model="gpt-4o", input=prompt)
    assert_conforms("POST", "/v1/responses", 200, raw)
    response = client.responses.create(model="gpt-4o", input=prompt)
    assert response.id.startswith("resp_") and response.object == "response" and response.status == "completed"
    (message,) = response.output
    assert message.type == "message" and message.role == "assistant" and message.id.startswith("msg_")
    assert message.content[0].type == "output_text" and message.content[0].annotations == []
    assert response.output_text == message.content[0].text and "a unicorn" in response.output_text  # its subject
    assert response.output_text.count(". ") == 2 and response.output_text.endswith(".")  # three sentences
    usage = response.usage
    assert usage is not None
    assert usage.input_tokens == 3 + _message_tokens("user", prompt)
    assert usage.output_tokens == tokens.count_tokens(response.output_text)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.cached_tokens == 0 and usage.output_tokens_details.reasoning_tokens == 0
    assert raw["output"][0]["content"][0]["text"] == response.output_text  # same request → same answer
    assert raw["tool_choice"] == "auto" and raw["truncation"] == "disabled" and raw["store"] is True


def test_instructions_and_item_input_are_context(client: openai.OpenAI) -> None:
    instructions = "You are a terse assistant that talks like a pirate."
    items: list[Any] = [
        {"role": "user", "content": [{"type": "input_text", "text": "Explain how tides work."}]},
        {"role": "assistant", "content": "The Moon pulls on the oceans."},
        {"type": "message", "role": "user", "content": "And the Sun?"},
    ]
    response = client.responses.create(model="gpt-4o", input=items, instructions=instructions)
    expected = (
        3
        + _message_tokens("developer", instructions)
        + _message_tokens("user", "Explain how tides work.")
        + _message_tokens("assistant", "The Moon pulls on the oceans.")
        + _message_tokens("user", "And the Sun?")
    )
    assert response.usage is not None and response.usage.input_tokens == expected
    assert response.instructions == instructions


def test_seed_header_changes_the_answer_and_same_request_repeats_it(client: openai.OpenAI) -> None:
    first = client.responses.create(model="gpt-4o", input="Describe sourdough bread baking.")
    again = client.responses.create(model="gpt-4o", input="Describe sourdough bread baking.")
    seeded = client.responses.create(
        model="gpt-4o", input="Describe sourdough bread baking.", extra_headers={"x-mock-seed": "42"}
    )
    assert first.output_text == again.output_text
    assert seeded.output_text != first.output_text


def test_max_output_tokens_makes_the_response_incomplete(client: openai.OpenAI, http: TestClient) -> None:
    prompt = "Write a long essay about the history of container ships and harbours."
    raw = _create_raw(http, model="gpt-4o", input=prompt, max_output_tokens=16)
    assert_conforms("POST", "/v1/responses", 200, raw)
    response = client.responses.create(model="gpt-4o", input=prompt, max_output_tokens=16)
    assert response.status == "incomplete" and response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output[0].type == "message" and response.output[0].status == "incomplete"
    assert response.usage is not None and response.usage.output_tokens == 16
    assert tokens.count_tokens(response.output_text) == 16
    full = client.responses.create(model="gpt-4o", input=prompt)
    assert full.output_text.startswith(response.output_text)  # the limit cuts that very answer
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4o", input=prompt, max_output_tokens=5)
    assert _error(raised)["param"] == "max_output_tokens"


def test_reasoning_model_adds_a_reasoning_item_and_reasoning_tokens(client: openai.OpenAI, http: TestClient) -> None:
    raw = _create_raw(http, model="o3-mini", input="Is 97 a prime number?", reasoning={"effort": "low"})
    assert_conforms("POST", "/v1/responses", 200, raw)
    response = client.responses.create(model="o3-mini", input="Is 97 a prime number?", reasoning={"effort": "high"})
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output[0].id.startswith("rs_")
    assert response.reasoning is not None and response.reasoning.effort == "high"
    usage = response.usage
    assert usage is not None and usage.output_tokens_details.reasoning_tokens >= 8 * 64
    assert usage.output_tokens == usage.output_tokens_details.reasoning_tokens + tokens.count_tokens(
        response.output_text, "o3-mini"
    )
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4o", input="Hi", reasoning={"effort": "low"})
    assert _error(raised)["param"] == "reasoning.effort"
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="o3-mini", input="Hi", temperature=0.2)
    assert _error(raised)["param"] == "temperature"


# --------------------------------------------------------------------------------------------- structured output


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_parse_with_a_pydantic_text_format(client: openai.OpenAI) -> None:
    parsed = client.responses.parse(
        model="gpt-4o", input="Alice and Bob are going to a science fair on Friday.", text_format=CalendarEvent
    )
    event = parsed.output_parsed
    assert isinstance(event, CalendarEvent) and event.name and isinstance(event.participants, list)
    assert json.loads(parsed.output_text) == event.model_dump()


def test_json_schema_and_json_object_formats(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["score", "tags"],
        "additionalProperties": False,
    }
    response = client.responses.create(
        model="gpt-4o",
        input="Rate this movie.",
        text={"format": {"type": "json_schema", "name": "rating", "schema": schema, "strict": True}},
    )
    jsonschema.validate(json.loads(response.output_text), schema)
    answer = client.responses.create(
        model="gpt-4o", input="Reply in JSON about cats.", text={"format": {"type": "json_object"}}
    )
    assert isinstance(json.loads(answer.output_text), dict)
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="gpt-4o", input="Tell me about cats.", text={"format": {"type": "json_object"}})
    assert _error(raised)["param"] == "input"
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4o",
            input="x",
            text={"format": {"type": "json_schema", "name": "loose", "schema": loose, "strict": True}},
        )
    assert _error(raised)["code"] == "invalid_json_schema"


# --------------------------------------------------------------------------------------------- function tools


def test_function_call_then_function_output_answers_in_text(client: openai.OpenAI, http: TestClient) -> None:
    raw = _create_raw(http, model="gpt-4o", input=ASK_WEATHER, tools=[WEATHER_TOOL])
    assert_conforms("POST", "/v1/responses", 200, raw)
    response = client.responses.create(model="gpt-4o", input=ASK_WEATHER, tools=[WEATHER_TOOL])  # type: ignore[list-item]
    (call,) = response.output
    assert call.type == "function_call" and call.name == "get_weather" and call.call_id.startswith("call_")
    arguments = json.loads(call.arguments)
    jsonschema.validate(arguments, WEATHER_TOOL["parameters"])
    assert arguments["location"] == "Paris" and response.output_text == ""
    follow = client.responses.create(
        model="gpt-4o",
        previous_response_id=response.id,
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18°C and sunny"}],
    )
    assert [item.type for item in follow.output] == ["message"]
    assert "18°C and sunny" in follow.output_text
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4o", input=[{"type": "function_call_output", "call_id": "call_unknown", "output": "x"}]
        )
    assert "call_unknown" in _error(raised)["message"]


def test_tool_choice_forces_or_forbids_calls(client: openai.OpenAI) -> None:
    tools: Any = [WEATHER_TOOL]
    none = client.responses.create(model="gpt-4o", input=ASK_WEATHER, tools=tools, tool_choice="none")
    assert [item.type for item in none.output] == ["message"]
    forced = client.responses.create(
        model="gpt-4o", input="Hello!", tools=tools, tool_choice={"type": "function", "name": "get_weather"}
    )
    assert [item.type for item in forced.output] == ["function_call"]
    assert (
        client.responses.create(model="gpt-4o", input="Hello!", tools=tools, tool_choice="required").output[0].type
        == "function_call"
    )
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4o", input="Hi", tools=tools, tool_choice={"type": "function", "name": "nope"}
        )
    assert _error(raised)["param"] == "tool_choice"
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4o",
            input="Hi",
            tools=[{"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True}],
        )
    assert _error(raised)["code"] == "invalid_function_parameters"  # strict mode needs a strict schema


def test_function_tools_without_strict_are_accepted_and_strict_where_they_can_be(
    client: openai.OpenAI, http: TestClient
) -> None:
    loose = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    tools: Any = [
        {"type": "function", "name": "get_weather", "description": "Weather of a city", "parameters": loose},
        {**WEATHER_TOOL, "name": "get_forecast", "strict": None},
    ]
    tools[1].pop("strict")
    raw = _create_raw(http, model="gpt-4o", input=ASK_WEATHER, tools=tools)
    assert_conforms("POST", "/v1/responses", 200, raw, spec="2026-08-21")
    # the loose schema cannot be strict (no additionalProperties: false); the strict-ready one is made strict
    assert [tool["strict"] for tool in raw["tools"]] == [False, True]
    calls = [item for item in raw["output"] if item["type"] == "function_call"]
    assert calls and calls[0]["name"] == "get_weather"
    assert "city" in json.loads(calls[0]["arguments"])


# --------------------------------------------------------------------------------------------- hosted tools


def _searchable_store(client: openai.OpenAI) -> str:
    clock.freeze(1_750_000_000)
    file_id = client.files.create(file=("cats.txt", io.BytesIO(CATS.encode())), purpose="assistants").id
    store = client.vector_stores.create(name="pets", file_ids=[file_id])
    clock.advance(get_settings().vector_store_processing_seconds)
    return store.id


def test_file_search_reads_the_tenants_vector_store(client: openai.OpenAI, http: TestClient) -> None:
    store_id = _searchable_store(client)
    tool = {"type": "file_search", "vector_store_ids": [store_id]}
    raw = _create_raw(
        http, model="gpt-4o", input="How long do cats sleep?", tools=[tool], include=["file_search_call.results"]
    )
    assert_conforms("POST", "/v1/responses", 200, raw)
    search_call, message = raw["output"]
    assert search_call["type"] == "file_search_call" and search_call["queries"] == ["How long do cats sleep?"]
    assert search_call["results"][0]["filename"] == "cats.txt" and "sixteen hours" in search_call["results"][0]["text"]
    citation = message["content"][0]["annotations"][0]
    assert citation["type"] == "file_citation" and citation["file_id"] == search_call["results"][0]["file_id"]
    assert "sixteen hours" in message["content"][0]["text"]  # the answer uses what was found
    plain = client.responses.create(model="gpt-4o", input="How long do cats sleep?", tools=[tool])  # type: ignore[list-item]
    assert plain.output[0].type == "file_search_call" and plain.output[0].results is None  # not included
    assert plain.usage is not None and plain.usage.input_tokens > tokens.count_tokens(CATS)
    with pytest.raises(openai.NotFoundError):
        client.responses.create(
            model="gpt-4o", input="x", tools=[{"type": "file_search", "vector_store_ids": ["vs_missing"]}]
        )


def test_web_search_cites_urls_inside_the_text(http: TestClient) -> None:
    raw = _create_raw(http, model="gpt-4o", input="What is new in solar power?", tools=[{"type": "web_search_preview"}])
    assert_conforms("POST", "/v1/responses", 200, raw)
    search_call, message = raw["output"]
    assert search_call["type"] == "web_search_call" and search_call["status"] == "completed"
    part = message["content"][0]
    assert len(part["annotations"]) == 2
    for annotation in part["annotations"]:
        assert annotation["type"] == "url_citation" and annotation["url"].startswith("https://")
        assert part["text"][annotation["start_index"] : annotation["end_index"]].endswith(f"({annotation['url']})")
    assert raw["usage"]["output_tokens"] == tokens.count_tokens(part["text"])


def test_computer_use_looks_acts_then_reports(client: openai.OpenAI) -> None:
    computer: Any = [
        {"type": "computer_use_preview", "display_width": 1024, "display_height": 768, "environment": "browser"}
    ]
    screenshot = {"type": "computer_screenshot", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    first = client.responses.create(
        model="computer-use-preview", input="Open the news site.", tools=computer, truncation="auto"
    )
    (call,) = first.output
    assert call.type == "computer_call" and call.action.type == "screenshot"
    validate_component("ComputerToolCall", call.model_dump(exclude_none=True))
    second = client.responses.create(
        model="computer-use-preview",
        previous_response_id=first.id,
        tools=computer,
        truncation="auto",
        input=[{"type": "computer_call_output", "call_id": call.call_id, "output": screenshot}],
    )
    click = second.output[0]
    assert click.type == "computer_call" and click.action.type == "click"
    assert 0 <= click.action.x < 1024 and 0 <= click.action.y < 768  # type: ignore[union-attr]
    third = client.responses.create(
        model="computer-use-preview",
        previous_response_id=second.id,
        tools=computer,
        truncation="auto",
        input=[{"type": "computer_call_output", "call_id": click.call_id, "output": screenshot}],
    )
    assert [item.type for item in third.output] == ["message"] and third.output_text


# --------------------------------------------------------------------------------------------- state


def test_previous_response_continues_the_conversation(client: openai.OpenAI, http: TestClient) -> None:
    first = client.responses.create(model="gpt-4o", input="Tell me about the history of lighthouses.")
    second = client.responses.create(model="gpt-4o", input="Who kept them?", previous_response_id=first.id)
    assert first.usage is not None and second.usage is not None
    earlier = first.usage.input_tokens - 3 + _message_tokens("assistant", first.output_text)
    assert second.usage.input_tokens == earlier + _message_tokens("user", "Who kept them?") + 3
    assert second.usage.input_tokens_details.cached_tokens == 0  # under 1,024 tokens: nothing cached
    assert second.previous_response_id == first.id
    fetched = http.get(f"/v1/responses/{second.id}", headers=AUTH)
    assert_conforms("GET", f"/v1/responses/{second.id}", 200, fetched.json())
    assert fetched.json()["output"][0]["content"][0]["text"] == second.output_text
    assert fetched.json()["usage"]["input_tokens"] == second.usage.input_tokens
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.create(model="gpt-4o", input="x", previous_response_id="resp_missing")
    assert _error(raised)["param"] == "previous_response_id"


def test_store_false_keeps_nothing_and_delete_forgets(
    client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    unstored = client.responses.create(model="gpt-4o", input="Hello!", store=False)
    assert unstored.store is False
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)
    kept = client.responses.create(model="gpt-4o", input="Hello!")
    assert client.responses.retrieve(kept.id).output_text == kept.output_text
    with pytest.raises(openai.NotFoundError):
        client_for("sk-other-tenant").responses.retrieve(kept.id)
    client.responses.delete(kept.id)
    with pytest.raises(openai.NotFoundError) as raised:
        client.responses.retrieve(kept.id)
    assert kept.id in _error(raised)["message"]
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(kept.id)


def test_delete_answers_the_deletion_object(http: TestClient) -> None:
    created = _create_raw(http, model="gpt-4o", input="Hello!")
    deleted = http.delete(f"/v1/responses/{created['id']}", headers=AUTH)
    assert deleted.status_code == 200 and deleted.json() == {"id": created["id"], "object": "response", "deleted": True}


def test_input_items_paginate_in_both_orders(client: openai.OpenAI, http: TestClient) -> None:
    texts = [f"Note number {index} about gardening." for index in range(5)]
    response = client.responses.create(model="gpt-4o", input=[{"role": "user", "content": text} for text in texts])
    listed = http.get(f"/v1/responses/{response.id}/input_items", params={"limit": 2}, headers=AUTH).json()
    assert_conforms("GET", f"/v1/responses/{response.id}/input_items", 200, listed)
    assert [item["content"][0]["text"] for item in listed["data"]] == texts[:2] and listed["has_more"] is True
    every = list(client.responses.input_items.list(response.id, limit=2))  # the SDK follows `after`
    assert [item.content[0].text for item in every] == texts  # type: ignore[union-attr]
    newest = client.responses.input_items.list(response.id, order="desc", limit=3)
    assert [item.content[0].text for item in newest.data] == texts[::-1][:3]  # type: ignore[union-attr]
    before = http.get(
        f"/v1/responses/{response.id}/input_items", params={"before": every[3].id, "limit": 2}, headers=AUTH
    ).json()  # today's SDK no longer offers `before`
    assert [item["content"][0]["text"] for item in before["data"]] == texts[1:3]
    with pytest.raises(openai.BadRequestError):
        client.responses.input_items.list(response.id, limit=101)


# --------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "gpt-unknown", "input": "x"}, 404, "model"),
        ({"model": "text-embedding-3-small", "input": "x"}, 400, "model"),
        ({"model": "gpt-4o"}, 400, "input"),
        ({"model": "gpt-4o", "input": []}, 400, "input"),
        ({"model": "gpt-4o", "input": 42}, 400, "input"),
        ({"model": "gpt-4o", "input": [{"role": "robot", "content": "x"}]}, 400, "input[0].role"),
        (
            {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "output_text", "text": "x"}]}]},
            400,
            "input[0].content[0].type",
        ),
        (
            {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_image"}]}]},
            400,
            "input[0].content[0].image_url",
        ),
        ({"model": "gpt-4o", "input": "x", "temperature": 3}, 400, "temperature"),
        ({"model": "gpt-4o", "input": "x", "truncation": "sometimes"}, 400, "truncation"),
        ({"model": "gpt-4o", "input": "x", "include": ["everything"]}, 400, "include[0]"),
        ({"model": "gpt-4o", "input": "x", "tools": [{"type": "code_interpreter"}]}, 400, "tools[0].container"),
        (
            {
                "model": "gpt-4o",
                "input": "x",
                "tools": [{"type": "web_search_preview"}],
                "tool_choice": {"type": "file_search"},
            },
            400,
            "tool_choice",
        ),
        ({"model": "gpt-4o", "input": "x", "background": True, "store": False}, 400, "background"),
    ],
)
def test_bad_requests_get_openai_errors(http: TestClient, body: dict[str, Any], status: int, param: str) -> None:
    answer = http.post("/v1/responses", json=body, headers=AUTH)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["param"] == param


def test_image_input_is_costed_like_chat(client: openai.OpenAI) -> None:
    text_only = client.responses.create(
        model="gpt-4o",
        input=[{"role": "user", "content": [{"type": "input_text", "text": "What is in this picture?"}]}],
    )
    with_image = client.responses.create(
        model="gpt-4o",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What is in this picture?"},
                    {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "low"},
                ],
            }
        ],
    )
    assert text_only.usage is not None and with_image.usage is not None
    assert with_image.usage.input_tokens == text_only.usage.input_tokens + 85


def test_through_the_lambda_handler() -> None:
    sdk = lambda_client(responses_function.handler, "v1")  # type: ignore[arg-type]
    created = sdk.responses.create(model="gpt-4o", input="Explain how tides work.", max_output_tokens=20)
    assert created.status == "incomplete" and created.usage is not None and created.usage.output_tokens == 20
    assert sdk.responses.retrieve(created.id).output_text == created.output_text
    streamed = sdk.responses.create(model="gpt-4o", input="Explain how tides work.", stream=True)
    assert "".join(event.delta for event in streamed if event.type == "response.output_text.delta")

"""Reasoning items' encrypted content, what stateless clients (`store: false`: the Codex CLI, the Agents SDK) keep a
model's reasoning with: shown on every create (REST, stream, WebSocket), on a retrieval only when `include` asks;
passed back in the next input it is read again (billed as input tokens, since the last user message only), content
the mock did not seal is a 400 `invalid_encrypted_content`, and an unstored item without it a 404. Held to the SDK's
models and the 2026-08-21 spec."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.responses import Response, ResponseIncludable
from starlette.testclient import TestClient

from openai_mock import clock
from tests.support.live_server import live_server_fixture
from tests.support.mock_fixtures import add_fixture
from tests.support.sdk import held
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
MODEL = "o3-mini"  # a reasoning model: every answer starts with a reasoning item
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
ASK = {"role": "user", "content": "What's the weather in Paris?"}
INCLUDE: list[ResponseIncludable] = ["reasoning.encrypted_content"]

base_url = live_server_fixture()


def _created(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = held(Response, client.responses.with_raw_response.create(**body))
    assert_conforms("POST", "/responses", 200, answer, spec=SPEC)
    return answer


def _reasoning(response: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = next(item for item in response["output"] if item["type"] == "reasoning")
    return item


def _called(client: openai.OpenAI) -> dict[str, Any]:
    """A stateless first turn: reasoning, then a call of the weather tool."""
    first = _created(client, model=MODEL, input=[ASK], tools=[WEATHER], store=False, include=INCLUDE)
    assert [item["type"] for item in first["output"]] == ["reasoning", "function_call"]
    return first


def _answered(client: openai.OpenAI, first: dict[str, Any], *, without_reasoning: bool = False) -> dict[str, Any]:
    """The second turn, stateless: the first's output passed back with the tool's result."""
    call = next(item for item in first["output"] if item["type"] == "function_call")
    passed = [item for item in first["output"] if not (without_reasoning and item["type"] == "reasoning")]
    result = {"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp_c": 18}'}
    return _created(client, model=MODEL, input=[ASK, *passed, result], tools=[WEATHER], store=False, include=INCLUDE)


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return body


# --------------------------------------------------------------------------------------------- shown


def test_a_create_seals_each_reasoning_item_with_what_it_stands_for(client: openai.OpenAI) -> None:
    asked = _created(client, model=MODEL, input="Why is the sky blue?", include=INCLUDE, reasoning={"summary": "auto"})
    reasoning = _reasoning(asked)
    content = reasoning["encrypted_content"]
    assert isinstance(content, str) and content.startswith("gAAAAA")  # as opaque as the real API's
    assert "sky" not in content and "sky" in reasoning["summary"][0]["text"]
    # The spec and the SDK: populated by default for a create, asked for or not; the same turn, the same content.
    unasked = _created(client, model=MODEL, input="Why is the sky blue?", reasoning={"summary": "auto"})
    assert _reasoning(unasked)["encrypted_content"] == content


def test_a_retrieval_shows_the_encrypted_content_only_when_include_asks(client: openai.OpenAI) -> None:
    created = _created(client, model=MODEL, input="Name a prime number.")
    sealed = _reasoning(created)["encrypted_content"]
    plain = held(Response, client.responses.with_raw_response.retrieve(created["id"]))
    assert_conforms("GET", "/responses/{response_id}", 200, plain, spec=SPEC)
    assert "encrypted_content" not in _reasoning(plain)
    included = held(Response, client.responses.with_raw_response.retrieve(created["id"], include=INCLUDE))
    assert _reasoning(included)["encrypted_content"] == sealed


def test_a_stream_carries_the_content_on_the_done_item_and_the_completed_response(client: openai.OpenAI) -> None:
    events: list[Any] = list(
        client.responses.create(model=MODEL, input="Name a prime number.", include=INCLUDE, stream=True)
    )
    added = next(e for e in events if e.type == "response.output_item.added" and e.item.type == "reasoning")
    done = next(e for e in events if e.type == "response.output_item.done" and e.item.type == "reasoning")
    completed = events[-1]
    assert completed.type == "response.completed"
    assert added.item.encrypted_content is None  # not whole yet: the done item's is the one to keep
    assert done.item.encrypted_content and done.item.encrypted_content.startswith("gAAAAA")
    assert completed.response.output[0].encrypted_content == done.item.encrypted_content


def test_a_background_response_shows_it_once_finished_when_retrieved_with_include(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000)
    queued = _created(client, model=MODEL, input="Name a prime number.", background=True)
    assert queued["status"] == "queued" and queued["output"] == []
    clock.advance(600)
    finished = held(Response, client.responses.with_raw_response.retrieve(queued["id"], include=INCLUDE))
    assert finished["status"] == "completed"
    assert _reasoning(finished)["encrypted_content"].startswith("gAAAAA")
    plain = held(Response, client.responses.with_raw_response.retrieve(queued["id"]))
    assert "encrypted_content" not in _reasoning(plain)


def test_a_websocket_create_carries_the_encrypted_content(base_url: str) -> None:
    live = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    with live.beta.responses.connect() as connection:
        connection.send({"type": "response.create", "model": MODEL, "input": "Name a prime number.", "store": False})
        while True:
            event = json.loads(connection._connection.recv(timeout=30, decode=False))  # type: ignore[union-attr]
            if event["type"] == "response.completed":
                break
    assert _reasoning(event["response"])["encrypted_content"].startswith("gAAAAA")


# --------------------------------------------------------------------------------------------- read back


def test_a_stateless_chain_reads_the_passed_back_reasoning_as_input(client: openai.OpenAI) -> None:
    first = _called(client)
    thought = first["usage"]["output_tokens_details"]["reasoning_tokens"]
    assert thought > 0
    second = _answered(client, first)
    assert second["output"][-1]["type"] == "message" and second["output"][-1]["content"][0]["text"]
    # The same turn without the reasoning item: the model reads the tokens it reasoned in the first turn again.
    forgotten = _answered(client, first, without_reasoning=True)
    assert second["usage"]["input_tokens"] == forgotten["usage"]["input_tokens"] + thought
    assert second["usage"]["total_tokens"] == second["usage"]["input_tokens"] + second["usage"]["output_tokens"]


def test_reasoning_before_the_last_user_message_is_dropped(client: openai.OpenAI) -> None:
    first = _called(client)
    second = _answered(client, first)
    call = next(item for item in first["output"] if item["type"] == "function_call")
    result = {"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp_c": 18}'}
    follow_up = {"role": "user", "content": "And in Rome?"}
    earlier = [ASK, *first["output"], result, *second["output"], follow_up]
    kept = _created(client, model=MODEL, input=earlier, tools=[WEATHER], store=False)
    without = [item for item in earlier if item.get("type") != "reasoning"]
    plain = _created(client, model=MODEL, input=without, tools=[WEATHER], store=False)
    assert kept["usage"]["input_tokens"] == plain["usage"]["input_tokens"]


def test_a_stored_chain_reads_its_reasoning_as_the_stateless_one_does(client: openai.OpenAI) -> None:
    called = _created(client, model=MODEL, input=[ASK], tools=[WEATHER])
    call = next(item for item in called["output"] if item["type"] == "function_call")
    result = {"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp_c": 18}'}
    chained = _created(client, model=MODEL, previous_response_id=called["id"], input=[result], tools=[WEATHER])
    passed = _created(client, model=MODEL, input=[ASK, *called["output"], result], tools=[WEATHER], store=False)
    assert chained["usage"]["input_tokens"] == passed["usage"]["input_tokens"]


def test_a_fixtures_reasoning_is_sealed_and_read_back_too(client: openai.OpenAI, http: TestClient) -> None:
    fixture = {
        "match": {"endpoint": "responses", "tool": "get_weather", "tool_result": False},
        "response": {
            "output": [
                {"type": "reasoning", "summary": ["The user wants the weather in Paris."]},
                {"type": "function_call", "name": "get_weather", "arguments": {"city": "Paris"}},
            ]
        },
    }
    add_fixture(http, **fixture)
    first = _called(client)
    thought = first["usage"]["output_tokens_details"]["reasoning_tokens"]
    assert thought > 0
    second = _answered(client, first)
    forgotten = _answered(client, first, without_reasoning=True)
    assert second["usage"]["input_tokens"] == forgotten["usage"]["input_tokens"] + thought


# --------------------------------------------------------------------------------------------- refused


def test_content_the_mock_did_not_seal_is_refused(client: openai.OpenAI) -> None:
    first = _called(client)
    reasoning, call = first["output"]
    sealed = reasoning["encrypted_content"]
    compaction: Any = client.responses.compact(model=MODEL, input="Remember: the code word is owl.").output[-1]
    for forged in ("gAAAAABnot-ours==", sealed[:-8] + "AAAAAAA=", compaction.encrypted_content):
        item = {**reasoning, "encrypted_content": forged}
        with pytest.raises(openai.BadRequestError) as raised:
            client.responses.create(model=MODEL, input=[ASK, item, call], tools=[WEATHER], store=False)  # type: ignore[list-item]
        error = _error(raised)
        assert error["code"] == "invalid_encrypted_content" and error["type"] == "invalid_request_error"
        assert error["param"] == "input[1].encrypted_content"
        assert "could not be verified" in error["message"] and forged[:4] in error["message"]


def test_without_encrypted_content_a_stored_turn_takes_it_and_an_unstored_one_does_not(client: openai.OpenAI) -> None:
    first = _called(client)
    reasoning, call = first["output"]
    bare = {key: value for key, value in reasoning.items() if key != "encrypted_content"}
    for item in (bare, {**bare, "encrypted_content": None}):
        taken = _created(client, model=MODEL, input=[ASK, item, call], tools=[WEATHER])  # type: ignore[list-item]
        assert taken["status"] == "completed"
        with pytest.raises(openai.NotFoundError) as raised:
            client.responses.create(model=MODEL, input=[ASK, item, call], tools=[WEATHER], store=False)  # type: ignore[list-item]
        error = _error(raised)
        assert error["param"] == "input[1]" and reasoning["id"] in error["message"]
        assert "not persisted when `store` is set to false" in error["message"]


def test_a_conversations_reasoning_shows_its_encrypted_content_only_when_include_asks(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    created = _created(client, model=MODEL, input="Name a prime number.", conversation=conversation.id)
    sealed = _reasoning(created)["encrypted_content"]
    listed = client.conversations.items.with_raw_response.list(conversation.id, order="asc").http_response.json()
    assert [item["type"] for item in listed["data"]] == ["message", "reasoning", "message"]
    assert "encrypted_content" not in listed["data"][1]
    included = client.conversations.items.with_raw_response.list(conversation.id, order="asc", include=INCLUDE)
    assert included.http_response.json()["data"][1]["encrypted_content"] == sealed


def test_input_items_show_passed_back_reasoning_as_include_asks(client: openai.OpenAI, http: TestClient) -> None:
    first = _called(client)  # its reasoning passed back in a stored response's input
    stored = client.responses.create(model=MODEL, input=[ASK, *first["output"]], tools=[WEATHER], store=True)
    listed = client.responses.input_items.with_raw_response.list(stored.id).http_response.json()
    reasoning = next(item for item in listed["data"] if item["type"] == "reasoning")
    assert "encrypted_content" not in reasoning
    included = client.responses.input_items.with_raw_response.list(stored.id, include=INCLUDE).http_response.json()
    shown = next(item for item in included["data"] if item["type"] == "reasoning")
    assert shown["encrypted_content"] == _reasoning(first)["encrypted_content"]
    refused = http.get(f"/v1/responses/{stored.id}/input_items?include=nothing", headers=AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "include[0]"

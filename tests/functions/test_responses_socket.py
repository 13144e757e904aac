"""The Responses API over a WebSocket (`client.beta.responses.connect()`) through the official SDK, against the local
server on a real socket: a `response.create` answers what `POST /v1/responses` answers, stored and continued as
there; bad events are `error` events on a socket that stays open; steering input is accepted only while a (paced)
response is being sent. And the same protocol on AWS: API Gateway WebSocket events through ResponsesFunction."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.beta.beta_responses_server_event import BetaResponsesServerEvent
from pydantic import TypeAdapter
from websockets.sync.client import connect as ws_connect

from openai_mock.web import websocket_gateway
from tests.support.lambda_transport import FakeLambdaContext
from tests.support.live_server import live_client_fixture, live_server_fixture

SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(BetaResponsesServerEvent)
EVENTS = Path(__file__).resolve().parents[2] / "events" / "responses" / "websocket"
MODEL = "gpt-4.1"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
PACED = {"x-mock-tokens-per-second": "40"}  # a response's deltas take a while: it can be steered meanwhile


base_url = live_server_fixture()
client = live_client_fixture()


def _next(connection: Any) -> dict[str, Any]:
    # The SDK's recv() waits forever; a missing event must fail the test, not hang the suite.
    raw = connection._connection.recv(timeout=30, decode=False)
    event: dict[str, Any] = json.loads(raw)
    SERVER_EVENT.validate_python(event, strict=True)  # held to the SDK's model of the server events
    assert connection.parse_event(raw).type == event["type"]
    return event


def _send(connection: Any, event: dict[str, Any]) -> None:
    connection.send(event)  # as the SDK serialises it (the SDK's own ResponseCreate param, checked at run time)


def _until(connection: Any, *last: str) -> list[dict[str, Any]]:
    events = [_next(connection)]
    while events[-1]["type"] not in last:
        events.append(_next(connection))
    return events


def _text(events: list[dict[str, Any]]) -> str:
    return "".join(event["delta"] for event in events if event["type"] == "response.output_text.delta")


def test_a_create_streams_what_post_answers_and_stores_it(client: openai.OpenAI) -> None:
    asked: dict[str, Any] = {"model": MODEL, "input": "Write a haiku about the sea.", "instructions": "Be brief."}
    posted = client.responses.with_raw_response.create(**asked).parse()
    posted_usage = client.responses.with_raw_response.retrieve(posted.id).http_response.json()["usage"]
    with client.beta.responses.connect() as connection:
        _send(connection, {"type": "response.create", **asked, "stream_id": "lane-a"})
        events = _until(connection, "response.completed")
    assert [event["sequence_number"] for event in events] == list(range(len(events)))
    assert events[0]["type"] == "response.created"
    assert all(event["stream_id"] == "lane-a" for event in events)  # the lane is echoed on every event
    done = events[-1]["response"]
    assert _text(events) == posted.output_text != ""  # same input, same answer
    assert done["usage"] == posted_usage
    kept = client.responses.retrieve(done["id"])
    assert kept.status == "completed" and kept.output_text == posted.output_text


def test_the_ga_client_connects_to_the_same_socket(client: openai.OpenAI) -> None:
    """`client.responses.connect()` (GA) opens the same `/responses` socket as the beta client."""
    asked: dict[str, Any] = {"model": MODEL, "input": "Name three rivers."}
    posted = client.responses.create(**asked)
    with client.responses.connect() as connection:
        connection.send({"type": "response.create", **asked})
        events = []
        while not events or events[-1]["type"] != "response.completed":
            raw = connection._connection.recv(timeout=30, decode=False)
            events.append(json.loads(raw))
            assert connection.parse_event(raw).type == events[-1]["type"]  # the GA client's own event model
    assert _text(events) == posted.output_text != ""


def test_creates_run_in_turn_and_continue_each_other(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        _send(connection, {"type": "response.create", "model": MODEL, "input": "My name is Ada."})
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Tell me a fun fact."})
        first = _until(connection, "response.completed")[-1]["response"]
        second = _until(connection, "response.completed")[-1]["response"]
        assert first["id"] != second["id"]
        _send(
            connection,
            {
                "type": "response.create",
                "model": MODEL,
                "input": "What is my name?",
                "previous_response_id": first["id"],
            },
        )
        third = _until(connection, "response.completed")[-1]["response"]
    assert third["previous_response_id"] == first["id"]
    # The whole earlier turn is read again: more input than the question alone (too short to be cached).
    assert third["usage"]["input_tokens"] > first["usage"]["input_tokens"] + first["usage"]["output_tokens"]
    assert third["usage"]["input_tokens_details"]["cached_tokens"] == 0
    items = client.responses.input_items.list(third["id"])
    assert [item.type for item in items.data] == ["message"]


def test_a_bad_event_is_an_error_event_and_the_socket_stays_open(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Hi", "temperature": 7})
        error = _next(connection)
        assert error["type"] == "error" and error["status"] == 400
        assert error["error"]["param"] == "temperature"
        assert error["error"]["type"] == "invalid_request_error"
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Hi", "background": True})
        assert _next(connection)["error"]["param"] == "background"  # not over a WebSocket
        connection._connection.send("not json")
        assert _next(connection)["type"] == "error"
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Hi"})
        assert _until(connection, "response.completed")[-1]["response"]["status"] == "completed"


def test_generate_false_keeps_the_turn_without_output(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        _send(
            connection,
            {"type": "response.create", "model": MODEL, "input": "Remember: the code is 42.", "generate": False},
        )
        prepared = _until(connection, "response.completed")
        assert not [event for event in prepared if event["type"] == "response.output_text.delta"]
        kept = prepared[-1]["response"]
        assert kept["output"] == [] and kept["usage"]["output_tokens"] == 0
        _send(
            connection,
            {
                "type": "response.create",
                "model": MODEL,
                "input": "What is the code?",
                "previous_response_id": kept["id"],
            },
        )
        answer = _until(connection, "response.completed")[-1]["response"]
    assert answer["usage"]["input_tokens"] > kept["usage"]["input_tokens"]  # the kept turn is read again
    assert client.responses.retrieve(kept["id"]).output == []


def test_a_steer_with_no_response_in_progress_fails(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        _send(connection, {"type": "response.steer", "previous_response_id": "resp_unknown", "input": "Shorter."})
        unknown = _next(connection)
        assert unknown["type"] == "response.steer.failed"
        assert unknown["error"]["code"] == "response_not_found"
        assert "id" not in unknown["steer"] and unknown["steer"]["input"] == "Shorter."
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Hi"})
        done = _until(connection, "response.completed")[-1]["response"]
        _send(connection, {"type": "response.steer", "previous_response_id": done["id"], "input": "Shorter."})
        late = _next(connection)
        assert late["error"]["code"] == "response_already_completed"
        tool_output = [{"type": "function_call_output", "call_id": "call_1", "output": "18"}]  # user messages only
        _send(connection, {"type": "response.steer", "previous_response_id": done["id"], "input": tool_output})
        invalid = _next(connection)
        assert invalid["error"]["code"] == "invalid_input" and invalid["steer"]["input"] == tool_output
        _send(
            connection,
            {"type": "response.inject", "response_id": done["id"], "input": [{"role": "user", "content": "x"}]},
        )
        injected = _next(connection)
        assert injected["type"] == "response.inject.failed"
        assert injected["error"]["code"] == "response_already_completed"


def test_a_steer_in_time_is_continued_by_an_automatic_successor(client: openai.OpenAI) -> None:
    with client.beta.responses.connect(extra_headers=PACED) as connection:
        _send(connection, {"type": "response.create", "model": MODEL, "input": "Tell me about lighthouses."})
        created = _next(connection)
        steered = created["response"]["id"]
        _send(connection, {"type": "response.steer", "previous_response_id": steered, "input": "Mention Alexandria."})
        events = _until(connection, "response.steer.accepted")
        accepted = events[-1]
        assert accepted["steer"]["previous_response_id"] == steered and accepted["steer"]["id"].startswith("steer_")
        first = _until(connection, "response.completed")[-1]["response"]
        assert first["id"] == steered and first["status"] == "completed"
        successor = _until(connection, "response.completed")
    assert successor[0]["type"] == "response.created"  # the commit point
    follow = successor[-1]["response"]
    assert follow["previous_response_id"] == steered
    assert follow["model"] == first["model"]  # the settings are the steered response's
    items = client.responses.input_items.list(follow["id"]).data
    assert [(item.role, item.model_dump()["content"][0]["text"]) for item in items] == [("user", "Mention Alexandria.")]  # type: ignore[union-attr]


def test_a_steer_of_a_response_waiting_for_tool_output_stays_queued(client: openai.OpenAI) -> None:
    asked: dict[str, Any] = {
        "model": MODEL,
        "input": "What is the weather in Paris?",
        "tools": [WEATHER],
        "tool_choice": "required",
    }
    with client.beta.responses.connect(extra_headers=PACED) as connection:
        _send(connection, {"type": "response.create", **asked})
        target = _next(connection)["response"]["id"]
        _send(connection, {"type": "response.steer", "previous_response_id": target, "input": "Use Celsius."})
        events = _until(connection, "response.steer.pending")
        call = next(e["response"] for e in events if e["type"] == "response.completed")["output"][0]
        pending = events[-1]
        assert pending["reason"] == "waiting_for_required_input"
        assert pending["required_input"] == [
            {"type": "function_call_output", "call_id": call["call_id"], "name": "get_weather"}
        ]
        _send(
            connection,
            {
                "type": "response.create",
                "model": MODEL,
                "previous_response_id": target,
                "input": [{"type": "function_call_output", "call_id": call["call_id"], "output": '{"temp": 18}'}],
            },
        )
        answer = _until(connection, "response.completed")[-1]["response"]
    items = client.responses.input_items.list(answer["id"]).data
    assert [item.type for item in items] == ["message", "function_call_output"]  # the queued input first


def test_the_upgrade_needs_a_key(base_url: str) -> None:
    with ws_connect(base_url.replace("http", "ws") + "/responses") as socket:
        refused = json.loads(socket.recv(timeout=30))
        SERVER_EVENT.validate_python(refused, strict=True)
        assert refused["status"] == 401 and refused["error"]["code"] == "invalid_api_key"


# --------------------------------------------------------------------------------------------- on AWS


def _event(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.update(copy.deepcopy(changes))
    return event


def _handle(event: dict[str, Any]) -> dict[str, Any]:
    from functions.responses.app import handler

    result: dict[str, Any] = handler(event, FakeLambdaContext())
    return result


def test_a_connection_on_api_gateway(moto_persistence: None, monkeypatch: pytest.MonkeyPatch) -> None:
    posts: list[tuple[str, str, dict[str, Any]]] = []

    def post(self: websocket_gateway.ManagementApi, connection_id: str, data: bytes) -> None:
        assert len(data) <= websocket_gateway.MAX_FRAME_BYTES
        posts.append((self.endpoint, connection_id, json.loads(data)))

    monkeypatch.setattr(websocket_gateway.ManagementApi, "post", post)
    refused = _handle(_event("connect", headers={"Host": "ghijkl5678.execute-api.us-east-1.amazonaws.com"}))
    assert refused["statusCode"] == 401  # refused before the upgrade
    assert _handle(_event("connect")) == {"statusCode": 200}
    assert _handle(_event("default"))["statusCode"] == 200
    events = [event for _, _, event in posts]
    for event in events:
        SERVER_EVENT.validate_python(event, strict=True)
    endpoint, connection_id, _ = posts[0]
    assert endpoint == "https://ghijkl5678.execute-api.us-east-1.amazonaws.com/responses"
    assert connection_id == "Pc8WqeFqIAMCJzA="
    assert events[0]["type"] == "response.created" and events[-1]["type"] == "response.completed"
    first = events[-1]["response"]
    posts.clear()
    follow_up = {
        "type": "response.create",
        "model": MODEL,
        "input": "And one more.",
        "previous_response_id": first["id"],
    }
    _handle(_event("default", body=json.dumps(follow_up)))
    assert posts[-1][2]["response"]["previous_response_id"] == first["id"]  # the state is in the store
    posts.clear()
    _handle(
        _event(
            "default", body=json.dumps({"type": "response.steer", "previous_response_id": first["id"], "input": "x"})
        )
    )
    assert posts[0][2]["error"]["code"] == "response_already_completed"  # a frame's response ends within it
    assert _handle(_event("disconnect")) == {"statusCode": 200}
    assert _handle(_event("default"))["statusCode"] == 410

"""What a Responses WebSocket connection holds (docs/responses.md, "Over a WebSocket"): the latest unstored response
of each lane, which `previous_response_id` continues from on that connection only (`store: false` and zero data
retention work in WebSocket mode); a refused continuation drops what it named; a connection lasts 60 minutes; the
journal keeps each connection (locally) or frame (on AWS); lanes run at once, each in turn."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai.types.beta.beta_responses_server_event import BetaResponsesServerEvent
from pydantic import TypeAdapter
from websockets.exceptions import ConnectionClosed

from openai_mock import clock
from openai_mock.control import runtime, tenant_clock
from openai_mock.web import websocket_gateway
from openai_mock.web.auth import authenticate
from tests.support.lambda_transport import FakeLambdaContext
from tests.support.live_server import live_server_fixture

SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(BetaResponsesServerEvent)
EVENTS = Path(__file__).resolve().parents[2] / "events" / "responses" / "websocket"
MODEL = "gpt-4.1"


base_url = live_server_fixture()


@pytest.fixture
def client(base_url: str) -> openai.OpenAI:
    # A key of its own: the tests that move the tenant's clock move nobody else's.
    return openai.OpenAI(base_url=base_url, api_key=f"sk-held-{uuid.uuid4().hex}", max_retries=0)


def _next(connection: Any) -> dict[str, Any]:
    raw = connection._connection.recv(timeout=30, decode=False)  # the SDK's recv() would wait forever
    event: dict[str, Any] = json.loads(raw)
    SERVER_EVENT.validate_python(event, strict=True)
    assert connection.parse_event(raw).type == event["type"]
    return event


def _answer(connection: Any, **create: Any) -> dict[str, Any]:
    """A `response.create` and what it ended with: the completed response, or the `error` event."""
    connection.send({"type": "response.create", "model": MODEL, **create})
    event = _next(connection)
    while event["type"] not in ("response.completed", "error"):
        event = _next(connection)
    return event["response"] if event["type"] == "response.completed" else event


def _not_found(event: dict[str, Any], response_id: str) -> bool:
    return (
        event["type"] == "error"
        and event["status"] == 404
        and event["error"]["code"] == "previous_response_not_found"
        and event["error"]["param"] == "previous_response_id"
        and response_id in event["error"]["message"]
    )


def test_an_unstored_response_is_continued_on_its_connection_only(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        first = _answer(connection, input="My name is Ada and my code is 42.", store=False)
        assert first["store"] is False
        second = _answer(connection, input="What is my code?", previous_response_id=first["id"], store=False)
        assert second["previous_response_id"] == first["id"]
        # The earlier turn is read again: more input than the question alone.
        assert second["usage"]["input_tokens"] > first["usage"]["input_tokens"] + first["usage"]["output_tokens"]
    with pytest.raises(openai.NotFoundError) as over_http:
        client.responses.create(model=MODEL, input="And my name?", previous_response_id=second["id"])
    assert over_http.value.code == "previous_response_not_found"
    with client.beta.responses.connect() as another:
        refused = _answer(another, input="And my name?", previous_response_id=second["id"])
    assert _not_found(refused, second["id"])


def test_a_lane_holds_only_its_latest_response(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        older = _answer(connection, input="Count to three.", store=False)
        newer = _answer(connection, input="Count to four.", store=False)
        assert _not_found(_answer(connection, input="Again.", previous_response_id=older["id"]), older["id"])
        assert _answer(connection, input="Again.", previous_response_id=newer["id"], store=False)["status"] == (
            "completed"
        )


def test_each_lane_holds_its_own_and_a_new_lane_forks_from_another(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        on_a = _answer(connection, input="Plan a trip to Oslo.", store=False, stream_id="a")
        on_b = _answer(connection, input="Plan a trip to Rome.", store=False, stream_id="b")
        fork = _answer(connection, input="Shorter.", previous_response_id=on_a["id"], store=False, stream_id="c")
        assert fork["previous_response_id"] == on_a["id"]
        continued = _answer(connection, input="Cheaper.", previous_response_id=on_b["id"], stream_id="b")
        assert continued["previous_response_id"] == on_b["id"]  # lane c's response did not replace lane b's


def test_a_refused_continuation_drops_the_response_it_named(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        blue = _answer(connection, input="Remember the colour blue.", store=False, stream_id="a")
        green = _answer(connection, input="Remember the colour green.", store=False, stream_id="b")
        refused = _answer(connection, input="Which colour?", previous_response_id=blue["id"], temperature=7)
        assert refused["type"] == "error" and refused["error"]["param"] == "temperature"
        assert _not_found(_answer(connection, input="Which colour?", previous_response_id=blue["id"]), blue["id"])
        kept = _answer(connection, input="Which colour?", previous_response_id=green["id"], stream_id="b")
        assert kept["previous_response_id"] == green["id"]  # only the response the refused turn named is dropped
        red = _answer(connection, input="Remember the colour red.", store=False, stream_id="c")
        malformed = _answer(connection, input=5, previous_response_id=red["id"], stream_id="c")  # not a body at all
        assert malformed["type"] == "error" and malformed["error"]["param"] == "input"
        assert _not_found(_answer(connection, input="Which?", previous_response_id=red["id"]), red["id"])


def test_a_stored_response_is_still_continued_after_a_refused_continuation(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        first = _answer(connection, input="Remember the colour red.")
        _answer(connection, input="Which colour?", previous_response_id=first["id"], temperature=7)
        again = _answer(connection, input="Which colour?", previous_response_id=first["id"])
    assert again["previous_response_id"] == first["id"]  # read from the store


def test_an_unstored_warm_up_is_continued(client: openai.OpenAI) -> None:
    with client.beta.responses.connect() as connection:
        warm = _answer(connection, input="The code is 42.", store=False, generate=False)
        assert warm["output"] == []
        answer = _answer(connection, input="What is the code?", previous_response_id=warm["id"], store=False)
    assert answer["usage"]["input_tokens"] > warm["usage"]["input_tokens"]


# The live server's clock runs: a minute short of the hour leaves room for a loaded machine's slow frames.
WITHIN_THE_HOUR, PAST_THE_HOUR = 3540, 60


def test_a_connection_ends_after_60_minutes(client: openai.OpenAI, base_url: str) -> None:
    auth = {"Authorization": f"Bearer {client.api_key}"}
    with client.beta.responses.connect() as connection:
        first = _answer(connection, input="Hello.")
        mock_root = base_url.removesuffix("/v1")
        moved = httpx.post(f"{mock_root}/__mock/clock", json={"advance_seconds": WITHIN_THE_HOUR}, headers=auth)
        assert moved.status_code == 200
        assert _answer(connection, input="Still here?", previous_response_id=first["id"])["status"] == "completed"
        httpx.post(f"{mock_root}/__mock/clock", json={"advance_seconds": PAST_THE_HOUR}, headers=auth)
        ended = _answer(connection, input="And now?")
        assert ended["status"] == 400 and ended["error"]["code"] == "websocket_connection_limit_reached"
        with pytest.raises(ConnectionClosed) as closed:
            connection._connection.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    with client.beta.responses.connect() as reopened:  # a new connection continues a stored response
        assert _answer(reopened, input="Back.", previous_response_id=first["id"])["status"] == "completed"


def _steer(response_id: str) -> dict[str, Any]:
    return {"type": "response.steer", "previous_response_id": response_id, "input": "Shorter."}


def _inject(response_id: str) -> dict[str, Any]:
    return {"type": "response.inject", "response_id": response_id, "input": [{"role": "user", "content": "More."}]}


@pytest.mark.parametrize("frame", [_steer, _inject], ids=["steer", "inject"])
def test_a_steer_or_inject_after_60_minutes_ends_the_connection(
    client: openai.OpenAI, base_url: str, frame: Any
) -> None:
    auth = {"Authorization": f"Bearer {client.api_key}"}
    mock_root = base_url.removesuffix("/v1")
    with client.beta.responses.connect() as connection:
        first = _answer(connection, input="Hello.")
        httpx.post(f"{mock_root}/__mock/clock", json={"advance_seconds": WITHIN_THE_HOUR}, headers=auth)
        connection.send(frame(first["id"]))
        answered = _next(connection)  # within the 60 minutes: the frame's own answer
        assert answered["type"] in ("response.steer.failed", "response.inject.failed")
        assert answered["error"]["code"] == "response_already_completed"
        httpx.post(f"{mock_root}/__mock/clock", json={"advance_seconds": PAST_THE_HOUR}, headers=auth)
        connection.send(frame(first["id"]))
        ended = _next(connection)
        assert ended["type"] == "error" and ended["status"] == 400
        assert ended["error"]["code"] == "websocket_connection_limit_reached"
        with pytest.raises(ConnectionClosed) as closed:
            connection._connection.recv(timeout=30)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1000, "websocket_connection_limit_reached")


def test_the_journal_keeps_each_connection(client: openai.OpenAI, base_url: str) -> None:
    with client.beta.responses.connect() as connection:
        first = _answer(connection, input="Hello there.", store=False)
        _answer(connection, input="Again.", previous_response_id=first["id"], store=False)
    auth = {"Authorization": f"Bearer {client.api_key}"}
    journal = httpx.get(f"{base_url.removesuffix('/v1')}/__mock/requests?path=/v1/responses", headers=auth).json()
    entry = journal["data"][0]
    assert entry["method"] == "GET" and entry["status"] == 101
    sent = entry["body"]["client_events"]
    assert [(event["type"], event["input"]) for event in sent] == [
        ("response.create", "Hello there."),
        ("response.create", "Again."),
    ]
    server = [event["type"] for event in entry["response"]["body"]["server_events"]]
    assert server.count("response.created") == 2 and server[-1] == "response.completed"


def test_multi_agent_is_checked_on_the_socket(client: openai.OpenAI) -> None:
    """The beta's header opens it (delegation itself: tests/functions/test_responses_multi_agent.py)."""
    asked = {"input": "Plan a launch.", "multi_agent": {"enabled": True, "max_concurrent_subagents": 2}}
    with client.beta.responses.connect() as connection:
        assert _answer(connection, **asked)["error"]["param"] == "multi_agent"
    with client.beta.responses.connect(extra_headers={"OpenAI-Beta": "responses_multi_agent=v1"}) as connection:
        answered = _answer(connection, **asked)
        assert answered["status"] == "completed" and answered["output"][-1]["agent"] == {"agent_name": "/root"}
        refused = _answer(connection, input="Plan.", multi_agent={"enabled": True, "max_concurrent_subagents": 0})
        assert refused["error"]["param"] == "multi_agent.max_concurrent_subagents"


def test_lanes_run_at_once_and_each_in_turn(client: openai.OpenAI) -> None:
    """Paced responses (the latency controls) show the order: a lane's second response starts once its first has
    completed, while another lane's response is sent meanwhile."""
    with client.beta.responses.connect(extra_headers={"x-mock-tokens-per-second": "200"}) as connection:
        for lane, prompt in (("a", "Write a haiku about the sea."), ("a", "And one about rain."), ("b", "Hi.")):
            connection.send({"type": "response.create", "model": MODEL, "input": prompt, "stream_id": lane})
        events = []
        while sum(event["type"] == "response.completed" for event in events) < 3:
            events.append(_next(connection))
    order = [(event["stream_id"], event["type"]) for event in events if event["type"].startswith("response.c")]
    created_b = order.index(("b", "response.created"))
    completed_a = [index for index, step in enumerate(order) if step == ("a", "response.completed")]
    created_a = [index for index, step in enumerate(order) if step == ("a", "response.created")]
    assert created_b < completed_a[0]  # lane b did not wait for lane a
    assert completed_a[0] < created_a[1]  # lane a's second waited for its first


# --------------------------------------------------------------------------------------------- on AWS


def _event(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.update(copy.deepcopy(changes))
    return event


def _frame(**create: Any) -> dict[str, Any]:
    return _event("default", body=json.dumps({"type": "response.create", "model": MODEL, **create}))


def _handle(event: dict[str, Any]) -> dict[str, Any]:
    from functions.responses.app import handler

    result: dict[str, Any] = handler(event, FakeLambdaContext())
    return result


def test_what_a_connection_holds_on_api_gateway(moto_persistence: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each frame is its own invocation: the held conversation and the opening time are in the store."""
    posts: list[dict[str, Any]] = []
    closed: list[str] = []

    def post(self: websocket_gateway.ManagementApi, connection_id: str, data: bytes) -> None:
        event = json.loads(data)
        SERVER_EVENT.validate_python(event, strict=True)
        posts.append(event)

    def close(self: websocket_gateway.ManagementApi, connection_id: str) -> None:
        closed.append(connection_id)

    monkeypatch.setattr(websocket_gateway.ManagementApi, "post", post)
    monkeypatch.setattr(websocket_gateway.ManagementApi, "close", close)
    assert _handle(_event("connect")) == {"statusCode": 200}
    _handle(_frame(input="My code is 42.", store=False))
    first = posts[-1]["response"]
    _handle(_frame(input="What is my code?", store=False, previous_response_id=first["id"]))
    second = posts[-1]["response"]
    assert second["previous_response_id"] == first["id"] and second["status"] == "completed"
    tenant = authenticate("Bearer sk-test-events").tenant
    tenant_clock.move(tenant, 3600, None)
    _handle(_frame(input="And now?"))
    assert posts[-1]["error"]["code"] == "websocket_connection_limit_reached"
    assert closed == ["Pc8WqeFqIAMCJzA="]
    assert clock.tenant_offset() == 0  # each event ran in a context of its own: its tenant's clock did not leak
    assert _handle(_frame(input="Hello?"))["statusCode"] == 410  # the connection is gone
    journal = runtime.journal_entries(tenant, runtime.JournalFilter(path="/v1/responses"))
    assert [entry["body"]["client_events"][0]["input"] for entry in journal] == [
        "My code is 42.",
        "What is my code?",
        "And now?",
    ]  # one entry per frame, oldest first
    refusal = journal[-1]["response"]["body"]["server_events"][0]
    assert refusal["error"]["code"] == "websocket_connection_limit_reached"


@pytest.mark.parametrize("frame", [_steer, _inject], ids=["steer", "inject"])
def test_a_steer_or_inject_after_60_minutes_ends_the_connection_on_api_gateway(
    moto_persistence: None, monkeypatch: pytest.MonkeyPatch, frame: Any
) -> None:
    posts: list[dict[str, Any]] = []
    closed: list[str] = []

    def post(self: websocket_gateway.ManagementApi, connection_id: str, data: bytes) -> None:
        event = json.loads(data)
        SERVER_EVENT.validate_python(event, strict=True)
        posts.append(event)

    monkeypatch.setattr(websocket_gateway.ManagementApi, "post", post)
    monkeypatch.setattr(websocket_gateway.ManagementApi, "close", lambda _self, cid: closed.append(cid))
    assert _handle(_event("connect")) == {"statusCode": 200}
    _handle(_frame(input="Hello."))
    first = posts[-1]["response"]
    tenant_clock.move(authenticate("Bearer sk-test-events").tenant, 3600, None)
    assert _handle(_event("default", body=json.dumps(frame(first["id"])))) == {"statusCode": 200}
    assert posts[-1]["type"] == "error" and posts[-1]["error"]["code"] == "websocket_connection_limit_reached"
    assert closed == [_event("default")["requestContext"]["connectionId"]]
    assert _handle(_event("default", body=json.dumps(frame(first["id"]))))["statusCode"] == 410  # the record is gone

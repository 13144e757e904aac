"""The Realtime WebSocket API on AWS: API Gateway WebSocket events ($connect, $default, $disconnect) through
RealtimeFunction's Lambda handler, the session kept in DynamoDB (moto) between frames, the answers posted
through the management API (moto's, and a stub that records every post)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from openai_mock.web import websocket_gateway
from tests.support.lambda_transport import FakeLambdaContext
from tests.support.spec import validate_component

EVENTS = Path(__file__).resolve().parents[2] / "events" / "realtime" / "websocket"


def _event(name: str, **changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    event.update(copy.deepcopy(changes))
    return event


def _frame(body: dict[str, Any]) -> dict[str, Any]:
    return _event("default", body=json.dumps(body))


class Recorder:
    def __init__(self) -> None:
        self.posts: list[tuple[str, str, bytes]] = []
        self.closed: list[str] = []

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(data) for _, _, data in self.posts]


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()

    def post(self: websocket_gateway.ManagementApi, connection_id: str, data: bytes) -> None:
        assert len(data) <= websocket_gateway.MAX_FRAME_BYTES
        recorder.posts.append((self.endpoint, connection_id, data))

    monkeypatch.setattr(websocket_gateway.ManagementApi, "post", post)
    monkeypatch.setattr(websocket_gateway.ManagementApi, "close", lambda _self, cid: recorder.closed.append(cid))
    yield recorder


def _handle(event: dict[str, Any]) -> dict[str, Any]:
    from functions.realtime.app import handler

    result: dict[str, Any] = handler(event, FakeLambdaContext())
    return result


def test_a_session_across_invocations(moto_persistence: None, gateway: Recorder) -> None:
    assert _handle(_event("connect")) == {"statusCode": 200}
    assert gateway.posts == []  # API Gateway cannot deliver before the connection exists
    assert _handle(_event("default"))["statusCode"] == 200
    first = gateway.events()
    assert [event["type"] for event in first] == [
        "session.created",
        "conversation.item.added",
        "conversation.item.done",
    ]
    endpoint, connection, _ = gateway.posts[0]
    assert endpoint == "https://abcdef1234.execute-api.us-east-1.amazonaws.com/realtime"
    assert connection == "Pc8WqeFqIAMCJzA="
    gateway.posts.clear()
    _handle(_frame({"type": "response.create"}))
    answer = gateway.events()
    for event in answer:
        validate_component("RealtimeServerEvent", event, spec="2026-08-21")
    assert answer[-1]["type"] == "response.done"
    assert len([e for e in answer if e["type"] == "response.output_audio.delta"]) > 1  # split under 32 KB
    # The state came back from DynamoDB: the answer follows the user's message in the conversation.
    added = next(e for e in answer if e["type"] == "conversation.item.added")
    assert added["previous_item_id"] == first[1]["item"]["id"]
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("openai-mock-test")
    assert any("realtime.connection" in item["pk"] for item in table.scan()["Items"])
    assert _handle(_event("disconnect")) == {"statusCode": 200}
    assert _handle(_event("default")) == {"statusCode": 410}


def test_bad_frames_answer_error_events_and_keep_the_session(moto_persistence: None, gateway: Recorder) -> None:
    _handle(_event("connect"))
    _handle(_event("default", body="{oops"))
    _handle(_frame({"type": "input_audio_buffer.append", "audio": "%%%"}))
    _handle(_frame({"type": "session.update", "session": {"type": "realtime", "instructions": "Still here."}}))
    kinds = [(e["type"], e.get("error", {}).get("code")) for e in gateway.events()]
    assert kinds == [
        ("session.created", None),
        ("error", "invalid_json"),
        ("error", "invalid_audio"),
        ("session.updated", None),
    ]


def test_refused_connections_answer_the_upgrade(moto_persistence: None, gateway: Recorder) -> None:
    headers = {"Authorization": "Bearer sk-test-events", "OpenAI-Beta": "realtime=v1"}
    refused = _handle(_event("connect", headers=headers))
    assert refused["statusCode"] == 400
    assert json.loads(refused["body"])["error"]["code"] == "beta_api_retired"
    missing = _handle(_event("connect", headers={}))
    assert missing["statusCode"] == 401
    browser = _handle(_event("connect", headers={"Sec-WebSocket-Protocol": "realtime, openai-insecure-api-key.sk-b"}))
    assert browser == {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "realtime"}}


def test_an_ended_session_is_closed_through_the_management_api(moto_persistence: None, gateway: Recorder) -> None:
    from openai_mock import clock

    clock.freeze(1_800_000_000)
    _handle(_event("connect"))
    clock.advance(3601)
    _handle(_frame({"type": "response.create"}))
    assert gateway.events()[-1]["error"]["code"] == "session_expired"
    assert gateway.closed == ["Pc8WqeFqIAMCJzA="]


def test_management_api_posts_through_boto3(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Client:
        class exceptions:
            GoneException = KeyError

        def post_to_connection(self, **kwargs: Any) -> None:
            calls.append(("post", kwargs))

        def delete_connection(self, **kwargs: Any) -> None:
            calls.append(("delete", kwargs))

    monkeypatch.setattr(websocket_gateway, "_client", lambda _endpoint: Client())
    api = websocket_gateway.ManagementApi.of(_event("default"))
    api.post("abc=", b"{}")
    api.close("abc=")
    assert calls == [("post", {"ConnectionId": "abc=", "Data": b"{}"}), ("delete", {"ConnectionId": "abc="})]
    with pytest.raises(ValueError, match="32 KB"):
        api.post("abc=", b"x" * (32 * 1024 + 1))


def test_api_gateway_idle_limit_surfaces_as_session_expiry(moto_persistence: None, gateway: Recorder) -> None:
    from openai_mock import clock

    clock.freeze(1_800_000_000)
    _handle(_event("connect"))
    clock.advance(599)
    _handle(_frame({"type": "input_audio_buffer.clear"}))  # activity: the idle time starts again
    clock.advance(600)
    gateway.posts.clear()
    _handle(_frame({"type": "response.create"}))
    error = gateway.events()[-1]["error"]
    assert error["code"] == "session_expired" and "idle for 10 minutes" in error["message"]
    assert gateway.closed == ["Pc8WqeFqIAMCJzA="]
    assert _handle(_frame({"type": "response.create"})) == {"statusCode": 410}


def test_an_event_leaves_no_tenant_clock_behind(moto_persistence: None, gateway: Recorder) -> None:
    """Lambda runs every event of a container in one thread: the tenant clock one event read must not be the next
    event's (another tenant's) time."""
    from openai_mock import clock
    from openai_mock.control import tenant_clock
    from openai_mock.web.auth import authenticate

    tenant_clock.move(authenticate(_event("connect")["headers"]["Authorization"]).tenant, 3600, None)
    _handle(_event("connect"))
    _handle(_frame({"type": "input_audio_buffer.clear"}))
    assert clock.tenant_offset() == 0

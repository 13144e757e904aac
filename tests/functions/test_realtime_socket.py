"""The Realtime WebSocket API through the official SDK's realtime client, against the local server on a real
socket: a whole voice turn (the mock's own speech in, voice activity, transcription, a function call and its
output, a spoken answer), and bad input answered with `error` events on a socket that stays open."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import httpx
import openai
import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect as ws_connect

from openai_mock import clock
from openai_mock.control import runtime
from openai_mock.control.quotas import set_quota
from openai_mock.generation.audio.codecs import to_g711
from openai_mock.generation.audio.synthesis import SAMPLE_RATE, pcm_duration, synthesize
from openai_mock.generation.tokens import count_tokens
from openai_mock.resources.organization.usage import recorded
from openai_mock.resources.realtime_session import MAX_EVENT_BYTES, RealtimeSession, default_session
from openai_mock.web.auth import principal_for_key
from tests.support.live_server import live_client_fixture, live_server_fixture
from tests.support.org_sdk import ADMIN_KEY
from tests.support.spec import validate_component

QUESTION = "What is the weather in Paris today?"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
AUTH = {"Authorization": "Bearer sk-test"}
FRAME_LIMIT = 32 * 1024  # API Gateway's WebSocket frame limit: every server event fits one


base_url = live_server_fixture()
client = live_client_fixture()


def _next(connection: Any) -> dict[str, Any]:
    # The SDK's recv_bytes() waits forever; a missing event must fail the test, not hang the suite.
    raw = connection._connection.recv(timeout=30, decode=False)
    assert len(raw) < FRAME_LIMIT
    event: dict[str, Any] = json.loads(raw)
    validate_component("RealtimeServerEvent", event, spec="2026-08-21")
    connection.parse_event(raw)  # the SDK's own model accepts it too
    return event


def _until(connection: Any, last: str) -> list[dict[str, Any]]:
    events = [_next(connection)]
    while events[-1]["type"] != last:
        events.append(_next(connection))
    return events


def _of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == kind]


def _silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * SAMPLE_RATE)


def test_a_whole_voice_turn_through_the_sdk(client: openai.OpenAI) -> None:
    spoken = client.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input=QUESTION, response_format="pcm")
    audio = _silence(0.5) + spoken.read() + _silence(1.0)
    with client.realtime.connect(model="gpt-realtime") as connection:
        created = _next(connection)
        assert created["type"] == "session.created"
        assert created["session"]["model"] == "gpt-realtime"
        assert created["session"]["audio"]["input"]["turn_detection"]["type"] == "server_vad"
        connection.session.update(
            session={
                "type": "realtime",
                "tools": [WEATHER],
                "audio": {
                    "input": {
                        "transcription": {"model": "gpt-4o-transcribe"},
                        "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                    }
                },
            }
        )
        updated = _next(connection)
        assert updated["type"] == "session.updated"
        # Deep merge: the turn detection's other settings keep their defaults, the voice is untouched.
        assert updated["session"]["audio"]["input"]["turn_detection"]["threshold"] == 0.5
        assert updated["session"]["audio"]["output"]["voice"] == "alloy"
        chunk = SAMPLE_RATE * 2 // 10  # 100 ms
        for start in range(0, len(audio), chunk):
            connection.input_audio_buffer.append(audio=base64.b64encode(audio[start : start + chunk]).decode())
        turn = _until(connection, "response.done")

        started, stopped = (
            _of(turn, "input_audio_buffer.speech_started"),
            _of(turn, "input_audio_buffer.speech_stopped"),
        )
        assert started[0]["audio_start_ms"] == 500  # speech is where the energy is
        speech_ms = round(pcm_duration(synthesize(QUESTION, "alloy")) * 1000)
        # The synthesized speech ends in a 0.4 s pause after the question mark; then 500 ms of silence end the turn.
        assert stopped[0]["audio_end_ms"] == pytest.approx(500 + speech_ms - 400 + 500, abs=20)
        committed = _of(turn, "input_audio_buffer.committed")[0]
        assert committed["item_id"] == started[0]["item_id"] == stopped[0]["item_id"]
        transcription = _of(turn, "conversation.item.input_audio_transcription.completed")[0]
        assert transcription["transcript"] == QUESTION  # the mock hears its own speech
        deltas = _of(turn, "conversation.item.input_audio_transcription.delta")
        assert "".join(delta["delta"] for delta in deltas) == QUESTION
        call = _of(turn, "response.function_call_arguments.done")[0]
        assert call["name"] == "get_weather"
        assert json.loads(call["arguments"]) == {"city": "Paris"}
        first = turn[-1]["response"]
        assert first["status"] == "completed"
        assert [item["type"] for item in first["output"]] == ["function_call"]
        user_seconds = (stopped[0]["audio_end_ms"] - max(0, started[0]["audio_start_ms"] - 300)) / 1000
        assert first["usage"]["input_token_details"]["audio_tokens"] == math.ceil(user_seconds * 10)

        connection.conversation.item.create(
            item={"type": "function_call_output", "call_id": call["call_id"], "output": '{"temperature_c": 18}'}
        )
        added = _until(connection, "conversation.item.done")
        assert added[0]["type"] == "conversation.item.added"
        assert added[0]["previous_item_id"] == call["item_id"]
        connection.response.create()
        answer = _until(connection, "response.done")

    done = answer[-1]["response"]
    assert done["status"] == "completed"
    message = done["output"][0]
    transcript = message["content"][0]["transcript"]
    assert message["type"] == "message" and message["role"] == "assistant" and transcript
    assert "".join(e["delta"] for e in _of(answer, "response.output_audio_transcript.delta")) == transcript
    pcm = b"".join(base64.b64decode(e["delta"]) for e in _of(answer, "response.output_audio.delta"))
    seconds = len(pcm) / 2 / SAMPLE_RATE
    assert seconds == pytest.approx(pcm_duration(synthesize(transcript, "alloy")))
    assert len(_of(answer, "response.output_audio.delta")) > 1  # split to fit API Gateway's frames
    usage = done["usage"]
    assert usage["output_token_details"]["audio_tokens"] == math.ceil(seconds * 20)
    assert usage["output_token_details"]["text_tokens"] == count_tokens(transcript, "gpt-realtime")
    assert (
        usage["input_tokens"]
        == usage["input_token_details"]["text_tokens"] + usage["input_token_details"]["audio_tokens"]
    )
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    kinds = [event["type"] for event in answer]
    assert kinds[:5] == [
        "response.created",
        "rate_limits.updated",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    assert kinds[-6:] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
    ]


def test_text_only_out_of_band_response(client: openai.OpenAI) -> None:
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hello."}]}
        )
        _until(connection, "conversation.item.done")
        connection.response.create(
            response={"conversation": "none", "output_modalities": ["text"], "instructions": "Answer briefly."}
        )
        events = _until(connection, "response.done")
    assert not _of(events, "conversation.item.added")  # out of band: the conversation is untouched
    assert not _of(events, "response.output_audio.delta")
    text = _of(events, "response.output_text.done")[0]["text"]
    assert "".join(e["delta"] for e in _of(events, "response.output_text.delta")) == text
    assert "conversation_id" not in events[-1]["response"]
    assert events[-1]["response"]["usage"]["output_token_details"]["audio_tokens"] == 0


@pytest.mark.parametrize(
    ("frame", "code", "param"),
    [
        ("{not json", "invalid_json", None),
        (json.dumps({"type": "session.explode"}), "invalid_value", "type"),
        (json.dumps({"type": "input_audio_buffer.append", "audio": "AAA"}), "invalid_audio", "audio"),
        (json.dumps({"type": "input_audio_buffer.commit"}), "input_audio_buffer_commit_empty", None),
        (json.dumps({"type": "conversation.item.retrieve", "item_id": "item_nope"}), "item_not_found", "item_id"),
        (json.dumps({"type": "response.cancel"}), "response_cancel_not_active", None),
        (
            json.dumps(
                {"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"voice": "bob"}}}}
            ),
            "invalid_value",
            "session.audio.output.voice",
        ),
    ],
)
def test_bad_input_is_an_error_event_and_the_session_lives_on(
    client: openai.OpenAI, frame: str, code: str, param: str | None
) -> None:
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.send_raw(frame)  # what the SDK sends for a typed event, here a malformed one
        error = _next(connection)
        assert error["type"] == "error"
        assert error["error"]["code"] == code
        assert error["error"]["param"] == param
        connection.session.update(session={"type": "realtime", "instructions": "Still here."})
        assert _next(connection)["session"]["instructions"] == "Still here."


def _raw(base_url: str, headers: dict[str, str] | None = None, subprotocols: list[str] | None = None) -> Any:
    url = base_url.replace("http://", "ws://") + "/realtime?model=gpt-realtime"
    return ws_connect(url, additional_headers=headers or {}, subprotocols=subprotocols)  # type: ignore[arg-type]


def test_the_retired_beta_protocol_is_refused(base_url: str) -> None:
    with _raw(base_url, {"Authorization": "Bearer sk-test", "OpenAI-Beta": "realtime=v1"}) as socket:
        error = json.loads(socket.recv())
        validate_component("RealtimeServerEvent", error, spec="2026-08-21")
        assert error["error"]["code"] == "beta_api_retired"
        with pytest.raises(ConnectionClosedError) as closed:
            socket.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 3000


def test_browser_subprotocol_auth(base_url: str) -> None:
    with _raw(base_url, subprotocols=["realtime", "openai-insecure-api-key.sk-browser"]) as socket:
        assert socket.subprotocol == "realtime"
        assert json.loads(socket.recv())["type"] == "session.created"


def test_missing_key_closes_with_the_refusal_code(base_url: str) -> None:
    with _raw(base_url) as socket:
        error = json.loads(socket.recv())
        assert error["error"]["code"] == "missing_api_key"
        with pytest.raises(ConnectionClosedError) as closed:
            socket.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 3000
    assert closed.value.rcvd.reason == "invalid_request_error"


def _ws_url(base_url: str, query: str = "model=gpt-realtime") -> str:
    return base_url.replace("http://", "ws://") + "/realtime?" + query


def test_g711_in_and_out_with_manual_commit(client: openai.OpenAI) -> None:
    pcm = _silence(0.2) + synthesize(QUESTION, "alloy") + _silence(0.2)
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.session.update(
            session={
                "type": "realtime",
                "audio": {
                    "input": {"format": {"type": "audio/pcmu"}, "turn_detection": None},
                    "output": {"format": {"type": "audio/pcma"}, "voice": "echo"},
                },
            }
        )
        assert _next(connection)["session"]["audio"]["input"].get("turn_detection") is None
        connection.input_audio_buffer.append(audio=base64.b64encode(to_g711(pcm, "pcmu")).decode())
        connection.input_audio_buffer.commit()
        committed = _until(connection, "conversation.item.done")
        assert [event["type"] for event in committed] == [
            "input_audio_buffer.committed",
            "conversation.item.added",
            "conversation.item.done",
        ]  # no detection events with turn detection off, and no response until asked
        connection.response.create()
        answer = _until(connection, "response.done")
    g711 = b"".join(base64.b64decode(e["delta"]) for e in _of(answer, "response.output_audio.delta"))
    transcript = answer[-1]["response"]["output"][0]["content"][0]["transcript"]
    expected = math.ceil(len(synthesize(transcript, "echo")) / 2 / 3)  # 8 kHz: every third 24 kHz sample
    assert len(g711) == expected
    assert answer[-1]["response"]["audio"]["output"]["format"] == {"type": "audio/pcma"}


def test_semantic_vad_waits_longer(client: openai.OpenAI) -> None:
    speech = synthesize("Hello there.", "alloy")
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.session.update(
            session={
                "type": "realtime",
                "output_modalities": ["text"],
                "audio": {"input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}},
            }
        )
        _next(connection)
        audio = _silence(0.3) + speech + _silence(1.0)
        connection.input_audio_buffer.append(audio=base64.b64encode(audio).decode())
        events = _until(connection, "response.done")
    started = _of(events, "input_audio_buffer.speech_started")[0]["audio_start_ms"]
    stopped = _of(events, "input_audio_buffer.speech_stopped")[0]["audio_end_ms"]
    assert started == 300
    # The last tone ends 0.4 s before the synthesized speech does; "high" eagerness ends the turn 300 ms later.
    assert stopped == pytest.approx(300 + round(pcm_duration(speech) * 1000) - 400 + 300, abs=20)
    assert _of(events, "response.output_text.done")


def test_items_retrieve_truncate_delete(client: openai.OpenAI) -> None:
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Tell me a story."}]}
        )
        user = _until(connection, "conversation.item.done")[-1]["item"]
        connection.response.create()
        spoken = _until(connection, "response.done")[-1]["response"]["output"][0]
        connection.conversation.item.retrieve(item_id=user["id"])
        retrieved = _next(connection)
        assert retrieved["type"] == "conversation.item.retrieved"
        assert retrieved["item"]["content"] == [{"type": "input_text", "text": "Tell me a story."}]
        connection.conversation.item.truncate(item_id=spoken["id"], content_index=0, audio_end_ms=200)
        truncated = _next(connection)
        assert (truncated["type"], truncated["item_id"], truncated["audio_end_ms"]) == (
            "conversation.item.truncated",
            spoken["id"],
            200,
        )
        connection.conversation.item.retrieve(item_id=spoken["id"])
        kept = _next(connection)["item"]["content"][0]["transcript"]
        assert len(kept.split()) < len(spoken["content"][0]["transcript"].split())
        connection.conversation.item.truncate(item_id=spoken["id"], content_index=0, audio_end_ms=999_999)
        assert _next(connection)["error"]["param"] == "audio_end_ms"
        connection.conversation.item.delete(item_id=user["id"])
        deleted = _next(connection)
        assert (deleted["type"], deleted["item_id"]) == ("conversation.item.deleted", user["id"])
        connection.conversation.item.retrieve(item_id=user["id"])
        assert _next(connection)["error"]["code"] == "item_not_found"


def test_a_fixture_answers_the_session(client: openai.OpenAI, base_url: str) -> None:
    fixture = {"match": {"endpoint": "realtime", "contains": "capital"}, "response": {"content": "Paris, of course."}}
    httpx.post(base_url.removesuffix("/v1") + "/__mock/fixtures", json=fixture, headers=AUTH).raise_for_status()
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "The capital of France?"}],
            }
        )
        connection.response.create(response={"output_modalities": ["text"]})
        events = _until(connection, "response.done")
    assert _of(events, "response.output_text.done")[0]["text"] == "Paris, of course."


def test_the_journal_keeps_each_session(client: openai.OpenAI, base_url: str) -> None:
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.input_audio_buffer.append(audio=base64.b64encode(_silence(0.5)).decode())
        connection.response.create(response={"output_modalities": ["text"], "instructions": "Greet."})
        _until(connection, "response.done")
    journal = httpx.get(base_url.removesuffix("/v1") + "/__mock/requests?path=/v1/realtime", headers=AUTH).json()
    entry = journal["data"][0]
    assert entry["status"] == 101 and entry["query"] == "model=gpt-realtime"
    client_events = entry["body"]["client_events"]
    assert [event["type"] for event in client_events] == ["input_audio_buffer.append", "response.create"]
    assert client_events[0]["audio"] == "<32000 base64 characters>"  # audio kept as its length
    server = [event["type"] for event in entry["response"]["body"]["server_events"]]
    assert (server[0], server[1], server[-1]) == ("session.created", "response.created", "response.done")


def test_a_fault_control_refuses_the_connection(base_url: str) -> None:
    headers = {**AUTH, "x-mock-fault": "rate_limit_exceeded"}
    with ws_connect(_ws_url(base_url), additional_headers=headers) as socket:
        error = json.loads(socket.recv())["error"]
        with pytest.raises(ConnectionClosedError):
            socket.recv()
    assert error["type"] == "requests" and error["code"] == "rate_limit_exceeded"


def test_latency_controls_pace_the_answer(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(runtime, "sleep", record)
    headers = {**AUTH, "x-mock-ttft-ms": "250", "x-mock-tokens-per-second": "50"}
    with ws_connect(_ws_url(base_url), additional_headers=headers) as socket:
        json.loads(socket.recv())
        socket.send(json.dumps({"type": "response.create"}))
        events = []
        while not events or events[-1]["type"] != "response.done":
            events.append(json.loads(socket.recv()))
    audio = [e for e in events if e["type"] == "response.output_audio.delta"]
    assert waits[0] == 0.25  # time to first token
    assert waits.count(0.02) == len([e for e in events if e["type"] == "response.output_audio_transcript.delta"])
    spoken = sum(len(base64.b64decode(e["delta"])) for e in audio) / 2 / SAMPLE_RATE
    assert sum(w for w in waits if w not in (0.25, 0.02)) == pytest.approx(spoken)  # audio in real time


def test_a_call_sideband_and_unknown_calls(client: openai.OpenAI, base_url: str) -> None:
    live = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
    offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
    created = live.realtime.calls.with_raw_response.create(
        sdp=offer, session={"type": "realtime", "instructions": "Take the order."}
    )
    call_id = created.headers["location"].rsplit("/", 1)[1]
    with ws_connect(_ws_url(base_url, f"call_id={call_id}"), additional_headers=AUTH) as socket:
        session = json.loads(socket.recv())["session"]
    assert session["instructions"] == "Take the order."
    with ws_connect(_ws_url(base_url, "call_id=rtc_nope"), additional_headers=AUTH) as socket:
        assert json.loads(socket.recv())["error"]["code"] == "call_not_found"


def test_unknown_model_and_unknown_socket_path(base_url: str) -> None:
    with ws_connect(_ws_url(base_url, "model=gpt-4o"), additional_headers=AUTH) as socket:
        assert json.loads(socket.recv())["error"]["code"] == "model_not_found"
    with pytest.raises(InvalidStatus):
        ws_connect(base_url.replace("http://", "ws://") + "/nowhere", additional_headers=AUTH)


def test_oversized_and_odd_frames_in_process() -> None:
    session, _ = RealtimeSession.start("t_test", default_session("sess_x", "gpt-realtime", clock.now_seconds()), 1)
    big = json.dumps({"type": "input_audio_buffer.append", "audio": "A" * MAX_EVENT_BYTES})
    assert session.receive(big)[0]["error"]["code"] == "event_too_large"
    odd = json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(b"\x01\x02\x03").decode()})
    error = session.receive(odd)[0]["error"]
    assert (error["code"], error["param"]) == ("invalid_audio", "audio")
    assert session.receive(json.dumps({"type": "input_audio_buffer.clear"}))[0]["type"] == "input_audio_buffer.cleared"


def test_responses_count_against_the_quota(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_010)  # early in a rate-limit minute: the three responses share one window
    set_quota(principal_for_key("sk-test").tenant, 2, None)
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.response.create(response={"output_modalities": ["text"]})
        first = _until(connection, "response.done")
        limits = {limit["name"]: limit for limit in _of(first, "rate_limits.updated")[0]["rate_limits"]}
        assert (limits["requests"]["limit"], limits["requests"]["remaining"]) == (2, 1)
        assert (
            limits["tokens"]["remaining"] == limits["tokens"]["limit"] - first[-1]["response"]["usage"]["total_tokens"]
        )
        connection.response.create(response={"output_modalities": ["text"]})
        _until(connection, "response.done")
        connection.response.create(response={"output_modalities": ["text"]})
        error = _next(connection)
        assert error["type"] == "error", error
        assert error["error"]["code"] == "rate_limit_exceeded"
        connection.session.update(session={"type": "realtime", "instructions": "Alive."})
        assert _next(connection)["type"] == "session.updated"


def test_responses_are_the_organizations_usage_whichever_key_opened_the_session(
    client: openai.OpenAI, base_url: str
) -> None:
    """A Realtime response is usage of the key's organization (the Usage API's completions), like a chat; a
    session opened with an ephemeral client secret bills whoever minted it."""
    clock.freeze(1_800_000_000)
    tenant = principal_for_key("sk-test").tenant
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.response.create(response={"output_modalities": ["text"]})
        by_key = _until(connection, "response.done")[-1]["response"]["usage"]
    secret = client.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime"})
    url = base_url.replace("http://", "ws://") + "/realtime"
    with ws_connect(url, additional_headers={"Authorization": f"Bearer {secret.value}"}) as socket:
        assert json.loads(socket.recv())["type"] == "session.created"
        socket.send(json.dumps({"type": "response.create", "response": {"output_modalities": ["text"]}}))
        events = [json.loads(socket.recv(timeout=30))]
        while events[-1]["type"] != "response.done":
            events.append(json.loads(socket.recv(timeout=30)))
    by_secret = events[-1]["response"]["usage"]
    records = [r for r in recorded(tenant) if r["dims"]["model"] == "gpt-realtime"]
    assert len(records) == 1  # both in the same minute, project and key: one record
    metrics = records[0]["metrics"]
    assert metrics["num_model_requests"] == 2
    assert metrics["input_tokens"] == by_key["input_tokens"] + by_secret["input_tokens"] > 0
    assert metrics["output_tokens"] == by_key["output_tokens"] + by_secret["output_tokens"] > 0


def test_a_project_keys_model_permissions_bind_its_sessions_and_the_secrets_it_mints(base_url: str) -> None:
    """Opening a session runs a model: a project key is refused a model its project blocks, and so is a client
    secret it minted (the refusal is the connection's one `error` event, then close 3000); it cannot mint one
    for that model either."""
    admin = openai.OpenAI(base_url=base_url, api_key=ADMIN_KEY, admin_api_key=ADMIN_KEY, max_retries=0)
    project = admin.admin.organization.projects.create(name="Voice app")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="voice")
    assert account.api_key is not None and account.api_key.value is not None
    key = openai.OpenAI(base_url=base_url, api_key=account.api_key.value, max_retries=0)
    url = base_url.replace("http://", "ws://") + "/realtime?model=gpt-realtime"

    def first_event(secret: str) -> dict[str, Any]:
        with ws_connect(url, additional_headers={"Authorization": f"Bearer {secret}"}) as socket:
            event: dict[str, Any] = json.loads(socket.recv(timeout=30))
        return event

    assert first_event(account.api_key.value)["type"] == "session.created"
    minted = key.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime"}).value
    admin.admin.organization.projects.model_permissions.update(project.id, mode="allow_list", model_ids=["gpt-4o"])
    for secret in (account.api_key.value, minted):
        error = first_event(secret)["error"]
        assert error["code"] == "model_not_found"
        assert error["message"] == f"Project `{project.id}` does not have access to model `gpt-realtime`"
    with pytest.raises(openai.PermissionDeniedError) as refused:  # nor is a secret for it minted now
        key.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime"})
    assert refused.value.code == "model_not_found"
    assert first_event("sk-test")["type"] == "session.created"  # keys outside the project are not bound by it


def test_an_audio_item_is_heard_and_counted(client: openai.OpenAI) -> None:
    question = "What is the weather in Berlin?"
    spoken = client.audio.speech.create(model="tts-1", voice="nova", input=question, response_format="pcm").read()
    with client.realtime.connect(model="gpt-realtime") as connection:
        _next(connection)
        connection.session.update(session={"type": "realtime", "tools": [WEATHER], "tool_choice": "required"})
        _next(connection)
        connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "audio": base64.b64encode(spoken).decode()}],
            }
        )
        added = _until(connection, "conversation.item.done")[0]["item"]
        assert added["content"] == [{"type": "input_audio"}]  # the session keeps what it heard, not the bytes
        connection.response.create()
        done = _until(connection, "response.done")[-1]["response"]
    call = done["output"][0]
    assert (call["type"], call["name"], json.loads(call["arguments"])) == (
        "function_call",
        "get_weather",
        {"city": "Berlin"},
    )
    seconds = len(spoken) / 2 / SAMPLE_RATE
    assert done["usage"]["input_token_details"]["audio_tokens"] == math.ceil(round(seconds * 1000) / 1000 * 10)

"""The Live API over a WebSocket through the official SDK's `client.live.connect`, against the Live function's app on
a real socket: a spoken question (the mock's own speech) heard, transcribed and answered in words and speech, the
session closed on request; bad commands answered with `error` events naming the param, on a socket that stays open.

The server is what `openai-mock serve` runs (the template router over every function app): it mounts the Live
function's socket at the path template.yaml routes to that function over HTTP (docs/live.md).
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import openai
import pytest
from openai.types.live import ServerEvent
from pydantic import TypeAdapter

from openai_mock.generation import realtime_events as rt
from openai_mock.generation.audio.probe import pcm_text
from openai_mock.generation.audio.synthesis import SAMPLE_RATE
from tests.support.live_server import live_server_fixture

QUESTION = "Hello! What is two plus two?"
SERVER_EVENT: TypeAdapter[Any] = TypeAdapter(ServerEvent)


base_url = live_server_fixture()


@pytest.fixture
def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)


def _spoken(text: str) -> bytes:
    """The mock's own speech of `text` (24 kHz PCM16), as its TTS and Realtime make it."""
    return rt.speech(text, "alloy", 1.0, rt.PCM_FORMAT)


def _next(connection: Any) -> dict[str, Any]:
    raw = connection._connection.recv(timeout=30, decode=False)  # the SDK's recv() would wait forever
    event: dict[str, Any] = json.loads(raw)
    SERVER_EVENT.validate_python(event, strict=True)  # the SDK's own model of a Live server event holds it
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


def _append(connection: Any, pcm: bytes, chunk_seconds: float = 0.2) -> None:
    step = round(chunk_seconds * SAMPLE_RATE) * 2
    for offset in range(0, len(pcm), step):
        connection.session.input_audio.append(audio=base64.b64encode(pcm[offset : offset + step]).decode("ascii"))


BAD_RATE = {"type": "audio/pcm", "rate": 8000}


def _raw(event: dict[str, Any]) -> Any:
    """A client event as sent, past the SDK's types (which the test means to break)."""
    return event


def _start(connection: Any, **session: Any) -> dict[str, Any]:
    connection.session.start(session={"model": "gpt-live-1.1", **session}, event_id="start-1")
    started = _next(connection)
    assert started["type"] == "session.started", started
    return started


def test_a_spoken_question_is_heard_answered_and_the_session_closed(client: openai.OpenAI) -> None:
    with client.live.connect(max_retries=0) as connection:
        started = _start(
            connection,
            audio={"format": {"type": "audio/pcm", "rate": 24000}, "output": {"voice": "cedar"}},
            instructions="Respond briefly and naturally to the user.",
        )
        session = started["session"]
        assert started["client_event_id"] == "start-1"
        assert session["id"].startswith("live_") and session["status"] == "active"
        assert session["audio"] == {"format": {"type": "audio/pcm", "rate": 24000}, "output": {"voice": "cedar"}}
        assert session["instructions"] == "Respond briefly and naturally to the user."

        _append(connection, _silence(0.5) + _spoken(QUESTION) + _silence(1.0))
        events = _until(connection, "session.usage.updated")

        heard = _of(events, "session.input_transcript.delta")
        assert "".join(event["delta"] for event in heard) == QUESTION
        assert heard[0]["start_ms"] >= 200 and heard[-1]["end_ms"] > heard[0]["start_ms"]  # after the leading silence
        said = _of(events, "session.output_transcript.delta")
        answer = "".join(event["delta"] for event in said)
        assert "4" in answer
        assert said[0]["start_ms"] >= heard[-1]["end_ms"]  # the model answers after the user stopped
        assert all(a["end_ms"] == b["start_ms"] for a, b in itertools.pairwise(said))
        audio = b"".join(base64.b64decode(event["delta"]) for event in _of(events, "session.output_audio.delta"))
        assert pcm_text(audio) == answer  # the speech says the transcript (it transcribes back to it)
        assert (said[-1]["end_ms"] - said[0]["start_ms"]) == len(audio) // 2 * 1000 // SAMPLE_RATE
        assert events[-1]["usage"]["seconds"] >= 1

        connection.session.close(event_id="bye")
        closed = _next(connection)
        assert closed["type"] == "session.closed" and closed["reason"] == "close_requested"
        assert closed["client_event_id"] == "bye" and closed["session"]["id"] == session["id"]
        assert closed["usage"]["seconds"] == events[-1]["usage"]["seconds"]
    # The session is kept like the HTTP ones: it has ended, so it cannot be hung up again.
    try:
        client.live.sessions.hangup(session["id"])
    except openai.ConflictError as error:
        assert error.code == "invalid_session_state"
    else:
        raise AssertionError("hangup of a closed session was accepted")


def test_muted_audio_is_not_heard_and_commentary_is_said(client: openai.OpenAI) -> None:
    question = _spoken(QUESTION) + _silence(1.0)
    with client.live.connect(max_retries=0) as connection:
        _start(connection)
        connection.session.input_audio.mute(event_id="m")
        assert _next(connection)["type"] == "session.input_audio.muted"
        _append(connection, question)
        connection.session.input_audio.unmute()
        assert _next(connection)["type"] == "session.input_audio.unmuted"  # first: nothing was heard while muted

        connection.session.instructions.append(content="Keep every answer short.", delegation_id=None)
        appended = _next(connection)
        assert appended["type"] == "session.instructions.appended"
        assert appended["start_ms"] == appended["end_ms"] == len(question) // 2 * 1000 // SAMPLE_RATE
        connection.session.commentary.append(content="One moment while I check that.", delegation_id=None)
        events = _until(connection, "session.usage.updated")
        assert events[0]["type"] == "session.commentary.appended"
        spoken = "".join(event["delta"] for event in _of(events, "session.output_transcript.delta"))
        assert spoken == "One moment while I check that."


def test_bad_commands_are_error_events_naming_the_param(client: openai.OpenAI) -> None:
    with client.live.connect(max_retries=0) as connection:
        connection.session.input_audio.append(audio="AAAA", event_id="early")
        early = _next(connection)
        assert early["error"]["code"] == "session_not_started" and early["error"]["client_event_id"] == "early"

        connection.send(_raw({"type": "session.start", "session": {"model": "gpt-live-1.1", "temperature": 0.2}}))
        unknown = _next(connection)
        assert unknown["error"]["param"] == "session.temperature"
        assert unknown["error"]["code"] == "unknown_parameter"

        connection.session.start(session={"model": "gpt-4o"})
        assert _next(connection)["error"] == {
            "type": "invalid_request_error",
            "code": "model_not_found",
            "message": "The model 'gpt-4o' is not a Live model. Supported models are 'gpt-live-1' and 'gpt-live-1.1'.",
            "param": "session.model",
        }
        connection.send(
            _raw({"type": "session.start", "session": {"model": "gpt-live-1", "audio": {"format": BAD_RATE}}})
        )
        assert _next(connection)["error"]["param"] == "session.audio.format.rate"

        _start(connection, audio={"format": {"type": "audio/pcmu", "rate": 8000}})
        connection._connection.send("{not json")
        assert _next(connection)["error"]["code"] == "invalid_json"
        connection.send(_raw({"type": "session.dance"}))
        assert _next(connection)["error"]["param"] == "type"
        connection.send(_raw({"type": "session.instructions.append", "content": "Be brief."}))
        missing = _next(connection)["error"]
        assert (missing["param"], missing["code"]) == ("delegation_id", "missing_required_parameter")
        connection.response.create()
        assert _next(connection)["error"]["code"] == "delegation_required"
        connection.session.update(session={"delegation": {"type": "responses"}})
        assert _next(connection)["error"]["param"] == "session.delegation.type"

        # The session goes on: G.711 μ-law audio in, the same kind out.
        connection.session.commentary.append(content="Still here.", delegation_id=None)
        events = _until(connection, "session.usage.updated")
        out = b"".join(base64.b64decode(event["delta"]) for event in _of(events, "session.output_audio.delta"))
        said = _of(events, "session.output_transcript.delta")
        assert abs(len(out) - (said[-1]["end_ms"] - said[0]["start_ms"]) * 8) <= 8  # one byte per 8 kHz sample
        connection.session.close()
        assert _next(connection)["type"] == "session.closed"


def test_a_connection_without_a_key_is_refused(base_url: str) -> None:
    from websockets.exceptions import ConnectionClosedError
    from websockets.sync.client import connect

    with connect(base_url.replace("http", "ws", 1) + "/live/sessions") as socket:
        refusal = json.loads(socket.recv(timeout=10))
        assert refusal["error"]["code"] == "missing_api_key"
        try:
            socket.recv(timeout=10)
        except ConnectionClosedError as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 3000

"""The Realtime API's REST operations through the official SDK: client secrets (and connecting with one),
transcription and translation sessions, calls (SDP offer → answer; accept, hangup, refer, reject)."""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect as ws_connect

from openai_mock import clock
from tests.support.live_server import live_server
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
OFFER = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sctp-port:5000\r\n"
)


def _json(answer: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(answer.content)
    return body


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    error: dict[str, Any] = raised.value.response.json()["error"]
    return error


def test_client_secret_pins_the_session(client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000)
    raw = client.realtime.client_secrets.with_raw_response.create(
        expires_after={"anchor": "created_at", "seconds": 120},
        session={
            "type": "realtime",
            "model": "gpt-realtime",
            "instructions": "Speak like a pirate.",
            "audio": {"output": {"voice": "marin"}},
        },
    )
    body = _json(raw)
    assert_conforms("POST", "/v1/realtime/client_secrets", 200, body, spec=SPEC)
    secret = raw.parse()
    assert secret.value.startswith("ek_") and secret.expires_at == 1_800_000_120
    assert body["session"]["instructions"] == "Speak like a pirate."
    assert body["session"]["audio"]["output"]["voice"] == "marin"
    assert body["session"]["audio"]["input"]["turn_detection"]["type"] == "server_vad"  # defaults filled in


def test_client_secret_checks_the_session(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.client_secrets.create(session={"type": "realtime", "audio": {"output": {"voice": "nobody"}}})
    assert _error(raised)["param"] == "session.audio.output.voice"
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.client_secrets.create(expires_after={"anchor": "created_at", "seconds": 5})
    assert _error(raised)["param"] == "expires_after.seconds"


def test_a_client_secret_opens_one_session_until_it_expires(client: openai.OpenAI) -> None:
    with live_server() as base_url:
        live = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
        secret = live.realtime.client_secrets.create(session={"type": "realtime", "instructions": "Be brief."})
        url = base_url.replace("http://", "ws://") + "/realtime"
        with ws_connect(url, additional_headers={"Authorization": f"Bearer {secret.value}"}) as socket:
            created = json.loads(socket.recv())
        assert created["type"] == "session.created" and created["session"]["instructions"] == "Be brief."
        with ws_connect(url, additional_headers={"Authorization": f"Bearer {secret.value}"}) as socket:
            assert json.loads(socket.recv())["error"]["code"] == "invalid_api_key"  # spent
            with pytest.raises(ConnectionClosedError) as closed:
                socket.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 3000
        unused = live.realtime.client_secrets.create()
        clock.advance(601)
        with ws_connect(url, additional_headers={"Authorization": f"Bearer {unused.value}"}) as socket:
            error = json.loads(socket.recv())["error"]
        assert error["code"] == "invalid_api_key" and "expired" in error["message"]


def test_transcription_session(client: openai.OpenAI) -> None:
    raw = client.post(
        "/realtime/transcription_sessions",
        body={"input_audio_format": "g711_ulaw", "input_audio_transcription": {"model": "whisper-1"}},
        cast_to=openai._legacy_response.HttpxBinaryResponseContent,
    )
    body = json.loads(raw.content)
    assert_conforms("POST", "/v1/realtime/transcription_sessions", 200, body, spec=SPEC)
    assert body["client_secret"]["value"].startswith("ek_")
    assert body["input_audio_transcription"] == {"model": "whisper-1"}
    assert body["turn_detection"]["type"] == "server_vad"


def test_translation_client_secret(client: openai.OpenAI) -> None:
    raw = client.realtime.translations.client_secrets.with_raw_response.create(
        session={"model": "gpt-realtime-translate", "audio": {"output": {"language": "fr"}}}
    )
    body = _json(raw)
    assert_conforms("POST", "/v1/realtime/translations/client_secrets", 200, body, spec=SPEC)
    assert body["session"]["type"] == "translation" and body["session"]["audio"]["output"]["language"] == "fr"
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.translations.client_secrets.create(session={"audio": {}})  # type: ignore[typeddict-item]
    assert _error(raised)["param"] == "session.model"


def test_a_call_answers_the_offer_and_is_kept(client: openai.OpenAI) -> None:
    raw = client.realtime.calls.with_raw_response.create(sdp=OFFER, session={"type": "realtime", "instructions": "Hi"})
    assert raw.status_code == 201
    answer = raw.parse().text
    assert answer.startswith("v=0\r\n") and "a=group:BUNDLE 0 1" in answer
    assert "m=audio 9 UDP/TLS/RTP/SAVPF 111" in answer and "a=fingerprint:sha-256 " in answer
    assert "a=sctp-port:5000" in answer
    call_id = raw.headers["location"].rsplit("/", 1)[1]
    assert call_id.startswith("rtc_")
    client.realtime.calls.accept(call_id, type="realtime", instructions="Answer the caller.")
    client.realtime.calls.refer(call_id, target_uri="tel:+14155550123")
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.calls.hangup(call_id)  # referred: the call has ended
    assert _error(raised)["code"] == "call_ended"


def test_calls_reject_hangup_and_unknown(client: openai.OpenAI) -> None:
    call_id = client.realtime.calls.with_raw_response.create(sdp=OFFER).headers["location"].rsplit("/", 1)[1]
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.calls.reject(call_id, extra_body={"status_code": "486"})  # a string is not a SIP code
    assert _error(raised)["param"] == "status_code"
    client.realtime.calls.reject(call_id, status_code=486)
    other = client.realtime.calls.with_raw_response.create(sdp=OFFER).headers["location"].rsplit("/", 1)[1]
    client.realtime.calls.hangup(other)
    with pytest.raises(openai.NotFoundError) as raised:
        client.realtime.calls.hangup("rtc_unknown")
    assert _error(raised)["message"] == "No such Call object: rtc_unknown"
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.calls.create(sdp="hello")
    assert _error(raised)["param"] == "sdp"


def test_a_transcription_secret_opens_a_listening_session(client: openai.OpenAI) -> None:
    from openai_mock.generation.audio.codecs import to_pcm
    from openai_mock.generation.audio.synthesis import synthesize

    with live_server() as base_url:
        live = openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)
        secret = live.realtime.client_secrets.create(
            session={"type": "transcription", "audio": {"input": {"transcription": {"model": "whisper-1"}}}}
        )
        assert secret.session.type == "transcription"
        text = "Please transcribe this sentence."
        audio = b"\x00\x00" * 4800 + to_pcm(synthesize(text, "alloy"), text) + b"\x00\x00" * 24000
        url = base_url.replace("http://", "ws://") + "/realtime"
        with ws_connect(url, additional_headers={"Authorization": f"Bearer {secret.value}"}) as socket:
            created = json.loads(socket.recv())["session"]
            assert created["output_modalities"] == ["text"]
            socket.send(json.dumps({"type": "input_audio_buffer.append", "audio": base64.b64encode(audio).decode()}))
            events = [json.loads(socket.recv())]
            while events[-1]["type"] != "conversation.item.input_audio_transcription.completed":
                events.append(json.loads(socket.recv()))
            socket.send(json.dumps({"type": "conversation.item.retrieve", "item_id": events[-1]["item_id"]}))
            after = json.loads(socket.recv())
    assert events[-1]["transcript"] == text
    assert events[-1]["usage"]["type"] == "duration"
    assert after["type"] == "conversation.item.retrieved"  # no response was started in between

"""Live sessions through the official SDK (`client.live.create`, `client.live.sessions.*`: operations the API gained
after the 2026-08-21 spec, answers held strictly to the SDK's models): a WebRTC session answered with an SDP answer,
an incoming SIP call (simulated by the create's `x-mock-live-transport: sip`) accepted, rejected, referred and hung
up, each move allowed only from the right state; the clock ending calls; a stored call's WAV recording; forks that
carry the stored session's settings; the webhook events; bad input refused naming the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai
import pytest
from openai.types.live import LiveCreateResponse, SessionForkResponse, live_create_params, session_accept_params
from openai.types.webhooks import (
    LiveCallIncomingWebhookEvent,
    LiveTransportConnectedWebhookEvent,
    LiveTransportIncomingWebhookEvent,
)
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import webhooks
from openai_mock.generation.audio.probe import probe_audio
from openai_mock.resources import live
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import principal_for_key
from tests.functions import test_webhooks
from tests.support.sdk import held
from tests.support.webhook_receiver import Receiver

fresh_webhooks = test_webhooks.fresh_webhooks  # the clock frozen at START, no wake-ups left over
receiver = test_webhooks.receiver
OFFER = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"
)
WEBRTC: live_create_params.Transport = {"type": "webrtc", "sdp": OFFER}
SIP = {"x-mock-live-transport": "sip"}
ACCEPT: session_accept_params.Session = {
    "type": "live",
    "model": "gpt-live-1.1",
    "audio": {"output": {"voice": "cedar"}},
    "store": True,
}


def _create(sdk: openai.OpenAI, headers: dict[str, str] | None = None, **settings: Any) -> str:
    session: Any = {"model": "gpt-live-1", **settings}
    raw = sdk.live.with_raw_response.create(session=session, transport=WEBRTC, extra_headers=headers)
    body = held(LiveCreateResponse, raw)
    session_id: str = body["session"]["id"]
    return session_id


def _incoming(sdk: openai.OpenAI, **session: Any) -> str:
    return _create(sdk, SIP, **session)


def _error(call: Callable[[], Any], status: int) -> dict[str, Any]:
    with pytest.raises(openai.APIStatusError) as raised:
        call()
    assert raised.value.status_code == status, raised.value.body
    error: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return error


def _tenant() -> str:
    return principal_for_key(test_webhooks.KEY).tenant


def _settings(session_id: str) -> dict[str, Any]:
    """What the session runs with: the HTTP API reads nothing back (the sideband would), so the store tells."""
    session = get_store().get(_tenant(), live.SESSIONS, session_id)
    assert session is not None
    settings: dict[str, Any] = session["settings"]
    return settings


# ------------------------------------------------------------------------------------------------ WebRTC


def test_a_webrtc_session_is_answered_with_an_sdp_answer_to_its_offer(client: openai.OpenAI) -> None:
    raw = client.live.with_raw_response.create(session={"model": "gpt-live-1"}, transport=WEBRTC)
    body = held(LiveCreateResponse, raw)
    assert body["session"]["id"].startswith("live_") and len(body["session"]["id"]) == len("live_") + 32
    assert body["transport"]["type"] == "webrtc"
    answer = body["transport"]["sdp"]
    assert answer.startswith("v=0\r\n") and answer.endswith("\r\n")
    assert "a=group:BUNDLE 0 1" in answer and "a=fingerprint:sha-256 " in answer
    assert "m=audio 9 UDP/TLS/RTP/SAVPF 111" in answer and "m=application 9 UDP/DTLS/SCTP webrtc-datachannel" in answer
    again = held(
        LiveCreateResponse, client.live.with_raw_response.create(session={"model": "gpt-live-1"}, transport=WEBRTC)
    )
    assert again["session"]["id"] != body["session"]["id"]


def test_a_webrtc_session_runs_until_hung_up_and_cannot_be_hung_up_twice(client: openai.OpenAI) -> None:
    session_id = _create(client)
    assert client.live.sessions.with_raw_response.hangup(session_id).status_code == 200
    error = _error(lambda: client.live.sessions.hangup(session_id), 409)
    assert error["param"] == "session_id" and error["code"] == "invalid_session_state"
    assert "is ended" in error["message"]


@pytest.mark.parametrize(
    ("verb", "call"),
    [
        ("accepted", lambda c, s: c.live.sessions.accept(s, session=ACCEPT)),
        ("rejected", lambda c, s: c.live.sessions.reject(s, status_code=486)),
        ("referred", lambda c, s: c.live.sessions.refer(s, target_uri="tel:+14155550123")),
    ],
)
def test_sip_controls_refuse_a_webrtc_session(
    client: openai.OpenAI, verb: str, call: Callable[[openai.OpenAI, str], Any]
) -> None:
    session_id = _create(client)
    error = _error(lambda: call(client, session_id), 400)
    assert (error["param"], error["code"]) == ("session_id", "unsupported_transport")
    assert f"only a SIP call can be {verb}" in error["message"]


def test_a_session_ends_by_the_clock_after_an_hour(client: openai.OpenAI) -> None:
    session_id = _create(client, store=True)
    clock.advance(live.MAX_SESSION_SECONDS - 1)
    _error(lambda: client.live.sessions.download_recording(session_id), 409)  # still on
    clock.advance(1)
    assert "is ended" in _error(lambda: client.live.sessions.hangup(session_id), 409)["message"]
    recording = probe_audio(client.live.sessions.download_recording(session_id).content)
    assert recording.duration == live.MAX_RECORDING_SECONDS  # an hour's call: its first minute


# ------------------------------------------------------------------------------------------------ SIP


def test_an_incoming_call_is_accepted_then_referred(client: openai.OpenAI) -> None:
    session_id = _incoming(client)
    _error(lambda: client.live.sessions.hangup(session_id), 409)  # not answered yet: reject it instead
    _error(lambda: client.live.sessions.refer(session_id, target_uri="sip:agent@example.com"), 409)
    assert client.live.sessions.with_raw_response.accept(session_id, session=ACCEPT).status_code == 200
    assert _settings(session_id)["voice"] == "cedar" and _settings(session_id)["model"] == "gpt-live-1.1"
    again = _error(lambda: client.live.sessions.accept(session_id, session=ACCEPT), 409)
    assert again["message"] == f"Live session '{session_id}' is active and cannot be accepted."
    _error(lambda: client.live.sessions.reject(session_id, status_code=486), 409)
    client.live.sessions.refer(session_id, target_uri=" sip:agent@example.com ")
    assert "is ended" in _error(lambda: client.live.sessions.hangup(session_id), 409)["message"]


def test_an_incoming_call_is_rejected_once_and_has_no_recording(client: openai.OpenAI) -> None:
    session_id = _incoming(client, store=True)
    assert client.live.sessions.with_raw_response.reject(session_id, status_code=486).status_code == 200
    assert "is rejected" in _error(lambda: client.live.sessions.accept(session_id, session=ACCEPT), 409)["message"]
    assert "is rejected" in _error(lambda: client.live.sessions.reject(session_id, status_code=603), 409)["message"]
    assert "no recording" in _error(lambda: client.live.sessions.download_recording(session_id), 404)["message"]
    assert "never started" in _error(lambda: client.live.sessions.fork(session_id, transport=WEBRTC), 409)["message"]


def test_an_unanswered_call_expires_after_ringing_three_minutes(client: openai.OpenAI) -> None:
    ringing, expiring = _incoming(client), _incoming(client)
    clock.advance(live.RING_SECONDS - 1)
    client.live.sessions.accept(ringing, session=ACCEPT)
    clock.advance(1)
    error = _error(lambda: client.live.sessions.accept(expiring, session=ACCEPT), 409)
    assert error["message"] == f"Live session '{expiring}' is expired and cannot be accepted."
    client.live.sessions.hangup(ringing)  # the answered one lives on


@pytest.mark.parametrize("status_code", [299, 700, 200])
def test_a_rejection_is_a_sip_status_from_300_to_699(client: openai.OpenAI, status_code: int) -> None:
    session_id = _incoming(client)
    error = _error(lambda: client.live.sessions.reject(session_id, status_code=status_code), 400)
    assert (error["param"], error["code"]) == ("status_code", "invalid_value")
    client.live.sessions.reject(session_id, status_code=300)


@pytest.mark.parametrize("target", ["", "   ", "https://example.com/agent", "+14155550123"])
def test_a_referral_needs_a_sip_or_tel_uri(client: openai.OpenAI, target: str) -> None:
    session_id = _incoming(client)
    client.live.sessions.accept(session_id, session=ACCEPT)
    error = _error(lambda: client.live.sessions.refer(session_id, target_uri=target), 400)
    assert error["param"] == "target_uri"
    client.live.sessions.refer(session_id, target_uri="tel:+14155550123")


def test_accept_takes_only_what_sip_allows(client: openai.OpenAI) -> None:
    session_id = _incoming(client)
    audio_format: Any = {**ACCEPT, "audio": {"output": {"voice": "cedar"}, "format": {"type": "audio/pcm"}}}
    assert _error(lambda: client.live.sessions.accept(session_id, session=audio_format), 400)["param"] == (
        "session.audio.format"
    )
    untyped: Any = {key: value for key, value in ACCEPT.items() if key != "type"}
    assert _error(lambda: client.live.sessions.accept(session_id, session=untyped), 400)["param"] == "session.type"
    wake: Any = {**ACCEPT, "wake_policy": {"type": "speech"}}  # a WebRTC startup setting
    assert _error(lambda: client.live.sessions.accept(session_id, session=wake), 400)["param"] == "session.wake_policy"
    client.live.sessions.accept(session_id, session=ACCEPT)  # still incoming: nothing was changed


# ------------------------------------------------------------------------------------------------ recordings


def test_a_stored_call_has_a_wav_recording_of_its_length_made_once(client: openai.OpenAI) -> None:
    session_id = _create(client, store=True, audio={"output": {"voice": "coral"}})
    clock.advance(7)
    client.live.sessions.hangup(session_id)
    raw = client.live.sessions.with_raw_response.download_recording(session_id)
    assert raw.headers["content-type"] == "audio/wav"
    data = raw.content
    info = probe_audio(data)
    assert info.container == "wav" and info.duration == 7.0
    assert info.text is not None and info.text.startswith("assistant: ") and "\nuser: " in info.text
    assert client.live.sessions.download_recording(session_id).content == data  # the kept blob
    assert get_blobs().get(_tenant(), f"live.recording/{session_id}") == data


def test_an_instant_hangup_still_records_a_second_and_an_unstored_call_none(client: openai.OpenAI) -> None:
    stored, unstored = _create(client, store=True), _create(client)
    client.live.sessions.hangup(stored)
    client.live.sessions.hangup(unstored)
    assert probe_audio(client.live.sessions.download_recording(stored).content).duration == 1.0
    error = _error(lambda: client.live.sessions.download_recording(unstored), 404)
    assert (error["param"], error["code"]) == ("session_id", "not_found") and "was not stored" in error["message"]


def test_an_accepted_call_records_from_its_answer_in_the_accepts_voice(client: openai.OpenAI) -> None:
    session_id = _incoming(client)  # the create's settings (store false) are replaced by the accept's
    clock.advance(20)
    client.live.sessions.accept(session_id, session=ACCEPT)
    clock.advance(3)
    client.live.sessions.refer(session_id, target_uri="tel:+14155550123")
    assert probe_audio(client.live.sessions.download_recording(session_id).content).duration == 3.0


# ------------------------------------------------------------------------------------------------ forks


def test_a_fork_carries_the_stored_sessions_settings_on_a_new_connection(client: openai.OpenAI) -> None:
    history = [{"role": "user", "content": [{"type": "input_text", "text": "My order is 4417."}]}]
    parent = _create(client, store=True, instructions="Be brief.", input=history, audio={"output": {"voice": "sage"}})
    raw = client.live.sessions.with_raw_response.fork(parent, transport=WEBRTC)
    fork = held(SessionForkResponse, raw)
    child = fork["session"]["id"]
    assert child.startswith("live_") and child != parent and "a=fingerprint:sha-256" in fork["transport"]["sdp"]
    inherited = _settings(child)
    assert inherited == _settings(parent)
    assert (inherited["voice"], inherited["instructions"], inherited["store"]) == ("sage", "Be brief.", True)
    assert inherited["input"][0]["content"][0]["text"] == "My order is 4417."
    client.live.sessions.hangup(child)  # the fork ends alone
    client.live.sessions.hangup(parent)


def test_a_fork_may_stop_storing_and_change_its_frontend(client: openai.OpenAI) -> None:
    parent = _create(client, store=True)
    client.live.sessions.hangup(parent)  # an ended stored session can still be forked
    overrides = {"store": False, "client": {"data_channel": {"allowed_client_events": ["session.update"]}}}
    raw = client.live.sessions.with_raw_response.fork(parent, transport=WEBRTC, session=overrides)  # type: ignore[arg-type]
    child = held(SessionForkResponse, raw)["session"]["id"]
    assert _settings(child)["client"] == {"data_channel": {"allowed_client_events": ["session.update"]}}
    assert _settings(child)["store"] is False and _settings(parent)["store"] is True
    client.live.sessions.hangup(child)
    _error(lambda: client.live.sessions.download_recording(child), 404)


def test_a_fork_updates_the_responses_backend_but_keeps_its_owner(client: openai.OpenAI) -> None:
    delegating = {"type": "responses", "responses": {"model": "gpt-5.4", "instructions": "Look orders up."}}
    parent = _create(client, store=True, delegation=delegating)
    update = {"delegation": {"type": "responses", "responses": {"model": "gpt-5.4-mini"}}}
    child = client.live.sessions.fork(parent, transport=WEBRTC, session=update).session.id  # type: ignore[arg-type]
    assert _settings(child)["delegation"] == {
        "type": "responses",
        "acknowledgement_delay_ms": 0,
        "responses": {"model": "gpt-5.4-mini", "instructions": "Look orders up."},
    }
    plain = _create(client, store=True)  # your application handles its delegations
    error = _error(lambda: client.live.sessions.fork(plain, transport=WEBRTC, session=update), 400)  # type: ignore[arg-type]
    assert error["param"] == "session.delegation" and "your application" in error["message"]


def test_only_a_stored_session_is_forked(client: openai.OpenAI) -> None:
    session_id = _create(client)
    error = _error(lambda: client.live.sessions.fork(session_id, transport=WEBRTC), 404)
    assert error["param"] == "session_id" and "was not stored" in error["message"]


# ------------------------------------------------------------------------------------------------ webhooks


def _events(http: TestClient, receiver: Receiver, count: int) -> list[dict[str, Any]]:
    webhooks.run_due()
    return sorted((json.loads(receiver.next(timeout=5).body) for _ in range(count)), key=lambda event: event["type"])


def test_sessions_announce_themselves_to_webhook_endpoints(
    client: openai.OpenAI, http: TestClient, receiver: Receiver
) -> None:
    test_webhooks._register(http, receiver.url, ["live.*"])
    incoming = _incoming(client)
    call, transport = _events(http, receiver, 2)
    LiveCallIncomingWebhookEvent.model_validate(call, strict=True)
    LiveTransportIncomingWebhookEvent.model_validate(transport, strict=True)
    assert transport["type"] == "live.transport.incoming" and transport["data"]["session_id"] == incoming
    assert transport["data"]["type"] == "sip" and transport["created_at"] == test_webhooks.START
    assert call["data"] == {key: value for key, value in transport["data"].items() if key != "type"}
    headers = {header["name"]: header["value"] for header in transport["data"]["sip_headers"]}
    assert headers["CSeq"] == "1 INVITE" and headers["To"].endswith("@sip.api.openai.com;transport=tls>")

    direct = _create(client)
    (connected,) = _events(http, receiver, 1)
    LiveTransportConnectedWebhookEvent.model_validate(connected, strict=True)
    assert connected["data"] == {"session_id": direct, "type": "webrtc"}
    assert not receiver.drain()


# ------------------------------------------------------------------------------------------------ errors, tenancy


@pytest.mark.parametrize(
    "call",
    [
        lambda c, s: c.live.sessions.hangup(s),
        lambda c, s: c.live.sessions.download_recording(s),
        lambda c, s: c.live.sessions.fork(s, transport=WEBRTC),
        lambda c, s: c.live.sessions.accept(s, session=ACCEPT),
    ],
)
def test_unknown_sessions_and_other_tenants_sessions_are_not_found(
    client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI], call: Callable[[openai.OpenAI, str], Any]
) -> None:
    session_id = _create(client, store=True)
    error = _error(lambda: call(client_for("sk-live-other"), session_id), 404)
    assert error["param"] == "session_id" and session_id in error["message"]
    assert _error(lambda: call(client, "live_missing"), 404)["param"] == "session_id"
    client.live.sessions.hangup(session_id)  # untouched by the other tenant


@pytest.mark.parametrize(
    ("session", "param", "code"),
    [
        ({"store": "yes"}, "session.store", "invalid_type"),
        ({"idle_timeout_s": "30"}, "session.idle_timeout_s", "invalid_type"),
        ({"idle_timeout_s": 0}, "session.idle_timeout_s", "invalid_value"),
        ({"idle_timeout_s": True}, "session.idle_timeout_s", "invalid_type"),
        ({"model": "gpt-4o"}, "session.model", "model_not_found"),
        ({"temperature": 0.7}, "session.temperature", "unknown_parameter"),
        ({"audio": {"output": {"voice": "nova"}}}, "session.audio.output.voice", "invalid_value"),
        ({"audio": {"output": {"voice": {"id": "voice_missing"}}}}, "session.audio.output.voice.id", "voice_not_found"),
        ({"audio": {"output": {"speed": 1.2}}}, "session.audio.output.speed", "unknown_parameter"),
        (
            {"wake_policy": {"type": "speech", "vad_threshold": 1.5}},
            "session.wake_policy.vad_threshold",
            "invalid_value",
        ),
        ({"wake_policy": {"type": "always"}}, "session.wake_policy.type", "invalid_value"),
        ({"input": [{"role": "system", "content": [{"text": "x"}]}]}, "session.input[0].role", "invalid_value"),
        ({"input": [{"role": "user", "content": []}]}, "session.input[0].content", "invalid_value"),
        (
            {"input": [{"role": "assistant", "content": [{"type": "input_text", "text": "x"}]}]},
            "session.input[0].content[0].type",
            "invalid_value",
        ),
        ({"input": [{"role": "user", "content": [{"text": "hi"}]}] * 129}, "session.input", "invalid_value"),
        ({"delegation": {"type": "responses"}}, "session.delegation.responses", "missing_required_parameter"),
        (
            {"delegation": {"type": "client", "responses": {"model": "gpt-5.4"}}},
            "session.delegation.responses",
            "unknown_parameter",
        ),
        (
            {"delegation": {"type": "client", "acknowledgement_delay_ms": -1}},
            "session.delegation.acknowledgement_delay_ms",
            "invalid_value",
        ),
        (
            {"delegation": {"type": "responses", "responses": {"model": "gpt-5.4", "tools": [{"type": "laser"}]}}},
            "session.delegation.responses.tools[0].type",
            "invalid_value",
        ),
        (
            {"delegation": {"type": "responses", "responses": {"model": "gpt-5.4", "max_output_tokens": "9"}}},
            "session.delegation.responses.max_output_tokens",
            "invalid_type",
        ),
        (
            {"delegation": {"type": "decisions", "decisions": {"model": "gpt-6-luna", "questions": [
                {"type": "choice", "instructions": "Which?", "choices": [{"value": "a"}]}]}}},
            "session.delegation.decisions.questions[0].choices",
            "invalid_value",
        ),
        (
            {"triggers": [
                {"type": "decisions", "event_type": "session.input_transcript.delta",
                 "decisions": {"questions": [{"type": "predicate", "instructions": "Angry?"}]}},
            ] * 2},
            "session.triggers[1].event_type",
            "invalid_value",
        ),
        (
            {"client": {"data_channel": {"allowed_server_events": [{"type": "response.event"}]}}},
            "session.client.data_channel.allowed_server_events[0].response_event",
            "missing_required_parameter",
        ),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_field(
    client: openai.OpenAI, session: dict[str, Any], param: str, code: str
) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        client.live.create(session={"model": "gpt-live-1", **session}, transport=WEBRTC)  # type: ignore[typeddict-item]
    error: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    assert raised.value.status_code in (400, 404) and (error["param"], error["code"]) == (param, code), error


def test_good_rich_settings_are_accepted(client: openai.OpenAI) -> None:
    session_id = _create(
        client,
        store=True,
        instructions="Answer as the front desk.",
        idle_timeout_s=30,
        wake_policy={"type": "speech", "vad_threshold": 0.4},
        client={"data_channel": {"allowed_client_events": "all", "allowed_server_events": [
            {"type": "response.event", "response_event": "response.output_text.delta"}, {"type": "session.updated"}]}},
        delegation={"type": "decisions", "decisions": {"model": "gpt-6-luna", "questions": [
            {"type": "choice", "name": "intent", "instructions": "What does the caller want?",
             "choices": [{"value": "billing"}, {"value": "support"}]}]}},
        triggers=[{"type": "decisions", "event_type": "session.output_transcript.delta",
                   "decisions": {"questions": [{"type": "predicate", "instructions": "Did we promise a refund?"}]}}],
        input=[{"role": "developer", "content": [{"text": "Caller is verified."}]},
               {"role": "assistant", "content": [{"type": "output_text", "text": "Hello!"}], "status": "completed"}],
        safety_identifier="user_42",
    )  # fmt: skip
    assert _settings(session_id)["delegation"]["acknowledgement_delay_ms"] == 400  # the Decisions default
    assert _settings(session_id)["voice"] == "marin" and _settings(session_id)["idle_timeout_s"] == 30


def test_bad_transports_and_bodies_are_refused(client: openai.OpenAI, http: TestClient) -> None:
    not_sdp = _error(
        lambda: client.live.create(session={"model": "gpt-live-1"}, transport={"type": "webrtc", "sdp": "hello"}), 400
    )
    assert (not_sdp["param"], not_sdp["code"]) == ("transport.sdp", "invalid_sdp")
    websocket: Any = {"type": "websocket", "sdp": OFFER}
    ws = _error(lambda: client.live.create(session={"model": "gpt-live-1"}, transport=websocket), 400)
    assert ws["param"] == "transport.type"
    header = _error(
        lambda: client.live.create(
            session={"model": "gpt-live-1"}, transport=WEBRTC, extra_headers={"x-mock-live-transport": "pstn"}
        ),
        400,
    )
    assert header["param"] == "x-mock-live-transport"
    auth = {"Authorization": "Bearer sk-test"}
    missing = http.post("/v1/live/sessions", json={"transport": WEBRTC}, headers=auth).json()["error"]
    assert (missing["param"], missing["code"]) == ("session", "missing_required_parameter")
    session_id = _incoming(client)
    stringly = http.post(f"/v1/live/sessions/{session_id}/reject", json={"status_code": "486"}, headers=auth)
    assert stringly.status_code == 400 and stringly.json()["error"]["param"] == "status_code"
    fork_extra = http.post(
        f"/v1/live/sessions/{session_id}/fork", json={"transport": WEBRTC, "model": "x"}, headers=auth
    )
    assert fork_extra.status_code == 400 and fork_extra.json()["error"]["param"] == "model"

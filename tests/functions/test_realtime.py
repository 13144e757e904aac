"""Realtime sessions through the official SDK: defaults as the real API fills them, the ephemeral client
secret, the configuration echoed back, validation errors; spec-checked; one path through the Lambda handler."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from functions.realtime import app as realtime_function
from openai_mock import clock
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
T0 = 1_750_000_000


def test_session_defaults_and_client_secret(http: TestClient, client: openai.OpenAI) -> None:
    clock.freeze(T0)
    raw = http.post("/v1/realtime/sessions", json={"model": "gpt-4o-realtime-preview-2024-12-17"}, headers=AUTH)
    assert raw.status_code == 200
    assert_conforms("POST", "/v1/realtime/sessions", 200, raw.json())
    session = client.beta.realtime.sessions.create(model="gpt-4o-realtime-preview")
    assert session.id is not None and session.id.startswith("sess_") and session.object == "realtime.session"
    assert session.client_secret.value.startswith("ek_") and session.client_secret.expires_at == T0 + 60
    assert session.modalities == ["audio", "text"] and session.voice == "alloy"
    assert session.input_audio_format == session.output_audio_format == "pcm16"
    assert session.turn_detection is not None and session.turn_detection.type == "server_vad"
    assert session.turn_detection.silence_duration_ms == 200 and session.max_response_output_tokens == "inf"
    other = client.beta.realtime.sessions.create(model="gpt-4o-realtime-preview")
    assert other.client_secret.value != session.client_secret.value


def test_configuration_is_echoed(http: TestClient) -> None:
    body: dict[str, Any] = {
        "model": "gpt-4o-mini-realtime-preview",
        "modalities": ["text"],
        "instructions": "Be brief.",
        "voice": "verse",
        "input_audio_format": "g711_ulaw",
        "output_audio_format": "g711_alaw",
        "input_audio_transcription": {"model": "whisper-1"},
        "temperature": 0.7,
        "max_response_output_tokens": 200,
        "turn_detection": {"type": "semantic_vad", "eagerness": "high"},
        "tool_choice": "lookup",
        "tools": [
            {
                "type": "function",
                "name": "lookup",
                "description": "Look a word up.",
                "parameters": {"type": "object", "properties": {"word": {"type": "string"}}},
            }
        ],
    }
    session = http.post("/v1/realtime/sessions", json=body, headers=AUTH).json()
    assert_conforms("POST", "/v1/realtime/sessions", 200, session)
    for key, value in body.items():
        if key != "turn_detection":
            assert session[key] == value, key
    assert session["turn_detection"] == {
        "type": "semantic_vad",
        "eagerness": "high",
        "create_response": True,
        "interrupt_response": True,
    }
    off = http.post("/v1/realtime/sessions", json={"turn_detection": None}, headers=AUTH).json()
    assert "turn_detection" not in off and off["model"] == "gpt-4o-realtime-preview"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "gpt-4o"}, "session.model"),
        ({"voice": "robot"}, "session.voice"),
        ({"modalities": ["audio"]}, "session.modalities"),
        ({"temperature": 0.1}, "session.temperature"),
        ({"input_audio_format": "mp3"}, "session.input_audio_format"),
        ({"max_response_output_tokens": 5000}, "session.max_response_output_tokens"),
        ({"turn_detection": {"type": "push_to_talk"}}, "session.turn_detection.type"),
        ({"tool_choice": "nothing_declared"}, "session.tool_choice"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_sessions_get_openai_errors(http: TestClient, body: dict[str, Any], param: str) -> None:
    answer = http.post("/v1/realtime/sessions", json=body, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param


def test_through_the_lambda_handler() -> None:
    clock.freeze(T0)
    sdk = lambda_client(realtime_function.handler, "v1")  # type: ignore[arg-type]
    session = sdk.beta.realtime.sessions.create(
        model="gpt-4o-realtime-preview",
        voice="coral",
        client_secret={"expires_after": {"anchor": "created_at", "seconds": 600}},
    )
    assert session.voice == "coral" and session.client_secret.expires_at == T0 + 600

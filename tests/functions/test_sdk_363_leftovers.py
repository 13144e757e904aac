"""Small gaps SDK 3.63 users hit, each through the official SDK: the transcription models of every surface, a
project's `enabled_tiers: "all"`, Responses served in the Ultrafast tier, custom voices on Chat and GA Realtime,
a service account made without a role, form field names in errors, and a grader model's reasoning effort."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import openai
import pytest
from openai.types.admin.organization.projects.project_service_account import ProjectServiceAccount
from openai.types.admin.organization.projects.project_service_tier_settings import ProjectServiceTierSettings
from openai.types.admin.organization.projects.service_account_create_response import ServiceAccountCreateResponse
from openai.types.audio import Transcription
from openai.types.beta.realtime import TranscriptionSession
from openai.types.chat import ChatCompletion
from openai.types.fine_tuning.alpha import GraderRunResponse, GraderValidateResponse
from openai.types.realtime import ClientSecretCreateResponse
from openai.types.responses import Response

from openai_mock import clock
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.synthesis import synthesize
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.realtime_session import RealtimeSession, default_session
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held
from tests.support.spec import assert_conforms

SENTENCE = "The mock hears its own voice."
MESSAGES: Any = [{"role": "user", "content": "Hi there."}]

# ------------------------------------------------------------------------------------- transcription models
GA_TRANSCRIBERS = (
    "whisper-1",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe",
    "gpt-4o-transcribe-diarize",
    "gpt-realtime-whisper",
)  # types/realtime/audio_transcription_param.py


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    error: dict[str, Any] = raised.value.response.json()["error"]
    return error


@pytest.mark.parametrize("model", GA_TRANSCRIBERS)
def test_transcription_client_secret_takes_every_ga_transcription_model(client: openai.OpenAI, model: str) -> None:
    session: Any = {"type": "transcription", "audio": {"input": {"transcription": {"model": model}}}}
    body = held(ClientSecretCreateResponse, client.realtime.client_secrets.with_raw_response.create(session=session))
    assert body["session"]["audio"]["input"]["transcription"]["model"] == model


@pytest.mark.parametrize("model", ["gpt-live-transcribe", "gpt-4o-mini-transcribe-2025-12-15"])
def test_realtime_client_secret_transcribes_with_the_new_models(client: openai.OpenAI, model: str) -> None:
    session: Any = {
        "type": "realtime",
        "model": "gpt-realtime",
        "audio": {"input": {"transcription": {"model": model}}},
    }
    body = held(ClientSecretCreateResponse, client.realtime.client_secrets.with_raw_response.create(session=session))
    assert body["session"]["audio"]["input"]["transcription"]["model"] == model


def test_a_speech_model_is_not_a_transcription_model(client: openai.OpenAI) -> None:
    session = {"type": "transcription", "audio": {"input": {"transcription": {"model": "gpt-4o-mini-tts"}}}}
    with pytest.raises(openai.BadRequestError) as raised:
        client.realtime.client_secrets.create(session=session)  # type: ignore[arg-type]
    assert _error(raised)["param"] == "session.audio.input.transcription.model"


def test_beta_transcription_session_keeps_its_literal_models(client: openai.OpenAI) -> None:
    sessions = client.beta.realtime.transcription_sessions
    raw = sessions.with_raw_response.create(input_audio_transcription={"model": "gpt-4o-mini-transcribe"})
    assert held(TranscriptionSession, raw)["input_audio_transcription"]["model"] == "gpt-4o-mini-transcribe"
    with pytest.raises(openai.BadRequestError) as raised:  # the beta answer's literal could not hold it
        sessions.create(input_audio_transcription={"model": "gpt-live-transcribe"})  # type: ignore[arg-type]
    assert _error(raised)["param"] == "input_audio_transcription.model"


@pytest.mark.parametrize("model", ["gpt-transcribe", "gpt-4o-mini-transcribe-2025-12-15"])
def test_audio_transcription_takes_the_new_models_on_a_real_wav(client: openai.OpenAI, model: str) -> None:
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE, response_format="wav").read()
    raw = client.audio.transcriptions.with_raw_response.create(model=model, file=("speech.wav", wav))
    assert held(Transcription, raw)["text"] == SENTENCE


def test_audio_transcription_refuses_a_realtime_only_transcriber(client: openai.OpenAI) -> None:
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE, response_format="wav").read()
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(model="gpt-live-transcribe", file=("speech.wav", wav))
    assert _error(raised)["param"] == "model"


# ---------------------------------------------------------------------------------- service tier settings
@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _project_app(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, openai.OpenAI]:
    project = admin.admin.organization.projects.create(name="Leftovers")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    return project.id, asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]


def _chat_tier(app: openai.OpenAI, **options: Any) -> str:
    raw = app.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, **options)
    tier: str = held(ChatCompletion, raw)["service_tier"]
    return tier


def test_all_tiers_is_the_string_and_enables_every_optional_tier(
    admin: openai.OpenAI, mock_app: TemplateRouter
) -> None:
    project_id, app = _project_app(admin, mock_app)
    settings = admin.admin.organization.projects.service_tier_settings
    settings.update(project_id, enabled_tiers=[])
    assert _chat_tier(app, service_tier="flex") == "default"  # Standard only
    body = held(ProjectServiceTierSettings, settings.with_raw_response.update(project_id, enabled_tiers="all"))
    assert body["enabled_tiers"] == "all"  # kept whole, so later tiers are in it too
    assert (_chat_tier(app, service_tier="flex"), _chat_tier(app, service_tier="priority")) == ("flex", "priority")


def test_a_list_naming_all_points_to_the_string(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _ = _project_app(admin, mock_app)
    settings = admin.admin.organization.projects.service_tier_settings
    settings.update(project_id, enabled_tiers=["flex"])
    with pytest.raises(openai.BadRequestError) as raised:
        settings.update(project_id, enabled_tiers=["flex", "all"])  # type: ignore[list-item]
    error = _error(raised)
    assert error["param"] == "enabled_tiers[1]" and "the string 'all'" in error["message"]
    assert settings.retrieve(project_id).enabled_tiers == ["flex"]  # nothing changed


# ------------------------------------------------------------------------------------ Responses' ultrafast
def _response(app: openai.OpenAI, model: str, **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = held(Response, app.responses.with_raw_response.create(model=model, input="Hi.", **options))
    assert_conforms("POST", "/v1/responses", 200, body, spec="2026-08-21")
    return body


def test_ultrafast_is_shown_where_the_model_has_it(client: openai.OpenAI) -> None:
    assert _response(client, "gpt-5.6-sol", service_tier="ultrafast")["service_tier"] == "ultrafast"
    assert _response(client, "gpt-5.6-sol")["service_tier"] == "default"
    assert _response(client, "gpt-5.5", service_tier="ultrafast")["service_tier"] == "default"  # not its tier


def test_ultrafast_streams_and_follows_the_projects_tiers(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, app = _project_app(admin, mock_app)
    with app.responses.stream(model="gpt-5.6-sol", input="Hi.", service_tier="ultrafast") as stream:
        assert stream.get_final_response().service_tier == "ultrafast"
    admin.admin.organization.projects.service_tier_settings.update(project_id, enabled_tiers=["flex", "fast"])
    assert _response(app, "gpt-5.6-sol", service_tier="ultrafast")["service_tier"] == "default"  # not enabled


# ------------------------------------------------------------------------- custom voices on Chat and Realtime
def _custom_voice(client: openai.OpenAI, sampled: str = "onyx") -> str:
    """A custom voice made from a sample of `sampled` (onyx speaks at about 92 Hz)."""
    text = "I consent to the creation of a synthetic version of my voice."
    wav = to_wav(synthesize(text, sampled), text)
    consent = client.audio.voice_consents.create(name="Jo", language="en-US", recording=("c.wav", wav, "audio/wav"))
    return client.audio.voices.create(name="Jo", consent=consent.id, audio_sample=("s.wav", wav, "audio/wav")).id


def _pitch(pcm: bytes) -> float:
    """The fundamental of 24 kHz PCM16 speech, from the zero crossings of its voiced samples."""
    samples = np.frombuffer(pcm, dtype="<i2")
    voiced = samples[np.abs(samples) > 64]  # past the silences (and the low bits that carry a transcript)
    signs = voiced >= 0
    return float((signs[1:] != signs[:-1]).sum()) / 2 / (len(voiced) / 24_000)


def _chat_pcm(client: openai.OpenAI, voice: Any) -> tuple[bytes, dict[str, Any]]:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-audio-preview",
        modalities=["text", "audio"],
        audio={"voice": voice, "format": "pcm16"},
        messages=[{"role": "user", "content": "Say something about the sea."}],
    )
    body = held(ChatCompletion, raw)
    return base64.b64decode(body["choices"][0]["message"]["audio"]["data"]), body


def test_chat_speaks_in_a_custom_voice_at_its_samples_pitch(client: openai.OpenAI) -> None:
    voice_id = _custom_voice(client)
    custom, body = _chat_pcm(client, {"id": voice_id})
    plain, _ = _chat_pcm(client, "shimmer")
    assert_conforms("POST", "/v1/chat/completions", 200, body, spec="2026-08-21")
    assert 75 < _pitch(custom) < 115  # the sample's (onyx's ~92 Hz), not a built-in voice's
    assert _pitch(plain) > 2 * _pitch(custom)
    assert body["choices"][0]["message"]["audio"]["transcript"]


def test_chat_refuses_a_custom_voice_the_key_does_not_own(client: openai.OpenAI, client_for: Any) -> None:
    voice_id = _custom_voice(client)
    with pytest.raises(openai.NotFoundError) as raised:
        _chat_pcm(client_for("sk-someone-else"), {"id": voice_id})
    assert (_error(raised)["param"], _error(raised)["code"]) == ("audio.voice.id", "voice_not_found")
    with pytest.raises(openai.BadRequestError) as shaped:
        _chat_pcm(client, {"id": voice_id, "name": "Jo"})
    assert _error(shaped)["param"] == "audio.voice.name"


def _spoken(session: RealtimeSession, **response: Any) -> bytes:
    events = session.receive(json.dumps({"type": "response.create", "response": response}))
    assert events[-1]["type"] == "response.done", events[-1]
    return b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta")


def test_realtime_speaks_in_a_custom_voice(client: openai.OpenAI) -> None:
    voice_id = _custom_voice(client)
    secret = client.realtime.client_secrets.with_raw_response.create(
        session={"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": {"id": voice_id}}}}
    )
    # the answer's model names a voice with a string: the custom voice's id (the pinned session keeps the object)
    assert held(ClientSecretCreateResponse, secret)["session"]["audio"]["output"]["voice"] == voice_id

    tenant = principal_for_key("sk-test").tenant
    session, _ = RealtimeSession.start(tenant, default_session("sess_v", "gpt-realtime", clock.now_seconds()), 1)
    update = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"output": {"voice": {"id": voice_id}}}},
    }
    updated = session.receive(json.dumps(update))
    assert updated[0]["session"]["audio"]["output"]["voice"] == {"id": voice_id}
    custom = _spoken(session)
    other, _ = RealtimeSession.start(tenant, default_session("sess_s", "gpt-realtime", clock.now_seconds()), 1)
    built_in = _spoken(other, audio={"output": {"voice": "shimmer"}})
    assert 75 < _pitch(custom) < 115 and _pitch(built_in) > 2 * _pitch(custom)


def test_realtime_refuses_a_custom_voice_it_cannot_find(client: openai.OpenAI, client_for: Any) -> None:
    voice_id = _custom_voice(client)
    with pytest.raises(openai.NotFoundError) as raised:
        client_for("sk-someone-else").realtime.client_secrets.create(
            session={"type": "realtime", "audio": {"output": {"voice": {"id": voice_id}}}}
        )
    assert _error(raised)["param"] == "session.audio.output.voice.id"
    tenant = principal_for_key("sk-test").tenant
    session, _ = RealtimeSession.start(tenant, default_session("sess_w", "gpt-realtime", clock.now_seconds()), 1)
    error = session.receive(
        json.dumps({"type": "response.create", "response": {"audio": {"output": {"voice": {"id": "voice_missing"}}}}})
    )[0]["error"]
    assert (error["param"], error["code"]) == ("response.audio.output.voice.id", "voice_not_found")


# ------------------------------------------------------------------ a service account made without a role
def test_a_service_account_made_alone_has_role_none_and_no_permission(
    admin: openai.OpenAI, mock_app: TemplateRouter
) -> None:
    project = admin.admin.organization.projects.create(name="Bare")
    accounts = admin.admin.organization.projects.service_accounts
    raw = accounts.with_raw_response.create(project.id, name="deployer", create_service_account_only=True)
    created = held(ServiceAccountCreateResponse, raw)
    assert (created["role"], created["api_key"]) == ("none", None)
    shown = held(ProjectServiceAccount, accounts.with_raw_response.retrieve(created["id"], project_id=project.id))
    assert shown["role"] == "none"

    key = accounts.api_keys.create(created["id"], project_id=project.id)
    app = asgi_client(mock_app, api_key=key.value)
    with pytest.raises(openai.PermissionDeniedError) as refused:  # no role, so no permission in its project
        app.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert _error(refused)["code"] == "insufficient_permissions"
    assert accounts.update(created["id"], project_id=project.id, role="member").role == "member"
    assert _chat_tier(app) == "default"  # a member's key may call models


# ------------------------------------------------------------------------------ form field names in errors
def _png(client: openai.OpenAI) -> bytes:
    return base64.b64decode(client.images.generate(model="gpt-image-1", prompt="A red kite.").data[0].b64_json or "")  # type: ignore[index]


def test_an_unknown_nested_form_field_is_named_in_the_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:  # the SDK writes it as the form field svg[foo]
        client.images.edit(
            model="gpt-image-1", image=("kite.png", _png(client)), prompt="Bluer.", extra_body={"svg": {"foo": "1"}}
        )
    error = _error(raised)
    assert (error["param"], error["code"]) == ("svg.foo", "unknown_parameter")
    assert error["message"].endswith("svg.foo")


def test_a_bad_nested_form_field_is_named_in_the_error(client: openai.OpenAI) -> None:
    wav = client.audio.speech.create(model="tts-1", voice="alloy", input=SENTENCE, response_format="wav").read()
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(
            model="gpt-4o-transcribe-diarize",
            file=("speech.wav", wav),
            chunking_strategy={"type": "server_vad", "threshold": "loud"},  # type: ignore[call-overload]
        )
    assert _error(raised)["param"] == "chunking_strategy.threshold"


# ---------------------------------------------------------------------- a grader model's reasoning effort
def _score_grader(model: str, effort: str) -> Any:
    return {
        "type": "score_model",
        "name": "judge",
        "model": model,
        "input": [{"role": "user", "content": "Score this answer: {{sample.output_text}}"}],
        "range": [0, 1],
        "sampling_params": {"reasoning_effort": effort},
    }


@pytest.mark.parametrize(
    ("model", "effort", "supported"),
    [
        ("gpt-5", "max", "'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'"),  # no catalogue model takes max
        ("o3", "xhigh", "'low', 'medium', and 'high'"),  # the o-series stops at high, as on Chat
    ],
)
def test_a_grader_models_effort_is_checked_as_chat_checks_it(
    client: openai.OpenAI, model: str, effort: str, supported: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.fine_tuning.alpha.graders.validate(grader=_score_grader(model, effort))
    error = _error(raised)
    assert (error["param"], error["code"]) == ("grader.sampling_params.reasoning_effort", "unsupported_value")
    assert error["message"].endswith(f"Supported values are: {supported}.")
    raw = client.fine_tuning.alpha.graders.with_raw_response.validate(grader=_score_grader(model, "high"))
    assert held(GraderValidateResponse, raw)["grader"]["sampling_params"]["reasoning_effort"] == "high"


def test_a_grader_models_effort_sets_its_reasoning_tokens(client: openai.OpenAI) -> None:
    def completion_tokens(effort: str) -> int:
        raw = client.fine_tuning.alpha.graders.with_raw_response.run(
            grader=_score_grader("gpt-5", effort), model_sample="Paris"
        )
        usage: int = held(GraderRunResponse, raw)["model_grader_token_usage_per_model"]["gpt-5"]["completion_tokens"]
        return usage

    assert completion_tokens("none") + 64 * 16 <= completion_tokens("xhigh")  # xhigh thinks 16–48 blocks of 64

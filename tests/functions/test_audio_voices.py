"""Custom voices and voice consents through the official SDK: consents are created from a recording, listed
with pagination, retrieved, renamed and deleted; a voice needs a sample and a stored consent; speech with
`voice={"id": …}` speaks at the pitch of the voice's sample. Every JSON answer is checked against the 2026-08-21
contract; bad input is OpenAI's 400 naming the param and stores nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import openai
import pytest
from openai.types.audio.voice_deleted import VoiceDeleted
from starlette.testclient import TestClient

from functions.audio import app as audio_function
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.synthesis import synthesize
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
AUTH = {"Authorization": "Bearer sk-test"}


def _wav(voice: str = "onyx", text: str = "I consent to the creation of a synthetic version of my voice.") -> bytes:
    return to_wav(synthesize(text, voice), text)


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def _consent(client: openai.OpenAI, name: str = "John Doe") -> Any:
    return client.audio.voice_consents.create(
        name=name, language="en-US", recording=("consent.wav", _wav(), "audio/wav")
    )


def _pitch(wav: bytes) -> float:
    samples = np.frombuffer(wav[44:], dtype="<i2")
    voiced = samples[samples != 0]
    signs = voiced >= 0
    return float((signs[1:] != signs[:-1]).sum()) / 2 / (len(voiced) / 24_000)


def test_consent_lifecycle(client: openai.OpenAI) -> None:
    raw = client.audio.voice_consents.with_raw_response.create(
        name="John Doe", language="en-US", recording=("consent.wav", _wav(), "audio/wav")
    )
    created = raw.http_response.json()
    assert_conforms("POST", "/v1/audio/voice_consents", 200, created, spec=SPEC)
    assert created["id"].startswith("cons_") and created["object"] == "audio.voice_consent"
    assert (created["name"], created["language"]) == ("John Doe", "en-US")
    path = f"/v1/audio/voice_consents/{created['id']}"

    fetched = client.audio.voice_consents.with_raw_response.retrieve(created["id"]).http_response.json()
    assert_conforms("GET", path, 200, fetched, spec=SPEC)
    assert fetched == created
    renamed = client.audio.voice_consents.with_raw_response.update(created["id"], name="Jane Doe").http_response.json()
    assert_conforms("POST", path, 200, renamed, spec=SPEC)
    assert renamed == {**created, "name": "Jane Doe"}
    assert client.audio.voice_consents.retrieve(created["id"]).name == "Jane Doe"

    deleted = client.audio.voice_consents.with_raw_response.delete(created["id"]).http_response.json()
    assert_conforms("DELETE", path, 200, deleted, spec=SPEC)
    assert deleted == {"id": created["id"], "object": "audio.voice_consent", "deleted": True}
    with pytest.raises(openai.NotFoundError) as raised:
        client.audio.voice_consents.retrieve(created["id"])
    assert created["id"] in _error(raised)["message"] and _error(raised)["param"] == "consent_id"
    with pytest.raises(openai.NotFoundError):
        client.audio.voice_consents.delete(created["id"])


def test_consents_list_with_pagination(client: openai.OpenAI, http: TestClient, client_for: Any) -> None:
    ids = [_consent(client, f"Speaker {n}").id for n in range(3)]
    listed = http.get("/v1/audio/voice_consents", headers=AUTH).json()
    assert_conforms("GET", "/v1/audio/voice_consents", 200, listed, spec=SPEC)
    assert [item["id"] for item in listed["data"]] == ids[::-1]  # newest first
    page = client.audio.voice_consents.list(limit=2)
    assert [item.id for item in page.data] == [ids[2], ids[1]] and page.has_more
    rest = client.audio.voice_consents.list(limit=2, after=page.data[-1].id)
    assert [item.id for item in rest.data] == [ids[0]] and not rest.has_more
    assert [item.id for item in client.audio.voice_consents.list()] == ids[::-1]  # the SDK's auto-pagination
    assert client_for("sk-another-key").audio.voice_consents.list().data == []


def test_voice_from_a_sample_speaks_at_its_pitch(client: openai.OpenAI) -> None:
    consent = _consent(client)
    raw = client.audio.voices.with_raw_response.create(
        name="Narrator", consent=consent.id, audio_sample=("sample.wav", _wav("onyx"), "audio/x-wav")
    )
    voice = raw.http_response.json()
    assert_conforms("POST", "/v1/audio/voices", 200, voice, spec=SPEC)
    assert voice["id"].startswith("voice_") and voice["object"] == "audio.voice" and voice["name"] == "Narrator"

    text = "The quick brown fox jumps over the lazy dog."
    custom = client.audio.speech.create(
        model="gpt-4o-mini-tts", voice={"id": voice["id"]}, input=text, response_format="wav"
    ).read()
    deep = client.audio.speech.create(model="gpt-4o-mini-tts", voice="onyx", input=text, response_format="wav").read()
    high = client.audio.speech.create(
        model="gpt-4o-mini-tts", voice="shimmer", input=text, response_format="wav"
    ).read()
    assert abs(_pitch(custom) - _pitch(deep)) < 0.15 * _pitch(deep)  # the sample was onyx's voice (~92 Hz)
    assert _pitch(high) > 2 * _pitch(custom)
    transcript = client.audio.transcriptions.create(model="whisper-1", file=("custom.wav", custom, "audio/wav"))
    assert transcript.text == text


def test_a_deleted_voice_no_longer_speaks_and_its_consent_stays(client: openai.OpenAI, client_for: Any) -> None:
    # `client.audio.voices.delete`: an operation the API gained after the 2026-08-21 spec, held to the SDK's models.
    consent = _consent(client)
    voice = client.audio.voices.create(name="Narrator", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    assert client.audio.speech.create(model="tts-1", voice={"id": voice.id}, input="Hello").read()
    with pytest.raises(openai.NotFoundError) as strangers:
        client_for("sk-someone-else").audio.voices.delete(voice.id)
    assert _error(strangers)["param"] == "voice_id"

    deleted = client.audio.voices.with_raw_response.delete(voice.id).http_response.json()
    VoiceDeleted.model_validate(deleted, strict=True)
    assert deleted == {"id": voice.id, "object": "audio.voice.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as gone:
        client.audio.speech.create(model="tts-1", voice={"id": voice.id}, input="Hello")
    assert _error(gone)["code"] == "voice_not_found"
    with pytest.raises(openai.NotFoundError) as again:  # deleting it again: 404
        client.audio.voices.delete(voice.id)
    assert (_error(again)["param"], _error(again)["code"]) == ("voice_id", "voice_not_found")
    assert client.audio.voice_consents.retrieve(consent.id).id == consent.id


def test_speech_refuses_a_voice_it_does_not_know(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.audio.speech.create(model="tts-1", voice={"id": "voice_missing"}, input="Hello")
    assert _error(raised)["param"] == "voice.id"
    with pytest.raises(openai.BadRequestError) as unknown_field:
        client.audio.speech.create(model="tts-1", voice={"id": "voice_x", "pitch": 3}, input="Hello")  # type: ignore[typeddict-unknown-key]
    assert _error(unknown_field)["param"] == "voice.pitch"


def test_a_voice_is_only_its_owners(client: openai.OpenAI, client_for: Any) -> None:
    consent = _consent(client)
    voice = client.audio.voices.create(name="Mine", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    stranger = client_for("sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.audio.speech.create(model="tts-1", voice={"id": voice.id}, input="Hello")
    with pytest.raises(openai.NotFoundError) as raised:
        stranger.audio.voices.create(name="Theirs", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    assert _error(raised)["param"] == "consent"


@pytest.mark.parametrize(
    ("fields", "files", "param", "code"),
    [
        ({"language": "en-US"}, {"recording": ("c.wav", "wav", "audio/wav")}, "name", "missing_required_parameter"),
        ({"name": "A", "language": "en-US"}, {}, "recording", "missing_required_parameter"),
        ({"name": "A"}, {"recording": ("c.wav", "wav", "audio/wav")}, "language", "missing_required_parameter"),
        (
            {"name": "A", "language": "english please"},
            {"recording": ("c.wav", "wav", "audio/wav")},
            "language",
            "invalid_value",
        ),
        (
            {"name": "A", "language": "en-US"},
            {"recording": ("c.txt", "wav", "text/plain")},
            "recording",
            "invalid_file_format",
        ),
        (
            {"name": "A", "language": "en-US"},
            {"recording": ("c.wav", "junk", "audio/wav")},
            "recording",
            "invalid_value",
        ),
        (
            {"name": "A", "language": "en-US", "accent": "x"},
            {"recording": ("c.wav", "wav", "audio/wav")},
            "accent",
            "unknown_parameter",
        ),
    ],
)
def test_bad_consents_are_refused_and_store_nothing(
    http: TestClient, fields: dict[str, str], files: dict[str, tuple[str, str, str]], param: str, code: str
) -> None:
    payload = {"wav": _wav(), "junk": b"definitely not audio"}
    form: dict[str, Any] = {key: (None, value) for key, value in fields.items()}
    form.update({key: (name, payload[data], kind) for key, (name, data, kind) in files.items()})
    answer = http.post("/v1/audio/voice_consents", files=form, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param and answer.json()["error"]["code"] == code
    assert http.get("/v1/audio/voice_consents", headers=AUTH).json()["data"] == []


def test_bad_voices_are_refused(client: openai.OpenAI, http: TestClient) -> None:
    consent = _consent(client)
    with pytest.raises(openai.NotFoundError) as unknown:
        client.audio.voices.create(name="V", consent="cons_missing", audio_sample=("s.wav", _wav(), "audio/wav"))
    assert _error(unknown)["param"] == "consent"
    with pytest.raises(openai.BadRequestError) as bad_sample:
        client.audio.voices.create(name="V", consent=consent.id, audio_sample=("s.wav", b"nope", "audio/wav"))
    assert _error(bad_sample)["param"] == "audio_sample"
    with pytest.raises(openai.BadRequestError) as prompt_voice:
        client.audio.voices.create(name="V", prompt="A warm baritone", type="prompt")
    assert _error(prompt_voice)["param"] == "type"
    too_big = http.post(
        "/v1/audio/voices",
        files={
            "name": (None, "V"),
            "consent": (None, consent.id),
            "audio_sample": ("s.wav", b"\0" * (10 * 2**20 + 1), "audio/wav"),
        },
        headers=AUTH,
    )
    assert too_big.status_code == 413 and too_big.json()["error"]["param"] == "audio_sample"
    renamed = http.post(f"/v1/audio/voice_consents/{consent.id}", json={}, headers=AUTH)
    assert renamed.status_code == 400 and renamed.json()["error"]["param"] == "name"


def test_voices_through_the_lambda_handler() -> None:
    lambda_sdk = lambda_client(audio_function.handler, "v1")  # type: ignore[arg-type]
    consent = lambda_sdk.audio.voice_consents.create(
        name="Lambda", language="fr-FR", recording=("c.wav", _wav(), "audio/wav")
    )
    voice = lambda_sdk.audio.voices.create(name="V", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    audio = lambda_sdk.audio.speech.create(
        model="tts-1", voice={"id": voice.id}, input="Bonjour", response_format="wav"
    )
    assert audio.read().startswith(b"RIFF")
    assert [item.id for item in lambda_sdk.audio.voice_consents.list()] == [consent.id]


def test_consents_and_voices_persist_on_dynamodb(client: openai.OpenAI, moto_persistence: None) -> None:
    consent = _consent(client)
    voice = client.audio.voices.create(name="V", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    assert client.audio.voice_consents.retrieve(consent.id).name == "John Doe"
    assert client.audio.speech.create(model="tts-1", voice={"id": voice.id}, input="Hi").read()


def test_realtime_sessions_take_a_custom_voice(client: openai.OpenAI, http: TestClient, client_for: Any) -> None:
    consent = _consent(client)
    voice = client.audio.voices.create(name="Live", consent=consent.id, audio_sample=("s.wav", _wav(), "audio/wav"))
    answer = http.post("/v1/realtime/sessions", json={"voice": {"id": voice.id}}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    assert_conforms("POST", "/v1/realtime/sessions", 200, answer.json(), spec=SPEC)
    assert answer.json()["voice"] == {"id": voice.id}
    elsewhere = client_for("sk-someone-else").with_options(max_retries=0)
    with pytest.raises(openai.NotFoundError) as raised:
        elsewhere.post("/realtime/sessions", body={"voice": {"id": voice.id}}, cast_to=dict)
    assert _error(raised)["param"] == "session.voice.id"

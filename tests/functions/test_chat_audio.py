"""Chat Completions with audio output (`modalities: ["text", "audio"]`) and audio input, through the official SDK:
real audio bytes, usage by duration, streaming `delta.audio`, follow-ups referencing an earlier answer."""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion
from starlette.testclient import TestClient

from functions.chat import app as chat_function
from openai_mock import clock
from openai_mock.generation import tokens
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.probe import probe_audio
from openai_mock.generation.audio.synthesis import pcm_duration, synthesize
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms, validate_component

MODEL = "gpt-4o-audio-preview"
ASK = [{"role": "user", "content": "Tell me about the history of lighthouses on rocky coasts."}]
SPOKEN: dict[str, Any] = {"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}
AUTH = {"Authorization": "Bearer sk-test"}


def _speak(client: openai.OpenAI, voice: str, audio_format: str, model: str = MODEL) -> ChatCompletion:
    settings: dict[str, Any] = {"modalities": ["text", "audio"], "audio": {"voice": voice, "format": audio_format}}
    return client.chat.completions.create(model=model, messages=ASK, **settings)  # type: ignore[arg-type]


def _wav_fields(data: bytes) -> tuple[int, int, int, int]:
    """(channels, sample rate, bits per sample, data bytes) read from a RIFF/WAVE header."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and data[12:16] == b"fmt "
    _, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, 20)
    position = 36
    while data[position : position + 4] != b"data":
        position += 8 + struct.unpack_from("<I", data, position + 4)[0]
    return channels, rate, bits, struct.unpack_from("<I", data, position + 4)[0]


def test_spoken_answer_is_a_real_wav_with_its_transcript(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=ASK, **SPOKEN)  # type: ignore[arg-type]
    assert_conforms("POST", "/v1/chat/completions", 200, raw.http_response.json())
    completion = raw.parse()
    message = completion.choices[0].message
    assert message.content is None and message.audio is not None
    spoken = message.audio
    assert spoken.id.startswith("audio_") and spoken.expires_at == completion.created + 3600
    assert "rocky coasts" in spoken.transcript.lower()  # the topic of the question
    wav = base64.b64decode(spoken.data)
    channels, rate, bits, size = _wav_fields(wav)
    assert (channels, rate, bits) == (1, 24_000, 16)
    seconds = size / 2 / rate
    assert 0.3 * len(spoken.transcript.split()) < seconds < 1.2 * len(spoken.transcript.split())
    # The audio carries its words: the Audio group's own reader gives the transcript back.
    assert probe_audio(wav).text == spoken.transcript
    usage = completion.usage
    assert usage is not None and usage.completion_tokens_details is not None
    audio_tokens = usage.completion_tokens_details.audio_tokens
    assert audio_tokens == math.ceil(seconds * 20)
    assert usage.completion_tokens == tokens.count_tokens(spoken.transcript, MODEL) + audio_tokens
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


@pytest.mark.parametrize(
    ("audio_format", "magic"), [("mp3", b"ID3"), ("flac", b"fLaC"), ("opus", b"OggS"), ("pcm16", None)]
)
def test_every_output_format_is_real_audio(client: openai.OpenAI, audio_format: str, magic: bytes | None) -> None:
    completion = _speak(client, "coral", audio_format, model="gpt-4o-mini-audio-preview")
    spoken = completion.choices[0].message.audio
    assert spoken is not None
    data = base64.b64decode(spoken.data)
    if magic is None:  # raw 24 kHz 16-bit mono: its length is the duration
        assert len(data) % 2 == 0 and len(data) / 48_000 > 1
        assert data == synthesize(spoken.transcript, "coral")
    else:
        assert data.startswith(magic)
        info = probe_audio(data)
        assert info.duration > 1 and info.text == spoken.transcript


def test_voice_changes_the_sound_not_the_words(client: openai.OpenAI) -> None:
    answers = [_speak(client, voice, "pcm16") for voice in ("alloy", "verse")]
    text = _speak(client, "alloy", "wav")
    first, second = (answer.choices[0].message.audio for answer in answers)
    assert first is not None and second is not None and text.choices[0].message.audio is not None
    assert first.transcript == second.transcript == text.choices[0].message.audio.transcript
    assert first.data != second.data and first.id != second.id


def test_limit_and_stop_cut_the_transcript_and_the_audio(client: openai.OpenAI) -> None:
    full = client.chat.completions.create(model=MODEL, messages=ASK, **SPOKEN)  # type: ignore[arg-type]
    cut = client.chat.completions.create(model=MODEL, messages=ASK, max_completion_tokens=8, **SPOKEN)  # type: ignore[arg-type]
    stopped = client.chat.completions.create(model=MODEL, messages=ASK, stop=".", **SPOKEN)  # type: ignore[arg-type]
    whole, short, sentence = (c.choices[0].message.audio for c in (full, cut, stopped))
    assert whole is not None and short is not None and sentence is not None
    assert cut.choices[0].finish_reason == "length" and tokens.count_tokens(short.transcript, MODEL) == 8
    assert whole.transcript.startswith(short.transcript)
    assert stopped.choices[0].finish_reason == "stop" and sentence.transcript == whole.transcript.split(".")[0]
    assert len(base64.b64decode(short.data)) < len(base64.b64decode(whole.data))
    assert cut.usage is not None and full.usage is not None
    assert cut.usage.completion_tokens < full.usage.completion_tokens


def _events(http: TestClient, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = http.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    blocks = [block.removeprefix("data: ") for block in response.text.split("\n\n") if block]
    assert blocks[-1] == "[DONE]"
    return [json.loads(block) for block in blocks[:-1]]


def test_stream_sends_audio_deltas(http: TestClient, client: openai.OpenAI) -> None:
    body = {
        "model": MODEL,
        "messages": ASK,
        "modalities": ["text", "audio"],
        "audio": {"voice": "sage", "format": "pcm16"},
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    chunks = _events(http, body)
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": None, "refusal": None}
    deltas = [c["choices"][0]["delta"]["audio"] for c in chunks if c["choices"] and "audio" in c["choices"][0]["delta"]]
    assert set(deltas[0]) == {"id", "transcript"} and deltas[0]["id"].startswith("audio_")
    assert set(deltas[-1]) == {"expires_at"}
    assert all(len(d) == 1 and ("transcript" in d or "data" in d) for d in deltas[1:-1])
    kinds = ["data" if "data" in d else "transcript" for d in deltas[1:-1]]
    assert kinds.count("data") > 1 and kinds.index("data") < len(kinds) - kinds[::-1].index("transcript")  # interleaved
    transcript = "".join(d.get("transcript", "") for d in deltas)
    pcm = b"".join(base64.b64decode(d["data"]) for d in deltas if "data" in d)  # every fragment decodes alone
    assert pcm == synthesize(transcript, "sage")
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["completion_tokens_details"]["audio_tokens"] == math.ceil(len(pcm) / 48_000 * 20)
    # Same question, not streamed: the same words and the same sound.
    sage: dict[str, Any] = {"audio": {"voice": "sage", "format": "pcm16"}}
    whole = client.chat.completions.create(model=MODEL, messages=ASK, modalities=["text", "audio"], **sage)  # type: ignore[arg-type]
    assert whole.choices[0].message.audio is not None
    assert whole.choices[0].message.audio.transcript == transcript


def test_sdk_stream_helper_accumulates_the_audio(client: openai.OpenAI) -> None:
    with client.chat.completions.stream(
        model=MODEL,
        messages=ASK,
        modalities=["text", "audio"],  # type: ignore[arg-type]
        audio={"voice": "ash", "format": "pcm16"},
    ) as stream:  # type: ignore[typeddict-item]
        for _ in stream:
            pass
        final = stream.get_final_completion()
    message = final.choices[0].message
    assert message.content is None and message.audio is not None
    assert message.audio.expires_at == final.created + 3600
    assert base64.b64decode(message.audio.data) == synthesize(message.audio.transcript, "ash")


def test_follow_up_referencing_the_audio_counts_it(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(model=MODEL, messages=ASK, **SPOKEN)  # type: ignore[arg-type]
    spoken = first.choices[0].message.audio
    assert spoken is not None and first.usage is not None and first.usage.completion_tokens_details is not None
    follow = [
        *ASK,
        {"role": "assistant", "audio": {"id": spoken.id}},
        {"role": "user", "content": "And which one is the oldest?"},
    ]
    second = client.chat.completions.create(model=MODEL, messages=follow, **SPOKEN)  # type: ignore[arg-type]
    assert second.usage is not None and second.usage.prompt_tokens_details is not None
    assert second.usage.prompt_tokens_details.audio_tokens == first.usage.completion_tokens_details.audio_tokens
    text_only = [*ASK, {"role": "user", "content": "And which one is the oldest?"}]
    baseline = client.chat.completions.create(model=MODEL, messages=text_only, **SPOKEN)  # type: ignore[arg-type]
    assert baseline.usage is not None
    # The assistant turn costs its framing (3 + role) plus the referenced audio.
    referenced = first.usage.completion_tokens_details.audio_tokens
    assert referenced is not None
    assert second.usage.prompt_tokens == baseline.usage.prompt_tokens + 4 + referenced
    clock.advance(3600)  # the audio expires with `expires_at`
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=follow, **SPOKEN)  # type: ignore[arg-type]
    assert raised.value.code == "audio_not_found" and spoken.id in raised.value.message


def test_audio_reference_is_per_tenant(client: openai.OpenAI, client_for: Any) -> None:
    first = client.chat.completions.create(model=MODEL, messages=ASK, **SPOKEN)  # type: ignore[arg-type]
    assert first.choices[0].message.audio is not None
    follow = [*ASK, {"role": "assistant", "audio": {"id": first.choices[0].message.audio.id}}]
    with pytest.raises(openai.BadRequestError) as raised:
        client_for("sk-other").chat.completions.create(model=MODEL, messages=follow, **SPOKEN)
    assert raised.value.body["param"] == "content.messages[1].audio.id"  # type: ignore[index]


def test_input_audio_is_heard_and_counted(client: openai.OpenAI) -> None:
    pcm = synthesize("Where is the nearest lighthouse museum?", "alloy")
    seconds = pcm_duration(pcm)
    clip = base64.b64encode(to_wav(pcm)).decode()
    messages = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": clip, "format": "wav"}}]}]
    # Audio in, text out: allowed on the audio model without the audio modality.
    completion = client.chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
    assert completion.choices[0].message.content and completion.choices[0].message.audio is None
    assert completion.usage is not None and completion.usage.prompt_tokens_details is not None
    assert completion.usage.prompt_tokens_details.audio_tokens == math.ceil(seconds * 10)
    bad = [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": clip, "format": "mp3"}}]}]
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=bad)  # type: ignore[arg-type]
    assert raised.value.body["param"] == "messages[0].content[0].input_audio.format"  # type: ignore[index]


def test_stored_completion_keeps_the_transcript(client: openai.OpenAI) -> None:
    created = client.chat.completions.create(model=MODEL, messages=ASK, store=True, **SPOKEN)  # type: ignore[arg-type]
    stored = client.chat.completions.retrieve(created.id)
    kept, sent = stored.choices[0].message.audio, created.choices[0].message.audio
    assert kept is not None and sent is not None
    assert (kept.id, kept.transcript, kept.expires_at, kept.data) == (sent.id, sent.transcript, sent.expires_at, "")
    assert stored.usage == created.usage


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"model": "gpt-4o"}, "modalities"),  # not an audio model
        ({"audio": None}, "audio"),
        ({"audio": {"format": "wav"}}, "audio.voice"),
        ({"audio": {"voice": "alloy"}}, "audio.format"),
        ({"audio": {"voice": "nova", "format": "wav"}}, "audio.voice"),
        ({"audio": {"voice": "alloy", "format": "ogg"}}, "audio.format"),
        ({"modalities": ["text"]}, "audio"),  # audio settings without the audio modality
        ({"modalities": ["text"], "audio": None}, "model"),  # the audio model needs audio in or out
        ({"stream": True}, "audio.format"),  # streams are pcm16 only
        ({"messages": [*ASK, {"role": "assistant", "audio": {}}]}, "messages[1].audio.id"),
    ],
)
def test_invalid_audio_requests(http: TestClient, overrides: dict[str, Any], param: str) -> None:
    body = {"model": MODEL, "messages": ASK, **SPOKEN, **overrides}
    body = {key: value for key, value in body.items() if value is not None}
    response = http.post("/v1/chat/completions", json=body, headers=AUTH)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_snapshot_ids_are_recognised_as_audio_models(client: openai.OpenAI) -> None:
    from openai_mock.resources.models import base_model

    snapshots = (
        "gpt-4o-audio-preview-2024-10-01",
        "gpt-4o-audio-preview-2024-12-17",
        "gpt-4o-mini-audio-preview-2024-12-17",
    )
    assert all(base_model(model).kind == "audio" for model in ("gpt-4o-audio-preview", *snapshots))  # type: ignore[union-attr]
    assert not any(base_model(model).kind == "audio" for model in ("gpt-4o", "gpt-4o-realtime-preview"))  # type: ignore[union-attr]
    assert base_model("gpt-4o-audio") is None
    for snapshot in snapshots:  # listed in the catalogue, and they speak
        assert client.models.retrieve(snapshot).owned_by == "system"
        completion = client.chat.completions.create(
            model=snapshot,
            messages=ASK,
            modalities=["text", "audio"],  # type: ignore[arg-type]
            audio={"voice": "alloy", "format": "wav"},
        )
        assert completion.choices[0].message.audio is not None


def test_spoken_answer_through_the_lambda_handler() -> None:
    sdk = lambda_client(chat_function.handler, "v1")  # type: ignore[arg-type]
    echo: dict[str, Any] = {"audio": {"voice": "echo", "format": "mp3"}}
    completion = sdk.chat.completions.create(model=MODEL, messages=ASK, modalities=["text", "audio"], **echo)  # type: ignore[arg-type]
    spoken = completion.choices[0].message.audio
    assert spoken is not None and base64.b64decode(spoken.data).startswith(b"ID3")

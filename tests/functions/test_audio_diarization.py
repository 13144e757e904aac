"""Diarized transcription (gpt-4o-transcribe-diarize) through the official SDK: who said what, and when."""

from __future__ import annotations

import base64
import itertools

import openai
import pytest

from openai_mock.generation.audio.codecs import to_wav
from tests.support.spec import assert_conforms, validate_component

DIALOGUE = "Good morning, is the shop open? Yes, we open at nine. Great, I will come by soon."
DIARIZE = "gpt-4o-transcribe-diarize"


def _speech(client: openai.OpenAI, text: str = DIALOGUE) -> bytes:
    return client.audio.speech.create(model="tts-1", voice="alloy", input=text, response_format="wav").content


def test_diarized_json_gives_each_sentence_to_a_speaker_in_turn(client: openai.OpenAI) -> None:
    raw = client.audio.transcriptions.with_raw_response.create(
        file=("talk.wav", _speech(client)), model=DIARIZE, response_format="diarized_json"
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/audio/transcriptions", 200, body)
    assert body["text"] == DIALOGUE
    turns = body["segments"]
    assert [turn["text"] for turn in turns] == [
        "Good morning, is the shop open?",
        "Yes, we open at nine.",
        "Great, I will come by soon.",
    ]
    assert [turn["speaker"] for turn in turns] == ["A", "B", "A"]
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(turns))
    assert 0 < turns[0]["start"] < turns[-1]["end"] <= body["duration"]
    assert body["usage"] == {"type": "duration", "seconds": body["duration"]}


def test_known_speaker_names_label_the_turns(client: openai.OpenAI) -> None:
    sample = "data:audio/wav;base64," + base64.b64encode(_speech(client, "Hello.")).decode()
    transcript = client.audio.transcriptions.create(
        file=("talk.wav", _speech(client)),
        model=DIARIZE,
        response_format="diarized_json",
        known_speaker_names=["customer", "clerk"],
        known_speaker_references=[sample, sample],
    )
    assert [segment.speaker for segment in transcript.segments] == ["customer", "clerk", "customer"]


def test_diarized_stream_sends_segments_then_done(client: openai.OpenAI) -> None:
    events = list(
        client.audio.transcriptions.create(
            file=("talk.wav", _speech(client)), model=DIARIZE, response_format="diarized_json", stream=True
        )
    )
    assert [event.type for event in events] == ["transcript.text.segment"] * 3 + ["transcript.text.done"]
    for event in events:
        validate_component(
            "TranscriptTextSegmentEvent" if event.type.endswith("segment") else "TranscriptTextDoneEvent",
            event.model_dump(exclude_none=True),
        )
    assert events[-1].text == DIALOGUE  # type: ignore[union-attr]


def test_long_audio_needs_a_chunking_strategy(client: openai.OpenAI) -> None:
    silence = to_wav(b"\x00\x00" * 24_000 * 40)  # 40 s
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(file=("long.wav", silence), model=DIARIZE)
    assert raised.value.body["param"] == "chunking_strategy"  # type: ignore[index]
    for strategy in ("auto", {"type": "server_vad", "threshold": 0.6, "silence_duration_ms": 300}):
        transcript = client.audio.transcriptions.create(
            file=("long.wav", silence),
            model=DIARIZE,
            response_format="diarized_json",
            chunking_strategy=strategy,  # type: ignore[arg-type]
        )
        assert transcript.duration == 40 and transcript.segments


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"model": "whisper-1", "response_format": "diarized_json"}, "response_format"),
        ({"model": "gpt-4o-transcribe", "response_format": "diarized_json"}, "response_format"),
        ({"model": DIARIZE, "prompt": "Names: Ann."}, "prompt"),
        ({"model": DIARIZE, "include": ["logprobs"]}, "include"),
        ({"model": DIARIZE, "chunking_strategy": "manual"}, "chunking_strategy"),
        (
            {"model": DIARIZE, "chunking_strategy": {"type": "server_vad", "threshold": 2}},
            "chunking_strategy.threshold",
        ),
        ({"model": DIARIZE, "known_speaker_names": ["a", "b", "c", "d", "e"]}, "known_speaker_names"),
        ({"model": DIARIZE, "known_speaker_names": ["a"]}, "known_speaker_references"),
        (
            {"model": DIARIZE, "known_speaker_names": ["a"], "known_speaker_references": ["https://x/a.wav"]},
            "known_speaker_references[0]",
        ),
    ],
)
def test_diarization_refusals_name_the_param(client: openai.OpenAI, arguments: dict[str, object], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(file=("a.wav", _speech(client, "Hi there.")), **arguments)  # type: ignore[call-overload]
    assert raised.value.body["param"] == param  # type: ignore[index]

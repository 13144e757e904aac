"""Audio through the official SDK: speech that ffmpeg (PyAV) decodes in all six formats, transcriptions
and translations in all five response formats, consistent with the audio's real duration."""

from __future__ import annotations

import io
import json
import re

import av
import openai
import pytest

from functions.audio import app as audio_function
from openai_mock.generation.audio.codecs import to_wav
from openai_mock.generation.audio.probe import probe_audio
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms, validate_component

SENTENCE = "Welcome to the mock. Every word you send becomes a tone, and every pause a little silence."


def _decoded_seconds(data: bytes, fmt: str) -> float:
    options = {"sample_rate": "24000", "ch_layout": "mono"} if fmt == "pcm" else {}
    container = av.open(io.BytesIO(data), format="s16le" if fmt == "pcm" else None, options=options)
    samples = rate = 0
    for frame in container.decode(audio=0):
        samples, rate = samples + frame.samples, frame.sample_rate
    return samples / rate


def _speech(client: openai.OpenAI, text: str = SENTENCE, fmt: str = "wav", **extra: object) -> bytes:
    return client.audio.speech.create(
        model="tts-1",
        voice="alloy",
        input=text,
        response_format=fmt,  # type: ignore[arg-type]
        **extra,
    ).content  # type: ignore[arg-type]


# --- speech -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fmt", "content_type", "container"),
    [
        ("mp3", "audio/mpeg", "mp3"),
        ("opus", "audio/opus", "ogg"),
        ("aac", "audio/aac", "aac"),
        ("flac", "audio/flac", "flac"),
        ("wav", "audio/wav", "wav"),
        ("pcm", "audio/pcm", "s16le"),
    ],
)
def test_speech_in_every_format_decodes(client: openai.OpenAI, fmt: str, content_type: str, container: str) -> None:
    response = client.audio.speech.create(model="tts-1-hd", voice="nova", input=SENTENCE, response_format=fmt)  # type: ignore[arg-type]
    assert response.response.headers["content-type"] == content_type
    data = response.content
    opened = av.open(
        io.BytesIO(data),
        format="s16le" if fmt == "pcm" else None,
        options={"sample_rate": "24000", "ch_layout": "mono"} if fmt == "pcm" else {},
    )
    assert opened.format.name.split(",")[0] == container
    assert 4.0 < _decoded_seconds(data, fmt) < 8.0  # ≈ 15 characters a second


def test_speech_defaults_to_mp3(client: openai.OpenAI) -> None:
    response = client.audio.speech.create(model="tts-1", voice="echo", input="Hello!")
    assert response.response.headers["content-type"] == "audio/mpeg"
    assert response.content[:3] == b"ID3"


def test_duration_grows_with_the_text_and_shrinks_with_speed(client: openai.OpenAI) -> None:
    one = _decoded_seconds(_speech(client, SENTENCE), "wav")
    three = _decoded_seconds(_speech(client, " ".join([SENTENCE] * 3)), "wav")
    fast = _decoded_seconds(_speech(client, SENTENCE, speed=2.0), "wav")
    slow = _decoded_seconds(_speech(client, SENTENCE, speed=0.5), "wav")
    assert three == pytest.approx(3 * one, rel=0.05)
    assert fast == pytest.approx(one / 2, rel=0.05)
    assert slow == pytest.approx(one * 2, rel=0.05)


def test_speech_is_deterministic_and_voices_differ(client: openai.OpenAI) -> None:
    assert _speech(client, fmt="pcm") == _speech(client, fmt="pcm")
    onyx = client.audio.speech.create(model="tts-1", voice="onyx", input=SENTENCE, response_format="pcm").content
    assert onyx != _speech(client, fmt="pcm")


def test_gpt_4o_mini_tts_takes_instructions_and_its_own_voices(client: openai.OpenAI) -> None:
    data = client.audio.speech.create(
        model="gpt-4o-mini-tts",
        voice="ballad",
        input="Good evening.",
        instructions="Speak like a late-night radio host.",
        response_format="wav",
    ).content
    assert _decoded_seconds(data, "wav") > 0.5


@pytest.mark.parametrize(
    ("arguments", "param", "code"),
    [
        ({"voice": "robot"}, "voice", "invalid_value"),
        ({"voice": "ballad"}, "voice", "invalid_value"),  # gpt-4o-mini-tts only
        ({"input": "x" * 4097}, "input", "string_above_max_length"),
        ({"input": ""}, "input", "string_below_min_length"),
        ({"speed": 4.5}, "speed", "decimal_above_max_value"),
        ({"speed": 0.1}, "speed", "decimal_below_min_value"),
        ({"response_format": "ogg"}, "response_format", "invalid_value"),
        ({"instructions": "Whisper."}, "instructions", "unsupported_parameter"),
        ({"model": "whisper-1"}, "model", "invalid_value"),
    ],
)
def test_speech_validation_names_the_param(
    client: openai.OpenAI, arguments: dict[str, object], param: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.speech.create(**{"model": "tts-1", "voice": "alloy", "input": "Hi.", **arguments})  # type: ignore[arg-type]
    assert (raised.value.body["param"], raised.value.body["code"]) == (param, code)  # type: ignore[index]


def test_speech_input_of_exactly_4096_characters_is_accepted(client: openai.OpenAI) -> None:
    data = _speech(client, ("word " * 820)[:4096], fmt="mp3")
    assert probe_audio(data).duration > 200


def test_speech_through_the_lambda_handler() -> None:
    lambda_sdk = lambda_client(audio_function.handler, "v1")  # type: ignore[arg-type]
    data = lambda_sdk.audio.speech.create(
        model="tts-1", voice="sage", input="Hello from Lambda.", response_format="flac"
    ).content
    assert data.startswith(b"fLaC")
    assert _decoded_seconds(data, "flac") > 0.8
    text = lambda_sdk.audio.transcriptions.create(file=("hello.flac", data), model="whisper-1")
    assert text.text == "Hello from Lambda."


# --- transcriptions -----------------------------------------------------------------------------------
def test_transcribing_the_mocks_own_speech_gives_the_text_back(client: openai.OpenAI) -> None:
    for fmt, name in (("wav", "a.wav"), ("mp3", "a.mp3"), ("flac", "a.flac"), ("opus", "a.ogg")):
        raw = client.audio.transcriptions.with_raw_response.create(
            file=(name, _speech(client, fmt=fmt)), model="whisper-1"
        )
        assert_conforms("POST", "/v1/audio/transcriptions", 200, raw.http_response.json())
        assert raw.parse().text == SENTENCE


def test_verbose_json_timestamps_fit_the_audio(client: openai.OpenAI) -> None:
    wav = _speech(client, " ".join([SENTENCE] * 2))
    seconds = _decoded_seconds(wav, "wav")
    raw = client.audio.transcriptions.with_raw_response.create(
        file=("talk.wav", wav),
        model="whisper-1",
        response_format="verbose_json",
        timestamp_granularities=["word", "segment"],
        language="en",
    )
    # The spec's oneOf [Json, VerboseJson] can never hold for a verbose body (it matches both branches),
    # so the verbose schema is checked directly.
    validate_component("CreateTranscriptionResponseVerboseJson", raw.http_response.json())
    result = raw.parse()
    assert result.duration == pytest.approx(seconds, abs=0.01)
    assert result.language == "english"
    assert len(result.segments) == 4  # one per sentence
    assert " ".join(segment.text.strip() for segment in result.segments) == result.text
    assert [word.word for word in result.words] == [w.strip(".,") for w in result.text.split()]
    times = [t for word in result.words for t in (word.start, word.end)]
    assert times == sorted(times) and times[0] >= 0 and times[-1] <= seconds
    assert all(0 <= s.start < s.end <= seconds for s in result.segments)


def test_default_granularity_is_segments_only(client: openai.OpenAI) -> None:
    body = client.audio.transcriptions.with_raw_response.create(
        file=("a.wav", _speech(client)), model="whisper-1", response_format="verbose_json"
    ).http_response.json()
    assert "segments" in body and "words" not in body
    assert body["task"] == "transcribe"


def test_text_srt_and_vtt_come_back_as_text(client: openai.OpenAI) -> None:
    wav = _speech(client)
    text = client.audio.transcriptions.create(file=("a.wav", wav), model="whisper-1", response_format="text")
    assert text == SENTENCE + "\n"
    srt = client.audio.transcriptions.create(file=("a.wav", wav), model="whisper-1", response_format="srt")
    assert re.fullmatch(r"(\d+\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n.+\n\n)+", srt)
    assert srt.startswith("1\n00:00:00,")
    vtt = client.audio.transcriptions.create(file=("a.wav", wav), model="whisper-1", response_format="vtt")
    assert re.fullmatch(r"WEBVTT\n\n(\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n.+\n\n)+", vtt)
    assert "Welcome to the mock." in vtt


def test_other_audio_gets_english_text_as_long_as_the_audio(client: openai.OpenAI) -> None:
    silence = to_wav(b"\x00\x00" * 24_000 * 20)  # 20 s, no embedded text
    first = client.audio.transcriptions.create(file=("memo.wav", silence), model="whisper-1")
    again = client.audio.transcriptions.create(file=("memo.wav", silence), model="whisper-1")
    assert first.text == again.text
    assert 40 <= len(first.text.split()) <= 60  # ≈ 2.5 words a second
    assert first.text[0].isupper() and first.text[-1] in ".!?"


def test_gpt_4o_transcribe_streams_deltas_then_done(client: openai.OpenAI) -> None:
    events = list(
        client.audio.transcriptions.create(file=("a.wav", _speech(client)), model="gpt-4o-transcribe", stream=True)
    )
    assert [event.type for event in events[:-1]] == ["transcript.text.delta"] * (len(events) - 1)
    assert events[-1].type == "transcript.text.done"
    assert "".join(event.delta for event in events[:-1]) == events[-1].text == SENTENCE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"model": "whisper-1", "stream": True}, "stream"),
        ({"model": "gpt-4o-transcribe", "response_format": "srt"}, "response_format"),
        ({"model": "whisper-1", "timestamp_granularities": ["word"]}, "timestamp_granularities"),
        (
            {"model": "whisper-1", "response_format": "verbose_json", "timestamp_granularities": ["char"]},
            "timestamp_granularities",
        ),
        ({"model": "whisper-1", "language": "english"}, "language"),
        ({"model": "whisper-1", "temperature": 1.5}, "temperature"),
        ({"model": "tts-1"}, "model"),
    ],
)
def test_transcription_validation_names_the_param(
    client: openai.OpenAI, arguments: dict[str, object], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(file=("a.wav", _speech(client, "Hi.")), **arguments)  # type: ignore[call-overload]
    assert raised.value.body["param"] == param  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello", "Invalid file format. Supported formats:"),
        ("a.wav", b"this is not audio at all", "could not be decoded"),
        ("a.mp3", b"", "could not be decoded"),
        ("a.wav", to_wav(b"\x00\x00" * 1200), "too short"),  # 0.05 s
    ],
)
def test_invalid_or_short_audio_is_a_400(client: openai.OpenAI, name: str, data: bytes, message: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.transcriptions.create(file=(name, data), model="whisper-1")
    assert raised.value.body["param"] == "file"  # type: ignore[index]
    assert message in raised.value.body["message"]  # type: ignore[index]


def test_missing_file_is_a_400(http) -> None:  # type: ignore[no-untyped-def]
    answer = http.post(
        "/v1/audio/transcriptions", data={"model": "whisper-1"}, headers={"authorization": "Bearer sk-test"}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "file"


# --- translations -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "verbose_json"])
def test_translation_json_formats_conform(client: openai.OpenAI, fmt: str) -> None:
    raw = client.audio.translations.with_raw_response.create(
        file=("a.flac", _speech(client, fmt="flac")), model="whisper-1", response_format=fmt
    )  # type: ignore[arg-type]
    body = raw.http_response.json()
    if fmt == "json":
        assert_conforms("POST", "/v1/audio/translations", 200, body)
    else:  # see test_verbose_json_timestamps_fit_the_audio: the spec's oneOf matches both branches
        validate_component("CreateTranslationResponseVerboseJson", body)
    assert body["text"] == SENTENCE
    if fmt == "verbose_json":
        assert (body["task"], body["language"]) == ("translate", "english")
        assert body["segments"][-1]["end"] <= body["duration"]


def test_translation_text_formats(client: openai.OpenAI) -> None:
    mp3 = _speech(client, fmt="mp3")
    for fmt, check in (
        ("text", lambda out: out == SENTENCE + "\n"),
        ("srt", lambda out: out.startswith("1\n")),
        ("vtt", lambda out: out.startswith("WEBVTT\n\n")),
    ):
        output = client.audio.translations.create(file=("a.mp3", mp3), model="whisper-1", response_format=fmt)  # type: ignore[call-overload]
        assert check(output), output


def test_translation_only_takes_whisper_1(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.audio.translations.create(file=("a.wav", _speech(client)), model="gpt-4o-transcribe")
    assert raised.value.body["param"] == "model"  # type: ignore[index]
    assert json.dumps(raised.value.body).count("whisper-1") == 1

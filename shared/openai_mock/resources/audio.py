"""Audio (`POST /v1/audio/speech`, `/transcriptions`, `/translations`): request models, the real API's checks, creation.

Speech is `openai_mock.generation.audio.synthesis` in a container from `.codecs`, which carries the input text
as metadata: transcribing the mock's own speech gives the text back, as a real round trip would. Other
uploads (read by `.probe`) get deterministic English whose length fits their duration (`.transcripts`)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import random
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openai_mock.checks import check_enum, check_length, check_range
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import Decimal
from openai_mock.generation.audio.codecs import SPEECH_FORMATS
from openai_mock.generation.audio.probe import AudioInfo, UndecodableAudio, probe_audio
from openai_mock.generation.audio.synthesis import VOICES, synthesize
from openai_mock.generation.audio.transcripts import spoken_text, time_words, to_segments, to_srt, to_vtt
from openai_mock.generation.streaming import sse_event
from openai_mock.resources.models import known_model, model_spec
from openai_mock.rng import seeded_rng


# ---------------------------------------------------------------------------------------------------
# Speech
# ---------------------------------------------------------------------------------------------------
class CreateSpeechRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    input: str
    voice: str
    instructions: str | None = None
    response_format: str | None = None
    speed: Decimal | None = None


_MINI_TTS = "gpt-4o-mini-tts"


def create_speech(request: CreateSpeechRequest) -> tuple[bytes, str]:
    """The audio bytes and their Content-Type."""
    known_model(request.model, ("tts-1", "tts-1-hd", "tts-1-1106", "tts-1-hd-1106", _MINI_TTS), "audio.speech")
    check_length(request.input, "input", 4096, minimum=1)
    spec = model_spec(request.model)
    mini_tts = spec is not None and spec.family == _MINI_TTS  # its snapshots too (gpt-4o-mini-tts-2025-12-15)
    voices = (*VOICES, "ballad", "verse") if mini_tts else VOICES
    check_enum(request.voice, voices, "voice")
    if request.instructions is not None:
        if not mini_tts:
            raise invalid_request(
                f"Instructions are not supported for model '{request.model}'; use '{_MINI_TTS}'.",
                "instructions",
                "unsupported_parameter",
            )
        check_length(request.instructions, "instructions", 4096)
    response_format = request.response_format or "mp3"
    check_enum(response_format, tuple(SPEECH_FORMATS), "response_format")
    speed = 1.0 if request.speed is None else request.speed
    check_range(speed, "speed", 0.25, 4.0, decimal=True)
    content_type, encoder = SPEECH_FORMATS[response_format]
    return encoder(synthesize(request.input, request.voice, speed), request.input), content_type


# ---------------------------------------------------------------------------------------------------
# Uploaded audio
# ---------------------------------------------------------------------------------------------------
UPLOAD_EXTENSIONS = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_UNDECODABLE = "The audio file could not be decoded or its format is not supported."


def read_audio_upload(data: bytes, filename: str | None) -> AudioInfo:
    """Validate an uploaded `file` as the real API does: extension, size, decodability, length."""
    extension = PurePath(filename or "").suffix.lower().lstrip(".")
    if extension not in UPLOAD_EXTENSIONS:
        raise invalid_request(
            f"Invalid file format. Supported formats: {list(UPLOAD_EXTENSIONS)}", "file", "invalid_value"
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise OpenAIError(
            413,
            f"Maximum content size limit ({MAX_UPLOAD_BYTES}) exceeded ({len(data)} bytes read)",
            param="file",
            code="request_too_large",
        )
    try:
        info = probe_audio(data)
    except (UndecodableAudio, struct.error, IndexError):
        raise invalid_request(_UNDECODABLE, "file", "invalid_value") from None
    if info.duration < 0.1:
        raise invalid_request(
            "Audio file is too short. Minimum audio length is 0.1 seconds.", "file", "audio_too_short"
        )
    return info


# ---------------------------------------------------------------------------------------------------
# Transcriptions and translations
# ---------------------------------------------------------------------------------------------------
LANGUAGES = {
    "af": "afrikaans",
    "am": "amharic",
    "ar": "arabic",
    "as": "assamese",
    "az": "azerbaijani",
    "ba": "bashkir",
    "be": "belarusian",
    "bg": "bulgarian",
    "bn": "bengali",
    "bo": "tibetan",
    "br": "breton",
    "bs": "bosnian",
    "ca": "catalan",
    "cs": "czech",
    "cy": "welsh",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fo": "faroese",
    "fr": "french",
    "gl": "galician",
    "gu": "gujarati",
    "ha": "hausa",
    "haw": "hawaiian",
    "he": "hebrew",
    "hi": "hindi",
    "hr": "croatian",
    "ht": "haitian creole",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "is": "icelandic",
    "it": "italian",
    "ja": "japanese",
    "jw": "javanese",
    "ka": "georgian",
    "kk": "kazakh",
    "km": "khmer",
    "kn": "kannada",
    "ko": "korean",
    "la": "latin",
    "lb": "luxembourgish",
    "ln": "lingala",
    "lo": "lao",
    "lt": "lithuanian",
    "lv": "latvian",
    "mg": "malagasy",
    "mi": "maori",
    "mk": "macedonian",
    "ml": "malayalam",
    "mn": "mongolian",
    "mr": "marathi",
    "ms": "malay",
    "mt": "maltese",
    "my": "myanmar",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "nynorsk",
    "no": "norwegian",
    "oc": "occitan",
    "pa": "punjabi",
    "pl": "polish",
    "ps": "pashto",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sa": "sanskrit",
    "sd": "sindhi",
    "si": "sinhala",
    "sk": "slovak",
    "sl": "slovenian",
    "sn": "shona",
    "so": "somali",
    "sq": "albanian",
    "sr": "serbian",
    "su": "sundanese",
    "sv": "swedish",
    "sw": "swahili",
    "ta": "tamil",
    "te": "telugu",
    "tg": "tajik",
    "th": "thai",
    "tk": "turkmen",
    "tl": "tagalog",
    "tr": "turkish",
    "tt": "tatar",
    "uk": "ukrainian",
    "ur": "urdu",
    "uz": "uzbek",
    "vi": "vietnamese",
    "yi": "yiddish",
    "yo": "yoruba",
    "yue": "cantonese",
    "zh": "chinese",
}


class _AudioOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    model: str
    prompt: str | None = None
    response_format: str | None = None
    temperature: float | None = None


class TranscriptionOptions(_AudioOptions):
    language: str | None = None
    timestamp_granularities: list[str] | None = Field(default=None, alias="timestamp_granularities[]")
    include: list[str] | None = Field(default=None, alias="include[]")
    stream: bool | None = None


class TranslationOptions(_AudioOptions):
    pass


TRANSCRIPTION_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")


@dataclass(frozen=True)
class Transcript:
    """What a route answers: a JSON object, a text body (text/srt/vtt) or an SSE stream."""

    kind: Literal["json", "text", "stream"]
    json: dict[str, Any] | None = None
    text: str = ""
    events: tuple[bytes, ...] = ()
    seconds: int = 0  # the audio's duration, rounded up: what the organization's usage counts


def _check_common(options: _AudioOptions, models: Sequence[str], endpoint: str) -> tuple[str, float]:
    known_model(options.model, models, endpoint)
    response_format = options.response_format or "json"
    check_enum(response_format, RESPONSE_FORMATS, "response_format")
    if options.model != "whisper-1" and response_format not in ("json", "text"):
        raise invalid_request(
            f"response_format '{response_format}' is not compatible with model '{options.model}'. "
            "Use 'json' or 'text' instead.",
            "response_format",
            "unsupported_value",
        )
    temperature = 0.0 if options.temperature is None else options.temperature
    check_range(temperature, "temperature", 0, 1, decimal=True)
    return response_format, temperature


def _render(
    task: str,
    language: str,
    info: AudioInfo,
    text: str,
    response_format: str,
    granularities: Sequence[str],
    rng: random.Random,
    temperature: float,
) -> Transcript:
    words = time_words(text, info.duration)
    segments = to_segments(words, text.split(), rng, temperature)
    if response_format == "text":
        return Transcript("text", text=text + "\n")
    if response_format == "srt":
        return Transcript("text", text=to_srt(segments))
    if response_format == "vtt":
        return Transcript("text", text=to_vtt(segments))
    if response_format == "json":
        return Transcript("json", json={"text": text})
    body: dict[str, Any] = {"task": task, "language": language, "duration": round(info.duration, 2), "text": text}
    if "word" in granularities:
        body["words"] = [{"word": w.word, "start": w.start, "end": w.end} for w in words]
    if "segment" in granularities:
        body["segments"] = segments
    return Transcript("json", json=body)


def _text_for(
    info: AudioInfo, audio: bytes, options: _AudioOptions, seed: int | str | None
) -> tuple[str, random.Random]:
    rng = seeded_rng([hashlib.sha256(audio).hexdigest(), options.model_dump(exclude={"stream"})], seed)
    return (" ".join(info.text.split()) if info.text else spoken_text(info.duration, rng)), rng


def create_transcription(
    options: TranscriptionOptions, audio: bytes, filename: str | None, seed: int | str | None
) -> Transcript:
    response_format, temperature = _check_common(options, TRANSCRIPTION_MODELS, "audio.transcriptions")
    if options.language is not None and options.language not in LANGUAGES:
        raise invalid_request(
            f"Invalid language '{options.language}'. Language parameter must be specified in ISO-639-1 format.",
            "language",
            "invalid_value",
        )
    granularities = options.timestamp_granularities or ["segment"]
    for granularity in granularities:
        check_enum(granularity, ("word", "segment"), "timestamp_granularities")
    if options.timestamp_granularities and response_format != "verbose_json":
        raise invalid_request(
            "timestamp_granularities is only supported with response_format 'verbose_json'.",
            "timestamp_granularities",
            "unsupported_value",
        )
    for item in options.include or []:
        check_enum(item, ("logprobs",), "include")
    if options.stream and options.model == "whisper-1":
        raise invalid_request("Streaming is not supported for the whisper-1 model.", "stream", "unsupported_value")
    info = read_audio_upload(audio, filename)
    text, rng = _text_for(info, audio, options, seed)
    seconds = math.ceil(info.duration)
    if options.stream:
        return Transcript("stream", events=tuple(_stream_events(text, bool(options.include))), seconds=seconds)
    language = LANGUAGES[options.language or "en"]
    rendered = _render("transcribe", language, info, text, response_format, granularities, rng, temperature)
    return dataclasses.replace(rendered, seconds=seconds)


def create_translation(
    options: TranslationOptions, audio: bytes, filename: str | None, seed: int | str | None
) -> Transcript:
    response_format, temperature = _check_common(options, ("whisper-1",), "audio.translations")
    info = read_audio_upload(audio, filename)
    text, rng = _text_for(info, audio, options, seed)
    # Translations always come out in English, with segments (no word timestamps).
    rendered = _render("translate", "english", info, text, response_format, ["segment"], rng, temperature)
    return dataclasses.replace(rendered, seconds=math.ceil(info.duration))


def _stream_events(text: str, with_logprobs: bool) -> Iterator[bytes]:
    """gpt-4o transcribe streams: a `transcript.text.delta` per word, then `transcript.text.done`."""
    pieces = [piece + " " for piece in text.split(" ")]
    pieces[-1] = pieces[-1].rstrip()
    for piece in pieces:
        event: dict[str, Any] = {"type": "transcript.text.delta", "delta": piece}
        if with_logprobs:
            event["logprobs"] = [{"token": piece, "logprob": -0.0123, "bytes": list(piece.encode())}]
        yield sse_event(event)
    yield sse_event({"type": "transcript.text.done", "text": text})

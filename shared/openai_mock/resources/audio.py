"""Audio (`POST /v1/audio/speech`, `/transcriptions`, `/translations`; custom voices and voice consents): request
models, the real API's checks, creation.

Speech is `openai_mock.generation.audio.synthesis` in a container from `.codecs`, which carries the input text
as metadata: transcribing the mock's own speech gives the text back, as a real round trip would. Other
uploads (read by `.probe`) get deterministic English whose length fits their duration (`.transcripts`)."""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import Any, Literal, NamedTuple

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_length, check_range
from openai_mock.control.api import answer_of
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import Decimal, RequestModel
from openai_mock.generation import tokens
from openai_mock.generation.audio.codecs import SPEECH_FORMATS
from openai_mock.generation.audio.guidance import with_keywords
from openai_mock.generation.audio.probe import AudioInfo, UndecodableAudio, probe_audio
from openai_mock.generation.audio.synthesis import synthesize
from openai_mock.generation.audio.transcripts import (
    spoken_text,
    time_words,
    to_segments,
    to_speaker_turns,
    to_srt,
    to_vtt,
)
from openai_mock.generation.audio.voices import SPEECH_VOICES, TTS_1_VOICES
from openai_mock.generation.streaming import sse_event
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.models import known_model, model_spec, serving
from openai_mock.rng import seeded_rng
from openai_mock.store import get_store
from openai_mock.web.form_body import Upload


# ---------------------------------------------------------------------------------------------------
# Speech
# ---------------------------------------------------------------------------------------------------
class CreateSpeechRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    model: str
    input: str
    voice: str | dict[str, Any]
    instructions: str | None = None
    response_format: str | None = None
    speed: Decimal | None = None
    stream_format: str | None = None  # "audio" (the bytes, the default) or "sse" (speech.audio.* events)


_MINI_TTS = "gpt-4o-mini-tts"
# A streamed speech's `speech.audio.delta` carries this many bytes of the audio (0.2 s of 24 kHz pcm16).
_SPEECH_DELTA_BYTES = 9_600
_SPEECH_TOKENS_PER_SECOND = 20  # audio output is billed at 1 token per 50 ms, as chat completions' audio


class Speech(NamedTuple):
    content: bytes  # the audio, in the format asked
    content_type: str
    events: tuple[bytes, ...] | None = None  # `stream_format: sse`: the encoded events instead


def create_speech(request: CreateSpeechRequest, tenant: str) -> Speech:
    """The audio bytes and their Content-Type (a custom voice is one of `tenant`'s); with `stream_format: sse`,
    the same bytes cut into `speech.audio.delta` events, then `speech.audio.done` with the usage."""
    known_model(request.model, ("tts-1", "tts-1-hd", "tts-1-1106", "tts-1-hd-1106", _MINI_TTS), "audio.speech")
    check_length(request.input, "input", 4096, minimum=1)
    spec = model_spec(request.model)
    mini_tts = spec is not None and spec.family == _MINI_TTS  # its snapshots too (gpt-4o-mini-tts-2025-12-15)
    voices = SPEECH_VOICES if mini_tts else TTS_1_VOICES
    pitch = None
    if isinstance(request.voice, dict):
        pitch = custom_voice_pitch(tenant, request.voice)
    else:
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
    streamed = request.stream_format is not None and _check_stream_format(request.stream_format, mini_tts)
    content_type, encoder = SPEECH_FORMATS[response_format]
    request_text = {"model": request.model, "messages": [{"role": "user", "content": request.input}]}
    body = request.model_dump(exclude_none=True, exclude={"stream_format"})  # a fixture matches either way
    answer = answer_of(tenant, "audio.speech", request_text, body=body)
    voice = request.voice if isinstance(request.voice, str) else "custom"
    if answer is not None and "b64" in answer:
        # The bytes as given, not converted: the Content-Type stays the one of the format asked.
        content, pcm = base64.b64decode(answer["b64"]), None
    else:
        pcm = synthesize(request.input, voice, speed, pitch=pitch)
        content = encoder(pcm, request.input)
    if not streamed:
        return Speech(content, content_type)
    if pcm is None:  # a fixture's bytes: billed as long as the mock would have spoken the input
        pcm = synthesize(request.input, voice, speed, pitch=pitch)
    return Speech(content, content_type, tuple(_speech_events(request, content, len(pcm) / 48_000)))


def _check_stream_format(stream_format: str, mini_tts: bool) -> bool:
    """Whether the speech is streamed as events; `sse` is gpt-4o-mini-tts's only (not tts-1, tts-1-hd)."""
    check_enum(stream_format, ("sse", "audio"), "stream_format")
    if stream_format == "sse" and not mini_tts:
        raise invalid_request(
            f"stream_format 'sse' is not supported for this model; use '{_MINI_TTS}'.",
            "stream_format",
            "unsupported_value",
        )
    return stream_format == "sse"


def _speech_events(request: CreateSpeechRequest, content: bytes, seconds: float) -> Iterator[bytes]:
    """`speech.audio.delta` events whose base64 `audio` pieces decode, joined, to `content`; then the usage:
    the input (and instructions) in text tokens, the audio at 20 tokens a second."""
    for start in range(0, len(content), _SPEECH_DELTA_BYTES):
        piece = base64.b64encode(content[start : start + _SPEECH_DELTA_BYTES]).decode()
        yield sse_event({"type": "speech.audio.delta", "audio": piece})
    prompt = request.input + (request.instructions or "")
    input_tokens = tokens.count_tokens(prompt, "gpt-4o-mini")
    output_tokens = max(1, math.ceil(seconds * _SPEECH_TOKENS_PER_SECOND))
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}
    yield sse_event({"type": "speech.audio.done", "usage": usage})


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


class _AudioOptions(RequestModel):
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
    # Diarization (gpt-4o-transcribe-diarize). A multipart form spells the VAD object's fields one by one.
    chunking_strategy: str | None = None
    vad_type: str | None = Field(default=None, alias="chunking_strategy[type]")
    vad_threshold: float | None = Field(default=None, alias="chunking_strategy[threshold]")
    vad_prefix_padding_ms: int | None = Field(default=None, alias="chunking_strategy[prefix_padding_ms]")
    vad_silence_duration_ms: int | None = Field(default=None, alias="chunking_strategy[silence_duration_ms]")
    known_speaker_names: list[str] | None = Field(default=None, alias="known_speaker_names[]")
    known_speaker_references: list[str] | None = Field(default=None, alias="known_speaker_references[]")
    # Words to favour in the transcript, spelt as given; the languages the audio may be in (ISO-639-1).
    keywords: list[str] | None = Field(default=None, alias="keywords[]")
    languages: list[str] | None = Field(default=None, alias="languages[]")


class TranslationOptions(_AudioOptions):
    pass


RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt", "diarized_json")
MAX_KNOWN_SPEAKERS = 4
CHUNKING_REQUIRED_AFTER_SECONDS = 30.0


class Transcript(NamedTuple):
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
    if response_format == "diarized_json" and not _diarizes(options.model):
        raise invalid_request(
            f"response_format 'diarized_json' is not compatible with model '{options.model}'. "
            "Use a diarization model such as 'gpt-4o-transcribe-diarize'.",
            "response_format",
            "unsupported_value",
        )
    if options.model != "whisper-1" and response_format not in ("json", "text", "diarized_json"):
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
    rng = seeded_rng(
        [hashlib.sha256(audio).hexdigest(), options.model_dump(exclude={"stream", "keywords", "languages"})], seed
    )
    return (" ".join(info.text.split()) if info.text else spoken_text(info.duration, rng)), rng


def _fixture_text(
    tenant: str | None, endpoint: str, options: _AudioOptions, text: str, rng: random.Random
) -> tuple[str, random.Random]:
    """The transcript a fixture gives (`response.content`), matched on what the mock heard; else `text`."""
    if tenant is None:
        return text, rng
    request = {"model": options.model, "messages": [{"role": "user", "content": text}]}
    answer = answer_of(tenant, endpoint, request, body=options.model_dump(exclude_none=True))
    if answer is None or not isinstance(answer.get("content"), str):
        return text, rng
    return " ".join(answer["content"].split()), rng


def create_transcription(
    options: TranscriptionOptions,
    audio: bytes,
    filename: str | None,
    seed: int | str | None,
    tenant: str | None = None,
) -> Transcript:
    response_format, temperature = _check_common(options, serving("audio.transcriptions"), "audio.transcriptions")
    if options.language is not None:
        _check_language(options.language, "language")
    if options.languages is not None:
        if not options.languages:
            raise invalid_request(
                "Invalid 'languages': empty array. Expected an array with minimum length 1, but got an empty array "
                "instead.",
                "languages",
                "empty_array",
            )
        for index, code in enumerate(options.languages):
            _check_language(code, f"languages[{index}]")
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
    speakers = _check_diarization(options) if _diarizes(options.model) else None
    info = read_audio_upload(audio, filename)
    text, rng = _fixture_text(tenant, "audio.transcriptions", options, *_text_for(info, audio, options, seed))
    if options.keywords:
        text = with_keywords(text, options.keywords)
    seconds = math.ceil(info.duration)
    if speakers is not None:
        return _diarized(options, info, text, response_format, speakers)._replace(seconds=seconds)
    heard = [{"code": code} for code in dict.fromkeys(options.languages or ())]  # the spec's TranscriptionLanguage
    if options.stream:
        events = tuple(_stream_events(text, bool(options.include), heard))
        return Transcript("stream", events=events, seconds=seconds)
    language = LANGUAGES[options.language or (options.languages or ["en"])[0]]
    rendered = _render("transcribe", language, info, text, response_format, granularities, rng, temperature)
    if heard and response_format == "json" and rendered.json is not None:
        rendered.json["languages"] = heard
    return rendered._replace(seconds=seconds)


def _check_language(code: Any, param: str) -> None:
    if not isinstance(code, str) or code not in LANGUAGES:
        raise invalid_request(
            f"Invalid language '{code}'. Language parameter must be specified in ISO-639-1 format.",
            param,
            "invalid_value",
        )


def _diarizes(model: str) -> bool:
    return "diarize" in model


def _check_diarization(options: TranscriptionOptions) -> list[str]:
    """What a diarization model refuses, and the speakers' labels: the known names, else A, B, …"""
    for name, value in (
        ("prompt", options.prompt),
        ("include", options.include),
        ("timestamp_granularities", options.timestamp_granularities),
    ):
        if value:
            raise invalid_request(
                f"{name} is not supported with model '{options.model}'.", name, "unsupported_parameter"
            )
    if options.chunking_strategy is not None:
        check_enum(options.chunking_strategy, ("auto",), "chunking_strategy")
    if options.vad_type is not None or options.vad_threshold is not None:
        check_enum(options.vad_type, ("server_vad",), "chunking_strategy.type")
        if options.vad_threshold is not None:
            check_range(options.vad_threshold, "chunking_strategy.threshold", 0, 1, decimal=True)
    names = options.known_speaker_names or []
    references = options.known_speaker_references or []
    if len(names) > MAX_KNOWN_SPEAKERS:
        raise invalid_request(
            f"Invalid 'known_speaker_names': array too long. Expected an array with maximum length "
            f"{MAX_KNOWN_SPEAKERS}, but got an array with length {len(names)} instead.",
            "known_speaker_names",
            "array_above_max_length",
        )
    if len(references) != len(names):
        raise invalid_request(
            "known_speaker_names and known_speaker_references must have the same number of entries.",
            "known_speaker_references",
            "invalid_value",
        )
    for index, reference in enumerate(references):
        if not reference.startswith("data:audio/") or ";base64," not in reference:
            raise invalid_request(
                "Each known speaker reference must be a data URL of an audio sample (data:audio/...;base64,...).",
                f"known_speaker_references[{index}]",
                "invalid_value",
            )
    return names or ["A", "B"]


def _diarized(
    options: TranscriptionOptions, info: AudioInfo, text: str, response_format: str, speakers: list[str]
) -> Transcript:
    """Who said what, when: one turn per sentence, the speakers taking turns."""
    chunked = options.chunking_strategy is not None or options.vad_type is not None
    if info.duration > CHUNKING_REQUIRED_AFTER_SECONDS and not chunked:
        raise invalid_request(
            "chunking_strategy is required for diarization models when the input is longer than 30 seconds.",
            "chunking_strategy",
            "missing_required_parameter",
        )
    turns = to_speaker_turns(time_words(text, info.duration), text.split(), speakers)
    if options.stream:
        done = sse_event({"type": "transcript.text.done", "text": text})
        return Transcript("stream", events=(*(sse_event(turn) for turn in turns), done))
    if response_format == "text":
        return Transcript("text", text=text + "\n")
    if response_format == "json":
        return Transcript("json", json={"text": text})
    duration = round(info.duration, 2)
    body = {"task": "transcribe", "duration": duration, "text": text, "segments": turns}
    return Transcript("json", json={**body, "usage": {"type": "duration", "seconds": duration}})


def create_translation(
    options: TranslationOptions,
    audio: bytes,
    filename: str | None,
    seed: int | str | None,
    tenant: str | None = None,
) -> Transcript:
    response_format, temperature = _check_common(options, ("whisper-1",), "audio.translations")
    info = read_audio_upload(audio, filename)
    text, rng = _fixture_text(tenant, "audio.translations", options, *_text_for(info, audio, options, seed))
    # Translations always come out in English, with segments (no word timestamps).
    rendered = _render("translate", "english", info, text, response_format, ["segment"], rng, temperature)
    return rendered._replace(seconds=math.ceil(info.duration))


def _stream_events(text: str, with_logprobs: bool, languages: Sequence[Mapping[str, str]] = ()) -> Iterator[bytes]:
    """gpt-4o transcribe streams: a `transcript.text.delta` per word, then `transcript.text.done` (with the
    request's `languages`, when it gave some)."""
    pieces = [piece + " " for piece in text.split(" ")]
    pieces[-1] = pieces[-1].rstrip()
    for piece in pieces:
        event: dict[str, Any] = {"type": "transcript.text.delta", "delta": piece}
        if with_logprobs:
            event["logprobs"] = [{"token": piece, "logprob": -0.0123, "bytes": list(piece.encode())}]
        yield sse_event(event)
    done: dict[str, Any] = {"type": "transcript.text.done", "text": text}
    if languages:
        done["languages"] = list(languages)
    yield sse_event(done)


# ---------------------------------------------------------------------------------------------------
# Custom voices and voice consents
# ---------------------------------------------------------------------------------------------------
CONSENTS = "audio.voice_consent"
VOICES_COLLECTION = "audio.voice"
MAX_VOICE_AUDIO_BYTES = 10 * 1024 * 1024
VOICE_AUDIO_TYPES = (
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "audio/aac",
    "audio/flac",
    "audio/webm",
    "audio/mp4",
)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _fields_only(fields: Mapping[str, Any], known: tuple[str, ...]) -> None:
    for name in fields:
        if name not in known:
            raise invalid_request(f"Unknown parameter: '{name}'.", name, "unknown_parameter")


def _required_text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        raise invalid_request(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if not isinstance(value, str):
        raise invalid_request(f"Invalid type for '{name}': expected a string.", name, "invalid_type")
    if not value.strip():
        raise invalid_request(
            f"Invalid '{name}': string too short. Expected a string with minimum length 1, but got an empty string "
            "instead.",
            name,
            "string_below_min_length",
        )
    return value


def _voice_audio(fields: Mapping[str, Any], name: str) -> tuple[Upload, AudioInfo]:
    """An uploaded recording or sample: a file of a supported type, at most 10 MiB, that decodes as audio."""
    upload = fields.get(name)
    if upload is None:
        raise invalid_request(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if not isinstance(upload, Upload):
        raise invalid_request(f"Invalid type for '{name}': expected a file.", name, "invalid_type")
    if len(upload.data) > MAX_VOICE_AUDIO_BYTES:
        raise OpenAIError(
            413,
            f"Maximum content size limit ({MAX_VOICE_AUDIO_BYTES}) exceeded ({len(upload.data)} bytes read)",
            param=name,
            code="request_too_large",
        )
    declared = upload.content_type.partition(";")[0].strip().lower()
    if declared and declared != "application/octet-stream" and declared not in VOICE_AUDIO_TYPES:
        raise invalid_request(
            f"Invalid file type '{declared}' for '{name}'. Supported types: {', '.join(VOICE_AUDIO_TYPES)}.",
            name,
            "invalid_file_format",
        )
    try:
        info = probe_audio(upload.data)
    except (UndecodableAudio, struct.error, IndexError):
        raise invalid_request(_UNDECODABLE, name, "invalid_value") from None
    return upload, info


def _consent_not_found(consent_id: str, param: str = "consent_id") -> OpenAIError:
    return OpenAIError(404, f"Voice consent with id '{consent_id}' not found.", param=param, code="not_found")


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def create_voice_consent(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _fields_only(fields, ("name", "recording", "language"))
    name = _required_text(fields, "name")
    upload, info = _voice_audio(fields, "recording")
    language = _required_text(fields, "language")
    if not _LANGUAGE_TAG.match(language):
        raise invalid_request(
            f"Invalid 'language': '{language}' is not a BCP 47 language tag (for example 'en-US').",
            "language",
            "invalid_value",
        )
    record = {
        "object": "audio.voice_consent",
        "id": ids.new_id("audio.voice_consent"),
        "name": name,
        "language": language,
        "created_at": clock.now_seconds(),
        "_recording": {"sha256": hashlib.sha256(upload.data).hexdigest(), "seconds": round(info.duration, 3)},
    }
    get_store().create(tenant, CONSENTS, record)
    return _public(record)


def retrieve_voice_consent(tenant: str, consent_id: str) -> dict[str, Any]:
    record = get_store().get(tenant, CONSENTS, consent_id)
    if record is None:
        raise _consent_not_found(consent_id)
    return _public(record)


def update_voice_consent(tenant: str, consent_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    _fields_only(fields, ("name",))
    name = _required_text(fields, "name")
    updated = get_store().update(tenant, CONSENTS, consent_id, lambda record: {**record, "name": name})
    if updated is None:
        raise _consent_not_found(consent_id)
    return _public(updated)


def list_voice_consents(tenant: str, params: ListParams) -> dict[str, Any]:
    page = get_store().list(tenant, CONSENTS, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=_public)


def delete_voice_consent(tenant: str, consent_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, CONSENTS, consent_id) is None:
        raise _consent_not_found(consent_id)
    return {"id": consent_id, "object": "audio.voice_consent", "deleted": True}


def _sample_pitch(upload: Upload, info: AudioInfo) -> int:
    """The sample's fundamental (Hz): measured from zero crossings of 16-bit PCM WAV, else derived from the bytes."""
    if info.container == "wav":
        samples = _wav_samples(upload.data)
        if samples is not None and len(samples) > 1 and info.duration > 0:
            signs = samples >= 0
            crossings = int((signs[1:] != signs[:-1]).sum())
            voiced = max(info.duration * float((samples != 0).mean()), 1e-3)
            if crossings:
                return int(min(320, max(70, crossings / 2 / voiced)))
    return 90 + int(hashlib.sha256(upload.data).hexdigest(), 16) % 160


def _wav_samples(data: bytes) -> Any:
    import numpy as np  # here: only a custom voice's sample is read as an array (speech and transcripts are not)

    position = 12
    bits = 0
    while position + 8 <= len(data):
        kind, length = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        if kind == b"fmt " and length >= 16:
            bits = struct.unpack_from("<H", data, position + 8 + 14)[0]
        if kind == b"data" and bits == 16:
            body = data[position + 8 : position + 8 + length]
            return np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2")
        position += 8 + length + (length & 1)
    return None


def create_voice(tenant: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    if fields.get("type") not in (None, "audio_sample"):
        raise invalid_request(
            f"Invalid value: '{fields['type']}'. Voices from a text prompt are not available here; send "
            "'audio_sample' with a consent recording.",
            "type",
            "invalid_value",
        )
    _fields_only(fields, ("name", "audio_sample", "consent", "type"))
    name = _required_text(fields, "name")
    upload, info = _voice_audio(fields, "audio_sample")
    consent = _required_text(fields, "consent")
    if get_store().get(tenant, CONSENTS, consent) is None:
        raise _consent_not_found(consent, "consent")
    record = {
        "object": "audio.voice",
        "id": ids.new_id("audio.voice"),
        "name": name,
        "created_at": clock.now_seconds(),
        "_consent": consent,
        "_pitch": _sample_pitch(upload, info),
    }
    get_store().create(tenant, VOICES_COLLECTION, record)
    return _public(record)


def delete_voice(tenant: str, voice_id: str) -> dict[str, Any]:
    """A custom voice is gone (its consent recording stays); speech in it answers 404 from now on."""
    if get_store().delete(tenant, VOICES_COLLECTION, voice_id) is None:
        raise OpenAIError(404, f"Voice with id '{voice_id}' not found.", param="voice_id", code="voice_not_found")
    return {"id": voice_id, "object": "audio.voice.deleted", "deleted": True}


def custom_voice_id(voice: Mapping[str, Any], param: str = "voice") -> str:
    """The id of a custom voice given as {"id": "voice_…"}, its shape checked (a 400 naming `param`'s field)."""
    unknown = [key for key in voice if key != "id"]
    if unknown:
        raise invalid_request(
            f"Unknown parameter: '{param}.{unknown[0]}'.", f"{param}.{unknown[0]}", "unknown_parameter"
        )
    voice_id = voice.get("id")
    if not isinstance(voice_id, str) or not voice_id:
        raise invalid_request(f"Missing required parameter: '{param}.id'.", f"{param}.id", "missing_required_parameter")
    return voice_id


def custom_voice_pitch(tenant: str, voice: Mapping[str, Any], param: str = "voice") -> int:
    """The pitch of a custom voice given as {"id": "voice_…"} (404 for one the tenant lacks)."""
    voice_id = custom_voice_id(voice, param)
    record = get_store().get(tenant, VOICES_COLLECTION, voice_id)
    if record is None:
        raise OpenAIError(404, f"Voice with id '{voice_id}' not found.", param=f"{param}.id", code="voice_not_found")
    return int(record["_pitch"])

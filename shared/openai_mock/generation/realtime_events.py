"""Pure pieces of the Realtime protocol: audio in the session's format, deterministic voice-activity
detection, the conversation's items and the server events that carry them. No state: the session state
machine (`openai_mock.resources.realtime_session`) keeps that and calls these."""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation.audio.codecs import G711_RATE, from_g711, stamp_pcm, to_g711
from openai_mock.generation.audio.synthesis import SAMPLE_RATE

PCM_FORMAT = {"type": "audio/pcm", "rate": SAMPLE_RATE}
FORMAT_TYPES = ("audio/pcm", "audio/pcmu", "audio/pcma")
_LAWS = {"audio/pcmu": "pcmu", "audio/pcma": "pcma"}

# One `response.output_audio.delta` carries at most this many bytes: 9,600 bytes = 12,800 base64 characters
# (0.2 s of 24 kHz PCM16, 1.2 s of G.711), so every server frame stays far under API Gateway's 32 KB frames.
AUDIO_DELTA_BYTES = 9_600
FRAME_MS = 10  # the detector's frame
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def realtime_id(prefix: str, material: str, length: int = 21) -> str:
    """`event_…`, `item_…`, `resp_…`: deterministic (a session's id and a counter decide it)."""
    number = int.from_bytes(hashlib.sha256(material.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        chars.append(_ALPHABET[digit])
    return prefix + "".join(chars)


# --------------------------------------------------------------------------------------------- audio


class AudioFormatError(ValueError):
    """Audio that is not base64, or not whole samples of the session's format."""


def format_type(audio_format: Mapping[str, Any] | None) -> str:
    return str((audio_format or PCM_FORMAT).get("type", "audio/pcm"))


def decode_input(audio_b64: str, audio_format: Mapping[str, Any] | None) -> bytes:
    """Appended audio (base64 in the session's input format) as 24 kHz 16-bit LE PCM."""
    try:
        data = base64.b64decode(audio_b64, validate=True)
    except (binascii.Error, ValueError):
        raise AudioFormatError("the audio is not valid base64") from None
    kind = format_type(audio_format)
    if kind in _LAWS:
        return from_g711(data, _LAWS[kind])
    if len(data) % 2:
        raise AudioFormatError("audio/pcm is 16-bit samples: the audio has an odd number of bytes")
    return data


def encode_output(pcm: bytes, audio_format: Mapping[str, Any] | None) -> bytes:
    """24 kHz PCM16 in the session's output format."""
    kind = format_type(audio_format)
    return to_g711(pcm, _LAWS[kind]) if kind in _LAWS else pcm


def output_seconds(data: bytes, audio_format: Mapping[str, Any] | None) -> float:
    kind = format_type(audio_format)
    return len(data) / G711_RATE if kind in _LAWS else len(data) / 2 / SAMPLE_RATE


def pcm_ms(pcm: bytes) -> int:
    return len(pcm) // 2 * 1000 // SAMPLE_RATE


def ms_bytes(ms: int) -> int:
    """Bytes of 24 kHz PCM16 in `ms` milliseconds."""
    return ms * SAMPLE_RATE // 1000 * 2


def speech(
    text: str,
    voice: str | Mapping[str, Any],
    speed: float,
    audio_format: Mapping[str, Any] | None,
    pitch: int | None = None,
) -> bytes:
    """The answer said by `voice`, in the session's format; PCM carries its text (so it transcribes back). A
    custom voice (`{"id": …}`) speaks at `pitch`, its sample's (the layer reads it)."""
    from openai_mock.generation.audio.synthesis import synthesize

    pcm = synthesize(text, voice if isinstance(voice, str) else "custom", speed, pitch=pitch)
    return encode_output(stamp_pcm(pcm, text), audio_format)


def audio_fragments(data: bytes) -> list[str]:
    """Base64 fragments of at most AUDIO_DELTA_BYTES bytes: each decodes alone, their bytes join up."""
    return [
        base64.b64encode(data[start : start + AUDIO_DELTA_BYTES]).decode("ascii")
        for start in range(0, len(data), AUDIO_DELTA_BYTES)
    ]


# --------------------------------------------------------------------------------------------- voice activity

# `semantic_vad` waits for the end of a thought: how long a pause ends the turn, by eagerness.
SEMANTIC_SILENCE_MS = {"low": 1200, "medium": 700, "auto": 600, "high": 300}


def voice_level(threshold: float) -> float:
    """The RMS (of 32,768) a 10 ms frame needs to count as speech: threshold 0.5 → 819 (-32 dBFS)."""
    return 32768 * 0.05 * threshold


def frame_levels(pcm: bytes) -> list[float]:
    """The RMS of each whole 10 ms frame of 24 kHz PCM16."""
    import numpy as np

    size = SAMPLE_RATE * FRAME_MS // 1000
    samples = np.frombuffer(pcm[: len(pcm) // (2 * size) * 2 * size], dtype="<i2").astype(np.float64)
    if not len(samples):
        return []
    return [float(value) for value in np.sqrt((samples.reshape(-1, size) ** 2).mean(axis=1))]


class Turn(NamedTuple):
    """What the detector found in newly scanned frames (session time, ms): a start and/or an end."""

    started_ms: int | None = None
    stopped_ms: int | None = None  # the end of speech plus the silence that ended it, as the API reports it


def detect(
    levels: list[float], first_ms: int, level: float, silence_ms: int, speaking_since: int | None, voice_until: int
) -> tuple[Turn, int | None, int]:
    """Scan frames starting at `first_ms`; returns the first turn change and the detector's new state
    (speaking_since, voice_until). Stops scanning at a stop so the caller can commit there."""
    started = None
    for index, rms in enumerate(levels):
        start = first_ms + index * FRAME_MS
        if rms >= level:
            if speaking_since is None:
                speaking_since = started = start
            voice_until = start + FRAME_MS
        elif speaking_since is not None and start + FRAME_MS - voice_until >= silence_ms:
            return Turn(started, voice_until + silence_ms), None, voice_until
    return Turn(started, None), speaking_since, voice_until


# --------------------------------------------------------------------------------------------- items


def content_text(part: Mapping[str, Any]) -> str:
    return str(part.get("text") or part.get("transcript") or "")


def item_text(item: Mapping[str, Any]) -> str:
    return " ".join(filter(None, (content_text(part) for part in item.get("content") or ())))


# "Read aloud exactly: X", "Read this out loud: X": a request to a voice to say X, word for word.
_READ_ALOUD = re.compile(
    r"^\s*(?:please\s+)?read\s+(?:this\s+|the\s+following\s+)?(?:aloud|out\s+loud|out)"
    r"(?:\s+(?:exactly|verbatim|word\s+for\s+word))?\s*:\s*(.+?)\s*$",
    re.IGNORECASE | re.DOTALL,
)


def spoken_request(text: str) -> str:
    """A read-aloud request as the chat machinery reads a verbatim one ('Say exactly: "X"', answered with X as
    given, its punctuation kept); any other text as it is."""
    found = _READ_ALOUD.match(text)
    if found is None:
        return text
    said = found[1].strip().strip('"“”')
    return f'Say exactly: "{said}"'


def chat_messages(items: Sequence[Mapping[str, Any]], instructions: str, *, hearing: bool) -> list[dict[str, Any]]:
    """The conversation as Chat Completions messages: what the answer is generated from (`hearing`: what the
    user's audio said, as text, and a read-aloud request put as the verbatim one it is) and what its text tokens
    are counted from (without it: audio is counted as audio tokens, text as sent)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": instructions}] if instructions else []
    for item in items:
        kind = item.get("type")
        if kind == "message":
            said = item_text(item)
            if item.get("_heard") and item.get("role") == "user":
                typed = " ".join(
                    part.get("text", "") for part in item.get("content") or () if part.get("type") == "input_text"
                )
                said = " ".join(filter(None, (typed, str(item["_heard"]) if hearing else "")))
            if hearing and item.get("role") == "user":
                said = spoken_request(said)
            messages.append({"role": item.get("role", "user"), "content": said})
        elif kind == "function_call":
            call = {
                "id": item["call_id"],
                "type": "function",
                "function": {"name": item["name"], "arguments": item["arguments"]},
            }
            if messages and messages[-1]["role"] == "assistant" and messages[-1].get("tool_calls"):
                messages[-1]["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append({"role": "tool", "tool_call_id": item["call_id"], "content": item.get("output", "")})
    return messages


def audio_seconds(item: Mapping[str, Any]) -> float:
    """Input audio held by a user item (the mock keeps its length, `_audio_ms`, not the bytes)."""
    return float(item.get("_audio_ms", 0)) / 1000


def public_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as events show it: without the mock's bookkeeping keys (those starting with `_`)."""
    return copy.deepcopy({key: value for key, value in item.items() if not key.startswith("_")})


def usage_block(text_in: int, audio_in: int, cached: int, text_out: int, audio_out: int) -> dict[str, Any]:
    cached_text = min(cached, text_in)
    return {
        "total_tokens": text_in + audio_in + text_out + audio_out,
        "input_tokens": text_in + audio_in,
        "output_tokens": text_out + audio_out,
        "input_token_details": {
            "text_tokens": text_in,
            "audio_tokens": audio_in,
            "image_tokens": 0,
            "cached_tokens": cached,
            "cached_tokens_details": {
                "text_tokens": cached_text,
                "audio_tokens": cached - cached_text,
                "image_tokens": 0,
            },
        },
        "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
    }


def cached_tokens(previous_input: int, current_input: int) -> int:
    """Prompt caching as OpenAI applies it: a prefix of at least 1,024 tokens seen by the previous
    response, counted in steps of 128."""
    shared = min(previous_input, current_input)
    return 0 if shared < 1024 else 1024 + (shared - 1024) // 128 * 128


def audio_tokens(seconds: float, per_second: int) -> int:
    return max(1, math.ceil(seconds * per_second)) if seconds > 0 else 0

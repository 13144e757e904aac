"""Pure pieces of the Live WebSocket protocol (resources/live_socket.py keeps the state): audio in the session's
format to and from the 24 kHz PCM16 the detector and the synthesizer work in, and transcript fragments placed on
the session's timeline. Voice activity is Realtime's detector (`realtime_events.detect`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, NamedTuple

from openai_mock.generation import realtime_events as rt
from openai_mock.generation.audio.codecs import from_g711, to_g711
from openai_mock.generation.audio.synthesis import SAMPLE_RATE

_LAWS = {"audio/pcmu": "pcmu", "audio/pcma": "pcma"}

# The turn detector's settings: a pause shorter than this is within a turn (the mock's speech pauses 0.4 s
# between sentences), the speech is kept from this long before it was heard.
SILENCE_MS = 500
PREFIX_PADDING_MS = 300
VAD_THRESHOLD = 0.5


class AudioFormatError(ValueError):
    """Audio that is not base64, or not whole samples of the session's format."""


def _resampled(pcm: bytes, source: int, target: int) -> bytes:
    import numpy as np

    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if source == target or not len(samples):
        return pcm
    count = max(1, round(len(samples) * target / source))
    positions = np.arange(count) * (source / target)
    resampled = np.interp(positions, np.arange(len(samples)), samples)
    return bytes(np.clip(np.round(resampled), -32768, 32767).astype("<i2").tobytes())


def decode_input(audio_b64: str, audio_format: Mapping[str, Any]) -> bytes:
    """Appended audio (base64, the session's format) as 24 kHz PCM16."""
    try:
        data = base64.b64decode(audio_b64, validate=True)
    except (binascii.Error, ValueError):
        raise AudioFormatError("the audio is not valid base64") from None
    kind = str(audio_format["type"])
    if kind in _LAWS:
        return from_g711(data, _LAWS[kind])
    if len(data) % 2:
        raise AudioFormatError("audio/pcm is 16-bit samples: the audio has an odd number of bytes")
    return _resampled(data, int(audio_format["rate"]), SAMPLE_RATE)


def encode_output(pcm: bytes, audio_format: Mapping[str, Any]) -> bytes:
    """24 kHz PCM16 in the session's format (at 24 kHz PCM the bytes are the synthesizer's, its stamp kept)."""
    kind = str(audio_format["type"])
    if kind in _LAWS:
        return to_g711(pcm, _LAWS[kind])
    return _resampled(pcm, SAMPLE_RATE, int(audio_format["rate"]))


def audio_fragments(data: bytes) -> list[str]:
    return rt.audio_fragments(data)


class Timed(NamedTuple):
    """A transcript fragment and the span of the session's timeline (ms) it covers."""

    delta: str
    start_ms: int
    end_ms: int


def timed_pieces(pieces: list[str], start_ms: int, end_ms: int) -> list[Timed]:
    """Fragments spread over [start_ms, end_ms] by their length in characters, back to back."""
    total = sum(len(piece) for piece in pieces) or 1
    timed, said = [], 0
    for piece in pieces:
        begin = start_ms + (end_ms - start_ms) * said // total
        said += len(piece)
        timed.append(Timed(piece, begin, start_ms + (end_ms - start_ms) * said // total))
    return timed


def usage(seconds: float) -> dict[str, Any]:
    """The cumulative billable duration, in whole seconds (a started second counts)."""
    return {"seconds": float(max(1, -(-int(seconds * 1000) // 1000)))}

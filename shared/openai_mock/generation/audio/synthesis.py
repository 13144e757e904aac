"""Speech synthesis: 24 kHz 16-bit mono PCM (OpenAI's `pcm` format) saying a text as tones.

Every word is a voiced tone (pitch from the voice and the word) lasting as long as the word would take to
say, with pauses between words and longer ones after punctuation, so the duration grows with the text and
shrinks with `speed`. `openai_mock.generation.audio.codecs` wraps the PCM in the speech formats."""

from __future__ import annotations

import array
import hashlib
import math
import sys
from functools import lru_cache

SAMPLE_RATE = 24_000
VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
VOICE_PITCH = {
    "alloy": 175,
    "ash": 120,
    "coral": 215,
    "echo": 110,
    "fable": 160,
    "onyx": 92,
    "nova": 225,
    "sage": 195,
    "shimmer": 240,
    "ballad": 140,
    "verse": 165,
}
_SECONDS_PER_LETTER = 0.062  # ≈ 15 characters per second at speed 1, like OpenAI's voices
_WORD_GAP, _CLAUSE_PAUSE, _SENTENCE_PAUSE = 0.06, 0.22, 0.4


@lru_cache(maxsize=256)
def _period(frequency: int) -> bytes:
    """One period of a voiced tone (fundamental + two harmonics), 16-bit LE; starts and ends at zero."""
    length = max(2, round(SAMPLE_RATE / frequency))
    samples = array.array(
        "h",
        (
            round(
                7000 * math.sin(2 * math.pi * i / length)
                + 2500 * math.sin(4 * math.pi * i / length)
                + 1200 * math.sin(6 * math.pi * i / length)
            )
            for i in range(length)
        ),
    )
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def _silence(seconds: float) -> bytes:
    return b"\x00\x00" * round(seconds * SAMPLE_RATE)


def synthesize(text: str, voice: str, speed: float = 1.0, *, pitch: int | None = None) -> bytes:
    """24 kHz 16-bit mono PCM saying `text` as tones: duration ∝ letters / speed; `pitch` (Hz) for a custom voice."""
    base = pitch or VOICE_PITCH.get(voice, 170)
    parts: list[bytes] = []
    for word in text.split():
        letters = sum(ch.isalnum() for ch in word) or 1
        tone = _period(round(base * (1 + (int(hashlib.md5(word.lower().encode()).hexdigest(), 16) % 9 - 4) * 0.035)))
        periods = max(1, round(letters * _SECONDS_PER_LETTER / speed * SAMPLE_RATE / (len(tone) // 2)))
        parts.append(tone * periods)
        pause = _SENTENCE_PAUSE if word[-1] in ".!?" else _CLAUSE_PAUSE if word[-1] in ",;:" else _WORD_GAP
        parts.append(_silence(pause / speed))
    return b"".join(parts) or _silence(0.25)


def pcm_duration(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE

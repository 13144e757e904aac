"""Speech synthesis: 24 kHz 16-bit mono PCM (OpenAI's `pcm` format) saying a text as tones.

Every word is a voiced tone (pitch from the voice and the word, timbre from the voice: `.voices`) lasting as long
as the word would take to say, with pauses between words and longer ones after punctuation, so the duration grows
with the text and shrinks with `speed`. `openai_mock.generation.audio.codecs` wraps the PCM in the speech formats."""

from __future__ import annotations

import array
import hashlib
import math
import sys
from functools import lru_cache

from openai_mock.generation.audio.voices import voice_of

SAMPLE_RATE = 24_000
_LOUDNESS = 5300  # RMS of every voice's tone (≈ -16 dBFS), whatever its timbre
_SECONDS_PER_LETTER = 0.062  # ≈ 15 characters per second at speed 1, like OpenAI's voices
_WORD_GAP, _CLAUSE_PAUSE, _SENTENCE_PAUSE = 0.06, 0.22, 0.4


@lru_cache(maxsize=256)
def _period(frequency: int, overtones: tuple[float, float]) -> bytes:
    """One period of a voiced tone (fundamental + two harmonics weighted by `overtones`), 16-bit LE, at the same
    loudness for every timbre; starts and ends at zero."""
    length = max(2, round(SAMPLE_RATE / frequency))
    second, third = overtones
    scale = _LOUDNESS * math.sqrt(2 / (1 + second**2 + third**2))
    samples = array.array(
        "h",
        (
            round(
                scale
                * (
                    math.sin(2 * math.pi * i / length)
                    + second * math.sin(4 * math.pi * i / length)
                    + third * math.sin(6 * math.pi * i / length)
                )
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
    """24 kHz 16-bit mono PCM saying `text` as tones in `voice` (a catalogue name): duration ∝ letters / speed;
    `pitch` (Hz) for a custom voice, which has the plain timbre."""
    sound = voice_of(voice)
    base = pitch or sound.pitch
    parts: list[bytes] = []
    for word in text.split():
        letters = sum(ch.isalnum() for ch in word) or 1
        inflection = 1 + (int(hashlib.md5(word.lower().encode()).hexdigest(), 16) % 9 - 4) * 0.035
        tone = _period(round(base * inflection), sound.overtones)
        periods = max(1, round(letters * _SECONDS_PER_LETTER / speed * SAMPLE_RATE / (len(tone) // 2)))
        parts.append(tone * periods)
        pause = _SENTENCE_PAUSE if word[-1] in ".!?" else _CLAUSE_PAUSE if word[-1] in ",;:" else _WORD_GAP
        parts.append(_silence(pause / speed))
    return b"".join(parts) or _silence(0.25)


def pcm_duration(pcm: bytes) -> float:
    return len(pcm) / 2 / SAMPLE_RATE

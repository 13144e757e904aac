"""Transcripts: English whose length fits a duration, word timings, Whisper-style segments, SRT and VTT."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, NamedTuple

from openai_mock.generation.tokens import encode

_SUBJECTS = [
    "The team",
    "Our customers",
    "The new design",
    "Everyone in the room",
    "The first prototype",
    "My colleague",
    "The quarterly report",
    "This approach",
    "The city council",
    "The research group",
]
_VERBS = [
    "needs",
    "shows",
    "explains",
    "improves",
    "changes",
    "supports",
    "questions",
    "describes",
    "reaches",
    "follows",
]
_OBJECTS = [
    "a simpler plan",
    "the main results",
    "every part of the process",
    "the budget for next year",
    "a few important details",
    "the schedule we agreed on",
    "the data from last week",
    "a better way to work",
    "the feedback from users",
    "the story behind the project",
]
_ENDINGS = [
    "before the end of the month",
    "in a very practical way",
    "more than we expected",
    "without much effort",
    "at the next meeting",
    "for the whole community",
    "with a lot of care",
    "as we discussed earlier",
]
_WORDS_PER_SECOND = 2.5  # ≈ 150 words a minute


def _sentence(rng: random.Random) -> str:
    parts = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)]
    if rng.random() < 0.6:
        parts.append(rng.choice(_ENDINGS))
    return " ".join(parts) + rng.choice([".", ".", ".", "!", "?"])


def spoken_text(duration: float, rng: random.Random) -> str:
    """English that takes about `duration` seconds to say."""
    budget = max(1, round(duration * _WORDS_PER_SECOND))
    words: list[str] = []
    while len(words) < budget:
        words.extend(_sentence(rng).split())
    words = words[:budget]
    text = " ".join(words)
    return text if text[-1] in ".!?" else text.rstrip(",;:") + "."


class Word(NamedTuple):
    word: str
    start: float
    end: float


def time_words(text: str, duration: float) -> list[Word]:
    """Spread the words over the audio: each takes time ∝ its letters, sentences end with a pause."""
    words = text.split()
    weights = [len(w) + 1 + (3 if w[-1] in ".!?" else 0) for w in words]
    speaking = duration * 0.96  # a little trailing silence, as in real recordings
    scale = speaking / max(1, sum(weights))
    out, clock = [], duration * 0.02
    for word, weight in zip(words, weights, strict=True):
        length = weight * scale
        spoken = length * (0.7 if word[-1] in ".!?" else 0.9)
        out.append(Word(word.strip('.,!?;:"'), round(clock, 2), round(min(clock + spoken, duration), 2)))
        clock += length
    return out


def to_segments(
    words: list[Word], text_words: list[str], rng: random.Random, temperature: float
) -> list[dict[str, Any]]:
    """Sentences become segments (split further so none spans more than ~30 s, like Whisper's windows)."""
    segments: list[dict[str, Any]] = []
    current: list[int] = []
    for index, word in enumerate(text_words):
        current.append(index)
        first = words[current[0]]
        if word[-1] in ".!?" or index == len(text_words) - 1 or words[index].end - first.start > 28:
            text = " " + " ".join(text_words[i] for i in current)
            start, end = words[current[0]].start, words[current[-1]].end
            segments.append(
                {
                    "id": len(segments),
                    "seek": int(start // 30) * 3000,
                    "start": start,
                    "end": end,
                    "text": text,
                    "tokens": [50364 + round(start / 0.02), *encode(text, "gpt-4"), 50364 + round(end / 0.02)],
                    "temperature": temperature,
                    "avg_logprob": round(rng.uniform(-0.45, -0.12), 6),
                    "compression_ratio": round(rng.uniform(1.1, 1.7), 6),
                    "no_speech_prob": round(rng.uniform(0.0005, 0.04), 6),
                }
            )
            current = []
    return segments


def to_speaker_turns(words: list[Word], text_words: list[str], speakers: Sequence[str]) -> list[dict[str, Any]]:
    """A diarized transcript: each sentence is one turn, and the speakers take turns in order (a dialogue),
    named as given (known speaker names) or `A`, `B`, … as the real API labels unknown voices."""
    turns: list[dict[str, Any]] = []
    first = 0
    for index, word in enumerate(text_words):
        if word[-1] in ".!?" or index == len(text_words) - 1:
            turns.append(
                {
                    "type": "transcript.text.segment",
                    "id": f"seg_{len(turns):03d}",
                    "start": words[first].start,
                    "end": words[index].end,
                    "text": " ".join(text_words[first : index + 1]),
                    "speaker": speakers[len(turns) % len(speakers)],
                }
            )
            first = index + 1
    return turns


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def to_srt(segments: list[dict[str, Any]]) -> str:
    return "".join(
        f"{n}\n{_timestamp(s['start'], ',')} --> {_timestamp(s['end'], ',')}\n{s['text'].strip()}\n\n"
        for n, s in enumerate(segments, 1)
    )


def to_vtt(segments: list[dict[str, Any]]) -> str:
    cues = "".join(
        f"{_timestamp(s['start'], '.')} --> {_timestamp(s['end'], '.')}\n{s['text'].strip()}\n\n" for s in segments
    )
    return "WEBVTT\n\n" + cues

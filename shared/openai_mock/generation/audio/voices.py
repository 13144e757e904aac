"""The voice catalogue: every built-in voice the mock speaks in, how it sounds, and which surfaces take it.

A voice's sound is its tone (`synthesis`): a fundamental pitch and the weight of two overtones (its timbre), so
no two voices sound alike. Which surface takes which voice follows the official SDK's Literal types (3.63) and
the 2026-08-21 spec: `SpeechCreateParams.voice`, `ChatCompletionAudioParam.voice`, the Realtime
`audio.output.voice` (the spec's VoiceIdsShared, also on `POST /v1/realtime/sessions`) and Live's
`BuiltInVoice`. A surface's list is in the SDK's order, which is the order its 400 names them in."""

from __future__ import annotations

from typing import NamedTuple


class Voice(NamedTuple):
    pitch: int  # Hz, the fundamental of the voice's tone
    overtones: tuple[float, float]  # 2nd and 3rd harmonic amplitudes, relative to the fundamental: the timbre


# Timbres. Each keeps the wave above zero over the first half-period and below over the second (two zero
# crossings a period), so a voice's pitch reads back from its zero crossings (a custom voice's sample).
WARM = (0.36, 0.17)
BRIGHT = (0.5, 0.35)
ROUND = (0.15, 0.05)
REEDY = (0.1, 0.45)

VOICES: dict[str, Voice] = {
    "alloy": Voice(175, WARM),
    "ash": Voice(120, BRIGHT),
    "ballad": Voice(140, ROUND),
    "beacon": Voice(182, BRIGHT),
    "bossa": Voice(132, REEDY),
    "cedar": Voice(104, ROUND),
    "cinder": Voice(115, REEDY),
    "coral": Voice(215, BRIGHT),
    "delta": Voice(126, WARM),
    "echo": Voice(110, WARM),
    "fable": Voice(160, REEDY),
    "gleam": Voice(232, ROUND),
    "marin": Voice(205, WARM),
    "meridian": Voice(148, BRIGHT),
    "nova": Voice(225, WARM),
    "onyx": Voice(92, WARM),
    "quartz": Voice(188, REEDY),
    "ripple": Voice(220, REEDY),
    "sage": Voice(195, ROUND),
    "shida": Voice(200, BRIGHT),
    "shimmer": Voice(240, BRIGHT),
    "stone": Voice(98, BRIGHT),
    "tempo": Voice(154, WARM),
    "verse": Voice(165, BRIGHT),
    "vesper": Voice(168, ROUND),
    "willow": Voice(210, ROUND),
}
# A custom voice (its pitch measured from its sample) or an unknown name: the plain tone.
DEFAULT = Voice(170, WARM)

# `POST /v1/audio/speech`: tts-1 and tts-1-hd speak in the original nine; gpt-4o-mini-tts in all thirteen.
TTS_1_VOICES = ("alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer")
SPEECH_VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar", "fable", "onyx", "nova",
)  # fmt: skip
# Chat Completions' `audio.voice`, and the Realtime sessions' voice (GA and `POST /v1/realtime/sessions`).
CHAT_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
REALTIME_VOICES = CHAT_VOICES
# Live sessions (`audio.output.voice`, default marin).
LIVE_VOICES = (
    "alloy", "ash", "ballad", "beacon", "bossa", "cedar", "cinder", "coral", "delta", "echo", "gleam", "marin",
    "meridian", "quartz", "ripple", "sage", "shida", "shimmer", "stone", "tempo", "verse", "vesper", "willow",
)  # fmt: skip


def voice_of(name: str) -> Voice:
    """How `name` sounds: its catalogue entry, or the plain tone for a custom voice."""
    return VOICES.get(name, DEFAULT)

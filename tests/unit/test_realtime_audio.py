"""The Realtime API's audio pieces: G.711 both ways, the text stamp of raw PCM, voice-activity detection."""

from __future__ import annotations

import array
import base64

import pytest

from openai_mock.generation import realtime_events as rt
from openai_mock.generation.audio.codecs import from_g711, stamp_pcm, to_g711
from openai_mock.generation.audio.probe import pcm_text
from openai_mock.generation.audio.synthesis import SAMPLE_RATE, synthesize


@pytest.mark.parametrize("law", ["pcmu", "pcma"])
def test_g711_round_trip_keeps_the_signal(law: str) -> None:
    pcm = synthesize("A short sentence to encode.", "coral")
    encoded = to_g711(pcm, law)
    assert len(encoded) == -(-len(pcm) // 6)  # 8 kHz bytes for 24 kHz 16-bit samples
    decoded = array.array("h", from_g711(encoded, law))
    original = array.array("h", pcm)
    assert len(decoded) == 3 * len(encoded)
    peak = max(abs(sample) for sample in original)
    worst = max(abs(decoded[i] - original[i]) for i in range(0, len(original), 3))
    assert worst <= peak * 0.04  # companding error: a few per cent of the peak


def test_g711_silence_stays_silent() -> None:
    assert set(array.array("h", from_g711(to_g711(b"\x00\x00" * 300, "pcmu"), "pcmu"))) <= {0}


def test_the_stamp_survives_leading_and_trailing_audio() -> None:
    text = "Can you book a table for two at eight?"
    stamped = stamp_pcm(synthesize(text, "alloy"), text)
    assert pcm_text(b"\x00\x00" * 12_345 + stamped + b"\x00\x00" * 999) == text
    assert pcm_text(synthesize(text, "alloy")) is None  # unstamped speech: nothing made up
    assert pcm_text(stamped[:100]) is None  # cut through the stamp: its checksum fails
    changed = array.array("h", stamped)
    assert max(abs(a - b) for a, b in zip(changed, array.array("h", synthesize(text, "alloy")), strict=True)) <= 1


def test_detection_finds_speech_by_energy() -> None:
    pcm = b"\x00\x00" * (SAMPLE_RATE // 2) + synthesize("Hi.", "alloy") + b"\x00\x00" * SAMPLE_RATE
    levels = rt.frame_levels(pcm)
    turn, speaking, _ = rt.detect(levels, 0, rt.voice_level(0.5), 200, None, 0)
    assert turn.started_ms == 500
    assert turn.stopped_ms is not None and speaking is None
    quiet = array.array("h", [200] * SAMPLE_RATE).tobytes()  # -44 dBFS hum: below the threshold
    assert rt.detect(rt.frame_levels(quiet), 0, rt.voice_level(0.5), 200, None, 0)[0] == rt.Turn()


def test_audio_fragments_fit_websocket_frames() -> None:
    data = bytes(range(256)) * 200
    fragments = rt.audio_fragments(data)
    assert all(len(fragment) <= 12_800 for fragment in fragments)
    assert b"".join(base64.b64decode(fragment) for fragment in fragments) == data

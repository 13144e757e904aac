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


def test_the_session_answers_any_json_with_events() -> None:
    """Whatever the client sends, the core answers server events (an `error` at worst), never an exception."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from openai_mock import clock
    from openai_mock.resources.realtime_session import CLIENT_EVENTS, RealtimeSession, default_session

    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
        max_leaves=12,
    )
    keys = st.sampled_from(
        ["session", "item", "response", "audio", "item_id", "audio_end_ms", "content_index", "input"]
    )

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(kind=st.sampled_from(CLIENT_EVENTS), fields=st.dictionaries(keys, values, max_size=3))
    def run(kind: str, fields: dict[str, object]) -> None:
        session, _ = RealtimeSession.start("t_fuzz", default_session("sess_f", "gpt-realtime", clock.now_seconds()), 1)
        events = session.receive(json.dumps({"type": kind, **fields}))
        assert events and all(isinstance(event["type"], str) and event["event_id"] for event in events)

    run()

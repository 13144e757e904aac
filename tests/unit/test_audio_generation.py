"""The audio builders: speech in every format a standard decoder (PyAV = ffmpeg) accepts, the probe that
takes uploads apart, and transcript timing."""

from __future__ import annotations

import io
import itertools
import random
import re
import struct

import av
import pytest

from openai_mock.generation.audio.codecs import SPEECH_FORMATS, to_flac
from openai_mock.generation.audio.probe import UndecodableAudio, probe_audio
from openai_mock.generation.audio.synthesis import pcm_duration, synthesize
from openai_mock.generation.audio.transcripts import spoken_text, time_words, to_srt, to_vtt

TEXT = "The quick brown fox jumps over the lazy dog. Then it rests, happily, in the sun!"


def _decode(data: bytes, fmt: str) -> tuple[int, int]:
    """Samples and sample rate, as ffmpeg decodes them."""
    options = {"sample_rate": "24000", "ch_layout": "mono"} if fmt == "pcm" else {}
    container = av.open(io.BytesIO(data), format="s16le" if fmt == "pcm" else None, options=options)
    samples, rate = 0, 0
    for frame in container.decode(audio=0):
        samples += frame.samples
        rate = frame.sample_rate
    return samples, rate


def test_synthesized_speech_lasts_as_long_as_the_text_takes_to_say() -> None:
    short, long = synthesize("Hello there.", "alloy"), synthesize(TEXT * 3, "alloy")
    assert 0.5 < pcm_duration(short) < 2
    assert pcm_duration(long) > 10 * pcm_duration(short) / 2
    fast = synthesize(TEXT, "alloy", speed=2.0)
    assert pcm_duration(fast) == pytest.approx(pcm_duration(synthesize(TEXT, "alloy")) / 2, rel=0.05)
    assert synthesize(TEXT, "onyx") != synthesize(TEXT, "nova")  # voices have their own pitch


@pytest.mark.parametrize("fmt", ["wav", "pcm", "flac", "mp3", "aac", "opus"])
def test_every_speech_format_decodes_to_the_right_duration(fmt: str) -> None:
    pcm = synthesize(TEXT, "coral")
    _content_type, encoder = SPEECH_FORMATS[fmt]
    samples, rate = _decode(encoder(pcm, TEXT), fmt)
    assert samples / rate == pytest.approx(pcm_duration(pcm), abs=0.05)


def test_flac_is_lossless() -> None:
    pcm = synthesize(TEXT, "sage")
    decoded = b"".join(
        bytes(frame.planes[0])[: frame.samples * 2] for frame in av.open(io.BytesIO(to_flac(pcm))).decode(audio=0)
    )
    assert decoded == pcm
    assert max(pcm) > 0  # a real tone, not silence


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "opus"])
def test_probe_reads_duration_and_the_embedded_text(fmt: str) -> None:
    pcm = synthesize(TEXT, "echo")
    info = probe_audio(SPEECH_FORMATS[fmt][1](pcm, TEXT))
    assert info.duration == pytest.approx(pcm_duration(pcm), abs=0.05)
    assert info.text == TEXT


def test_probe_reads_mp4_and_webm_headers() -> None:
    mvhd_body = bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + (4250).to_bytes(4, "big") + bytes(80)
    mvhd = (8 + len(mvhd_body)).to_bytes(4, "big") + b"mvhd" + mvhd_body
    moov = (8 + len(mvhd)).to_bytes(4, "big") + b"moov" + mvhd
    mp4 = (16).to_bytes(4, "big") + b"ftypM4A " + bytes(4) + moov
    assert probe_audio(mp4).duration == pytest.approx(4.25)
    webm = b"\x1a\x45\xdf\xa3" + bytes(20) + b"\x44\x89\x88" + struct.pack(">d", 2500.0)  # Duration, 8-byte float
    assert probe_audio(webm).duration == pytest.approx(2.5)


@pytest.mark.parametrize("data", [b"hello world", b"RIFF\x00\x00\x00\x00WAVE", b"fLaC" + bytes(4), b"OggS" + bytes(40)])
def test_probe_rejects_what_is_not_audio(data: bytes) -> None:
    with pytest.raises(UndecodableAudio):
        probe_audio(data)


def test_word_timestamps_lie_within_the_audio_and_never_overlap() -> None:
    text = spoken_text(12.0, random.Random(4))
    assert 20 <= len(text.split()) <= 40  # ≈ 2.5 words a second
    words = time_words(text, 12.0)
    assert [w.word for w in words] == [w.strip(".,!?") for w in text.split()]
    assert words[0].start >= 0 and words[-1].end <= 12.0
    for before, after in itertools.pairwise(words):
        assert before.start < before.end <= after.start


def test_srt_and_vtt_are_well_formed() -> None:
    segments = [{"start": 0.0, "end": 2.5, "text": " Hello there."}, {"start": 3661.25, "end": 3662.0, "text": " Bye."}]
    assert to_srt(segments) == (
        "1\n00:00:00,000 --> 00:00:02,500\nHello there.\n\n2\n01:01:01,250 --> 01:01:02,000\nBye.\n\n"
    )
    vtt = to_vtt(segments)
    assert vtt.startswith("WEBVTT\n\n")
    assert re.findall(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", vtt) == [
        "00:00:00.000 --> 00:00:02.500",
        "01:01:01.250 --> 01:01:02.000",
    ]

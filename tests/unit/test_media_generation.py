"""The images and audio builders: PNGs and audio files that standard decoders (PyAV = ffmpeg) accept,
and the readers that take uploads apart."""

from __future__ import annotations

import io
import itertools
import random
import re
import struct

import pytest

from openai_mock.generation import images
from openai_mock.generation.audio.codecs import SPEECH_FORMATS, to_flac
from openai_mock.generation.audio.probe import UndecodableAudio, probe_audio
from openai_mock.generation.audio.synthesis import pcm_duration, synthesize
from openai_mock.generation.audio.transcripts import spoken_text, time_words, to_srt, to_vtt
from openai_mock.generation.png import PNG_SIGNATURE, InvalidImage, _add_bytes, _chunk, decode_png, encode_png, png_size

av = pytest.importorskip("av")


def _av_rgba(png: bytes) -> tuple[bytes, int]:
    frame = next(av.open(io.BytesIO(png)).decode(video=0)).reformat(format="rgba")
    return bytes(frame.planes[0]), frame.planes[0].line_size


def _reencode(png: bytes, pix_fmt: str, prediction: str) -> bytes:
    """The same picture written by ffmpeg's PNG encoder with a given filter and pixel format."""
    source = next(av.open(io.BytesIO(png)).decode(video=0))
    out = io.BytesIO()
    container = av.open(out, "w", format="image2pipe")
    stream = container.add_stream("png")
    stream.width, stream.height, stream.pix_fmt = source.width, source.height, pix_fmt
    stream.options = {"pred": prediction}
    for packet in [*stream.encode(source.reformat(format=pix_fmt)), *stream.encode(None)]:
        container.mux(packet)
    container.close()
    return out.getvalue()


def test_scene_png_has_the_exact_size_and_decodes_with_ffmpeg() -> None:
    png = images.scene_for("a red fox in the snow", random.Random(7)).render(1792, 1024)
    frame = next(av.open(io.BytesIO(png)).decode(video=0))
    assert (frame.width, frame.height) == (1792, 1024)
    assert png_size(png) == (1792, 1024)
    assert len(png) < 100_000  # constant-colour spans compress to almost nothing


def test_scenes_follow_the_prompt_and_the_seed() -> None:
    def render(prompt: str, seed: int) -> bytes:
        return images.scene_for(prompt, random.Random(seed)).render(64, 64)

    assert render("a blue lake", 1) == render("a blue lake", 1)
    assert render("a blue lake", 1) != render("a blue lake", 2)
    assert render("a blue lake", 1) != render("a green lake", 1)
    red_sky = decode_png(images.scene_for("red", random.Random(3)).render(8, 8)).pixel(0, 0)
    assert red_sky[0] > red_sky[1] and red_sky[0] > red_sky[2]


@pytest.mark.parametrize("pix_fmt", ["rgb24", "rgba", "gray", "ya8"])
@pytest.mark.parametrize("prediction", ["none", "sub", "up", "avg", "paeth", "mixed"])
def test_decoder_reads_every_filter_and_colour_type_like_ffmpeg(pix_fmt: str, prediction: str) -> None:
    original = images.scene_for("purple mountains at night", random.Random(5)).render(48, 48)
    data = _reencode(original, pix_fmt, prediction)
    picture = decode_png(data)
    plane, stride = _av_rgba(data)
    for y in range(0, 48, 5):
        for x in range(0, 48, 7):
            assert picture.pixel(x, y) == tuple(plane[y * stride + x * 4 : y * stride + x * 4 + 4])


def test_byte_wise_addition_has_no_carries() -> None:
    rng = random.Random(1)
    a, b = bytes(rng.randrange(256) for _ in range(999)), bytes(rng.randrange(256) for _ in range(999))
    assert _add_bytes(a, b) == bytes((x + y) & 0xFF for x, y in zip(a, b, strict=True))


def test_decoder_rejects_corrupt_pngs() -> None:
    png = bytearray(encode_png(2, 2, [b"\x00" * 6, b"\x00" * 6]))
    png[-20] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    with pytest.raises(InvalidImage, match="corrupt"):
        decode_png(bytes(png))
    with pytest.raises(InvalidImage):
        decode_png(b"GIF89a")
    short = PNG_SIGNATURE + _chunk(b"IHDR", bytes(13))
    with pytest.raises(InvalidImage):
        decode_png(short)
    truncated = encode_png(4, 4, [b"\x00" * 12] * 2)  # the header promises 4 rows, the data has 2
    with pytest.raises(InvalidImage, match="shorter"):
        decode_png(truncated)


def test_mosaic_keeps_the_sampled_colours() -> None:
    grid = [[(i * 16, j * 16, 100) for i in range(16)] for j in range(16)]
    picture = decode_png(images.render_mosaic(grid, 256))
    assert (picture.width, picture.height) == (256, 256)
    assert picture.pixel(5 * 16 + 3, 9 * 16 + 3)[:3] == (80, 144, 100)


# --- audio --------------------------------------------------------------------------------------------
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

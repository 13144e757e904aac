"""The images builders: PNGs that a standard decoder (PyAV = ffmpeg) accepts, scenes and mosaics, and the PNG
reader that takes uploads apart."""

from __future__ import annotations

import io
import random

import av
import pytest

from openai_mock.generation import images
from openai_mock.generation.png import PNG_SIGNATURE, InvalidImage, _add_bytes, _chunk, decode_png, encode_png, png_size


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

"""`raster.decode_upload`: every kind of PNG an upload may be. PNGs the layer's own decoder reads stay on it (the
same picture, Pillow never asked); interlaced PNGs and those of 1, 2 or 4 bits a sample are read by Pillow into the
same picture as their plain 8-bit twin; the pixel limit and `InvalidImage` apply to both."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

import pytest
from PIL import Image

from openai_mock.generation import raster
from openai_mock.generation.png import PNG_SIGNATURE, InvalidImage, UnsupportedPNG, _chunk, decode_png, encode_png

# Adam7: each pass's first column and row, and its steps across and down.
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
Samples = tuple[int, ...]


def _packed(pixels: Sequence[Samples], depth: int) -> bytes:
    """One scanline's pixels at `depth` bits a sample (below 8: packed from the high bit, the last byte padded)."""
    samples = [sample for pixel in pixels for sample in pixel]
    if depth == 16:
        return b"".join(struct.pack(">H", sample) for sample in samples)
    if depth == 8:
        return bytes(samples)
    per_byte, line = 8 // depth, bytearray()
    for start in range(0, len(samples), per_byte):
        group = samples[start : start + per_byte]
        value = 0
        for sample in group:
            value = (value << depth) | sample
        line.append(value << depth * (per_byte - len(group)))
    return bytes(line)


def png_of(
    pixels: Sequence[Sequence[Samples]],
    depth: int,
    color_type: int,
    *,
    interlaced: bool = False,
    palette: Sequence[tuple[int, int, int]] = (),
    palette_alpha: bytes = b"",
) -> bytes:
    """A PNG of the given samples (rows of pixels) as written by any encoder: any depth, Adam7-interlaced or not."""
    height, width = len(pixels), len(pixels[0])
    if interlaced:
        passes = [
            [[pixels[y][x] for x in range(x0, width, dx)] for y in range(y0, height, dy)] for x0, y0, dx, dy in ADAM7
        ]
        lines = [line for sub in passes if sub and sub[0] for line in sub]
    else:
        lines = [list(row) for row in pixels]
    raw = b"".join(b"\x00" + _packed(line, depth) for line in lines)
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlaced else 0)
    chunks = _chunk(b"IHDR", header)
    if palette:
        chunks += _chunk(b"PLTE", b"".join(bytes(rgb) for rgb in palette))
    if palette_alpha:
        chunks += _chunk(b"tRNS", palette_alpha)
    return PNG_SIGNATURE + chunks + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def pillow_png(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def same(picture: raster.Picture, twin: raster.Picture) -> bool:
    """The same picture: size, colour type, rows and palette (a tuple or a list alike)."""
    return picture._replace(palette=list(picture.palette)) == twin._replace(palette=list(twin.palette))


def _pixels(picture: raster.Picture) -> list[tuple[int, int, int, int]]:
    return [picture.pixel(x, y) for y in range(picture.height) for x in range(picture.width)]


def _rgba(width: int, height: int) -> list[list[Samples]]:
    """An RGBA gradient with alpha from clear to opaque: every pixel differs from its neighbours."""
    return [
        [(x * 20 % 256, y * 30 % 256, (x * y) % 256, (x + y) * 16 % 256) for x in range(width)] for y in range(height)
    ]


@pytest.fixture
def no_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow's PNG path must not be taken."""

    def refused(data: bytes, color_type: int) -> raster.Picture:
        raise AssertionError("a PNG the layer reads went to Pillow")

    monkeypatch.setattr(raster, "_decode_png_by_pillow", refused)


@pytest.mark.parametrize("depth", [8, 16])
@pytest.mark.parametrize("color_type", [0, 2, 4, 6])
def test_a_png_the_layer_reads_is_read_by_it(no_pillow: None, color_type: int, depth: int) -> None:
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    pixels = [
        [tuple(sample * (257 if depth == 16 else 1) for sample in p[:channels]) for p in row] for row in _rgba(9, 7)
    ]
    data = png_of(pixels, depth, color_type)
    assert raster.decode_upload(data, "image/png") == decode_png(data)


def test_an_interlaced_png_is_the_picture_of_its_plain_twin() -> None:
    pixels = _rgba(13, 11)  # not a multiple of 8: some passes are narrow, one is empty
    with pytest.raises(UnsupportedPNG):
        decode_png(png_of(pixels, 8, 6, interlaced=True))
    interlaced = raster.decode_upload(png_of(pixels, 8, 6, interlaced=True), "image/png")
    plain = decode_png(png_of(pixels, 8, 6))
    assert same(interlaced, plain) and interlaced.mode == "RGBA"


@pytest.mark.parametrize("color_type", [2, 6])
def test_a_16_bit_interlaced_png_keeps_each_samples_high_byte(color_type: int) -> None:
    channels = 3 if color_type == 2 else 4
    wide = [[tuple(s * 257 + 3 for s in p[:channels]) for p in row] for row in _rgba(10, 9)]
    picture = raster.decode_upload(png_of(wide, 16, color_type, interlaced=True), "image/png")
    assert same(picture, decode_png(png_of(wide, 16, color_type)))


def test_a_16_bit_interlaced_greyscale_and_grey_alpha_png() -> None:
    grey = [[(x * 4000 + y,) for x in range(9)] for y in range(6)]
    assert same(
        raster.decode_upload(png_of(grey, 16, 0, interlaced=True), "image/png"), decode_png(png_of(grey, 16, 0))
    )
    grey_alpha = [[(x * 4000, 60000 - y * 9000) for x in range(9)] for y in range(6)]
    picture = raster.decode_upload(png_of(grey_alpha, 16, 4, interlaced=True), "image/png")
    assert same(picture, decode_png(png_of(grey_alpha, 16, 4))) and picture.mode == "LA"


@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("interlaced", [False, True])
def test_a_low_depth_greyscale_png_is_scaled_to_8_bits(depth: int, interlaced: bool) -> None:
    top = (1 << depth) - 1
    pixels = [[((x + y) % (top + 1),) for x in range(11)] for y in range(5)]
    picture = raster.decode_upload(png_of(pixels, depth, 0, interlaced=interlaced), "image/png")
    scaled = [[(value * 255 // top,) for (value,) in row] for row in pixels]
    assert same(picture, decode_png(png_of(scaled, 8, 0))) and picture.mode == "L"


@pytest.mark.parametrize("depth", [1, 2, 4])
@pytest.mark.parametrize("interlaced", [False, True])
def test_a_low_depth_palette_png_keeps_its_palette_and_transparency(depth: int, interlaced: bool) -> None:
    entries = 1 << depth
    palette = [(index * 37 % 256, 255 - index * 11, index * 5) for index in range(entries)]
    alpha = bytes(index * 255 // (entries - 1) for index in range(entries))  # entry 0 clear, the last opaque
    pixels = [[((x * 3 + y) % entries,) for x in range(10)] for y in range(7)]
    data = png_of(pixels, depth, 3, interlaced=interlaced, palette=palette, palette_alpha=alpha)
    picture = raster.decode_upload(data, "image/png")
    twin = decode_png(png_of(pixels, 8, 3, palette=palette, palette_alpha=alpha))
    assert picture.mode == "P" and picture.has_alpha()
    assert _pixels(picture) == _pixels(twin)


def test_pillows_own_1_and_4_bit_palette_pngs() -> None:
    image = Image.new("P", (6, 4))
    image.putpalette([250, 20, 20, 20, 20, 250, 20, 250, 20])
    image.putdata([(x + y) % 3 for y in range(4) for x in range(6)])
    four_bits = pillow_png(image, bits=4, transparency=2)  # one clear entry: Pillow's tRNS as an index
    assert four_bits[24:26] == b"\x04\x03"
    picture = raster.decode_upload(four_bits, "image/png")
    assert picture.pixel(0, 0) == (250, 20, 20, 255) and picture.pixel(1, 0) == (20, 20, 250, 255)
    assert picture.pixel(2, 0) == (20, 250, 20, 0)
    one_bit = pillow_png(image.point(lambda index: index % 2), bits=1)
    assert one_bit[24:26] == b"\x01\x03"
    assert raster.decode_upload(one_bit, "image/png").pixel(1, 0) == (20, 20, 250, 255)


def test_too_many_pixels_are_refused_before_anything_is_inflated() -> None:
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 6, 0, 0, 0)
    bomb = PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"not inflated") + _chunk(b"IEND", b"")
    with pytest.raises(InvalidImage, match="more than 89,478,485 pixels"):
        raster.decode_upload(bomb, "image/png")
    interlaced = bomb.replace(header, header[:-1] + b"\x01").replace(
        _chunk(b"IHDR", header)[-4:], struct.pack(">I", zlib.crc32(b"IHDR" + header[:-1] + b"\x01"))
    )
    with pytest.raises(InvalidImage, match="more than"):
        raster.decode_upload(interlaced, "image/png")


def test_a_corrupt_interlaced_png_is_an_invalid_image() -> None:
    data = png_of(_rgba(8, 8), 8, 6, interlaced=True)
    idat = data.index(b"IDAT")
    broken = data[: idat + 4] + zlib.compress(b"\x00" * 3) + data[idat + 4 + len(zlib.compress(b"\x00" * 3)) :]
    with pytest.raises(InvalidImage):
        raster.decode_upload(broken, "image/png")  # the IDAT's CRC no longer matches
    header = struct.pack(">IIBBBBB", 8, 8, 8, 6, 0, 0, 1)
    short = PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00")) + _chunk(b"IEND", b"")
    with pytest.raises(InvalidImage, match="not a readable PNG"):
        raster.decode_upload(short, "image/png")  # valid chunks, too little image data: Pillow cannot read it


def test_what_no_png_may_be_is_still_refused_by_the_layers_decoder() -> None:
    rgb_at_4_bits = png_of([[(1, 2, 3)]], 4, 2)
    with pytest.raises(InvalidImage, match="unsupported bit depth 4 for colour type 2") as refused:
        raster.decode_upload(rgb_at_4_bits, "image/png")
    assert not isinstance(refused.value, UnsupportedPNG)


def test_jpeg_and_webp_uploads_still_go_to_decode_photo() -> None:
    photo = Image.new("RGB", (8, 8), (200, 100, 50))
    out = io.BytesIO()
    photo.save(out, format="WEBP", lossless=True)
    assert raster.decode_upload(out.getvalue(), "image/webp").pixel(3, 3) == (200, 100, 50, 255)
    assert raster.decode_upload(encode_png(2, 2, [b"\x01\x02\x03" * 2] * 2), "image/png").pixel(1, 1) == (1, 2, 3, 255)

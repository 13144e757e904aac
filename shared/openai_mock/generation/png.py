"""PNG files, written and read with the standard library (zlib + struct).

`encode_png` writes 8-bit RGB or RGBA rows. `decode_png` reads most uploads (all colour types, 8/16-bit, every
filter; CRCs checked) into a `Picture` whose pixels read as RGBA; it raises `UnsupportedPNG` for a valid PNG it
leaves to Pillow (interlaced, 1/2/4 bits a sample: `raster.decode_upload`) and `InvalidImage` for anything else."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from typing import NamedTuple

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]

# ---------------------------------------------------------------------------------------------------
# PNG writing
# ---------------------------------------------------------------------------------------------------
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(width: int, height: int, rows: Iterable[bytes], *, alpha: bool = False) -> bytes:
    """An 8-bit RGB (or RGBA) PNG from unfiltered rows; filter type 0 on every row (the rows repeat
    long runs of one colour, which deflate already compresses to almost nothing)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


# ---------------------------------------------------------------------------------------------------
# PNG reading
# ---------------------------------------------------------------------------------------------------
class InvalidImage(ValueError):
    """The upload is not a PNG we (or OpenAI) can read."""


class UnsupportedPNG(InvalidImage):
    """A valid PNG this decoder does not read: interlaced (Adam7), or of 1, 2 or 4 bits a sample. Tells its header's
    colour type, which whoever reads it keeps."""

    def __init__(self, reason: str, color_type: int) -> None:
        super().__init__(reason)
        self.color_type = color_type


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_LOW_DEPTH_TYPES = (0, 3)  # greyscale and palette PNGs may pack 1, 2 or 4 bits a sample
MODE_NAMES = {0: "L", 2: "RGB", 3: "P", 4: "LA", 6: "RGBA"}  # what Pillow (and OpenAI's errors) call them


class Picture(NamedTuple):
    """A decoded PNG: unfiltered 8-bit rows plus what it takes to read a pixel as RGBA."""

    width: int
    height: int
    color_type: int
    rows: list[bytes]
    palette: Sequence[RGB] = ()
    palette_alpha: bytes = b""

    @property
    def mode(self) -> str:
        return MODE_NAMES[self.color_type]

    def pixel(self, x: int, y: int) -> RGBA:
        row, channels = self.rows[y], _CHANNELS[self.color_type]
        px = row[x * channels : (x + 1) * channels]
        if self.color_type == 0:
            return (px[0], px[0], px[0], 255)
        if self.color_type == 4:
            return (px[0], px[0], px[0], px[1])
        if self.color_type == 3:
            index = px[0]
            r, g, b = self.palette[index] if index < len(self.palette) else (0, 0, 0)
            return (r, g, b, self.palette_alpha[index] if index < len(self.palette_alpha) else 255)
        return (px[0], px[1], px[2], px[3] if self.color_type == 6 else 255)

    def has_alpha(self) -> bool:
        return self.color_type in (4, 6) or bool(self.palette_alpha)


def _read_chunks(data: bytes) -> Iterable[tuple[bytes, bytes]]:
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack_from(">I", data, position + 8 + length) if position + 12 + length <= len(data) else (-1,)
        if len(body) != length or crc != zlib.crc32(kind + body):
            raise InvalidImage(f"corrupt {kind.decode(errors='replace')} chunk")
        yield kind, body
        if kind == b"IEND":
            return
        position += 12 + length
    raise InvalidImage("truncated PNG (no IEND chunk)")


_MASKS: dict[int, tuple[int, int]] = {}


def _add_bytes(a: bytes, b: bytes) -> bytes:
    """Byte-wise (a + b) mod 256 without a Python loop: add the low 7 bits of every byte as one big
    integer (no carry can cross a byte), then fix each top bit with an xor."""
    size = len(a)
    if size not in _MASKS:
        _MASKS[size] = (int.from_bytes(b"\x7f" * size, "big"), int.from_bytes(b"\x80" * size, "big"))
    low, high = _MASKS[size]
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    return (((x & low) + (y & low)) ^ ((x ^ y) & high)).to_bytes(size, "big")


def _unfilter_row(kind: int, line: bytes, previous: bytes, bpp: int) -> bytes:
    if kind == 0:
        return line
    if kind == 2:
        return _add_bytes(line, previous)
    out = bytearray(line)
    if kind == 1:
        for i in range(bpp, len(out)):
            out[i] = (out[i] + out[i - bpp]) & 0xFF
    elif kind == 3:
        for i in range(len(out)):
            left = out[i - bpp] if i >= bpp else 0
            out[i] = (out[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(len(out)):
            a = out[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out[i] = (out[i] + predictor) & 0xFF
    else:
        raise InvalidImage(f"unknown PNG filter type {kind}")
    return bytes(out)


def decode_png(data: bytes, max_pixels: int | None = None) -> Picture:
    """Decode a PNG fully (CRCs, zlib, filters). Raises InvalidImage for anything that is not one, or that has more
    than `max_pixels` (told by its header, before anything is inflated), and UnsupportedPNG for one it leaves to
    Pillow."""
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidImage("not a PNG file")
    header, palette, palette_alpha, compressed = b"", [], b"", []
    for kind, body in _read_chunks(data):
        if kind == b"IHDR":
            header = body
        elif kind == b"PLTE":
            palette = [(body[i], body[i + 1], body[i + 2]) for i in range(0, len(body) - 2, 3)]
        elif kind == b"tRNS":
            palette_alpha = body
        elif kind == b"IDAT":
            compressed.append(body)
    if len(header) != 13:
        raise InvalidImage("missing IHDR chunk")
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    low_depth = depth in (1, 2, 4) and color_type in _LOW_DEPTH_TYPES
    if color_type not in _CHANNELS or not (low_depth or depth in (8, 16)) or (color_type == 3 and depth == 16):
        raise InvalidImage(f"unsupported bit depth {depth} for colour type {color_type}")
    if interlace not in (0, 1) or not width or not height:
        raise InvalidImage("unknown interlace method or empty PNG")
    if max_pixels is not None and width * height > max_pixels:
        raise InvalidImage(f"{width}x{height} is more than {max_pixels:,} pixels")
    if interlace or low_depth:
        raise UnsupportedPNG(f"{'interlaced' if interlace else f'{depth}-bit'} PNG", color_type)
    bytes_per_sample = depth // 8
    bpp = _CHANNELS[color_type] * bytes_per_sample
    stride = width * bpp
    try:
        raw = zlib.decompress(b"".join(compressed))
    except zlib.error as error:
        raise InvalidImage(f"corrupt image data ({error})") from None
    if len(raw) < height * (stride + 1):
        raise InvalidImage("image data shorter than its header says")
    rows, previous = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter_row(raw[start], raw[start + 1 : start + 1 + stride], previous, bpp)
        rows.append(row if bytes_per_sample == 1 else row[::2])  # 16-bit: keep the high byte
        previous = row
    return Picture(width, height, color_type, rows, palette, palette_alpha if color_type == 3 else b"")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk (tests and callers that only need the size)."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise InvalidImage("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height

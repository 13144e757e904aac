"""Images: real PNG files, written and read with the standard library (zlib + struct).

A generated picture is a scene derived from the prompt and the seed: a vertical gradient sky with a sun
and hills/towers whose colours come from the prompt (colour words in it win). Every row is built from
constant-colour spans, so even 1792x1024 encodes in tens of milliseconds and compresses to a few KB.
Edits and variations decode the uploaded PNG (all colour types, 8/16-bit, every filter) and return a
mosaic of its colours: variations jitter them, edits paint the prompt's scene where the mask is clear.

Image URLs are `data:image/png;base64,…` URLs: fetchable by browsers, `<img src>` and urllib without a
key or a second request, and valid in every deployment mode (docs/images.md explains the choice)."""

from __future__ import annotations

import base64
import colorsys
import hashlib
import math
import random
import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from openai_mock import clock
from openai_mock.checks import check_enum, check_length, check_range, known_model
from openai_mock.errors import invalid_request
from openai_mock.rng import seeded_rng

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


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
MODE_NAMES = {0: "L", 2: "RGB", 3: "P", 4: "LA", 6: "RGBA"}  # what Pillow (and OpenAI's errors) call them


@dataclass
class Picture:
    """A decoded PNG: unfiltered 8-bit rows plus what it takes to read a pixel as RGBA."""

    width: int
    height: int
    color_type: int
    rows: list[bytes]
    palette: list[RGB] = field(default_factory=list)
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


def decode_png(data: bytes) -> Picture:
    """Decode a PNG fully (CRCs, zlib, filters). Raises InvalidImage for anything that is not one."""
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
    if color_type not in _CHANNELS or depth not in (8, 16) or (color_type == 3 and depth != 8):
        raise InvalidImage(f"unsupported bit depth {depth} for colour type {color_type}")
    if interlace or not width or not height:
        raise InvalidImage("interlaced or empty PNG")
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


# ---------------------------------------------------------------------------------------------------
# Scenes: what a prompt looks like
# ---------------------------------------------------------------------------------------------------
_COLOUR_WORDS = {
    "red": 0.0, "crimson": 0.97, "orange": 0.08, "amber": 0.11, "gold": 0.13, "golden": 0.13, "yellow": 0.16,
    "lime": 0.25, "green": 0.33, "forest": 0.36, "teal": 0.47, "cyan": 0.5, "turquoise": 0.48, "sky": 0.55,
    "ocean": 0.57, "sea": 0.56, "blue": 0.62, "navy": 0.64, "indigo": 0.7, "violet": 0.76, "purple": 0.8,
    "magenta": 0.85, "pink": 0.92, "rose": 0.95, "sunset": 0.05, "night": 0.66, "desert": 0.1, "snow": 0.58,
}


@dataclass(frozen=True)
class _Shape:
    kind: str  # "disc" or "box"
    cx: float  # centre / left, as fractions of the width and height
    cy: float
    rx: float  # radius (fraction of the width) or box width
    ry: float  # box height (fraction of the height); unused for discs
    colour: RGB


@dataclass(frozen=True)
class Scene:
    top: RGB
    bottom: RGB
    shapes: tuple[_Shape, ...]

    def _background(self, v: float) -> RGB:
        return (
            round(self.top[0] + (self.bottom[0] - self.top[0]) * v),
            round(self.top[1] + (self.bottom[1] - self.top[1]) * v),
            round(self.top[2] + (self.bottom[2] - self.top[2]) * v),
        )

    def _span(self, shape: _Shape, width: int, height: int, y: int) -> tuple[int, int] | None:
        if shape.kind == "disc":
            radius = shape.rx * width
            dy = (y + 0.5) - shape.cy * height
            if abs(dy) >= radius:
                return None
            half = math.sqrt(radius * radius - dy * dy)
            return round(shape.cx * width - half), round(shape.cx * width + half)
        if shape.cy * height <= y < (shape.cy + shape.ry) * height:
            return round(shape.cx * width), round((shape.cx + shape.rx) * width)
        return None

    def rows(self, width: int, height: int) -> Iterable[bytes]:
        for y in range(height):
            row = bytearray(bytes(self._background(y / max(1, height - 1))) * width)
            for shape in self.shapes:
                span = self._span(shape, width, height, y)
                if span:
                    x0, x1 = max(0, span[0]), min(width, span[1])
                    if x1 > x0:
                        row[x0 * 3 : x1 * 3] = bytes(shape.colour) * (x1 - x0)
            yield bytes(row)

    def colour_at(self, u: float, v: float) -> RGB:
        """The colour at a point given as fractions of the width and height (for mosaics)."""
        colour = self._background(v)
        for shape in self.shapes:
            span = self._span(shape, 1000, 1000, int(v * 1000))
            if span and span[0] <= u * 1000 < span[1]:
                colour = shape.colour
        return colour

    def render(self, width: int, height: int) -> bytes:
        return encode_png(width, height, self.rows(width, height))


def _rgb(hue: float, lightness: float, saturation: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, min(max(lightness, 0.0), 1.0), min(max(saturation, 0.0), 1.0))
    return (round(r * 255), round(g * 255), round(b * 255))


def scene_for(prompt: str, rng: random.Random, *, vivid: bool = True, detail: int = 3) -> Scene:
    """A scene whose palette follows the prompt: its colour words pick the base hue, its words the rest."""
    words = [word.strip(".,!?;:'\"").lower() for word in prompt.split()]
    named = [_COLOUR_WORDS[word] for word in words if word in _COLOUR_WORDS]
    digest = hashlib.sha256(prompt.encode()).digest()
    hue = named[0] if named else digest[0] / 255
    saturation = rng.uniform(0.7, 0.95) if vivid else rng.uniform(0.25, 0.45)
    top = _rgb(hue, rng.uniform(0.7, 0.85), saturation)
    bottom = _rgb(hue + rng.uniform(-0.12, 0.12), rng.uniform(0.35, 0.5), saturation)
    accent = named[1] if len(named) > 1 else hue + 0.5
    shapes = [_Shape("disc", rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.35), rng.uniform(0.06, 0.14), 0,
                     _rgb(accent, 0.6, saturation))]
    horizon = rng.uniform(0.55, 0.75)
    for index in range(detail + len(words) % 3):
        hill_hue = hue + 0.33 + digest[(index + 1) % len(digest)] / 1024
        if index % 2:
            shapes.append(_Shape("disc", rng.uniform(0, 1), horizon + rng.uniform(0.1, 0.3), rng.uniform(0.2, 0.4), 0,
                                 _rgb(hill_hue, rng.uniform(0.2, 0.4), saturation)))
        else:
            width = rng.uniform(0.05, 0.15)
            top_edge = horizon - rng.uniform(0.05, 0.3)
            shapes.append(_Shape("box", rng.uniform(0, 1 - width), top_edge, width, 1 - top_edge,
                                 _rgb(hill_hue + 0.1, rng.uniform(0.15, 0.35), saturation * 0.8)))
    return Scene(top, bottom, tuple(shapes))


# ---------------------------------------------------------------------------------------------------
# Mosaics: pictures derived from an uploaded one
# ---------------------------------------------------------------------------------------------------
MOSAIC_CELLS = 16  # cells per side; 256/512/1024 are all multiples of it


def sample_cells(picture: Picture, cells: int = MOSAIC_CELLS) -> list[list[RGBA]]:
    """The picture's colour at the centre of each cell of a cells x cells grid."""
    return [
        [picture.pixel(int((i + 0.5) * picture.width / cells), int((j + 0.5) * picture.height / cells))
         for i in range(cells)]
        for j in range(cells)
    ]


def render_mosaic(grid: Sequence[Sequence[RGB]], size: int) -> bytes:
    cells = len(grid)
    cell = size // cells
    rows: list[bytes] = []
    for colours in grid:
        row = b"".join(bytes(colour) * cell for colour in colours)
        rows.extend([row] * cell)
    return encode_png(size, size, rows)


def _jitter(colour: RGBA, rng: random.Random, shift: float) -> RGB:
    h, lightness, s = colorsys.rgb_to_hls(colour[0] / 255, colour[1] / 255, colour[2] / 255)
    return _rgb(h + shift, lightness + rng.uniform(-0.05, 0.05), s)


# ---------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------
GENERATION_SIZES = {
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
_UPLOAD_MODES = ("RGBA", "LA", "L")


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    n: int | None = None
    response_format: str | None = None
    size: str | None = None
    user: str | None = None


class CreateImageRequest(_Options):
    prompt: str
    quality: str | None = None
    style: str | None = None


class ImageEditOptions(_Options):
    prompt: str


class ImageVariationOptions(_Options):
    pass


def _image_model(requested: str | None, allowed: Sequence[str]) -> str:
    return known_model(requested or "dall-e-2", allowed)


def _common(options: _Options, model: str, sizes: Sequence[str]) -> tuple[int, int, int, str]:
    """n, width, height and response_format, validated for the model."""
    n = 1 if options.n is None else options.n
    check_range(n, "n", 1, 10)
    if model == "dall-e-3" and n != 1:
        raise invalid_request("You must provide n=1 for this model.", "n", "invalid_value")
    size = options.size or "1024x1024"
    if size not in sizes:
        raise invalid_request(
            f"'{size}' is not one of {list(sizes)} - 'size'", "size", "invalid_value"
        )
    response_format = options.response_format or "url"
    check_enum(response_format, ("url", "b64_json"), "response_format")
    width, height = (int(part) for part in size.split("x"))
    return n, width, height, response_format


def _image_object(png: bytes, response_format: str) -> dict[str, Any]:
    encoded = base64.b64encode(png).decode()
    return {"b64_json": encoded} if response_format == "b64_json" else {"url": f"data:image/png;base64,{encoded}"}


def _revised_prompt(prompt: str, rng: random.Random, style: str, quality: str) -> str:
    """dall-e-3 rewrites every prompt into a fuller description; so does the mock, deterministically."""
    look = {"vivid": ["dramatic, hyper-real", "bold, richly saturated", "cinematic, high-contrast"],
            "natural": ["soft, naturally lit", "muted, true-to-life", "gentle, understated"]}[style]
    medium = rng.choice(["digital illustration", "photograph", "painterly rendering", "wide-angle scene"])
    light = rng.choice(["warm late-afternoon light", "cool morning light", "diffuse overcast light",
                        "golden-hour glow"])
    detail = " with fine, intricate detail throughout" if quality == "hd" else ""
    return f"{prompt.strip().rstrip('.')}. Depicted as a {rng.choice(look)} {medium} in {light}{detail}."


def create_image(request: CreateImageRequest, seed: int | str | None) -> dict[str, Any]:
    model = _image_model(request.model, tuple(GENERATION_SIZES))
    check_length(request.prompt, "prompt", PROMPT_LIMITS[model], minimum=1)
    n, width, height, response_format = _common(request, model, GENERATION_SIZES[model])
    quality = request.quality or "standard"
    check_enum(quality, ("standard", "hd"), "quality")
    style = request.style or "vivid"
    check_enum(style, ("vivid", "natural"), "style")
    rng = seeded_rng(request.model_dump(exclude={"user"}), seed)
    data = []
    for _ in range(n):
        # dall-e-2 ignores quality and style, as the real API does.
        is_dalle3 = model == "dall-e-3"
        scene = scene_for(request.prompt, rng, vivid=style == "vivid" or not is_dalle3,
                          detail=5 if is_dalle3 and quality == "hd" else 3)
        image = _image_object(scene.render(width, height), response_format)
        if is_dalle3:
            image["revised_prompt"] = _revised_prompt(request.prompt, rng, style, quality)
        data.append(image)
    return {"created": clock.now_seconds(), "data": data}


def read_upload(data: bytes, param: str) -> Picture:
    """An uploaded `image` / `mask`: a valid square PNG under 4 MB, or OpenAI's 400."""
    if len(data) >= MAX_UPLOAD_BYTES or not data.startswith(PNG_SIGNATURE):
        raise invalid_request(f"Uploaded {param} must be a PNG and less than 4 MB.", param, "invalid_image_format")
    try:
        picture = decode_png(data)
    except InvalidImage as error:
        raise invalid_request(f"Invalid input {param} - could not decode the PNG: {error}.", param,
                              "invalid_image") from None
    if picture.width != picture.height:
        raise invalid_request(
            f"Uploaded {param} must be square: got {picture.width}x{picture.height}.", param, "invalid_image_size"
        )
    return picture


def _require_alpha(picture: Picture, param: str) -> None:
    if picture.mode not in _UPLOAD_MODES:
        raise invalid_request(
            f"Invalid input {param} - format must be in {list(_UPLOAD_MODES)}, got {picture.mode}.",
            param,
            "invalid_image_format",
        )


def create_image_edit(
    options: ImageEditOptions, image: bytes, mask: bytes | None, seed: int | str | None
) -> dict[str, Any]:
    model = _image_model(options.model, ("dall-e-2",))
    check_length(options.prompt, "prompt", PROMPT_LIMITS[model], minimum=1)
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    picture = read_upload(image, "image")
    if mask is None:
        _require_alpha(picture, "image")  # the image's own transparency is the mask
        stencil = picture
    else:
        stencil = read_upload(mask, "mask")
        _require_alpha(stencil, "mask")
        if (stencil.width, stencil.height) != (picture.width, picture.height):
            raise invalid_request("Invalid mask image - image and mask must have the same dimensions.", "mask",
                                  "invalid_image_size")
    colours, clear = sample_cells(picture), sample_cells(stencil)
    material = [options.model_dump(exclude={"user"}), hashlib.sha256(image + (mask or b"")).hexdigest()]
    rng = seeded_rng(material, seed)
    data = []
    for _ in range(n):
        scene = scene_for(options.prompt, rng)
        grid = [
            [scene.colour_at((i + 0.5) / MOSAIC_CELLS, (j + 0.5) / MOSAIC_CELLS) if clear[j][i][3] == 0
             else colours[j][i][:3] for i in range(MOSAIC_CELLS)]
            for j in range(MOSAIC_CELLS)
        ]
        data.append(_image_object(render_mosaic(grid, size), response_format))
    return {"created": clock.now_seconds(), "data": data}


def create_image_variation(options: ImageVariationOptions, image: bytes, seed: int | str | None) -> dict[str, Any]:
    model = _image_model(options.model, ("dall-e-2",))
    n, size, _, response_format = _common(options, model, GENERATION_SIZES["dall-e-2"])
    colours = sample_cells(read_upload(image, "image"))
    rng = seeded_rng([options.model_dump(exclude={"user"}), hashlib.sha256(image).hexdigest()], seed)
    data = []
    for _ in range(n):
        shift = rng.uniform(-0.06, 0.06)  # each variation drifts its hues a little, the layout stays
        grid = [[_jitter(colour, rng, shift) for colour in row] for row in colours]
        data.append(_image_object(render_mosaic(grid, size), response_format))
    return {"created": clock.now_seconds(), "data": data}

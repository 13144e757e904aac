"""Images: what a prompt looks like, drawn row by row and encoded with `openai_mock.generation.png`.

A generated picture is a scene derived from the prompt and the seed: a vertical gradient sky with a sun
and hills/towers whose colours come from the prompt (colour words in it win); with a transparent background the
sky is left out (alpha 0) and the sun, hills and towers stand alone. Every row is built from
constant-colour spans, so even 1792x1024 encodes in tens of milliseconds and compresses to a few KB.
A mosaic is a grid of colour cells, sampled from a decoded picture: edits and variations return one
(`resources/images.py`, which also holds the request models and checks)."""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from openai_mock.generation.png import RGB, RGBA, Picture, encode_png

CLEAR = b"\x00\x00\x00\x00"  # a fully transparent RGBA pixel

# ---------------------------------------------------------------------------------------------------
# Scenes: what a prompt looks like
# ---------------------------------------------------------------------------------------------------
_COLOUR_WORDS = {
    "red": 0.0,
    "crimson": 0.97,
    "orange": 0.08,
    "amber": 0.11,
    "gold": 0.13,
    "golden": 0.13,
    "yellow": 0.16,
    "lime": 0.25,
    "green": 0.33,
    "forest": 0.36,
    "teal": 0.47,
    "cyan": 0.5,
    "turquoise": 0.48,
    "sky": 0.55,
    "ocean": 0.57,
    "sea": 0.56,
    "blue": 0.62,
    "navy": 0.64,
    "indigo": 0.7,
    "violet": 0.76,
    "purple": 0.8,
    "magenta": 0.85,
    "pink": 0.92,
    "rose": 0.95,
    "sunset": 0.05,
    "night": 0.66,
    "desert": 0.1,
    "snow": 0.58,
}


class _Shape(NamedTuple):
    kind: str  # "disc" or "box"
    cx: float  # centre / left, as fractions of the width and height
    cy: float
    rx: float  # radius (fraction of the width) or box width
    ry: float  # box height (fraction of the height); unused for discs
    colour: RGB


class Scene(NamedTuple):
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

    def _painted(self, width: int, height: int, y: int) -> Iterable[tuple[int, int, RGB]]:
        """The shapes' spans on row `y`, clipped to the picture, in drawing order (later ones on top)."""
        for shape in self.shapes:
            span = self._span(shape, width, height, y)
            if span:
                x0, x1 = max(0, span[0]), min(width, span[1])
                if x1 > x0:
                    yield x0, x1, shape.colour

    def rows(self, width: int, height: int) -> Iterable[bytes]:
        for y in range(height):
            row = bytearray(bytes(self._background(y / max(1, height - 1))) * width)
            for x0, x1, colour in self._painted(width, height, y):
                row[x0 * 3 : x1 * 3] = bytes(colour) * (x1 - x0)
            yield bytes(row)

    def clear_rows(self, width: int, height: int) -> Iterable[bytes]:
        """`rows` as RGBA with the sky left out (`background: "transparent"`): the sun, hills and towers opaque,
        every other pixel fully transparent."""
        for y in range(height):
            row = bytearray(CLEAR * width)
            for x0, x1, colour in self._painted(width, height, y):
                row[x0 * 4 : x1 * 4] = bytes((*colour, 255)) * (x1 - x0)
            yield bytes(row)

    def palette(self, sky_levels: int) -> list[RGB]:
        """The colours of `indexed_rows`: the shapes' first, then the sky's gradient in `sky_levels` steps."""
        steps = max(1, sky_levels - 1)
        return [shape.colour for shape in self.shapes] + [
            self._background(level / steps) for level in range(sky_levels)
        ]

    def indexed_rows(self, width: int, height: int, sky_levels: int) -> Iterable[bytes]:
        """`rows` as indices into `palette(sky_levels)`, one byte a pixel (what a GIF frame holds)."""
        first_sky, steps = len(self.shapes), max(1, sky_levels - 1)
        for y in range(height):
            level = round(y / max(1, height - 1) * steps)
            row = bytearray(bytes((first_sky + level,)) * width)
            for index, shape in enumerate(self.shapes):
                span = self._span(shape, width, height, y)
                if span:
                    x0, x1 = max(0, span[0]), min(width, span[1])
                    if x1 > x0:
                        row[x0:x1] = bytes((index,)) * (x1 - x0)
            yield bytes(row)

    def _shape_at(self, u: float, v: float) -> _Shape | None:
        """The topmost shape at a point given as fractions of the width and height; None on the sky."""
        found = None
        for shape in self.shapes:
            span = self._span(shape, 1000, 1000, int(v * 1000))
            if span and span[0] <= u * 1000 < span[1]:
                found = shape
        return found

    def colour_at(self, u: float, v: float) -> RGB:
        """The colour at a point given as fractions of the width and height (for mosaics)."""
        shape = self._shape_at(u, v)
        return self._background(v) if shape is None else shape.colour

    def render(self, width: int, height: int, *, transparent: bool = False) -> bytes:
        if transparent:
            return encode_png(width, height, self.clear_rows(width, height), alpha=True)
        return encode_png(width, height, self.rows(width, height))

    def sketch(self, width: int, height: int, cells: int, *, transparent: bool = False) -> bytes:
        """The scene as a streamed partial image shows it before it is finished: blocks of `cells` per side, each
        one colour (the scene's at the block's centre); more cells, closer to the finished picture."""
        if not transparent:
            return _blocks(width, height, cells, lambda u, v: bytes(self.colour_at(u, v)))

        def clear_sample(u: float, v: float) -> bytes:
            shape = self._shape_at(u, v)
            return CLEAR if shape is None else bytes((*shape.colour, 255))

        return _blocks(width, height, cells, clear_sample, alpha=True)


def _blocks(width: int, height: int, cells: int, sample: Callable[[float, float], bytes], alpha: bool = False) -> bytes:
    """A PNG of `cells` x `cells` blocks, each one pixel value: `sample` at the block's centre (in fractions of the
    width and height), RGB or (`alpha`) RGBA bytes."""
    block_width, block_height, depth = -(-width // cells), -(-height // cells), 4 if alpha else 3
    rows: list[bytes] = []
    for j in range(cells):
        v = (j + 0.5) / cells
        row = b"".join(sample((i + 0.5) / cells, v) * block_width for i in range(cells))[: width * depth]
        rows.extend([row] * min(block_height, height - len(rows)))
    return encode_png(width, height, rows, alpha=alpha)


def sketch_picture(picture: Picture, cells: int) -> bytes:
    """A streamed partial image of a finished picture (an edit's): `Scene.sketch`'s blocks, sampled from it."""
    alpha = picture.color_type == 6

    def sample(u: float, v: float) -> bytes:
        pixel = picture.pixel(int(u * picture.width), int(v * picture.height))
        return bytes(pixel if alpha else pixel[:3])

    return _blocks(picture.width, picture.height, cells, sample, alpha)


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
    shapes = [
        _Shape(
            "disc",
            rng.uniform(0.2, 0.8),
            rng.uniform(0.15, 0.35),
            rng.uniform(0.06, 0.14),
            0,
            _rgb(accent, 0.6, saturation),
        )
    ]
    horizon = rng.uniform(0.55, 0.75)
    for index in range(detail + len(words) % 3):
        hill_hue = hue + 0.33 + digest[(index + 1) % len(digest)] / 1024
        if index % 2:
            shapes.append(
                _Shape(
                    "disc",
                    rng.uniform(0, 1),
                    horizon + rng.uniform(0.1, 0.3),
                    rng.uniform(0.2, 0.4),
                    0,
                    _rgb(hill_hue, rng.uniform(0.2, 0.4), saturation),
                )
            )
        else:
            width = rng.uniform(0.05, 0.15)
            top_edge = horizon - rng.uniform(0.05, 0.3)
            shapes.append(
                _Shape(
                    "box",
                    rng.uniform(0, 1 - width),
                    top_edge,
                    width,
                    1 - top_edge,
                    _rgb(hill_hue + 0.1, rng.uniform(0.15, 0.35), saturation * 0.8),
                )
            )
    return Scene(top, bottom, tuple(shapes))


# ---------------------------------------------------------------------------------------------------
# Mosaics: pictures derived from an uploaded one
# ---------------------------------------------------------------------------------------------------
MOSAIC_CELLS = 16  # cells per side; 256/512/1024 are all multiples of it


def sample_cells(picture: Picture, cells: int = MOSAIC_CELLS) -> list[list[RGBA]]:
    """The picture's colour at the centre of each cell of a cells x cells grid."""
    return [
        [
            picture.pixel(int((i + 0.5) * picture.width / cells), int((j + 0.5) * picture.height / cells))
            for i in range(cells)
        ]
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


def jitter(colour: RGBA, rng: random.Random, shift: float) -> RGB:
    """The colour with its hue turned by `shift` and its lightness nudged at random (variations)."""
    h, lightness, s = colorsys.rgb_to_hls(colour[0] / 255, colour[1] / 255, colour[2] / 255)
    return _rgb(h + shift, lightness + rng.uniform(-0.05, 0.05), s)

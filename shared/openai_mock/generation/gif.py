"""Animated GIFs (`output_format: "gif"`): the prompt's scene with its sun circling gently, as a looping GIF.

A generation's frames are drawn straight into palette indices (`Scene.indexed_rows`): the shapes' colours plus the
sky's gradient in as many steps as a 256-colour palette leaves, so no frame is quantized and all share one palette.
An edit's frames are full-colour pictures (the input edited with each frame's scene, `raster.compose_edit`):
`animated_pictures` quantizes them to one palette, read from all the frames, without dithering (a dither would
shimmer from frame to frame). The sun goes once round a small circle over the frames, so the loop closes without
a jump and consecutive frames differ (an encoder merges identical ones). Pillow writes the file; it is imported
only when one is made."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from openai_mock.generation.images import Scene
from openai_mock.generation.png import Picture

if TYPE_CHECKING:
    from PIL import Image as PILImage

GIF_PALETTE_SIZE = 256
PALETTE_SAMPLE_EDGE = 256
MAX_FRAME_DELAY_MS = 655_350  # a GIF frame's delay is 16 bits of hundredths of a second
_ORBIT = (0.035, 0.025)  # the sun's circle: its radii, as fractions of the width and height


def frame_delay_ms(requested: int) -> int:
    """The delay a GIF can hold: rounded to the nearest 10 ms (halves up), at least 10 ms (a zero delay is what
    browsers replace with 100 ms), at most `MAX_FRAME_DELAY_MS`."""
    return min(max(10, (requested + 5) // 10 * 10), MAX_FRAME_DELAY_MS)


def frame_scene(scene: Scene, frame: int, frames: int) -> Scene:
    """The scene at `frame` of `frames`: the sun moved round its circle, everything else still."""
    sun, *rest = scene.shapes
    angle = 2 * math.pi * frame / frames
    moved = sun._replace(cx=sun.cx + _ORBIT[0] * math.sin(angle), cy=sun.cy + _ORBIT[1] * (1 - math.cos(angle)))
    return scene._replace(shapes=(moved, *rest))


def animated_gif(scene: Scene, width: int, height: int, frames: int, delay_ms: int) -> bytes:
    """A GIF89a of `frames` frames, `delay_ms` each (a multiple of 10), looping forever."""
    from PIL import Image

    levels = GIF_PALETTE_SIZE - len(scene.shapes)
    palette = b"".join(bytes(colour) for colour in scene.palette(levels))
    pictures = []
    for frame in range(frames):
        rows = frame_scene(scene, frame, frames).indexed_rows(width, height, levels)
        picture = Image.frombytes("P", (width, height), b"".join(rows))
        picture.putpalette(palette)
        pictures.append(picture)
    return _looping_gif(pictures, delay_ms)


def animated_pictures(frames: Sequence[Picture], delay_ms: int) -> bytes:
    """A looping GIF89a of full-colour frames (RGB pictures of one size), `delay_ms` each, in one 256-colour
    palette: the median cut of every frame side by side, so the colours any frame shows have their entries (the
    frames sampled at most `PALETTE_SAMPLE_EDGE` pixels a side for it: a palette needs the colours, not every
    pixel)."""
    from PIL import Image

    images = [Image.frombytes(frame.mode, (frame.width, frame.height), b"".join(frame.rows)) for frame in frames]
    scale = min(1.0, PALETTE_SAMPLE_EDGE / max(images[0].size))
    width, height = (max(1, round(side * scale)) for side in images[0].size)
    sheet = Image.new("RGB", (width * len(images), height))
    for index, image in enumerate(images):
        sheet.paste(image.resize((width, height), Image.Resampling.NEAREST), (index * width, 0))
    palette = sheet.quantize(GIF_PALETTE_SIZE, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return _looping_gif([image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images], delay_ms)


def _looping_gif(pictures: list[PILImage.Image], delay_ms: int) -> bytes:
    out = io.BytesIO()
    pictures[0].save(
        out, format="GIF", save_all=True, append_images=pictures[1:], duration=delay_ms, loop=0, optimize=False
    )
    return out.getvalue()

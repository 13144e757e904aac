"""Videos: what a prompt looks like, moving. Pure builders of MP4s, thumbnails and sprite sheets.

A video is the prompt's scene (`generation/images.scene_for`: its palette and its hills and towers) with the sun
drifting right across the sky (about 60 % of the width over the clip, an even number of pixels a frame) at `FPS`
frames a second. The first
picture is coded exactly (`generation/h264`), every later one is the sky band moved sideways; the file is an
MP4 (`generation/mp4`). Thumbnails and sprite sheets are lossless WebPs (`generation/webp`) of the same scene.
Everything is a function of the plan (prompt, layout seed, size, duration): nothing needs storing."""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openai_mock.generation import h264, mp4
from openai_mock.generation.images import Scene, scene_for
from openai_mock.generation.webp import encode_webp

FPS = 24
SPRITE_COLUMNS = 5
SPRITE_WIDTH = 256  # each tile of a sprite sheet is this wide (its height keeps the video's aspect ratio)


@dataclass(frozen=True)
class VideoPlan:
    """Everything a video's pixels follow from."""

    prompt: str
    layout_seed: str  # the layout's randomness: a remix or an edit keeps its source's
    width: int
    height: int
    seconds: int

    @property
    def frames(self) -> int:
        return self.seconds * FPS


@dataclass(frozen=True)
class _Layout:
    scene: Scene
    band: range  # macroblock rows the sun moves in (sky only)
    sun_x: float  # the sun's centre in the first frame, in pixels
    shift: int  # pixels the sun moves a frame: even, so chroma moves by whole samples and decodes exactly


def _layout(plan: VideoPlan) -> _Layout:
    rng = random.Random(f"{plan.layout_seed}|{plan.width}x{plan.height}")
    base = scene_for(plan.prompt, rng)
    w, h = plan.width, plan.height
    radius = rng.uniform(0.06, 0.1) * min(w, h)
    centre_y = rng.uniform(0.12, 0.24) * h
    sun_x = radius + 2 + rng.uniform(0.02, 0.3) * w  # whole from the first frame on
    sun = base.shapes[0]._replace(cx=sun_x / w, cy=centre_y / h, rx=radius / w)
    first = max(0, math.floor((centre_y - radius - 1) / 16))
    last = min(h // 16 - 1, math.floor((centre_y + radius + 1) / 16))
    band_bottom = (last + 1) * 16
    ground = []
    for shape in base.shapes[1:]:  # hills and towers stay below the sun's band: the sky there is row-constant
        if shape.kind == "box":
            ground.append(shape._replace(cy=max(shape.cy, band_bottom / h)))
        else:
            ground.append(shape._replace(cy=max(shape.cy, (band_bottom + shape.rx * w + 1) / h)))
    shift = max(2, 2 * round(0.3 * w / plan.frames))
    return _Layout(Scene(base.top, base.bottom, (sun, *ground)), range(first, last + 1), sun_x, shift)


def _at_frame(layout: _Layout, plan: VideoPlan, frame: int) -> Scene:
    sun = layout.scene.shapes[0]
    moved = sun._replace(cx=(layout.sun_x + layout.shift * frame) / plan.width)
    return Scene(layout.scene.top, layout.scene.bottom, (moved, *layout.scene.shapes[1:]))


def _rgb_array(scene: Scene, width: int, height: int) -> npt.NDArray[np.uint8]:
    return np.frombuffer(b"".join(scene.rows(width, height)), dtype=np.uint8).reshape(height, width, 3)


def to_ycbcr(rgb: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """BT.709, video range, 4:2:0 (chroma averaged over 2x2 samples)."""
    r, g, b = (rgb[..., channel].astype(np.float64) / 255 for channel in range(3))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    cb = (b - y) / 1.8556
    cr = (r - y) / 1.5748

    def sub(plane: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        height, width = plane.shape
        averaged: npt.NDArray[np.float64] = plane.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3))
        return averaged

    luma = np.clip(np.rint(16 + 219 * y), 16, 235).astype(np.uint8)
    blue = np.clip(np.rint(128 + 224 * sub(cb)), 16, 240).astype(np.uint8)
    red = np.clip(np.rint(128 + 224 * sub(cr)), 16, 240).astype(np.uint8)
    return luma, blue, red


def first_frame_planes(plan: VideoPlan) -> tuple[npt.NDArray[np.uint8], ...]:
    """The Y, Cb, Cr planes of the first picture, exactly as a decoder shows them."""
    return to_ycbcr(_rgb_array(_layout(plan).scene, plan.width, plan.height))


def sun_motion(plan: VideoPlan) -> tuple[range, int]:
    """The luma rows that move, and by how many pixels to the right each frame; the rest stands still."""
    layout = _layout(plan)
    return range(layout.band.start * 16, layout.band.stop * 16), layout.shift


def render_mp4(plan: VideoPlan) -> bytes:
    layout = _layout(plan)
    fmt = h264.StreamFormat(plan.width, plan.height, FPS)
    y, cb, cr = to_ycbcr(_rgb_array(layout.scene, plan.width, plan.height))
    body = h264.p_slice_body(fmt, layout.band, layout.shift)
    samples = [h264.idr_picture(y, cb, cr)]
    samples.extend(h264.p_picture(body, frame) for frame in range(1, plan.frames))
    return mp4.write_mp4(
        plan.width, plan.height, FPS, h264.sequence_parameter_set(fmt), h264.picture_parameter_set(), samples
    )


def render_thumbnail(plan: VideoPlan) -> bytes:
    """The picture at the middle of the video, full size."""
    scene = _at_frame(_layout(plan), plan, plan.frames // 2)
    return encode_webp(plan.width, plan.height, scene.rows(plan.width, plan.height))


def sprite_layout(plan: VideoPlan) -> tuple[int, int, int, int]:
    """(tiles, columns, tile width, tile height): one tile a second, SPRITE_COLUMNS to a row."""
    tile_w = SPRITE_WIDTH
    tile_h = round(SPRITE_WIDTH * plan.height / plan.width / 2) * 2
    return plan.seconds, min(SPRITE_COLUMNS, plan.seconds), tile_w, tile_h


def render_spritesheet(plan: VideoPlan) -> bytes:
    """One small picture per second of video, left to right, top to bottom."""
    layout = _layout(plan)
    tiles, columns, tile_w, tile_h = sprite_layout(plan)
    grid_rows = -(-tiles // columns)
    sheet = np.zeros((grid_rows * tile_h, columns * tile_w, 3), dtype=np.uint8)
    for index in range(tiles):
        scene = _at_frame(layout, plan, index * FPS)
        top, left = (index // columns) * tile_h, (index % columns) * tile_w
        sheet[top : top + tile_h, left : left + tile_w] = _rgb_array(scene, tile_w, tile_h)
    return encode_webp(sheet.shape[1], sheet.shape[0], (row.tobytes() for row in sheet))


# ---------------------------------------------------------------------------------------------------
# Reading an uploaded MP4 (edits, extensions, characters): its picture size and duration
# ---------------------------------------------------------------------------------------------------
class InvalidVideo(ValueError):
    """The upload is not an MP4 whose video track we can read."""


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            if position + 16 > end:
                raise InvalidVideo("truncated box")
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise InvalidVideo("truncated box")
        yield kind, position + header, position + size
        position += size


def probe_mp4(data: bytes) -> tuple[int, int, float]:
    """(width, height, seconds) of an MP4's first video track."""
    top = {kind: (start, end) for kind, start, end in _boxes(data, 0, len(data))}
    if b"ftyp" not in top or b"moov" not in top:
        raise InvalidVideo("not an MP4 file")
    moov_start, moov_end = top[b"moov"]
    for kind, start, end in _boxes(data, moov_start, moov_end):
        if kind != b"trak":
            continue
        parts = {k: (s, e) for k, s, e in _boxes(data, start, end)}
        if b"tkhd" not in parts or b"mdia" not in parts:
            continue
        media = {k: (s, e) for k, s, e in _boxes(data, *parts[b"mdia"])}
        if b"hdlr" not in media or data[media[b"hdlr"][0] + 8 : media[b"hdlr"][0] + 12] != b"vide":
            continue
        tkhd_start, tkhd_end = parts[b"tkhd"]
        width, height = struct.unpack_from(">II", data, tkhd_end - 8)
        mdhd = media.get(b"mdhd")
        if mdhd is None:
            raise InvalidVideo("no media header")
        version = data[mdhd[0]]
        if version == 1:
            timescale, duration = struct.unpack_from(">IQ", data, mdhd[0] + 20)
        else:
            timescale, duration = struct.unpack_from(">II", data, mdhd[0] + 12)
        if not timescale or tkhd_end - tkhd_start < 84:
            raise InvalidVideo("bad track header")
        return width >> 16, height >> 16, duration / timescale
    raise InvalidVideo("no video track")


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, JPEG or WebP from its header (an `input_reference` must match the video)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack_from(">II", data, 16)
        return width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = data[12:16]
        if kind == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if kind == b"VP8 " and len(data) >= 30:
            width, height = struct.unpack_from("<HH", data, 26)
            return width & 0x3FFF, height & 0x3FFF
        if kind == b"VP8X" and len(data) >= 30:
            return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if data.startswith(b"\xff\xd8"):
        position = 2
        while position + 9 < len(data):
            if data[position] != 0xFF:
                break
            marker = data[position + 1]
            (length,) = struct.unpack_from(">H", data, position + 2)
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack_from(">HH", data, position + 5)
                return width, height
            position += 2 + length
    raise ValueError("not a PNG, JPEG or WebP image")

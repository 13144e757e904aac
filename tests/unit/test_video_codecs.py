"""The video codecs written for the mock, judged by FFmpeg (PyAV): the H.264 stream decodes to exactly the planes
it was given (the first picture) and to those planes slid sideways (the later ones); the lossless WebP decodes to
exactly its pixels; an MP4 reads back its size and duration."""

from __future__ import annotations

import io
import random

import av
import numpy as np
import pytest

from openai_mock.generation import h264, mp4
from openai_mock.generation import videos as media
from openai_mock.generation.images import scene_for
from openai_mock.generation.webp import encode_webp, webp_size


def _decode(data: bytes) -> tuple[av.video.stream.VideoStream, list[np.ndarray]]:
    container = av.open(io.BytesIO(data))
    stream = container.streams.video[0]
    frames = [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]
    return stream, frames


def _planes(width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of a gradient sky, a disc in the top band, a box below: every kind of macroblock the encoder writes."""
    y = np.repeat(np.arange(16, 16 + height, dtype=np.uint8)[:, None], width, axis=1)
    cb = np.full((height // 2, width // 2), 128, np.uint8)
    cr = cb.copy()
    rows, cols = np.mgrid[0:height, 0:width]
    y[(rows - 40) ** 2 + (cols - 60) ** 2 < 20**2] = 200
    half_rows, half_cols = np.mgrid[0 : height // 2, 0 : width // 2]
    disc = (half_rows - 20) ** 2 + (half_cols - 30) ** 2 < 10**2
    cb[disc], cr[disc] = 60, 200
    y[120:, 100:170] = 50
    cb[60:, 50:85] = 90
    return y, cb, cr


def test_h264_decodes_exactly_and_slides_the_band() -> None:
    width, height, fps, frames, shift = 320, 192, 24, 30, 4
    y, cb, cr = _planes(width, height)
    fmt = h264.StreamFormat(width, height, fps)
    body = h264.p_slice_body(fmt, range(0, 5), shift)
    samples = [h264.idr_picture(y, cb, cr), *(h264.p_picture(body, n) for n in range(1, frames))]
    data = mp4.write_mp4(width, height, fps, h264.sequence_parameter_set(fmt), h264.picture_parameter_set(), samples)
    stream, decoded = _decode(data)
    assert (stream.codec_context.name, stream.width, stream.height, len(decoded)) == ("h264", width, height, frames)
    assert float(stream.duration * stream.time_base) == pytest.approx(frames / fps)
    first = decoded[0]
    assert np.array_equal(first[:height], y)
    assert np.array_equal(first[height : height + height // 4].reshape(height // 2, width // 2), cb)
    for n in (1, 17, frames - 1):
        expected = y.copy()
        band = y[:80]
        expected[:80] = np.concatenate([np.repeat(band[:, :1], shift * n, axis=1), band[:, : width - shift * n]], 1)
        assert np.array_equal(decoded[n][:height], expected), n


def test_a_plan_decodes_to_its_first_picture_and_its_length() -> None:
    plan = media.VideoPlan("A purple sky over a calm sea", "seed", 1280, 720, 4)
    stream, decoded = _decode(media.render_mp4(plan))
    assert (stream.width, stream.height, len(decoded)) == (1280, 720, 4 * media.FPS)
    y, _, _ = media.first_frame_planes(plan)
    assert np.array_equal(decoded[0][:720], y)
    rows, shift = media.sun_motion(plan)
    last = decoded[-1][:720]
    travelled = shift * (len(decoded) - 1)
    assert np.array_equal(last[rows.stop :], y[rows.stop :])  # the ground never moves
    assert np.array_equal(last[rows.start : rows.stop, travelled:], y[rows.start : rows.stop, : 1280 - travelled])
    assert media.probe_mp4(media.render_mp4(plan)) == (1280, 720, 4.0)


def test_webp_is_lossless_and_readable() -> None:
    scene = scene_for("a red fox in a snowy forest", random.Random(3))
    rows = list(scene.rows(300, 200))
    data = encode_webp(300, 200, rows)
    assert webp_size(data) == (300, 200)
    frame = next(av.open(io.BytesIO(data)).decode(video=0))
    expected = np.frombuffer(b"".join(rows), np.uint8).reshape(200, 300, 3)
    assert np.array_equal(frame.to_ndarray(format="rgb24"), expected)


def test_probe_refuses_what_is_not_an_mp4() -> None:
    with pytest.raises(media.InvalidVideo):
        media.probe_mp4(b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00")
    with pytest.raises(media.InvalidVideo):
        media.probe_mp4(b"RIFF....WEBPVP8L")


def test_image_size_reads_png_jpeg_and_webp_headers() -> None:
    png = scene_for("blue", random.Random(1)).render(48, 32)
    assert media.image_size(png) == (48, 32)
    assert media.image_size(encode_webp(5, 7, [bytes(15)] * 7)) == (5, 7)
    jpeg = b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xc0\x00\x11\x08\x02\xd0\x05\x00" + bytes(20)
    assert media.image_size(jpeg) == (1280, 720)
    with pytest.raises(ValueError):
        media.image_size(b"GIF89a")

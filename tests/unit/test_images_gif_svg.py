"""The GIF and SVG builders: an animation a standard decoder (Pillow) reads frame by frame, whose loop closes, in
the scene's palette; an SVG document an XML parser reads, with the scene's shapes in place and the prompt escaped."""

from __future__ import annotations

import io
import random
import xml.etree.ElementTree as ElementTree

import pytest
from PIL import Image

from openai_mock.generation import gif, images
from openai_mock.generation.svg import EFFORTS, svg_document

SVG = "{http://www.w3.org/2000/svg}"


def _scene() -> images.Scene:
    return images.scene_for("a golden sun over a teal sea", random.Random(3))


@pytest.mark.parametrize(
    ("requested", "encoded"), [(123, 120), (125, 130), (200, 200), (1, 10), (4, 10), (10**9, 655_350)]
)
def test_a_frame_delay_is_rounded_to_10_ms_within_what_a_gif_holds(requested: int, encoded: int) -> None:
    assert gif.frame_delay_ms(requested) == encoded


def test_every_frame_moves_the_sun_and_the_last_leads_back_to_the_first() -> None:
    scene = _scene()
    suns = [gif.frame_scene(scene, frame, 8).shapes[0] for frame in range(9)]
    assert (
        suns[0] == scene.shapes[0]
        and suns[8].cx == pytest.approx(suns[0].cx)
        and suns[8].cy == pytest.approx(suns[0].cy)
    )
    assert len({(sun.cx, sun.cy) for sun in suns[:8]}) == 8
    assert gif.frame_scene(scene, 3, 8).shapes[1:] == scene.shapes[1:]  # the land stays


def test_an_animated_gif_decodes_frame_by_frame_in_the_scenes_colours() -> None:
    scene = _scene()
    data = gif.animated_gif(scene, 320, 192, 6, 70)
    animation = Image.open(io.BytesIO(data))
    assert (animation.format, animation.size, getattr(animation, "n_frames", 1)) == ("GIF", (320, 192), 6)
    assert animation.info["loop"] == 0 and animation.info["duration"] == 70
    frames = []
    for index in range(6):
        animation.seek(index)
        frames.append(animation.convert("RGB"))
    assert len({frame.tobytes() for frame in frames}) == 6
    still = Image.open(io.BytesIO(scene.render(320, 192))).convert("RGB")  # the PNG of the same scene
    assert frames[0].getpixel((0, 0)) == still.getpixel((0, 0)) == scene.top
    assert frames[0].getpixel((0, 191)) == still.getpixel((0, 191))


def test_the_indexed_rows_are_the_rows_in_the_palette() -> None:
    """Exact at the gradient's ends, within a rounding step of it between them."""
    scene = _scene()
    palette = scene.palette(200)
    assert len(palette) == len(scene.shapes) + 200
    rows = list(scene.rows(64, 48))
    for y, indexed in enumerate(scene.indexed_rows(64, 48, 200)):
        drawn = b"".join(bytes(palette[index]) for index in indexed)
        if y in (0, 47):
            assert drawn == rows[y]
        assert max(abs(a - b) for a, b in zip(drawn, rows[y], strict=True)) <= 2


def test_an_svg_document_is_xml_with_the_scenes_shapes() -> None:
    scene = _scene()
    document = ElementTree.fromstring(svg_document(scene, 800, 600, "a <golden> sun & a sea", "medium"))
    assert document.tag == f"{SVG}svg" and document.get("viewBox") == "0 0 800 600"
    assert document.findtext(f"{SVG}title") == "a <golden> sun & a sea"
    circles = list(document.iter(f"{SVG}circle"))
    boxes = [rect for rect in document.iter(f"{SVG}rect") if rect.get("fill", "").startswith("#")]
    assert len(circles) + len(boxes) == len(scene.shapes)
    sun = scene.shapes[0]
    assert float(circles[0].get("cx", "")) == pytest.approx(sun.cx * 800, abs=0.05)
    assert circles[0].get("fill") == "#{:02x}{:02x}{:02x}".format(*sun.colour)


@pytest.mark.parametrize("effort", EFFORTS)
def test_every_effort_writes_a_valid_document(effort: str) -> None:
    text = svg_document(_scene(), 256, 256, "x", effort)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert ElementTree.fromstring(text).tag == f"{SVG}svg"

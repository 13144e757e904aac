"""Uploads decoded by Pillow (JPEG and WebP: upright, RGB or RGBA, refused when unreadable or too large) and an
edit's layers (what an SVG edit embeds): stacked as a renderer stacks them, they draw the PNG edit's picture."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageChops

from openai_mock.generation import raster
from openai_mock.generation.images import scene_for
from openai_mock.generation.png import InvalidImage, Picture, decode_png, encode_png

SCENE = scene_for("a violet harbour with amber lights", random.Random(5))
WIDTH, HEIGHT = 96, 64


def _picture(image: Image.Image) -> Picture:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode_png(out.getvalue())


def _base() -> Picture:
    photo = Image.new("RGBA", (80, 80), (200, 90, 20, 255))
    photo.paste((0, 0, 0, 0), (0, 0, 30, 30))  # a see-through corner shows the scene
    return _picture(photo)


def _mask() -> Picture:
    rows = [(b"\x00\x00\x00\x00" if x < 40 else b"\x00\x00\x00\xff") for x in range(80)]
    return decode_png(encode_png(80, 80, [b"".join(rows)] * 80, alpha=True))


def _stacked(layers: raster.EditLayers) -> Image.Image:
    """The layers as an SVG renderer stacks them: scene, input, the scene again at its opacity and the references,
    both only where the mask image is white."""
    size = (WIDTH, HEIGHT)
    scene = Image.frombytes("RGB", size, b"".join(SCENE.rows(WIDTH, HEIGHT))).convert("RGBA")
    picture = scene.copy()
    if layers.base is not None:
        picture = Image.alpha_composite(picture, Image.open(io.BytesIO(layers.base)).convert("RGBA"))
    edit = Image.blend(picture, scene, layers.scene_opacity)
    for inset in layers.insets:
        thumb = Image.open(io.BytesIO(inset.png)).convert("RGBA")
        edit.alpha_composite(thumb, (inset.x, inset.y))
    where = Image.new("L", size, 255)
    if layers.editable is not None:
        where = Image.open(io.BytesIO(layers.editable)).convert("L")
    return Image.composite(edit, picture, where).convert("RGB")


@pytest.mark.parametrize("masked", [False, True])
def test_an_edits_layers_stack_to_the_png_edits_picture(masked: bool) -> None:
    guide = raster.EditGuide(_mask(), "mask") if masked else None
    reference = _picture(Image.new("RGBA", (40, 20), (10, 200, 90, 255)))
    inputs = raster.EditInputs(_base(), guide, [reference], input_kept=0.6)
    composed = raster.compose_edit(SCENE, WIDTH, HEIGHT, inputs)
    stacked = _stacked(raster.edit_layers(WIDTH, HEIGHT, inputs))
    expected = Image.frombytes("RGB", (WIDTH, HEIGHT), b"".join(composed.rows))
    assert max(ImageChops.difference(expected, stacked).tobytes()) <= 2  # rounding of the blend only


def test_a_jpeg_is_decoded_upright_and_a_webp_keeps_its_alpha() -> None:
    photo = Image.new("RGB", (60, 40), (250, 0, 0))
    photo.paste((0, 0, 250), (30, 0, 60, 40))
    exif = Image.Exif()
    exif[0x0112] = 8  # shown turned 90 degrees counter-clockwise
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=95, exif=exif.tobytes())
    upright = raster.decode_photo(out.getvalue())
    assert (upright.width, upright.height, upright.mode) == (40, 60, "RGB")
    assert upright.pixel(20, 5)[2] > 200 and upright.pixel(20, 55)[0] > 200  # the right half went to the top
    clear = io.BytesIO()
    Image.new("RGBA", (8, 8), (1, 2, 3, 0)).save(clear, format="WEBP", lossless=True)
    assert raster.decode_photo(clear.getvalue()).pixel(4, 4)[3] == 0


def test_an_unreadable_or_oversized_photo_is_an_invalid_image(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidImage, match="not a readable JPEG"):
        raster.decode_photo(b"\xff\xd8\xff\xe0 cut short")
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, format="JPEG")
    monkeypatch.setattr(raster, "MAX_DECODED_PIXELS", 9_999)
    with pytest.raises(InvalidImage, match="more than 9,999 pixels"):
        raster.decode_photo(out.getvalue())

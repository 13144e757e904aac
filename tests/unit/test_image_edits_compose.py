"""`raster.compose_edit` (a GPT image model's edit of its input images), the transparent scene, and the tile rule
that bills input images."""

from __future__ import annotations

import random

import pytest

from openai_mock.generation.images import scene_for, sketch_picture
from openai_mock.generation.png import Picture, decode_png, encode_png
from openai_mock.generation.raster import EditGuide, EditInputs, compose_edit
from openai_mock.resources.images import GPT_IMAGE_INPUT_TILES, TEXT_MODEL_TILES, _tile_tokens

SCENE = scene_for("a quiet harbour at dusk", random.Random(7))
SIDE = 128
GREEN, BLUE = (30, 160, 40), (20, 20, 220)


def _square(colour: tuple[int, int, int], alpha: int = 255, side: int = SIDE) -> Picture:
    return decode_png(encode_png(side, side, [bytes((*colour, alpha)) * side] * side, alpha=True))


def _top_half_clear(side: int = SIDE) -> Picture:
    rows = [b"\x00" * 4 * side] * (side // 2) + [b"\x00\x00\x00\xff" * side] * (side // 2)
    return decode_png(encode_png(side, side, rows, alpha=True))


def _drawn() -> Picture:
    return Picture(SIDE, SIDE, 2, list(SCENE.rows(SIDE, SIDE)))


def test_the_opaque_scene_is_drawn_as_before() -> None:
    assert SCENE.render(64, 64) == encode_png(64, 64, SCENE.rows(64, 64))


def test_a_transparent_scene_keeps_only_its_shapes() -> None:
    clear, drawn = decode_png(SCENE.render(SIDE, SIDE, transparent=True)), _drawn()
    assert clear.color_type == 6
    pixels = [(clear.pixel(x, y), drawn.pixel(x, y)) for y in range(0, SIDE, 4) for x in range(0, SIDE, 4)]
    assert {pixel[3] for pixel, _ in pixels} == {0, 255}
    assert all(pixel == (0, 0, 0, 0) or pixel == scene for pixel, scene in pixels)  # shapes as drawn, else clear


def test_a_mask_keeps_the_input_where_opaque_and_paints_the_scene_where_clear() -> None:
    edited = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), guide=EditGuide(_top_half_clear(), "mask")))
    drawn = _drawn()
    assert edited.color_type == 2
    for x in range(0, SIDE, 8):
        assert edited.pixel(x, 10) == drawn.pixel(x, 10)
        assert edited.pixel(x, SIDE - 10)[:3] == GREEN


def test_a_markup_paints_where_it_is_drawn() -> None:
    edited = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), guide=EditGuide(_top_half_clear(), "markup")))
    assert edited.pixel(5, 5)[:3] == GREEN and edited.pixel(5, SIDE - 5) == _drawn().pixel(5, SIDE - 5)


@pytest.mark.parametrize("kept", [0.6, 0.85])
def test_without_a_guide_the_scene_is_blended_over_the_input(kept: float) -> None:
    edited, drawn = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), input_kept=kept)), _drawn()
    for x, y in ((3, 3), (64, 100), (120, 60)):
        expected = [kept * g + (1 - kept) * s for g, s in zip(GREEN, drawn.pixel(x, y)[:3], strict=True)]
        assert all(abs(a - b) <= 1 for a, b in zip(edited.pixel(x, y)[:3], expected, strict=True))


def test_the_inputs_transparent_pixels_show_the_scene() -> None:
    assert compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN, alpha=0))).rows == _drawn().rows


def test_the_input_is_fitted_to_the_size_by_its_centre() -> None:
    rows = [bytes((*(BLUE if y < 8 or y >= 56 else GREEN), 255)) * 64 for y in range(64)]  # blue bands, green middle
    banded = decode_png(encode_png(64, 64, rows, alpha=True))
    edited = compose_edit(
        SCENE,
        192,
        96,
        EditInputs(
            banded,
            guide=EditGuide(decode_png(encode_png(64, 64, [b"\x00\x00\x00\xff" * 64] * 64, alpha=True)), "mask"),
        ),
    )
    assert (edited.width, edited.height) == (192, 96)
    assert edited.pixel(96, 2)[:3] == GREEN and edited.pixel(96, 93)[:3] == GREEN  # the bands cropped away


def test_a_palette_input_is_read_with_its_transparency() -> None:
    # Colour type 3: index 0 green, index 1 fully transparent (tRNS); the transparent half shows the scene.
    paletted = Picture(SIDE, SIDE, 3, [bytes([0] * (SIDE // 2) + [1] * (SIDE // 2))] * SIDE, [GREEN, BLUE], b"\xff\x00")
    edited, drawn = (
        compose_edit(SCENE, SIDE, SIDE, EditInputs(paletted, guide=EditGuide(_square((0, 0, 0)), "mask"))),
        _drawn(),
    )
    assert edited.pixel(10, 10)[:3] == GREEN and edited.pixel(SIDE - 10, 10) == drawn.pixel(SIDE - 10, 10)


def test_references_are_set_in_where_the_edit_may_paint() -> None:
    free = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), references=[_square(BLUE), _square(BLUE)]))
    assert free.pixel(SIDE // 3, SIDE - 20)[:3] == BLUE and free.pixel(2 * SIDE // 3, SIDE - 20)[:3] == BLUE
    guided = compose_edit(
        SCENE, SIDE, SIDE, EditInputs(_square(GREEN), EditGuide(_top_half_clear(), "mask"), [_square(BLUE)])
    )
    assert guided.pixel(SIDE // 2, SIDE - 20)[:3] == GREEN  # the bottom is kept: no reference there


def test_a_transparent_edit_clears_the_sky_where_it_paints_and_keeps_the_inputs_alpha() -> None:
    edited = compose_edit(
        SCENE, SIDE, SIDE, EditInputs(_square(GREEN), EditGuide(_top_half_clear(), "mask")), transparent=True
    )
    clear = decode_png(SCENE.render(SIDE, SIDE, transparent=True))
    assert edited.color_type == 6
    assert all(edited.pixel(x, 4)[3] == clear.pixel(x, 4)[3] for x in range(0, SIDE, 4))
    assert all(edited.pixel(x, SIDE - 4) == (*GREEN, 255) for x in range(0, SIDE, 4))
    unguided = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN)), transparent=True)
    assert [unguided.pixel(x, 4)[3] for x in range(SIDE)] == [clear.pixel(x, 4)[3] for x in range(SIDE)]


def test_compose_is_deterministic_and_its_sketch_samples_it() -> None:
    first = compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), references=[_square(BLUE)]))
    assert compose_edit(SCENE, SIDE, SIDE, EditInputs(_square(GREEN), references=[_square(BLUE)])) == first
    sketch = decode_png(sketch_picture(first, 4))
    assert sketch.pixel(0, 0) == first.pixel(16, 16) and sketch.pixel(127, 127) == first.pixel(112, 112)


@pytest.mark.parametrize(
    ("size", "tokens"),
    [
        ((64, 64), 65 + 129),  # small images are not scaled up: one tile
        ((1024, 1024), 65 + 129),  # the shorter side brought down to 512
        ((1024, 1025), 65 + 129),  # sizes rounded down, as the API bills it
        ((1024, 1536), 65 + 2 * 129),
        ((4096, 1024), 65 + 4 * 129),  # fitted within 2048 first: 2048x512
    ],
)
def test_gpt_image_input_tiles(size: tuple[int, int], tokens: int) -> None:
    assert _tile_tokens(*size, GPT_IMAGE_INPUT_TILES) == tokens


def test_a_text_model_reads_1024_square_as_four_tiles() -> None:
    assert _tile_tokens(1024, 1024, TEXT_MODEL_TILES) == 85 + 4 * 170

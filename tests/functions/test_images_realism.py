"""GPT image answers that honour the picture asked for: a transparent background leaves the scene's sky out (real
RGBA PNG and WebP), an edit transforms its first input image (the scene painted where the mask is clear, or blended
over it by `input_fidelity`, the other images set in as references), and the input images are billed as input
image tokens. Every answer is read through the official SDK and held strictly to its `ImagesResponse`."""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Literal

import openai
import pytest
from openai.types import ImagesResponse
from PIL import Image
from starlette.testclient import TestClient

from openai_mock.generation.png import Picture, decode_png, encode_png
from openai_mock.resources.images import GPT_IMAGE_INPUT_TILES, HIGH_FIDELITY_TOKENS
from tests.support.sdk import held
from tests.support.spec import assert_conforms

PROMPT = "a red fox in a green field"
AUTH = {"Authorization": "Bearer sk-test"}
GREEN, BLUE = (30, 160, 40), (20, 20, 220)
ONE_TILE = GPT_IMAGE_INPUT_TILES.base + GPT_IMAGE_INPUT_TILES.per_tile  # a square input read as one 512-pixel tile


def _png(colour: tuple[int, int, int], side: int = 64, clear: tuple[int, int, int, int] | None = None) -> bytes:
    """A square RGBA picture of one colour, with a fully transparent box (x0, y0, x1, y1) if `clear`."""
    rows = []
    for y in range(side):
        row = bytearray(bytes((*colour, 255)) * side)
        if clear and clear[1] <= y < clear[3]:
            row[clear[0] * 4 : clear[2] * 4] = b"\x00" * ((clear[2] - clear[0]) * 4)
        rows.append(bytes(row))
    return encode_png(side, side, rows, alpha=True)


def _image(body: dict[str, Any], index: int = 0) -> bytes:
    return base64.b64decode(body["data"][index]["b64_json"])


def _generate(client: openai.OpenAI, **options: Any) -> dict[str, Any]:
    raw = client.images.with_raw_response.generate(model="gpt-image-1", prompt=PROMPT, quality="low", **options)
    body = held(ImagesResponse, raw)
    assert_conforms("POST", "/v1/images/generations", 200, body)
    return body  # type: ignore[no-any-return]


def _edit(client: openai.OpenAI, images: list[bytes], **options: Any) -> dict[str, Any]:
    uploads = [(f"in{index}.png", data, "image/png") for index, data in enumerate(images)]
    raw = client.images.with_raw_response.edit(
        image=uploads if len(uploads) > 1 else uploads[0], prompt=PROMPT, model="gpt-image-1", **options
    )
    body = held(ImagesResponse, raw)
    assert_conforms("POST", "/v1/images/edits", 200, body)
    return body  # type: ignore[no-any-return]


def _grid(picture: Picture, step: int = 64) -> list[tuple[int, int]]:
    return [(x, y) for y in range(step // 2, picture.height, step) for x in range(step // 2, picture.width, step)]


# --------------------------------------------------------------------------- background: transparent


def test_a_transparent_png_is_the_scene_without_its_sky(client: openai.OpenAI) -> None:
    clear = _generate(client, background="transparent")
    drawn = _generate(client)
    assert (clear["background"], drawn["background"]) == ("transparent", "opaque")
    picture, opaque = decode_png(_image(clear)), decode_png(_image(drawn))
    assert (picture.color_type, opaque.color_type) == (6, 2)  # a real RGBA PNG; the opaque one is RGB as before
    alphas = {picture.pixel(x, y)[3] for x, y in _grid(picture)}
    assert alphas == {0, 255}  # the backdrop fully clear, the subject fully opaque
    assert picture.pixel(0, 0)[3] == 0  # the sky's corner
    for x, y in _grid(picture):  # the subject is the same request's scene (a transparent background does not seed it)
        if picture.pixel(x, y)[3] == 255:
            assert picture.pixel(x, y)[:3] == opaque.pixel(x, y)[:3]


def test_a_transparent_webp_keeps_its_alpha(client: openai.OpenAI) -> None:
    body = _generate(client, background="transparent", output_format="webp")
    assert (body["background"], body["output_format"]) == ("transparent", "webp")
    with Image.open(io.BytesIO(_image(body))) as picture:
        assert picture.format == "WEBP" and picture.mode == "RGBA"
        assert picture.getchannel("A").getextrema() == (0, 255)
        assert picture.getpixel((0, 0))[3] == 0  # type: ignore[index]


def test_a_transparent_streams_partial_images_are_transparent_too(http: TestClient) -> None:
    asked = {"model": "gpt-image-1", "prompt": PROMPT, "quality": "low", "background": "transparent"}
    answer = http.post("/v1/images/generations", json={**asked, "stream": True, "partial_images": 2}, headers=AUTH)
    events = [json.loads(block.split("data: ", 1)[1]) for block in answer.text.strip().split("\n\n")]
    whole = http.post("/v1/images/generations", json=asked, headers=AUTH).json()
    assert events[-1]["b64_json"] == whole["data"][0]["b64_json"]
    for event in events[:-1]:
        assert event["background"] == "transparent"
        sketch = decode_png(base64.b64decode(event["b64_json"]))
        assert sketch.color_type == 6 and sketch.pixel(0, 0)[3] == 0


@pytest.mark.parametrize("output_format", ["jpeg", "gif", "svg"])
def test_formats_without_alpha_refuse_a_transparent_background(
    client: openai.OpenAI, output_format: Literal["jpeg", "gif", "svg"]
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(
            model="gpt-image-1",
            prompt=PROMPT,
            background="transparent",
            output_format=output_format,
        )
    assert refused.value.param == "background"


# --------------------------------------------------------------------------- edits transform the input


def test_an_edit_with_a_mask_keeps_the_input_and_paints_the_clear_area(client: openai.OpenAI) -> None:
    mask = _png((0, 0, 0), clear=(0, 0, 64, 32))  # the top half clear
    body = _edit(client, [_png(GREEN)], mask=("mask.png", mask, "image/png"), size="1536x1024")
    picture = decode_png(_image(body))
    assert (picture.width, picture.height) == (1536, 1024)
    kept = [picture.pixel(x, y)[:3] for x, y in _grid(picture) if y > 520]
    painted = [picture.pixel(x, y)[:3] for x, y in _grid(picture) if y < 500]
    assert set(kept) == {GREEN}  # the input, exactly, where the mask is opaque
    assert GREEN not in painted and len(set(painted)) > 3  # the prompt's scene where it is clear


def test_an_edit_without_a_mask_blends_the_scene_over_the_input(client: openai.OpenAI) -> None:
    low, high = _edit(client, [_png(GREEN)]), _edit(client, [_png(GREEN)], input_fidelity="high")
    assert _edit(client, [_png(GREEN)])["data"] == low["data"]  # deterministic
    nearer = []
    for body in (low, high):
        picture = decode_png(_image(body))
        assert picture.color_type == 2  # opaque
        distance = [
            sum(abs(a - b) for a, b in zip(picture.pixel(x, y)[:3], GREEN, strict=True)) for x, y in _grid(picture)
        ]
        assert max(distance) > 0  # the scene shows through everywhere
        nearer.append(sum(distance))
    assert nearer[1] < nearer[0] / 2  # high input fidelity keeps much more of the input than low


def test_an_edits_transparent_input_pixels_show_the_scene(client: openai.OpenAI) -> None:
    holed = _edit(client, [_png(GREEN, clear=(0, 0, 32, 64))], input_fidelity="high")  # the left half clear
    picture = decode_png(_image(holed))
    left = [picture.pixel(x, y)[:3] for x, y in _grid(picture) if x < 500]
    right = [picture.pixel(x, y)[:3] for x, y in _grid(picture) if x > 520]
    assert all(colour[1] > 120 for colour in right)  # mostly the green input (85%)
    assert sum(colour[1] > 120 for colour in left) < len(left)  # where the input had nothing: the scene alone


def test_an_edits_other_images_are_set_in_as_references(client: openai.OpenAI) -> None:
    body = _edit(client, [_png(GREEN), _png(BLUE)])
    picture = decode_png(_image(body))
    assert picture.pixel(512, 830)[:3] == BLUE  # the reference's inset, bottom centre
    assert picture.pixel(512, 300)[:3] != BLUE
    # With a mask that only clears the top, the reference goes where the edit may paint: not in the kept bottom.
    mask = _png((0, 0, 0), clear=(0, 0, 64, 32))
    masked = decode_png(_image(_edit(client, [_png(GREEN), _png(BLUE)], mask=("mask.png", mask, "image/png"))))
    assert masked.pixel(512, 830)[:3] == GREEN


def test_a_transparent_edit_clears_the_sky_only_where_it_paints(client: openai.OpenAI) -> None:
    mask = _png((0, 0, 0), clear=(0, 0, 64, 32))
    body = _edit(client, [_png(GREEN)], mask=("mask.png", mask, "image/png"), background="transparent")
    assert body["background"] == "transparent"
    picture = decode_png(_image(body))
    assert picture.color_type == 6
    assert picture.pixel(0, 0)[3] == 0  # the painted top: the scene's sky left out
    assert {picture.pixel(x, y) for x, y in _grid(picture) if y > 520} == {(*GREEN, 255)}  # the kept input


def test_an_edit_streams_sketches_of_the_edited_picture(client: openai.OpenAI) -> None:
    events = list(
        client.images.edit(
            image=("in.png", _png(GREEN), "image/png"),
            prompt=PROMPT,
            model="gpt-image-1",
            stream=True,
            partial_images=3,
        )
    )
    final = decode_png(base64.b64decode(events[-1].b64_json))
    finest = decode_png(base64.b64decode(events[2].b64_json))
    block = 1024 // 16
    for j in range(16):
        for i in range(16):
            x, y = i * block + block // 2, j * block + block // 2
            assert finest.pixel(x - 5, y - 5) == final.pixel(x, y)  # each block is the final picture at its centre


def test_a_json_edit_of_a_url_and_an_image_sets_the_image_in(client: openai.OpenAI) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(_png(BLUE)).decode()
    body = client.post(
        "/images/edits",
        cast_to=ImagesResponse,
        body={"prompt": PROMPT, "images": [{"image_url": "https://example.com/a.png"}, {"image_url": data_url}]},
    )
    assert body.data is not None and body.data[0].b64_json is not None
    picture = decode_png(base64.b64decode(body.data[0].b64_json))
    assert picture.pixel(512, 830)[:3] == BLUE  # the unfetched first image is the scene; the read one is set in
    assert body.usage is not None and body.usage.input_tokens_details.image_tokens == 2 * ONE_TILE


# --------------------------------------------------------------------------- input image tokens


def test_an_edit_bills_its_input_images(client: openai.OpenAI) -> None:
    generation = _generate(client)["usage"]
    assert generation["input_tokens_details"]["image_tokens"] == 0
    one = _edit(client, [_png(GREEN)], quality="low")["usage"]
    two = _edit(client, [_png(GREEN), _png(BLUE, side=1024)], quality="low")["usage"]
    high = _edit(client, [_png(GREEN)], quality="low", input_fidelity="high")["usage"]
    text = one["input_tokens_details"]["text_tokens"]
    assert one["input_tokens_details"]["image_tokens"] == ONE_TILE == 194
    assert two["input_tokens_details"]["image_tokens"] == 2 * ONE_TILE  # a 1024 square is one tile too
    assert high["input_tokens_details"]["image_tokens"] == ONE_TILE + HIGH_FIDELITY_TOKENS["square"]
    for usage in (one, two, high):
        assert usage["input_tokens"] == text + usage["input_tokens_details"]["image_tokens"]
        assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] == usage["input_tokens"] + 272

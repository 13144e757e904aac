"""Edits and variations of PNGs of every kind the format allows: interlaced (Adam7), 1- and 4-bit palettes, 16 bits a
sample. Each is read (the layer's decoder, or Pillow for what it leaves) and the answer is drawn from its pixels;
every answer is held strictly to the SDK's `ImagesResponse` and the spec. And the token rate limit counts what an
image answer's `usage` reports."""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest
from openai.types import ImagesResponse
from PIL import Image

from openai_mock.generation.png import decode_png, encode_png
from openai_mock.settings import reset_settings
from tests.support.sdk import held
from tests.support.spec import assert_conforms
from tests.unit.test_raster_uploads import pillow_png, png_of

PROMPT = "a lighthouse on the rocks at dusk"
ORANGE, TEAL = (240, 120, 10), (10, 150, 150)


def _halves(side: int, depth: int = 8) -> list[list[tuple[int, ...]]]:
    """Opaque RGBA samples: the left half orange, the right half teal (at 8 or 16 bits a sample)."""
    scale, top = (257, 65535) if depth == 16 else (1, 255)
    return [
        [(*(c * scale for c in (ORANGE if x < side // 2 else TEAL)), top) for x in range(side)] for _ in range(side)
    ]


def _mask(side: int) -> bytes:
    """Clear (the edit paints) in the top half, opaque in the bottom half."""
    rows = [(b"\0\0\0\0" if y < side // 2 else b"\0\0\0\xff") * side for y in range(side)]
    return encode_png(side, side, rows, alpha=True)


def _edit(client: openai.OpenAI, image: bytes, **options: Any) -> tuple[dict[str, Any], Any]:
    raw = client.images.with_raw_response.edit(image=("photo.png", image, "image/png"), prompt=PROMPT, **options)
    body = held(ImagesResponse, raw)
    assert_conforms("POST", "/v1/images/edits", 200, body)
    return body, raw


def _picture(body: dict[str, Any]) -> Any:
    return decode_png(base64.b64decode(body["data"][0]["b64_json"]))


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(png_of(_halves(64), 8, 6, interlaced=True), id="interlaced-rgba"),
        pytest.param(png_of(_halves(64, 16), 16, 6), id="16-bit-rgba"),
        pytest.param(png_of(_halves(64, 16), 16, 6, interlaced=True), id="16-bit-interlaced-rgba"),
    ],
)
def test_a_gpt_image_edit_keeps_the_inputs_pixels_where_the_mask_keeps_them(
    client: openai.OpenAI, image: bytes
) -> None:
    body, _ = _edit(client, image, model="gpt-image-1.5", quality="low", mask=("m.png", _mask(64), "image/png"))
    edited = _picture(body)
    assert (edited.width, edited.height) == (1024, 1024)
    assert edited.pixel(10, 1000)[:3] == ORANGE and edited.pixel(1000, 1000)[:3] == TEAL  # kept exactly
    assert edited.pixel(10, 100)[:3] != ORANGE  # the clear half is the prompt's scene


def _palette_photo(side: int) -> Image.Image:
    """A palette image: left half orange (index 0), right half teal (index 1)."""
    image = Image.new("P", (side, side))
    image.putpalette([*ORANGE, *TEAL])
    image.putdata([0 if x < side // 2 else 1 for _ in range(side) for x in range(side)])
    return image


@pytest.mark.parametrize("bits", [1, 4])
def test_a_low_bit_palette_png_is_edited_from_its_colours(client: openai.OpenAI, bits: int) -> None:
    image = pillow_png(_palette_photo(48), bits=bits)
    assert image[24:26] == bytes((bits, 3))  # really written at that depth, as a palette
    body, _ = _edit(client, image, model="gpt-image-1.5", quality="low", mask=("m.png", _mask(48), "image/png"))
    edited = _picture(body)
    assert edited.pixel(10, 1000)[:3] == ORANGE and edited.pixel(1000, 1000)[:3] == TEAL


def test_a_dall_e_2_edit_of_an_interlaced_png_and_a_variation_of_a_4_bit_one(client: openai.OpenAI) -> None:
    # An interlaced RGBA square whose top-left quarter is clear: where a dall-e-2 edit without a mask paints.
    pixels = [
        [(0, 0, 0, 0) if x < 32 and y < 32 else p for x, p in enumerate(row)] for y, row in enumerate(_halves(64))
    ]
    body, _ = _edit(
        client, png_of(pixels, 8, 6, interlaced=True), model="dall-e-2", size="256x256", response_format="b64_json"
    )
    edited = _picture(body)
    assert edited.pixel(20, 200)[:3] == ORANGE and edited.pixel(200, 200)[:3] == TEAL
    assert edited.pixel(20, 20)[:3] not in (ORANGE, TEAL, (0, 0, 0))  # painted with the prompt's scene
    raw = client.images.with_raw_response.create_variation(
        image=("photo.png", pillow_png(_palette_photo(64), bits=4), "image/png"),
        size="256x256",
        response_format="b64_json",
    )
    variation = _picture(held(ImagesResponse, raw))
    red, green, blue, _ = variation.pixel(200, 200)  # teal, its hue drifted a little
    assert blue > red + 60 and green > red + 60
    red, green, blue, _ = variation.pixel(20, 200)  # orange
    assert red > blue + 60


def test_an_unreadable_interlaced_png_is_still_a_400(client: openai.OpenAI) -> None:
    image = png_of(_halves(16), 8, 6, interlaced=True)
    cut = image[:-40] + image[-12:]  # the IDAT's end gone: its CRC fails
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(image=("photo.png", cut, "image/png"), prompt=PROMPT, model="gpt-image-1.5")
    assert refused.value.code == "invalid_image" and refused.value.param == "image"


# --------------------------------------------------------------------------- image tokens and the rate limit


def test_an_edits_image_tokens_count_toward_the_token_rate_limit(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_TOKENS_PER_MINUTE", "5000")
    reset_settings()
    image = png_of(_halves(64), 8, 6, interlaced=True)
    first, raw = _edit(client, image, model="gpt-image-1.5", quality="low", size="1024x1024")
    usage = first["usage"]
    assert usage["input_tokens_details"]["image_tokens"] > 0 and usage["output_tokens"] == 272
    remaining = int(raw.headers["x-ratelimit-remaining-tokens"])
    assert remaining == 5000 - usage["total_tokens"]
    _, again = _edit(client, image, model="gpt-image-1.5", quality="low", size="1024x1024")
    assert int(again.headers["x-ratelimit-remaining-tokens"]) == remaining - usage["total_tokens"]
    # high quality: 4,160 output tokens, more than what is left of the minute's 5,000
    with pytest.raises(openai.RateLimitError) as limited:
        client.with_options(max_retries=0).images.edit(
            image=("photo.png", image, "image/png"), prompt=PROMPT, model="gpt-image-1.5", quality="high"
        )
    assert "on tokens per min (TPM): Limit 5000" in limited.value.message


def test_a_generations_output_tokens_count_toward_the_token_rate_limit(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_TOKENS_PER_MINUTE", "100000")
    reset_settings()
    raw = client.images.with_raw_response.generate(
        prompt=PROMPT, model="gpt-image-1", quality="medium", size="1536x1024"
    )
    usage = held(ImagesResponse, raw)["usage"]
    assert usage["output_tokens"] == 1584 and usage["total_tokens"] == usage["input_tokens"] + 1584
    assert int(raw.headers["x-ratelimit-remaining-tokens"]) == 100000 - usage["total_tokens"]
    dall_e = client.images.with_raw_response.generate(
        prompt=PROMPT, model="dall-e-2", size="256x256", response_format="b64_json"
    )
    assert int(dall_e.headers["x-ratelimit-remaining-tokens"]) == 100000  # billed per image: no tokens counted

"""Images through the official SDK: real PNGs of the requested size, per-model validation, edits and
variations derived from the uploaded picture, and the Lambda handler path."""

from __future__ import annotations

import base64
import random
import urllib.request

import openai
import pytest

from functions.images import app as images_function
from openai_mock.generation.png import PNG_SIGNATURE, _chunk, decode_png, encode_png, png_size
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms


def _png(data_item: object) -> bytes:
    url = getattr(data_item, "url", None)
    if url:
        assert url.startswith("data:image/png;base64,")
        with urllib.request.urlopen(url) as answer:  # a data: URL is fetchable like any other
            return answer.read()
    return base64.b64decode(data_item.b64_json)  # type: ignore[attr-defined]


def _rgba_png(size: int, clear: tuple[int, int, int, int] | None = None) -> bytes:
    """A square RGBA picture, left half red and right half blue, with an optional transparent box."""
    rows = []
    for y in range(size):
        row = bytearray((b"\xff\x00\x00\xff" * (size // 2)) + (b"\x00\x00\xff\xff" * (size - size // 2)))
        if clear and clear[1] <= y < clear[3]:
            row[clear[0] * 4 : clear[2] * 4] = b"\x00\x00\x00\x00" * (clear[2] - clear[0])
        rows.append(bytes(row))
    return encode_png(size, size, rows, alpha=True)


@pytest.mark.parametrize("size", ["256x256", "512x512", "1024x1024"])
def test_generate_dall_e_2_returns_pngs_of_the_requested_size(client: openai.OpenAI, size: str) -> None:
    raw = client.images.with_raw_response.generate(prompt="A cute baby sea otter", n=2, size=size)
    assert_conforms("POST", "/v1/images/generations", 200, raw.http_response.json())
    result = raw.parse()
    assert len(result.data) == 2
    width, height = (int(part) for part in size.split("x"))
    pictures = [decode_png(_png(item)) for item in result.data]
    assert all((p.width, p.height) == (width, height) for p in pictures)
    assert pictures[0].rows != pictures[1].rows  # two different images
    assert all(item.revised_prompt is None for item in result.data)  # only dall-e-3 rewrites prompts


@pytest.mark.parametrize("size", ["1024x1024", "1792x1024", "1024x1792"])
def test_generate_dall_e_3_b64_json_with_revised_prompt(client: openai.OpenAI, size: str) -> None:
    raw = client.images.with_raw_response.generate(
        prompt="A lighthouse on a cliff",
        model="dall-e-3",
        size=size,
        quality="hd",
        style="natural",
        response_format="b64_json",
    )
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/images/generations", 200, body)
    assert set(body["data"][0]) == {"b64_json", "revised_prompt"}
    image = raw.parse().data[0]
    assert image.revised_prompt.startswith("A lighthouse on a cliff.")
    assert "detail" in image.revised_prompt  # hd
    assert png_size(_png(image)) == tuple(int(part) for part in size.split("x"))


def test_generation_is_deterministic_per_prompt_and_seed(client: openai.OpenAI) -> None:
    def picture(prompt: str, seed: str | None = None) -> bytes:
        headers = {"x-mock-seed": seed} if seed else None
        result = client.images.generate(
            prompt=prompt, size="256x256", response_format="b64_json", extra_headers=headers
        )
        return _png(result.data[0])

    assert picture("a green meadow") == picture("a green meadow")
    assert picture("a green meadow") != picture("a yellow meadow")
    assert picture("a green meadow", "1") != picture("a green meadow", "2")
    top_left = decode_png(picture("a green meadow")).pixel(0, 0)
    assert top_left[1] > top_left[0] and top_left[1] > top_left[2]  # the prompt's colour word paints the sky


@pytest.mark.parametrize(
    ("arguments", "param", "code"),
    [
        ({"model": "dall-e-3", "n": 2}, "n", "invalid_value"),
        ({"n": 11}, "n", "integer_above_max_value"),
        ({"n": 0}, "n", "integer_below_min_value"),
        ({"size": "1792x1024"}, "size", "invalid_value"),
        ({"model": "dall-e-3", "size": "512x512"}, "size", "invalid_value"),
        ({"model": "dall-e-3", "quality": "ultra"}, "quality", "invalid_value"),
        ({"model": "dall-e-3", "style": "grunge"}, "style", "invalid_value"),
        ({"response_format": "png"}, "response_format", "invalid_value"),
        ({"prompt": "x" * 1001}, "prompt", "string_above_max_length"),
        ({"model": "dall-e-3", "prompt": "x" * 4001}, "prompt", "string_above_max_length"),
        ({"prompt": ""}, "prompt", "string_below_min_length"),
        ({"model": "tts-1"}, "model", "invalid_value"),
    ],
)
def test_generation_validation_names_the_param(
    client: openai.OpenAI, arguments: dict[str, object], param: str, code: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.generate(**{"prompt": "a cat", **arguments})  # type: ignore[arg-type]
    assert raised.value.body["param"] == param  # type: ignore[index]
    assert raised.value.body["code"] == code  # type: ignore[index]
    assert raised.value.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_dall_e_3_prompt_may_be_longer_than_dall_e_2s(client: openai.OpenAI) -> None:
    result = client.images.generate(prompt="a quiet harbour " * 200, model="dall-e-3", response_format="b64_json")
    assert len(result.data) == 1


def test_unknown_model_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.images.generate(prompt="a cat", model="dall-e-9")


def test_missing_prompt_is_a_400_naming_it(http) -> None:  # type: ignore[no-untyped-def]
    answer = http.post("/v1/images/generations", json={"n": 1}, headers={"authorization": "Bearer sk-test"})
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "prompt"


def test_edit_paints_the_prompt_where_the_image_is_transparent(client: openai.OpenAI) -> None:
    source = _rgba_png(256, clear=(0, 0, 128, 128))  # top-left quarter transparent
    raw = client.images.with_raw_response.edit(
        image=("otter.png", source, "image/png"), prompt="a golden sun", size="512x512", response_format="b64_json"
    )
    assert_conforms("POST", "/v1/images/edits", 200, raw.http_response.json())
    picture = decode_png(_png(raw.parse().data[0]))
    assert (picture.width, picture.height) == (512, 512)
    assert picture.pixel(400, 400)[:3] == (0, 0, 255)  # opaque blue half kept
    assert picture.pixel(200, 400)[:3] == (255, 0, 0)  # opaque red half kept
    assert picture.pixel(60, 60)[:3] not in ((255, 0, 0), (0, 0, 0))  # the cleared area was repainted


def test_edit_with_a_mask_edits_only_the_masks_clear_area(client: openai.OpenAI) -> None:
    opaque = _rgba_png(128)
    mask = _rgba_png(128, clear=(64, 64, 128, 128))  # bottom-right quarter
    result = client.images.edit(
        image=("a.png", opaque, "image/png"),
        mask=("m.png", mask, "image/png"),
        prompt="a green tree",
        size="256x256",
        n=2,
    )
    assert len(result.data) == 2
    picture = decode_png(_png(result.data[0]))
    assert picture.pixel(10, 10)[:3] == (255, 0, 0)
    assert picture.pixel(250, 10)[:3] == (0, 0, 255)
    assert picture.pixel(250, 250)[:3] != (0, 0, 255)


@pytest.mark.parametrize(
    ("image", "mask", "param", "message"),
    [
        (b"GIF89a not a png", None, "image", "must be a PNG and less than 4 MB"),
        (encode_png(4, 2, [b"\x00" * 12] * 2), None, "image", "must be square"),
        (encode_png(4, 4, [b"\x00" * 12] * 4), None, "image", "got RGB"),
        (_rgba_png(64), _rgba_png(32), "mask", "same dimensions"),
        (_rgba_png(64), encode_png(64, 64, [b"\x00" * 192] * 64), "mask", "got RGB"),
        (PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + bytes(17), None, "image", "could not decode"),
    ],
)
def test_edit_rejects_bad_uploads(
    client: openai.OpenAI, image: bytes, mask: bytes | None, param: str, message: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.edit(
            image=("a.png", image, "image/png"), prompt="x", **({"mask": ("m.png", mask, "image/png")} if mask else {})
        )  # type: ignore[arg-type]
    assert raised.value.body["param"] == param  # type: ignore[index]
    assert message in raised.value.body["message"]  # type: ignore[index]


def test_uploads_of_4_mb_or_more_are_rejected(client: openai.OpenAI) -> None:
    # A PNG padded with a large ancillary chunk: valid, square, but too big.
    rng = random.Random(0)
    filler = _chunk(b"tEXt", b"c\x00" + bytes(rng.randrange(256) for _ in range(1024)) * 4096)
    png = _rgba_png(16)
    big = png[:33] + filler + png[33:]
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.create_variation(image=("big.png", big, "image/png"))
    assert raised.value.body["param"] == "image"  # type: ignore[index]


def test_variations_keep_the_pictures_layout(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.create_variation(
        image=("a.png", _rgba_png(64), "image/png"), n=3, size="256x256"
    )
    assert_conforms("POST", "/v1/images/variations", 200, raw.http_response.json())
    pictures = [decode_png(_png(item)) for item in raw.parse().data]
    assert len({bytes(b"".join(p.rows)) for p in pictures}) == 3  # three different variations
    for picture in pictures:
        left, right = picture.pixel(20, 128), picture.pixel(236, 128)
        assert left[0] > 150 and left[2] < 100  # still red on the left
        assert right[2] > 150 and right[0] < 100  # still blue on the right


def test_variation_rejects_dall_e_3(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.create_variation(image=("a.png", _rgba_png(64), "image/png"), model="dall-e-3")
    assert raised.value.body["param"] == "model"  # type: ignore[index]


def test_generate_through_the_lambda_handler() -> None:
    lambda_sdk = lambda_client(images_function.handler, "v1")  # type: ignore[arg-type]
    result = lambda_sdk.images.generate(prompt="an orange kite", size="512x512", response_format="b64_json")
    assert png_size(_png(result.data[0])) == (512, 512)
    edited = lambda_sdk.images.edit(
        image=("a.png", _rgba_png(64, clear=(0, 0, 32, 32)), "image/png"), prompt="a moon", size="256x256"
    )
    assert png_size(_png(edited.data[0])) == (256, 256)

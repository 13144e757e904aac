"""What the 3.63 SDK's images.generate / images.edit add: animated GIFs (`frame_count`, `frame_duration_ms`), SVG
documents (`svg`: author model and reasoning), `complexity`, the `xhigh` / `max` qualities and free `WIDTHxHEIGHT`
sizes of the newer GPT image models, and an edit's `markup`. Every answer is read through the official SDK and held
strictly to its `ImagesResponse`.

The 2026-08-21 spec predates GIF, SVG, `xhigh` / `max` and free sizes (its `output_format`, `quality` and `size`
enums lack them), so only the answers it can describe are also held to it here."""

from __future__ import annotations

import base64
import io
import math
import xml.etree.ElementTree as ElementTree
from typing import Any

import openai
import pytest
from openai.types import ImagesResponse
from PIL import Image

from openai_mock.generation.png import decode_png, encode_png
from tests.support.sdk import held
from tests.support.spec import assert_conforms

PROMPT = "a red fox in a green field"
SVG = "{http://www.w3.org/2000/svg}"


def _bytes(body: dict[str, Any], index: int = 0) -> bytes:
    return base64.b64decode(body["data"][index]["b64_json"])


def _frame_count(data: bytes) -> int:
    count: int = getattr(Image.open(io.BytesIO(data)), "n_frames", 1)
    return count


def _gif_frames(data: bytes) -> list[Image.Image]:
    picture = Image.open(io.BytesIO(data))
    frames = []
    for index in range(_frame_count(data)):
        picture.seek(index)
        frames.append(picture.convert("RGB"))
    return frames


def _close(a: object, b: tuple[int, ...], tolerance: int = 3) -> bool:
    assert isinstance(a, tuple)
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _svg(body: dict[str, Any]) -> ElementTree.Element:
    return ElementTree.fromstring(_bytes(body))


def _refused(client: openai.OpenAI, **arguments: Any) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(**{"prompt": PROMPT, "model": "gpt-image-2", **arguments})
    return refused.value


# --------------------------------------------------------------------------- GIF


def test_a_gif_is_a_looping_animation_of_the_pngs_scene(client: openai.OpenAI) -> None:
    asked: dict[str, Any] = {"model": "gpt-image-2", "prompt": PROMPT, "quality": "low"}
    body = held(
        ImagesResponse,
        client.images.with_raw_response.generate(**asked, output_format="gif", frame_count=4, frame_duration_ms=123),
    )
    data = _bytes(body)
    assert data.startswith(b"GIF89a") and body["output_format"] == "gif"
    animation = Image.open(io.BytesIO(data))
    assert (_frame_count(data), animation.size) == (4, (1024, 1024))
    assert animation.info["loop"] == 0 and animation.info["duration"] == 120  # rounded to the nearest 10 ms
    frames = _gif_frames(data)
    assert len({frame.tobytes() for frame in frames}) == 4  # the sun moves every frame
    still = decode_png(_bytes(client.images.with_raw_response.generate(**asked).http_response.json()))
    for x, y in ((0, 0), (512, 1000), (1000, 700)):  # the PNG's scene, in a 256-colour palette
        assert _close(frames[0].getpixel((x, y)), still.pixel(x, y)[:3])
    assert body["usage"]["output_tokens"] == 4 * 272  # every frame is a low-quality 1024x1024 picture


def test_a_gif_has_nine_frames_by_default_and_a_capped_delay(client: openai.OpenAI) -> None:
    result = client.images.generate(
        model="gpt-image-1.5", prompt=PROMPT, output_format="gif", frame_duration_ms=10_000_000, n=2
    )
    assert result.data is not None and len(result.data) == 2
    data = base64.b64decode(result.data[0].b64_json or "")
    assert _frame_count(data) == 9 and Image.open(io.BytesIO(data)).info["duration"] == 655_350


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"output_format": "gif", "stream": True}, "stream"),
        ({"output_format": "gif", "partial_images": 1}, "partial_images"),
        ({"output_format": "gif", "output_compression": 80}, "output_compression"),
        ({"output_format": "gif", "frame_count": 1}, "frame_count"),
        ({"output_format": "gif", "frame_count": 17}, "frame_count"),
        ({"output_format": "gif", "frame_duration_ms": 0}, "frame_duration_ms"),
        ({"output_format": "gif", "size": "1536x1024"}, "size"),
        ({"output_format": "gif", "background": "transparent"}, "background"),
        ({"frame_count": 4}, "frame_count"),
        ({"output_format": "webp", "frame_duration_ms": 100}, "frame_duration_ms"),
        ({"model": "dall-e-2", "frame_count": 4}, "frame_count"),
    ],
)
def test_what_a_gif_cannot_take_is_a_400_naming_it(
    client: openai.OpenAI, arguments: dict[str, Any], param: str
) -> None:
    assert _refused(client, **arguments).param == param


def test_a_gif_edit_takes_no_mask(client: openai.OpenAI) -> None:
    square = encode_png(64, 64, [b"\x00\x00\x00\x00" * 64] * 64, alpha=True)
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            image=("a.png", square, "image/png"),
            mask=("m.png", square, "image/png"),
            prompt=PROMPT,
            model="gpt-image-2",
            output_format="gif",
        )
    assert refused.value.param == "mask"


# --------------------------------------------------------------------------- SVG


def test_an_svg_is_the_pngs_scene_as_vectors_with_its_authors_usage(client: openai.OpenAI) -> None:
    asked: dict[str, Any] = {"model": "gpt-image-2", "prompt": PROMPT, "size": "1536x864"}
    svg: Any = {"model": "gpt-5.4", "reasoning": {"effort": "high"}}
    body = held(ImagesResponse, client.images.with_raw_response.generate(**asked, output_format="svg", svg=svg))
    document = _svg(body)
    assert document.tag == f"{SVG}svg" and (document.get("width"), document.get("height")) == ("1536", "864")
    assert document.findtext(f"{SVG}title") == PROMPT
    still = decode_png(_bytes(client.images.with_raw_response.generate(**asked).http_response.json()))
    top = document.find(f".//{SVG}stop").get("stop-color")  # type: ignore[union-attr]
    assert top == "#{:02x}{:02x}{:02x}".format(*still.pixel(0, 0)[:3])  # the PNG's sky
    sun = document.find(f".//{SVG}g[@id='sun']/{SVG}circle")
    assert sun is not None
    centre = (round(float(sun.get("cx", ""))), round(float(sun.get("cy", ""))))
    assert sun.get("fill") == "#{:02x}{:02x}{:02x}".format(*still.pixel(*centre)[:3])  # the PNG's sun, there
    assert body["output_format"] == "svg" and body["size"] == "1536x864"
    usage = body["svg_usage"]
    assert usage["model"] == "gpt-5.4" and usage["reasoning_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] > usage["reasoning_tokens"]
    assert body["usage"]["output_tokens"] == math.ceil(4160 * 1536 * 864 / 1024**2)  # the high-quality reference


def test_the_svg_authors_effort_shows_in_the_document_and_its_usage(client: openai.OpenAI) -> None:
    def answer(effort: str) -> dict[str, Any]:
        svg: Any = {"model": "gpt-5", "reasoning": {"effort": effort}}
        raw = client.images.with_raw_response.generate(
            model="gpt-image-1.5", prompt=PROMPT, output_format="svg", svg=svg
        )
        return held(ImagesResponse, raw)

    plain, careful = answer("none"), answer("high")
    assert _svg(plain).find(f"{SVG}title") is None and _svg(plain).find(f"{SVG}g") is None
    assert "." not in _svg(plain).find(f"{SVG}circle").get("cx", "")  # type: ignore[union-attr]
    assert _svg(careful).find(f"{SVG}desc") is not None and _svg(careful).find(f"{SVG}g[@id='land']") is not None
    assert plain["svg_usage"]["reasoning_tokens"] == 0 < careful["svg_usage"]["reasoning_tokens"]


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"output_format": "svg", "n": 2}, "n"),
        ({"output_format": "svg", "stream": True}, "stream"),
        ({"output_format": "svg", "partial_images": 0}, "partial_images"),
        ({"output_format": "svg", "output_compression": 90}, "output_compression"),
        ({"svg": {"model": "gpt-5"}}, "svg"),
        ({"output_format": "svg", "svg": {"model": "dall-e-3"}}, "svg.model"),
        ({"output_format": "svg", "svg": {"model": "gpt-5", "reasoning": {"effort": "max"}}}, "svg.reasoning.effort"),
        ({"output_format": "svg", "svg": {"model": "gpt-4.1", "reasoning": {"effort": "low"}}}, "svg.reasoning.effort"),
        ({"output_format": "svg", "svg": {"model": "gpt-5", "colour": "red"}}, "svg.colour"),
    ],
)
def test_what_an_svg_cannot_take_is_a_400_naming_it(
    client: openai.OpenAI, arguments: dict[str, Any], param: str
) -> None:
    assert _refused(client, **arguments).param == param


def test_an_svg_edit_takes_the_authors_multipart_fields(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.edit(
        image=("a.png", encode_png(64, 64, [b"\x10\x80\x10" * 64] * 64), "image/png"),
        prompt=PROMPT,
        model="gpt-image-2",
        output_format="svg",
        svg={"model": "gpt-5-mini", "reasoning": {"effort": "minimal"}},
    )
    body = held(ImagesResponse, raw)
    assert body["svg_usage"]["model"] == "gpt-5-mini"
    assert _svg(body).find(f"{SVG}title") is None  # minimal effort: a flat list of shapes
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            image=("a.png", encode_png(64, 64, [b"\x10\x80\x10" * 64] * 64), "image/png"),
            prompt=PROMPT,
            model="gpt-image-2",
            output_format="svg",
            svg={"reasoning": {"effort": "low"}},
        )
    assert refused.value.param == "svg.model"


# --------------------------------------------------------------------------- complexity, quality, sizes


def test_complexity_adds_detail_to_one_layout(client: openai.OpenAI) -> None:
    def land(**arguments: Any) -> list[ElementTree.Element]:
        raw = client.images.with_raw_response.generate(
            model="gpt-image-2", prompt=PROMPT, output_format="svg", **arguments
        )
        return list(_svg(held(ImagesResponse, raw)).iterfind(f".//{SVG}g[@id='land']/*"))

    low, default, high = land(complexity="low"), land(), land(complexity="high")
    assert len(low) < len(default) < len(high)
    assert [shape.attrib for shape in high[: len(low)]] == [shape.attrib for shape in low]  # the same first shapes

    def png(**arguments: Any) -> bytes:
        return _bytes(
            client.images.with_raw_response.generate(
                model="gpt-image-2", prompt=PROMPT, **arguments
            ).http_response.json()
        )

    assert png(complexity="medium") == png()  # medium is the default
    assert png(complexity="high") != png()
    assert _refused(client, complexity="extreme").param == "complexity"


@pytest.mark.parametrize(
    ("model", "quality", "tokens"),
    [("gpt-image-2.5-flare", "max", 16640), ("gpt-image-2.5-sunburst-2026-09-08", "xhigh", 8320)],
)
def test_gpt_image_2_5_takes_xhigh_and_max_quality(
    client: openai.OpenAI, model: str, quality: str, tokens: int
) -> None:
    body = held(ImagesResponse, client.images.with_raw_response.generate(model=model, prompt=PROMPT, quality=quality))  # type: ignore[call-overload]
    assert body["quality"] == quality and body["usage"]["output_tokens"] == tokens


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.6-flare", "gpt-image-1-mini"])
def test_other_models_refuse_xhigh(client: openai.OpenAI, model: str) -> None:
    assert _refused(client, model=model, quality="xhigh").param == "quality"


def test_gpt_image_2_draws_any_valid_size(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.generate(
        model="gpt-image-2", prompt=PROMPT, size="1536x864", quality="medium"
    )
    body = held(ImagesResponse, raw)
    assert decode_png(_bytes(body)).width == 1536 and decode_png(_bytes(body)).height == 864
    assert body["size"] == "1536x864" and body["usage"]["output_tokens"] == math.ceil(1056 * 1536 * 864 / 1024**2)
    standard = client.images.with_raw_response.generate(model="gpt-image-2", prompt=PROMPT, size="1536x1024")
    assert_conforms("POST", "/v1/images/generations", 200, standard.http_response.json())


@pytest.mark.parametrize(
    ("model", "size"),
    [
        ("gpt-image-1.5", "1536x864"),  # a standard size only
        ("gpt-image-2.6-sunburst", "1536x864"),
        ("gpt-image-2", "1000x1000"),  # not multiples of 16
        ("gpt-image-2", "3200x1024"),  # wider than 3:1
        ("gpt-image-2", "3840x2176"),  # over 3840x2160
        ("gpt-image-2", "4096x1536"),  # over 3840 a side
        ("gpt-image-2", "512x512"),  # too few pixels
        ("gpt-image-2", "wide"),
    ],
)
def test_sizes_the_model_cannot_draw_are_a_400_naming_size(client: openai.OpenAI, model: str, size: str) -> None:
    assert _refused(client, model=model, size=size).param == "size"


# --------------------------------------------------------------------------- markup


def _halves() -> tuple[bytes, bytes]:
    """A red picture, and a markup drawn over its left half (the right half transparent)."""
    picture = encode_png(64, 64, [b"\xff\x00\x00" * 64] * 64)
    markup = encode_png(64, 64, [b"\x00\x00\x00\xff" * 32 + b"\x00\x00\x00\x00" * 32] * 64, alpha=True)
    return picture, markup


def test_a_markup_says_where_the_edit_paints_the_prompt(client: openai.OpenAI) -> None:
    picture, markup = _halves()
    raw = client.images.with_raw_response.edit(
        image=("a.png", picture, "image/png"),
        markup=("m.png", markup, "image/png"),
        prompt="a blue sea",
        model="gpt-image-2.5-sunburst",
    )
    body = held(ImagesResponse, raw)
    assert_conforms("POST", "/v1/images/edits", 200, body)
    edited = decode_png(_bytes(body))
    assert all(edited.pixel(x, y)[:3] == (255, 0, 0) for x in (600, 1000) for y in (10, 500, 1000))  # kept
    assert all(edited.pixel(x, y)[:3] != (255, 0, 0) for x in (10, 400) for y in (10, 500, 1000))  # repainted
    unguided = client.images.with_raw_response.edit(
        image=("a.png", picture, "image/png"), prompt="a blue sea", model="gpt-image-2.5-sunburst"
    )
    # Without the markup the same scene is blended over the whole picture (input_fidelity low keeps 60% of it).
    blended = decode_png(_bytes(unguided.http_response.json())).pixel(10, 10)[:3]
    red = (255, 0, 0)
    assert all(abs(blended[c] - (0.6 * red[c] + 0.4 * edited.pixel(10, 10)[c])) <= 1 for c in range(3))


@pytest.mark.parametrize(
    ("model", "markup", "mask", "message"),
    [
        ("gpt-image-2", None, None, "GPT Image 2.5"),
        ("dall-e-2", None, None, "only supported for GPT Image 2.5"),
        ("gpt-image-2.5-flare", None, "mask", "cannot be combined with mask"),
        ("gpt-image-2.5-flare", encode_png(32, 32, [b"\x00" * 128] * 32, alpha=True), None, "same dimensions"),
        ("gpt-image-2.5-flare", encode_png(64, 64, [b"\x00\x00\x00\xff" * 64] * 64, alpha=True), None, "transparent"),
        ("gpt-image-2.5-flare", encode_png(64, 64, [b"\x00\x00\x00" * 64] * 64), None, "transparent"),
    ],
)
def test_a_markup_the_edit_cannot_take_is_a_400_naming_it(
    client: openai.OpenAI, model: str, markup: bytes | None, mask: str | None, message: str
) -> None:
    picture, halves = _halves()
    extra: dict[str, Any] = {"mask": ("m.png", halves, "image/png")} if mask else {}
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            image=("a.png", picture, "image/png"),
            markup=("k.png", markup or halves, "image/png"),
            prompt="a blue sea",
            model=model,
            **extra,
        )
    assert refused.value.param == "markup" and message in refused.value.message

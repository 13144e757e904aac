"""`POST /v1/images/edits` with a JSON body (the 2026-08-21 spec's `EditImageBodyJsonParam`): input images referenced
by File id, data URL or URL instead of uploaded. The official SDK uploads edits as multipart, so these tests send
the JSON through the SDK's own client (`client.post`), and hold every answer to its `ImagesResponse` model and the
spec. The same checks, fixtures, usage and safety identifiers apply as to a multipart edit."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import openai
import pytest
from openai import Stream
from openai.types import ImageEditStreamEvent, ImagesResponse
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.generation.png import PNG_SIGNATURE, decode_png, encode_png
from openai_mock.resources import images, ratelimits
from openai_mock.resources.batches import DEFAULT_MODELS
from openai_mock.resources.organization.usage import recorded
from openai_mock.web.auth import principal_for_key
from tests.support.mock_fixtures import add_fixture
from tests.support.spec import assert_conforms

PROMPT = "Add a small sailboat on the water"
AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(1_750_032_000)
    ratelimits.reset()


def _png(colour: tuple[int, int, int, int], side: int = 32) -> bytes:
    return encode_png(side, side, [bytes(colour) * side] * side, alpha=True)


RED, BLUE = _png((200, 30, 30, 255)), _png((20, 20, 220, 255))


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _edit(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    """A JSON edit's answer, held to the SDK's `ImagesResponse` and the spec."""
    answer = client.post("/images/edits", cast_to=httpx.Response, body={"prompt": PROMPT, **body})
    whole: dict[str, Any] = answer.json()
    ImagesResponse.model_validate(whole, strict=True)
    assert_conforms("POST", "/v1/images/edits", 200, whole)
    return whole


def _picture(answer: dict[str, Any], index: int = 0) -> bytes:
    return base64.b64decode(answer["data"][index]["b64_json"])


def test_a_json_edit_reads_its_images_by_file_id_and_data_url(client: openai.OpenAI) -> None:
    red = client.files.create(file=("red.png", RED), purpose="vision").id
    by_file = _edit(client, images=[{"file_id": red}], model="gpt-image-1", quality="low", n=2)
    by_data_url = _edit(client, images=[{"image_url": _data_url(RED)}], model="gpt-image-1", quality="low", n=2)
    other = _edit(client, images=[{"image_url": _data_url(BLUE)}], model="gpt-image-1", quality="low", n=2)
    assert len(by_file["data"]) == 2 and _picture(by_file).startswith(PNG_SIGNATURE)
    assert decode_png(_picture(by_file)).width == 1024  # size auto
    assert (by_file["quality"], by_file["size"], by_file["output_format"]) == ("low", "1024x1024", "png")
    assert by_file["usage"]["output_tokens"] == 2 * 272  # two low-quality squares
    # The image's bytes decide the edit, not how they were referenced: another image, another picture.
    assert by_file["data"] == by_data_url["data"]
    assert by_file["data"] != other["data"]


def test_a_json_edit_makes_the_picture_the_same_multipart_edit_makes(client: openai.OpenAI) -> None:
    options: dict[str, Any] = {"model": "gpt-image-1", "quality": "medium", "size": "1536x1024", "background": "opaque"}
    as_json = _edit(client, images=[{"image_url": _data_url(RED)}], **options)
    uploaded = client.images.edit(image=("red.png", RED, "image/png"), prompt=PROMPT, **options)
    assert as_json["data"][0]["b64_json"] == uploaded.data[0].b64_json
    assert decode_png(_picture(as_json)).width == 1536


def test_an_edit_of_unfetched_urls_renders_the_prompts_scene(client: openai.OpenAI) -> None:
    harbour = _edit(client, images=[{"image_url": "https://example.com/harbour.png"}])
    again = _edit(client, images=[{"image_url": "https://example.com/harbour.png"}])
    elsewhere = _edit(client, images=[{"image_url": "https://example.com/lake.png"}])
    assert harbour["quality"] == "high"  # gpt-image-1.5, the JSON edits' default model, at quality auto
    picture = decode_png(_picture(harbour))
    assert (picture.width, picture.height) == (1024, 1024)
    assert len({picture.pixel(x, y) for x in range(0, 1024, 128) for y in range(0, 1024, 128)}) > 4  # a scene
    assert harbour["data"] == again["data"] and harbour["data"] != elsewhere["data"]  # the URL stands for its image


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": "dall-e-2", "images": [{"image_url": _data_url(RED)}]}, 400, "model"),
        ({"model": "gpt-image-9", "images": [{"image_url": _data_url(RED)}]}, 404, "model"),
        ({"images": []}, 400, "images"),
        ({"images": [{"image_url": "https://a.b/c.png"}] * 17}, 400, "images"),
        ({"images": [{"image_url": "https://a.b/c.png", "file_id": "file-abc"}]}, 400, "images[0]"),
        ({"images": [{}]}, 400, "images[0]"),
        ({"images": [{"image_url": _data_url(RED)}, {"file_id": "file-nope"}]}, 404, "images[1].file_id"),
        ({"images": [{"image_url": "data:image/png;base64,aGVsbG8="}]}, 400, "images[0]"),
        ({"images": [{"image_url": "data:image/png;base64,%%%"}]}, 400, "images[0].image_url"),
        ({"images": [{"image_url": "ftp://example.com/a.png"}]}, 400, "images[0].image_url"),
        (
            {"images": [{"image_url": _data_url(RED)}], "mask": {"image_url": _data_url(_png((0, 0, 0, 0), 16))}},
            400,
            "mask",
        ),
        ({"images": [{"image_url": _data_url(RED)}], "mask": {"file_id": "file-nope"}}, 404, "mask.file_id"),
        ({"images": [{"image_url": _data_url(RED)}], "moderation": "strict"}, 400, "moderation"),
        (
            {"images": [{"image_url": _data_url(RED)}], "output_format": "gif", "mask": {"image_url": _data_url(RED)}},
            400,
            "mask",
        ),
        ({"images": [{"image_url": _data_url(RED)}], "markup": {"image_url": _data_url(RED)}}, 400, "markup"),
        ({"prompt": "", "images": [{"image_url": _data_url(RED)}]}, 400, "prompt"),
        ({"images": "https://a.b/c.png"}, 400, "images"),
    ],
)
def test_what_a_json_edit_cannot_take_is_refused_naming_the_param(
    client: openai.OpenAI, body: dict[str, Any], status: int, param: str
) -> None:
    with pytest.raises(openai.APIStatusError) as refused:
        _edit(client, **body)
    assert (refused.value.status_code, refused.value.body["param"]) == (status, param)  # type: ignore[index]


def test_a_json_edit_mask_must_fit_the_first_image(client: openai.OpenAI) -> None:
    clear = _png((0, 0, 0, 0))
    answer = _edit(client, images=[{"image_url": _data_url(RED)}], mask={"image_url": _data_url(clear)})
    assert answer != _edit(client, images=[{"image_url": _data_url(RED)}])  # the mask is part of the seed
    rgb_mask = encode_png(32, 32, [b"\x00" * 96] * 32)
    with pytest.raises(openai.BadRequestError) as refused:
        _edit(client, images=[{"image_url": _data_url(RED)}], mask={"image_url": _data_url(rgb_mask)})
    assert refused.value.param == "mask" and "got RGB" in refused.value.message


def test_a_json_edit_streams_its_partial_images(client: openai.OpenAI) -> None:
    stream = client.post(
        "/images/edits",
        cast_to=ImagesResponse,
        body={"prompt": PROMPT, "images": [{"image_url": _data_url(BLUE)}], "stream": True, "partial_images": 2},
        stream=True,
        stream_cls=Stream[ImageEditStreamEvent],
    )
    events = list(stream)
    assert [event.type for event in events] == ["image_edit.partial_image"] * 2 + ["image_edit.completed"]
    assert base64.b64decode(events[-1].b64_json).startswith(PNG_SIGNATURE)


def test_a_json_edit_is_recorded_as_image_edit_usage(client: openai.OpenAI) -> None:
    _edit(client, images=[{"image_url": _data_url(RED)}], n=3, quality="low")
    tenant = principal_for_key("sk-test").tenant
    billed = [record for record in recorded(tenant) if record["kind"] == "images"]
    assert [(r["dims"]["model"], r["dims"]["source"], r["metrics"]["images"]) for r in billed] == [
        ("gpt-image-1.5", "image.edit", 3)
    ]


def test_a_json_edit_answers_a_fixtures_image(http: TestClient, client: openai.OpenAI) -> None:
    given = base64.b64encode(b"\xff\xd8\xff\xe0 not really a jpeg").decode()
    add_fixture(http, match={"endpoint": "images.edits", "contains": "sailboat"}, response={"b64": given})
    assert _edit(client, images=[{"image_url": _data_url(RED)}])["data"][0]["b64_json"] == given


def test_a_deactivated_safety_identifier_may_not_edit_by_json(client: openai.OpenAI, http: TestClient) -> None:
    body = {"images": [{"image_url": _data_url(RED)}], "safety_identifier": "user_9"}
    assert _edit(client, **body)["data"]
    http.post("/__mock/safety/cases", json={"entity_identifier": "user_9", "notice": "deactivation"}, headers=AUTH)
    with pytest.raises(openai.BadRequestError) as refused:
        _edit(client, **body)
    assert refused.value.code == "safety_identifier_blocked"


def test_a_batch_edit_line_has_the_endpoints_default_model() -> None:
    assert DEFAULT_MODELS["/v1/images/edits"] == images.DEFAULT_JSON_EDIT_MODEL


def test_a_multipart_edit_takes_the_sdks_list_of_images(client: openai.OpenAI) -> None:
    # The SDK sends a list as `image[]` parts; every image is checked and seeds the edit, as in JSON.
    both = client.images.edit(image=[("a.png", RED), ("b.png", BLUE)], prompt=PROMPT, model="gpt-image-1")
    as_json = _edit(client, images=[{"image_url": _data_url(RED)}, {"image_url": _data_url(BLUE)}], model="gpt-image-1")
    alone = client.images.edit(image=("a.png", RED), prompt=PROMPT, model="gpt-image-1")
    assert both.data is not None and alone.data is not None
    assert both.data[0].b64_json == as_json["data"][0]["b64_json"] != alone.data[0].b64_json
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(image=[("a.png", RED), ("b.png", b"not a png")], prompt=PROMPT, model="gpt-image-1")
    assert refused.value.param == "image"
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(image=[("a.png", RED), ("b.png", BLUE)], prompt=PROMPT, model="dall-e-2")
    assert refused.value.param == "image" and "exactly one image" in refused.value.message

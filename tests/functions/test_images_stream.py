"""Streamed images (`stream: true`, `partial_images`: the 2026-08-21 spec's image generation and edit streams, GPT
image models): partial images, coarse to fine, then the finished image with its usage — the same image the JSON
answer gives — each event held to the spec's schema and read by the official SDK's stream."""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.generation.png import decode_png, encode_png
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
PROMPT = "a red fox in a green field"


def _events(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    found = []
    for block in answer.text.strip().split("\n\n"):
        name, data = block.split("\n")
        event = json.loads(data.removeprefix("data: "))
        assert name == f"event: {event['type']}"
        found.append(event)
    return found


def _colours(b64: str) -> int:
    picture = decode_png(base64.b64decode(b64))
    return len({picture.pixel(x, y) for x in range(0, picture.width, 8) for y in range(0, picture.height, 8)})


def test_a_generation_streams_its_partial_images_then_the_image_of_the_json_answer(http: TestClient) -> None:
    asked = {"model": "gpt-image-1", "prompt": PROMPT, "size": "1536x1024", "quality": "low"}
    events = _events(
        http.post("/v1/images/generations", json={**asked, "stream": True, "partial_images": 3}, headers=AUTH)
    )
    for event in events:
        assert_conforms("POST", "/v1/images/generations", 200, event, "text/event-stream")
    assert [event["type"] for event in events] == ["image_generation.partial_image"] * 3 + [
        "image_generation.completed"
    ]
    assert [event.get("partial_image_index") for event in events] == [0, 1, 2, None]
    for event in events:
        assert (event["size"], event["quality"], event["output_format"]) == ("1536x1024", "low", "png")
        assert decode_png(base64.b64decode(event["b64_json"])).width == 1536
    sketches = [_colours(event["b64_json"]) for event in events[:3]]
    assert sketches == sorted(sketches) and sketches[0] < sketches[2]  # coarse to fine

    whole = http.post("/v1/images/generations", json=asked, headers=AUTH).json()
    assert events[-1]["b64_json"] == whole["data"][0]["b64_json"] and events[-1]["usage"] == whole["usage"]
    assert whole["usage"]["output_tokens"] == 408


def test_the_sdk_reads_an_edit_stream(client: openai.OpenAI) -> None:
    source = encode_png(64, 64, [b"\x10\x80\x10" * 64] * 64)
    stream = client.images.edit(
        image=("field.png", source, "image/png"),
        prompt=PROMPT,
        model="gpt-image-1",
        stream=True,
        partial_images=1,
        input_fidelity="high",
        output_format="webp",
    )
    events = list(stream)
    assert [event.type for event in events] == ["image_edit.partial_image", "image_edit.completed"]
    assert base64.b64decode(events[-1].b64_json)[8:12] == b"WEBP"
    assert events[-1].usage.total_tokens > 0  # type: ignore[union-attr]


def test_no_partial_images_is_one_event(client: openai.OpenAI) -> None:
    events = list(client.images.generate(model="gpt-image-1", prompt=PROMPT, stream=True))
    assert [event.type for event in events] == ["image_generation.completed"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "gpt-image-1", "stream": True, "partial_images": 4}, "partial_images"),
        ({"model": "gpt-image-1", "stream": True, "n": 2}, "n"),
        ({"model": "dall-e-3", "stream": True}, "stream"),
        ({"model": "dall-e-2", "partial_images": 1}, "partial_images"),
    ],
)
def test_a_stream_the_model_cannot_make_is_a_400_naming_the_param(
    http: TestClient, body: dict[str, Any], param: str
) -> None:
    answer = http.post("/v1/images/generations", json={"prompt": PROMPT, **body}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param


def test_an_edits_input_fidelity_is_checked(client: openai.OpenAI) -> None:
    source = encode_png(64, 64, [b"\x10\x80\x10" * 64] * 64)
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.edit(
            image=("field.png", source, "image/png"), prompt=PROMPT, model="gpt-image-1", input_fidelity="medium"
        )  # type: ignore[arg-type]
    assert refused.value.param == "input_fidelity"


def test_a_deactivated_safety_identifier_may_not_make_images(client: openai.OpenAI, http: TestClient) -> None:
    assert client.images.generate(model="gpt-image-1", prompt=PROMPT, safety_identifier="user_5").data
    http.post("/__mock/safety/cases", json={"entity_identifier": "user_5", "notice": "deactivation"}, headers=AUTH)
    with pytest.raises(openai.BadRequestError) as refused:
        client.images.generate(model="gpt-image-1", prompt=PROMPT, safety_identifier="user_5")
    assert refused.value.code == "safety_identifier_blocked"

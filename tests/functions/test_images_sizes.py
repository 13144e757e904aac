"""Free `WIDTHxHEIGHT` sizes of the Responses `image_generation` tool, through the official SDK: the models that draw
at any size (gpt-image-2 and its snapshot, GPT Image 2.5) take one within their limits and draw the picture at it;
the others (and the tool's default model, gpt-image-2.6-sunburst) take the standard sizes only. Each broken rule is a
400 naming `tools[i].size`. (The Images API's own free sizes: test_images_formats.py.)"""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest
from openai.types.responses import Response

from openai_mock.generation.png import decode_png
from tests.support.sdk import held

MODEL = "gpt-5.4"
ASK = "Draw a picture of a lighthouse at dusk"


def _tool(**fields: Any) -> dict[str, Any]:
    return {"type": "image_generation", "output_format": "png", **fields}


@pytest.mark.parametrize("image_model", ["gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare"])
def test_the_image_tool_draws_at_a_free_size_of_a_model_that_takes_one(client: openai.OpenAI, image_model: str) -> None:
    raw = client.responses.with_raw_response.create(
        model=MODEL, input=ASK, tools=[_tool(model=image_model, size="1536x864", quality="low")]
    )
    body = held(Response, raw)
    call = next(item for item in body["output"] if item["type"] == "image_generation_call")
    picture = decode_png(base64.b64decode(call["result"]))
    assert (picture.width, picture.height, call["size"]) == (1536, 864, "1536x864")


@pytest.mark.parametrize(
    ("tool", "shown"),
    [
        (_tool(size="1536x864"), "1536x864"),  # the default model: standard sizes only
        (_tool(model="gpt-image-1.5", size="1536x864"), "1536x864"),
        (_tool(model="gpt-image-2", size="1000x1000"), "divisible by 16"),
        (_tool(model="gpt-image-2", size="3200x1024"), "between 1:3 and 3:1"),
        (_tool(model="gpt-image-2", size="3840x2176"), "3840x2160"),
        (_tool(model="gpt-image-2", size="512x512"), "at least"),
        (_tool(model="gpt-image-2", size="wide"), "WIDTHxHEIGHT"),
    ],
)
def test_a_size_the_tools_model_cannot_draw_is_a_400_naming_it(
    client: openai.OpenAI, tool: dict[str, Any], shown: str
) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=ASK, tools=[{"type": "web_search"}, tool])
    error: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    assert error["param"] == "tools[1].size" and shown in error["message"]


def test_a_standard_size_still_draws_with_the_default_model(client: openai.OpenAI) -> None:
    body = held(
        Response, client.responses.with_raw_response.create(model=MODEL, input=ASK, tools=[_tool(size="1024x1536")])
    )
    call = next(item for item in body["output"] if item["type"] == "image_generation_call")
    picture = decode_png(base64.b64decode(call["result"]))
    assert (picture.width, picture.height) == (1024, 1536)

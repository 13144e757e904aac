"""Moderations (`POST /v1/moderations`): request model, input parsing and the real API's checks, creation.

`input` is a string, an array of strings (one result each) or an array of text and image parts (one
result); `openai_mock.generation.moderation` classifies each."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

from openai_mock import ids
from openai_mock.control.api import answer_of
from openai_mock.errors import from_validation_errors, invalid_request
from openai_mock.fields import RequestModel
from openai_mock.generation import tokens
from openai_mock.generation.moderation import Item, classify, given_result
from openai_mock.resources.models import model_of_kind

DEFAULT_MODEL = "omni-moderation-latest"
# What the response's `model` says: legacy aliases resolve to their snapshot, as the real API does.
_RESPONSE_MODEL = {"text-moderation-latest": "text-moderation-007", "text-moderation-stable": "text-moderation-007"}
INVALID_INPUT_MESSAGE = (
    "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."
)


# --------------------------------------------------------------------------- request models


class _TextPart(RequestModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["text"]
    text: str


class _ImageURL(RequestModel):
    model_config = ConfigDict(extra="forbid")
    url: str


class _ImagePart(RequestModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["image_url"]
    image_url: _ImageURL


_Part = Annotated[_TextPart | _ImagePart, Field(discriminator="type")]
_PARTS = TypeAdapter(list[_Part])


class ModerationRequest(RequestModel):
    """`CreateModerationRequest`. `input` is checked by hand, to answer with the real API's wording."""

    model_config = ConfigDict(extra="forbid")

    input: JsonValue
    model: str = DEFAULT_MODEL


# --------------------------------------------------------------------------- the request


def _check_image_url(url: str, index: int) -> None:
    if not re.match(r"^(?:https?://[^\s/]+\S*|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=\s]+)$", url):
        raise invalid_request(
            f"Invalid image URL: '{url[:64]}'. Expected a URL or a base64-encoded data URL of an image.",
            f"input[{index}].image_url.url",
            "invalid_image_url",
        )


def _without_tag(location: tuple[Any, ...]) -> tuple[Any, ...]:
    """(0, "text", "text") → (0, "text"): pydantic names the union member after the index; OpenAI does not."""
    if len(location) >= 2 and isinstance(location[0], int) and location[1] in ("text", "image_url"):
        return (location[0], *location[2:])
    return location


def _parse_parts(parts: list[Any]) -> list[_TextPart | _ImagePart]:
    try:
        return _PARTS.validate_python(parts)
    except ValidationError as error:
        located = [{**detail, "loc": ("body", "input", *_without_tag(detail["loc"]))} for detail in error.errors()]
        raise from_validation_errors(located) from None


def _multimodal_item(parts: list[Any], omni: bool, model: str) -> Item:
    """An array of text/image parts is ONE input (one result), as with the real API."""
    parsed = _parse_parts(parts)
    images = []
    for index, part in enumerate(parsed):
        if isinstance(part, _ImagePart):
            _check_image_url(part.image_url.url, index)
            images.append(part.image_url.url)
    if images and not omni:
        raise invalid_request(f"The model '{model}' does not support image inputs.", "input", "invalid_value")
    if len(images) > 1:
        raise invalid_request("Only one image can be moderated per request.", "input", "invalid_value")
    texts = [part.text for part in parsed if isinstance(part, _TextPart)]
    return Item("\n".join(texts), tuple(images), has_text=bool(texts))


def _items(value: JsonValue, omni: bool, model: str) -> list[Item]:
    """One item per result: a string, each string of an array, or a whole array of multimodal parts."""
    if isinstance(value, str):
        return [Item(value)]
    if not isinstance(value, list) or not value:
        raise invalid_request(INVALID_INPUT_MESSAGE, "input")
    if all(isinstance(item, str) for item in value):
        return [Item(item) for item in value]  # type: ignore[arg-type]
    if all(isinstance(item, dict) for item in value):
        return [_multimodal_item(value, omni, model)]
    raise invalid_request(INVALID_INPUT_MESSAGE, "input")


def create_moderation(tenant: str, request: ModerationRequest) -> tuple[dict[str, Any], int]:
    """`POST /v1/moderations`: one result per input, and the tokens it counts for rate limits."""
    model = model_of_kind(
        tenant,
        request.model,
        "moderation",
        f"The model '{request.model}' is not a moderation model. Use omni-moderation-latest or text-moderation-latest.",
    ).id
    omni = model.startswith("omni-")
    items = _items(request.input, omni, model)
    token_count = sum(tokens.count_tokens(item.text, model) for item in items)
    answer = answer_of(
        tenant,
        "moderations",
        {"model": request.model, "messages": [{"role": "user", "content": item.text} for item in items]},
        body=request.model_dump(exclude_none=True),
    )
    results = [classify(item, omni) for item in items]
    if answer is not None and any(name in answer for name in ("flagged", "categories", "category_scores")):
        results = [given_result(result, answer, omni) for result in results]
    response = {
        "id": ids.new_id("moderation"),
        "model": _RESPONSE_MODEL.get(model, model),
        "results": results,
    }
    return response, token_count

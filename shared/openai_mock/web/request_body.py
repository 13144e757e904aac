"""Reading a route's JSON body into its request model: the one way every JSON-taking route gets its body.

pydantic parses and validates the bytes in one pass (`model_validate_json`), where a FastAPI body parameter
would decode the JSON to Python objects first and validate them after, at ~10 µs more per request (and build a
TypeAdapter around every request model when its route is declared). Failures are worded as FastAPI's would have
been (errors.from_validation_errors)."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from openai_mock.errors import JSON_PARSE_MESSAGE, from_validation_errors, invalid_request
from openai_mock.web.access import check_body

Model = TypeVar("Model", bound=BaseModel)


async def json_body(request: Request, model: type[Model]) -> Model:
    """The body as `model`; 400 with OpenAI's wording when it is absent, not JSON, or invalid."""
    parsed = await optional_json_body(request, model)
    if parsed is None:
        raise invalid_request(JSON_PARSE_MESSAGE)
    return parsed


async def optional_json_body(request: Request, model: type[Model]) -> Model | None:
    """The body as `model`, or None for an empty body (routes whose body is optional)."""
    raw = await request.body()
    if not raw or raw.strip() == b"null":
        return None
    if not _declares_json(request.headers.get("content-type")):
        raise invalid_request(JSON_PARSE_MESSAGE)
    try:
        parsed = model.model_validate_json(raw)
    except ValidationError as error:
        # Located under "body" as FastAPI locates them: a body field may be called `query` or `path` too.
        located = [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors()]
        raise from_validation_errors(located) from None
    check_body(request, parsed)  # a project key's model and hosted-tool permissions (web/access.py)
    return parsed


def _declares_json(content_type: str | None) -> bool:
    """No content type, application/json or application/*+json: what FastAPI reads as JSON."""
    if not content_type:
        return True
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))

"""How routes hand objects back. Builders already produce spec-shaped dicts; routes wrap them in
`JSONObject`, serialised in one pass by `json_bytes` (orjson or pydantic-core: no re-validation against a
`dict` return annotation, no stdlib encoder: each cost more than the rest of a simple request)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse, Response

from openai_mock.json_bytes import json_bytes
from openai_mock.web.sse import sse_stream


class JSONObject(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json_bytes(content)


class EncodedJSON(Response):
    """An answer already encoded as JSON text."""

    media_type = "application/json"


def respond(answer: dict[str, Any] | Iterable[bytes] | Response) -> Response:
    """Endpoints that answer JSON or a stream (`stream: true`) hand back either: an object becomes JSONObject,
    encoded events (`generation.streaming.sse_event`) the event stream."""
    if isinstance(answer, Response):
        return answer
    return JSONObject(answer) if isinstance(answer, dict) else sse_stream(answer)

"""Request bodies that come as multipart forms (what the SDKs send when a field may be a file) or as JSON, read
into one shape: a dict of fields where files are `Upload`s and `a[b]=…` form keys nest as {"a": {"b": …}}, as
the SDKs write nested objects in a form."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from starlette.datastructures import UploadFile
from starlette.requests import Request

from openai_mock.errors import JSON_PARSE_MESSAGE, invalid_request


class Upload(NamedTuple):
    filename: str
    content_type: str
    data: bytes


async def read_fields(request: Request) -> dict[str, Any]:
    """The body's fields: multipart (`a[b]=…` nests, files become `Upload`s) or a JSON object."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        fields: dict[str, Any] = {}
        form = await request.form()
        for key, value in form.multi_items():
            item: Any = value
            if isinstance(value, UploadFile):
                item = Upload(value.filename or "", value.content_type or "", await value.read())
            name, _, rest = key.partition("[")
            if rest.endswith("]"):
                nested = fields.setdefault(name, {})
                if isinstance(nested, dict):
                    nested[rest[:-1]] = item
                continue
            fields[key] = item
        return fields
    raw = await request.body()
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise invalid_request(JSON_PARSE_MESSAGE) from None
    if not isinstance(parsed, dict):
        raise invalid_request(JSON_PARSE_MESSAGE)
    return parsed

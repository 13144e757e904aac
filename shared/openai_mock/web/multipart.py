"""Bodies that come either as JSON or as multipart/form-data (container files, skills): the form read into
plain values, files as (filename, bytes), with the array spellings the SDKs use (`files`, `files[]`, `files[0]`)."""

from __future__ import annotations

import re

from starlette.datastructures import UploadFile
from starlette.requests import Request

from openai_mock.errors import invalid_request


class Form:
    """A multipart body's fields and files, filled as it is read: a slotted plain class (docs/architecture.md,
    cold starts)."""

    __slots__ = ("fields", "files")

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.files: dict[str, list[tuple[str, bytes]]] = {}

    def files_named(self, name: str) -> list[tuple[str, bytes]]:
        return self.files.get(name, [])


_ARRAY = re.compile(r"^(?P<name>[^\[\]]+)\[\d*\]$")


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def read_form(request: Request) -> Form:
    """The multipart body: text fields by name (the last of repeated ones), files by name, in the order sent;
    `files[]` and `files[3]` are both `files`."""
    try:
        raw = await request.form(max_files=10_000, max_fields=10_000)
    except Exception as error:  # python-multipart's parse errors: a malformed body is the client's 400
        raise invalid_request(f"Could not parse the multipart form body: {error}.") from None
    form = Form()
    for key, value in raw.multi_items():
        match = _ARRAY.match(key)
        name = match.group("name") if match else key
        if isinstance(value, UploadFile):
            form.files.setdefault(name, []).append((value.filename or "upload", await value.read()))
        else:
            form.fields[name] = value
    return form

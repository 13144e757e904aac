"""Stored files a model reads: the `file_id` of a Responses `input_file` part or of a Chat `file` part, resolved to
the file's bytes and name before generation and handed over inline, as `file_data` and `filename` (generation reads
a document the same way whatever its source: generation/documents.py). Only the copy the model reads is inline: what
is stored and listed (input items, a later turn's context, stored chat messages) keeps the `file_id` as sent.

A file of any purpose can be read (an upload for `user_data` or `assistants`, a batch's output .jsonl, …) except an
image, which a document part does not take (a 400; images go in image parts). An unknown file, or another key's, is
the Files API's 404 naming the part's `file_id`."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from openai_mock.errors import invalid_request
from openai_mock.generation import documents
from openai_mock.resources import files

# Where an item holds content parts that may carry files.
_PARTS_FIELD = {"message": "content", "function_call_output": "output", "custom_tool_call_output": "output"}


def check_not_image(name: str, data: bytes, param: str) -> None:
    """A document part's bytes must not be an image (a guess at the API's rule, docs/responses.md)."""
    kind = documents.image_format(name, data)
    if kind is not None:
        shown = f"'{name}'" if name else "the file"
        raise invalid_request(
            f"Invalid '{param}': {shown} is an image ({kind}), which a file input does not take. Send images as "
            "image inputs.",
            param,
            "unsupported_file",
        )


def _inline(tenant: str, file_id: str, param: str) -> dict[str, str]:
    """A stored file as a document part carries it inline: its bytes (base64) and its name."""
    found = files.get_file(tenant, file_id, param)
    data = files.file_bytes(tenant, found, param)
    check_not_image(found["filename"], data, param)
    return {"file_data": base64.b64encode(data).decode("ascii"), "filename": found["filename"]}


# --------------------------------------------------------------------------------------------- responses


class ReadTurn:
    """A Responses turn's items as the model reads them (stored files inline), and back as they were sent."""

    def __init__(self, tenant: str) -> None:
        self._tenant = tenant
        self._sent: dict[int, dict[str, Any]] = {}  # a read copy's identity → the item as sent

    def read(self, items: Sequence[dict[str, Any]], param: str | None) -> list[dict[str, Any]]:
        """`items` with every stored file their parts name inline. `param` names them in errors (`input`); None for
        the earlier turns' items, whose files were read when they were sent: one deleted since is left unread."""
        return [self._read_item(item, param and f"{param}[{index}]") for index, item in enumerate(items)]

    def as_sent(self, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self._sent.get(id(item), item) for item in items]

    def _read_item(self, item: dict[str, Any], param: str | None) -> dict[str, Any]:
        field = _PARTS_FIELD.get(item["type"], "")
        parts = item.get(field)
        if not isinstance(parts, list) or not any(_names_stored_file(part) for part in parts):
            return item
        read_parts = [
            self._read_part(part, param and f"{param}.{field}[{index}]") if _names_stored_file(part) else part
            for index, part in enumerate(parts)
        ]
        read = {**item, field: read_parts}
        self._sent[id(read)] = item
        return read

    def _read_part(self, part: dict[str, Any], param: str | None) -> dict[str, Any]:
        if param is not None:
            return {**part, **_inline(self._tenant, part["file_id"], f"{param}.file_id")}
        found = files.find_file(self._tenant, part["file_id"])
        if found is None:
            return part
        data = files.file_bytes(self._tenant, found, None)
        return {**part, "file_data": base64.b64encode(data).decode("ascii"), "filename": found["filename"]}


def _names_stored_file(part: Any) -> bool:
    return isinstance(part, Mapping) and part.get("type") == "input_file" and isinstance(part.get("file_id"), str)


# --------------------------------------------------------------------------------------------- chat


def read_messages(tenant: str, messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages as the model reads them: each `file` part's stored file inline; a `file_data` image is refused
    as a stored one is. Messages without files are the same objects."""
    read = []
    for index, message in enumerate(messages):
        content = message.get("content")
        if not isinstance(content, list) or not any(part.get("type") == "file" for part in content):
            read.append(message)
            continue
        param = f"messages[{index}].content"
        parts = [_read_chat_part(tenant, part, f"{param}[{at}].file") for at, part in enumerate(content)]
        read.append({**message, "content": parts})
    return read


def _read_chat_part(tenant: str, part: dict[str, Any], param: str) -> dict[str, Any]:
    file = part.get("file")
    if part.get("type") != "file" or not isinstance(file, Mapping):
        return part
    if isinstance(file.get("file_id"), str):
        return {**part, "file": {**file, **_inline(tenant, file["file_id"], f"{param}.file_id")}}
    data = documents.decoded(file["file_data"]) if isinstance(file.get("file_data"), str) else None
    if data is not None:
        check_not_image(str(file.get("filename") or ""), data, f"{param}.file_data")
    return part

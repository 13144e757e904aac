"""The File object family: bytes in the blob store, metadata in the object store.

Other groups use this module to store what they generate (batch output, fine-tuning results,
assistants output) and to read their inputs:

    create_file(tenant, "output.jsonl", "batch_output", data)  -> File object (dict)
    get_file(tenant, file_id)                                   -> File object, or 404 "No such File object: …"
    read_file_bytes(tenant, file_id)                            -> the exact bytes stored
    file_bytes(tenant, file)                                    -> the same, for a File object already read
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openai_mock import clock
from openai_mock.as_of import SORA_SHUTDOWN, answering_day
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object

COLLECTION = "file"

# What a client may upload, and what only the platform writes.
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
OUTPUT_PURPOSES = ("assistants_output", "batch_output", "fine-tune-results")

# The real API's limits. Constants, not settings: the API does not let a caller change them.
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_BATCH_FILE_BYTES = 200 * 1024 * 1024
# What a batch can run (the spec's `CreateBatchRequest.endpoint`); `/v1/videos` only until the Videos API's shut-down.
BATCH_ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
VISION_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp")
# `expires_after.seconds` bounds: one hour to thirty days.
MIN_EXPIRY_SECONDS = 3600
MAX_EXPIRY_SECONDS = 30 * 24 * 3600

_CHAT_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
_API_NAMES = {"batch": "Batch API", "fine-tune": "Fine-Tuning API", "evals": "Evals API"}


# --------------------------------------------------------------------------- validation


def check_purpose(purpose: str, allowed: tuple[str, ...] = PURPOSES) -> str:
    """The purpose a client may ask for, or the real API's enum error."""
    if purpose not in allowed:
        listed = ", ".join(f"'{value}'" for value in allowed)
        raise invalid_request(f"'{purpose}' is not one of [{listed}] - 'purpose'", "purpose", "invalid_value")
    return purpose


def expiry_from(expires_after: dict[str, Any] | None, created_at: int) -> int | None:
    """`expires_after: {anchor: "created_at", seconds}` → the file's `expires_at` (None: kept until deleted)."""
    if expires_after is None:
        return None
    anchor = expires_after.get("anchor")
    if anchor != "created_at":
        raise invalid_request(
            f"Invalid value for 'expires_after.anchor': expected 'created_at', but got {anchor!r}.",
            "expires_after.anchor",
            "invalid_value",
        )
    seconds = expires_after.get("seconds")
    if isinstance(seconds, str) and seconds.isdigit():  # multipart form fields arrive as text
        seconds = int(seconds)
    if (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not (MIN_EXPIRY_SECONDS <= seconds <= MAX_EXPIRY_SECONDS)
    ):
        raise invalid_request(
            f"Invalid value for 'expires_after.seconds': expected an integer between {MIN_EXPIRY_SECONDS} "
            f"and {MAX_EXPIRY_SECONDS}, but got {seconds!r}.",
            "expires_after.seconds",
            "invalid_value",
        )
    return created_at + seconds


def _too_large(size: int, limit: int) -> OpenAIError:
    return OpenAIError(
        413,
        f"File is too large ({size} bytes). The maximum file size is {limit // (1024 * 1024)} MB.",
        param="file",
        code="file_too_large",
    )


def _bad_format(purpose: str, detail: str) -> OpenAIError:
    return invalid_request(f"Invalid file format for {_API_NAMES[purpose]}. {detail}", "file", "invalid_file_format")


def _jsonl_objects(purpose: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; the first line that is not a JSON object is a 400."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad_format(purpose, "The file must be UTF-8 encoded JSONL.") from None
    lines: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise _bad_format(purpose, f"Line {number} is not valid JSON: {error.msg}.") from None
        if not isinstance(value, dict):
            raise _bad_format(purpose, f"Line {number} must be a JSON object.")
        lines.append((number, value))
    if not lines:
        raise _bad_format(purpose, "The file contains no lines.")
    return lines


def batch_endpoints() -> tuple[str, ...]:
    """The endpoints a batch can run as of the answering day (OPENAI_MOCK_AS_OF): none of the Videos API's once
    it is shut down."""
    if answering_day() >= SORA_SHUTDOWN:
        return tuple(endpoint for endpoint in BATCH_ENDPOINTS if endpoint != "/v1/videos")
    return BATCH_ENDPOINTS


def _batch_line_problem(line: dict[str, Any], seen: set[str]) -> str | None:
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return "missing required field 'custom_id' (a non-empty string)."
    if custom_id in seen:
        return f"the custom_id '{custom_id}' is used more than once; each request needs a unique custom_id."
    seen.add(custom_id)
    if line.get("method") != "POST":
        return f"invalid 'method' {line.get('method')!r}; only 'POST' is supported."
    url, served = line.get("url"), batch_endpoints()
    if url not in served:
        return f"invalid 'url' {url!r}; supported URLs are {', '.join(served)}."
    if not isinstance(line.get("body"), dict):
        return "missing required field 'body' (a JSON object with the request parameters)."
    return None


def _messages_problem(messages: Any, where: str, need_assistant: bool) -> str | None:
    if not isinstance(messages, list) or not messages:
        return f"'{where}' must be a non-empty array of messages."
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"'{where}[{index}]' must be an object."
        role = message.get("role")
        if role not in _CHAT_ROLES:
            return f"'{where}[{index}].role' must be one of {', '.join(_CHAT_ROLES)}, but got {role!r}."
        if "content" not in message and not message.get("tool_calls") and not message.get("function_call"):
            return f"'{where}[{index}]' is missing 'content'."
    if need_assistant and not any(message["role"] == "assistant" for message in messages):
        return f"'{where}' must contain at least one assistant message."
    return None


def _fine_tune_line_problem(line: dict[str, Any]) -> str | None:
    if "messages" in line:  # chat format
        # A reinforcement fine-tuning example is a prompt (no assistant answer) with the fields its grader reads.
        prompt_only = len(line) > 1 and isinstance(line["messages"], list)
        return _messages_problem(line["messages"], "messages", need_assistant=not prompt_only)
    if "input" in line or "preferred_output" in line:  # preference (DPO) format
        source = line.get("input")
        if not isinstance(source, dict):
            return "'input' must be an object with 'messages'."
        problem = _messages_problem(source.get("messages"), "input.messages", need_assistant=False)
        for key in ("preferred_output", "non_preferred_output"):
            problem = problem or _messages_problem(line.get(key), key, need_assistant=True)
        return problem
    if "prompt" in line or "completion" in line:  # legacy completions format (babbage-002, davinci-002)
        if not isinstance(line.get("prompt"), str) or not isinstance(line.get("completion"), str):
            return "'prompt' and 'completion' must both be strings."
        return None
    return (
        "expected a chat example with 'messages', or a preference example with 'input', "
        "'preferred_output' and 'non_preferred_output'."
    )


LineCheck = Callable[[dict[str, Any]], str | None]  # a line → what is wrong with it, or None


def _check_jsonl(purpose: str, filename: str, data: bytes, line_problem: LineCheck) -> None:
    if not filename.lower().endswith(".jsonl"):
        raise _bad_format(purpose, "Must be .jsonl")
    for number, line in _jsonl_objects(purpose, data):
        problem = line_problem(line)
        if problem is not None:
            raise _bad_format(purpose, f"Line {number}: {problem}")


def validate_content(purpose: str, filename: str, data: bytes) -> None:
    """The checks the real API makes for each purpose before it accepts a file."""
    if not data:
        raise invalid_request("The file is empty. Upload a file with content.", "file", "empty_file")
    if purpose == "batch":
        if len(data) > MAX_BATCH_FILE_BYTES:
            raise invalid_request(
                f"File is too large for Batch API ({len(data)} bytes). Batch input files must be at most "
                f"{MAX_BATCH_FILE_BYTES // (1024 * 1024)} MB.",
                "file",
                "file_too_large",
            )
        seen: set[str] = set()
        _check_jsonl(purpose, filename, data, lambda line: _batch_line_problem(line, seen))
    elif purpose == "fine-tune":
        _check_jsonl(purpose, filename, data, _fine_tune_line_problem)
    elif purpose == "evals":
        _check_jsonl(purpose, filename, data, lambda line: None)  # noqa: ARG005
    elif purpose == "vision" and not filename.lower().endswith(VISION_EXTENSIONS):
        raise invalid_request(
            f"Invalid file format for vision: '{filename}'. Supported formats are png, jpeg, gif and webp.",
            "file",
            "invalid_file_format",
        )


# --------------------------------------------------------------------------- objects


def _blob_key(file_id: str) -> str:
    return f"file/{file_id}"


def _file_object(
    file_id: str, filename: str, purpose: str, size: int, created_at: int, expires_at: int | None
) -> Object:
    obj: Object = {
        "id": file_id,
        "object": "file",
        "bytes": size,
        "created_at": created_at,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }
    if expires_at is not None:  # `expires_at` is not nullable in the spec: absent when the file never expires
        obj["expires_at"] = expires_at
    return obj


def create_file(
    tenant: str,
    filename: str,
    purpose: str,
    data: bytes,
    *,
    expires_at: int | None = None,
    max_bytes: int | None = None,
) -> Object:
    """Validate and store a file (client uploads and platform output alike); returns the File object.
    `max_bytes` defaults to MAX_FILE_BYTES (uploads in parts may be larger)."""
    check_purpose(purpose, PURPOSES + OUTPUT_PURPOSES)
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if purpose in PURPOSES:
        validate_content(purpose, filename, data)
    file_id = new_id("file")
    obj = _file_object(file_id, filename, purpose, len(data), clock.now_seconds(), expires_at)
    # Bytes first: a File whose metadata exists always has its bytes. If the metadata write fails,
    # the orphan blob is removed, so nothing is left half-written.
    blobs = get_blobs()
    blobs.put(tenant, _blob_key(file_id), data)
    try:
        return get_store().create(tenant, COLLECTION, obj)
    except BaseException:
        blobs.delete(tenant, _blob_key(file_id))
        raise


def _expired(obj: Object) -> bool:
    expires_at = obj.get("expires_at")
    return expires_at is not None and expires_at <= clock.now()


def find_file(tenant: str, file_id: str) -> Object | None:
    """The File object, or None (unknown, or past its `expires_at`: expired files are gone)."""
    obj = get_store().get(tenant, COLLECTION, file_id)
    if obj is None or _expired(obj):
        return None
    return obj


def get_file(tenant: str, file_id: str, param: str | None = "id") -> Object:
    """The File object, or OpenAI's 404 "No such File object: file-…" (naming `param`)."""
    return usable_file(find_file(tenant, file_id), file_id, param)


def usable_file(obj: Object | None, file_id: str, param: str | None = "id") -> Object:
    """`get_file` of a record already read (None: unknown): the 404 for none or an expired one."""
    if obj is None or _expired(obj):
        raise not_found("File", file_id, param)
    return obj


def read_file_bytes(tenant: str, file_id: str, param: str | None = "id") -> bytes:
    """The exact bytes of a file (404 like get_file)."""
    return file_bytes(tenant, get_file(tenant, file_id, param), param)


def file_bytes(tenant: str, file: Object, param: str | None = "id") -> bytes:
    """The exact bytes of a File object already read (its record is not read again: a round trip on AWS)."""
    data = get_blobs().get(tenant, _blob_key(file["id"]))
    if data is None:
        raise not_found("File", file["id"], param)
    return data


def list_files(tenant: str, params: ListParams, *, purpose: str | None = None) -> Object:
    def wanted(obj: Object) -> bool:
        return not _expired(obj) and (purpose is None or obj["purpose"] == purpose)

    return list_object(
        get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after, where=wanted)
    )


def delete_file(tenant: str, file_id: str) -> Object:
    """Delete metadata and bytes; returns OpenAI's deletion object."""
    get_file(tenant, file_id)
    if get_store().delete(tenant, COLLECTION, file_id) is None:
        raise not_found("File", file_id, "id")
    get_blobs().delete(tenant, _blob_key(file_id))
    return {"id": file_id, "object": "file", "deleted": True}

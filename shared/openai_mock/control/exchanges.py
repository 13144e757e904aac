"""Recorded exchanges as fixtures (docs/controls.md, "Record and replay"): the one writer of the `exchange` format.

`serve --record` (local/recording.py) writes what it relays with these; the journal's export
(`GET /__mock/requests/export?format=exchanges`, control/journal_export.py) writes what the mock answered. Secrets
are redacted on the way: `authorization`-like headers and every `sk-…` string."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "openai-organization", "openai-project", "api-key", "x-api-key"}
)
_SECRET = re.compile(r"sk-[A-Za-z0-9_\-]{6,}")
# Not relayed either way: hop-by-hop, or no longer true of the body once httpx has decoded it.
HOP_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding", "accept-encoding"}
)

# The endpoints whose requests fixtures match (control/fixture_models.Endpoint), by path.
FIXTURE_ENDPOINTS = {
    "/v1/chat/completions": "chat.completions",
    "/v1/completions": "completions",
    "/v1/responses": "responses",
    "/v1/embeddings": "embeddings",
}
# The endpoints whose fixtures give typed answers (docs/controls.md), by path.
TYPED_FIXTURE_ENDPOINTS = {
    "/v1/moderations": "moderations",
    "/v1/images/generations": "images.generations",
    "/v1/images/edits": "images.edits",
    "/v1/images/variations": "images.variations",
    "/v1/audio/speech": "audio.speech",
    "/v1/audio/transcriptions": "audio.transcriptions",
    "/v1/audio/translations": "audio.translations",
}


# --------------------------------------------------------------------------------------------- redaction


def redact_text(text: str) -> str:
    return _SECRET.sub("sk-" + REDACTED, text)


def redact(value: Any) -> Any:
    """Every `sk-…` string inside a JSON value replaced."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: REDACTED if name in SECRET_HEADERS else redact_text(value)
        for name, value in headers.items()
        if name not in HOP_HEADERS
    }


# --------------------------------------------------------------------------------------------- request keys


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in ("application/json", "") or content_type.endswith("+json")


def request_record(method: str, path: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The `exchange.request` of a fixture: what replay compares, secrets redacted."""
    record: dict[str, Any] = {"method": method, "path": redact_text(path), "headers": redact_headers(headers)}
    content_type = headers.get("content-type", "")
    if body and _is_json(content_type):
        try:
            record["body"] = redact(json.loads(body))
            return record
        except ValueError:
            pass
    if body and not content_type.startswith("multipart/"):
        record["body_sha256"] = hashlib.sha256(body).hexdigest()
    return record


def request_key(request: Mapping[str, Any]) -> str:
    """Method + path + body, canonical: two requests alike in these are the same recording."""
    body = request.get("body")
    return json.dumps(
        [request["method"].upper(), request["path"], body, request.get("body_sha256")],
        sort_keys=True,
        separators=(",", ":"),
    )


# --------------------------------------------------------------------------------------------- answers


def parse_event(block: str, delay_ms: int) -> dict[str, Any]:
    event: str | None = None
    data: list[str] = []
    simple = True
    for line in block.split("\n"):
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
        else:
            simple = False
    parsed: dict[str, Any] = {"delay_ms": delay_ms}
    data_text = "\n".join(data)
    if simple and event_text({"event": event, "data": data_text}) == block + "\n\n":
        parsed["data"] = redact_text(data_text)
        if event:
            parsed["event"] = event
    else:
        parsed["raw"] = redact_text(block)
    return parsed


def event_text(event: Mapping[str, Any]) -> str:
    if event.get("raw") is not None:
        return event["raw"] + "\n\n"
    lines = [f"event: {event['event']}"] if event.get("event") else []
    lines += [f"data: {line}" for line in (event.get("data") or "").split("\n")]
    return "\n".join(lines) + "\n\n"


def response_record(status: int, headers: Mapping[str, str], body: bytes) -> tuple[dict[str, Any], bytes | None]:
    """The `exchange.response` of a non-stream answer, and the bytes to keep beside it (binary bodies)."""
    record: dict[str, Any] = {"status": status, "headers": redact_headers(headers)}
    content_type = headers.get("content-type", "")
    if not body:
        return record, None
    if "json" in content_type:
        try:
            text = body.decode()
            parsed = json.loads(text)
        except ValueError:
            pass
        else:
            if json.dumps(parsed, ensure_ascii=False, separators=(",", ":")) == text:
                record["body"] = redact(parsed)
                return record, None
            for indent in (2, 4):
                if json.dumps(parsed, ensure_ascii=False, indent=indent) == text:
                    record.update(body=redact(parsed), indent=indent)
                    return record, None
            record["text"] = redact_text(text)
            return record, None
    if content_type.startswith("text/") or "json" in content_type:
        try:
            record["text"] = redact_text(body.decode())
            return record, None
        except UnicodeDecodeError:
            pass
    return record, body

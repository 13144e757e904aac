"""The journal as a fixture file (`GET /__mock/requests/export`, docs/controls.md "Journal"), so what a session
sent and got can be served again: oldest first (the order the requests arrived in, the order a replay needs).

- `format=fixtures` (default): one matching fixture per model request (chat completions, completions, Responses,
  embeddings, moderations): `match` = the endpoint + the model + the last user text (exactly: an anchored `regex`;
  for embeddings and moderations the `input` as sent), `response` = what was answered (the text and tool calls,
  streams put back together; embeddings' vectors; the moderation verdict, when every input got the same one; an
  error status as `response.error`).
  Identical requests answered several times get `call: 1, 2…`, so they replay in order. Served by the mock's
  fixture matching everywhere (`--fixtures`, `POST /__mock/fixtures`, a Lambda's fixtures file).
- `format=exchanges`: every request, as `serve --record` writes it (`exchange`, written by control/exchanges.py),
  for `serve --replay`: byte-identical JSON, event-identical streams with their timing.

What cannot be exported is listed in `skipped` (`{"id", "reason"}`): bodies the journal cut (over 64 KB),
binary answers, and in `fixtures` format requests to other endpoints."""

from __future__ import annotations

import base64
import bisect
import json
import re
import struct
from collections.abc import Mapping
from typing import Any, Literal

from openai_mock.control import exchanges, runtime
from openai_mock.control.runtime import JournalEntry, JournalFilter
from openai_mock.generation.content import content_text
from openai_mock.generation.streaming import split_events

Format = Literal["fixtures", "exchanges"]
# What a fixture can answer again as it was answered (images and audio would need their bytes: format=exchanges).
_EXPORTED = frozenset({"chat.completions", "completions", "responses", "embeddings", "moderations"})
_BY_INPUT = frozenset({"embeddings", "moderations"})  # matched on the `input` as sent, whole
_CUT = "the journal kept part of a body (64 KB of each; 16 KB of an entry in a shared store)"
_SECRET_HEADERS = {name.decode() for name in runtime.SECRET_HEADERS}


def export(tenant: str, chosen: JournalFilter, form: Format = "fixtures") -> dict[str, Any]:
    entries = runtime.journal_raw(tenant, chosen)
    made: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    seen: dict[str, list[dict[str, Any]]] = {}
    for entry_id, entry, whole in entries:
        if not whole:
            skipped.append({"id": entry_id, "reason": _CUT})
            continue
        fixture, reason = _exchange(entry) if form == "exchanges" else _fixture(entry)
        if fixture is None:
            skipped.append({"id": entry_id, "reason": reason})
            continue
        made.append(fixture)
        if form == "fixtures":
            seen.setdefault(json.dumps(fixture["match"], sort_keys=True), []).append(fixture)
    for alike in seen.values():  # the same request answered several times: the n-th gets the n-th answer
        if len(alike) > 1:
            for call, fixture in enumerate(alike, 1):
                fixture["match"]["call"] = call
    return {"fixtures": made, "skipped": skipped}


# --------------------------------------------------------------------------------------------- exchanges


def _headers(raw: list[tuple[bytes, bytes]] | None) -> dict[str, str]:
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in raw or ()
        if name.decode("latin-1") not in _SECRET_HEADERS
    }


def _exchange(entry: JournalEntry) -> tuple[dict[str, Any] | None, str]:
    path = f"{entry.path}?{entry.query}" if entry.query else entry.path
    request = exchanges.request_record(entry.method, path, _headers(entry.headers), bytes(entry.body))
    answer = entry.answer
    if answer is None:
        return None, "no answer was journalled"
    headers = _headers(answer.headers)
    body = bytes(answer.body)
    if headers.get("content-type", "").startswith("text/event-stream"):
        response: dict[str, Any] = {
            "status": entry.status,
            "headers": exchanges.redact_headers(headers),
            "events": _events(body, answer.writes),
        }
    else:
        response, binary = exchanges.response_record(entry.status, headers, body)
        if binary is not None:
            return None, "a binary answer (record it with `serve --record` to keep its bytes)"
    fixture = {"name": f"{entry.method} {request['path']}", "exchange": {"request": request, "response": response}}
    return fixture, ""


def _events(body: bytes, writes: list[tuple[int, float]]) -> list[dict[str, Any]]:
    """A stream's events with the delay each left after the previous one (the journal's write times)."""
    offsets = [offset for offset, _ in writes]
    events, start, last = [], 0, 0.0
    for raw in split_events(body):
        write = max(0, bisect.bisect_right(offsets, start) - 1)
        at = writes[write][1] if writes else 0.0
        block = raw.decode("utf-8", "surrogateescape").replace("\r\n", "\n").rstrip("\n")
        if block:
            events.append(exchanges.parse_event(block, max(0, round(at - last))))
            last = at
        start += len(raw)
    return events


# --------------------------------------------------------------------------------------------- fixtures


def _fixture(entry: JournalEntry) -> tuple[dict[str, Any] | None, str]:
    endpoint = exchanges.FIXTURE_ENDPOINTS.get(entry.path) or exchanges.TYPED_FIXTURE_ENDPOINTS.get(entry.path)
    if endpoint not in _EXPORTED:
        return None, f"no fixture answers {entry.method} {entry.path}: export with format=exchanges"
    if not entry.body:
        return None, "the request's body was not read (refused before it, e.g. by an x-mock-fault header)"
    try:
        request = json.loads(bytes(entry.body))
    except ValueError:
        return None, "the request body is not JSON"
    if not isinstance(request, dict) or entry.answer is None:
        return None, "no JSON request or no answer"
    match: dict[str, Any] = {"endpoint": endpoint}
    if isinstance(request.get("model"), str):
        match["model"] = request["model"]
    if endpoint in _BY_INPUT:  # the inputs as sent, whole: one fixture answers exactly these
        match["body"] = [{"path": "input", "equals": request.get("input")}]
    else:
        text = _last_user_text(endpoint, request)
        if text:
            match["regex"] = r"\A" + re.escape(text) + r"\Z"
    answer = _answered(endpoint, entry)
    if answer is None:
        return None, "the answer holds neither text, tool calls, vectors, one verdict for every input nor an error"
    return {"name": f"{entry.method} {entry.path}", "match": match, "response": answer}, ""


def _last_user_text(endpoint: str, request: Mapping[str, Any]) -> str:
    """What a fixture's `contains`/`regex` is matched against by default: the last user message."""
    if endpoint == "completions":
        prompt = request.get("prompt")
        return prompt if isinstance(prompt, str) else (prompt[-1] if prompt and isinstance(prompt[-1], str) else "")
    if endpoint == "responses":
        given = request.get("input")
        if isinstance(given, str):
            return given
        messages = [item for item in given or [] if isinstance(item, Mapping)]
    else:
        messages = [item for item in request.get("messages") or [] if isinstance(item, Mapping)]
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def _answered(endpoint: str, entry: JournalEntry) -> dict[str, Any] | None:
    if entry.answer is None:
        return None
    headers = _headers(entry.answer.headers)
    body = bytes(entry.answer.body)
    if headers.get("content-type", "").startswith("text/event-stream"):
        return _from_stream(endpoint, [_data(raw) for raw in split_events(body)])
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    if entry.status >= 400 or answer.get("error"):
        return _error(entry.status, answer)
    if endpoint == "embeddings":
        return _embedded(answer)
    if endpoint == "moderations":
        return _verdict(answer)
    if endpoint == "responses":
        return _from_output(answer.get("output") or [])
    choice = (answer.get("choices") or [{}])[0]
    if endpoint == "completions":
        return {"content": choice.get("text") or ""}
    message = choice.get("message") or {}
    calls = [
        {"name": call["function"]["name"], "arguments": call["function"]["arguments"]}
        for call in message.get("tool_calls") or []
        if call.get("type", "function") == "function"
    ]
    return _content_and_calls(message.get("content"), calls)


def _error(status: int, answer: Mapping[str, Any]) -> dict[str, Any]:
    error = answer.get("error") or {}
    return {"error": {"status": status, **{k: error[k] for k in ("message", "type", "code", "param") if error.get(k)}}}


def _embedded(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """An embeddings answer as the typed answer that gives the same vectors (base64 ones decoded: little-endian
    float32, which the replay encodes back bit for bit)."""
    rows = sorted(
        (row for row in answer.get("data") or [] if isinstance(row, dict)), key=lambda row: row.get("index", 0)
    )
    vectors = [_vector(row.get("embedding")) for row in rows]
    if not vectors or any(vector is None for vector in vectors):
        return None
    return {"embeddings": vectors}


def _verdict(answer: Mapping[str, Any]) -> dict[str, Any] | None:
    """A moderation answer as the typed answer that gives it again: a fixture's `flagged`, `categories` and
    `category_scores` go onto every input's result, so only a verdict every input shares is exported (the legacy
    text models' null categories stay out: a replay leaves them null as generated)."""
    verdicts = [
        {
            "flagged": result.get("flagged"),
            "categories": {name: flag for name, flag in (result.get("categories") or {}).items() if flag is not None},
            "category_scores": {
                name: score for name, score in (result.get("category_scores") or {}).items() if score is not None
            },
        }
        for result in answer.get("results") or []
        if isinstance(result, Mapping)
    ]
    if not verdicts or not isinstance(verdicts[0]["flagged"], bool) or any(v != verdicts[0] for v in verdicts):
        return None
    return verdicts[0]


def _vector(embedding: Any) -> list[float] | None:
    if isinstance(embedding, list):
        return embedding
    if not isinstance(embedding, str):
        return None
    try:
        packed = base64.b64decode(embedding, validate=True)
    except ValueError:
        return None
    if len(packed) % 4:
        return None
    return list(struct.unpack(f"<{len(packed) // 4}f", packed))


def _content_and_calls(content: str | None, calls: list[dict[str, Any]]) -> dict[str, Any] | None:
    answer: dict[str, Any] = {}
    if content:
        answer["content"] = content
    if calls:
        answer["tool_calls"] = calls
    if not answer:
        return {"content": ""} if content is not None else None
    return answer


def _from_output(output: list[Any]) -> dict[str, Any] | None:
    content, calls = [], []
    for item in output:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "message":
            content += [
                part.get("text") or "" for part in item.get("content") or [] if part.get("type") == "output_text"
            ]
        elif item.get("type") == "function_call":
            calls.append({"name": item.get("name"), "arguments": item.get("arguments") or "{}"})
    return _content_and_calls("".join(content) if content else None, calls)


def _data(raw: bytes) -> Any:
    lines = [
        line[5:].removeprefix(" ") for line in raw.decode("utf-8", "replace").splitlines() if line.startswith("data:")
    ]
    try:
        return json.loads("\n".join(lines))
    except ValueError:
        return None


def _from_stream(endpoint: str, chunks: list[Any]) -> dict[str, Any] | None:
    """A stream put back together: its text and tool calls (Responses: the completed response's output)."""
    chunks = [chunk for chunk in chunks if isinstance(chunk, dict)]
    if endpoint == "responses":
        for chunk in reversed(chunks):
            if chunk.get("type") == "response.completed":
                return _from_output((chunk.get("response") or {}).get("output") or [])
        return None
    text: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            if endpoint == "completions":
                text.append(choice.get("text") or "")
                continue
            delta = choice.get("delta") or {}
            text.append(delta.get("content") or "")
            for call in delta.get("tool_calls") or []:
                slot = calls.setdefault(call.get("index", 0), {"name": "", "arguments": ""})
                function = call.get("function") or {}
                slot["name"] += function.get("name") or ""
                slot["arguments"] += function.get("arguments") or ""
    return _content_and_calls("".join(text), [calls[index] for index in sorted(calls)])

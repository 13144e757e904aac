"""A WebSocket's journal entries (`GET /__mock/requests`): the upgrade request's headers, the client's frames as the
request body and the server's events as the answer (status 101), the newest that fit the journal's 64 KB. One
entry per connection on the local server (written when it ends), one per frame on API Gateway (each frame is an
invocation of its own). Realtime and the Responses socket share it, with their own mock-control headers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from openai_mock.control import runtime
from openai_mock.errors import OpenAIError
from openai_mock.settings import get_settings

_JOURNAL_BYTES = 48 * 1024  # the journal keeps 64 KB of a body: the newest events that fit, with room to spare


def controls_of(headers: Mapping[str, str], tenant: str) -> runtime.RequestControls:
    """The mock controls an upgrade request's `x-mock-*` headers ask for (latency, faults), and its headers."""
    prefix = runtime.HEADER_PREFIX.decode()
    mock = {name[len(prefix) :]: value for name, value in headers.items() if name.startswith(prefix)}
    controls = runtime.RequestControls(tenant, "org-mock", mock)
    controls.request_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    return controls


def parsed(frame: str | bytes, max_bytes: int) -> Any:
    """A client frame as the journal shows it: its JSON, or its size when too large or not JSON."""
    if len(frame) > max_bytes:
        return {"bytes": len(frame)}
    try:
        return json.loads(frame)
    except (ValueError, UnicodeDecodeError):
        return {"unparsed": frame[:200] if isinstance(frame, str) else len(frame)}


def _newest(events: list[Any]) -> list[Any]:
    kept: list[Any] = []
    size = 0
    for event in reversed(events):
        size += len(json.dumps(event)) + 2
        if size > _JOURNAL_BYTES:
            break
        kept.append(event)
    return kept[::-1]


def record(
    tenant: str,
    headers: Mapping[str, str],
    path: str,
    exchange: tuple[list[Any], list[dict[str, Any]]],
    timing: tuple[float, float],
    *,
    query: Mapping[str, str] | None = None,
    request: Mapping[str, Any] | None = None,
    brief: Callable[[Any], Any] = lambda event: event,
) -> None:
    """One entry: `exchange` is (the client's frames, the server's events), each made `brief` (large payloads
    shortened); `request` adds fields before `client_events` in the entry's body; `timing` is (started, finished)
    by `time.perf_counter()`. Best effort, as for every request."""
    settings = get_settings()
    if not settings.journal_size:
        return
    client, server = exchange
    controls = controls_of(headers, tenant)
    body = json.dumps({**(request or {}), "client_events": _newest([brief(event) for event in client])})
    controls.keep_body(body.encode())
    controls.status = 101
    answer = json.dumps({"server_events": _newest([brief(event) for event in server])}).encode()
    controls.answer = runtime.Answer([(b"content-type", b"application/json")], bytearray(answer), len(answer))
    shown_query = "&".join(f"{name}={value}" for name, value in (query or {}).items())
    with suppress(OpenAIError):
        runtime.record(controls, "GET", path, shown_query, *timing, settings.journal_size)

"""The one SSE encoder: OpenAI's `text/event-stream` wire format, and the response that streams it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from starlette.responses import StreamingResponse

DONE = b"data: [DONE]\n\n"


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One event: `event: <name>` (Responses and Assistants streams) then `data: <json>`."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def sse_stream(events: Iterable[bytes] | AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        events,  # type: ignore[arg-type]
        media_type="text/event-stream; charset=utf-8",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def chat_style(chunks: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Chat and completions streams: `data: {chunk}` lines, then `data: [DONE]`."""
    for chunk in chunks:
        yield sse_event(chunk)
    yield DONE

"""The one SSE encoder: OpenAI's `text/event-stream` wire format, and the response that streams it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from pydantic_core import to_json
from starlette.responses import StreamingResponse

DONE = b"data: [DONE]\n\n"


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One event: `event: <name>` (Responses and Assistants streams) then `data: <json>`."""
    payload = data.encode() if isinstance(data, str) else to_json(data)
    head = b"event: " + event.encode() + b"\n" if event else b""
    return head + b"data: " + payload + b"\n\n"


async def _inline(events: Iterable[bytes]) -> AsyncIterator[bytes]:
    # Events are computed, not awaited on: iterating them on the event loop avoids Starlette's thread hop
    # per chunk for sync iterators (which cost more than building the chunk).
    for event in events:
        yield event


def sse_stream(events: Iterable[bytes] | AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        events if isinstance(events, AsyncIterator) else _inline(events),
        media_type="text/event-stream; charset=utf-8",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


def chat_style(chunks: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Chat and completions streams: `data: {chunk}` lines, then `data: [DONE]`."""
    for chunk in chunks:
        yield sse_event(chunk)
    yield DONE

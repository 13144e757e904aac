"""The one SSE encoder: OpenAI's `text/event-stream` wire format, and the response that streams it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from pydantic_core import to_json
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

DONE = b"data: [DONE]\n\n"
# Events computed back to back leave in writes of up to this size: each write costs the server more than
# building an event. A paced stream (mock controls) is split again into single events by PacedSend.
BATCH_BYTES = 16 * 1024


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One event: `event: <name>` (Responses and Assistants streams) then `data: <json>`."""
    payload = data.encode() if isinstance(data, str) else to_json(data)
    head = b"event: " + event.encode() + b"\n" if event else b""
    return head + b"data: " + payload + b"\n\n"


async def _batched(events: Iterable[bytes]) -> AsyncIterator[bytes]:
    batch = bytearray()
    for event in events:
        batch += event
        if len(batch) >= BATCH_BYTES:
            yield bytes(batch)
            batch.clear()
    if batch:
        yield bytes(batch)


def split_events(body: bytes) -> list[bytes]:
    """A written batch back into its events (each ends with a blank line; JSON payloads hold no raw newline)."""
    *complete, rest = body.split(b"\n\n")
    return [event + b"\n\n" for event in complete] + ([rest] if rest else [])


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` of events computed, never awaited, written as they come, in batches.

    Starlette's StreamingResponse would iterate sync events in a worker thread (one hop per event) and watch
    for a disconnect in a second task, to stop a producer that waits; nothing here waits, so both cost more
    than the events. The one wait, a paced stream's, watches for the disconnect itself (PacedSend)."""

    def __init__(self, events: Iterable[bytes]) -> None:
        super().__init__(_batched(events), media_type="text/event-stream; charset=utf-8",
                         headers={"cache-control": "no-cache", "x-accel-buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


def sse_stream(events: Iterable[bytes]) -> EventStreamResponse:
    return EventStreamResponse(events)


def chat_style(chunks: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Chat and completions streams: `data: {chunk}` lines, then `data: [DONE]`."""
    for chunk in chunks:
        yield sse_event(chunk)
    yield DONE

"""The event-stream answer: encoded events (`generation.streaming`) written as they come, in batches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

# Events computed back to back leave in writes of up to this size: each write costs the server more than
# building an event. A paced stream (mock controls) is split again into single events by PacedSend.
BATCH_BYTES = 16 * 1024


async def _batched(events: Iterable[bytes]) -> AsyncIterator[bytes]:
    batch = bytearray()
    for event in events:
        batch += event
        if len(batch) >= BATCH_BYTES:
            yield bytes(batch)
            batch.clear()
    if batch:
        yield bytes(batch)


class EventStreamResponse(StreamingResponse):
    """A `text/event-stream` of events computed, never awaited, written as they come, in batches.

    Starlette's StreamingResponse would iterate sync events in a worker thread (one hop per event) and watch
    for a disconnect in a second task, to stop a producer that waits; nothing here waits, so both cost more
    than the events. The one wait, a paced stream's, watches for the disconnect itself (PacedSend)."""

    def __init__(self, events: Iterable[bytes]) -> None:
        super().__init__(
            _batched(events),
            media_type="text/event-stream; charset=utf-8",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        await self.stream_response(send)


def sse_stream(events: Iterable[bytes]) -> EventStreamResponse:
    return EventStreamResponse(events)

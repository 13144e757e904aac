"""The event-stream answers: encoded events (`generation.streaming`), all computed, then written as one body; and
a live subscription's, written as its events happen."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from openai_mock.control import runtime

_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


class EventStreamResponse(Response):
    """A `text/event-stream` whose events are computed (nothing in them waits), then sent as one body.

    Each write costs the server more than building an event, so an unpaced stream is one write: its events are
    ready at once anyway, and a client reads them as it would read them arriving one by one. It has no
    content-length (a stream, chunked as the real API's are). Computing them first also means a failure while
    building the answer is an error answer, not a stream broken after its headers. Pacing (mock controls:
    TTFT, tokens per second, a cut stream) is the middleware's: `PacedSend` splits the body back into events
    and sends each at its time, watching for the client leaving."""

    media_type = "text/event-stream; charset=utf-8"

    def __init__(self, events: Iterable[bytes]) -> None:
        self.status_code = 200
        self.background = None
        self.events = events
        self.init_headers(_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        body = b"".join(self.events)
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        controls = runtime.current()
        fault = controls.stream_fault if controls is not None else None
        if fault is None:
            await send({"type": "http.response.body", "body": body})
            return
        # Broken on purpose (x-mock-stream-fault, a fixture's stream_fault): every streaming endpoint, here.
        from openai_mock.control import stream_faults  # imported with the fault (control/runtime.py)

        for index, write in enumerate(stream_faults.broken(body, fault)):
            if index and fault.drip_ms and fault.kind == "slow_drip":
                await runtime.sleep(fault.drip_ms / 1000)
            await send({"type": "http.response.body", "body": write, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def sse_stream(events: Iterable[bytes]) -> EventStreamResponse:
    return EventStreamResponse(events)


def live_sse_stream(events: AsyncIterable[bytes]) -> StreamingResponse:
    """A stream whose events are not all known when it starts (a subscription waiting for what another request
    causes): each write is sent as it is produced."""
    return StreamingResponse(events, media_type=EventStreamResponse.media_type, headers=_HEADERS)

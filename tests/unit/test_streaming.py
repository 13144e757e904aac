"""SSE: the encoder and the event-stream response."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

from fastapi import APIRouter
from starlette.testclient import TestClient

from openai_mock.generation.streaming import Padding, chat_style, sse_event
from openai_mock.web.app_factory import create_app
from tests.support.loop import run_on_private_loop


def test_sse_framing() -> None:
    assert sse_event({"a": 1}) == b'data: {"a":1}\n\n'
    assert sse_event({"a": 1}, event="response.created") == b'event: response.created\ndata: {"a":1}\n\n'
    frames = list(chat_style([{"n": 1}, {"n": 2}]))
    assert frames[-1] == b"data: [DONE]\n\n"
    assert [json.loads(f[6:]) for f in frames[:-1]] == [{"n": 1}, {"n": 2}]


def test_sync_event_streams_are_computed_on_the_event_loop_thread() -> None:
    """No worker-thread hop per event: Starlette's default for sync iterators cost more than the chunks."""
    import threading

    from openai_mock.web.sse import sse_stream

    threads: set[int] = set()

    def events() -> Iterator[bytes]:
        for number in range(3):
            threads.add(threading.get_ident())
            yield sse_event({"n": number})

    router = APIRouter()

    @router.get("/v1/stream")
    async def stream() -> object:
        threads.add(threading.get_ident())  # the route runs on the loop's thread
        return sse_stream(events())

    with TestClient(create_app(router)) as http:
        answer = http.get("/v1/stream", headers={"Authorization": "Bearer sk-test"})
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert answer.text == "".join(f'data: {{"n":{n}}}\n\n' for n in range(3))
    assert len(threads) == 1


def test_an_unpaced_stream_is_one_body_that_splits_back_into_events() -> None:
    """All events computed, then one write (no latency control in force); a paced stream splits them back."""
    from openai_mock.generation import streaming
    from openai_mock.web import sse

    events = [sse_event({"n": number, "pad": "x" * 500}) for number in range(100)]
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> MutableMapping[str, Any]:
        raise AssertionError("an unpaced stream waits for nothing, the client included")

    run_on_private_loop(sse.sse_stream(iter(events))({"type": "http"}, receive, send))
    start, body = sent
    assert start["type"] == "http.response.start"
    assert (b"content-type", b"text/event-stream; charset=utf-8") in start["headers"]
    assert not any(name == b"content-length" for name, _ in start["headers"])  # a stream, as the real API's
    assert body == {"type": "http.response.body", "body": b"".join(events)}  # more_body unset: the last write
    assert streaming.split_events(body["body"]) == events
    assert streaming.split_events(b"data: 1\n\ndata: 2") == [b"data: 1\n\n", b"data: 2"]


def test_a_streams_padding_rounds_each_content_up_to_16_and_is_the_same_for_the_same_stream() -> None:
    padding = Padding("chatcmpl-abc")
    pads = [padding.text(number, "x" * number) for number in range(100)]  # past the first digest's 32 slots
    assert all(pad.isalnum() and pad.isascii() for pad in pads)
    assert all((number + len(pad)) % 16 == 0 and 1 <= len(pad) <= 16 for number, pad in enumerate(pads))
    again = Padding("chatcmpl-abc")
    assert [again.text(number, "x" * number) for number in reversed(range(100))][::-1] == pads  # any order
    assert Padding("chatcmpl-other").text(0, "") != pads[0]
    assert len(set(pads)) > 90  # random-looking, not one string

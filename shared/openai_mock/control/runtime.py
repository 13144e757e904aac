"""The per-request side of the controls, driven by the middleware: `x-mock-*` headers, deployment-wide
latency and fault settings, what a fixture asked for (latency, a cut stream), pacing the response as it is
sent, and the journal entry written when it is done.

It runs on every request, so the common case (no control asked for) costs a header scan and one store write
for the journal (`OPENAI_MOCK_JOURNAL_SIZE=0` turns the journal off)."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import contextvars
import functools
import itertools
import json
import math
import os
import re
import signal
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from openai_mock import clock, ids, rng
from openai_mock.control import faults
from openai_mock.errors import OpenAIError
from openai_mock.generation.streaming import split_events
from openai_mock.json_bytes import json_bytes
from openai_mock.pagination import ListParams, Page, paginate
from openai_mock.settings import Settings, get_settings
from openai_mock.store import get_store, write_behind

if TYPE_CHECKING:
    from openai_mock.control import stream_faults

CONTROL_PREFIX = "/__mock"
JOURNAL = "mock.request"
HEADER_PREFIX = b"x-mock-"
_JOURNAL_BODY_LIMIT = 64 * 1024
# A journal in the store (DynamoDB) writes one item per request, paid per KB written: an entry over this is
# stored with its bodies summarised (`{"truncated": true, "bytes": n}`), the response's first.
STORED_ENTRY_LIMIT = 16 * 1024
DEFAULT_CUT_AFTER = 3  # events sent before a cut stream stops
MAX_DELAY_MS = 60_000  # the longest wait any control asks for: latency, jitter, TTFT (docs/controls.md)
# The x-mock-* headers that hold numbers, and the values each accepts (beyond the cap, delays are capped).
_NUMBER_HEADERS = {
    "latency-ms": math.inf,
    "jitter-ms": math.inf,
    "ttft-ms": math.inf,
    "tokens-per-second": math.inf,
    "retry-after": 86_400.0,
    "stream-cut-after": math.inf,
}

Sleep = Callable[[float], Awaitable[None]]
sleep: Sleep = asyncio.sleep  # tests and `openai_mock.testing` swap this for a clock-advancing fake


class Pace(NamedTuple):
    ms: int = 0  # before a non-stream answer
    jitter_ms: int = 0  # ± this much, drawn per request
    ttft_ms: int = 0  # before the first event of a stream
    tokens_per_second: float = 0  # stream pace (one event ≈ one token); 0 = no limit


class Answer:
    """The response as the journal keeps it (see `RequestControls.keep_answer`)."""

    __slots__ = ("body", "headers", "size", "writes")

    def __init__(
        self,
        headers: list[tuple[bytes, bytes]] | None = None,
        body: bytes | bytearray = b"",
        size: int = 0,
        writes: list[tuple[int, float]] | None = None,
    ) -> None:
        self.headers = headers if headers is not None else []
        self.body = body  # at most _JOURNAL_BODY_LIMIT + 1 bytes of it (see `_kept`)
        self.size = size
        self.writes = writes if writes is not None else []  # (offset in body, ms since the request)


class RequestControls:
    """One request's controls. The layer's fixture hook fills `fixture`, `latency` and `cut`. This and `Answer`
    change as the request goes: slotted plain classes (docs/architecture.md, cold starts)."""

    __slots__ = (
        "answer", "body", "body_size", "cut", "draws", "fault", "fixture", "headers", "latency", "organization",
        "request_headers", "request_id", "started", "status", "stream_fault", "tenant",
    )  # fmt: skip

    def __init__(self, tenant: str, organization: str, headers: dict[str, str]) -> None:
        self.tenant = tenant
        self.organization = organization
        self.headers = headers  # the request's x-mock-* headers, names without the prefix
        self.fixture: str | None = None  # id of the fixture that answered
        self.fault: str | None = None  # the fault kind injected into this answer (an error, a cut or broken stream)
        self.latency: Pace | None = None
        self.cut = False
        self.stream_fault: stream_faults.StreamFault | None = None  # a stream answer broken on purpose (web/sse.py)
        self.status = 0
        self.body: bytes | bytearray = b""  # at most _JOURNAL_BODY_LIMIT + 1 bytes of it (see `_kept`)
        self.body_size = 0
        self.request_id = ""  # the answer's x-request-id: seeds the request's fault draws
        self.draws = 0  # fault / jitter draws made so far
        self.request_headers: list[tuple[bytes, bytes]] = []  # as received (raw)
        self.started = time.perf_counter()
        self.answer = Answer()

    def keep_body(self, chunk: bytes) -> None:
        """Count the request body and keep only what the journal can show: a 500 MB upload must not sit in
        the journal (the memory store keeps the newest entries in RAM)."""
        self.body_size += len(chunk)
        self.body = _kept(self.body, chunk)

    def keep_answer(self, message: Any) -> None:
        """What the client was sent, for the journal: the headers, a bounded slice of the body, and for a
        stream when each write left (ms since the request arrived), so its events keep their timing."""
        answer = self.answer
        if message["type"] == "http.response.start":
            answer.headers = message["headers"]  # the middleware's own list, made for this answer
            return
        chunk = message.get("body", b"")
        if not chunk:
            return
        answer.size += len(chunk)
        if len(answer.body) <= _JOURNAL_BODY_LIMIT:
            answer.writes.append((len(answer.body), round((time.perf_counter() - self.started) * 1000, 3)))
            answer.body = _kept(answer.body, chunk)


def _kept(kept: bytes | bytearray, chunk: bytes) -> bytes | bytearray:
    """`kept` and as much of `chunk` as the journal keeps (_JOURNAL_BODY_LIMIT + 1 bytes: one over says "cut").
    Most bodies are one write: that write is kept as it was sent, not copied (bytes never change); a second
    write starts a copy that grows."""
    room = _JOURNAL_BODY_LIMIT + 1 - len(kept)
    if room <= 0:
        return kept
    if not kept:
        return bytes(chunk[:room])
    grown = kept if isinstance(kept, bytearray) else bytearray(kept)
    grown += chunk[:room]
    return grown


_current: contextvars.ContextVar[RequestControls | None] = contextvars.ContextVar("mock_controls", default=None)


def current() -> RequestControls | None:
    return _current.get()


# Never journalled: the key is the tenant, and a journal is readable by anyone who holds it.
SECRET_HEADERS = _SECRET_HEADERS = frozenset(
    {b"authorization", b"cookie", b"x-api-key", b"api-key", b"proxy-authorization"}
)


def begin(tenant: str, organization: str, raw_headers: list[tuple[bytes, bytes]]) -> RequestControls:
    mock_headers = {
        name[len(HEADER_PREFIX) :].decode("latin-1"): value.decode("latin-1")
        for name, value in raw_headers
        if name.startswith(HEADER_PREFIX)
    }
    controls = RequestControls(tenant, organization, mock_headers)
    controls.request_headers = raw_headers
    _current.set(controls)
    return controls


# --------------------------------------------------------------------------------------------- faults


_draws: dict[str, int] = {}
_draw_lock = threading.Lock()


def draw(tenant: str) -> float:
    """A number in [0, 1) for fault probabilities and jitter, seeded by the request in flight (its x-request-id
    and how many draws it made): no process state, so the containers of a deployment never replay one sequence
    and nothing needs sharing. Outside a request (no id), a per-process sequence per tenant."""
    controls = current()
    if controls is not None and controls.request_id:
        controls.draws += 1
        key: tuple[object, ...] = ("fault", tenant, controls.request_id, controls.draws)
    else:
        with _draw_lock:
            _draws[tenant] = _draws.get(tenant, 0) + 1
            key = ("fault", tenant, _draws[tenant])
    return rng.seeded_rng(key, get_settings().seed).random()


def injected_fault(controls: RequestControls, settings: Settings) -> OpenAIError | None:
    """The error a request header or the deployment's fault rate asks for (a cut stream is flagged instead), or
    the 400 for a control header that is not a number."""
    if not controls.headers and not settings.fault_rate:
        return None  # the common case: no control asked for
    invalid = _invalid_header(controls.headers)
    if invalid is not None:
        return invalid
    if "stream-fault" in controls.headers:
        from openai_mock.control import stream_faults  # a broken stream asked for: not at the cold start

        broken = stream_faults.from_headers(controls.headers)
        if isinstance(broken, OpenAIError):
            return broken
        controls.stream_fault = broken  # the header wins over a fixture's (api.scripted)
    kind = controls.headers.get("fault")
    if kind is None and settings.fault_rate and draw(controls.tenant) < settings.fault_rate:
        kind = settings.fault_kind
    if kind is None:
        return None
    controls.fault = kind
    if kind == faults.STREAM_CUT:
        controls.cut = True
        return None
    retry_after = _float(controls.headers.get("retry-after"), faults.RETRY_AFTER_SECONDS)
    try:
        return faults.fault_error(kind, organization=controls.organization, retry_after=retry_after)
    except ValueError as error:
        return OpenAIError(400, f"Invalid 'x-mock-fault' header: {error}.", param="x-mock-fault", code="invalid_value")


def _invalid_header(headers: dict[str, str]) -> OpenAIError | None:
    """`x-mock-latency-ms: abc` is a mistake worth saying, not a control silently ignored."""
    for name, maximum in _NUMBER_HEADERS.items():
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not 0 <= value <= maximum:  # NaN fails too
            limit = "" if maximum == math.inf else f" up to {maximum:g}"
            return OpenAIError(
                400,
                f"Invalid 'x-mock-{name}' header: expected a number from 0{limit}, but got '{raw}'.",
                param=f"x-mock-{name}",
                code="invalid_value",
            )
    return None


def _float(value: str | None, default: float) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


# --------------------------------------------------------------------------------------------- latency


def latency(controls: RequestControls, settings: Settings) -> Pace | None:
    """Header values win over the fixture's, which win over the deployment's."""
    base = controls.latency or _deployment_pace(settings)
    headers = controls.headers
    if headers:
        base = Pace(
            ms=int(_float(headers.get("latency-ms"), base.ms)),
            jitter_ms=int(_float(headers.get("jitter-ms"), base.jitter_ms)),
            ttft_ms=int(_float(headers.get("ttft-ms"), base.ttft_ms)),
            tokens_per_second=_float(headers.get("tokens-per-second"), base.tokens_per_second),
        )
    if not (base.ms or base.jitter_ms or base.ttft_ms or base.tokens_per_second) and not controls.cut:
        return None
    capped = (min(base.ms, MAX_DELAY_MS), min(base.jitter_ms, MAX_DELAY_MS), min(base.ttft_ms, MAX_DELAY_MS))
    if capped != (base.ms, base.jitter_ms, base.ttft_ms):
        base = Pace(*capped, tokens_per_second=base.tokens_per_second)
    return base


_deployment: tuple[Settings, Pace] | None = None


def _deployment_pace(settings: Settings) -> Pace:
    global _deployment
    if _deployment is None or _deployment[0] is not settings:  # built once per settings object, not per request
        _deployment = (
            settings,
            Pace(
                ms=settings.latency_ms,
                jitter_ms=settings.latency_jitter_ms,
                ttft_ms=settings.ttft_ms,
                tokens_per_second=settings.tokens_per_second,
            ),
        )
    return _deployment[1]


def delay_seconds(pace: Pace, tenant: str) -> float:
    jitter = (draw(tenant) * 2 - 1) * pace.jitter_ms if pace.jitter_ms else 0
    return min(max(0.0, pace.ms + jitter), MAX_DELAY_MS) / 1000


class PacedSend:
    """Wraps `send`: delays a non-stream answer, paces a stream (TTFT, then tokens per second), cuts it.
    The pace is decided when the answer starts: by then the route has run its fixture hook.

    Every wait (a delayed answer, a paced stream) watches for the client leaving (through `receive`): then the
    answer, or the rest of the stream, is dropped instead of slept through. It also ends when the server is told
    to stop (SIGTERM, SIGINT): what is left is sent at once, so the server exits without waiting out a delay.
    `close()` ends the watch."""

    def __init__(
        self,
        send: Callable[[dict[str, Any]], Awaitable[None]],
        receive: Callable[[], Awaitable[Any]],
        controls: RequestControls,
        settings: Settings,
    ) -> None:
        self.send, self.receive, self.controls, self.settings = send, receive, controls, settings
        self.pace: Pace | None = None
        self.streaming = False
        self.cut_after = DEFAULT_CUT_AFTER  # events a cut stream sends before it stops
        self.events = 0
        self.closed = False
        self.unpaced = False  # the server is stopping: no more waits
        self._client_left: asyncio.Future[None] | None = None
        if not _chained:
            _watch_stop()

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.controls.status = message["status"]
            self.pace = latency(self.controls, self.settings)
            if self.pace is None:
                await self.send(message)
                return
            content_type = next((value for name, value in message.get("headers", []) if name == b"content-type"), b"")
            self.streaming = content_type.startswith(b"text/event-stream")
            self.cut_after = int(_float(self.controls.headers.get("stream-cut-after"), DEFAULT_CUT_AFTER))
            if not self.streaming and (self.pace.ms or self.pace.jitter_ms):
                await self._wait(delay_seconds(self.pace, self.controls.tenant))
                if self.closed:  # the client left during the delay: nobody to answer
                    return
        elif self.pace is not None and self.streaming and message.get("body"):
            # A stream is written as one body (web/sse.py); paced, its events leave one at a time.
            for event in split_events(message["body"]):
                await self._send_event(event)
            if not message.get("more_body", False) and not self.closed:
                await self.send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        elif self.closed:
            return
        await self.send(message)

    def close(self) -> None:
        if self._client_left is not None:
            self._client_left.cancel()

    async def _send_event(self, event: bytes) -> None:
        if self.closed:
            return
        await self._pace_event()
        if self.closed:
            return
        if self.controls.cut and self.events > self.cut_after:
            # The stream stops here: no more events, no [DONE] / response.completed.
            self.closed = True
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await self.send({"type": "http.response.body", "body": event, "more_body": True})

    async def _pace_event(self) -> None:
        self.events += 1
        pace = self.pace or Pace()
        if self.events == 1 and pace.ttft_ms:
            await self._wait(pace.ttft_ms / 1000)
        elif self.events > 1 and pace.tokens_per_second:
            await self._wait(1 / pace.tokens_per_second)

    async def _wait(self, seconds: float) -> None:
        if self.unpaced:
            return
        if self._client_left is None:
            self._client_left = asyncio.ensure_future(self._disconnect())
        stopping = _stopping()
        pause = asyncio.ensure_future(sleep(seconds))
        try:
            await asyncio.wait((pause, self._client_left, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            _stop_waiters.discard(stopping)
            if not pause.done():
                pause.cancel()
        if self._client_left.done():
            self.closed = True
        elif stopping.done():
            self.unpaced = True

    async def _disconnect(self) -> None:
        """Returns when the client has left (a server whose `receive` fails can no longer reach it either)."""
        with contextlib.suppress(Exception):
            while (await self.receive())["type"] != "http.disconnect":
                pass


# The server is stopping: waits end (PacedSend._wait). The server's own SIGTERM/SIGINT handlers are chained, not
# replaced, and only from the main thread (where uvicorn serves); in-process tests never install anything.
_stop_waiters: set[asyncio.Future[None]] = set()
_stop_requested = False
_chained: dict[int, Any] = {}


def _stopping() -> asyncio.Future[None]:
    """A future that completes when the process is asked to stop."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if _stop_requested:
        future.set_result(None)
        return future
    _stop_waiters.add(future)
    return future


def _watch_stop() -> None:
    """Chain the stop signals, once, as the first request starts (by then the server has its own handlers)."""
    if not _chained and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            _chained[signum] = previous
            signal.signal(signum, functools.partial(_on_stop_signal, previous))


def _on_stop_signal(previous: Any, signum: int, frame: Any) -> None:
    global _stop_requested
    _stop_requested = True
    for future in list(_stop_waiters):
        future.get_loop().call_soon_threadsafe(_resolve, future)
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:  # nobody else handles it: do what the signal does by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# --------------------------------------------------------------------------------------------- journal


_writes: dict[str, int] = {}


class _Entry(NamedTuple):
    """A journalled request as the memory store keeps it: raw, made into the API object only when listed
    (every request is journalled, few journals are read)."""

    sequence: int
    at: float
    method: str
    path: str
    query: str
    body: bytes
    body_size: int
    status: int
    latency_ms: float
    fixture: str | None
    headers: list[tuple[bytes, bytes]] | None = None
    answer: Answer | None = None
    fault: str | None = None


JournalEntry = _Entry  # what `journal_raw` hands the export (control/journal_export.py)


# With the memory store the journal is a ring buffer per tenant (an append per request). With DynamoDB it goes
# to the store, so every function of a deployment shares it.
_ring: dict[str, deque[_Entry]] = {}
_ring_lock = threading.Lock()
_entries = itertools.count()


def _decoded(body: Any, size: int) -> Any:
    if not isinstance(body, bytes | bytearray):
        return body
    if not size:
        return None
    if size > _JOURNAL_BODY_LIMIT:
        return {"truncated": True, "bytes": size}
    try:
        return json.loads(body)
    except ValueError:
        return {"bytes": size}  # multipart uploads and other binary bodies: their size only


def record(
    controls: RequestControls, method: str, path: str, query: str, started: float, finished: float, size: int
) -> None:
    """Append the request to its tenant's journal, keeping the newest `size` entries."""
    entry = _Entry(
        next(_entries),
        clock.now(),
        method,
        path,
        query,
        bytes(controls.body),
        controls.body_size,
        controls.status,
        round((finished - started) * 1000, 3),
        controls.fixture,
        controls.request_headers,
        controls.answer,
        controls.fault or (controls.stream_fault.kind if controls.stream_fault else None),
    )
    if get_settings().store == "memory":
        with _ring_lock:
            ring = _ring.get(controls.tenant)
            if ring is None or ring.maxlen != size:
                ring = _ring[controls.tenant] = deque(ring or (), maxlen=size)
            ring.append(entry)
        return
    store = get_store()
    store.create(controls.tenant, JOURNAL, _stored(entry, ids.new_id(JOURNAL)))
    written = _writes[controls.tenant] = _writes.get(controls.tenant, 0) + 1
    if written % size == 0:  # trim now and then, not on every request; on DynamoDB behind the answer
        write_behind.soon(_trim, controls.tenant, size)


# A shared store (SQLite, DynamoDB) keeps an entry as written: bodies as text, decoded only when the journal is
# listed (every request writes an entry, few are read: decoding and re-encoding a 15 KB answer on each request
# cost more than the request). Bytes that are not UTF-8 survive as surrogate escapes. The two bodies are strings
# of the stored object; the other fields (headers, write times, numbers) one JSON text (`raw_text`) encoded here by
# the fast encoder, so the store encodes and decodes three strings, not a tree of lists (the standard library's
# encoder and decoder took ~280 k instructions for a chat's entry). Entries written as a tree (`raw`) still read.
_RAW = "raw"
_RAW_TEXT = "raw_text"
_REQUEST_TEXT = "request_text"
_ANSWER_TEXT = "answer_text"


def _raw(item: dict[str, Any]) -> dict[str, Any] | None:
    """A stored entry's fields, bodies included (None: written decoded, by an earlier version)."""
    text = item.get(_RAW_TEXT)
    if text is None:
        return item.get(_RAW)
    raw: dict[str, Any] = json.loads(text)
    raw["body"] = item[_REQUEST_TEXT]
    if raw.get("answer") is not None:
        raw["answer"]["body"] = item[_ANSWER_TEXT]
    return raw


def _raw_text(raw: dict[str, Any]) -> str:
    try:
        return json_bytes(raw).decode()
    except (TypeError, ValueError):  # a lone surrogate (bytes that were not UTF-8): the standard encoder escapes it
        return json.dumps(raw)


def _text(data: bytes | bytearray) -> str:
    return bytes(data).decode("utf-8", "surrogateescape")


def _stored(entry: _Entry, entry_id: str) -> dict[str, Any]:
    """The entry as a shared store keeps it: at most about STORED_ENTRY_LIMIT bytes of JSON. Over that, the answer's
    body is summarised first (its model and usage kept), then the request's."""
    answer = entry.answer
    headers = _header_pairs(entry.headers or (), _SECRET_HEADERS)
    answer_headers = _header_pairs(answer.headers, ()) if answer is not None else []
    budget = STORED_ENTRY_LIMIT - _ENTRY_OVERHEAD - _headers_size(headers)  # what the two bodies may take
    if answer is not None:
        budget -= _headers_size(answer_headers) + 20 * len(answer.writes)
    request_text, request_size = _fitting(entry.body, budget)
    raw: dict[str, Any] = {
        "sequence": entry.sequence,
        "at": entry.at,
        "method": entry.method,
        "query": entry.query,
        "body_size": entry.body_size,
        "status": entry.status,
        "latency_ms": entry.latency_ms,
        "fixture": entry.fixture,
        "fault": entry.fault,
        "headers": headers,
    }
    stored: dict[str, Any] = {"id": entry_id, "object": JOURNAL, "path": entry.path}
    if answer is not None:
        answer_text, _ = _fitting(answer.body, budget - request_size)  # none left when the request's did not fit
        raw["answer"] = {"headers": answer_headers, "size": answer.size, "writes": answer.writes}
        if answer_text is None:
            raw["answer"].update(_summary(entry))
        stored[_ANSWER_TEXT] = answer_text
    # The bodies stay strings of the stored object (escaped once, by the store); the rest is one JSON text.
    stored[_REQUEST_TEXT] = request_text
    stored[_RAW_TEXT] = _raw_text(raw)
    return stored


_ENTRY_OVERHEAD = 1024  # an entry's JSON besides its headers and bodies: keys, id, numbers, a summary's usage


def _header_pairs(raw: Iterable[tuple[bytes, bytes]], left_out: Iterable[bytes]) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in raw if name not in left_out]


def _headers_size(pairs: list[list[str]]) -> int:
    return sum(len(name) + len(value) + 6 for name, value in pairs)


def _fitting(data: bytes | bytearray, budget: int) -> tuple[str | None, int]:
    """A body as the text a shared store keeps, and its JSON size; None (and a size over `budget`) when it does not
    fit. Its length in bytes is at most its JSON size, so a body longer than `budget` is not decoded to know it."""
    if len(data) > budget:
        return None, len(data)
    text = _text(data)
    size = _json_size(text)
    return (text if size <= budget else None), size


def _json_size(text: str) -> int:
    """About how long `text` is as a JSON string (without encoding it): each quote, backslash, newline, tab and
    carriage return takes two characters; anything outside printable ASCII up to six."""
    size = len(text) + text.count('"') + text.count("\\") + text.count("\n") + text.count("\t") + text.count("\r") + 2
    return size if text.isascii() else size + 5 * sum(1 for character in text if not " " <= character <= "~")


def _summary(entry: _Entry) -> dict[str, Any]:
    """What a summarised answer keeps: the model and token usage the journal lists, read where they are (the
    request's `model`; the answer's last `"usage":` object, which is a stream's last event's) without decoding
    the whole answer: a summarised answer is a big one."""
    request = _decoded(entry.body, entry.body_size)
    body = bytes(entry.answer.body) if entry.answer is not None else b""
    model = request.get("model") if isinstance(request, dict) else None
    if not isinstance(model, str):
        model = _value_after(body, b'"model":', str)
    return {"model": model, "usage": _value_after(body, b'"usage":', dict)}


_decoder = json.JSONDecoder()


def _value_after(body: bytes, key: bytes, kind: type) -> Any:
    """The JSON value after the last `key` in `body` (a key inside a string would be escaped: `\\"usage\\":`)."""
    at = body.rfind(key)
    if at < 0:
        return None
    try:
        value, _ = _decoder.raw_decode(body[at + len(key) :].decode("utf-8", "replace").lstrip())
    except ValueError:
        return None
    return value if isinstance(value, kind) else None


def _from_stored(item: dict[str, Any], raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """A stored entry as the API shows it (what `_listed` makes of an entry in memory)."""
    raw = raw or _raw(item)
    if raw is None:
        return item  # written decoded, by an earlier version
    stored_answer = raw.get("answer")
    body = raw["body"]
    entry = _stored_entry(item, raw)
    listed = _listed(entry, item["id"])
    if body is None:
        listed["body"] = {"truncated": True, "bytes": raw["body_size"]}
    if stored_answer is not None and stored_answer["body"] is None:
        listed["response"] = {
            "headers": listed["response"]["headers"],
            "body": {"truncated": True, "bytes": stored_answer["size"]},
        }
        listed["model"] = stored_answer["model"] if listed["model"] is None else listed["model"]
        listed["usage"] = stored_answer["usage"]
    return listed


def _stored_entry(item: dict[str, Any], raw: dict[str, Any]) -> _Entry:
    """A stored entry (written raw) back as the memory journal keeps it; a summarised body is empty."""
    stored_answer = raw.get("answer")
    answer = None
    if stored_answer is not None:
        answer = Answer(
            headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in stored_answer["headers"]],
            body=(stored_answer["body"] or "").encode("utf-8", "surrogateescape"),
            size=stored_answer["size"],
            writes=[(offset, at) for offset, at in stored_answer["writes"]],
        )
    body = raw["body"]
    return _Entry(
        raw["sequence"],
        raw["at"],
        raw["method"],
        item["path"],
        raw["query"],
        body.encode("utf-8", "surrogateescape") if body is not None else b"",
        raw["body_size"],
        raw["status"],
        raw["latency_ms"],
        raw["fixture"],
        [(name.encode("latin-1"), value.encode("latin-1")) for name, value in raw["headers"]],
        answer,
        raw.get("fault"),  # (entries written before faults were journalled have none)
    )


def journal_raw(tenant: str, chosen: JournalFilter | None = None) -> list[tuple[str, _Entry, bool]]:
    """The entries `chosen` keeps, oldest first, as recorded (raw bytes, for the export): (id, entry, whole),
    `whole` false when a body was cut or summarised (the journal keeps 64 KB of each, a shared store 16 KB)."""
    chosen = chosen or JournalFilter()
    if get_settings().store == "memory":
        return [(_memory_id(entry), entry, _whole(entry)) for entry in _memory_entries(tenant, chosen)]
    found: list[tuple[str, _Entry, bool]] = []
    for item in _stored_items(tenant, chosen):
        raw = _raw(item)
        if raw is None:
            continue  # written decoded, by an earlier version: its bytes are gone
        summarised = raw["body"] is None or (raw.get("answer") is not None and raw["answer"]["body"] is None)
        entry = _stored_entry(item, raw)
        found.append((item["id"], entry, _whole(entry) and not summarised))
    return found


def _stored_items(tenant: str, chosen: JournalFilter) -> Iterator[dict[str, Any]]:
    """Every entry of a shared store's journal `chosen` keeps, oldest first, a page of 100 at a time."""
    after = None
    store = get_store()
    while True:
        stored = store.list(
            tenant,
            JOURNAL,
            limit=100,
            order="asc",
            after=after,
            where=(lambda item: _keeps_stored(chosen, item)) if chosen else None,
        )
        yield from stored.items
        if not stored.has_more or not stored.items:
            return
        after = stored.items[-1]["id"]


def _whole(entry: _Entry) -> bool:
    answer_whole = entry.answer is None or len(entry.answer.body) == entry.answer.size
    return len(entry.body) == entry.body_size and answer_whole


def _trim(tenant: str, size: int) -> None:
    # Without reading the entries: one statement on SQLite, on DynamoDB their keys and a delete per 25 entries.
    get_store().keep_newest(tenant, JOURNAL, size)


class JournalFilter(NamedTuple):
    """Which journal entries to keep (docs/controls.md, "Journal"): every condition given must hold.

    `path` is a prefix (`/v1/chat`), or a glob when it holds `*`, `?` or `[` (`/v1/*/completions`, matched
    whole, `*` crossing `/`); `status` a code (`429`) or a class (`4xx`); `fixture` the id of the fixture that
    answered, or `none` for the requests no fixture answered."""

    method: str | None = None
    path: str | None = None
    status: str | None = None
    model: str | None = None
    fixture: str | None = None

    def __bool__(self) -> bool:
        return any(value is not None for value in (self.method, self.path, self.status, self.model, self.fixture))

    def keeps(self, method: str, path: str, status: int, fixture: str | None, model: Callable[[], str | None]) -> bool:
        if self.method is not None and method.upper() != self.method.upper():
            return False
        if self.path is not None and not path_matches(self.path, path):
            return False
        if self.status is not None and not status_matches(self.status, status):
            return False
        if self.fixture is not None and fixture != (None if self.fixture == "none" else self.fixture):
            return False
        return self.model is None or model() == self.model


def path_matches(pattern: str, path: str) -> bool:
    """A prefix, or a glob when the pattern holds `*`, `?` or `[`: the whole path must match it, `*` and `?`
    within one segment (not `/`), `**` across segments."""
    if any(character in pattern for character in "*?["):
        return _glob(pattern).fullmatch(path) is not None
    return path.startswith(pattern)


@functools.lru_cache(maxsize=64)
def _glob(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*|\*|\?|\[[^\]]*\])", pattern)
    translated = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    regex = "".join(
        translated.get(part) or (part if part.startswith("[") and part.endswith("]") else re.escape(part))
        for part in parts
    )
    return re.compile(regex)


def status_matches(pattern: str, status: int) -> bool:
    """`429` is that code; `4xx` (or `4XX`) every code of that class."""
    pattern = pattern.strip().lower()
    if len(pattern) == 3 and pattern.endswith("xx"):
        return str(status)[:1] == pattern[0]
    return str(status) == pattern


def _entry_model(entry: _Entry) -> str | None:
    request = _decoded(entry.body, entry.body_size)
    if isinstance(request, dict) and isinstance(request.get("model"), str):
        return request["model"]
    body = bytes(entry.answer.body) if entry.answer is not None else b""
    value = _value_after(body, b'"model":', str)
    return value if isinstance(value, str) else None


def _keeps_stored(chosen: JournalFilter, item: dict[str, Any]) -> bool:
    raw = _raw(item)
    if raw is None:  # written decoded, by an earlier version
        listed = item
        return chosen.keeps(
            listed["method"], listed["path"], listed["status"], listed["fixture"], lambda: listed.get("model")
        )
    return chosen.keeps(
        raw["method"], item["path"], raw["status"], raw["fixture"], lambda: _from_stored(item, raw).get("model")
    )


def _memory_entries(tenant: str, chosen: JournalFilter) -> list[_Entry]:
    """The tenant's memory journal, oldest first, filtered."""
    with _ring_lock:
        entries = list(_ring.get(tenant, ()))
    if not chosen:
        return entries
    return [
        entry
        for entry in entries
        if chosen.keeps(entry.method, entry.path, entry.status, entry.fixture, functools.partial(_entry_model, entry))
    ]


def _memory_id(entry: _Entry) -> str:
    # Ids are derived from the entry (stable across listings) when first needed.
    return ids.stable_id(JOURNAL, entry.at, str(entry.sequence), entry.sequence)


def journal_page(tenant: str, params: ListParams, chosen: JournalFilter | None = None) -> Page:
    """One page of the tenant's journal (newest first by default), the entries `chosen` keeps."""
    chosen = chosen or JournalFilter()
    if get_settings().store != "memory":
        stored = get_store().list(
            tenant,
            JOURNAL,
            limit=params.limit,
            order=params.order,
            after=params.after,
            before=params.before,
            where=(lambda item: _keeps_stored(chosen, item)) if chosen else None,
        )
        return Page([_from_stored(item) for item in stored.items], stored.has_more)
    listed = [{"id": _memory_id(entry), "entry": entry} for entry in _memory_entries(tenant, chosen)]
    page = paginate(listed, params)  # bodies decoded per page
    return Page([_listed(item["entry"], item["id"]) for item in page.items], page.has_more)


def journal_entries(tenant: str, chosen: JournalFilter | None = None) -> list[dict[str, Any]]:
    """Every entry of the tenant's journal `chosen` keeps, oldest first (the order requests arrived in)."""
    chosen = chosen or JournalFilter()
    if get_settings().store == "memory":
        return [_listed(entry, _memory_id(entry)) for entry in _memory_entries(tenant, chosen)]
    return [_from_stored(item) for item in _stored_items(tenant, chosen)]


def _listed(entry: _Entry, entry_id: str) -> dict[str, Any]:
    """A journal entry as the API shows it: the body decoded, its raw bytes and size left out."""
    body = _decoded(entry.body, entry.body_size)
    response = _response(entry.answer)
    return {
        "id": entry_id,
        "object": JOURNAL,
        "created_at": int(entry.at),
        "method": entry.method,
        "path": entry.path,
        "query": entry.query,
        "headers": _headers(entry.headers or ()),
        "body": body,
        "status": entry.status,
        "latency_ms": entry.latency_ms,
        "fixture": entry.fixture,
        "fault": entry.fault,
        "model": _model(body, response),
        "usage": _usage(response),
        "response": response,
    }


def _response(answer: Answer | None) -> dict[str, Any] | None:
    """The answer as sent: headers, the body decoded (JSON, or a stream's events with the ms each left at)."""
    if answer is None:
        return None
    headers = _headers(answer.headers)
    response: dict[str, Any] = {"headers": headers}
    body = bytes(answer.body)
    if not headers.get("content-type", "").startswith("text/event-stream"):
        response["body"] = _decoded(body, answer.size)
        return response
    events: list[dict[str, Any]] = []
    offsets = [offset for offset, _ in answer.writes]
    start = 0
    for raw in split_events(body[: _JOURNAL_BODY_LIMIT if answer.size > _JOURNAL_BODY_LIMIT else None]):
        write = max(0, bisect.bisect_right(offsets, start) - 1)
        events.append({"at_ms": answer.writes[write][1] if answer.writes else 0, **_event(raw)})
        start += len(raw)
    response["body"] = None
    response["events"] = events
    if answer.size > _JOURNAL_BODY_LIMIT:
        response["truncated"] = {"bytes": answer.size}
    return response


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in raw if name not in _SECRET_HEADERS}


def _event(raw: bytes) -> dict[str, Any]:
    name, data = None, []
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    text = "\n".join(data)
    try:
        payload: Any = json.loads(text)
    except ValueError:
        payload = text  # [DONE]
    return {"event": name, "data": payload}


def _model(body: Any, response: dict[str, Any] | None) -> str | None:
    for source in (body, (response or {}).get("body")):
        if isinstance(source, dict) and isinstance(source.get("model"), str):
            return source["model"]
    return None


def _usage(response: dict[str, Any] | None) -> dict[str, Any] | None:
    """The answer's token usage: its `usage`, or the last stream event's (chat with include_usage, Responses)."""
    if response is None:
        return None
    found = [response.get("body")] + [event["data"] for event in reversed(response.get("events", []))]
    for data in found:
        if not isinstance(data, dict):
            continue
        usage = data.get("usage") or (data.get("response") or {}).get("usage")
        if isinstance(usage, dict):
            return usage
    return None


def clear_journal(tenant: str) -> int:
    with _ring_lock:
        count = len(_ring.pop(tenant, ()))
    return count + get_store().delete_collection(tenant, JOURNAL)


def reset_process_state() -> None:
    with _draw_lock:
        _draws.clear()
    with _ring_lock:
        _ring.clear()
    _writes.clear()

"""Record and replay real traffic (`openai-mock serve --proxy URL --record DIR`, `serve --replay DIR`).

`RecordReplayApp` wraps the local server's app. With a proxy, a request no fixture matches is forwarded to an
OpenAI-compatible upstream (the caller's headers, Authorization included, passed through and never stored) and
its answer relayed as it arrives; with `record`, each exchange is written to a folder as a fixtures file (one
fixture with an `exchange`, control/fixture_models.py), binary answers in a file beside it. With `replay`, a
request whose method, path and body were recorded gets the recorded answer (the n-th identical request the
n-th recording, then the last again); an unrecorded one falls through to the mock, or in strict mode gets a 404
`unrecorded_request`. `/__mock/…` (the controls) is always the mock's. See docs/controls.md, "Record and replay".
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import mimetypes
import re
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openai_mock.control.exchanges import (
    FIXTURE_ENDPOINTS,
    HOP_HEADERS,
    TYPED_FIXTURE_ENDPOINTS,
    event_text,
    parse_event,
    redact_headers,
    redact_text,
    request_key,
    request_record,
    response_record,
)
from openai_mock.errors import OpenAIError

CONTROL_PREFIX = "/__mock"
sleep = asyncio.sleep  # the replay's pace between stream events (tests record the delays instead)
UNRECORDED = "unrecorded_request"


def response_bytes(response: Mapping[str, Any], folder: Path) -> bytes:
    """A recorded non-stream answer's body, as it was sent."""
    if response.get("file"):
        return (folder / response["file"]).read_bytes()
    if response.get("text") is not None:
        return str(response["text"]).encode()
    if "body" in response:
        indent = response.get("indent")
        if indent is None:
            return json.dumps(response["body"], ensure_ascii=False, separators=(",", ":")).encode()
        return json.dumps(response["body"], ensure_ascii=False, indent=indent).encode()
    return b""


class _EventSplitter:
    """Cuts a relayed SSE stream into events as its chunks arrive, each with its delay after the previous one."""

    def __init__(self, started: float) -> None:
        self.buffer = ""
        self.last = started
        self.events: list[dict[str, Any]] = []

    def feed(self, chunk: str, now: float) -> None:
        self.buffer += chunk.replace("\r\n", "\n")
        while "\n\n" in self.buffer:
            block, self.buffer = self.buffer.split("\n\n", 1)
            if block:
                self.events.append(parse_event(block, round((now - self.last) * 1000)))
                self.last = now

    def close(self) -> None:
        if self.buffer.strip():
            self.events.append({"raw": redact_text(self.buffer.rstrip("\n")), "delay_ms": 0})
            self.buffer = ""


# --------------------------------------------------------------------------------------------- the folder


def _slug(method: str, path: str) -> str:
    tail = re.sub(r"[^A-Za-z0-9]+", "_", path.split("?")[0].strip("/"))[:80].strip("_")
    return f"{method.lower()}-{tail or 'root'}"


class Recorder:
    """Writes each exchange as `DIR/NNNN-<method>-<path>.json` (+ `.bin`/`.mp3`/… for a binary answer)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(folder.glob("*.json")))

    def save(self, request: dict[str, Any], response: dict[str, Any], binary: bytes | None) -> Path:
        self.count += 1
        stem = f"{self.count:04d}-{_slug(request['method'], request['path'])}"
        if binary is not None:
            content_type = response["headers"].get("content-type", "").split(";")[0].strip()
            extension = mimetypes.guess_extension(content_type) or ".bin"
            (self.folder / f"{stem}{extension}").write_bytes(binary)
            response["file"] = f"{stem}{extension}"
        path = self.folder / f"{stem}.json"
        fixture = {
            "name": f"{request['method']} {request['path']}",
            "exchange": {"request": request, "response": response},
        }
        path.write_text(json.dumps({"fixtures": [fixture]}, ensure_ascii=False, indent=2) + "\n")
        return path


def load_recordings(folder: Path) -> list[dict[str, Any]]:
    """Every recorded exchange of a folder, in file-name order (the recording order), validated like fixtures."""
    from openai_mock.control.fixtures import load_file

    exchanges = []
    for path in sorted(folder.glob("*.json")):
        exchanges += [fixture["exchange"] for fixture in load_file(path) if "exchange" in fixture]
    return exchanges


class Replay:
    """The recordings of a folder by request key; the n-th identical request gets the n-th, then the last."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for exchange in load_recordings(folder):
            self.by_key[request_key(exchange["request"])].append(exchange["response"])
        self.served: dict[str, int] = defaultdict(int)

    def answer(self, key: str) -> dict[str, Any] | None:
        answers = self.by_key.get(key)
        if not answers:
            return None
        index = min(self.served[key], len(answers) - 1)
        self.served[key] += 1
        return answers[index]


def unrecorded(method: str, path: str) -> OpenAIError:
    return OpenAIError(
        404,
        f"No recorded exchange matches {method} {path} (openai-mock serve --replay --strict).",
        code=UNRECORDED,
    )


# --------------------------------------------------------------------------------------------- the ASGI app


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _raw_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class RecordReplayApp:
    def __init__(
        self,
        app: ASGIApp,
        *,
        upstream: str | None = None,
        record: Path | None = None,
        replay: Path | None = None,
        strict: bool = False,
        speed: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app = app
        self.upstream = upstream.rstrip("/") if upstream else None
        self.recorder = Recorder(record) if record is not None and upstream else None
        self.replay = Replay(replay) if replay is not None else None
        self.strict = strict
        self.speed = speed
        self.transport = transport
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        method, headers = scope["method"], _headers(scope)
        path = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope.get("query_string") else "")
        request = request_record(method, path, headers, body)
        if self.replay is not None:
            answer = self.replay.answer(request_key(request))
            if answer is not None:
                await self._serve_recorded(answer, send)
                return
        if self.upstream is not None and not _fixture_matches(method, scope["path"], headers, body):
            await self._forward(method, path, headers, body, request, send)
            return
        if self.replay is not None and self.strict:
            await unrecorded(method, scope["path"]).response()(scope, receive, send)
            return
        await self.app(scope, _replaying(body, receive), send)

    async def _serve_recorded(self, answer: Mapping[str, Any], send: Send) -> None:
        headers = {name: value for name, value in answer.get("headers", {}).items() if name not in HOP_HEADERS}
        await send(
            {"type": "http.response.start", "status": answer.get("status", 200), "headers": _raw_headers(headers)}
        )
        if answer.get("events") is not None:
            for event in answer["events"]:
                delay = event.get("delay_ms", 0) / 1000
                if delay and self.speed > 0:
                    await sleep(delay / self.speed)
                await send({"type": "http.response.body", "body": event_text(event).encode(), "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        assert self.replay is not None
        await send({"type": "http.response.body", "body": response_bytes(answer, self.replay.folder)})

    def _upstream_url(self, path: str) -> str:
        assert self.upstream is not None
        base = httpx.URL(self.upstream)
        if base.path.rstrip("/").endswith("/v1") and path.startswith("/v1/"):
            return self.upstream + path[len("/v1") :]
        return f"{base.scheme}://{base.netloc.decode()}{path}"

    async def _forward(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes, request: dict[str, Any], send: Send
    ) -> None:
        outgoing = {name: value for name, value in headers.items() if name not in HOP_HEADERS}
        async with httpx.AsyncClient(transport=self.transport, timeout=httpx.Timeout(600, connect=30)) as client:
            try:
                response = await client.send(
                    client.build_request(method, self._upstream_url(path), headers=outgoing, content=body), stream=True
                )
            except httpx.HTTPError as error:
                failure = OpenAIError(
                    502, f"The upstream {self.upstream} could not be reached: {error}", type="server_error"
                )
                await send(
                    {"type": "http.response.start", "status": 502, "headers": [(b"content-type", b"application/json")]}
                )
                await send({"type": "http.response.body", "body": json.dumps(failure.body()).encode()})
                return
            relayed = {
                name.lower(): value for name, value in response.headers.items() if name.lower() not in HOP_HEADERS
            }
            stream = relayed.get("content-type", "").startswith("text/event-stream")
            splitter, decoder = _EventSplitter(time.monotonic()), codecs.getincrementaldecoder("utf-8")("replace")
            chunks: list[bytes] = []
            try:
                await send(
                    {"type": "http.response.start", "status": response.status_code, "headers": _raw_headers(relayed)}
                )
                async for chunk in response.aiter_bytes():
                    # Kept before it is relayed: a caller that hangs up after the last event (the SDK does, on
                    # [DONE]) may have this task cancelled in the next send; the recording is complete anyway.
                    if stream:
                        splitter.feed(decoder.decode(chunk), time.monotonic())
                    else:
                        chunks.append(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
            finally:
                # No await before the file is written: it happens even when the caller's hang-up cancels us.
                self._save(request, response.status_code, relayed, splitter if stream else None, b"".join(chunks))
                await response.aclose()

    def _save(
        self,
        request: dict[str, Any],
        status: int,
        headers: dict[str, str],
        splitter: _EventSplitter | None,
        body: bytes,
    ) -> None:
        if self.recorder is None:
            return
        if splitter is not None:
            splitter.close()
            self.recorder.save(
                request, {"status": status, "headers": redact_headers(headers), "events": splitter.events}, None
            )
        else:
            answer, binary = response_record(status, headers, body)
            self.recorder.save(request, answer, binary)


def _fixture_matches(method: str, path: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Would a fixture (the caller's tenant's or the deployment's) answer this request? Then the mock does."""
    try:
        payload = json.loads(body) if body else {}
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        payload = {}
    endpoints = [f"{method} {path}"]  # a fixture for any operation (control/fixture_routes.py)
    if path in FIXTURE_ENDPOINTS and payload:
        endpoints.append(FIXTURE_ENDPOINTS[path])
    if path in TYPED_FIXTURE_ENDPOINTS:  # (a multipart body reads as {}: only its body-free conditions can hold)
        endpoints.append(TYPED_FIXTURE_ENDPOINTS[path])
    from openai_mock.control import fixtures
    from openai_mock.web.auth import principal_for_key

    candidates = [fixture for fixture in fixtures.deployment_fixtures() if "exchange" not in fixture]
    key = headers.get("authorization", "").removeprefix("Bearer ").strip()
    with contextlib.suppress(OpenAIError):  # not a key of this mock: only the deployment's fixtures can apply
        candidates += [f for f in fixtures.tenant_fixtures(principal_for_key(key).tenant) if "exchange" not in f]
    lowered = {name.lower(): value for name, value in headers.items()}
    return any(
        fixtures.meets(fixture["match"], endpoint, payload, body=payload, headers=lowered)
        for fixture in candidates
        for endpoint in endpoints
    )

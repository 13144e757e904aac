"""Fixtures for any operation: a fixture whose `match.endpoint` is "METHOD /path" (`POST /v1/moderations`,
`GET /v1/models/{model}`) answers that operation before its function does, with the `status`, `body` and
`headers` it gives (or its `error`), after its latency; without an answer it only adds its latency/fault.

The middleware asks `serve` on every request outside /__mock: it costs one listing of the tenant's fixtures
(which the model hook of the same request reuses), and reads the body only when a route fixture names this
method and path. JSON bodies are what `match.body`/`model`/`metadata`/templates read; others read as `{}`."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from openai_mock.control import fixtures, runtime
from openai_mock.control.faults import STREAM_CUT, fault_error
from openai_mock.errors import OpenAIError


async def serve(scope: Scope, receive: Receive, send: Send, controls: runtime.RequestControls) -> Receive | None:
    """Answer the request when a route fixture does (None), or the `receive` the function reads it from."""
    method, path = scope["method"], scope["path"]
    try:
        if not fixtures.route_fixtures_for(controls.tenant, method, path):
            return receive
    except OpenAIError:  # the store is unavailable (the function's own reads answer the 503), or the deployment's
        # fixtures file is broken (what uses fixtures names it; the rest answers as usual)
        return receive
    messages, raw = await read_body(receive)
    if messages[-1]["type"] != "http.request":  # the client left (or the body was too big): the function says so
        return replay(messages, receive)
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {}
    document: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    fixture = fixtures.match_fixture(controls.tenant, f"{method} {path}", document, body=document)
    if fixture is None:
        return replay(messages, receive)
    controls.fixture = fixture["id"]
    if "latency" in fixture:
        controls.latency = runtime.Pace(**fixture["latency"])
    try:
        answer = _answer(fixture, document, controls)
    except OpenAIError as error:
        await error.response()(scope, replay(messages, receive), send)
        return None
    if answer is None:
        return replay(messages, receive)
    status, body, headers = answer
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
    return None


def _answer(
    fixture: dict[str, Any], document: dict[str, Any], controls: runtime.RequestControls
) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
    """What the fixture answers (None: the function answers); raises the fixture's fault or error."""
    model = str(document.get("model") or "")
    fault = fixture.get("fault")
    if fault and runtime.draw(controls.tenant) < fault["rate"] and fault["kind"] != STREAM_CUT:
        controls.fault = fault["kind"]
        raise fault_error(fault["kind"], model=model, organization=controls.organization)
    answer = fixture.get("response") or {}
    if "error" in answer:
        controls.fault = answer["error"].get("kind")
        raise fixtures.error_of(answer, model, controls.organization)
    if "status" not in answer and "body" not in answer:
        return None
    given = {name.lower(): value for name, value in (answer.get("headers") or {}).items()}
    encoded = b""
    if "body" in answer:
        from openai_mock.control import fixture_templates  # a fixture's answer only: not at the cold start

        context = fixture_templates.Context(document, document, (fixture["id"], fixture["matched"]))
        encoded = json.dumps(fixture_templates.render(answer["body"], context), separators=(",", ":")).encode()
        given.setdefault("content-type", "application/json")
    given["content-length"] = str(len(encoded))
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in given.items()]
    return answer.get("status", 200), encoded, headers


async def read_body(receive: Receive) -> tuple[list[Message], bytes]:
    """The request's messages up to its whole body (or the client leaving), and the body."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, b""
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that gives the messages already read, then the client's."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed

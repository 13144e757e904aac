"""Pure ASGI middleware (cheap: no BaseHTTPMiddleware), applied by the app factory to every function:
authentication, standard OpenAI response headers, the body-size limit, and the last-resort 500 envelope."""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openai_mock import clock
from openai_mock.control import fixture_routes, tenant_clock
from openai_mock.control import runtime as controls_runtime
from openai_mock.errors import OpenAIError, body_too_large, server_error
from openai_mock.logs import logger
from openai_mock.settings import get_settings
from openai_mock.store import read_memo, write_behind
from openai_mock.web import error_counts, request_reads, spend_guard
from openai_mock.web.access import STATE_KEY as PROJECT_POLICY_STATE_KEY
from openai_mock.web.access import enforce_project_access
from openai_mock.web.auth import authenticate
from openai_mock.web.request_state import state_of

# A request whose body is at least this big is answered in a worker thread (its own event loop), so that parsing
# and tokenising megabytes never block the server's loop: other requests keep being answered meanwhile
# (bench/stall.py). Smaller bodies keep the fast path. At most OFFLOAD_THREADS such requests run at once; more
# wait their turn (waiting does not block the loop either). A chunked body declares no length: fast path.
OFFLOAD_BYTES = 1024 * 1024
OFFLOAD_THREADS = 2
_offload_limiter: anyio.CapacityLimiter | None = None


async def _in_worker_thread(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `app` for one request on an event loop of its own in a worker thread; its `receive` and `send` are
    relayed to the server's loop. Context variables (the request's controls) go along."""
    global _offload_limiter
    if _offload_limiter is None:
        _offload_limiter = anyio.CapacityLimiter(OFFLOAD_THREADS)

    async def received() -> Message:  # on the server's loop
        return await receive()

    async def sent(message: Message) -> None:  # on the server's loop
        await send(message)

    async def relayed_receive() -> Message:  # on the worker's loop, which waits (it serves this request only)
        return anyio.from_thread.run(received)

    async def relayed_send(message: Message) -> None:
        anyio.from_thread.run(sent, message)

    async def answer() -> None:
        await app(scope, relayed_receive, relayed_send)

    def serve() -> None:
        asyncio.run(answer())

    await anyio.to_thread.run_sync(serve, limiter=_offload_limiter)


# Model-serving routes put their `x-ratelimit-*` headers here, as (name, value) bytes (see ratelimits.py).
RATE_LIMIT_STATE_KEY = "rate_limit_headers"
# Request ids: a generator seeded from the OS once per process (and again in a forked child, which would
# otherwise repeat its parent's ids).
_request_ids = random.Random()
_getrandbits = _request_ids.getrandbits
os.register_at_fork(after_in_child=_request_ids.seed)


class OpenAIMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        public: frozenset[str] = frozenset(),
        keyless: frozenset[tuple[str, str]] = frozenset(),
        path_objects: request_reads.PathObjects | None = None,
        body_objects: request_reads.BodyObjects | None = None,
        caller_objects: request_reads.CallerObjects | None = None,
    ) -> None:
        self.app = app
        # What is answered without a key, as (method, path): the console's static files (`public`, to GET and
        # HEAD), and `keyless` requests (the token exchange, which trades an identity token for a key).
        self.keyless = keyless | {(method, path) for path in public for method in ("GET", "HEAD")}
        # What a request's path or body names, or its caller, read with its first reads on DynamoDB
        # (web/request_reads.py).
        self.named_objects = request_reads.NamedObjects(path_objects or {}, body_objects or {}, caller_objects)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Unique, not secret (it seeds the request's fault draws): no system call per request.
        request_id = f"req_{_getrandbits(128):032x}"
        settings = get_settings()
        limit = settings.max_body_bytes
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if dropping:  # past the body limit, what the app answers is not sent (the 413 below is)
                return
            if message["type"] == "http.response.start":
                response_started = True
                headers = list(message.get("headers", []))
                headers.extend(_standard_headers(scope, request_id, started, settings.openai_version, origin))
                message = {**message, "headers": headers}
            if controls is not None and settings.journal_size:
                controls.keep_answer(message)  # the journal shows what was answered
            await send(message)

        received = 0
        overflowed = dropping = False
        controls: controls_runtime.RequestControls | None = None

        async def receive_limited() -> Message:
            # Past the limit the app is told the client left; whatever it answers is dropped below.
            nonlocal received, overflowed, dropping
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if controls is not None and settings.journal_size:
                    controls.keep_body(message.get("body", b""))
                if received > limit:
                    overflowed = dropping = True
                    return {"type": "http.disconnect"}
            return message

        authorization, declared, origin = _read_headers(scope)
        if declared > limit:
            await body_too_large(limit).response()(scope, receive, send_with_headers)
            return
        if (scope["method"], scope["path"]) in self.keyless:
            await self.app(scope, receive, send_with_headers)
            return
        try:
            principal = authenticate(authorization)
            # A project key's roles, model and tool permissions (web/access.py); other keys: no store read.
            policy = enforce_project_access(principal, scope["method"], scope["path"])
        except OpenAIError as error:
            await error.response()(scope, receive, send_with_headers)
            return
        state = state_of(scope)
        state["principal"] = principal  # request.state.principal in routes
        if policy is not None:
            state[PROJECT_POLICY_STATE_KEY] = policy
        # The tenant's time (`/__mock/clock`): read from the store the first time this request asks the clock (a
        # request the controls see reads it up front, with the rest of its first reads: web/request_reads.py).
        clock.use_tenant_offset(lambda: tenant_clock.offset(principal.tenant))
        app_send: Any = send_with_headers
        paced: controls_runtime.PacedSend | None = None
        reads = None
        body_receive: Receive = receive_limited
        if not scope["path"].startswith(controls_runtime.CONTROL_PREFIX):
            # Mock controls (docs/controls.md): injected faults, latency, cut streams, the journal.
            controls = controls_runtime.begin(principal.tenant, principal.organization_id, scope.get("headers", []))
            controls.request_id = request_id  # seeds its fault draws
            fault = controls_runtime.injected_fault(controls, settings)
            if fault is not None:
                controls.status = fault.status
                failed_model_request = error_counts.counted(scope["method"], scope["path"])
                asked = b""
                if failed_model_request and 0 < declared <= error_counts.BODY_BYTES:
                    # Its model, for health alerts' counts; read past the journal, which keeps a faulted request
                    # as refused unread (docs/controls.md).
                    _, asked = await fixture_routes.read_body(receive)
                await fault.response()(scope, receive, send_with_headers)
                self._journal(scope, controls, started, settings.journal_size)
                if failed_model_request:
                    error_counts.record(principal, fault.status, asked)
                return
            # What the request reads on DynamoDB is kept for it (store/read_memo.py), from its first reads on.
            reads = read_memo.begin()
            named: list[tuple[str, str]] = []
            if reads is not None:
                named, body_receive = await self.named_objects.of(scope, receive_limited, declared, principal)
            try:  # the tenant's clock and copies' stamps (and a model request's spend state, quota): one read
                request_reads.read(principal, state, spend_guard.is_billed(scope["method"], scope["path"]), named)
            except OpenAIError as refused:  # over the hard spend limit (docs/admin.md), before any work
                read_memo.end(reads)
                controls.status = refused.status
                await refused.response()(scope, receive, send_with_headers)
                self._journal(scope, controls, started, settings.journal_size)
                if error_counts.counted(scope["method"], scope["path"]):
                    error_counts.record(principal, refused.status, bytes(controls.body))
                return
            app_send = paced = controls_runtime.PacedSend(send_with_headers, receive, controls, settings)
        # Writes no answer depends on (usage records) run beside the answer and the journal entry on DynamoDB; the
        # request waits for them before it ends (store/write_behind.py; a cancelled one leaves them to finish alone).
        writes = write_behind.begin()
        try:
            app_receive: Receive | None = body_receive
            if controls is not None:  # a fixture for this method and path answers in the function's stead
                app_receive = await fixture_routes.serve(scope, body_receive, app_send, controls)
            if app_receive is not None and declared >= OFFLOAD_BYTES:
                await _in_worker_thread(self.app, scope, app_receive, app_send)
            elif app_receive is not None:
                await self.app(scope, app_receive, app_send)
        except Exception:
            if not overflowed:
                logger.exception("unhandled error", extra={"path": scope.get("path"), "request_id": request_id})
                if not response_started:
                    await server_error().response()(scope, receive, send_with_headers)
        finally:
            if paced is not None:
                paced.close()
        if overflowed and not response_started:
            dropping = False
            await body_too_large(limit).response()(scope, receive, send_with_headers)
        if controls is not None:
            if not controls.status:  # answered by the 413 / 500 above
                controls.status = 413 if overflowed else 500
            # A failed model request is counted for health alerts (beside its journal entry, on DynamoDB); a
            # successful one costs this comparison only.
            if controls.status >= 400 and error_counts.counted(scope["method"], scope["path"]):
                write_behind.soon(error_counts.record, principal, controls.status, bytes(controls.body))
            self._journal(scope, controls, started, settings.journal_size)
        write_behind.end(writes)
        read_memo.end(reads)

    @staticmethod
    def _journal(scope: Scope, controls: controls_runtime.RequestControls, started: float, size: int) -> None:
        if size:
            try:
                controls_runtime.record(
                    controls,
                    scope["method"],
                    scope["path"],
                    scope.get("query_string", b"").decode(),
                    started,
                    time.perf_counter(),
                    size,
                )
            except OpenAIError:  # the journal is best effort: a storage outage must not fail the request twice
                logger.warning("request journal not written", extra={"path": scope.get("path")})


def _read_headers(scope: Scope) -> tuple[str, int, bool]:
    """What the middleware reads of the request's headers, in one pass: the `Authorization` value, the declared
    body length (0 when absent or not a number) and whether an `Origin` came (a browser's request)."""
    authorization = length = b""
    origin = False
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            authorization = authorization or value
        elif name == b"content-length":
            length = length or value
        elif name == b"origin":
            origin = origin or bool(value)
    try:
        declared = int(length or 0)
    except ValueError:
        declared = 0
    return authorization.decode("latin-1"), declared, origin


# Browser front-ends call the hosted mock directly: answers to them (requests with an Origin) are readable
# cross-origin, headers included.
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-expose-headers",
        b"x-request-id, openai-processing-ms, openai-version, openai-organization, retry-after, retry-after-ms, "
        b"x-ratelimit-limit-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-requests, "
        b"x-ratelimit-remaining-tokens, x-ratelimit-reset-requests, x-ratelimit-reset-tokens",
    ),
]


def _standard_headers(
    scope: Scope, request_id: str, started: float, version: str, origin: bool
) -> list[tuple[bytes, bytes]]:
    elapsed_ms = max(1, round((time.perf_counter() - started) * 1000))
    headers = [
        (b"x-request-id", request_id.encode()),
        (b"openai-processing-ms", b"%d" % elapsed_ms),
        (b"openai-version", version.encode()),
    ]
    if origin:
        headers.extend(CORS_HEADERS)
    state = state_of(scope)
    principal = state.get("principal")
    if principal is not None:
        headers.append((b"openai-organization", principal.organization_id.encode()))
    headers.extend(state.get(RATE_LIMIT_STATE_KEY, ()))
    return headers

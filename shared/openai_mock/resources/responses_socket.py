"""The Responses API over a WebSocket (`client.beta.responses.connect()`, `/v1/responses`).

A `response.create` runs exactly as `POST /v1/responses` with `stream: true` runs (the same checks, storage, usage,
rate limits, conversations and `previous_response_id`): its typed events are sent one per text frame instead of
one per SSE line. Several run in turn. `response.steer` queues user input for a continuation of the response being
sent; `response.inject` commits items to an active response. The rule for both (docs/responses.md, "Over a
WebSocket"): a response is active while its events are still being sent, which only the latency controls make last
(a mock response is whole at once); steering input accepted meanwhile becomes an automatic successor once the
response completes (or stays queued, `response.steer.pending`, when it stopped for client-owned tool output).

Two transports share the `ResponsesSocket` core: a Starlette WebSocket (the local server, in-process tests) and
API Gateway's WebSocket API ($connect/$default/$disconnect: the connection's state kept in the store between
frames, the events posted through the management API)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError
from starlette.requests import Request

from openai_mock import clock, ids
from openai_mock.control import runtime, socket_journal, tenant_clock
from openai_mock.errors import OpenAIError, from_validation_errors, invalid_request
from openai_mock.resources import responses
from openai_mock.settings import get_settings
from openai_mock.web import access, request_reads, websocket_gateway
from openai_mock.web.auth import Principal, authenticate

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

CONNECTIONS = "responses.connection"
PATH = "/v1/responses"
CLOSE_REFUSED = 1008  # policy violation: the `error` event sent before it says why
# Accepted steering input a response may hold at once (a guess: OpenAI documents a limit, not its value).
MAX_PENDING_STEERS = 16
CONNECTION_SECONDS = 3600  # a connection lasts at most 60 minutes: then the client reconnects
CLOSE_NORMAL = 1000
DEFAULT_LANE = ""  # the lane of a `response.create` without `stream_id`
# Envelope fields of `response.create` that are not part of `POST /v1/responses`'s body.
_ENVELOPE = ("type", "stream_id", "generate", "stream")
# Headers never kept with a connection's state (it is stored on AWS).
_SECRET_HEADERS = frozenset({"authorization", "cookie", "sec-websocket-key", "sec-websocket-protocol"})
# Output items that stop a response until the client supplies a result: the stub of that result.
_CLIENT_CALLS = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "computer_call": "computer_call_output",
    "shell_call": "shell_call_output",
    "apply_patch_call": "apply_patch_call_output",
}
_UNREADABLE = object()  # a frame that is not JSON


class Opened(NamedTuple):
    socket: ResponsesSocket
    pace: runtime.Pace | None  # the mock controls' latency (x-mock-* headers of the upgrade, the deployment's)


class Refused(NamedTuple):
    """The upgrade is answered only to say why not (an `error` event, then the close frame)."""

    error: OpenAIError


class Turn(NamedTuple):
    """What one `response.create` sent: its events, and the response's id (None: it was refused)."""

    response_id: str | None
    events: list[dict[str, Any]]


def open_socket(headers: Mapping[str, str]) -> Opened | Refused:
    """The upgrade's checks, as for `POST /v1/responses`: the key (`Authorization`), a project key's roles, and an
    injected fault of the mock controls."""
    try:
        principal = authenticate(headers.get("authorization", ""))
        access.enforce_project_access(principal, "POST", PATH)
    except OpenAIError as error:
        return Refused(error)
    controls = socket_journal.controls_of(headers, principal.tenant)
    fault = runtime.injected_fault(controls, get_settings())
    if fault is not None:
        return Refused(fault)
    kept = {name: value for name, value in headers.items() if name not in _SECRET_HEADERS}
    clock.use_tenant_offset(lambda: tenant_clock.offset(principal.tenant))
    state = {
        "principal": principal._asdict(),
        "headers": kept,
        "opened_at": clock.now_seconds(),
        "responses": {},
        "steers": {},
        "held": {},
        "sequence": 0,
    }
    return Opened(ResponsesSocket(state), runtime.latency(controls, get_settings()))


def _decoded(chunk: bytes) -> dict[str, Any]:
    """One SSE event of the stream `responses.deliver` answers (`event: …\\ndata: {…}\\n\\n`), as its JSON."""
    event: dict[str, Any] = json.loads(chunk.partition(b"data: ")[2])
    return event


def _flag(payload: Mapping[str, Any], name: str) -> bool | None:
    value = payload.get(name)
    if value is not None and not isinstance(value, bool):
        raise invalid_request(
            f"Invalid type for '{name}': expected a boolean, but got {type(value).__name__} instead.",
            name,
            "invalid_type",
        )
    return value


def _check_envelope(payload: Mapping[str, Any]) -> None:
    """What only the WebSocket's `response.create` carries, and what it cannot do."""
    stream_id = payload.get("stream_id")
    if stream_id is not None and not (isinstance(stream_id, str) and stream_id):
        raise invalid_request("Invalid 'stream_id': expected a non-empty string.", "stream_id", "invalid_value")
    _flag(payload, "generate")
    if payload.get("background"):
        raise invalid_request(
            "Background mode is not supported over a WebSocket: send the request to POST /v1/responses instead.",
            "background",
            "unsupported_parameter",
        )


def _body(payload: Mapping[str, Any]) -> responses.CreateResponseRequest:
    """The `POST /v1/responses` body a `response.create` is: its envelope off, streamed."""
    _check_envelope(payload)
    fields = {name: value for name, value in payload.items() if name not in _ENVELOPE}
    try:
        return responses.CreateResponseRequest.model_validate({**fields, "stream": True})
    except ValidationError as error:  # located as json_body locates a body's problems
        located = [{**detail, "loc": ("body", *detail["loc"])} for detail in error.errors()]
        raise from_validation_errors(located) from None


def _required_input(output: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stubs of the results a response waits for: its client-owned calls that no output item answered."""
    answered = {item.get("call_id") for item in output if str(item.get("type", "")).endswith("_output")}
    stubs: list[dict[str, Any]] = []
    for item in output:
        kind = item.get("type")
        if kind in _CLIENT_CALLS and item.get("call_id") not in answered:
            stub = {"type": _CLIENT_CALLS[kind], "call_id": item["call_id"]}
            stubs.append({**stub, "name": item["name"]} if kind == "function_call" else stub)
        elif kind == "tool_search_call" and item.get("execution") == "client" and item.get("call_id") not in answered:
            stubs.append({"type": "tool_search_output", "call_id": item["call_id"], "execution": "client"})
        elif kind == "mcp_approval_request":
            stubs.append({"type": "mcp_approval_response", "approval_request_id": item["id"]})
    return stubs


def _steer_items(value: Any) -> list[dict[str, Any]] | None:
    """Steering input as input items (user messages only, of `type`, `role` and `content`); None when invalid."""
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}] if value else None
    if not isinstance(value, list) or not value:
        return None
    items = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) - {"type", "role", "content"}:
            return None
        if entry.get("type", "message") != "message" or entry.get("role") != "user":
            return None
        content = entry.get("content")
        parts_ok = (
            isinstance(content, list)
            and content
            and all(
                isinstance(part, dict) and part.get("type") in ("input_text", "input_image", "input_file")
                for part in content
            )
        )
        if not (isinstance(content, str) or parts_ok):
            return None
        items.append({"type": "message", "role": "user", "content": content})
    return items


def _as_items(value: Any) -> list[Any]:
    return [{"type": "message", "role": "user", "content": value}] if isinstance(value, str) else list(value or [])


class ResponsesSocket:
    """One connection's protocol, over a JSON-able `state` (kept in the store between API Gateway's events): who
    connected and when, the upgrade's headers (seed, mock controls), the responses it created (their settings, how
    they ended), their queued steering input, the latest unstored response of each lane (`held`: its conversation,
    which a `previous_response_id` continues from), and its own events' sequence numbers. `active`: the responses
    whose events are being sent (one per lane at most); `closed`: the connection ends once the events of the last
    frame are sent."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        state.setdefault("held", {})  # a connection kept by an earlier version of the mock
        self.active: set[str] = set()
        self.closed = False

    # ----------------------------------------------------------------------------- frames

    def classify(self, frame: str) -> tuple[str, Any]:
        """("create", payload) for a `response.create` (the transport runs it in turn, and `create` checks the
        connection's 60 minutes then), else ("events", [...]) answered at once (steer, inject, a bad frame), or the
        limit's `error` event once the 60 minutes are over (`closed`: the connection ends)."""
        try:
            event = json.loads(frame)
        except ValueError:
            event = _UNREADABLE
        if isinstance(event, dict) and event.get("type") == "response.create":
            return "create", event
        try:
            self._check_open()
        except OpenAIError as error:
            return "events", [self._error(error)]
        return "events", self._answer(event)

    def _answer(self, event: Any) -> list[dict[str, Any]]:
        """A frame answered at once: a steer, an injection, or the `error` event of a frame that is neither."""
        if event is _UNREADABLE:
            error = invalid_request("We could not parse the JSON body of your event: send one JSON object per frame.")
            return [self._error(error)]
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "response.steer":
            return self.steer(event)
        if kind == "response.inject":
            return self.inject(event)
        message = (
            f"Invalid value: '{kind}'. Supported values are: 'response.create', 'response.steer' and 'response.inject'."
            if isinstance(kind, str)
            else "Missing required parameter: 'type'."
        )
        return [self._error(invalid_request(message, "type", "invalid_value" if kind else "missing"))]

    def run(self, frame: str) -> list[dict[str, Any]]:
        """One frame, answered whole (API Gateway: a response is complete within the frame that created it)."""
        kind, work = self.classify(frame)
        if kind == "events":
            return list(work)
        turn = self.create(work)
        return [*turn.events, *self.finish(turn.response_id)]

    # ----------------------------------------------------------------------------- response.create

    def _request(self, principal: Principal) -> Request:
        """The request state `POST /v1/responses` runs with: the caller, a project key's policy (read now: permissions
        may change while a connection lasts), and a model request's first reads (clock, quota, retention, spend)."""
        state: dict[str, Any] = {"principal": principal}
        policy = access.enforce_project_access(principal, "POST", PATH)
        if policy is not None:
            state[access.STATE_KEY] = policy
        request_reads.read(principal, state, True)
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in self.state["headers"].items()]
        scope = {
            "type": "http",
            "method": "POST",
            "path": PATH,
            "query_string": b"",
            "headers": headers,
            "state": state,
        }
        return Request(scope)

    def create(self, payload: dict[str, Any], steered: list[dict[str, Any]] | None = None) -> Turn:
        """A `response.create`, as the route runs `POST /v1/responses` (stream: true); a refusal is an `error` event.
        The steering input queued for its `previous_response_id` comes first in its input. A continuation refused
        drops the response it named from what the connection holds (an unstored one cannot be continued again)."""
        stream_id = payload.get("stream_id") if isinstance(payload.get("stream_id"), str) else None
        named = payload.get("previous_response_id")
        queued: list[dict[str, Any]] = []
        try:
            self._check_open()
            body = _body(payload)
            if steered is None and body.previous_response_id is not None:
                queued = self.state["steers"].pop(body.previous_response_id, [])
            if queued:
                steering = [item for steer in queued for item in _as_items(steer["input"])]
                body = body.model_copy(update={"input": [*steering, *_as_items(body.input)]})
            events, conversation = self._run(body, payload.get("generate") is not False)
        except OpenAIError as error:
            if queued:  # still the server's: it waits for a continuation that succeeds
                self.state["steers"][named] = queued
            if isinstance(named, str):
                self._forget(named)
            return Turn(None, [self._error(error, stream_id)])
        response = events[-1]["response"]
        self._hold(stream_id or DEFAULT_LANE, response, conversation)
        self.state["responses"][response["id"]] = {
            "settings": {
                name: value for name, value in payload.items() if name not in ("input", "previous_response_id")
            },
            "stream_id": stream_id,
            "status": response["status"],
            "steerable": body.conversation is None and body.context_management is None,
            "required_input": _required_input(response["output"]),
        }
        if stream_id is not None:
            events = [{**event, "stream_id": stream_id} for event in events]
        return Turn(response["id"], events)

    def _run(
        self, body: responses.CreateResponseRequest, generate: bool
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The route's steps (functions/responses/app.py `create_response`), on this connection's caller: the
        response's events, and the conversation a continuation of it reads."""
        principal = Principal(**self.state["principal"])
        request = self._request(principal)
        access.check_body(request, body)  # what the route's `json_body` checks
        body = responses.held(request, body)
        tenant = principal.tenant
        held = {entry["id"]: entry["conversation"] for entry in self.state["held"].values()}
        generated = responses.generate(body, tenant, self.state["headers"], held=held)
        if not generate:
            generated = responses.without_output(generated)
        responses.admit(request, tenant, generated)
        stream = responses.deliver(body, tenant, generated)
        assert not isinstance(stream, dict)  # streamed: `stream` is implicit over a WebSocket
        return [_decoded(chunk) for chunk in stream], generated.conversation

    # ----------------------------------------------------------------------------- what the connection holds

    def _check_open(self) -> None:
        """A connection lasts 60 minutes by the tenant's clock: then a frame is refused and the connection ends."""
        tenant = self.state["principal"]["tenant"]
        clock.use_tenant_offset(lambda: tenant_clock.offset(tenant))
        opened_at = self.state.get("opened_at", clock.now_seconds())
        if clock.now_seconds() - opened_at < CONNECTION_SECONDS:
            return
        self.closed = True
        raise invalid_request(
            f"Responses WebSocket connections are limited to {CONNECTION_SECONDS // 60} minutes: open a new "
            "connection to continue (a stored response can be continued there with `previous_response_id`).",
            code="websocket_connection_limit_reached",
        )

    def _hold(self, lane: str, response: Mapping[str, Any], conversation: list[dict[str, Any]]) -> None:
        """The lane's latest response replaces what it held: kept whole when it was not stored (the only place a
        continuation can read it from), else nothing (the store has it)."""
        if response.get("store"):
            self.state["held"].pop(lane, None)
        else:
            self.state["held"][lane] = {"id": response["id"], "conversation": conversation}

    def _forget(self, response_id: str) -> None:
        for lane, entry in list(self.state["held"].items()):
            if entry["id"] == response_id:
                del self.state["held"][lane]

    # ----------------------------------------------------------------------------- steering

    def _next_sequence(self) -> int:
        self.state["sequence"] += 1
        return int(self.state["sequence"])

    def _lane(self, response_id: str) -> dict[str, str]:
        known = self.state["responses"].get(response_id) or {}
        return {"stream_id": known["stream_id"]} if known.get("stream_id") else {}

    def _steer_failed(self, event: Mapping[str, Any], code: str, message: str, steer_id: str | None = None) -> dict:
        steer = {"input": event.get("input"), "previous_response_id": event["previous_response_id"]}
        if steer_id is not None:
            steer["id"] = steer_id
        return {
            "type": "response.steer.failed",
            "sequence_number": self._next_sequence(),
            "error": {"type": "invalid_request_error", "code": code, "message": message},
            "steer": steer,
            **self._lane(event["previous_response_id"]),
        }

    def steer(self, event: Mapping[str, Any]) -> list[dict[str, Any]]:
        """`response.steer`: accepted only while its response is active (its events still being sent)."""
        target = event.get("previous_response_id")
        if not isinstance(target, str) or not target:
            return [
                self._error(
                    invalid_request(
                        "Missing required parameter: 'previous_response_id'.",
                        "previous_response_id",
                        "missing_required_parameter",
                    )
                )
            ]
        if set(event) - {"type", "previous_response_id", "input"}:
            extra = sorted(set(event) - {"type", "previous_response_id", "input"})[0]
            return [
                self._steer_failed(
                    event,
                    "invalid_input",
                    f"Unknown parameter: '{extra}'. A steer takes 'previous_response_id' and 'input' only.",
                )
            ]
        if _steer_items(event.get("input")) is None:
            return [
                self._steer_failed(
                    event,
                    "invalid_input",
                    "Invalid 'input': steering takes text, or user messages of text, image and file parts.",
                )
            ]
        known = self.state["responses"].get(target)
        if known is None:
            return [
                self._steer_failed(
                    event, "response_not_found", f"Response '{target}' is not available on this connection."
                )
            ]
        if not known["steerable"]:
            return [
                self._steer_failed(
                    event,
                    "steering_not_supported",
                    "Steering is not supported for a response bound to a conversation or using automatic compaction.",
                )
            ]
        if target not in self.active:
            if known["status"] != "completed":
                return [
                    self._steer_failed(
                        event,
                        "response_not_active",
                        f"Response '{target}' is {known['status']}: it no longer accepts steering input.",
                    )
                ]
            return [
                self._steer_failed(event, "response_already_completed", f"Response '{target}' has already completed.")
            ]
        queue = self.state["steers"].setdefault(target, [])
        if len(queue) >= MAX_PENDING_STEERS:
            return [
                self._steer_failed(
                    event,
                    "too_many_pending_steers",
                    f"Response '{target}' already holds {MAX_PENDING_STEERS} steering submissions.",
                )
            ]
        steer_id = "steer_" + ids.new_id("request")[4:]
        queue.append({"id": steer_id, "input": event["input"]})
        accepted = {"id": steer_id, "previous_response_id": target}
        return [
            {
                "type": "response.steer.accepted",
                "sequence_number": self._next_sequence(),
                "steer": accepted,
                **self._lane(target),
            }
        ]

    def _pending(self, response_id: str, steer: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "response.steer.pending",
            "sequence_number": self._next_sequence(),
            "reason": "waiting_for_required_input",
            "required_input": self.state["responses"][response_id]["required_input"],
            "steer": {"id": steer["id"], "previous_response_id": response_id},
            **self._lane(response_id),
        }

    def finish(self, response_id: str | None) -> list[dict[str, Any]]:
        """After a response's last event: its accepted steering input becomes an automatic successor (its settings,
        continued from it), or stays queued (`response.steer.pending`) while the response waits for client-owned
        tool results, to come first in the explicit `response.create` that supplies them."""
        if response_id is None:
            return []
        self.active.discard(response_id)
        known = self.state["responses"][response_id]
        queued = self.state["steers"].get(response_id, [])
        if not queued:
            return []
        if known["required_input"]:
            return [self._pending(response_id, steer) for steer in queued]
        del self.state["steers"][response_id]
        steering = [item for steer in queued for item in _as_items(steer["input"])]
        successor = {**known["settings"], "previous_response_id": response_id, "input": steering}
        turn = self.create(successor, steered=queued)
        if turn.response_id is None:
            failed = turn.events[0]["error"]["message"]
            return [
                self._steer_failed(
                    {"input": steer["input"], "previous_response_id": response_id},
                    "successor_creation_failed",
                    f"The successor response could not be created: {failed}",
                    steer["id"],
                )
                for steer in queued
            ]
        return [*turn.events, *self.finish(turn.response_id)]

    # ----------------------------------------------------------------------------- inject, errors

    def inject(self, event: Mapping[str, Any]) -> list[dict[str, Any]]:
        """`response.inject`: a mock response never waits mid-way for the client (a tool call ends it), so there is
        never one to commit to: the input comes back, to be sent with `response.create` and its
        `previous_response_id`."""
        target, items = event.get("response_id"), event.get("input")
        if not isinstance(target, str) or not target:
            return [
                self._error(
                    invalid_request(
                        "Missing required parameter: 'response_id'.", "response_id", "missing_required_parameter"
                    )
                )
            ]
        if not isinstance(items, list) or not items:
            return [
                self._error(
                    invalid_request(
                        "Invalid 'input': expected a non-empty array of input items.", "input", "invalid_value"
                    )
                )
            ]
        if target in self.state["responses"]:
            error = {"code": "response_already_completed", "message": f"Response '{target}' is not waiting for input."}
        else:
            error = {
                "code": "response_not_found",
                "message": f"Response '{target}' is not available on this connection.",
            }
        failed = {"type": "response.inject.failed", "sequence_number": self._next_sequence(), "error": error}
        return [{**failed, "input": items, "response_id": target}]

    @staticmethod
    def _error(error: OpenAIError, stream_id: str | None = None) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "type": error.type,
            "code": error.code,
            "message": error.message,
            "param": error.param,
        }
        if error.headers:
            detail["headers"] = error.headers
        event = {"type": "error", "status": error.status, "error": detail}
        return {**event, "stream_id": stream_id} if stream_id else event


# --------------------------------------------------------------------------------------------- Starlette


class _Transport:
    """A Starlette WebSocket's frames, read as they arrive: steering and injection are answered at once; each
    `response.create` waits on its lane (`stream_id`), which runs its responses in turn while lanes run at once
    (their paced events interleave)."""

    def __init__(self, websocket: WebSocket, socket: ResponsesSocket, pace: runtime.Pace | None) -> None:
        self.websocket, self.socket, self.pace = websocket, socket, pace
        self.lanes: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.workers: list[asyncio.Task[None]] = []
        self.turns = asyncio.Lock()  # one create or finish at a time: they share the connection's state
        self.sending = asyncio.Lock()  # one frame at a time on the wire
        self.gone = False
        self.received: list[Any] = []  # the exchange, for the connection's journal entry
        self.sent: list[dict[str, Any]] = []

    async def _receive(self) -> str | None:
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            self.gone = True
            return None
        text = message.get("text")
        text = text if text is not None else (message.get("bytes") or b"").decode("utf-8", "replace")
        self.received.append(_journalled(text))
        return text

    async def _send(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if self.gone:
                return
            async with self.sending:
                await self.websocket.send_text(json.dumps(event))
            self.sent.append(event)

    async def _deliver(self, events: list[dict[str, Any]]) -> None:
        """A response's events, paced by the mock controls' latency when set: `ttft_ms` (or `latency_ms`) before
        the first, `tokens_per_second` for each delta (one token each)."""
        for event in events:
            if self.pace is not None:
                kind = event["type"]
                if kind == "response.created" and (self.pace.ttft_ms or self.pace.ms):
                    await asyncio.sleep((self.pace.ttft_ms or self.pace.ms) / 1000)
                elif kind.endswith(".delta") and self.pace.tokens_per_second:
                    await asyncio.sleep(1 / self.pace.tokens_per_second)
            await self._send([event])

    async def _create(self, payload: dict[str, Any]) -> None:
        from starlette.concurrency import run_in_threadpool

        async with self.turns:
            turn = await run_in_threadpool(self.socket.create, payload)
            if turn.response_id is not None:
                self.socket.active.add(turn.response_id)
        await self._deliver(turn.events[:-1])
        # Its last event ends it: a steer read once the client has seen it finds the response completed.
        self.socket.active.discard(turn.response_id or "")
        await self._deliver(turn.events[-1:])
        async with self.turns:  # finish() runs an automatic successor: sent as one (its steering is over)
            successor = await run_in_threadpool(self.socket.finish, turn.response_id)
        await self._send(successor)

    async def _close_if_ended(self) -> None:
        """Once a frame met the connection's 60-minute limit (its `error` event sent), the connection closes."""
        if self.socket.closed and not self.gone:
            self.gone = True
            await self.websocket.close(code=CLOSE_NORMAL, reason="websocket_connection_limit_reached")

    async def _run_lane(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        while not self.gone:
            await self._create(await queue.get())
            await self._close_if_ended()

    def _queue(self, payload: dict[str, Any]) -> None:
        stream_id = payload.get("stream_id")
        lane = stream_id if isinstance(stream_id, str) else DEFAULT_LANE
        if lane not in self.lanes:
            self.lanes[lane] = asyncio.Queue()
            self.workers.append(asyncio.ensure_future(self._run_lane(self.lanes[lane])))
        self.lanes[lane].put_nowait(payload)

    async def run(self) -> None:
        """Read frames until the client leaves or the connection is closed; the lanes stop with it."""
        try:
            while not self.gone and (text := await self._receive()) is not None:
                kind, work = self.socket.classify(text)
                if kind == "events":
                    await self._send(work)
                    await self._close_if_ended()
                else:
                    self._queue(work)
        finally:
            for worker in self.workers:
                worker.cancel()
            await asyncio.gather(*self.workers, return_exceptions=True)


def _journalled(text: str) -> Any:
    return socket_journal.parsed(text, websocket_gateway.MAX_FRAME_BYTES)


def _journal(socket: ResponsesSocket, exchange: tuple[list[Any], list[dict[str, Any]]], started: float) -> None:
    timing = (started, time.perf_counter())
    socket_journal.record(socket.state["principal"]["tenant"], socket.state["headers"], PATH, exchange, timing)


async def serve(websocket: WebSocket) -> None:
    """One connection over a Starlette WebSocket: the local server's (and in-process apps') `/v1/responses`."""
    from starlette.concurrency import run_in_threadpool
    from starlette.websockets import WebSocketDisconnect

    headers = {name.lower(): value for name, value in websocket.headers.items()}
    opened = await run_in_threadpool(open_socket, headers)
    await websocket.accept()
    if isinstance(opened, Refused):
        await websocket.send_text(json.dumps(ResponsesSocket._error(opened.error)))
        await websocket.close(code=CLOSE_REFUSED, reason=opened.error.type)
        return
    transport = _Transport(websocket, opened.socket, opened.pace)
    started = time.perf_counter()
    try:
        await transport.run()
    except WebSocketDisconnect:
        return
    finally:
        exchange = (transport.received, transport.sent)
        await run_in_threadpool(_journal, opened.socket, exchange, started)


# --------------------------------------------------------------------------------------------- API Gateway


def _encoded(event: Mapping[str, Any]) -> bytes:
    """An event as one post; one over API Gateway's frame limit is replaced by an `error` event that says so (the
    response itself is whole: retrieve it with GET /v1/responses/{id})."""
    data = json.dumps(event).encode()
    if websocket_gateway.fits(data):
        return data
    too_big = OpenAIError(
        500,
        f"A '{event['type']}' event of {len(data)} bytes is over API Gateway's WebSocket frame limit "
        f"({websocket_gateway.MAX_FRAME_BYTES} bytes) and was not sent; retrieve the response by its id.",
        type="server_error",
        code="event_too_large",
    )
    return json.dumps(ResponsesSocket._error(too_big, event.get("stream_id"))).encode()


def _open_connection(event: Mapping[str, Any]) -> websocket_gateway.Opening:
    """$connect: the upgrade's checks (a refusal is the HTTP answer itself); the connection's state is kept."""
    opened = open_socket(websocket_gateway.headers_of(event))
    if isinstance(opened, Refused):
        return websocket_gateway.Opening({"statusCode": opened.error.status, "body": json.dumps(opened.error.body())})
    return websocket_gateway.Opening({"statusCode": 200}, {"state": opened.socket.state})


def _run_frame(record: dict[str, Any], event: Mapping[str, Any]) -> websocket_gateway.Turn:
    """$default: one frame, answered whole, on the connection's stored state."""
    socket = ResponsesSocket(record["state"])
    started = time.perf_counter()
    frame = websocket_gateway.frame_text(event)
    events = socket.run(frame)

    def journal() -> None:
        _journal(socket, ([_journalled(frame)], events), started)

    return websocket_gateway.Turn(events, {"state": socket.state}, socket.closed, journal)


def handle_websocket_event(event: Mapping[str, Any], gateway: Any) -> dict[str, Any]:
    """A WebSocket API event: $connect authenticates and keeps the connection's state in the store; $default runs one
    frame and posts its events (`gateway.post(connection_id, data)`), and closes the connection when the frame ended
    it (`gateway.close`); $disconnect forgets the connection (websocket_gateway.handle_connection_event)."""
    return websocket_gateway.handle_connection_event(
        event, gateway, CONNECTIONS, open_connection=_open_connection, run_frame=_run_frame, encode=_encoded
    )

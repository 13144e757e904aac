"""Opening a Realtime session (the WebSocket handshake's checks) and the two socket transports of the one
protocol core (`realtime_session`): a Starlette WebSocket (the local server, in-process tests) and API
Gateway's WebSocket API on AWS ($connect/$default/$disconnect events; the session's state kept in the store
between frames, answers posted through the management API)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from openai_mock import clock, ids
from openai_mock.control import runtime, socket_journal
from openai_mock.errors import OpenAIError
from openai_mock.resources import realtime_session as core
from openai_mock.rng import SEED_HEADER
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.web import websocket_gateway
from openai_mock.web.access import check_policy_model, enforce_project_access
from openai_mock.web.auth import Principal, key_digest, principal_for_key

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

GLOBAL_TENANT = "_global"  # client secrets are found by their value before the tenant is known
SECRETS = "realtime.client_secret"
CONNECTIONS = "realtime.connection"
CALLS = "realtime.call"
KEY_SUBPROTOCOL = "openai-insecure-api-key."
BETA_SUBPROTOCOL = "openai-beta.realtime-v1"


class Handshake(NamedTuple):
    """What a transport knows when a client connects (header names in lower case)."""

    headers: Mapping[str, str]
    query: Mapping[str, str]
    subprotocols: tuple[str, ...] = ()


class Opened(NamedTuple):
    session: core.RealtimeSession
    events: list[dict[str, Any]]
    subprotocol: str | None
    pace: runtime.Pace | None = None  # the mock controls' latency (x-mock-* headers, the deployment's)


class Refused(NamedTuple):
    """The handshake is accepted only to say why not: one `error` event, then the close frame."""

    events: list[dict[str, Any]]
    code: int = core.CLOSE_REFUSED
    reason: str = "invalid_request_error"
    subprotocol: str | None = None
    status: int = 400  # what a transport that can refuse the HTTP upgrade itself (API Gateway) answers


def _controls(handshake: Handshake, tenant: str) -> runtime.RequestControls:
    return socket_journal.controls_of(handshake.headers, tenant)


def _refused(message: str, code: str, status: int = 400, kind: str = "invalid_request_error") -> Refused:
    event = {"event_id": "event_" + ids.new_id("request")[4:25], **core.RealtimeSession.error(message, code, kind=kind)}
    return Refused([event], status=status)


def api_key(handshake: Handshake) -> str | None:
    scheme, _, key = handshake.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return key.strip()
    for protocol in handshake.subprotocols:
        if protocol.startswith(KEY_SUBPROTOCOL) and len(protocol) > len(KEY_SUBPROTOCOL):
            return protocol[len(KEY_SUBPROTOCOL) :]
    return None


def _secret(key: str) -> dict[str, Any] | Refused:
    """An ephemeral client secret's record (its tenant, pinned session and minting principal), spent by this
    connection."""
    store = get_store()
    record = store.get(GLOBAL_TENANT, SECRETS, key_digest(key))
    if record is None:
        return _refused("Invalid ephemeral client secret provided.", "invalid_api_key", 401)
    if record["expires_at"] <= clock.now_seconds():
        return _refused("The ephemeral client secret has expired: create a new one.", "invalid_api_key", 401)
    spent = _refused(
        "The ephemeral client secret has already been used to connect: each one opens one session.",
        "invalid_api_key",
        401,
    )

    def spend(current: dict[str, Any]) -> dict[str, Any]:
        if current.get("used"):  # re-read on every retry: of two connections racing, one wins
            raise _AlreadySpent
        return {**current, "used": True}

    try:
        store.update(GLOBAL_TENANT, SECRETS, record["id"], spend)
    except _AlreadySpent:
        return spent
    return record


class _AlreadySpent(Exception):
    pass


def _project_refusal(billed_to: Mapping[str, Any] | None, model: str) -> Refused | None:
    """A project key's roles and model permissions (web/access.py), as for any model request; a client secret is
    bound by those of the key that minted it."""
    if not billed_to:
        return None
    try:
        check_policy_model(enforce_project_access(Principal(**billed_to), "POST", "/v1/realtime"), model)
    except OpenAIError as error:
        return _refused(error.message, error.code or "insufficient_permissions", error.status, error.type)
    return None


def _listening(pinned: Mapping[str, Any]) -> dict[str, Any]:
    """A transcription (or translation) secret opens a realtime session with its input settings that only
    listens: text out, and turn detection that commits and transcribes without answering."""
    given = ((pinned.get("audio") or {}).get("input")) or {}
    audio_in: dict[str, Any] = {k: given[k] for k in ("format", "transcription", "noise_reduction") if given.get(k)}
    audio_in.setdefault("transcription", {"model": "gpt-4o-transcribe"})
    detection = given.get("turn_detection", core.SERVER_VAD)
    audio_in["turn_detection"] = None if detection is None else {**detection, "create_response": False}
    return {"type": "realtime", "output_modalities": ["text"], "audio": {"input": audio_in}}


def open_session(handshake: Handshake) -> Opened | Refused:
    """Authenticate, check the protocol and the model, and start the session (`session.created`)."""
    from openai_mock.resources.realtime import realtime_models

    beta = "realtime=v1" in handshake.headers.get("openai-beta", "") or BETA_SUBPROTOCOL in handshake.subprotocols
    if beta:
        return _refused(
            "The Realtime API beta (OpenAI-Beta: realtime=v1) has been retired. Remove the OpenAI-Beta header "
            "and use the generally available Realtime API.",
            "beta_api_retired",
        )
    key = api_key(handshake)
    if key is None:
        return _refused(
            "You didn't provide an API key. Provide it in the Authorization header (Bearer auth) or, from a "
            "browser, as the 'openai-insecure-api-key.<key>' subprotocol.",
            "missing_api_key",
            401,
        )
    pinned: dict[str, Any] = {}
    if key.startswith("ek_"):
        found = _secret(key)
        if isinstance(found, Refused):
            return found
        tenant, pinned = found["tenant"], found["session"]
        billed_to = found.get("principal")  # who minted the secret (None: a secret kept by an earlier version)
    else:
        try:
            principal = principal_for_key(key)
        except OpenAIError as error:
            return _refused(error.message, error.code or "invalid_api_key", error.status)
        tenant, billed_to = principal.tenant, principal._asdict()
    controls = _controls(handshake, tenant)
    fault = runtime.injected_fault(controls, get_settings())
    if fault is not None:  # a fault of the mock controls (docs/controls.md) refuses the connection
        return _refused(fault.message, fault.code or fault.type, fault.status, fault.type)
    call_id = handshake.query.get("call_id")
    if call_id:
        call = get_store().get(tenant, CALLS, call_id)
        if call is None:
            return _refused(f"No such call: '{call_id}'.", "call_not_found", 404)
        pinned = call.get("session") or pinned
    model = handshake.query.get("model") or pinned.get("model") or core.DEFAULT_MODEL
    if model not in realtime_models():
        return _refused(f"The model '{model}' does not exist or you do not have access to it.", "model_not_found", 404)
    refused = _project_refusal(billed_to, model)
    if refused is not None:
        return refused
    now = clock.now_seconds()
    session = core.default_session(ids.new_id("realtime.session"), model, now)
    if pinned.get("type") in ("transcription", "translation"):
        pinned = _listening(pinned)
    if pinned:
        session = core.deep_merge(session, {k: v for k, v in pinned.items() if k not in ("id", "object", "expires_at")})
        session["model"] = model
    seed = handshake.headers.get(SEED_HEADER) or get_settings().seed
    started, events = core.RealtimeSession.start(tenant, session, seed, billed_to)
    subprotocol = "realtime" if "realtime" in handshake.subprotocols else None
    return Opened(started, events, subprotocol, runtime.latency(controls, get_settings()))


# --------------------------------------------------------------------------------------------- the journal

_AUDIO_KEYS = {"input_audio_buffer.append": "audio", "response.output_audio.delta": "delta"}


def _brief(event: Any) -> Any:
    """An event as the journal keeps it: base64 audio replaced by its length."""
    if not isinstance(event, dict):
        return event
    key = _AUDIO_KEYS.get(str(event.get("type")))
    if key and isinstance(event.get(key), str):
        return {**event, key: f"<{len(event[key])} base64 characters>"}
    return event


def journal(
    tenant: str, handshake: Handshake, client: list[Any], server: list[dict[str, Any]], started: float, finished: float
) -> None:
    """One journal entry (`/__mock/requests`) for a session, or for one frame on AWS (audio as its length)."""
    socket_journal.record(
        tenant,
        handshake.headers,
        "/v1/realtime",
        (client, server),
        (started, finished),
        query=handshake.query,
        request={"model": handshake.query.get("model")},
        brief=_brief,
    )


def _delta_tokens(event: Mapping[str, Any]) -> int:
    """The tokens a text delta carries: one, but for an input transcription's, which its transcriber may have held
    back and sent together (whisper-1's whole transcript, gpt-realtime-whisper's `delay`)."""
    if event["type"] != "conversation.item.input_audio_transcription.delta":
        return 1
    from openai_mock.generation.tokens import count_tokens

    return max(1, count_tokens(event.get("delta") or "", "gpt-4o"))


async def _send_paced(websocket: WebSocket, events: list[dict[str, Any]], pace: runtime.Pace | None) -> None:
    """The events of one frame, paced by the mock controls' latency when set: `ttft_ms` (or `latency_ms`)
    before a response's first output, `tokens_per_second` for each text delta's tokens, and audio in real time."""
    for event in events:
        if pace is not None:
            kind = event["type"]
            if kind == "response.created" and (pace.ttft_ms or pace.ms):
                await runtime.sleep((pace.ttft_ms or pace.ms) / 1000)
            elif kind == "response.output_audio.delta" and pace.tokens_per_second:
                delta = event["delta"]
                await runtime.sleep((len(delta) * 3 // 4 - delta.count("=")) / 2 / 24_000)
            elif kind.endswith(".delta") and pace.tokens_per_second:
                await runtime.sleep(_delta_tokens(event) / pace.tokens_per_second)
        await websocket.send_text(json.dumps(event))


# --------------------------------------------------------------------------------------------- Starlette


async def serve(websocket: WebSocket) -> None:
    """One session over a Starlette WebSocket: the local server's `/v1/realtime`."""
    from starlette.concurrency import run_in_threadpool
    from starlette.websockets import WebSocketDisconnect

    handshake = Handshake(
        {name.lower(): value for name, value in websocket.headers.items()},
        dict(websocket.query_params),
        tuple(websocket.scope.get("subprotocols") or ()),
    )
    opened = await run_in_threadpool(open_session, handshake)
    if isinstance(opened, Refused):
        await websocket.accept(subprotocol="realtime" if "realtime" in handshake.subprotocols else None)
        for event in opened.events:
            await websocket.send_text(json.dumps(event))
        await websocket.close(code=opened.code, reason=opened.reason)
        return
    await websocket.accept(subprotocol=opened.subprotocol)
    session, started = opened.session, time.perf_counter()
    client: list[Any] = []
    server = list(opened.events)
    for event in opened.events:
        await websocket.send_text(json.dumps(event))
    try:
        while session.closed is None:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            frame = message.get("text")
            if frame is None:
                frame = message.get("bytes") or b""
            # Synthesis and detection are CPU work: off the event loop, so other sockets keep flowing.
            events = await run_in_threadpool(session.receive, frame)
            client.append(_parsed(frame))
            server += events
            await _send_paced(websocket, events, opened.pace)
        await websocket.close(code=session.closed[0], reason=session.closed[1])
    except WebSocketDisconnect:
        return
    finally:
        tenant = session.state["tenant"]
        await run_in_threadpool(journal, tenant, handshake, client, server, started, time.perf_counter())


def _parsed(frame: str | bytes) -> Any:
    return socket_journal.parsed(frame, core.MAX_EVENT_BYTES)


# --------------------------------------------------------------------------------------------- API Gateway


def _handshake_of(event: Mapping[str, Any]) -> Handshake:
    headers = websocket_gateway.headers_of(event)
    protocols = tuple(p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip())
    return Handshake(headers, dict(event.get("queryStringParameters") or {}), protocols)


# API Gateway closes a WebSocket idle for 10 minutes (and one open for 2 hours: a session's own 60 minutes end first).
IDLE_SECONDS = 600


def _gateway_limit(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The `session_expired` error for a connection API Gateway would have closed as idle (by the mock clock)."""
    now = clock.now_seconds()
    if now - record.get("seen_at", now) < IDLE_SECONDS:
        return None
    return core.RealtimeSession.error(
        "Your session has expired: the connection was idle for 10 minutes.", "session_expired"
    )


def _open_connection(event: Mapping[str, Any]) -> websocket_gateway.Opening:
    """$connect: the handshake's checks (a refusal is the HTTP answer itself). `session.created` waits for the
    connection to exist: it is kept with the state (`greeting`), to be posted before the answer to the first frame."""
    opened = open_session(_handshake_of(event))
    if isinstance(opened, Refused):
        return websocket_gateway.Opening(
            {"statusCode": opened.status, "body": json.dumps({"error": opened.events[0]["error"]})}
        )
    now = clock.now_seconds()
    kept = {"state": opened.session.state, "greeting": opened.events, "connected_at": now, "seen_at": now}
    answer: dict[str, Any] = {"statusCode": 200}
    if opened.subprotocol:
        answer["headers"] = {"Sec-WebSocket-Protocol": opened.subprotocol}
    return websocket_gateway.Opening(answer, kept)


def _run_frame(record: dict[str, Any], event: Mapping[str, Any]) -> websocket_gateway.Turn:
    """$default: one frame through the session (after the greeting, on the first); a connection API Gateway has
    closed as idle by now (by the mock clock) only hears why, and ends."""
    session = core.RealtimeSession(record["state"])
    ended = _gateway_limit(record)
    if ended is not None:
        return websocket_gateway.Turn(session.stamped([ended]), {}, ended=True)
    body = websocket_gateway.frame_text(event)
    started = time.perf_counter()
    events = [*record.get("greeting", []), *session.receive(body)]
    kept = {"state": session.state, "greeting": [], "seen_at": clock.now_seconds()}

    def journalled() -> None:
        journal(session.state["tenant"], _handshake_of(event), [_parsed(body)], events, started, time.perf_counter())

    return websocket_gateway.Turn(events, kept, session.closed is not None, journalled)


def handle_websocket_event(event: Mapping[str, Any], gateway: Any) -> dict[str, Any]:
    """A WebSocket API event: $connect opens (the state goes to the store), $default runs one frame through the
    session and posts the answers (`gateway.post(connection_id, data)`; `gateway.close` ends a session that ended),
    $disconnect forgets it (websocket_gateway.handle_connection_event)."""
    return websocket_gateway.handle_connection_event(
        event, gateway, CONNECTIONS, open_connection=_open_connection, run_frame=_run_frame
    )

"""API Gateway's WebSocket APIs: the management API (how a Lambda answers on a WebSocket connection: a POST to
`@connections/{id}` per frame, a DELETE to close it; the boto3 client is made on first use, per endpoint), what every
event handler reads of API Gateway's event, and the one sequence of a protocol that keeps a record per connection in
the store between events (`handle_connection_event`)."""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import cache
from typing import Any, NamedTuple

from openai_mock.store import get_store

# API Gateway's WebSocket limits: a frame carries at most 32 KB, a message 128 KB; a connection idle for
# 10 minutes, or open for 2 hours, is closed by API Gateway itself.
MAX_FRAME_BYTES = 32 * 1024


@cache
def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)


def reset() -> None:
    _client.cache_clear()


class ManagementApi:
    """Posts to one WebSocket API stage: `https://{domainName}/{stage}`, from the event's request context."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> ManagementApi:
        context = event["requestContext"]
        return cls(f"https://{context['domainName']}/{context['stage']}")

    def post(self, connection_id: str, data: bytes) -> None:
        if len(data) > MAX_FRAME_BYTES:
            raise ValueError(f"a WebSocket frame of {len(data)} bytes is over API Gateway's 32 KB")
        client = _client(self.endpoint)
        with suppress(client.exceptions.GoneException):  # the client left while the answer was being made
            client.post_to_connection(ConnectionId=connection_id, Data=data)

    def close(self, connection_id: str) -> None:
        client = _client(self.endpoint)
        with contextlib.suppress(client.exceptions.GoneException):
            client.delete_connection(ConnectionId=connection_id)


# --------------------------------------------------------------------------------------------- the events
# What every WebSocket API event handler reads of API Gateway's event, whatever protocol its frames carry.


def isolated(
    handle: Callable[[Mapping[str, Any], Any], dict[str, Any]], event: Mapping[str, Any], gateway: Any
) -> dict[str, Any]:
    """`handle(event, gateway)` in a context of its own. Lambda calls the handler in the same thread for every event
    of a container, and a WebSocket event is not run in a task (as Mangum runs an HTTP request): what one event sets
    for itself (the tenant whose clock `clock.now()` reads, a request's writes behind) would outlive it."""
    return contextvars.Context().run(handle, event, gateway)


def is_websocket_event(event: Mapping[str, Any]) -> bool:
    """An API Gateway WebSocket API event ($connect, $default or $disconnect), not a REST API request."""
    context = event.get("requestContext") or {}
    return context.get("eventType") in ("CONNECT", "MESSAGE", "DISCONNECT") and "connectionId" in context


def headers_of(event: Mapping[str, Any]) -> dict[str, str]:
    """The upgrade request's headers, names in lower case ($connect carries them; later events may not)."""
    return {name.lower(): value for name, value in (event.get("headers") or {}).items()}


def frame_text(event: Mapping[str, Any]) -> str:
    """The client frame a $default event carries, as text (API Gateway base64-encodes binary frames)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        import base64

        return base64.b64decode(body).decode("utf-8", "replace")
    return str(body)


def fits(data: bytes) -> bool:
    """Whether one post to a connection may carry `data` (API Gateway's frame limit)."""
    return len(data) <= MAX_FRAME_BYTES


# --------------------------------------------------------------------------------------------- the connections
# A protocol's state lives in the store between the events of a connection: one record per connection, kept by
# $connect, read and written back by each $default, deleted by $disconnect (or when the protocol ends it).

CONNECTIONS_TENANT = "_global"  # a $default event names its connection, not its caller


class Opening(NamedTuple):
    """What $connect answers, and the connection's record to keep (its fields but the id; None: refused, and the
    answer says why: API Gateway cannot send frames before the upgrade, so a refusal is the HTTP answer itself)."""

    answer: dict[str, Any]
    record: dict[str, Any] | None = None


class Turn(NamedTuple):
    """What one frame did: the events to post, the fields the record keeps now, whether the protocol ended the
    connection (then the record is deleted instead, and the connection closed), and the frame's journal entry,
    written once the events are posted (None: no entry)."""

    events: list[dict[str, Any]]
    kept: Mapping[str, Any]
    ended: bool
    journal: Callable[[], None] | None = None


def _encoded(event: Mapping[str, Any]) -> bytes:
    return json.dumps(event).encode()


def handle_connection_event(
    event: Mapping[str, Any],
    gateway: Any,
    collection: str,
    *,
    open_connection: Callable[[Mapping[str, Any]], Opening],
    run_frame: Callable[[dict[str, Any], Mapping[str, Any]], Turn],
    encode: Callable[[Mapping[str, Any]], bytes] = _encoded,
) -> dict[str, Any]:
    """A WebSocket API event of a protocol whose connections are records of `collection`: $connect opens
    (`open_connection(event)`) and keeps the record; $disconnect deletes it; $default reads it (410: the connection
    is gone), runs the frame (`run_frame(record, event)`), writes the record back or deletes it, posts each event
    (`gateway.post(connection_id, encode(event))`), journals, and closes a connection the protocol ended
    (`gateway.close(connection_id)`)."""
    context = event["requestContext"]
    connection_id, kind = context["connectionId"], context["eventType"]
    store = get_store()
    if kind == "CONNECT":
        opening = open_connection(event)
        if opening.record is not None:
            store.create(CONNECTIONS_TENANT, collection, {"id": connection_id, **opening.record})
        return opening.answer
    if kind == "DISCONNECT":
        store.delete(CONNECTIONS_TENANT, collection, connection_id)
        return {"statusCode": 200}
    record = store.get(CONNECTIONS_TENANT, collection, connection_id)
    if record is None:
        return {"statusCode": 410}
    turn = run_frame(record, event)
    if turn.ended:
        store.delete(CONNECTIONS_TENANT, collection, connection_id)
    else:
        store.update(CONNECTIONS_TENANT, collection, connection_id, lambda current: {**current, **turn.kept})
    for answer in turn.events:
        gateway.post(connection_id, encode(answer))
    if turn.journal is not None:
        turn.journal()
    if turn.ended:
        gateway.close(connection_id)
    return {"statusCode": 200}

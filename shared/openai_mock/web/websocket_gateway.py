"""API Gateway's WebSocket management API: how a Lambda answers on a WebSocket connection (a POST to
`@connections/{id}` per frame, a DELETE to close it). The boto3 client is made on first use, per endpoint."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Mapping
from contextlib import suppress
from functools import cache
from typing import Any

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

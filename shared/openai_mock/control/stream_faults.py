"""Broken streams on purpose (docs/controls.md, "Broken streams"): a stream answer damaged the way networks and
servers damage them, to test a client's handling. Asked per request with `x-mock-stream-fault: <kind>` (and
`x-mock-stream-fault-after: N`, `x-mock-stream-drip-ms: M`) or per fixture (`stream_fault`), the header winning.

The damage is done in one place for every streaming endpoint: the event-stream answer (web/sse.py) hands its
encoded body to `broken`, which gives back the writes to send. The first `after` events (default 3) always
leave intact.

| kind | what the client gets after the first N events |
|---|---|
| `malformed_line` | a `data:` line that is not JSON, then the rest of the stream |
| `truncated_chunk` | the next JSON event's data cut in half (the event still ends), and nothing more |
| `error_event` | an error event in the endpoint's shape, and nothing more |
| `disconnect` | nothing: the stream ends (no `[DONE]`, no completion event) |
| `slow_drip` | the rest, a few bytes per write (`drip_ms` between writes) |
| `missing_done` | every event but the end: `[DONE]` (chat, completions, Assistants), or Responses' last event |
"""

from __future__ import annotations

import json
from typing import Any, Literal, NamedTuple, get_args

from pydantic import ConfigDict, Field

from openai_mock.errors import OpenAIError
from openai_mock.fields import Integer, RequestModel

Kind = Literal["malformed_line", "truncated_chunk", "error_event", "disconnect", "slow_drip", "missing_done"]
KINDS: tuple[str, ...] = get_args(Kind)
DEFAULT_AFTER = 3  # events sent intact before the damage (as a cut stream's, x-mock-stream-cut-after)
DRIP_BYTES = 5  # a slow drip's write size
MAX_DRIP_MS = 10_000
MALFORMED = b"data: this line is not JSON {\n\n"
ERROR_MESSAGE = "The server had an error while processing your request. Sorry about that! (x-mock-stream-fault)"


class StreamFaultSpec(RequestModel):
    """A fixture's `stream_fault`: which damage, after how many intact events."""

    model_config = ConfigDict(extra="forbid")
    kind: Kind
    after: Integer = Field(default=DEFAULT_AFTER, ge=0)
    drip_ms: Integer = Field(default=0, ge=0, le=MAX_DRIP_MS)  # slow_drip: the wait between writes


class StreamFault(NamedTuple):
    kind: str
    after: int = DEFAULT_AFTER
    drip_ms: int = 0


def from_fixture(spec: dict[str, Any]) -> StreamFault:
    return StreamFault(spec["kind"], spec.get("after", DEFAULT_AFTER), spec.get("drip_ms", 0))


def from_headers(headers: dict[str, str]) -> StreamFault | OpenAIError | None:
    """The fault `x-mock-stream-fault` asks for (names without the `x-mock-` prefix), or the 400 for a bad one."""
    kind = headers.get("stream-fault")
    if kind is None:
        return None
    kind = kind.strip().lower()
    if kind not in KINDS:
        return OpenAIError(
            400,
            f"Invalid 'x-mock-stream-fault' header: expected one of {', '.join(KINDS)}, "
            f"but got '{headers['stream-fault']}'.",
            param="x-mock-stream-fault",
            code="invalid_value",
        )
    numbers = []
    for name, default, maximum in (
        ("stream-fault-after", DEFAULT_AFTER, 1_000_000),
        ("stream-drip-ms", 0, MAX_DRIP_MS),
    ):
        raw = headers.get(name)
        if raw is None:
            numbers.append(default)
            continue
        if not raw.strip().isdigit() or int(raw) > maximum:
            return OpenAIError(
                400,
                f"Invalid 'x-mock-{name}' header: expected a whole number from 0 up to {maximum}, but got '{raw}'.",
                param=f"x-mock-{name}",
                code="invalid_value",
            )
        numbers.append(int(raw))
    return StreamFault(kind, numbers[0], numbers[1])


# --------------------------------------------------------------------------------------------- the damage


def _split(body: bytes) -> list[bytes]:
    *complete, rest = body.split(b"\n\n")
    return [event + b"\n\n" for event in complete] + ([rest] if rest else [])


def _fields(event: bytes) -> tuple[str | None, str]:
    name, data = None, []
    for line in event.decode("utf-8", "replace").split("\n"):
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return name, "\n".join(data)


def _json(event: bytes) -> Any:
    try:
        return json.loads(_fields(event)[1])
    except ValueError:
        return None


def _is_end(event: bytes) -> bool:
    return _fields(event)[1].strip() == "[DONE]"


def error_event(events: list[bytes], sent: int) -> bytes:
    """The endpoint's error event: Assistants' `event: error` + an error object; typed streams (Responses,
    transcriptions) an `error`-typed event with its sequence number; chat and completions `data: {"error": …}`."""
    error = {"message": ERROR_MESSAGE, "type": "server_error", "param": None, "code": "server_error"}
    names = [_fields(event)[0] for event in events]
    if any(name and name.startswith("thread.") for name in names):
        return b"event: error\ndata: " + json.dumps(error, separators=(",", ":")).encode() + b"\n\n"
    first = next((data for data in map(_json, events) if isinstance(data, dict)), {})
    if "type" in first:
        typed = {
            "type": "error",
            "code": "server_error",
            "message": ERROR_MESSAGE,
            "param": None,
            "sequence_number": sent,
        }
        head = b"event: error\n" if any(names) else b""
        return head + b"data: " + json.dumps(typed, separators=(",", ":")).encode() + b"\n\n"
    return b"data: " + json.dumps({"error": error}, separators=(",", ":")).encode() + b"\n\n"


def _truncated(event: bytes) -> bytes:
    lines = event.rstrip(b"\n").split(b"\n")
    for index, line in enumerate(lines):
        if line.startswith(b"data:"):
            payload = line[5:].lstrip(b" ")
            lines[index] = b"data: " + payload[: len(payload) // 2]
    return b"\n".join(lines) + b"\n\n"


def broken(body: bytes, fault: StreamFault) -> list[bytes]:
    """The writes that send `body` (encoded events) damaged as `fault` says."""
    events = _split(body)
    after = min(fault.after, len(events))
    intact = events[:after]
    if fault.kind == "malformed_line":
        return [*intact, MALFORMED, *events[after:]]
    if fault.kind == "truncated_chunk":
        target = next((at for at in range(after, len(events)) if isinstance(_json(events[at]), dict)), None)
        if target is None:  # a short stream: cut its last JSON event
            target = max((at for at, event in enumerate(events) if isinstance(_json(event), dict)), default=None)
        if target is None:
            return events
        return [*events[:target], _truncated(events[target])]
    if fault.kind == "error_event":
        return [*intact, error_event(events, after)]
    if fault.kind == "disconnect":
        return intact
    if fault.kind == "missing_done":
        return events[:-1] if events else events
    rest = b"".join(events[after:])  # slow_drip
    return [*intact, *(rest[at : at + DRIP_BYTES] for at in range(0, len(rest), DRIP_BYTES))]

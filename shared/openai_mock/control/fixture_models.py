"""The bodies a fixture is created from (admin API or a deployment's fixtures file), as pydantic models.

Kept apart from `fixtures` (storage and matching, plain dicts): model-serving functions match fixtures on
every request but never build these classes, so their cold start does not pay for them."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openai_mock.control import faults
from openai_mock.control.stream_faults import StreamFaultSpec
from openai_mock.fields import Decimal, Integer

Endpoint = Literal["chat.completions", "completions", "responses", "assistants.runs", "embeddings", "realtime"]
ENDPOINTS: tuple[str, ...] = get_args(Endpoint)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Match(_Strict):
    """Every condition given must hold; none given matches every model request."""

    endpoint: Endpoint | None = None
    model: str | None = None
    contains: str | None = None  # case-insensitive substring of the text chosen by `scope`
    regex: str | None = None  # re.search in that text
    scope: Literal["last_user", "any", "system"] = "last_user"
    tool: str | None = None  # a function tool declared under this name
    metadata: dict[str, str] | None = None  # the request's metadata has these values
    call: Integer | None = Field(default=None, ge=1)  # only the n-th request that meets the other conditions

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"invalid regular expression: {error}") from None
        return value


class ToolCall(_Strict):
    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)


class ErrorAnswer(_Strict):
    """`kind` picks a fault with its real body (rate_limit_exceeded…); or give status + message yourself."""

    kind: str | None = None
    status: Integer | None = Field(default=None, ge=400, le=599)
    message: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


class Answer(_Strict):
    content: str | None = None
    structured: Any = None  # any JSON value, answered as its JSON text
    tool_calls: list[ToolCall] | None = None
    error: ErrorAnswer | None = None


class Latency(_Strict):
    ms: Integer = Field(default=0, ge=0)  # before a non-stream answer
    jitter_ms: Integer = Field(default=0, ge=0)  # ± this much, drawn per request
    ttft_ms: Integer = Field(default=0, ge=0)  # before the first event of a stream
    tokens_per_second: Decimal = Field(default=0, ge=0)  # stream pace (one event ≈ one token); 0 = no limit


class Fault(_Strict):
    rate: Decimal = Field(ge=0, le=1)
    kind: str = "server_error"

    @field_validator("kind")
    @classmethod
    def _known(cls, value: str) -> str:
        if value != faults.STREAM_CUT:
            faults.fault_error(value)  # raises ValueError for an unknown kind
        return value


class RecordedRequest(_Strict):
    """What `serve --replay` matches: method + path (with its query) + body."""

    method: str
    path: str
    headers: dict[str, str] = Field(default_factory=dict)  # as sent, secrets redacted (informative only)
    body: Any = None  # a JSON body, secrets redacted
    body_sha256: str | None = None  # any other body (multipart bodies are not compared: their boundary varies)


class RecordedEvent(_Strict):
    """One server-sent event: `event:` + `data:` lines, or `raw` when it held other fields."""

    event: str | None = None
    data: str | None = None
    raw: str | None = None
    delay_ms: Integer = Field(default=0, ge=0)  # since the previous event (or the answer's headers)


class RecordedResponse(_Strict):
    """Exactly one of `body` (JSON, re-encoded as `indent` says), `text`, `events` (SSE) or `file` (bytes in a
    file beside the fixture file); none: an empty body."""

    status: Integer = Field(default=200, ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = None
    indent: Integer | None = Field(default=None, ge=0)  # None: compact (`,` and `:` without spaces)
    text: str | None = None
    events: list[RecordedEvent] | None = None
    file: str | None = None


class Exchange(_Strict):
    """A recorded request and its answer (`serve --record`), served again by `serve --replay`."""

    request: RecordedRequest
    response: RecordedResponse


class FixtureRequest(_Strict):
    name: str | None = None
    match: Match = Field(default_factory=Match)
    response: Answer | None = None
    latency: Latency | None = None
    fault: Fault | None = None
    times: Integer | None = Field(default=None, ge=1)  # spent after this many matches
    exchange: Exchange | None = None  # a recorded exchange: served by `serve --replay` only, never matched here
    stream_fault: StreamFaultSpec | None = None  # a stream answer broken on purpose (control/stream_faults.py)

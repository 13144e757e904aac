"""The bodies a fixture is created from (admin API or a deployment's fixtures file), as pydantic models.

Kept apart from `fixtures` (storage and matching, plain dicts): model-serving functions match fixtures on
every request but never build these classes, so their cold start does not pay for them."""

from __future__ import annotations

import base64
import re
from typing import Any, Literal, get_args

from pydantic import (
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from openai_mock.control import faults, fixture_templates, json_path
from openai_mock.control.stream_faults import StreamFaultSpec
from openai_mock.fields import Decimal, Integer, RequestModel

Endpoint = Literal[
    "chat.completions",
    "completions",
    "responses",
    "assistants.runs",
    "embeddings",
    "realtime",
    "images.generations",
    "images.edits",
    "images.variations",
    "audio.speech",
    "audio.transcriptions",
    "audio.translations",
    "moderations",
]
ENDPOINTS: tuple[str, ...] = get_args(Endpoint)
# The endpoints whose fixtures give typed answers (Answer's fields) besides content/tool calls/errors.
_TYPED: dict[str, tuple[str, ...]] = {
    "embeddings": ("embeddings",),
    "seed": ("embeddings",),
    "b64": ("images.generations", "images.edits", "images.variations", "audio.speech"),
    "flagged": ("moderations",),
    "categories": ("moderations",),
    "category_scores": ("moderations",),
    "output": ("responses",),
}


class _Strict(RequestModel):
    model_config = ConfigDict(extra="forbid")


def _compiled(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"invalid regular expression: {error}") from None
    return value


_BODY_TESTS = ("equals", "regex", "contains", "exists")


class BodyCondition(_Strict):
    """One condition on a value of the request body: `path` (control/json_path.py) and exactly one test."""

    path: str
    equals: Any = None  # the value there is this JSON value (`null` included)
    regex: str | None = None  # re.search in the value there (a string)
    contains: str | None = None  # case-insensitive substring of the value there (a string), or an item of a list
    exists: StrictBool | None = None  # there is (true) / is not (false) a value there

    @field_validator("path")
    @classmethod
    def _readable(cls, value: str) -> str:
        json_path.parse(value)  # ValueError: said as an invalid `path`
        return value

    _compiles = field_validator("regex")(_compiled)

    @model_validator(mode="after")
    def _one_test(self) -> BodyCondition:
        given = [name for name in _BODY_TESTS if name in self.model_fields_set]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(_BODY_TESTS)} (given: {', '.join(given) or 'none'})")
        return self

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        if "equals" in self.model_fields_set:
            dumped["equals"] = self.equals  # kept when null (exclude_none would drop it)
        return dumped


ROUTE = re.compile(r"(GET|POST|PUT|PATCH|DELETE) (/[^\s?#]*)")


class Match(_Strict):
    """Every condition given must hold; none given matches every model request."""

    # A model endpoint (ENDPOINTS), or "METHOD /path" for any operation (control/fixture_routes.py).
    endpoint: str | None = None
    model: str | None = None
    contains: str | None = None  # case-insensitive substring of the text chosen by `scope`
    regex: str | None = None  # re.search in that text
    scope: Literal["last_user", "any", "system"] = "last_user"
    tool: str | None = None  # a function tool declared under this name
    metadata: dict[str, str] | None = None  # the request's metadata has these values
    call: Integer | None = Field(default=None, ge=1)  # only the n-th request that meets the other conditions
    body: list[BodyCondition] | None = Field(default=None, min_length=1)  # every one holds
    headers: dict[str, str] | None = None  # name (any case) → the value, or a regex the whole value matches
    # The request carries a tool result (true), none (false), or one whose text contains this.
    tool_result: StrictBool | str | None = None

    _compiles = field_validator("regex")(_compiled)

    @field_validator("endpoint")
    @classmethod
    def _known_endpoint(cls, value: str | None) -> str | None:
        if value is not None and value not in ENDPOINTS and ROUTE.fullmatch(value) is None:
            raise ValueError(
                f"expected one of {', '.join(ENDPOINTS)}, or a method and path like 'POST /v1/moderations' "
                "(a `{name}` or `*` segment matches any one segment)"
            )
        return value


def is_route(match: Match) -> bool:
    return match.endpoint is not None and match.endpoint not in ENDPOINTS


def _templated(value: Any) -> Any:
    """Refuse a string whose `{{ … }}` placeholders are not all known (control/fixture_templates.py)."""
    problems: list[str] = []

    def visit(text: str, where: str) -> None:
        problem = fixture_templates.check(text)
        if problem is not None:
            problems.append(f"{problem} (at {where.lstrip('.')})" if where else problem)

    fixture_templates.walk_strings(value, "", visit)
    if problems:
        raise ValueError(problems[0])
    return value


class ToolCall(_Strict):
    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)

    _templates = field_validator("arguments")(_templated)


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
    # The answer of a fixture for any operation ("METHOD /path" endpoint): sent as it is (templates rendered).
    status: Integer | None = Field(default=None, ge=100, le=599)
    body: Any = None  # JSON
    headers: dict[str, str] | None = None
    # Typed answers of the endpoints that do not answer with text (each only on its endpoint, `_TYPED`):
    embeddings: list[list[Decimal]] | None = Field(default=None, min_length=1)  # one vector per input
    seed: str | None = None  # the generated vectors, seeded by this instead of the input text
    b64: str | None = None  # the bytes of every image / of the speech, base64
    flagged: StrictBool | None = None  # moderations: merged onto each generated result
    categories: dict[str, StrictBool] | None = None
    category_scores: dict[str, Decimal] | None = None
    output: list[dict[str, Any]] | None = Field(default=None, min_length=1)  # Responses output items

    _templates = field_validator("content", "structured", "body", "output")(_templated)

    @field_validator("embeddings")
    @classmethod
    def _vectors(cls, value: list[list[float]] | None) -> list[list[float]] | None:
        for index, vector in enumerate(value or ()):
            if not vector:
                raise ValueError(f"vector {index} is empty")
            if len(vector) != len(value[0]):  # type: ignore[index]
                raise ValueError(f"vector {index} has {len(vector)} dimensions, vector 0 has {len(value[0])}")  # type: ignore[index]
        return value

    @field_validator("b64")
    @classmethod
    def _bytes(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                decoded = base64.b64decode(value, validate=True)
            except ValueError:
                raise ValueError("not valid base64") from None
            if not decoded:
                raise ValueError("no bytes")
        return value

    @field_validator("categories", "category_scores")
    @classmethod
    def _known_categories(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        from openai_mock.generation.moderation import CATEGORIES

        for name, given in (value or {}).items():
            if name not in CATEGORIES:
                raise ValueError(f"unknown moderation category {name!r}; expected one of {', '.join(CATEGORIES)}")
            if not isinstance(given, bool) and not 0 <= given <= 1:
                raise ValueError(f"the score of {name!r} must be between 0 and 1")
        return value

    @field_validator("output")
    @classmethod
    def _items(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        from openai_mock.generation.fixture_items import check as check_items

        check_items(value or [])
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Answer:
        if self.embeddings is not None and self.seed is not None:
            raise ValueError("give either `embeddings` (the vectors) or `seed` (generated vectors), not both")
        return self


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
    responses: list[Answer] | None = Field(default=None, min_length=1)  # a sequence: one per answer, in order
    sequence_end: Literal["repeat_last", "cycle", "fall_through"] | None = None  # after the last (default repeat_last)
    latency: Latency | None = None
    fault: Fault | None = None
    times: Integer | None = Field(default=None, ge=1)  # spent after this many matches
    exchange: Exchange | None = None  # a recorded exchange: served by `serve --replay` only, never matched here
    stream_fault: StreamFaultSpec | None = None  # a stream answer broken on purpose (control/stream_faults.py)

    @field_validator("response")
    @classmethod
    def _fits_its_endpoint(cls, value: Answer | None, info: ValidationInfo) -> Answer | None:
        _check_answer(value, info)
        return value

    @field_validator("responses")
    @classmethod
    def _one_way_to_answer(cls, value: list[Answer] | None, info: ValidationInfo) -> list[Answer] | None:
        if value is not None and info.data.get("response") is not None:
            raise ValueError("give either `response` (one answer) or `responses` (a sequence), not both")
        for answer in value or ():
            _check_answer(answer, info)
        return value

    @field_validator("sequence_end")
    @classmethod
    def _of_a_sequence(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("responses") is None:
            raise ValueError("`sequence_end` applies to `responses` (a sequence), which this fixture does not give")
        return value


_MODEL_ANSWER = ("content", "structured", "tool_calls")
# The endpoints that do not answer with model text: what their fixtures give instead.
_UNTEXTED = {
    "images.generations": "give the image's bytes (`b64`) or an error",
    "images.edits": "give the image's bytes (`b64`) or an error",
    "images.variations": "give the image's bytes (`b64`) or an error",
    "audio.speech": "give the audio's bytes (`b64`) or an error",
    "audio.transcriptions": "give the transcript (`content`) or an error",
    "audio.translations": "give the transcript (`content`) or an error",
    "moderations": "give `flagged`, `categories`, `category_scores` or an error",
}
_ROUTE_ANSWER = ("status", "body", "headers")


def _check_answer(answer: Answer | None, info: ValidationInfo) -> None:
    """A route fixture ("METHOD /path") answers with status/body/headers (or an error); a model endpoint's
    fixture with content/structured/tool_calls (or an error)."""
    match = info.data.get("match")
    if answer is None or match is None:
        return
    for name, endpoints in _TYPED.items():
        if name in answer.model_fields_set and match.endpoint not in endpoints:
            raise ValueError(f"`{name}` answers a fixture whose `match.endpoint` is {' or '.join(endpoints)}")
    if match.endpoint in _UNTEXTED:
        said = [name for name in _MODEL_ANSWER if name in answer.model_fields_set]
        if match.endpoint.startswith("audio.trans"):
            said = [name for name in said if name != "content"]
        if said:
            raise ValueError(f"`{said[0]}` does not fit a fixture of {match.endpoint}: {_UNTEXTED[match.endpoint]}")
    route = is_route(match)
    wrong = [name for name in (_MODEL_ANSWER if route else _ROUTE_ANSWER) if name in answer.model_fields_set]
    if wrong:
        kind = "a fixture whose endpoint is a method and path answers with status, body and headers"
        if not route:
            kind = "status, body and headers answer a fixture whose `match.endpoint` is a method and path"
        raise ValueError(f"`{wrong[0]}` does not fit: {kind}")

"""Batches: a file of requests executed asynchronously through the very code of their endpoint.

A batch is planned when it is created (one stage length from settings, `OPENAI_MOCK_BATCH_STAGE_SECONDS`)
and its state is derived from that plan and `clock` on every read:

    validating ──► in_progress ──► finalizing ──► completed        (cancel: cancelling ──► cancelled)
    created_at     +1 stage        +2 stages       +3 stages        (past expires_at: expired)

Line i of n is "done" at in_progress_at + stage * (i + 1) / n, so a cancelled or expired batch keeps the
lines done before it stopped. Two kinds of work happen once, each claimed with a conditional store update
(a lease in `_claim`) so that concurrent readers (and containers) never repeat them:

- execute, in chunks: each read runs the next lines that time has made due, at most CHUNK_LINES of them (fewer
  once CHUNK_BYTES of records are written), through the endpoint's own layer function (`_ENDPOINT_CORES`: every
  endpoint of the spec's `CreateBatchRequest.endpoint`, from `responses.generate` to `videos.create`); the chunk's
  records become one blob, the outcomes ("c" completed / "f" failed) and their tokens (`usage`) are added to the
  batch, so `request_counts` count exactly the lines that ran. A line due but not yet run is run by the next read
  (a batch watched by a webhook is also advanced by its wake-ups), so a 50,000-line batch completes over repeated
  reads, each inside API Gateway's 29 s.
- settle: on the first read once the batch has ended and every line done before its end has run, the output
  file (purpose `batch_output`) and the error file are written from the chunks.

A line is held to what its endpoint's route holds a request to, for the key that created the batch (`_Caller`):
its project's model and hosted tool permissions and service tier settings (`web/access.py`, the policy read once
per chunk), its data retention setting, and its deactivated safety identifiers; a line refused fails with the
status and error its endpoint would have answered.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from openai_mock import clock
from openai_mock.as_of import SORA_SHUTDOWN, answering_day
from openai_mock.checks import check_enum, check_metadata, check_range
from openai_mock.control import webhooks
from openai_mock.errors import (
    JSON_PARSE_MESSAGE,
    OpenAIError,
    from_validation_errors,
    invalid_request,
    invalid_url,
    not_found,
    server_error,
)
from openai_mock.fields import Integer, RequestModel
from openai_mock.ids import new_id
from openai_mock.logs import logger
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import files
from openai_mock.resources.organization import spend
from openai_mock.resources.organization.core import bootstrap_key_id
from openai_mock.resources.organization.usage import record_usage_event, token_usage, tool_call_usage
from openai_mock.rng import SEED_HEADER, request_seed
from openai_mock.settings import get_settings
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object
from openai_mock.web.access import check_policy_body, check_policy_model, honour_policy_service_tier, project_policy
from openai_mock.web.auth import Principal

COLLECTION = "batch"
ENDPOINTS = files.BATCH_ENDPOINTS
VIDEOS_URL = "/v1/videos"
DEFAULT_JSON_EDIT_MODEL = "gpt-image-1.5"  # the spec's default for JSON image edits (images.py's too)
COMPLETION_WINDOWS = ("24h",)
WINDOW_SECONDS = 24 * 3600
MAX_REQUESTS = 50_000
MAX_EMBEDDING_INPUTS = 50_000
# A claim older than this (clock seconds) is presumed abandoned (a Lambda that timed out) and may be retaken.
CLAIM_LEASE_SECONDS = 300.0
# One read executes at most this many due lines (fewer once CHUNK_BYTES of records are written): a chunk stays
# well inside API Gateway's 29 s, and a 50,000-line batch completes over repeated reads (docs/batches.md).
CHUNK_LINES = 500
CHUNK_BYTES = 8 * 1024 * 1024
CANCELLABLE = ("validating", "in_progress")
_PRIVATE = "_"
_EPSILON = 1e-9

Model = TypeVar("Model", bound=BaseModel)


class BatchFileExpirationAfter(RequestModel):
    """`output_expires_after`: when the output and error files expire, counted from their creation."""

    anchor: str
    seconds: Integer


class CreateBatchRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None = None
    output_expires_after: BatchFileExpirationAfter | None = None


def _output_expiry_seconds(policy: BatchFileExpirationAfter | None) -> int | None:
    """How long the batch's output and error files live (None: until deleted), within files' own bounds."""
    if policy is None:
        return None
    check_enum(policy.anchor, ("created_at",), "output_expires_after.anchor")
    check_range(policy.seconds, "output_expires_after.seconds", files.MIN_EXPIRY_SECONDS, files.MAX_EXPIRY_SECONDS)
    return policy.seconds


# --------------------------------------------------------------------------- input file


def _file_error(message: str, code: str) -> OpenAIError:
    return invalid_request(message, "input_file_id", code)


def _input_lines(tenant: str, file_id: str, endpoint: str) -> list[dict[str, Any]]:
    """The requests of a batch input file, checked against the batch: 400 naming `input_file_id` otherwise."""
    found = files.find_file(tenant, file_id)
    if found is None:
        raise _file_error(f"Invalid 'input_file_id': No such File object: {file_id}", "invalid_file")
    if found["purpose"] != "batch":
        raise _file_error(
            f"Invalid 'input_file_id': the file {file_id} has purpose '{found['purpose']}', but batch "
            "input files must be uploaded with purpose 'batch'.",
            "invalid_file_purpose",
        )
    lines: list[dict[str, Any]] = []
    text = files.file_bytes(tenant, found, "input_file_id").decode("utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            raise _file_error(
                f"Line {number} of the input file is not parseable as valid JSON.", "invalid_json_line"
            ) from None
        if not isinstance(line, dict) or line.get("url") != endpoint:
            url = line.get("url") if isinstance(line, dict) else None
            raise _file_error(
                f"Line {number} of the input file has the URL {url!r}, but this batch's endpoint is "
                f"'{endpoint}'. Every request in a batch must use the batch's endpoint.",
                "url_mismatch",
            )
        lines.append(line)
    if not lines:
        raise _file_error(f"The input file {file_id} contains no requests.", "empty_file")
    if len(lines) > MAX_REQUESTS:
        raise _file_error(
            f"The input file contains {len(lines)} requests; a batch may contain at most {MAX_REQUESTS}.",
            "too_many_tasks",
        )
    if endpoint == "/v1/embeddings":
        inputs = sum(_embedding_inputs(line.get("body", {}).get("input")) for line in lines)
        if inputs > MAX_EMBEDDING_INPUTS:
            raise _file_error(
                f"The input file contains {inputs} embedding inputs; an embeddings batch may contain "
                f"at most {MAX_EMBEDDING_INPUTS} across all requests.",
                "too_many_tasks",
            )
    return lines


def _embedding_inputs(value: Any) -> int:
    """How many inputs one embeddings request carries (an array of strings or of token arrays: each counts)."""
    if isinstance(value, list) and value and all(isinstance(item, (str, list)) for item in value):
        return len(value)
    return 1


# --------------------------------------------------------------------------- create

# The model a line without one is answered by (the endpoints' defaults).
DEFAULT_MODELS = {
    "/v1/moderations": "omni-moderation-latest",
    "/v1/images/generations": "dall-e-2",
    "/v1/images/edits": DEFAULT_JSON_EDIT_MODEL,
    VIDEOS_URL: "sora-2",
}


def _model_of(endpoint: str, lines: list[dict[str, Any]]) -> dict[str, str]:
    """The batch's `model`: the one its first request names (the real API requires one model per batch), else the
    endpoint's default; none when the line's body names no model an endpoint would take."""
    body = lines[0].get("body")
    model = body.get("model") if isinstance(body, dict) else None
    model = model or DEFAULT_MODELS.get(endpoint)
    return {"model": model} if isinstance(model, str) and model else {}


def create_batch(
    tenant: str, body: CreateBatchRequest, headers: Mapping[str, str], principal: Principal | None = None
) -> Object:
    check_enum(body.endpoint, files.batch_endpoints(), "endpoint")
    check_enum(body.completion_window, COMPLETION_WINDOWS, "completion_window")
    check_metadata(body.metadata)
    output_seconds = _output_expiry_seconds(body.output_expires_after)
    lines = _input_lines(tenant, body.input_file_id, body.endpoint)
    now = clock.now()
    settings = get_settings()
    stage = settings.scaled(settings.batch_stage_seconds)
    batch: Object = {
        "id": new_id("batch"),
        "object": "batch",
        "endpoint": body.endpoint,
        "input_file_id": body.input_file_id,
        "completion_window": body.completion_window,
        "created_at": int(now),
        "expires_at": int(now) + WINDOW_SECONDS,
        "metadata": body.metadata,
        **_model_of(body.endpoint, lines),
        "_total": len(lines),
        "_stage": stage,
        "_created": now,
        "_seed": headers.get(SEED_HEADER) or None,  # lines are seeded as the create request asked
        "_cancel_requested": None,
        "_failure": None,
        "_outcomes": None,
        "_chunks": 0,
        "_settled": False,
        "_claim": None,
        "_output_expires_in": output_seconds,  # the output and error files' lifetime (None: kept)
        # Whose usage the lines are (the organization's usage endpoints show them with batch=true).
        "_organization_id": principal.organization_id if principal is not None else None,
        "_project_id": principal.project_id if principal is not None else None,
        "_api_key_id": principal.api_key_id if principal is not None else None,
    }
    stored = get_store().create(tenant, COLLECTION, batch)
    # Its webhook fires when it ends, read or not (docs/webhooks.md): first looked at when validation ends (an
    # input file deleted meanwhile fails it then), then at its planned end.
    webhooks.watch(tenant, "batch", batch["id"], at=_validated(stored))
    return _public(stored, now)


# --------------------------------------------------------------------------- the plan and the state


def _validated(batch: Object) -> float:
    return float(batch["_created"] + batch["_stage"])


def _processed(batch: Object) -> float:
    return float(batch["_created"] + 2 * batch["_stage"])


def _finalized(batch: Object) -> float:
    return float(batch["_created"] + 3 * batch["_stage"])


def _expires(batch: Object) -> bool:
    """The plan overruns the completion window (only with a very slow OPENAI_MOCK_BATCH_STAGE_SECONDS)."""
    return _finalized(batch) > batch["expires_at"]


def _stop(batch: Object) -> float | None:
    """When line processing stopped early (cancel, failure, expiry), or None: it runs to completion."""
    if batch["_failure"] is not None:
        return _validated(batch)
    cancel = batch["_cancel_requested"]
    if cancel is not None and (not _expires(batch) or cancel < batch["expires_at"]):
        return float(cancel)
    return float(batch["expires_at"]) if _expires(batch) else None


def _end(batch: Object) -> float:
    """When the batch may settle: completion, the end of cancelling, or expiry."""
    if batch["_cancel_requested"] is not None:
        return float(batch["_cancel_requested"] + batch["_stage"])
    return float(batch["expires_at"]) if _expires(batch) else _finalized(batch)


def _lines_done(batch: Object, at: float) -> int:
    """How many lines (a prefix: lines run in order) were done by `at`, counting no further than a stop."""
    stop = _stop(batch)
    horizon = at if stop is None else min(at, stop)
    span = _processed(batch) - _validated(batch)
    total = int(batch["_total"])
    return max(0, min(total, math.floor((horizon - _validated(batch)) * total / span + _EPSILON)))


def status_at(batch: Object, now: float) -> str:
    if batch["_failure"] is not None:
        return "failed"
    if batch["_cancel_requested"] is not None:
        return "cancelled" if batch["_settled"] else "cancelling"
    if batch["_settled"]:
        return "expired" if _expires(batch) else "completed"
    if now < _validated(batch):
        return "validating"
    if now < _processed(batch) or _expires(batch):
        return "in_progress"
    return "finalizing"


def _started(batch: Object) -> bool:
    """Whether validation passed and processing began (a batch cancelled while validating never starts)."""
    cancel = batch["_cancel_requested"]
    return batch["_failure"] is None and (cancel is None or cancel >= _validated(batch))


def _counts(batch: Object, now: float, status: str) -> dict[str, int]:
    if not _started(batch) or now < _validated(batch):
        return {"total": 0, "completed": 0, "failed": 0}
    total = int(batch["_total"])
    outcomes = batch["_outcomes"] or ""
    done = outcomes[: _lines_done(batch, now)]
    failed = done.count("f") + (total - len(done) if status == "expired" else 0)
    return {"total": total, "completed": done.count("c"), "failed": failed}


def _public(batch: Object, now: float) -> Object:
    status = status_at(batch, now)
    public = {key: value for key, value in batch.items() if not key.startswith(_PRIVATE)}
    public["status"] = status
    stop = _stop(batch)
    # Timestamps the spec does not mark nullable are left out until they happen.
    if _started(batch) and now >= _validated(batch):
        public["in_progress_at"] = int(_validated(batch))
    if now >= _processed(batch) and (stop is None or stop >= _processed(batch)) and status != "failed":
        public["finalizing_at"] = int(_processed(batch))
    if status == "completed":
        public["completed_at"] = int(_finalized(batch))
    if status == "failed":
        public["failed_at"] = int(_validated(batch))
        public["errors"] = {"object": "list", "data": [batch["_failure"]]}
    if status == "expired":
        public["expired_at"] = int(batch["expires_at"])
    if batch["_cancel_requested"] is not None:
        public["cancelling_at"] = int(batch["_cancel_requested"])
        if status == "cancelled":
            public["cancelled_at"] = int(_end(batch))
    public["request_counts"] = _counts(batch, now, status)
    public["usage"] = _batch_usage(batch)
    return public


# --------------------------------------------------------------------------- claimed work


class _Taken(Exception):
    """The work is done, not due, or being done by another reader."""


def _claim(tenant: str, batch_id: str, due: Callable[[Object, float], bool]) -> tuple[Object, str] | None:
    """Take the batch's pending work; (the batch, the claim token) for the one caller that got it, else None."""
    token = uuid.uuid4().hex
    now = clock.now()
    lease_now = clock.process_now()  # a tenant moving its clock must not break (or extend) a lease

    def take(current: Object) -> Object:
        held = current["_claim"]
        if not due(current, now) or (held is not None and held["until"] > lease_now):
            raise _Taken
        return {**current, "_claim": {"token": token, "until": lease_now + CLAIM_LEASE_SECONDS}}

    try:
        claimed = get_store().update(tenant, COLLECTION, batch_id, take)
    except _Taken:
        return None
    return (claimed, token) if claimed is not None else None


def _release(tenant: str, batch_id: str, token: str, result: Mapping[str, Any]) -> Object | None:
    """Write the work's result if our claim still holds (None: it was retaken, our result is discarded)."""

    def finish(current: Object) -> Object:
        if (current["_claim"] or {}).get("token") != token:
            raise _Taken
        return {**current, **result, "_claim": None}

    try:
        return get_store().update(tenant, COLLECTION, batch_id, finish)
    except _Taken:
        return None


def _chunk_key(batch_id: str, index: int) -> str:
    return f"batch/{batch_id}/results/{index}.jsonl"


def _legacy_results_key(batch_id: str) -> str:
    """Where batches executed before chunking kept every record (one blob; `_chunks` absent on them)."""
    return f"batch/{batch_id}/results.jsonl"


# --------------------------------------------------------------------------- execute


def _parse(model: type[Model], body: Any) -> Model:
    """A line's body as the endpoint's request model; invalid bodies get the endpoint's own 400."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise from_validation_errors(error.errors()) from None


class _Caller(NamedTuple):
    """Whom a line runs for, as its endpoint's checks need it without an HTTP request: the batch's creator (its
    tenant, project and key: `_creator`), its project's policy as read for the chunk (`web/access.project_policy`;
    None: nothing to check), the headers the lines are seeded by, and the line's own request id."""

    tenant: str
    creator: Principal
    policy: dict[str, Any] | None
    headers: Mapping[str, str]
    request_id: str = ""


def _held(caller: _Caller, body: Model) -> Model:
    """A parsed line as its endpoint's route holds a request: the project's model and hosted tool permissions, a
    deactivated safety identifier refused, the project's service tiers (routes that honour none keep the body).
    What only a batch refuses (`stream`, `background`) is refused before."""
    from openai_mock.resources import safety

    check_policy_body(caller.policy, body)
    body = safety.refuse_deactivated(caller.creator, body, caller.request_id)
    return honour_policy_service_tier(caller.policy, body) if "service_tier" in type(body).model_fields else body


def _no_stream(stream: bool | None) -> None:
    if stream:
        raise invalid_request(
            "Streaming is not supported in the Batch API. Remove 'stream' from the request body.",
            "stream",
            "unsupported_parameter",
        )


class LineAnswer(NamedTuple):
    """A line's answer and what it is billed as: the organization usage `kind` of `model`, with its dimensions
    (`size`, `source`) and counters, and its token `usage` (any endpoint's naming) for the batch's own `usage`."""

    body: dict[str, Any]
    kind: str
    model: str | None
    dimensions: dict[str, str]
    counters: dict[str, int]
    usage: Mapping[str, Any]


def _billed_by_tokens(answer: dict[str, Any]) -> LineAnswer:
    """A chat completion, completion or response: the organization's completions usage of the model that answered."""
    usage = answer.get("usage") or {}
    return LineAnswer(answer, "completions", answer.get("model"), {}, token_usage(usage), usage)


# The endpoints' layers are imported when a batch first runs one of them: creating, polling and listing batches (most
# of this function's requests) need no generator, and a cold start would pay for all of them.


def _chat(caller: _Caller, body: Any) -> LineAnswer:
    """A chat line; `store: true` keeps it (retrievable later), unless the creator's project keeps no data. Its
    prompt is cached as the endpoint's is (a later line, or request, with the same prefix reads it)."""
    from openai_mock.resources import chat, prompt_cache
    from openai_mock.resources.organization import retention

    request = _parse(chat.ChatCompletionRequest, body)
    _no_stream(request.stream)
    request = _held(caller, retention.honour_principal_store(caller.creator, request))
    generated = chat.generate(request, caller.tenant, caller.headers)
    prompt_cache.remember(caller.tenant, generated.cache)
    if request.store:
        chat.store_completion(caller.tenant, generated.completion, generated.request)
    return _billed_by_tokens(generated.completion)


def _completion(caller: _Caller, body: Any) -> LineAnswer:
    from openai_mock.resources import completions

    request = _parse(completions.CompletionRequest, body)
    _no_stream(request.stream)
    request = _held(caller, request)
    return _billed_by_tokens(completions.generate(request, caller.tenant, caller.headers))


def _response(caller: _Caller, body: Any) -> LineAnswer:
    """A Responses line: answered as `POST /v1/responses` answers, but never stored (docs/batches.md): its `store`
    is false, so it is not retrievable and no later `previous_response_id` can name it. It may continue a stored
    response or a conversation (whose items it appends to, as the endpoint does), and is its end user's (refused
    once deactivated). Never stored, so the creator's data retention setting changes nothing for it. Its prompt is
    cached as the endpoint's is."""
    from openai_mock.resources import conversations, prompt_cache, responses

    request = _parse(responses.CreateResponseRequest, body)
    _no_stream(request.stream)
    if request.background:
        raise invalid_request(
            "Background mode is not supported in the Batch API: a batch already runs asynchronously. Remove "
            "'background' from the request body.",
            "background",
            "unsupported_parameter",
        )
    request = _held(caller, responses.attributed(caller.tenant, request.model_copy(update={"store": False})))
    tenant = caller.tenant
    generated = responses.generate(request, tenant, caller.headers)
    prompt_cache.remember(tenant, generated.cache)
    if generated.conversation_id is not None:
        conversations.append(tenant, generated.conversation_id, [*generated.items, *generated.response["output"]])
    answer = responses.deliver(request, tenant, generated)
    assert isinstance(answer, dict)  # not streamed
    return _billed_by_tokens(answer)


def _embedding(caller: _Caller, body: Any) -> LineAnswer:
    from openai_mock.resources import embeddings

    answer = embeddings.create_embedding(caller.tenant, _held(caller, _parse(embeddings.EmbeddingRequest, body)))
    usage = answer.get("usage") or {}
    return LineAnswer(
        answer, "embeddings", answer.get("model"), {}, {"input_tokens": usage.get("prompt_tokens", 0)}, usage
    )


def _moderation(caller: _Caller, body: Any) -> LineAnswer:
    from openai_mock.resources import moderations

    request = _held(caller, _parse(moderations.ModerationRequest, body))
    answer, token_count = moderations.create_moderation(caller.tenant, request)
    tokens = {"input_tokens": token_count}
    return LineAnswer(answer, "moderations", answer["model"], {}, tokens, tokens)


def _billed_images(answer: dict[str, Any], model: str | None, size: str | None, source: str) -> LineAnswer:
    """Images are billed per image of their size, as the images endpoints record them; GPT image models' token
    usage counts in the batch's `usage`."""
    dimensions = {"size": size or "1024x1024", "source": source}
    counters = {"images": len(answer["data"])}
    return LineAnswer(answer, "images", model or "dall-e-2", dimensions, counters, answer.get("usage") or {})


def _image_generation(caller: _Caller, body: Any) -> LineAnswer:
    from openai_mock.resources import images

    request = _parse(images.CreateImageRequest, body)
    _no_stream(request.stream)
    request = _held(caller, request)
    answer = images.create_image(request, request_seed(caller.headers))
    answer = images.with_fixture(caller.tenant, "images.generations", request, request.prompt, answer)
    check_policy_model(caller.policy, request.model or "dall-e-2")  # the model billed, as the route's accounting
    return _billed_images(
        images.delivered(answer, request, "image_generation"), request.model, request.size, "image.generation"
    )


def _image_edit(caller: _Caller, body: Any) -> LineAnswer:
    """A JSON image edit (a line cannot carry a multipart upload), answered as the endpoint answers one."""
    from openai_mock.resources import images

    request = _parse(images.ImageEditJSONRequest, body)
    _no_stream(request.stream)
    request = _held(caller, request)
    answer = images.create_image_edit_by_reference(caller.tenant, request, request_seed(caller.headers))
    answer = images.with_fixture(caller.tenant, "images.edits", request, request.prompt, answer)
    check_policy_model(caller.policy, request.model or "dall-e-2")  # the model billed, as the route's accounting
    return _billed_images(images.delivered(answer, request, "image_edit"), request.model, request.size, "image.edit")


def _video(caller: _Caller, body: Any) -> LineAnswer:
    """A video job, started as `POST /v1/videos` starts one: the line's answer is the job as created (`queued`);
    the job is a video of the tenant's, which progresses, completes and is downloaded like any other. Its model is
    checked against the project's permissions where the route's accounting checks it: once the job is made."""
    from openai_mock.resources import videos

    if answering_day() >= SORA_SHUTDOWN:  # a batch running past the shut-down
        raise invalid_url("POST", VIDEOS_URL)
    if not isinstance(body, dict):
        raise invalid_request(JSON_PARSE_MESSAGE)
    job = videos.create(caller.tenant, body)
    check_policy_model(caller.policy, str(job["model"]))
    seconds = 0 if job["_blocked"] else int(job["_billed_seconds"])  # a blocked prompt renders (and costs) nothing
    answer = videos.start(caller.tenant, job)
    return LineAnswer(answer, "videos", job["model"], {"size": job["size"]}, {"seconds": seconds}, {})


_ENDPOINT_CORES: dict[str, Callable[[_Caller, Any], LineAnswer]] = {
    "/v1/responses": _response,
    "/v1/chat/completions": _chat,
    "/v1/completions": _completion,
    "/v1/embeddings": _embedding,
    "/v1/moderations": _moderation,
    "/v1/images/generations": _image_generation,
    "/v1/images/edits": _image_edit,
    VIDEOS_URL: _video,
}


def _answer(caller: _Caller, endpoint: str, body: Any) -> LineAnswer | OpenAIError:
    """One request's answer, exactly as the endpoint would have given it, or the error it would have answered."""
    try:
        return _ENDPOINT_CORES[endpoint](caller, body)
    except OpenAIError as error:
        return error
    except Exception:  # one broken line must not sink the batch: it fails like a 500 would
        logger.exception("batch line failed", extra={"endpoint": endpoint})
        return server_error()


def _failure(error: OpenAIError) -> dict[str, Any]:
    """The batch fails: its input file was deleted (or changed) after the batch was created."""
    return {
        "_failure": {
            "code": error.code or "invalid_file",
            "message": error.message,
            "param": "input_file_id",
            "line": None,
        },
        "_settled": True,
    }


def _line_slice(tenant: str, batch: Object, start: int, stop: int) -> list[dict[str, Any]]:
    """Lines [start, stop) of the batch's input file. The whole file was checked at create (and again by the
    first chunk); later chunks parse only their own lines."""
    text = files.read_file_bytes(tenant, batch["input_file_id"], "input_file_id").decode("utf-8", errors="replace")
    lines = [raw for raw in text.splitlines() if raw.strip()]
    if len(lines) != batch["_total"]:
        raise _file_error(f"The input file {batch['input_file_id']} changed while the batch ran.", "invalid_file")
    return [json.loads(raw) for raw in lines[start:stop]]


def _executed(batch: Object) -> int:
    """How many lines have run (a prefix: lines run in order); their outcomes are on the batch."""
    return len(batch["_outcomes"] or "")


def _run_chunk(tenant: str, batch: Object) -> dict[str, Any]:
    """Execute the next chunk of due lines (at most CHUNK_LINES, and no more once CHUNK_BYTES of records are
    written); the records become one blob of their own, the outcomes and the token usage are added to the batch."""
    start = _executed(batch)
    stop = min(_lines_done(batch, clock.now()), start + CHUNK_LINES)
    try:
        if start == 0:  # the first chunk checks the whole file again, as the real service does when it starts
            lines = _input_lines(tenant, batch["input_file_id"], batch["endpoint"])[start:stop]
        else:
            lines = _line_slice(tenant, batch, start, stop)
    except OpenAIError as error:
        return _failure(error)
    headers = {SEED_HEADER: str(batch["_seed"])} if batch["_seed"] else {}
    creator = _creator(tenant, batch)
    caller = _Caller(tenant, creator, project_policy(creator), headers)  # the project's settings as they are now
    chunk, outcomes = bytearray(), []
    billed: dict[_UsageKey, dict[str, int]] = {}  # the chunk's usage, summed per kind and model: one write each
    tokens = dict(batch.get("_usage") or dict.fromkeys(_TOKEN_COUNTERS, 0))
    for line in lines:
        request_id = new_id("request")
        answered = _answer(caller._replace(request_id=request_id), batch["endpoint"], line.get("body"))
        if isinstance(answered, OpenAIError):
            status, body = answered.status, answered.body()
        else:
            status, body = 200, answered.body
            _add_line_usage(billed, answered)
            _add_tokens(tokens, answered.usage)
            _record_tool_calls(creator, batch, body)
        record = {
            "id": new_id("batch.request"),
            "custom_id": line.get("custom_id"),
            "response": {"status_code": status, "request_id": request_id, "body": body},
            "error": None,
        }
        chunk += _jsonl([record])
        outcomes.append("c" if status == 200 else "f")
        if len(chunk) >= CHUNK_BYTES:
            break
    _record_usage(tenant, batch, billed)
    index = int(batch.get("_chunks") or 0)
    get_blobs().put(tenant, _chunk_key(batch["id"], index), bytes(chunk))
    return {"_outcomes": (batch["_outcomes"] or "") + "".join(outcomes), "_chunks": index + 1, "_usage": tokens}


# --------------------------------------------------------------------------- usage

_UsageKey = tuple[str, str | None, tuple[tuple[str, str], ...]]  # kind, model, dimensions
_TOKEN_COUNTERS = ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")


def _add_line_usage(billed: dict[_UsageKey, dict[str, int]], answered: LineAnswer) -> None:
    """Add a line that ran to its kind's and model's sum (the chunk's usage: one request more, its counters)."""
    key = (answered.kind, answered.model, tuple(sorted(answered.dimensions.items())))
    summed = billed.setdefault(key, {})
    for name, value in {**answered.counters, "num_model_requests": 1}.items():
        summed[name] = summed.get(name, 0) + int(value)


def _add_tokens(tokens: dict[str, int], usage: Mapping[str, Any]) -> None:
    """Add a line's token usage (`prompt_tokens…` or `input_tokens…` naming) to the batch's."""
    details_in = usage.get("input_tokens_details") or usage.get("prompt_tokens_details") or {}
    details_out = usage.get("output_tokens_details") or usage.get("completion_tokens_details") or {}
    tokens["input_tokens"] += int(usage.get("input_tokens", usage.get("prompt_tokens")) or 0)
    tokens["cached_tokens"] += int(details_in.get("cached_tokens") or 0)
    tokens["output_tokens"] += int(usage.get("output_tokens", usage.get("completion_tokens")) or 0)
    tokens["reasoning_tokens"] += int(details_out.get("reasoning_tokens") or 0)


def _batch_usage(batch: Object) -> dict[str, Any]:
    """The batch's `usage`: the tokens of the lines that have run."""
    tokens = batch.get("_usage") or dict.fromkeys(_TOKEN_COUNTERS, 0)
    return {
        "input_tokens": tokens["input_tokens"],
        "input_tokens_details": {"cached_tokens": tokens["cached_tokens"]},
        "output_tokens": tokens["output_tokens"],
        "output_tokens_details": {"reasoning_tokens": tokens["reasoning_tokens"]},
        "total_tokens": tokens["input_tokens"] + tokens["output_tokens"],
    }


def _creator(tenant: str, batch: Object) -> Principal:
    """Whose usage the batch's lines are: the creator's organization, project and key."""
    return Principal(
        tenant,
        batch.get("_organization_id") or "",
        is_admin=False,
        project_id=batch.get("_project_id"),
        api_key_id=batch.get("_api_key_id") or bootstrap_key_id(tenant),
    )


def _record_tool_calls(creator: Principal, batch: Object, body: dict[str, Any]) -> None:
    """The hosted tool calls a Responses line made (file and web searches), billed per call as the endpoint's are."""
    if batch["endpoint"] != "/v1/responses":
        return
    for record in tool_call_usage(creator, body):
        spend.track(creator.tenant, record)


def _record_usage(tenant: str, batch: Object, billed: dict[_UsageKey, dict[str, int]]) -> None:
    """The chunk's lines are the organization's usage (flagged as batch usage, which prices every kind at the batch
    discount: completions' `batch` dimension, the other kinds' hidden mark), in the creator's project, and spend:
    one usage event per kind, model and dimensions (all of a chunk's lines run in the same minute), so a chunk's
    store writes do not grow with its lines."""
    creator = _creator(tenant, batch)
    for (kind, model, dimensions), summed in billed.items():
        fields: dict[str, Any] = {**dict(dimensions), **summed}
        record = record_usage_event(
            tenant,
            kind,
            model=model,
            project_id=creator.project_id,
            api_key_id=creator.api_key_id,
            batch=True,
            **fields,
        )
        spend.track(tenant, record)


def _needs_execution(batch: Object, now: float) -> bool:
    """Lines are due that have not run yet."""
    return (
        batch["_failure"] is None
        and not batch["_settled"]
        and _started(batch)
        and now >= _validated(batch)
        and _executed(batch) < _lines_done(batch, now)
    )


def _execute(tenant: str, batch: Object) -> Object:
    """Run one chunk of the due lines (claimed: concurrent readers never run a line twice)."""
    claimed = _claim(tenant, batch["id"], _needs_execution)
    if claimed is None:
        return _reload(tenant, batch["id"])
    current, token = claimed
    result = _run_chunk(tenant, current)
    return _release(tenant, batch["id"], token, result) or _reload(tenant, batch["id"])


# --------------------------------------------------------------------------- settle


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records).encode()


def _expired_record(line: dict[str, Any]) -> bytes:
    record = {
        "id": new_id("batch.request"),
        "custom_id": line.get("custom_id"),
        "response": None,
        "error": {
            "code": "batch_expired",
            "message": "This request could not be executed before the completion window expired.",
        },
    }
    return _jsonl([record])


def _result_blobs(batch: Object) -> list[str]:
    if batch.get("_chunks") is None:
        return [_legacy_results_key(batch["id"])] if batch["_outcomes"] is not None else []
    return [_chunk_key(batch["id"], index) for index in range(int(batch["_chunks"]))]


def _output_files(tenant: str, batch: Object) -> dict[str, Any]:
    """Write the output and error files from the chunks' records (each line's outcome says which file gets it);
    their ids for the batch. Records are copied as bytes, never parsed again."""
    outcomes = batch["_outcomes"] or ""
    done = _lines_done(batch, _end(batch)) if _started(batch) else 0
    output, errors = bytearray(), bytearray()
    line = 0
    for key in _result_blobs(batch):
        for record in (get_blobs().get(tenant, key) or b"").splitlines(keepends=True):
            if line < done:
                (output if outcomes[line] == "c" else errors).extend(record)
            line += 1
    if _expires(batch) and batch["_cancel_requested"] is None and _started(batch) and done < batch["_total"]:
        try:  # every line the window did not reach fails as expired
            for rest in _line_slice(tenant, batch, done, int(batch["_total"])):
                errors += _expired_record(rest)
        except OpenAIError:
            logger.warning("expired batch lines unlisted: input file gone", extra={"batch_id": batch["id"]})
    written: dict[str, Any] = {"_settled": True}
    lifetime = batch.get("_output_expires_in")
    expires_at = None if lifetime is None else clock.now_seconds() + int(lifetime)  # anchor: the file's created_at
    for key, name, kept in (("output_file_id", "output", output), ("error_file_id", "error", errors)):
        if kept:
            filename = f"{batch['id']}_{name}.jsonl"
            written[key] = files.create_file(tenant, filename, "batch_output", bytes(kept), expires_at=expires_at)["id"]
    return written


def _needs_settling(batch: Object, now: float) -> bool:
    """The batch has ended and every line done before its end has run."""
    if batch["_settled"] or now < _end(batch):
        return False
    return not _started(batch) or _executed(batch) >= _lines_done(batch, _end(batch))


def _settle(tenant: str, batch: Object) -> Object:
    claimed = _claim(tenant, batch["id"], _needs_settling)
    if claimed is None:
        return _reload(tenant, batch["id"])
    current, token = claimed
    written = _output_files(tenant, current)
    settled = _release(tenant, batch["id"], token, written)
    if settled is None:  # our claim was retaken meanwhile: the files are the other reader's to write
        for key in ("output_file_id", "error_file_id"):
            if key in written:
                files.delete_file(tenant, written[key])
        return _reload(tenant, batch["id"])
    for key in _result_blobs(current):
        get_blobs().delete(tenant, key)
    return settled


# --------------------------------------------------------------------------- reads and cancel


def _reload(tenant: str, batch_id: str) -> Object:
    batch = get_store().get(tenant, COLLECTION, batch_id)
    if batch is None:
        raise not_found("Batch", batch_id, "batch_id")
    return batch


def _progress(tenant: str, batch: Object) -> Object:
    """Do the work that time has made due (each piece once), then return the batch as stored."""
    now = clock.now()
    if _needs_execution(batch, now):
        batch = _execute(tenant, batch)
    if _needs_settling(batch, now):
        batch = _settle(tenant, batch)
    return batch


def retrieve_batch(tenant: str, batch_id: str) -> Object:
    return _public(_progress(tenant, _reload(tenant, batch_id)), clock.now())


def list_batches(tenant: str, params: ListParams) -> Object:
    page = get_store().list(tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after)
    now = clock.now()
    return list_object(page, view=lambda batch: _public(_progress(tenant, batch), now))


def cancel_batch(tenant: str, batch_id: str) -> Object:
    batch = _progress(tenant, _reload(tenant, batch_id))
    now = clock.now()

    def cancel(current: Object) -> Object:
        status = status_at(current, now)
        if status in ("cancelling", "cancelled"):  # cancelling twice is harmless, as with the real API
            return current
        if status not in CANCELLABLE:
            raise OpenAIError(
                400, f"Cannot cancel a batch with status '{status}'.", param="batch_id", code="batch_not_cancellable"
            )
        return {**current, "_cancel_requested": now}

    cancelled = get_store().update(tenant, COLLECTION, batch["id"], cancel)
    if cancelled is None:
        raise not_found("Batch", batch_id, "batch_id")
    if cancelled["_cancel_requested"] == now:  # cancelled by this call: `batch.cancelled` when cancelling ends
        webhooks.watch(tenant, "batch", batch["id"], at=_end(cancelled))
    return _public(cancelled, now)


_TERMINAL = ("completed", "failed", "cancelled", "expired")


def _webhook_outcome(tenant: str, batch_id: str) -> webhooks.Outcome:
    """Which event the batch ended with (doing the work its end entails, as a read would), or when to look again."""
    batch = get_store().get(tenant, COLLECTION, batch_id)
    if batch is None:
        return None
    now = clock.now()
    public = _public(_progress(tenant, batch), now)
    status = public["status"]
    if status in _TERMINAL:
        return webhooks.Finished(f"batch.{status}", public[f"{status}_at"])
    return webhooks.NotYet(max(_end(batch), now))


webhooks.register_source("batch", _webhook_outcome)

"""Usage and costs from the tenant's real traffic. Model-serving groups call `record_usage_event`
(or `record_principal_usage`) once per request; records are aggregated per minute and per dimension
set, so a usage query reads at most one record per (minute, project, key, model…) and sums them into
the requested buckets (`1m`, `1h`, `1d`), grouped and filtered, paged with `page`/`next_page`.

A minute's record is a counter item of the store (`increment`: one atomic addition, shared by every process and
container, never a read-modify-write of a record every request of the minute contends for), keyed by its minute,
kind and dimension values, so a range of minutes is one read (`counters`).

Batch requests cost half (`prices.BATCH_DISCOUNT`). Only completions (and decisions) have a `batch` dimension: the
Usage API groups and filters no other kind by it. Another kind's batch records carry a hidden mark instead, in their
keys (`|embeddings+batch|…`): `costs` prices them at the discount, and no usage answer shows or groups by it."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from openai_mock import clock
from openai_mock.checks import check_enum
from openai_mock.errors import invalid_request
from openai_mock.resources.organization import prices
from openai_mock.resources.organization.core import USAGE, USAGE_COUNTS, bootstrap_key_id, default_project_id
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

_ACCOUNT = ("project_id", "user_id", "api_key_id", "model")
BATCH = "batch"
_BATCH_MARK = "+batch"  # after the kind in a record's key: batch usage of a kind without the `batch` dimension


class UsageKind(NamedTuple):
    name: str
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...]  # what it can be grouped by (the others are null in results)


KINDS: dict[str, UsageKind] = {
    kind.name: kind
    for kind in (
        UsageKind(
            "completions",
            (
                "input_tokens",
                "output_tokens",
                "input_cached_tokens",
                "input_audio_tokens",
                "output_audio_tokens",
                "num_model_requests",
            ),
            (*_ACCOUNT, "batch", "service_tier", "api_source"),
        ),
        UsageKind("embeddings", ("input_tokens", "num_model_requests"), _ACCOUNT),
        UsageKind("moderations", ("input_tokens", "num_model_requests"), _ACCOUNT),
        UsageKind("images", ("images", "num_model_requests"), (*_ACCOUNT, "size", "source")),
        UsageKind("audio_speeches", ("characters", "num_model_requests"), _ACCOUNT),
        UsageKind("audio_transcriptions", ("seconds", "num_model_requests"), _ACCOUNT),
        UsageKind("vector_stores", ("usage_bytes",), ("project_id",)),
        UsageKind("code_interpreter_sessions", ("num_sessions",), ("project_id",)),
        UsageKind("file_search_calls", ("num_requests",), ("project_id", "user_id", "api_key_id", "vector_store_id")),
        UsageKind(
            "web_search_calls", ("num_requests", "num_model_requests"), (*_ACCOUNT, "context_level", "api_source")
        ),
        # No usage endpoint of its own: priced in `costs` and counted towards spend limits.
        UsageKind("videos", ("seconds", "num_model_requests"), (*_ACCOUNT, "size")),
        UsageKind(
            "decisions",
            ("input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests"),
            (*_ACCOUNT, "batch", "service_tier", "api_source"),
        ),
    )
}
# The result objects' names, where they are not `organization.usage.<kind>.result`.
_RESULT_NAMES = {"file_search_calls": "file_searches", "web_search_calls": "web_searches"}
WIDTHS = {"1m": 60, "1h": 3_600, "1d": 86_400}
# bucket_width → (default limit, maximum limit), as documented by OpenAI.
LIMITS = {"1m": (60, 1_440), "1h": (24, 168), "1d": (7, 31)}
COSTS_LIMITS = (7, 180)


# --- recording ------------------------------------------------------------------------------------


def record_usage_event(
    tenant: str,
    kind: str,
    *,
    model: str | None = None,
    project_id: str | None = None,
    user_id: str | None = None,
    api_key_id: str | None = None,
    batch: bool = False,
    size: str | None = None,
    source: str | None = None,
    vector_store_id: str | None = None,
    context_level: str | None = None,
    service_tier: str | None = None,
    api_source: str | None = None,
    at: float | None = None,
    **metrics: int,
) -> dict[str, Any]:
    """Count one request's usage: `metrics` are the kind's counters (`input_tokens=…, output_tokens=…`
    for completions, `images=…` for images, `characters=…`, `seconds=…`, `usage_bytes=…`,
    `num_sessions=…`, `num_requests=…` for hosted tool calls); `num_model_requests` defaults to 1 for kinds
    that count requests. Without a project the usage lands in the organization's Default Project.
    Answers the record of this one event (`kind`, `minute`, `dims`, `metrics`), which `event_cost` prices."""
    spec = KINDS[kind]
    unknown = metrics.keys() - spec.metrics
    if unknown:
        raise ValueError(f"{kind} usage has no {sorted(unknown)}")
    if "num_model_requests" in spec.metrics:
        metrics.setdefault("num_model_requests", 1)
    dims, key_tail = _dimensions(
        kind,
        project_id=project_id or default_project_id(tenant),
        user_id=user_id,
        api_key_id=api_key_id,
        model=model,
        batch=batch,
        size=size,
        source=source,
        vector_store_id=vector_store_id,
        context_level=context_level,
        # What served the request (an answer's `service_tier`); `unlabeled`: not the Agents API's traffic.
        service_tier=service_tier or "default",
        api_source=api_source or "unlabeled",
    )
    minute = int((clock.now() if at is None else at) // 60) * 60
    counters = {name: int(metrics.get(name, 0)) for name in spec.metrics}
    key = f"{minute:011d}{key_tail}"
    # (Its lifetime is the deployment's, as an object's: OPENAI_MOCK_TTL_SECONDS from the minute's first event.)
    get_store().increment(tenant, USAGE_COUNTS, key, counters, expires_in=get_settings().ttl_seconds or None)
    return {"id": key, "kind": kind, "minute": minute, "dims": dict(dims), "metrics": counters}


def _batch_marked(kind: str, batch: bool) -> bool:
    """Batch usage of a kind the Usage API does not group by `batch`: marked in its key, not a dimension."""
    return batch and BATCH not in KINDS[kind].dimensions


@lru_cache(maxsize=1024)  # a handful of (kind, project, key, model…) answer request after request
def _dimensions(kind: str, **values: Any) -> tuple[dict[str, Any], str]:
    """The kind's dimensions among `values`, and the end of their records' keys (`|kind|[values…]`, after the
    zero-padded minute, so that keys sort by minute; `|kind+batch|…` for a marked batch record). Callers copy the
    dict: it is shared."""
    dims = {name: values[name] for name in KINDS[kind].dimensions}
    tail = json.dumps(list(dims.values()), separators=(",", ":"))
    if _batch_marked(kind, values[BATCH]):
        dims[BATCH] = True  # (`_cost_labels` and the usage results name their fields: the mark shows in neither)
        return dims, f"|{kind}{_BATCH_MARK}|{tail}"
    return dims, f"|{kind}|{tail}"


def _from_key(key: str, metrics: dict[str, int]) -> dict[str, Any] | None:
    """The record a counter item holds (None: a kind this version does not know)."""
    minute, labelled, values = key.split("|", 2)
    kind = labelled.removesuffix(_BATCH_MARK)
    spec = KINDS.get(kind)
    if spec is None:
        return None
    dims = dict.fromkeys(spec.dimensions)  # (a dimension added since the key was written: null)
    dims.update(zip(spec.dimensions, json.loads(values), strict=False))
    if kind != labelled:
        dims[BATCH] = True
    return {"id": key, "kind": kind, "minute": int(minute), "dims": dims, "metrics": metrics}


def recorded(tenant: str, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
    """The tenant's minute records from `start` to before `end` (seconds; minutes are their first second):
    `kind`, `minute`, `dims`, `metrics`. Records written as objects by earlier versions come first."""
    store = get_store()
    earlier = store.list(tenant, USAGE, limit=10**9, order="asc", after=f"{start:011d}").items
    found = [record for record in earlier if end is None or record["minute"] < end]
    counted = store.counters(tenant, USAGE_COUNTS, after=f"{start:011d}", before=None if end is None else f"{end:011d}")
    for key, metrics in counted:
        record = _from_key(key, metrics)
        if record is not None:
            found.append(record)
    return found


def record_principal_usage(principal: Principal, kind: str, **fields: Any) -> dict[str, Any]:
    """`record_usage_event` for the caller: its organization, project and API key (an ordinary key, which is
    its own organization, counts as that organization's bootstrapping key, in its Default Project)."""
    return record_usage_event(
        principal.tenant,
        kind,
        project_id=principal.project_id,
        api_key_id=principal.api_key_id or bootstrap_key_id(principal.tenant),
        **fields,
    )


def record_traffic(principal: Principal | None, kind: str, **fields: Any) -> dict[str, Any] | None:
    """One model request's usage, from `ratelimits.record_usage` (the one hook of every model-serving
    endpoint), in the caller's organization: a project key's in its project, any other key's (ordinary keys,
    admin keys) in its organization's Default Project. Answers the record (for the spend limits)."""
    if principal is None:
        return None
    return record_principal_usage(principal, kind, **fields)


def tool_call_usage(principal: Principal | None, response: dict[str, Any]) -> list[dict[str, Any]]:
    """The hosted tool calls a Responses answer made (`file_search_call`, `web_search_call` output items),
    recorded as `file_search_calls` (per the first vector store the tool searched) and `web_search_calls`
    (per model and the tool's `search_context_size`)."""
    if principal is None:
        return []
    output = response.get("output") or []
    kinds = [item.get("type") for item in output if isinstance(item, dict)]
    file_searches, web_searches = kinds.count("file_search_call"), kinds.count("web_search_call")
    if not file_searches and not web_searches:
        return []
    tools = {tool.get("type"): tool for tool in response.get("tools") or [] if isinstance(tool, dict)}
    recorded = []
    if file_searches:
        stores = (tools.get("file_search") or {}).get("vector_store_ids") or [None]
        recorded.append(
            record_principal_usage(
                principal, "file_search_calls", vector_store_id=stores[0], num_requests=file_searches
            )
        )
    if web_searches:
        tool = next((tools[name] for name in tools if name and name.startswith("web_search")), {})
        recorded.append(
            record_principal_usage(
                principal,
                "web_search_calls",
                model=response.get("model"),
                context_level=tool.get("search_context_size") or "medium",
                num_requests=web_searches,
            )
        )
    return recorded


def token_usage(usage: dict[str, Any]) -> dict[str, int]:
    """The `completions` counters of a chat/legacy completion's `usage` or a response's `usage`."""
    details_in = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    details_out = usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    return {
        "input_tokens": usage.get("prompt_tokens", usage.get("input_tokens", 0)),
        "output_tokens": usage.get("completion_tokens", usage.get("output_tokens", 0)),
        "input_cached_tokens": details_in.get("cached_tokens") or 0,
        "input_audio_tokens": details_in.get("audio_tokens") or 0,
        "output_audio_tokens": details_out.get("audio_tokens") or 0,
    }


# --- queries --------------------------------------------------------------------------------------


class UsageQuery(NamedTuple):
    start_time: int
    end_time: int | None = None
    bucket_width: str = "1d"
    group_by: Sequence[str] = ()
    limit: int | None = None
    page: str | None = None
    # dimension → accepted values (project_id → project_ids, …); empty = no filter
    filters: Mapping[str, Sequence[str]] = MappingProxyType({})
    batch: bool | None = None


def _encode_page(bucket_start: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"bucket:{bucket_start}".encode()).decode()


def _decode_page(page: str) -> int:
    try:
        text = base64.urlsafe_b64decode(page.removeprefix("page_").encode()).decode()
        label, _, value = text.partition(":")
        if label != "bucket":
            raise ValueError(page)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_request(f"Invalid page token: '{page}'.", "page", "invalid_value") from None


def _buckets(query: UsageQuery, limits: tuple[int, int]) -> tuple[list[int], int, int | None]:
    """The bucket starts of this page, the bucket width, and the next page's first bucket."""
    check_enum(query.bucket_width, tuple(WIDTHS), "bucket_width")
    width = WIDTHS[query.bucket_width]
    # Without end_time the range runs to now, and always holds the bucket containing start_time.
    end = query.end_time if query.end_time is not None else max(clock.now_seconds(), query.start_time + 1)
    if end <= query.start_time:
        raise invalid_request("'end_time' must be greater than 'start_time'.", "end_time", "invalid_value")
    default, maximum = limits
    limit = default if query.limit is None else query.limit
    if not 1 <= limit <= maximum:
        raise invalid_request(
            f"Invalid 'limit': expected a value between 1 and {maximum} for bucket_width "
            f"'{query.bucket_width}', but got {limit} instead.",
            "limit",
            "invalid_value",
        )
    first = query.start_time // width * width
    count = math.ceil((end - first) / width)
    skipped = 0  # buckets before the page cursor; computed, never listed (ranges can span millions of buckets)
    if query.page is not None:
        cursor = _decode_page(query.page)
        skipped = min(count, max(0, math.ceil((cursor - first) / width)))
    taken = min(limit, count - skipped)
    page = [first + (skipped + index) * width for index in range(taken)]
    return page, width, first + (skipped + taken) * width if skipped + taken < count else None


def _records(tenant: str, kinds: set[str], start: int, end: int, query: UsageQuery) -> list[dict[str, Any]]:
    def wanted(record: dict[str, Any]) -> bool:
        if record["kind"] not in kinds:
            return False
        # Only a kind with the `batch` dimension filters by it: another kind's batch mark stays hidden.
        if (
            query.batch is not None
            and BATCH in KINDS[record["kind"]].dimensions
            and record["dims"].get(BATCH) != query.batch
        ):
            return False
        return all(not values or record["dims"].get(name) in values for name, values in query.filters.items())

    return [record for record in recorded(tenant, start, end) if wanted(record)]


def _check_group_by(group_by: Sequence[str], allowed: tuple[str, ...]) -> None:
    for name in group_by:
        check_enum(name, allowed, "group_by")


def _page(
    buckets: list[int], width: int, next_start: int | None, results: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    # Buckets carry `result` (the 2025-03 spec) and `results` (what later SDKs, openai 2.x, read).
    return {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": start,
                "end_time": start + width,
                "result": results.get(start, []),
                "results": results.get(start, []),
            }
            for start in buckets
        ],
        "has_more": next_start is not None,
        "next_page": _encode_page(next_start) if next_start is not None else None,
    }


def record_storage_delta(tenant: str, usage_bytes: int, at: float) -> None:
    """A change of the tenant's vector-store storage: `+bytes` when a file's processing completes, `-bytes`
    when a completed file leaves (detached, cancelled before completing, its store deleted). Recorded at the
    first minute boundary at or after `at`, so a level read at any moment never counts bytes early."""
    if usage_bytes:
        record_usage_event(tenant, "vector_stores", usage_bytes=usage_bytes, at=math.ceil(at / 60) * 60)


def _storage_levels(tenant: str, buckets: list[int], width: int, query: UsageQuery) -> dict[int, dict[str, int]]:
    """Vector-store storage is a level: per bucket and project, the bytes stored at the bucket's end (or now,
    for a bucket still running): the sum of every storage delta recorded before then, however long ago."""
    now = clock.now()
    deltas = _records(tenant, {"vector_stores"}, 0, buckets[-1] + width, query)
    levels: dict[int, dict[str, int]] = {}
    running: dict[str, int] = defaultdict(int)
    position = 0
    for start in buckets:
        end = start + width
        while position < len(deltas) and deltas[position]["minute"] < end and deltas[position]["minute"] <= now:
            record = deltas[position]
            running[record["dims"].get("project_id") or default_project_id(tenant)] += record["metrics"]["usage_bytes"]
            position += 1
        levels[start] = {project: level for project, level in running.items() if level}
    return levels


def usage(tenant: str, kind: str, query: UsageQuery) -> dict[str, Any]:
    spec = KINDS[kind]
    _check_group_by(query.group_by, spec.dimensions)
    buckets, width, next_start = _buckets(
        query, LIMITS[query.bucket_width] if query.bucket_width in LIMITS else LIMITS["1d"]
    )
    results: dict[int, list[dict[str, Any]]] = {}
    if buckets and kind == "vector_stores":
        for bucket, per_project in _storage_levels(tenant, buckets, width, query).items():
            by_key: dict[tuple[Any, ...], int] = defaultdict(int)
            for project, level in per_project.items():
                by_key[(project,) if query.group_by else ()] += level
            results[bucket] = [
                {
                    "object": "organization.usage.vector_stores.result",
                    "usage_bytes": level,
                    "project_id": key[0] if key else None,
                }
                for key, level in sorted(by_key.items(), key=lambda item: str(item[0]))
                if level
            ]
    elif buckets:
        grouped: dict[tuple[int, tuple[Any, ...]], dict[str, int]] = defaultdict(lambda: dict.fromkeys(spec.metrics, 0))
        for record in _records(tenant, {kind}, buckets[0], buckets[-1] + width, query):
            bucket = record["minute"] // width * width
            key = tuple(record["dims"].get(name) for name in query.group_by)
            sums = grouped[(bucket, key)]
            for name, value in record["metrics"].items():
                sums[name] += value
        for (bucket, key), sums in sorted(grouped.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            result: dict[str, Any] = {"object": f"organization.usage.{_RESULT_NAMES.get(kind, kind)}.result", **sums}
            result.update({name: dict(zip(query.group_by, key, strict=True)).get(name) for name in spec.dimensions})
            if kind == "code_interpreter_sessions":
                result["sessions"] = sums["num_sessions"]  # the 2025-03 spec requires this name too
            results.setdefault(bucket, []).append(result)
    return _page(buckets, width, next_start, results)


# --- costs ----------------------------------------------------------------------------------------


def _line_items(record: dict[str, Any]) -> list[tuple[str, float]]:
    """A usage record's cost, split into OpenAI-style line items ("gpt-4o-2024-08-06, input"): a batch's requests,
    of any kind, at the Batch API's discount."""
    discount = prices.BATCH_DISCOUNT if record["dims"].get(BATCH) else 1.0
    return [(name, amount * discount) for name, amount in _list_price_items(record)]


def _list_price_items(record: dict[str, Any]) -> list[tuple[str, float]]:
    kind, dims, m = record["kind"], record["dims"], record["metrics"]
    model = dims.get("model") or ""
    if kind == "completions":
        price_in, price_cached, price_out = prices.token_prices(model)
        audio_in, audio_out = prices.audio_token_prices(model)
        text_in = m["input_tokens"] - m["input_cached_tokens"] - m["input_audio_tokens"]
        text_out = m["output_tokens"] - m["output_audio_tokens"]
        lines = [
            ("input", text_in * price_in),
            ("cached input", m["input_cached_tokens"] * price_cached),
            ("output", text_out * price_out),
            ("audio input", m["input_audio_tokens"] * audio_in),
            ("audio output", m["output_audio_tokens"] * audio_out),
        ]
        return [(f"{model}, {name}", amount / 1e6) for name, amount in lines if amount]
    if kind == "embeddings":
        return [(f"{model}, input", m["input_tokens"] * prices.token_prices(model)[0] / 1e6)]
    if kind == "decisions":
        price_in, price_cached, price_out = prices.token_prices(model)
        lines = [
            ("input", (m["input_tokens"] - m["input_cached_tokens"]) * price_in),
            ("cached input", m["input_cached_tokens"] * price_cached),
            ("output", m["output_tokens"] * price_out),
        ]
        return [(f"{model}, decisions {name}", amount / 1e6) for name, amount in lines if amount]
    if kind == "images":
        return [(f"{model}, images", m["images"] * prices.image_price(model, dims.get("size")))]
    if kind == "audio_speeches":
        return [(f"{model}, characters", m["characters"] * prices.SPEECH_PER_1M_CHARACTERS.get(model, 0.0) / 1e6)]
    if kind == "audio_transcriptions":
        return [(f"{model}, minutes", m["seconds"] / 60 * prices.TRANSCRIPTION_PER_MINUTE.get(model, 0.0))]
    if kind == "vector_stores":
        return []  # storage deltas are not events: `costs` prices the level per day (`_storage_costs`)
    if kind == "code_interpreter_sessions":
        return [("code interpreter sessions", m["num_sessions"] * prices.CODE_INTERPRETER_PER_SESSION)]
    if kind == "file_search_calls":
        return [("file search tool calls", m["num_requests"] * prices.FILE_SEARCH_PER_1K_CALLS / 1e3)]
    if kind == "web_search_calls":
        return [(f"{model}, web search tool calls", m["num_requests"] * prices.WEB_SEARCH_PER_1K_CALLS / 1e3)]
    if kind == "videos":
        return [(f"{model}, seconds", m["seconds"] * prices.video_price(model, dims.get("size")))]
    return []  # moderations are free


_STORAGE_LINE_ITEM = "vector store storage"


def _storage_cost(level_bytes: int, days: float = 1.0) -> float:
    return level_bytes / 1e9 * prices.VECTOR_STORE_PER_GB_DAY * days


def event_cost(record: dict[str, Any]) -> float:
    """What one usage record costs, in USD (the same line items as `costs`)."""
    return sum(amount for _, amount in _line_items(record))


# What costs group by; a record of a kind without `api_source` counts as `unlabeled` (not the Agents API's).
_COST_GROUPS = ("project_id", "line_item", "api_key_id", "user_id", "api_source")


def _cost_labels(dims: Mapping[str, Any], line_item: str) -> dict[str, Any]:
    return {
        "project_id": dims.get("project_id"),
        "line_item": line_item,
        "api_key_id": dims.get("api_key_id"),
        "user_id": dims.get("user_id"),
        "api_source": dims.get("api_source") or "unlabeled",
    }


def costs(tenant: str, query: UsageQuery) -> dict[str, Any]:
    _check_group_by(query.group_by, _COST_GROUPS)
    check_enum(query.bucket_width, ("1d",), "bucket_width")
    buckets, width, next_start = _buckets(query, COSTS_LIMITS)
    results: dict[int, list[dict[str, Any]]] = {}
    if buckets:
        totals: dict[tuple[int, tuple[Any, ...]], float] = defaultdict(float)
        for record in _records(tenant, set(KINDS), buckets[0], buckets[-1] + width, query):
            bucket = record["minute"] // width * width
            for line_item, amount in _line_items(record):
                labels = _cost_labels(record["dims"], line_item)
                totals[(bucket, tuple(labels[name] for name in query.group_by))] += amount
        for bucket, per_project in _storage_levels(tenant, buckets, width, query).items():
            for project, level in per_project.items():
                labels = _cost_labels({"project_id": project}, _STORAGE_LINE_ITEM)  # storage: no key, no user
                totals[(bucket, tuple(labels[name] for name in query.group_by))] += _storage_cost(level)
        for (bucket, key), amount in sorted(totals.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            labels = dict(zip(query.group_by, key, strict=True))
            results.setdefault(bucket, []).append(
                {
                    "object": "organization.costs.result",
                    "amount": {"value": round(amount, 10), "currency": "usd"},
                    **{name: labels.get(name) for name in _COST_GROUPS},
                }
            )
    return _page(buckets, width, next_start, results)


def spend_by_project(tenant: str, start: int, end: int) -> dict[str, float]:
    """The cost (USD) of the usage recorded in [start, end), per project."""
    totals: dict[str, float] = defaultdict(float)
    for record in _records(tenant, set(KINDS), start, end, UsageQuery(start_time=start)):
        totals[record["dims"].get("project_id") or default_project_id(tenant)] += event_cost(record)
    return dict(totals)


def spend_of_key(tenant: str, api_key_id: str, start: int, end: int) -> float:
    """The cost (USD) of the usage recorded in [start, end) with one API key."""
    query = UsageQuery(start_time=start, filters={"api_key_id": (api_key_id,)})
    return sum(event_cost(record) for record in _records(tenant, set(KINDS), start, end, query))

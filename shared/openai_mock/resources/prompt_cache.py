"""Prompt caching, shared by every function and container (the store): what a chat completion or a response
reads from the cache (`cached_tokens`) and writes to it (`cache_write_tokens`).

- A prompt of 1,024 tokens or more is cacheable; a hit covers the longest prefix written before, in 128-token
  steps (1,024, 1,152, …), or up to an explicit breakpoint's exact position.
- A cache belongs to one tenant, one model and one `prompt_cache_key` (none is a key of its own).
- Breakpoints: `prompt_cache_options.mode` `implicit` (the default) writes one at the prompt's last whole step and
  the latest three explicit ones (`prompt_cache_breakpoint` on content blocks); `explicit` writes the latest four
  explicit ones, and a request without any does not use the cache. A breakpoint covers its prefix's steps.
  Reads consider the latest 80 breakpoints of the cache.
- Lifetime, by the tenant's clock, from each write (a hit writes again, so it refreshes): the longer of the
  breakpoint's minimum (`ttl`: its own, else `prompt_cache_options.ttl`, `30m` by default from gpt-5.6) and the
  retention (`prompt_cache_retention`: `in_memory` 10 minutes, `24h` a day, the default for an organization
  without zero data retention).
- `cache_write_tokens`: the prompt tokens this request newly wrote (past what it read), from gpt-5.6 (whose writes
  are itemized, by lifetime class); earlier models' caching writes for free and report 0.

One stored object per cache (tenant, model, key) holds its breakpoints and the hash of every prefix step they
cover: a request reads it with one store call and writes it with one (behind the answer on DynamoDB). A prompt
under 1,024 tokens never gets here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock import clock
from openai_mock.checks import check_enum
from openai_mock.errors import invalid_request
from openai_mock.generation import prompt_prefix
from openai_mock.generation.prompt_prefix import MIN_CACHED_TOKENS, CacheUse, PromptSequence
from openai_mock.store import ConflictError, get_store, write_behind

COLLECTION = "prompt_cache"
IN_MEMORY_SECONDS = 10 * 60  # the guide's "5 to 10 minutes of inactivity": the mock keeps the longer
RETENTION_SECONDS = {"in_memory": IN_MEMORY_SECONDS, "24h": 24 * 3600}
DEFAULT_RETENTION = "24h"  # an organization without zero data retention
TTL_SECONDS = {"30m": 30 * 60, "12h": 12 * 3600}
BREAKPOINT_TTLS = ("30m", "12h")
MAX_BREAKPOINTS_READ = 80
_EXPLICIT_WRITES = {"implicit": 3, "explicit": 4}  # beside the implicit one, in implicit mode
_GENERATION = re.compile(r"(?:ft:)?gpt-(\d+)(?:\.(\d+))?")


class Lookup(NamedTuple):
    """One request's use of its cache: what it read, and what it writes once admitted."""

    scope: str  # the cache's object id
    hashes: dict[int, str]  # prefix hash by position
    writes: list[tuple[int, int]]  # (position, lifetime in seconds) of the breakpoints it writes
    use: CacheUse


class Settings(NamedTuple):
    """A request's caching parameters."""

    model: str
    key: str | None
    mode: str = "implicit"
    ttl: str | None = None  # `prompt_cache_options.ttl`, when given
    retention: str | None = None


# What a diagnosis compares, in order: the first difference is the reason a prefix was not reused.
_DIVERGENCES = (
    ("model_changed", lambda response: response.get("model")),
    ("prompt_cache_key_changed", lambda response: response.get("prompt_cache_key")),
    ("tools_changed", lambda response: response.get("tools")),
    ("text_format_changed", lambda response: (response.get("text") or {}).get("format")),
    ("reasoning_effort_changed", lambda response: (response.get("reasoning") or {}).get("effort")),
    ("verbosity_changed", lambda response: (response.get("text") or {}).get("verbosity")),
    ("service_tier_changed", lambda response: response.get("service_tier")),
)


def diagnosis(response: Mapping[str, Any], compared: Mapping[str, Any] | None) -> dict[str, Any]:
    """`prompt_cache_diagnostics` of a response against the one `comparison_response_id` names (None: there is no
    such response): `cache_hit` when its prompt read the cache; else `cache_miss` with the first setting that
    differs (a different prefix cache), or `input_changed`, and the input tokens not read from the cache;
    `unavailable` for a prompt too short to cache."""
    if compared is None:
        return {"type": "comparison_response_not_found"}
    usage = response["usage"]
    if usage["input_tokens"] < MIN_CACHED_TOKENS:
        return {"type": "unavailable"}
    cached = usage["input_tokens_details"]["cached_tokens"]
    reason = next((name for name, read in _DIVERGENCES if read(response) != read(compared)), None)
    if reason is None and cached:
        return {"type": "cache_hit"}
    missed = usage["input_tokens"] - cached
    return {"type": "cache_miss", "reason": reason or "input_changed", "cache_missed_tokens": missed}


def _generation(model: str) -> tuple[int, int] | None:
    match = _GENERATION.match(model)
    return None if match is None else (int(match[1]), int(match[2] or 0))


def check_retention(model: str, retention: str | None) -> None:
    """`prompt_cache_retention: in_memory` is refused from gpt-5.5 on: only `24h` is supported there."""
    generation = _generation(model)
    if retention == "in_memory" and generation is not None and generation >= (5, 5):
        raise invalid_request(
            "Unsupported value: 'prompt_cache_retention' does not support 'in_memory' with this model. Supported "
            "values are: '24h'.",
            "prompt_cache_retention",
            "unsupported_value",
        )


def itemizes_writes(model: str) -> bool:
    """gpt-5.6 and later: the models with `prompt_cache_options`, whose cache writes are reported."""
    generation = _generation(model)
    return generation is not None and generation >= (5, 6)


def check_breakpoint(part: Mapping[str, Any], param: str) -> None:
    """A content block's `prompt_cache_breakpoint`: `{mode: "explicit", ttl?: "30m" | "12h"}`."""
    marker = part.get(prompt_prefix.BREAKPOINT_FIELD)
    if marker is None:
        return
    param = f"{param}.{prompt_prefix.BREAKPOINT_FIELD}"
    if not isinstance(marker, Mapping):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(marker).__name__} instead.",
            param,
            "invalid_type",
        )
    check_enum(marker.get("mode"), ("explicit",), f"{param}.mode")
    if marker.get("ttl") is not None:
        check_enum(marker["ttl"], BREAKPOINT_TTLS, f"{param}.ttl")
    unknown = sorted(set(marker) - {"mode", "ttl"})
    if unknown:
        raise invalid_request(
            f"Unknown parameter: '{param}.{unknown[0]}'.", f"{param}.{unknown[0]}", "unknown_parameter"
        )


def check_items_breakpoints(items: Sequence[Mapping[str, Any]], param: str) -> None:
    """The breakpoints of Responses input items (`input[2].content[0].prompt_cache_breakpoint`)."""
    for index, item in enumerate(items):
        if item.get("type") != "message":
            continue
        for part_index, part in enumerate(item.get("content") or []):
            check_breakpoint(part, f"{param}[{index}].content[{part_index}]")


def look_up(tenant: str, request: Mapping[str, Any], prompt_tokens: int, settings: Settings) -> Lookup | None:
    """Read the cache for a chat-shaped request (`generation/chat`'s) of `prompt_tokens` tokens: None for a prompt
    too short to cache (nothing hashed, nothing read) or one that does not use the cache."""
    if prompt_tokens < MIN_CACHED_TOKENS:
        return None
    return look_up_sequence(tenant, prompt_prefix.chat_sequence(request), settings)


def look_up_sequence(tenant: str, sequence: PromptSequence, settings: Settings) -> Lookup | None:
    """Read the cache for a prompt another API lays out as its own token sequence (its length: the prompt's
    tokens), with the same rules as `look_up`."""
    if len(sequence.tokens) < MIN_CACHED_TOKENS:
        return None
    writes = _writes(sequence, settings)
    if not writes and settings.mode == "explicit":
        return None  # explicit mode without a breakpoint: no caching at all
    probes = {
        *prompt_prefix.steps(prompt_prefix.cacheable_end(len(sequence.tokens))),
        *(mark.position for mark in sequence.breakpoints if mark.position >= MIN_CACHED_TOKENS),
    }
    if not probes:
        return None
    hashes = prompt_prefix.prefix_hashes(sequence.tokens, probes)
    scope = _scope_id(settings)
    cached = _longest_hit(get_store().get(tenant, COLLECTION, scope), hashes)
    use = _use(cached, writes) if itemizes_writes(settings.model) else CacheUse(cached)
    return Lookup(scope, hashes, [(position, seconds) for position, seconds, _ in writes], use)


def remember(tenant: str, lookup: Lookup | None) -> None:
    """Write an admitted request's breakpoints (behind the answer on DynamoDB)."""
    if lookup is not None and lookup.writes:
        write_behind.soon(_write, tenant, lookup)


# --------------------------------------------------------------------------------------------- the arithmetic


def _lifetime(ttl: str | None, settings: Settings) -> tuple[int, str]:
    """A breakpoint's lifetime in seconds, and its class as `cache_write_tokens_details` counts it."""
    ttl = ttl or settings.ttl or ("30m" if itemizes_writes(settings.model) else None)
    retention = RETENTION_SECONDS[settings.retention or DEFAULT_RETENTION]
    return max(TTL_SECONDS.get(ttl or "", 0), retention), ttl or "30m"


def _writes(sequence: PromptSequence, settings: Settings) -> list[tuple[int, int, str]]:
    """The breakpoints the request writes: (position, lifetime, lifetime class), by position."""
    explicit = [mark for mark in sequence.breakpoints if mark.position >= MIN_CACHED_TOKENS]
    chosen = [(mark.position, mark.ttl) for mark in explicit[-_EXPLICIT_WRITES[settings.mode] :]]
    if settings.mode == "implicit":
        end = prompt_prefix.cacheable_end(len(sequence.tokens))
        if end:
            chosen.append((end, None))
    return sorted((position, *_lifetime(ttl, settings)) for position, ttl in chosen)


def _use(cached: int, writes: list[tuple[int, int, str]]) -> CacheUse:
    """The tokens written past what was read, by lifetime class."""
    written = {"30m": 0, "12h": 0}
    covered = cached
    for position, _, kind in writes:
        if position > covered:
            written[kind] += position - covered
            covered = position
    return CacheUse(cached, written["30m"] + written["12h"], written["30m"], written["12h"], itemized=True)


def _scope_id(settings: Settings) -> str:
    material = f"{settings.model}\0{settings.key or ''}".encode()
    return "pcache_" + hashlib.blake2b(material, digest_size=12).hexdigest()


def _longest_hit(record: Mapping[str, Any] | None, hashes: Mapping[int, str]) -> int:
    if record is None:
        return 0
    now = clock.now_seconds()
    breakpoints, prefixes = record["breakpoints"], record["prefixes"]
    for position in sorted(hashes, reverse=True):
        written = breakpoints.get(prefixes.get(hashes[position], ""))
        if written is not None and written[1] > now:
            return position
    return 0


# --------------------------------------------------------------------------------------------- the record


def _write(tenant: str, lookup: Lookup) -> None:
    store = get_store()
    if store.update(tenant, COLLECTION, lookup.scope, lambda record: _written(record, lookup)) is not None:
        return
    try:
        store.create(tenant, COLLECTION, _written({"id": lookup.scope, "breakpoints": {}, "prefixes": {}}, lookup))
    except ConflictError:  # another request created it meanwhile
        store.update(tenant, COLLECTION, lookup.scope, lambda record: _written(record, lookup))


def _written(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    """The cache with the request's breakpoints: each (re)written with its lifetime from now, its prefix steps
    pointing at the longest-lived breakpoint that covers them; expired ones and all but the latest 80 dropped."""
    now = clock.now_seconds()
    breakpoints: dict[str, list[int]] = {
        end: kept for end, kept in record["breakpoints"].items() if kept[1] > now
    }  # end hash -> [position, expires at, sequence number]
    prefixes: dict[str, str] = dict(record["prefixes"])
    counter = max((kept[2] for kept in breakpoints.values()), default=0)
    for position, seconds in lookup.writes:
        end, expires = lookup.hashes[position], now + seconds
        counter += 1
        earlier = breakpoints.get(end)
        breakpoints[end] = [position, max(expires, earlier[1] if earlier else 0), counter]
        for step in (*prompt_prefix.steps(position), position):
            holder = breakpoints.get(prefixes.get(lookup.hashes[step], ""))
            if holder is None or holder[1] <= breakpoints[end][1]:
                prefixes[lookup.hashes[step]] = end
    latest = sorted(breakpoints, key=lambda end: breakpoints[end][2])[-MAX_BREAKPOINTS_READ:]
    breakpoints = {end: breakpoints[end] for end in latest}
    prefixes = {prefix: end for prefix, end in prefixes.items() if end in breakpoints}
    return {**record, "breakpoints": breakpoints, "prefixes": prefixes}

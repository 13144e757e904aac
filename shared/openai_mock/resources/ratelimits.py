"""Rate limits of model-serving endpoints, counted for real per tenant and model in one-minute windows
(requests and tokens): the `x-ratelimit-*` headers on every answer, and OpenAI's 429 with `retry-after`
once a quota is spent. Quotas come from settings, or per tenant from the mock controls (`control/quotas.py`,
`/__mock/quotas`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from openai_mock import clock
from openai_mock.control import quotas
from openai_mock.errors import OpenAIError
from openai_mock.resources.organization import spend
from openai_mock.resources.organization.usage import record_traffic, token_usage, tool_call_usage
from openai_mock.store import COUNTERS, get_store, write_behind
from openai_mock.web.access import check_model
from openai_mock.web.auth import Principal
from openai_mock.web.middleware import RATE_LIMIT_STATE_KEY
from openai_mock.web.request_reads import QUOTA_STATE_KEY
from openai_mock.web.request_state import state_of
from openai_mock.web.spend_guard import SPEND_STATE_KEY

REQUESTS_PER_MINUTE = 10_000  # the defaults of settings.requests_per_minute / tokens_per_minute
TOKENS_PER_MINUTE = 30_000_000
_WINDOW_SECONDS = 60

# A window's counters are a shared counter item of the tenant (`store.increment`: one atomic round trip per
# request, every function and container counting together), gone a window after it ends.
_WINDOW_LIFETIME_SECONDS = 2 * _WINDOW_SECONDS


def _format_reset(seconds: float) -> str:
    """OpenAI writes resets as durations: "6ms", "1.2s", "1m0s"."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    return f"{int(seconds // 60)}m{int(seconds % 60)}s"


def _refill(used: int, limit: int, window_left: float) -> bytes:
    """`x-ratelimit-reset-*` as OpenAI means it: the time until the limit is back to full, the quota refilling
    continuously (limit per minute): "6ms" after one request of 10,000 RPM, not the rest of a minute. Never later
    than the end of the window the mock counts in, when its counter really is back to full."""
    if used <= 0 or limit <= 0:
        return b"0s"
    return _format_reset(min(used * _WINDOW_SECONDS / limit, window_left)).encode()


def _exceeded(
    model: str, organization: str, kind: str, limit: int, used: int, requested: int, wait: float
) -> OpenAIError:
    label = "requests per min (RPM)" if kind == "requests" else "tokens per min (TPM)"
    if requested > limit:
        message = (
            f"Request too large for {model} in organization {organization} on {label}: Limit {limit}, "
            f"Requested {requested}. The input or output tokens must be reduced in order to run successfully."
        )
    else:
        message = (
            f"Rate limit reached for {model} in organization {organization} on {label}: Limit {limit}, "
            f"Used {used}, Requested {requested}. Please try again in {_format_reset(wait)}. Visit "
            "https://platform.openai.com/account/rate-limits to learn more."
        )
    waits = {"retry-after": str(max(1, round(wait))), "retry-after-ms": str(max(1, round(wait * 1000)))}
    # The x-ratelimit-* headers come from the request state, like on every answer.
    return OpenAIError(429, message, type=kind, code="rate_limit_exceeded", headers=waits)


def record_usage(
    request: Request, tenant: str, model: str, tokens: int, kind: str | None = None, /, **usage: Any
) -> None:
    """Count one request of `tokens` tokens and put the resulting headers on the response; past a quota,
    raise OpenAI's 429 instead (the request is not counted, and nothing of it must be stored).
    With `kind`, an admitted request is also the organization's usage (`organization.usage.record_traffic`:
    `usage` are that kind's counters and dimensions, `model=` to bill another name than `model`)."""
    check_model(request, model)  # a project key's model permissions, for bodies json_body did not read (forms)
    account(state_of(request.scope), tenant, model, tokens, kind, **usage)


def account(
    state: dict[str, Any], tenant: str, model: str, tokens: int, kind: str | None = None, /, **usage: Any
) -> None:
    """`record_usage` on a request's state (its `principal`; the `x-ratelimit-*` headers are written there):
    for what is no HTTP request, a Realtime session's response."""
    # A model request's quota was read with its first reads (web/request_reads); a Realtime response reads its own.
    limits = quotas.of(state[QUOTA_STATE_KEY]) if QUOTA_STATE_KEY in state else quotas.quota(tenant)
    rpm, tpm = limits["requests_per_minute"], limits["tokens_per_minute"]
    now = clock.now()
    window = int(now // _WINDOW_SECONDS) * _WINDOW_SECONDS
    counted = get_store().increment(
        tenant,
        COUNTERS,
        f"ratelimit#{model}#{window}",
        {"requests": 1, "tokens": tokens},
        limits={"requests": rpm, "tokens": tpm},
        expires_in=_WINDOW_LIFETIME_SECONDS,
    )
    used_requests, used_tokens = counted.values["requests"], counted.values["tokens"]
    over = None
    if not counted.admitted:
        over = "requests" if used_requests + 1 > rpm else "tokens"
    wait = window + _WINDOW_SECONDS - now
    headers = [
        (b"x-ratelimit-limit-requests", b"%d" % rpm),
        (b"x-ratelimit-limit-tokens", b"%d" % tpm),
        (b"x-ratelimit-remaining-requests", b"%d" % max(0, rpm - used_requests)),
        (b"x-ratelimit-remaining-tokens", b"%d" % max(0, tpm - used_tokens)),
        (b"x-ratelimit-reset-requests", _refill(used_requests, rpm, wait)),
        (b"x-ratelimit-reset-tokens", _refill(used_tokens, tpm, wait)),
    ]
    state[RATE_LIMIT_STATE_KEY] = headers
    if over is not None:
        principal = state.get("principal")
        organization = principal.organization_id if principal is not None else "org-mock"
        used, requested = (used_requests, 1) if over == "requests" else (used_tokens, tokens)
        raise _exceeded(model, organization, over, rpm if over == "requests" else tpm, used, requested, wait)
    if kind is not None:  # the organization's usage and spend: behind the answer on DynamoDB (store/write_behind.py)
        principal, spend_state = state.get("principal"), state.get(SPEND_STATE_KEY, spend.MISSING)
        write_behind.soon(_record_traffic, tenant, principal, kind, {"model": model, **usage}, spend_state)


def _record_traffic(
    tenant: str, principal: Principal | None, kind: str, fields: dict[str, Any], spend_state: Any
) -> None:
    spend.track(tenant, record_traffic(principal, kind, **fields), spend_state)


def record_token_usage(request: Request, tenant: str, requested_model: str, answer: dict[str, Any]) -> None:
    """Account for a chat completion, completion or response: its `usage` counts against the quota of the
    model asked for, and is the organization's completions usage of the model that answered."""
    usage = answer["usage"]
    state = state_of(request.scope)
    principal = state.get("principal")
    record_usage(
        request,
        tenant,
        requested_model,
        usage["total_tokens"],
        "completions",
        model=answer["model"],
        service_tier=answer.get("service_tier"),
        batch=bool(answer.get("_batch_priced")),  # a background response in a 2h/8h window: the Batch price
        **token_usage(usage),
    )
    spend_state = state.get(SPEND_STATE_KEY, spend.MISSING)
    for recorded in tool_call_usage(principal, answer):  # hosted tools a response called: billed per call
        spend.track(tenant, recorded, spend_state)


def count_while_keeping(
    request: Request,
    tenant: str,
    requested_model: str,
    answer: dict[str, Any],
    keep: Callable[[], object],
    take_back: Callable[[], object],
) -> None:
    """`record_token_usage`, and `keep` (the answer's first write to the store). On DynamoDB the two are one round
    trip (`write_behind.together`), and a refused count (the 429) takes back what was kept: a refused request
    leaves nothing, as when the count came first (elsewhere, where a call is in-process)."""
    if not write_behind.running():
        record_token_usage(request, tenant, requested_model, answer)
        keep()
        return
    count: Callable[[], object] = functools.partial(record_token_usage, request, tenant, requested_model, answer)
    try:
        write_behind.together([count, keep])
    except Exception:
        take_back()
        raise


def reset(tenant: str | None = None) -> None:
    """Forget the shared counters of one tenant (rate-limit windows, deployment fixtures' counts): one query of
    the tenant's counter partition, in every process at once. Without a tenant, nothing: the counters live in
    the store, which tests replace with `store.reset_stores()`."""
    if tenant is not None:
        get_store().delete_collection(tenant, COUNTERS)

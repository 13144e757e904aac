"""`x-ratelimit-*` headers for model-serving endpoints, counted for real per tenant and model in
one-minute windows (requests and tokens), the way OpenAI reports them."""

from __future__ import annotations

import threading
from collections import defaultdict

from starlette.requests import Request

from openai_mock import clock
from openai_mock.middleware import RATE_LIMIT_STATE_KEY

REQUESTS_PER_MINUTE = 10_000
TOKENS_PER_MINUTE = 30_000_000
_WINDOW_SECONDS = 60

_lock = threading.Lock()
# (tenant, model, window start) → [requests, tokens]
_usage: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])


def _format_reset(seconds: float) -> str:
    """OpenAI writes resets as durations: "6ms", "1.2s", "1m0s"."""
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    return f"{int(seconds // 60)}m{int(seconds % 60)}s"


def record_usage(request: Request, tenant: str, model: str, tokens: int) -> None:
    """Count one request of `tokens` tokens and put the resulting headers on the response."""
    now = clock.now()
    window = int(now // _WINDOW_SECONDS) * _WINDOW_SECONDS
    with _lock:
        for key in [key for key in _usage if key[2] < window]:
            del _usage[key]  # windows that have ended
        counters = _usage[(tenant, model, window)]
        counters[0] += 1
        counters[1] += tokens
        used_requests, used_tokens = counters
    reset = _format_reset(window + _WINDOW_SECONDS - now)
    setattr(
        request.state,
        RATE_LIMIT_STATE_KEY,
        {
            "x-ratelimit-limit-requests": REQUESTS_PER_MINUTE,
            "x-ratelimit-limit-tokens": TOKENS_PER_MINUTE,
            "x-ratelimit-remaining-requests": max(0, REQUESTS_PER_MINUTE - used_requests),
            "x-ratelimit-remaining-tokens": max(0, TOKENS_PER_MINUTE - used_tokens),
            "x-ratelimit-reset-requests": reset,
            "x-ratelimit-reset-tokens": reset,
        },
    )


def reset() -> None:
    with _lock:
        _usage.clear()

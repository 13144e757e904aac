"""Injected faults: each kind answered with the status, body and headers the real API sends for it."""

from __future__ import annotations

import math

from openai_mock.errors import OpenAIError

STREAM_CUT = "stream_cut"  # not an error: the stream ends early (see runtime.py)
KINDS = (
    "rate_limit_exceeded",
    "insufficient_quota",
    "server_error",
    "overloaded",
    "context_length_exceeded",
    STREAM_CUT,
)
# What a 429 asks the client to wait; small, so an SDK's own retry is quick in tests.
RETRY_AFTER_SECONDS = 1


def rate_limited(message: str, headers: dict[str, str], retry_after: float) -> OpenAIError:
    """OpenAI's 429 for a rate limit: `retry-after` (seconds) and `retry-after-ms`, plus the x-ratelimit-* state."""
    # Whole seconds, rounded up: `retry-after: 0` would tell a client to retry at once (0.5 s waits 1 s).
    waits = {
        "retry-after": str(max(1, math.ceil(retry_after))),
        "retry-after-ms": str(max(0, round(retry_after * 1000))),
    }
    return OpenAIError(429, message, type="requests", code="rate_limit_exceeded", headers={**headers, **waits})


def fault_error(
    kind: str, *, model: str = "gpt-4o-mini", organization: str = "org-mock", retry_after: float = RETRY_AFTER_SECONDS
) -> OpenAIError:
    """The error a fault kind stands for; a number is a bare status with the usual body for it."""
    if kind == "rate_limit_exceeded":
        return rate_limited(
            f"Rate limit reached for {model} in organization {organization} on requests per min (RPM): Limit 3, "
            f"Used 3, Requested 1. Please try again in {retry_after:g}s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            {
                "x-ratelimit-limit-requests": "3",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{retry_after:g}s",
            },
            retry_after,
        )
    if kind == "insufficient_quota":
        return OpenAIError(
            429,
            "You exceeded your current quota, please check your plan and billing details. For "
            "more information on this error, read the docs: "
            "https://platform.openai.com/docs/guides/error-codes/api-errors.",
            type="insufficient_quota",
            code="insufficient_quota",
        )
    if kind == "server_error":
        return OpenAIError(
            500, "The server had an error while processing your request. Sorry about that!", type="server_error"
        )
    if kind == "overloaded":
        return OpenAIError(
            503, "The engine is currently overloaded, please try again later.", type="server_error", code="overloaded"
        )
    if kind == "context_length_exceeded":
        return OpenAIError(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 130000 tokens. Please reduce the length of the messages.",
            param="messages",
            code="context_length_exceeded",
        )
    if kind.isdigit() and 400 <= int(kind) <= 599:
        return status_error(int(kind))
    raise ValueError(f"unknown fault {kind!r}: expected one of {', '.join(KINDS)} or an HTTP status (400-599)")


_STATUS_ERRORS = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: (
        "invalid_request_error",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported.",
    ),
    404: ("invalid_request_error", None, "The requested resource was not found."),
    409: ("invalid_request_error", None, "The request conflicts with another request in progress."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", "bad_gateway", "Bad gateway."),
    503: ("server_error", "overloaded", "The engine is currently overloaded, please try again later."),
    504: ("server_error", "timeout", "The server timed out while processing your request."),
}


def status_error(status: int) -> OpenAIError:
    kind, code, message = _STATUS_ERRORS.get(
        status,
        ("server_error" if status >= 500 else "invalid_request_error", None, f"The mock was asked to answer {status}."),
    )
    headers = {"retry-after": str(RETRY_AFTER_SECONDS)} if status == 429 else None
    return OpenAIError(status, message, type=kind, code=code, headers=headers)

"""Rate-limit accounting: the x-ratelimit-* headers and the counting windows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.resources import ratelimits
from openai_mock.store import get_store
from openai_mock.web.app_factory import create_app


def test_rate_limit_headers_count_requests_and_tokens() -> None:
    ratelimits.reset()
    clock.freeze(1_800_000_010.0)
    router = APIRouter()

    @router.post("/v1/serve")
    async def serve(request: Request) -> dict:
        ratelimits.record_usage(request, "t_x", "gpt-4o", 1000)
        return {}

    http = TestClient(create_app(router))
    headers = {"Authorization": "Bearer sk-test"}
    http.post("/v1/serve", headers=headers)
    second = http.post("/v1/serve", headers=headers).headers
    assert second["x-ratelimit-limit-requests"] == str(ratelimits.REQUESTS_PER_MINUTE)
    assert second["x-ratelimit-remaining-requests"] == str(ratelimits.REQUESTS_PER_MINUTE - 2)
    assert second["x-ratelimit-remaining-tokens"] == str(ratelimits.TOKENS_PER_MINUTE - 2000)
    # The time until the quota has refilled what was used (continuous refill), not the rest of the minute.
    rpm, tpm = ratelimits.REQUESTS_PER_MINUTE, ratelimits.TOKENS_PER_MINUTE
    assert second["x-ratelimit-reset-requests"] == ratelimits._format_reset(2 * 60 / rpm)
    assert second["x-ratelimit-reset-tokens"] == ratelimits._format_reset(2000 * 60 / tpm)
    clock.advance(60)  # a new window
    third = http.post("/v1/serve", headers=headers).headers
    assert third["x-ratelimit-remaining-requests"] == str(ratelimits.REQUESTS_PER_MINUTE - 1)


def test_rate_limit_counters_of_ended_windows_are_dropped() -> None:
    """Counters live a window past their minute: a busy deployment's many tenants and models do not pile up
    (DynamoDB's TTL removes them there; the memory store sweeps them)."""
    ratelimits.reset()
    clock.freeze(1_800_000_010.0)
    router = APIRouter()

    @router.post("/v1/serve/{tenant}")
    async def serve(tenant: str, request: Request) -> dict:
        ratelimits.record_usage(request, tenant, "gpt-4o", 10)
        return {}

    http = TestClient(create_app(router))
    for tenant in ("t_a", "t_b", "t_c"):
        http.post(f"/v1/serve/{tenant}", headers={"Authorization": "Bearer sk-test"})
    counters = get_store()._counters  # type: ignore[attr-defined]
    assert sorted(tenant for tenant, _ in counters) == ["t_a", "t_b", "t_c"]
    clock.advance(121)
    http.post("/v1/serve/t_a", headers={"Authorization": "Bearer sk-test"})
    assert [(tenant, len(items)) for (tenant, _), items in counters.items()] == [("t_a", 1)]

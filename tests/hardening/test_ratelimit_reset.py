"""`x-ratelimit-reset-*` is the time until the quota has refilled what was used (issue #23, class 5): "6ms" after one
request at 10,000 RPM, as OpenAI reports it, not a countdown to the end of a fixed minute."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits

USER = {"Authorization": "Bearer sk-ratelimit-reset"}


def test_one_request_refills_in_six_milliseconds(mock_app: TemplateRouter) -> None:
    raw = TestClient(mock_app)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    headers = raw.post("/v1/chat/completions", headers=USER, json=body).headers
    assert headers["x-ratelimit-limit-requests"] == "10000"
    assert headers["x-ratelimit-reset-requests"] == "6ms"
    tokens = int(headers["x-ratelimit-limit-tokens"]) - int(headers["x-ratelimit-remaining-tokens"])
    assert headers["x-ratelimit-reset-tokens"] == ratelimits._format_reset(tokens * 60 / 30_000_000)


@settings(deadline=None)  # pure arithmetic, but a loaded host must not make it flaky
@given(
    used=st.integers(0, 10**7),
    limit=st.integers(1, 10**7),
    window_left=st.floats(0.001, 60),
)
def test_the_reset_is_the_refill_time_never_past_the_window(used: int, limit: int, window_left: float) -> None:
    shown = ratelimits._refill(used, limit, window_left).decode()
    if used == 0:
        assert shown == "0s"
        return
    expected = min(used * 60 / limit, window_left)
    assert shown == ratelimits._format_reset(expected)

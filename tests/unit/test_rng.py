"""Seeded randomness: same request + seed → same draws."""

from __future__ import annotations

import pytest

from openai_mock.rng import seeded_rng
from openai_mock.settings import reset_settings


def test_seeded_rng_is_deterministic_per_request_and_seed() -> None:
    request = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    draws = lambda rng: [rng.random() for _ in range(3)]  # noqa: E731
    assert draws(seeded_rng(request)) == draws(seeded_rng(dict(request)))
    assert draws(seeded_rng(request, 1)) != draws(seeded_rng(request, 2))
    assert draws(seeded_rng(request)) != draws(seeded_rng({**request, "model": "gpt-4o-mini"}))


def test_request_seed_prefers_the_header(monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_mock.rng import request_rng, request_seed

    monkeypatch.setenv("OPENAI_MOCK_SEED", "5")
    reset_settings()
    assert request_seed({"x-mock-seed": "abc"}) == "abc"
    assert request_seed({}) == 5
    body = {"input": "x"}
    assert request_rng(body, {"x-mock-seed": "1"}).random() == request_rng(body, {"x-mock-seed": "1"}).random()
    assert request_rng(body, {"x-mock-seed": "1"}).random() != request_rng(body, {}).random()

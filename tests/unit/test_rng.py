"""Seeded randomness: same request + seed → same draws."""

from __future__ import annotations

import _random
import copy
import pickle
import random

import pytest

from openai_mock.rng import SeededOnFirstDraw, seeded_rng
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


@pytest.mark.parametrize("seed", [0, 5, 2**127 + 3])
def test_a_request_rng_draws_what_random_random_draws(seed: int) -> None:
    def draws(rng: random.Random) -> list[object]:
        # randrange and choice hold `getrandbits` as a local while they loop: the first draw must seed only once
        return [
            rng.random(), rng.getrandbits(70), rng.randrange(10**6), [rng.randrange(3) for _ in range(40)],
            rng.choice("abcdef"), rng.gauss(0, 1), rng.sample(range(100), 5), rng.randbytes(9), rng.uniform(1, 2),
        ]  # fmt: skip

    assert draws(SeededOnFirstDraw(seed)) == draws(random.Random(seed))
    assert SeededOnFirstDraw(seed).getstate() == random.Random(seed).getstate()
    held, expected = SeededOnFirstDraw(seed).getrandbits, random.Random(seed)  # held before the first draw
    assert [held(8) for _ in range(4)] == [expected.getrandbits(8) for _ in range(4)]
    for copied in (copy.copy(SeededOnFirstDraw(seed)), pickle.loads(pickle.dumps(SeededOnFirstDraw(seed)))):
        assert copied.random() == random.Random(seed).random()
    reseeded = SeededOnFirstDraw(seed)
    reseeded.seed(7)
    assert reseeded.random() == random.Random(7).random()


def test_a_request_rng_is_not_seeded_until_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    seedings: list[object] = []
    real_seed = _random.Random.seed

    def counted_seed(rng: _random.Random, value: object) -> None:
        seedings.append(value)
        real_seed(rng, value)

    monkeypatch.setattr(_random.Random, "seed", counted_seed)
    rng = seeded_rng({"model": "gpt-4o", "messages": []})
    assert seedings == []  # an answer that draws nothing never pays for seeding
    first = rng.random()
    assert len(seedings) == 1
    rng.random()
    assert len(seedings) == 1
    assert first == random.Random(seedings[0]).random()  # type: ignore[arg-type]

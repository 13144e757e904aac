"""Seeded randomness: the same request with the same seed always yields the same response."""

from __future__ import annotations

import _random
import hashlib
import json
import random
from collections.abc import Mapping
from typing import Any

# What `json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)` makes, without building the
# encoder again for every request.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def seeded_rng(material: object, seed: int | str | None = None) -> random.Random:
    """A Random seeded by the seed (request header or deployment setting) mixed with the request.

    Mixing the request in keeps different prompts different under one deployment-wide seed; without
    any seed the request alone decides, so identical requests still get identical answers."""
    canonical = _CANONICAL.encode(material)
    digest = hashlib.sha256(f"{seed if seed is not None else ''}|{canonical}".encode()).digest()
    return SeededOnFirstDraw(int.from_bytes(digest[:16], "big"))


class SeededOnFirstDraw(random.Random):
    """`random.Random(seed)`, seeded when it is first drawn from: seeding the Mersenne Twister costs more than
    the rest of the request's randomness (~4 µs), and many answers draw nothing (a fixture's, a fact's). The same
    draws as `random.Random(seed)`. Every draw goes through `random()` or `getrandbits()`; the first seeds and
    makes the object a plain Random (`_Seeded`), so later draws cost what they always did."""

    def __init__(self, seed: int | None = None) -> None:  # no `super().__init__`: it would seed now
        self._pending_seed = seed
        self.gauss_next = None

    def random(self) -> float:
        _seed_now(self)
        return _random.Random.random(self)

    def getrandbits(self, k: int, /) -> int:
        _seed_now(self)
        return _random.Random.getrandbits(self, k)

    def getstate(self) -> tuple[Any, ...]:
        _seed_now(self)
        return random.Random.getstate(self)

    def seed(self, a: Any = None, version: int = 2) -> None:
        _make_plain(self)
        random.Random.seed(self, a, version)

    def setstate(self, state: tuple[Any, ...]) -> None:
        _make_plain(self)
        random.Random.setstate(self, state)


class _Seeded(random.Random):
    """A `SeededOnFirstDraw` once seeded: a plain Random."""


def _seed_now(rng: SeededOnFirstDraw) -> None:
    if rng.__class__ is SeededOnFirstDraw:  # a caller may hold a method of the class it was: seeded once only
        _random.Random.seed(rng, rng._pending_seed)  # what Random.seed does for an int, minus its checks
        _make_plain(rng)


def _make_plain(rng: random.Random) -> None:
    rng.__class__ = _Seeded


SEED_HEADER = "x-mock-seed"


def request_seed(headers: Mapping[str, str]) -> str | int | None:
    """The seed for one request: the `x-mock-seed` header, else the deployment's seed, else None
    (the request content alone then decides)."""
    from openai_mock.settings import get_settings

    header = headers.get(SEED_HEADER)
    return header if header else get_settings().seed


def request_rng(material: object, headers: Mapping[str, str]) -> random.Random:
    """`seeded_rng` with the seed this request asks for: what builders receive from routes."""
    return seeded_rng(material, request_seed(headers))

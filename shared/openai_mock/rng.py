"""Seeded randomness: the same request with the same seed always yields the same response."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping

# What `json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)` makes, without building the
# encoder again for every request.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def seeded_rng(material: object, seed: int | str | None = None) -> random.Random:
    """A Random seeded by the seed (request header or deployment setting) mixed with the request.

    Mixing the request in keeps different prompts different under one deployment-wide seed; without
    any seed the request alone decides, so identical requests still get identical answers."""
    canonical = _CANONICAL.encode(material)
    digest = hashlib.sha256(f"{seed if seed is not None else ''}|{canonical}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


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

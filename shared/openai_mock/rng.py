"""Seeded randomness: the same request with the same seed always yields the same response."""

from __future__ import annotations

import hashlib
import json
import random


def seeded_rng(material: object, seed: int | str | None = None) -> random.Random:
    """A Random seeded by the seed (request header or deployment setting) mixed with the request.

    Mixing the request in keeps different prompts different under one deployment-wide seed; without
    any seed the request alone decides, so identical requests still get identical answers."""
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(f"{seed if seed is not None else ''}|{canonical}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))

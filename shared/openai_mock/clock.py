"""The one clock. Everything that needs 'now' asks here, so tests can pin or advance time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_frozen_at: float | None = None
_offset: float = 0.0


def now() -> float:
    """Seconds since the epoch, as a float."""
    if _frozen_at is not None:
        return _frozen_at
    return time.time() + _offset


def now_seconds() -> int:
    """Epoch seconds, the unit of every `created_at` in the OpenAI API."""
    return int(now())


def advance(seconds: float) -> None:
    """Move time forward (asynchronous objects progress as time passes)."""
    global _frozen_at, _offset
    if _frozen_at is not None:
        _frozen_at += seconds
    else:
        _offset += seconds


def freeze(at: float | None = None) -> None:
    global _frozen_at
    _frozen_at = time.time() + _offset if at is None else at


def reset() -> None:
    global _frozen_at, _offset
    _frozen_at, _offset = None, 0.0


@contextmanager
def frozen(at: float | None = None) -> Iterator[None]:
    freeze(at)
    try:
        yield
    finally:
        reset()

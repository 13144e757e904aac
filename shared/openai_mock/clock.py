"""The one clock. Everything that needs 'now' asks here, so tests can pin or advance time.

Two offsets add up: the process's (`advance`/`freeze`, tests and the pytest helper) and the tenant's, for the
request in flight (`POST /__mock/clock`, kept in the store so every function and container agrees). The
middleware hands the clock a loader of the tenant's offset (`use_tenant_offset`); it is called the first time
the request asks for the time, once, so a request that never looks at the clock never reads the store.
The store itself keeps its expiry on the process clock (`process_now`): a tenant's time travel must not make
its objects vanish, and reading the offset must not need the offset."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_frozen_at: float | None = None
_offset: float = 0.0


class _TenantOffset:
    """The tenant's offset for one request: loaded on first use, then remembered for the request."""

    __slots__ = ("_load", "_value")

    def __init__(self, load: Callable[[], float]) -> None:
        self._load: Callable[[], float] | None = load
        self._value = 0.0

    def get(self) -> float:
        load = self._load
        if load is not None:
            self._load = None  # before loading: a loader that asks the time gets 0, not a recursion
            self._value = load()
        return self._value


_tenant: contextvars.ContextVar[_TenantOffset | None] = contextvars.ContextVar("mock_tenant_clock", default=None)


def use_tenant_offset(load: Callable[[], float]) -> None:
    """For the rest of this request (context), `now()` adds the tenant offset `load()` returns, asked once."""
    _tenant.set(_TenantOffset(load))


def tenant_offset() -> float:
    """The offset of the tenant of the request in flight (0 outside a request)."""
    offset = _tenant.get()
    return offset.get() if offset is not None else 0.0


def process_now() -> float:
    """The process's time, without the tenant's offset (the store's expiry, real-time bookkeeping)."""
    if _frozen_at is not None:
        return _frozen_at
    return time.time() + _offset


def wall_now() -> float:
    """The real time, whatever the mock's clocks say: for what another party checks against its own clock (a
    webhook's `webhook-timestamp`, which receivers refuse when it is minutes off their time)."""
    return time.time()


def now() -> float:
    """Seconds since the epoch, as a float: the tenant's time when a request is in flight."""
    return process_now() + tenant_offset()


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

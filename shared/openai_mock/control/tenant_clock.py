"""Time travel per tenant (`GET`/`POST /__mock/clock`): the tenant's clock offset, kept in the store so every
function and every container of a deployment agrees on the tenant's time.

The middleware hands `clock` a loader (`offset`), called at most once per request and only if the request asks
for the time; a request the controls see (all but `/__mock`) reads it up front, with its other first reads
(`web/request_reads.py`). A tenant that never moved its clock has no stored offset: the read finds nothing.
Another tenant's offset is never read, let alone moved."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from openai_mock import clock
from openai_mock.errors import invalid_request
from openai_mock.store import ConflictError, get_store

COLLECTION = "mock.clock"
_ID = "clock"
KEY = (COLLECTION, _ID)  # the stored offset's (collection, id), for a batched read


def offset(tenant: str) -> float:
    """The tenant's stored offset in seconds (0 when it never moved its clock)."""
    return offset_of(get_store().get(tenant, COLLECTION, _ID))


def offset_of(stored: dict[str, Any] | None) -> float:
    """The offset a stored clock object holds (None: the tenant never moved its clock)."""
    return float(stored["offset_seconds"]) if stored else 0.0


def view(tenant: str) -> dict[str, Any]:
    """`GET /__mock/clock`: the tenant's now (epoch seconds, as every `created_at`) and its offset."""
    moved = offset(tenant)
    return _shown(moved)


def _shown(moved: float) -> dict[str, Any]:
    return {
        "object": "mock.clock",
        "now": int(clock.process_now() + moved),
        "offset_seconds": int(moved) if moved == int(moved) else moved,
    }


def move(tenant: str, advance_seconds: float | None, offset_seconds: float | None) -> dict[str, Any]:
    """`POST /__mock/clock` with `{"advance_seconds": N}` (forward by N) or `{"offset_seconds": N}` (real time
    + N; 0 goes back to real time). Concurrent advances all count: the offset is updated in place (optimistic
    concurrency), never read and written back blindly. The route's model refuses negative numbers."""
    if (advance_seconds is None) == (offset_seconds is None):
        raise invalid_request(
            "Exactly one of 'advance_seconds' or 'offset_seconds' must be given.",
            "advance_seconds",
            "missing_required_parameter" if advance_seconds is None else "invalid_value",
        )
    if offset_seconds is not None:
        wanted = offset_seconds
        return _shown(_store(tenant, lambda _current: wanted))
    step = advance_seconds or 0.0
    return _shown(_store(tenant, lambda current: current + step))


def _store(tenant: str, change: Callable[[float], float]) -> float:
    store = get_store()
    while True:
        updated = store.update(
            tenant, COLLECTION, _ID, lambda stored: {**stored, "offset_seconds": change(stored["offset_seconds"])}
        )
        if updated is not None:
            return float(updated["offset_seconds"])
        with contextlib.suppress(ConflictError):  # the first move: another request may be creating it too
            created = store.create(
                tenant, COLLECTION, {"id": _ID, "object": "mock.clock", "offset_seconds": change(0.0)}
            )
            return float(created["offset_seconds"])

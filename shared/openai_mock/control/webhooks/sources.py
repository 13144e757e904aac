"""What a resource registers at import so its objects can be watched: a source's resolver and the outcomes it
answers. Kept apart from the delivery machinery (delivery.py), which a function imports only when it first
watches an object or delivers (bench/README.md, cold starts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


class Finished(NamedTuple):
    """The object reached a terminal state: this event, created at `at` (the tenant's clock)."""

    event_type: str
    at: float


class NotYet(NamedTuple):
    """The object is not finished: look again at `due`."""

    due: float


Outcome = Finished | NotYet | None  # None: nothing to send (the object is gone)
Resolver = Callable[[str, str], Outcome]  # (tenant, object id) → outcome, in the tenant's time
SOURCES: dict[str, Resolver] = {}


def register_source(name: str, resolve: Resolver) -> Resolver:
    """Objects of `name` ("batch") are watched: when one is due, `resolve(tenant, object_id)` says what happened."""
    SOURCES[name] = resolve
    return resolve

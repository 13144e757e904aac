"""A process's copies of a tenant's small collections that requests read all the time and few change (its fixtures,
its fine-tuned models, its webhook endpoints), kept while the collection's stamp stands.

Every change of such a collection (`Copies.changed`, called after the change is written) gives it a new random
stamp, an object of the tenant beside it. A process keeps its copy of each tenant's collection with the stamp it
listed it under, and lists it again only when the stamp it reads differs, or its copy is older than
`_KEPT_SECONDS` (an object past the deployment's TTL leaves the store without a change). A tenant whose collection
has no stamp (none changed it since a reset, which deletes the stamp with the rest, or an earlier version wrote it)
is kept only when the collection is empty. The stamps are read with the request's other first reads, in one batch
(`web/request_reads.py` asks `stamp_keys()` and hands what it read to `use_stamps`); without them (a Realtime
session, a background job) `items` reads the stamp itself. So on AWS a request lists none of these collections,
where it made a Query of each. On the memory store (one process) a collection is listed directly: a listing is a
lookup there, cheaper than a copy's checks."""

from __future__ import annotations

import contextvars
import secrets
import threading
from collections.abc import Sequence

from openai_mock import clock
from openai_mock.settings import get_settings
from openai_mock.store import ConflictError, get_store
from openai_mock.store.base import Object

_KEPT_SECONDS = 30.0
# What a process keeps (a Lambda container serves every tenant): the copies of at most 128 tenants per collection,
# the one listed longest ago going first, of at most 100 objects each (a longer collection is listed every time).
_TENANTS = 128
_OBJECTS = 100
_STAMP_ID = "stamp"

# The stamps the request in flight read with its first reads: (tenant, {collection: stamp or None}).
_request_stamps: contextvars.ContextVar[tuple[str, dict[str, str | None]] | None] = contextvars.ContextVar(
    "mock_request_stamps", default=None
)


class Copies:
    """The copies of one collection, by tenant."""

    def __init__(self, collection: str) -> None:
        self.collection = collection
        self.stamp_key = (f"{collection}.stamp", _STAMP_ID)  # the stamp's (collection, id)
        self._kept: dict[str, tuple[str | None, float, list[Object]]] = {}  # tenant → (stamp, listed at, copy)
        self._lock = threading.Lock()
        _registered[collection] = self

    def changed(self, tenant: str) -> None:
        """Give the tenant's collection a new stamp, after a change (written before: a process that reads the new
        stamp lists the change)."""
        stamp = secrets.token_hex(8)
        store = get_store()
        stamp_collection, stamp_id = self.stamp_key
        while store.update(tenant, stamp_collection, stamp_id, lambda stored: {**stored, "stamp": stamp}) is None:
            try:
                store.create(tenant, stamp_collection, {"id": stamp_id, "stamp": stamp})
                return
            except ConflictError:  # another request stamped it first: stamp it again
                continue

    def items(self, tenant: str) -> list[Object]:
        """The tenant's collection, oldest first: this process's copy while it stands, else listed now. The copy
        is shared: callers must not change it."""
        if _in_process():
            return self._listed(tenant)
        stamp = self._stamp(tenant)
        now = clock.process_now()
        kept = self._kept.get(tenant)  # (no lock to read: a copy is replaced whole, never changed)
        if kept is not None and kept[0] == stamp and now - kept[1] < _KEPT_SECONDS:
            return kept[2]
        found = self._listed(tenant)
        if len(found) <= _OBJECTS and (stamp is not None or not found):
            with self._lock:
                self._kept.pop(tenant, None)
                self._kept[tenant] = (stamp, now, found)
                while len(self._kept) > _TENANTS:  # the copy listed longest ago goes first
                    del self._kept[next(iter(self._kept))]
        return found

    def forget(self) -> None:
        with self._lock:
            self._kept.clear()

    def _stamp(self, tenant: str) -> str | None:
        read = _request_stamps.get()
        if read is not None and read[0] == tenant and self.collection in read[1]:
            return read[1][self.collection]
        return _stamp_of(get_store().get(tenant, *self.stamp_key))

    def _listed(self, tenant: str) -> list[Object]:
        store, found, after = get_store(), [], None
        while True:
            page = store.list(tenant, self.collection, limit=100, order="asc", after=after)
            found += page.items
            if not page.has_more or not page.items:
                return found
            after = page.items[-1]["id"]


_registered: dict[str, Copies] = {}  # the collections this process keeps copies of (their modules are imported)


def stamp_keys() -> list[tuple[str, str]]:
    """The stamps a request reads with its first reads: those of the collections this process keeps."""
    return [] if _in_process() else [copies.stamp_key for copies in _registered.values()]


def use_stamps(tenant: str, stored: Sequence[Object | None]) -> None:
    """For the rest of the request: the stamps read at `stamp_keys()` (in that order), for the tenant's copies."""
    if not stored:
        return
    _request_stamps.set((tenant, {name: _stamp_of(read) for name, read in zip(_registered, stored, strict=True)}))


def forget_all() -> None:
    """Drop every copy (tests)."""
    for copies in _registered.values():
        copies.forget()


def _in_process() -> bool:
    """The memory store: one process, whose listing is a lookup; a copy would save nothing and cost more."""
    return get_settings().store == "memory"


def _stamp_of(stored: Object | None) -> str | None:
    return stored["stamp"] if stored else None

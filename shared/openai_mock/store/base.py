"""What every store backend offers. Objects are JSON dicts with an `id`; each lives in a collection
(an object family, optionally under a parent: "thread.message/thread_abc") of one tenant."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from openai_mock.pagination import Order, Page

Object = dict[str, Any]
# A change receives a private copy of the stored object and returns its new version. It may raise
# (an OpenAIError, say) to abort: nothing is written then.
Change = Callable[[Object], Object]
Predicate = Callable[[Object], bool]
CounterItems = list[tuple[str, dict[str, int]]]  # (key, counters) of counter items, in key order


# The collection of a tenant's shared counters (rate-limit windows, deployment fixtures' counts): one partition
# per tenant, so a reset clears them with one query (`delete_collection`), never a scan across tenants.
COUNTERS = "mock.counter"


class Counted(NamedTuple):
    """What `increment` did: `admitted` (False: a limit would have been passed, nothing was added) and the
    counters' values (after the increment, or as they stand when refused)."""

    admitted: bool
    values: dict[str, int]


class ConflictError(Exception):
    """An object with this id already exists (create) or changed under us too often (update)."""


class ObjectStore(Protocol):
    def create(self, tenant: str, collection: str, obj: Object) -> Object:
        """Store a new object; raises ConflictError if its id is taken."""

    def create_many(self, tenant: str, collection: str, objects: Sequence[Object]) -> None:
        """Store new objects of one collection at once (an eval run's output items, a project's rate limits): all of
        them, or none when an id is taken (ConflictError) or the write fails. One round trip on a shared store where
        `create` in a loop made one each."""

    def get(self, tenant: str, collection: str, object_id: str) -> Object | None: ...

    def get_many(
        self, tenant: str, keys: Sequence[tuple[str, str]], *, also: Sequence[tuple[str, str]] = ()
    ) -> list[Object | None]:
        """The objects at the (collection, id) `keys`, in their order, None where there is none: one round trip on a
        shared store (per hundred keys), for the few objects every request reads before its work
        (web/request_reads.py). `also`: keys read in the same round trip and kept for the request's own reads of
        them (store/read_memo.py), not answered; a store whose reads are in-process (memory, SQLite) skips them."""

    def update(self, tenant: str, collection: str, object_id: str, change: Change) -> Object | None:
        """Apply `change` atomically (optimistic concurrency, retried): no lost updates.
        Returns the new object, or None if there is no such object."""

    def delete(self, tenant: str, collection: str, object_id: str) -> Object | None:
        """Remove and return the object, or None if there was none."""

    def list(
        self,
        tenant: str,
        collection: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        where: Predicate | None = None,
    ) -> Page:
        """One page in id order (= creation order, ids being time-sortable), OpenAI cursor semantics:
        `after` = the items following the cursor in `order`, `before` = the `limit` items preceding it."""

    def keep_newest(self, tenant: str, collection: str, count: int) -> int:
        """Remove the objects of a collection older than its `count` newest live ones (ids are creation-ordered)
        without reading them: a trimmed journal. Returns how many."""

    def delete_collection(self, tenant: str, collection: str) -> int:
        """Remove every object of a collection (a thread's messages, say); returns how many."""

    def delete_tenant(self, tenant: str) -> int:
        """Remove every object of every collection of a tenant (mock-controls reset); returns how many."""

    def increment(
        self,
        tenant: str,
        collection: str,
        key: str,
        amounts: Mapping[str, int],
        *,
        limits: Mapping[str, int] | None = None,
        expires_in: float | None = None,
    ) -> Counted:
        """Add `amounts` to the named counters of one counter item, atomically, in one round trip (shared by
        every process: rate-limit windows, fixture counts). With `limits`, nothing is added unless every limited
        counter stays within its limit. `expires_in` seconds: the item's lifetime, set when it is created.
        Counter items live in collections of their own, never read with `get`/`list`; `delete_collection`
        and `delete_tenant` remove them."""

    def counters(self, tenant: str, collection: str, *, after: str = "", before: str | None = None) -> CounterItems:
        """The live counter items of a collection whose keys sort strictly between `after` and `before` (no upper
        bound without it), in key order, as (key, values): counters read as a range (a usage minute's sums)."""


class BlobStore(Protocol):
    """Bytes too big for an object (file contents, upload parts)."""

    def put(self, tenant: str, key: str, data: bytes) -> None: ...

    def get(self, tenant: str, key: str) -> bytes | None: ...

    def delete(self, tenant: str, key: str) -> None: ...

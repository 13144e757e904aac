"""In-process store: the default for the local server and tests, and for Lambda without persistence
(where it lives as long as the warm container)."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping, Sequence

from openai_mock import clock
from openai_mock.pagination import Order, Page
from openai_mock.store.base import Change, ConflictError, Counted, CounterItems, Object, Predicate
from openai_mock.store.codec import decode, encode


class _Collection:
    __slots__ = ("ids", "items")

    def __init__(self) -> None:
        self.ids: list[str] = []  # kept sorted
        self.items: dict[str, tuple[bytes | str, float | None]] = {}  # id → (json, expires_at)


class MemoryStore:
    def __init__(self, ttl_seconds: int = 0) -> None:
        self._ttl = ttl_seconds
        self._collections: dict[tuple[str, str], _Collection] = {}
        # (tenant, collection) → key → (counters, expires_at)
        self._counters: dict[tuple[str, str], dict[str, tuple[dict[str, int], float | None]]] = {}
        self._next_sweep = 0.0  # expired counters (ended rate-limit windows) are dropped about once a minute
        self._lock = threading.RLock()

    def _expiry(self) -> float | None:
        return clock.process_now() + self._ttl if self._ttl else None

    def _sweep_counters(self, now: float) -> None:
        for owner, items in list(self._counters.items()):
            for key in [key for key, (_, expires_at) in items.items() if expires_at is not None and expires_at <= now]:
                del items[key]
            if not items:
                del self._counters[owner]
        self._next_sweep = now + 60

    def _live(self, collection: _Collection, object_id: str) -> Object | None:
        record = collection.items.get(object_id)
        if record is None:
            return None
        body, expires_at = record
        if expires_at is not None and expires_at <= clock.process_now():
            return None
        return decode(body)

    def create(self, tenant: str, collection: str, obj: Object) -> Object:
        body = encode(obj)
        with self._lock:
            stored = self._collections.setdefault((tenant, collection), _Collection())
            object_id = obj["id"]
            if self._live(stored, object_id) is not None:
                raise ConflictError(object_id)
            if object_id not in stored.items:
                bisect.insort(stored.ids, object_id)
            stored.items[object_id] = (body, self._expiry())
        return decode(body)

    def create_many(self, tenant: str, collection: str, objects: Sequence[Object]) -> None:
        bodies = [encode(obj) for obj in objects]
        with self._lock:
            stored = self._collections.setdefault((tenant, collection), _Collection())
            ids: set[str] = set()
            for obj in objects:  # every id checked before any is stored
                if obj["id"] in ids or self._live(stored, obj["id"]) is not None:
                    raise ConflictError(obj["id"])
                ids.add(obj["id"])
            expires_at = self._expiry()
            for object_id, body in zip((obj["id"] for obj in objects), bodies, strict=True):
                if object_id not in stored.items:
                    bisect.insort(stored.ids, object_id)
                stored.items[object_id] = (body, expires_at)

    def get(self, tenant: str, collection: str, object_id: str) -> Object | None:
        with self._lock:
            stored = self._collections.get((tenant, collection))
            return self._live(stored, object_id) if stored else None

    def get_many(
        self,
        tenant: str,
        keys: Sequence[tuple[str, str]],
        *,
        also: Sequence[tuple[str, str]] = (),  # noqa: ARG002 (a read here is in-process: nothing to read ahead)
    ) -> list[Object | None]:
        found: list[Object | None] = []
        with self._lock:
            for collection, object_id in keys:
                stored = self._collections.get((tenant, collection))
                found.append(self._live(stored, object_id) if stored else None)
        return found

    def update(self, tenant: str, collection: str, object_id: str, change: Change) -> Object | None:
        # One lock around read-change-write: updates of the same object are serialised.
        with self._lock:
            stored = self._collections.get((tenant, collection))
            current = self._live(stored, object_id) if stored else None
            if current is None or stored is None:
                return None
            updated = change(current)
            body = encode(updated)
            stored.items[object_id] = (body, stored.items[object_id][1])
            return decode(body)

    def delete(self, tenant: str, collection: str, object_id: str) -> Object | None:
        with self._lock:
            stored = self._collections.get((tenant, collection))
            current = self._live(stored, object_id) if stored else None
            if current is None or stored is None:
                return None
            del stored.items[object_id]
            stored.ids.pop(bisect.bisect_left(stored.ids, object_id))
            return current

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
        with self._lock:
            stored = self._collections.get((tenant, collection))
            if stored is None:
                return Page([], False)
            ids = _ids_in_walk_order(stored.ids, order, after, before)
            found: list[Object] = []
            has_more = False
            for object_id in ids:
                obj = self._live(stored, object_id)
                if obj is None or (where is not None and not where(obj)):
                    continue
                if len(found) == limit:
                    has_more = True
                    break
                found.append(obj)
        if before is not None:
            found.reverse()  # walked away from the cursor; present in the requested order
        return Page(found, has_more)

    def keep_newest(self, tenant: str, collection: str, count: int) -> int:
        with self._lock:
            stored = self._collections.get((tenant, collection))
            if stored is None:
                return 0
            kept, older = 0, []
            for object_id in reversed(stored.ids):
                if kept < count and self._live(stored, object_id) is not None:
                    kept += 1
                else:
                    older.append(object_id)
            for object_id in older:
                del stored.items[object_id]
            stored.ids = [object_id for object_id in stored.ids if object_id in stored.items]
            return len(older)

    def delete_collection(self, tenant: str, collection: str) -> int:
        with self._lock:
            stored = self._collections.pop((tenant, collection), None)
            counters = self._counters.pop((tenant, collection), {})
            return (len(stored.items) if stored else 0) + len(counters)

    def delete_tenant(self, tenant: str) -> int:
        with self._lock:
            owned = [key for key in self._collections if key[0] == tenant]
            counted = [key for key in self._counters if key[0] == tenant]
            removed = sum(len(self._collections.pop(key).items) for key in owned)
            return removed + sum(len(self._counters.pop(key)) for key in counted)

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
        with self._lock:
            now = clock.process_now()
            if now >= self._next_sweep:
                self._sweep_counters(now)
            items = self._counters.setdefault((tenant, collection), {})
            record = items.get(key)
            current: dict[str, int]
            expires_at: float | None
            if record is None or (record[1] is not None and record[1] <= now):
                current, expires_at = {}, (now + expires_in if expires_in else None)
            else:
                current, expires_at = record
            before = dict(current)
            after = dict(current)
            for name, amount in amounts.items():
                before.setdefault(name, 0)
                after[name] = after.get(name, 0) + amount
            for name, limit in (limits or {}).items():
                if after.get(name, 0) > limit:
                    return Counted(False, before)
            items[key] = (after, expires_at)
            return Counted(True, dict(after))

    def counters(self, tenant: str, collection: str, *, after: str = "", before: str | None = None) -> CounterItems:
        now = clock.process_now()
        with self._lock:
            items = list(self._counters.get((tenant, collection), {}).items())
        return sorted(
            (key, dict(values))
            for key, (values, expires_at) in items
            if key > after and (before is None or key < before) and (expires_at is None or expires_at > now)
        )


def _ids_in_walk_order(ids: list[str], order: Order, after: str | None, before: str | None) -> list[str]:
    """The ids to walk, starting next to the cursor. `before` walks against `order`."""
    ascending = order == "asc"
    cursor = after
    if before is not None:
        ascending, cursor = not ascending, before
    if ascending:
        start = bisect.bisect_right(ids, cursor) if cursor is not None else 0
        return ids[start:]
    end = bisect.bisect_left(ids, cursor) if cursor is not None else len(ids)
    return ids[:end][::-1]

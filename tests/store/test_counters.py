"""`increment`: atomic shared counters (rate-limit windows, fixture counts) on every backend."""

from __future__ import annotations

import threading

from openai_mock import clock
from openai_mock.store.base import Counted, ObjectStore

COUNTERS = "mock.counter"


def test_increment_adds_and_returns_the_new_values(store: ObjectStore) -> None:
    assert store.increment("t1", COUNTERS, "a", {"requests": 1, "tokens": 10}) == Counted(
        True, {"requests": 1, "tokens": 10}
    )
    assert store.increment("t1", COUNTERS, "a", {"requests": 1, "tokens": 5}) == Counted(
        True, {"requests": 2, "tokens": 15}
    )
    assert store.increment("t2", COUNTERS, "a", {"requests": 1}).values == {"requests": 1}  # another tenant


def test_limits_refuse_without_counting(store: ObjectStore) -> None:
    limits = {"requests": 2, "tokens": 100}
    assert store.increment("t", COUNTERS, "w", {"requests": 1, "tokens": 60}, limits=limits).admitted
    refused = store.increment("t", COUNTERS, "w", {"requests": 1, "tokens": 60}, limits=limits)
    assert refused == Counted(False, {"requests": 1, "tokens": 60})
    assert store.increment("t", COUNTERS, "w", {"requests": 1, "tokens": 40}, limits=limits).values == {
        "requests": 2,
        "tokens": 100,
    }
    assert not store.increment("t", COUNTERS, "w", {"requests": 1, "tokens": 0}, limits=limits).admitted
    too_big = store.increment("t", COUNTERS, "fresh", {"requests": 1, "tokens": 500}, limits=limits)
    assert too_big == Counted(False, {"requests": 0, "tokens": 0})


def test_counters_expire(store: ObjectStore) -> None:
    clock.freeze(1_800_000_000)
    store.increment("t", COUNTERS, "w", {"requests": 5}, expires_in=60)
    clock.advance(61)
    assert store.increment("t", COUNTERS, "w", {"requests": 1}, expires_in=60).values == {"requests": 1}


def test_delete_collection_and_tenant_remove_counters(store: ObjectStore) -> None:
    store.increment("t", COUNTERS, "a", {"n": 1})
    store.increment("t", COUNTERS, "b", {"n": 1})
    store.increment("other", COUNTERS, "a", {"n": 1})
    assert store.delete_collection("t", COUNTERS) == 2
    assert store.increment("t", COUNTERS, "a", {"n": 1}).values == {"n": 1}
    store.delete_tenant("t")
    assert store.increment("t", COUNTERS, "a", {"n": 1}).values == {"n": 1}
    assert store.increment("other", COUNTERS, "a", {"n": 1}).values == {"n": 2}


def test_concurrent_increments_are_not_lost(store: ObjectStore) -> None:
    def bump() -> None:
        for _ in range(10):
            store.increment("t", COUNTERS, "c", {"n": 1})

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.increment("t", COUNTERS, "c", {"n": 0}).values == {"n": 40}


def test_counters_list_a_range_of_keys_in_order(store: ObjectStore) -> None:
    for key, amount in (("0002-b", 2), ("0001-a", 1), ("0003-c", -3), ("0004-d", 4)):
        store.increment("t", COUNTERS, key, {"n": amount, "m": 1})
    store.increment("t", COUNTERS, "0002-b", {"n": 5, "m": 1})
    store.increment("other", COUNTERS, "0002-b", {"n": 100})
    assert store.counters("t", COUNTERS) == [
        ("0001-a", {"n": 1, "m": 1}),
        ("0002-b", {"n": 7, "m": 2}),
        ("0003-c", {"n": -3, "m": 1}),
        ("0004-d", {"n": 4, "m": 1}),
    ]
    # Strictly between the bounds: a prefix of a key sorts before it.
    assert [key for key, _ in store.counters("t", COUNTERS, after="0002", before="0004")] == ["0002-b", "0003-c"]
    assert [key for key, _ in store.counters("t", COUNTERS, after="0002-b", before="0004-d")] == ["0003-c"]
    assert store.counters("t", COUNTERS, after="0004", before="0002") == []
    assert store.counters("t", "mock.other", after="") == []


def test_listed_counters_hide_the_expired(store: ObjectStore) -> None:
    clock.freeze(1_800_000_000)
    store.increment("t", COUNTERS, "a", {"n": 1}, expires_in=60)
    store.increment("t", COUNTERS, "b", {"n": 2})
    clock.advance(61)
    assert store.counters("t", COUNTERS) == [("b", {"n": 2})]

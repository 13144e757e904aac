"""ObjectStore behaviour every backend must share (memory, moto DynamoDB, DynamoDB Local)."""

from __future__ import annotations

import threading

import pytest

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.ids import new_id
from openai_mock.store.base import ConflictError, ObjectStore
from tests.support.moto_isolation import dynamodb_store

T = "t_tenant_a"


def _create(store: ObjectStore, count: int, collection: str = "file", tenant: str = T) -> list[str]:
    ids = []
    for index in range(count):
        object_id = new_id("file")
        purpose = "batch" if index % 2 else "fine-tune"
        store.create(tenant, collection, {"id": object_id, "index": index, "purpose": purpose})
        ids.append(object_id)
    return ids


def test_create_then_get_returns_an_equal_copy(store: ObjectStore) -> None:
    obj = {"id": "file-abc", "bytes": 12, "nested": {"list": [1, 2.5, "x", None, True]}}
    assert store.create(T, "file", obj) == obj
    assert store.get(T, "file", "file-abc") == obj
    assert store.get(T, "file", "file-missing") is None


def test_create_refuses_a_taken_id(store: ObjectStore) -> None:
    store.create(T, "file", {"id": "file-abc", "v": 1})
    with pytest.raises(ConflictError):
        store.create(T, "file", {"id": "file-abc", "v": 2})
    assert store.get(T, "file", "file-abc") == {"id": "file-abc", "v": 1}


def test_tenants_and_collections_are_isolated(store: ObjectStore) -> None:
    store.create(T, "file", {"id": "file-abc"})
    assert store.get("t_other", "file", "file-abc") is None
    assert store.get(T, "batch", "file-abc") is None
    assert store.list("t_other", "file").items == []
    assert store.delete("t_other", "file", "file-abc") is None
    assert store.update("t_other", "file", "file-abc", lambda o: {**o, "x": 1}) is None
    assert store.get(T, "file", "file-abc") == {"id": "file-abc"}


def test_create_many_stores_every_object_at_once(store: ObjectStore) -> None:
    objects = [{"id": f"item_{index:03d}", "index": index} for index in range(230)]  # three DynamoDB transactions
    store.create_many(T, "eval.run.output_item", objects)
    listed = store.list(T, "eval.run.output_item", limit=300, order="asc").items
    assert listed == objects
    store.create_many(T, "eval.run.output_item", [])
    assert store.get(T, "eval.run.output_item", "item_229") == {"id": "item_229", "index": 229}


def test_objects_created_at_once_are_found_by_a_reset(store: ObjectStore) -> None:
    """On DynamoDB the collection's index item (what a reset finds a tenant's items by) is written in the first
    transaction: the objects of a collection new to the tenant are deleted with the tenant."""
    store.create_many(T, "project.rate_limit/proj_new", [{"id": f"rl-{index}"} for index in range(150)])
    assert len(store.list(T, "project.rate_limit/proj_new", limit=200).items) == 150
    store.delete_tenant(T)
    assert store.list(T, "project.rate_limit/proj_new", limit=200).items == []


@pytest.mark.parametrize("taken_at", [0, 150])
def test_create_many_with_a_taken_id_stores_none(store: ObjectStore, taken_at: int) -> None:
    """All or none: a taken id (in the first transaction or a later one, on DynamoDB) leaves nothing of the others,
    and an id given twice is taken too."""
    store.create(T, "c", {"id": f"obj_{taken_at:03d}", "kept": True})
    objects = [{"id": f"obj_{index:03d}"} for index in range(200)]
    with pytest.raises(ConflictError):
        store.create_many(T, "c", objects)
    assert store.list(T, "c", limit=300).items == [{"id": f"obj_{taken_at:03d}", "kept": True}]
    with pytest.raises(ConflictError):
        store.create_many(T, "c", [{"id": "twice"}, {"id": "twice"}])
    assert store.get(T, "c", "twice") is None


def test_update_applies_the_change(store: ObjectStore) -> None:
    store.create(T, "file", {"id": "file-abc", "status": "uploaded"})
    assert store.update(T, "file", "file-abc", lambda o: {**o, "status": "processed"}) == {
        "id": "file-abc",
        "status": "processed",
    }
    assert store.get(T, "file", "file-abc")["status"] == "processed"  # type: ignore[index]


def test_failed_change_writes_nothing(store: ObjectStore) -> None:
    store.create(T, "file", {"id": "file-abc", "status": "uploaded"})

    def refuse(obj: dict) -> dict:
        obj["status"] = "half-written"
        raise OpenAIError(400, "refused")

    with pytest.raises(OpenAIError):
        store.update(T, "file", "file-abc", refuse)
    assert store.get(T, "file", "file-abc") == {"id": "file-abc", "status": "uploaded"}


def test_concurrent_updates_lose_nothing(store: ObjectStore) -> None:
    store.create(T, "vector_store", {"id": "vs_1", "count": 0})
    workers, increments = 8, 15

    def bump() -> None:
        for _ in range(increments):
            store.update(T, "vector_store", "vs_1", lambda o: {**o, "count": o["count"] + 1})

    threads = [threading.Thread(target=bump) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get(T, "vector_store", "vs_1")["count"] == workers * increments  # type: ignore[index]


def test_delete_returns_the_object_once(store: ObjectStore) -> None:
    store.create(T, "file", {"id": "file-abc", "bytes": 3})
    assert store.delete(T, "file", "file-abc") == {"id": "file-abc", "bytes": 3}
    assert store.delete(T, "file", "file-abc") is None
    assert store.get(T, "file", "file-abc") is None
    assert store.list(T, "file").items == []


def test_list_orders_by_creation_both_ways(store: ObjectStore) -> None:
    ids = _create(store, 5)
    assert [o["id"] for o in store.list(T, "file", order="asc").items] == ids
    assert [o["id"] for o in store.list(T, "file", order="desc").items] == ids[::-1]


def test_list_pages_with_after_and_has_more(store: ObjectStore) -> None:
    ids = _create(store, 7)
    first = store.list(T, "file", limit=3, order="asc")
    assert [o["id"] for o in first.items] == ids[:3] and first.has_more
    second = store.list(T, "file", limit=3, order="asc", after=ids[2])
    assert [o["id"] for o in second.items] == ids[3:6] and second.has_more
    last = store.list(T, "file", limit=3, order="asc", after=ids[5])
    assert [o["id"] for o in last.items] == ids[6:] and not last.has_more
    exact = store.list(T, "file", limit=7, order="asc")
    assert len(exact.items) == 7 and not exact.has_more


def test_list_after_in_descending_order(store: ObjectStore) -> None:
    ids = _create(store, 5)
    page = store.list(T, "file", limit=2, order="desc", after=ids[3])
    assert [o["id"] for o in page.items] == [ids[2], ids[1]] and page.has_more


def test_list_before_returns_the_items_just_before_the_cursor(store: ObjectStore) -> None:
    ids = _create(store, 6)
    asc = store.list(T, "file", limit=2, order="asc", before=ids[4])
    assert [o["id"] for o in asc.items] == [ids[2], ids[3]] and asc.has_more
    desc = store.list(T, "file", limit=2, order="desc", before=ids[1])
    assert [o["id"] for o in desc.items] == [ids[3], ids[2]] and desc.has_more
    edge = store.list(T, "file", limit=5, order="asc", before=ids[2])
    assert [o["id"] for o in edge.items] == ids[:2] and not edge.has_more


def test_list_filters_without_short_pages(store: ObjectStore) -> None:
    ids = _create(store, 9)
    batch_ids = [object_id for index, object_id in enumerate(ids) if index % 2]
    page = store.list(T, "file", limit=3, order="asc", where=lambda o: o["purpose"] == "batch")
    assert [o["id"] for o in page.items] == batch_ids[:3] and page.has_more
    rest = store.list(T, "file", limit=3, order="asc", after=batch_ids[2], where=lambda o: o["purpose"] == "batch")
    assert [o["id"] for o in rest.items] == batch_ids[3:] and not rest.has_more


def test_delete_collection_removes_only_that_collection(store: ObjectStore) -> None:
    _create(store, 30, collection="thread.message/thread_1")
    _create(store, 2, collection="thread.message/thread_2")
    assert store.delete_collection(T, "thread.message/thread_1") == 30
    assert store.list(T, "thread.message/thread_1").items == []
    assert len(store.list(T, "thread.message/thread_2").items) == 2


def test_objects_expire_after_their_ttl(store: ObjectStore) -> None:
    ttl_store = type(store).__new__(type(store))
    ttl_store.__dict__.update(store.__dict__)
    ttl_store._ttl = 60  # type: ignore[attr-defined]
    clock.freeze(1_800_000_000)
    ttl_store.create(T, "file", {"id": "file-old"})
    clock.advance(59)
    assert ttl_store.get(T, "file", "file-old") is not None
    clock.advance(2)
    assert ttl_store.get(T, "file", "file-old") is None
    assert ttl_store.list(T, "file").items == []
    ttl_store.create(T, "file", {"id": "file-old", "reborn": True})  # an expired id may be reused
    assert ttl_store.get(T, "file", "file-old") == {"id": "file-old", "reborn": True}


def test_keep_newest_drops_the_older_objects_of_one_collection_only(store: ObjectStore) -> None:
    """The journal's trim: no object read (one statement on SQLite, keys and batched deletes on DynamoDB); other
    tenants and collections untouched."""
    for index in range(60):
        store.create(T, "mock.request", {"id": f"mockreq_{index:02d}"})
    store.create(T, "other", {"id": "mockreq_00"})
    store.create("t_other", "mock.request", {"id": "mockreq_00"})
    assert store.keep_newest(T, "mock.request", 4) == 56
    assert [item["id"] for item in store.list(T, "mock.request", limit=20).items] == [
        "mockreq_59",
        "mockreq_58",
        "mockreq_57",
        "mockreq_56",
    ]
    assert store.keep_newest(T, "mock.request", 4) == 0  # nothing more to drop
    assert store.get(T, "other", "mockreq_00") is not None
    assert store.get("t_other", "mock.request", "mockreq_00") is not None
    assert store.keep_newest(T, "mock.request", 0) == 4
    assert store.list(T, "mock.request").items == []


@pytest.mark.parametrize("length", [1_100, 3_000])
def test_an_id_no_object_can_have_is_none_not_a_failure(store: ObjectStore, length: int) -> None:
    """A client's id longer than DynamoDB takes in a key (1,024 bytes; a collection named after one: 2,048) names no
    object: read, changed, deleted or listed, it is none, as an unknown id (the route's 404), never the backend's
    refusal (a 500)."""
    too_long = "é" * (length // 2)  # two bytes each
    store.create(T, "file", {"id": "file-1"})
    assert store.get(T, "file", too_long) is None
    assert store.get_many(T, [("file", "file-1"), ("file", too_long)]) == [{"id": "file-1"}, None]
    assert store.update(T, "file", too_long, lambda stored: {**stored, "changed": True}) is None
    assert store.delete(T, "file", too_long) is None
    assert store.list(T, f"vector_store.file/{too_long * 2}").items == []


@pytest.mark.parametrize("unit", ["a", "é", "\U0001f600"], ids=["one-byte", "two-byte", "four-byte"])
def test_a_cursor_no_object_can_have_is_a_place_in_the_order(store: ObjectStore, unit: str) -> None:
    """A cursor too long for a key still pages from its place in the order, both ways, as any unknown cursor does,
    even past ids that share its first kilobyte (DynamoDB refused it: a 500)."""
    shared = unit * (1_000 // len(unit.encode()))
    ids = sorted(["0", "z", shared, shared + "b", shared + "d", shared + "\x7f"])
    for object_id in ids:
        store.create(T, "file", {"id": object_id})
    cursor = shared + "c" + unit * 60
    above = [i for i in ids if i > cursor]
    below = [i for i in ids if i < cursor]
    assert above and below and len(cursor.encode()) > 1_024

    def listed(order: str, **cursors: str) -> list[str]:
        return [o["id"] for o in store.list(T, "file", limit=10, order=order, **cursors).items]  # type: ignore[arg-type]

    assert listed("asc", after=cursor) == above
    assert listed("desc", after=cursor) == below[::-1]
    assert listed("asc", before=cursor) == below
    assert listed("desc", before=cursor) == above[::-1]


def test_a_query_for_a_cursor_too_long_for_a_key_sends_no_such_key(aws_credentials: None) -> None:
    """DynamoDB refuses a starting key over its sizes (moto and DynamoDB Local take it): the store never sends one."""
    with dynamodb_store("long-cursor") as (client, store):
        sent: list[dict] = []
        watch = "provide-client-params.dynamodb.Query"
        client.meta.events.register(watch, lambda params, **_: sent.append(dict(params)))
        store.create(T, "file", {"id": "file-1"})
        assert store.list(T, "file", order="asc", after="g" * 1_025).items == []
        assert store.list(T, "file", order="desc", after="g" * 1_025).items == [{"id": "file-1"}]
    starting_keys = [query["ExclusiveStartKey"]["sk"]["S"] for query in sent if "ExclusiveStartKey" in query]
    values = [value["S"] for query in sent for value in query["ExpressionAttributeValues"].values()]
    assert len(sent) == 2 and all(len(key.encode()) <= 1_024 for key in starting_keys + values)

"""The aggregate bookkeeping of vector stores and file batches (`vector_stores/tally.py`): a store's stored item
does not grow with its files (10,000 fit in a few KB of DynamoDB's 400 KB), and file_counts / usage_bytes stay
exact through attach, detach, re-attach, cancellation and concurrent detaches, in any order."""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.resources.vector_stores import file_batches, index, params, records, tally
from openai_mock.resources.vector_stores import files as vector_store_files
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key

TENANT = principal_for_key("sk-test").tenant
T0 = 1_750_000_000
DYNAMODB_ITEM_LIMIT = 400 * 1024


@pytest.fixture(autouse=True)
def frozen() -> None:
    clock.freeze(T0)


def _upload(client: openai.OpenAI, name: str, text: str) -> str:
    return client.files.create(file=(name, io.BytesIO(text.encode())), purpose="assistants").id


def _processed() -> None:
    clock.advance(get_settings().vector_store_processing_seconds)


def _dynamodb_item_bytes(vector_store_id: str) -> int:
    """The size DynamoDB counts for the store's item as DynamoDBStore writes it (attribute names + values)."""
    obj = get_store().get(TENANT, records.COLLECTION, vector_store_id)
    assert obj is not None
    item = DynamoDBStore("table", client=None)._item(TENANT, records.COLLECTION, obj, 10**9, T0 + 10**8)
    return sum(len(name) + len(next(iter(value.values())).encode()) for name, value in item.items())


def _count(vector_store_id: str, ready: int, outcome: str, size: int) -> None:
    """What attaching a file does to the store's item (the layer's `_register`), without the file itself."""
    get_store().update(
        TENANT,
        records.COLLECTION,
        vector_store_id,
        lambda obj: {**obj, "_tally": tally.apply(obj["_tally"], ready, outcome, size, clock.now())},
    )


def _counts(client: openai.OpenAI, vector_store_id: str) -> tuple[dict[str, int], int]:
    store = client.vector_stores.retrieve(vector_store_id)
    return store.file_counts.model_dump(), store.usage_bytes


# --------------------------------------------------------------------------- size


def test_ten_thousand_files_keep_the_store_item_a_few_kilobytes(client: openai.OpenAI) -> None:
    """Worst case: the largest name and metadata, and files attached every 0.5 ms, so that every grain of the
    processing window holds pending files whenever the item is written. Measured: ≤ 14 KB."""
    metadata = {f"{n:02d}".ljust(64, "k"): "v" * 512 for n in range(16)}
    store = client.vector_stores.create(
        name="n" * 256, metadata=metadata, expires_after={"anchor": "last_active_at", "days": 365}
    )
    empty_size = _dynamodb_item_bytes(store.id)
    rng = random.Random(7)
    expected = {"completed": 0, "failed": 0, "usage_bytes": 0}
    largest, pending_keys = 0, 0
    for n in range(10_000):
        clock.advance(0.0005)
        outcome = "failed" if n % 7 == 0 else "completed"
        size = rng.randrange(1, 5_000_000) if outcome == "completed" else 0
        ready = tally.ready_ms(clock.now(), get_settings().vector_store_processing_seconds)
        _count(store.id, ready, outcome, size)
        expected[outcome] += 1
        expected["usage_bytes"] += size
        if n % 50 == 0:
            largest = max(largest, _dynamodb_item_bytes(store.id))
            record = get_store().get(TENANT, records.COLLECTION, store.id)
            pending_keys = max(pending_keys, len(record["_tally"]["pending"]))  # type: ignore[index]
    print(
        f"\nvector store item for 10,000 files: {empty_size} B empty, at most {largest} B "
        f"({pending_keys} pending keys); DynamoDB's limit is {DYNAMODB_ITEM_LIMIT} B"
    )
    assert pending_keys <= tally.GRAINS + 1
    assert largest - empty_size < 6_000 and largest < 14_000 < DYNAMODB_ITEM_LIMIT // 25

    counts, usage = _counts(client, store.id)
    assert counts["in_progress"] > 1_000 and counts["total"] == 10_000  # the last second's files still process
    clock.advance(get_settings().vector_store_processing_seconds * (1 + 1 / tally.GRAINS))  # + the rounding
    counts, usage = _counts(client, store.id)
    assert counts == {
        "in_progress": 0,
        "completed": expected["completed"],
        "failed": expected["failed"],
        "cancelled": 0,
        "total": 10_000,
    }
    assert usage == expected["usage_bytes"]


def test_real_attaches_do_not_grow_the_store_item(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    first = [_upload(client, "first.txt", "the first document")]
    client.vector_stores.file_batches.create(store.id, file_ids=first)
    after_one = _dynamodb_item_bytes(store.id)
    many = [_upload(client, f"doc{n}.txt", f"document number {n}") for n in range(80)]
    client.vector_stores.file_batches.create(store.id, file_ids=many[:40])
    _processed()
    client.vector_stores.file_batches.create(store.id, file_ids=many[40:])
    assert _dynamodb_item_bytes(store.id) - after_one < 30  # a few more digits in the counters, no more
    _processed()
    counts, usage = _counts(client, store.id)
    assert (counts["completed"], counts["total"]) == (81, 81)
    assert usage == len("the first document") + sum(len(f"document number {n}") for n in range(80))


# --------------------------------------------------------------------------- the tally itself


def test_the_processing_time_is_rounded_up_to_a_hundredth() -> None:
    assert tally.ready_ms(T0, 1.0) == (T0 + 1) * 1000
    assert tally.ready_ms(T0 + 0.0001, 1.0) == (T0 + 1) * 1000 + 10  # 10 ms grains for 1 s
    assert tally.ready_ms(T0 + 0.0001, 5.0) == (T0 + 5) * 1000 + 50
    assert tally.ready_ms(T0 + 0.0004, 0.0) == T0 * 1000 + 1  # no processing time: the next millisecond
    assert tally.status(tally.ready_ms(T0, 5.0), "completed", T0 + 4.9 + 0.1) == "completed"
    assert tally.status(tally.ready_ms(T0, 5.0), "completed", T0 + 4.999) == "in_progress"


def test_adding_and_removing_files_in_any_order_gives_exact_counts() -> None:
    """Against a brute force over every file's own status: random files attached and detached in shuffled
    order as time moves on, a detach sometimes landing before its attach (concurrent requests). After every
    step the tally equals the sum of the deltas applied so far, each file weighted by its net count."""
    rng = random.Random(2025)
    files = [
        (
            tally.ready_ms(T0 + rng.uniform(0, 3), 1.0),
            rng.choice(["completed", "failed", "cancelled"]),
            rng.randrange(0, 10_000),
        )
        for _ in range(300)
    ]
    operations = [(index, 1) for index in range(len(files))]
    operations += [(index, -1) for index in rng.sample(range(len(files)), 120)]
    rng.shuffle(operations)
    book, weights = tally.empty(), [0] * len(files)
    now = float(T0)
    for position, sign in operations:
        now += 0.007
        tally.apply(book, *files[position], now, sign)
        weights[position] += sign
        _check(book, files, weights, now)
    for later in (now + 0.5, now + 5):
        _check(book, files, weights, later)
    assert len(book["pending"]) <= tally.GRAINS + 1
    assert _counts_at(book, now + 5)["total"] == 180 and min(weights) == 0


def _counts_at(book: tally.Tally, now: float) -> dict[str, int]:
    return tally.counts(book, now)[0]


def _check(book: tally.Tally, files: list[tuple[int, str, int]], weights: list[int], now: float) -> None:
    expected = dict.fromkeys(tally.STATUSES, 0)
    usage = 0
    for (ready, outcome, size), weight in zip(files, weights, strict=True):
        status = tally.status(ready, outcome, now)
        expected[status] += weight
        usage += weight * size if status == "completed" else 0
    assert tally.counts(book, now) == ({**expected, "total": sum(weights)}, usage)


# --------------------------------------------------------------------------- through the API


def test_detaching_subtracts_the_file_whatever_its_state(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    done = _upload(client, "done.txt", "finished early")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=done)
    _processed()
    pending = _upload(client, "pending.txt", "still processing")
    failed = _upload(client, "image.png", "not text")
    for file_id in (pending, failed):
        client.vector_stores.files.create(vector_store_id=store.id, file_id=file_id)
    assert _counts(client, store.id) == (
        {"in_progress": 2, "completed": 1, "failed": 0, "cancelled": 0, "total": 3},
        len("finished early"),
    )

    client.vector_stores.files.delete(pending, vector_store_id=store.id)  # while in progress
    client.vector_stores.files.delete(done, vector_store_id=store.id)  # completed: its bytes go too
    assert _counts(client, store.id) == ({"in_progress": 1, "completed": 0, "failed": 0, "cancelled": 0, "total": 1}, 0)
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.files.delete(done, vector_store_id=store.id)
    _processed()
    assert _counts(client, store.id) == ({"in_progress": 0, "completed": 0, "failed": 1, "cancelled": 0, "total": 1}, 0)
    again = client.vector_stores.files.create(vector_store_id=store.id, file_id=done)  # re-attached: counted anew
    assert again.status == "in_progress"
    _processed()
    assert _counts(client, store.id) == (
        {"in_progress": 0, "completed": 1, "failed": 1, "cancelled": 0, "total": 2},
        len("finished early"),
    )


def test_attaching_an_attached_file_again_counts_it_once(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    file_id = _upload(client, "a.txt", "alpha")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=file_id)
    client.vector_stores.files.create(vector_store_id=store.id, file_id=file_id)
    other = _upload(client, "b.txt", "beta")
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[file_id, other])
    assert batch.file_counts.total == 2  # the batch reports both of its files
    _processed()
    counts, usage = _counts(client, store.id)
    assert (counts["completed"], counts["total"], usage) == (2, 2, len("alpha") + len("beta"))


def test_cancelled_files_are_counted_then_detached(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    early = _upload(client, "early.txt", "already done")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=early)
    _processed()
    late = [_upload(client, f"late{n}.txt", f"late {n}") for n in range(3)]
    batch = client.vector_stores.file_batches.create(store.id, file_ids=[early, *late])
    assert batch.file_counts.model_dump() == {"in_progress": 3, "completed": 1, "failed": 0, "cancelled": 0, "total": 4}
    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    assert (cancelled.status, cancelled.file_counts.cancelled, cancelled.file_counts.completed) == ("cancelled", 3, 1)
    assert _counts(client, store.id) == (
        {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 3, "total": 4},
        len("already done"),
    )
    client.vector_stores.files.delete(late[0], vector_store_id=store.id)
    _processed()
    assert _counts(client, store.id)[0] == {"in_progress": 0, "completed": 1, "failed": 0, "cancelled": 2, "total": 3}
    assert client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).status == "cancelled"


def test_a_pending_batch_answers_the_time_to_its_next_file(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    first = client.vector_stores.file_batches.create(store.id, file_ids=[_upload(client, "a.txt", "alpha")])
    clock.advance(0.25)
    client.vector_stores.file_batches.create(store.id, file_ids=[_upload(client, "b.txt", "beta")])
    raw = client.vector_stores.file_batches.with_raw_response.retrieve(first.id, vector_store_id=store.id)
    assert raw.headers["openai-poll-after-ms"] == "750"
    clock.advance(0.75)
    raw = client.vector_stores.file_batches.with_raw_response.retrieve(first.id, vector_store_id=store.id)
    assert raw.parse().status == "completed" and "openai-poll-after-ms" not in raw.headers


def test_concurrent_detaches_of_one_file_subtract_it_once(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    ids = [_upload(client, f"d{n}.txt", f"doc {n}") for n in range(4)]
    client.vector_stores.file_batches.create(store.id, file_ids=ids)

    def detach(file_id: str) -> bool:
        try:
            vector_store_files.delete_file(TENANT, store.id, file_id)
            return True
        except OpenAIError:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(detach, [ids[0]] * 8 + [ids[1]] * 8))
    assert outcomes.count(True) == 2  # one winner per file, the rest 404
    _processed()
    counts, usage = _counts(client, store.id)
    assert (counts["completed"], counts["total"], usage) == (2, 2, len("doc 2") + len("doc 3"))


def test_deleting_a_store_removes_every_file_index(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    ids = [_upload(client, f"d{n}.txt", f"doc {n}") for n in range(3)]
    client.vector_stores.file_batches.create(store.id, file_ids=ids)
    assert all(index.load(TENANT, store.id, file_id) is not None for file_id in ids)
    client.vector_stores.delete(store.id)
    assert all(index.load(TENANT, store.id, file_id) is None for file_id in ids)


def test_a_file_named_twice_in_one_request_counts_once(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    file_id = _upload(client, "a.txt", "alpha")
    batch = file_batches.create_file_batch(
        TENANT, store.id, params.CreateVectorStoreFileBatchRequest(file_ids=[file_id, file_id])
    )
    assert batch["file_counts"]["total"] == 1
    assert _counts(client, store.id)[0]["total"] == 1

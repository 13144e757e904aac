"""`get_many`: several objects of a tenant in one read, on every backend."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.local.server import TemplateRouter
from openai_mock.store import dynamodb, get_store
from openai_mock.store.base import ObjectStore
from tests.support.moto_isolation import dynamodb_store
from tests.support.sdk import asgi_client


def test_answers_each_key_in_order_and_none_where_nothing_is(store: ObjectStore) -> None:
    store.create("t", "mock.quota", {"id": "quota", "requests_per_minute": 5})
    store.create("t", "mock.clock", {"id": "clock", "offset_seconds": 60})
    store.create("other", "organization.spend_state", {"id": "state", "blocked": {}})
    store.create("t", "organization.spend_state", {"id": "elsewhere"})

    found = store.get_many(
        "t", [("organization.spend_state", "state"), ("mock.clock", "clock"), ("mock.quota", "quota")]
    )

    assert found == [None, {"id": "clock", "offset_seconds": 60}, {"id": "quota", "requests_per_minute": 5}]
    assert store.get_many("t", []) == []
    # Keys read ahead for the request's own reads (`also`) are not answered.
    assert store.get_many("t", [("mock.clock", "clock")], also=[("mock.quota", "quota")]) == [found[1]]
    assert store.get_many("t", [], also=[("mock.quota", "quota")]) == []


def test_the_same_key_twice_answers_twice(store: ObjectStore) -> None:
    store.create("t", "c", {"id": "a", "n": 1})
    assert store.get_many("t", [("c", "a"), ("c", "b"), ("c", "a")]) == [{"id": "a", "n": 1}, None, {"id": "a", "n": 1}]


def test_more_keys_than_one_read_takes(store: ObjectStore) -> None:
    """DynamoDB takes a hundred keys a BatchGetItem, SQLite 500 terms a compound SELECT: more are read in parts."""
    for index in range(0, 600, 3):
        store.create("t", "c", {"id": f"obj_{index:03d}"})
    found = store.get_many("t", [("c", f"obj_{index:03d}") for index in range(600)])
    assert found == [{"id": f"obj_{index:03d}"} if index % 3 == 0 else None for index in range(600)]


def test_expired_objects_are_not_read(store: ObjectStore) -> None:
    store._ttl = 60  # type: ignore[attr-defined]  # the deployment's TTL (OPENAI_MOCK_TTL_SECONDS)
    clock.freeze(1_800_000_000)
    store.create("t", "c", {"id": "old"})
    clock.advance(61)
    store.create("t", "c", {"id": "new"})
    assert store.get_many("t", [("c", "old"), ("c", "new")]) == [None, {"id": "new"}]


def test_a_big_body_is_read_whole(store: ObjectStore) -> None:
    text = "".join(f"{n:07d}" for n in range(60_000))  # 420 KB of digits (DynamoDB: compressed in the item)
    store.create("t", "c", {"id": "big", "text": text})
    assert store.get_many("t", [("c", "big")]) == [{"id": "big", "text": text}]


def test_keys_dynamodb_leaves_unprocessed_are_asked_again(aws_credentials: None) -> None:
    with dynamodb_store("get-many") as (client, store):
        store.create("t", "c", {"id": "a"})
        store.create("t", "c", {"id": "b"})
        batch_get_item, calls = client.batch_get_item, []

        def throttled_once(**request: Any) -> dict[str, Any]:  # the first answer processes none of the keys
            calls.append(request)
            if len(calls) == 1:
                return {"Responses": {}, "UnprocessedKeys": request["RequestItems"]}
            return batch_get_item(**request)

        client.batch_get_item = throttled_once  # type: ignore[method-assign]
        assert store.get_many("t", [("c", "a"), ("c", "b"), ("c", "none")]) == [{"id": "a"}, {"id": "b"}, None]
        assert len(calls) == 2 and calls[1] == calls[0]


def test_deletes_dynamodb_leaves_unprocessed_are_asked_again(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trim's BatchWriteItem under throttling: what it left is sent again after a wait; never processed, a 503."""
    with dynamodb_store("deletes") as (client, store):
        for index in range(5):
            store.create("t", "c", {"id": f"item_{index}"})
        batch_write_item, calls, waits = client.batch_write_item, [], []
        monkeypatch.setattr(dynamodb.time, "sleep", waits.append)

        def throttled_twice(**request: Any) -> dict[str, Any]:  # the first two answers process none of the deletes
            calls.append(request)
            if len(calls) <= 2:
                return {"UnprocessedItems": request["RequestItems"]}
            return batch_write_item(**request)

        client.batch_write_item = throttled_twice  # type: ignore[method-assign]
        assert store.keep_newest("t", "c", 2) == 3
        assert len(calls) == 3 and calls[2] == calls[0] and len(waits) == 2
        assert [item["id"] for item in store.list("t", "c").items] == ["item_4", "item_3"]

        def never_processed(**request: Any) -> dict[str, Any]:
            return {"UnprocessedItems": request["RequestItems"]}

        client.batch_write_item = never_processed  # type: ignore[method-assign]
        with pytest.raises(OpenAIError) as refused:
            store.keep_newest("t", "c", 1)
        assert refused.value.status == 503


def test_a_request_reads_its_tenant_in_one_batch(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """Its clock offset and the stamps of its fixtures and fine-tuned models (a model request also its spend state,
    quota and retention settings): one BatchGetItem on AWS, where a chat made three GetItems and a Query of the
    tenant's fixtures, GET /models a GetItem and two Queries, and a Response one GetItem more."""
    client = asgi_client(mock_app, api_key="sk-one-batch")
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Warm up."}])
    client.models.list()
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello?"}])
    assert sorted(calls) == ["BatchGetItem", "PutItem", "UpdateItem", "UpdateItem"]  # + rate limit, usage, journal
    calls.clear()
    client.models.list()
    assert sorted(calls) == ["BatchGetItem", "PutItem"]  # + the journal
    client.responses.create(model="gpt-4o-mini", input="Warm up.")
    calls.clear()
    client.responses.create(model="gpt-4o-mini", input="Hello?")  # its retention settings read in the batch too
    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem", "UpdateItem", "UpdateItem"]  # + the response


def test_a_runs_poll_reads_its_thread_and_run_in_one_batch(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """Assistants clients poll a run until it ends: each poll read the thread, then the run; both are now read with
    the request's first reads (the path names them)."""
    client = asgi_client(mock_app, api_key="sk-run-poll")
    assistant = client.beta.assistants.create(model="gpt-4o-mini")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    calls: list[str] = []
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))

    polled = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)

    assert polled.id == run.id and polled.thread_id == thread.id
    assert sorted(calls) == ["BatchGetItem", "PutItem"]  # read with the request's first reads; its journal
    with pytest.raises(openai.NotFoundError, match="No thread found"):
        client.beta.threads.runs.retrieve(run.id, thread_id="thread_none")
    with pytest.raises(openai.NotFoundError, match="No run found"):
        client.beta.threads.runs.retrieve("run_none", thread_id=thread.id)


def test_a_vector_store_file_is_read_with_its_store_in_one_batch(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """Retrieving (or polling) a vector store's file read the store, then the file: now with the request's first
    reads (the path names both; without them, `get_file_record` reads both in one batch)."""
    client = asgi_client(mock_app, api_key="sk-vs-file-batch")
    file = client.files.create(
        file=("notes.txt", b"The mock reads a vector store's file in one batch."), purpose="assistants"
    )
    store = client.vector_stores.create(name="notes")
    client.vector_stores.files.create(vector_store_id=store.id, file_id=file.id)
    client.vector_stores.files.retrieve(file.id, vector_store_id=store.id)
    calls = _watch_dynamodb()

    polled = client.vector_stores.files.retrieve(file.id, vector_store_id=store.id)

    assert polled.id == file.id and polled.vector_store_id == store.id
    assert sorted(calls) == ["BatchGetItem", "PutItem"]  # read with the request's first reads; its journal
    with pytest.raises(openai.NotFoundError, match="No vector store found"):
        client.vector_stores.files.retrieve(file.id, vector_store_id="vs_none")
    with pytest.raises(openai.NotFoundError, match="No file found with id 'file-none'"):
        client.vector_stores.files.retrieve("file-none", vector_store_id=store.id)


def test_attaching_files_reads_them_and_their_attachments_in_one_batch(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """Attaching a file read the File object, then whether the store already had it: two reads in turn (a file
    batch: two per file). Now one batch for all of them."""
    client = asgi_client(mock_app, api_key="sk-vs-attach")
    uploaded = [
        client.files.create(file=(f"part{n}.txt", f"Part {n} of the notes.".encode()), purpose="assistants")
        for n in range(3)
    ]
    store = client.vector_stores.create(name="notes")
    calls = _watch_dynamodb()

    attached = client.vector_stores.files.create(vector_store_id=store.id, file_id=uploaded[0].id)
    assert attached.id == uploaded[0].id and "GetItem" not in calls and calls.count("BatchGetItem") == 2
    calls.clear()
    batch = client.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[f.id for f in uploaded])

    assert batch.file_counts.total == 3
    assert "GetItem" not in calls and calls.count("BatchGetItem") == 2  # the request's first reads; the files'
    listed = client.vector_stores.files.list(vector_store_id=store.id)
    assert sorted(f.id for f in listed.data) == sorted(f.id for f in uploaded)  # the first one attached once
    with pytest.raises(openai.NotFoundError, match="No such File object: file-none"):
        client.vector_stores.files.create(vector_store_id=store.id, file_id="file-none")


def test_a_files_content_reads_its_record_once(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """The download read the File object twice: for its bytes' check, then for its filename; now once, with the
    request's first reads."""
    client = asgi_client(mock_app, api_key="sk-file-content")
    file = client.files.create(file=("notes.txt", b"Read once, sent whole."), purpose="assistants")
    client.files.content(file.id)
    calls = _watch_dynamodb()

    content = client.files.content(file.id)

    assert content.read() == b"Read once, sent whole."
    assert "notes.txt" in content.response.headers["content-disposition"]
    assert sorted(calls) == ["BatchGetItem", "PutItem"]  # read with the request's first reads; its journal
    with pytest.raises(openai.NotFoundError, match="No such File object: file-none"):
        client.files.content("file-none")


def _watch_dynamodb() -> list[str]:
    calls: list[str] = []
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return calls

"""The whole mock on the DynamoDB backend (DynamoDB Local), as `openai-mock serve --store dynamodb` and
Lambda with EnablePersistence=true run it: state outlives the process-local caches and is shared by
functions. Vector stores and file batches included (their counters are conditional writes on DynamoDB), and
uploads feeding a Batch API run that a new container finishes."""

from __future__ import annotations

import io
import json

import openai
import pytest

from openai_mock import clock
from openai_mock.local import cli
from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.dynamodb_local import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, DynamoDBLocal
from tests.support.sdk import asgi_client


@pytest.fixture
def dynamodb_backend(dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    # What `openai-mock serve --store dynamodb --dynamodb-endpoint … --table …` sets.
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    monkeypatch.setenv("OPENAI_MOCK_DYNAMODB_ENDPOINT", dynamodb_local.endpoint_url)
    monkeypatch.setenv("OPENAI_MOCK_TABLE_NAME", "openai-mock-e2e")
    reset_settings()
    reset_stores()
    cli._ensure_table()  # creates the table the first time, finds it afterwards
    cli._ensure_table()


def test_objects_survive_a_cold_start_and_are_shared(dynamodb_backend: None, mock_app: TemplateRouter) -> None:
    assert isinstance(get_store(), DynamoDBStore)
    client = asgi_client(mock_app, api_key="sk-persistent")
    created = client.files.create(file=("notes.txt", io.BytesIO(b"cats purr"), "text/plain"), purpose="assistants")

    reset_stores()  # a new Lambda container: no cached clients, nothing in memory
    again = asgi_client(mock_app, api_key="sk-persistent")
    assert again.files.retrieve(created.id).filename == "notes.txt"
    assert created.id in [f.id for f in again.files.list()]
    stranger = asgi_client(mock_app, api_key="sk-someone-else")
    assert created.id not in [f.id for f in stranger.files.list()]


def _upload(client: openai.OpenAI, name: str, text: str) -> str:
    return client.files.create(file=(name, io.BytesIO(text.encode()), "text/plain"), purpose="assistants").id


def _sleep_on_the_clock(client: openai.OpenAI) -> None:
    """The SDK's poll helpers sleep between polls: here they advance the mock clock instead."""
    for resource in (client.vector_stores.files, client.vector_stores.file_batches):
        resource._sleep = clock.advance  # type: ignore[method-assign,assignment]


def test_vector_stores_and_file_batches_on_dynamodb_local(dynamodb_backend: None, mock_app: TemplateRouter) -> None:
    clock.freeze(1_750_000_000)
    client = asgi_client(mock_app, api_key="sk-persistent")
    _sleep_on_the_clock(client)
    cats, ships = _upload(client, "cats.txt", "Cats purr when content."), _upload(client, "ships.txt", "Tugboats.")
    store = client.vector_stores.create(name="kb", file_ids=[cats], metadata={"team": "docs"})
    attached = client.vector_stores.files.create_and_poll(
        file_id=ships, vector_store_id=store.id, attributes={"kind": "boats"}
    )
    assert (attached.status, attached.usage_bytes, attached.attributes) == ("completed", 9, {"kind": "boats"})
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("bread.txt", io.BytesIO(b"Knead the dough.")), ("diagram.png", io.BytesIO(b"\x89PNG"))]
    )
    assert (batch.status, batch.file_counts.completed, batch.file_counts.failed) == ("completed", 1, 1)
    pending = [_upload(client, f"late{n}.txt", f"late {n}") for n in range(3)]
    stopped = client.vector_stores.file_batches.create(store.id, file_ids=pending)
    cancelled = client.vector_stores.file_batches.cancel(stopped.id, vector_store_id=store.id)
    assert (cancelled.status, cancelled.file_counts.cancelled) == ("cancelled", 3)
    assert client.vector_stores.search(store.id, query="why do cats purr").data[0].file_id == cats
    client.vector_stores.files.delete(pending[0], vector_store_id=store.id)

    reset_stores()  # a new Lambda container: everything below is read back from DynamoDB Local
    again = asgi_client(mock_app, api_key="sk-persistent")
    kept = again.vector_stores.retrieve(store.id)
    assert kept.file_counts.model_dump() == {"in_progress": 0, "completed": 3, "failed": 1, "cancelled": 2, "total": 6}
    assert (kept.usage_bytes, kept.status, kept.metadata) == (
        len("Cats purr when content.Tugboats.Knead the dough."),
        "completed",
        {"team": "docs"},
    )
    listed = [f.id for f in again.vector_stores.files.list(vector_store_id=store.id, limit=2)]  # 3 pages
    assert len(listed) == len(set(listed)) == 6 and pending[0] not in listed
    in_batch = again.vector_stores.file_batches.list_files(stopped.id, vector_store_id=store.id, filter="cancelled")
    assert sorted(f.id for f in in_batch) == sorted(pending[1:])
    assert again.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).file_counts.total == 2
    assert store.id in [s.id for s in again.vector_stores.list()]
    stranger = asgi_client(mock_app, api_key="sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.vector_stores.retrieve(store.id)

    assert again.vector_stores.delete(store.id).deleted
    with pytest.raises(openai.NotFoundError):
        again.vector_stores.files.list(vector_store_id=store.id)


def test_uploads_and_batches_on_dynamodb_local(dynamodb_backend: None, mock_app: TemplateRouter) -> None:
    clock.freeze(1_750_000_000)
    client = asgi_client(mock_app, api_key="sk-persistent")
    lines = [
        {
            "custom_id": f"q{n}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Question {n}?"}]},
        }
        for n in range(3)
    ]
    lines.append(
        {
            "custom_id": "bad",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": []},
        }
    )
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    # The input file arrives in two parts through the Uploads API.
    upload = client.uploads.create(bytes=len(data), filename="requests.jsonl", mime_type="text/jsonl", purpose="batch")
    parts = [client.uploads.parts.create(upload.id, data=piece).id for piece in (data[:100], data[100:])]
    done = client.uploads.complete(upload.id, part_ids=parts)
    assert done.status == "completed" and done.file is not None and done.file.bytes == len(data)
    batch = client.batches.create(
        input_file_id=done.file.id, endpoint="/v1/chat/completions", completion_window="24h", metadata={"run": "e2e"}
    )

    # A new container finishes the batch from what DynamoDB Local holds. Only the object store is dropped: file
    # bytes live in the memory blob store here, standing in for the S3 bucket a deployment shares.
    get_store.cache_clear()
    clock.advance(10)
    again = asgi_client(mock_app, api_key="sk-persistent")
    finished = again.batches.retrieve(batch.id)
    assert finished.status == "completed" and finished.request_counts is not None
    assert (finished.request_counts.completed, finished.request_counts.failed) == (3, 1)
    assert finished.output_file_id is not None and finished.error_file_id is not None
    answered = [json.loads(line) for line in again.files.content(finished.output_file_id).text.splitlines()]
    assert sorted(record["custom_id"] for record in answered) == ["q0", "q1", "q2"]
    assert all(record["response"]["status_code"] == 200 for record in answered)
    [failed] = [json.loads(line) for line in again.files.content(finished.error_file_id).text.splitlines()]
    assert failed["custom_id"] == "bad" and failed["response"]["status_code"] == 400
    assert batch.id in [b.id for b in again.batches.list()]
    assert again.files.content(done.file.id).content == data  # the upload's bytes, whole and in order
    with pytest.raises(openai.NotFoundError):
        asgi_client(mock_app, api_key="sk-someone-else").batches.retrieve(batch.id)

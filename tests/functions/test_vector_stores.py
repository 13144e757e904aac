"""Vector stores through the official SDK: stores, attached files (processing driven by the clock), file
batches, file content, search relevance and filters; every JSON answer checked against the spec; one path
through the Lambda handler; and the same objects on DynamoDB + S3 (moto), concurrent attaches included."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from functions.vector_stores import app as vector_stores_function
from openai_mock import clock
from openai_mock.generation import tokens
from openai_mock.resources.vector_stores import files as vector_store_files
from openai_mock.resources.vector_stores import params
from openai_mock.resources.vector_stores.search import search
from openai_mock.settings import get_settings, reset_settings
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

TENANT = principal_for_key("sk-test").tenant
AUTH = {"Authorization": "Bearer sk-test"}
T0 = 1_750_000_000

CATS = (
    "Cats are small carnivorous mammals kept as pets. A cat purrs when it is content, grooms its fur "
    "with a rough tongue and sleeps up to sixteen hours a day. Kittens open their eyes after a week."
)
SHIPS = (
    "Container ships carry cargo across the ocean between harbours. The harbour pilot boards the vessel "
    "and steers it through the channel; tugboats push the hull to the berth."
)
BREAD = (
    "Sourdough bread rises with a starter of wild yeast and lactic bacteria. Knead the dough, let it "
    "proof overnight and bake it in a hot oven until the crust is dark."
)


@pytest.fixture(autouse=True)
def frozen() -> None:
    clock.freeze(T0)


def _upload(client: openai.OpenAI, name: str, data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return client.files.create(file=(name, io.BytesIO(raw)), purpose="assistants").id


def _processed() -> None:
    clock.advance(get_settings().vector_store_processing_seconds)


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def _sleep_on_the_clock(client: openai.OpenAI) -> list[float]:
    """The SDK's poll helpers sleep between polls: make their sleeps advance the mock clock instead."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    for resource in (client.vector_stores.files, client.vector_stores.file_batches):
        resource._sleep = sleep  # type: ignore[method-assign]
    return slept


# --------------------------------------------------------------------------- spec conformance, every operation


def test_every_operation_answers_spec_shaped_json(http: TestClient) -> None:
    def call(method: str, path: str, json: dict[str, Any] | None = None, **query: Any) -> dict[str, Any]:
        response = http.request(method, path, headers=AUTH, json=json, params=query or None)
        assert response.status_code == 200, response.text
        assert_conforms(method, path, 200, response.json())
        return response.json()  # type: ignore[no-any-return]

    file_id = http.post(
        "/v1/files", headers=AUTH, files={"file": ("cats.txt", CATS.encode())}, data={"purpose": "assistants"}
    ).json()["id"]
    other_id = http.post(
        "/v1/files", headers=AUTH, files={"file": ("ships.txt", SHIPS.encode())}, data={"purpose": "assistants"}
    ).json()["id"]
    store = call(
        "POST",
        "/v1/vector_stores",
        {"name": "kb", "metadata": {"team": "docs"}, "expires_after": {"anchor": "last_active_at", "days": 7}},
    )
    vs = f"/v1/vector_stores/{store['id']}"
    call("GET", "/v1/vector_stores", limit=5)
    call("GET", vs)
    call("POST", vs, {"name": "renamed"})
    call("POST", f"{vs}/files", {"file_id": file_id, "attributes": {"animal": True}})
    batch = call(
        "POST",
        f"{vs}/file_batches",
        {
            "file_ids": [other_id],
            "chunking_strategy": {
                "type": "static",
                "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50},
            },
        },
    )
    call("GET", f"{vs}/file_batches/{batch['id']}")
    call("GET", f"{vs}/file_batches/{batch['id']}/files", filter="in_progress")
    call("POST", f"{vs}/file_batches/{batch['id']}/cancel")
    _processed()
    call("GET", f"{vs}/files", filter="completed")
    call("GET", f"{vs}/files/{file_id}")
    call("POST", f"{vs}/files/{file_id}", {"attributes": {"animal": "cat", "legs": 4}})
    call("GET", f"{vs}/files/{file_id}/content")
    call(
        "POST",
        f"{vs}/search",
        {
            "query": "cats",
            "filters": {"type": "eq", "key": "legs", "value": 4},
            "ranking_options": {"ranker": "auto", "score_threshold": 0.1},
        },
    )
    call("DELETE", f"{vs}/files/{file_id}")
    call("DELETE", vs)


def test_a_new_store_reports_exact_counts_and_its_expiry_policy(client: openai.OpenAI, http: TestClient) -> None:
    created = http.post(
        "/v1/vector_stores",
        headers=AUTH,
        json={
            "name": "handbook",
            "file_ids": [_upload(client, "cats.txt", CATS), _upload(client, "ships.md", SHIPS)],
            "expires_after": {"anchor": "last_active_at", "days": 2},
        },
    ).json()
    assert_conforms("POST", "/v1/vector_stores", 200, created)
    assert created["id"].startswith("vs_")
    assert {
        key: created[key]
        for key in (
            "object",
            "name",
            "status",
            "usage_bytes",
            "file_counts",
            "created_at",
            "last_active_at",
            "expires_at",
            "expires_after",
            "metadata",
        )
    } == {
        "object": "vector_store",
        "name": "handbook",
        "status": "in_progress",
        "usage_bytes": 0,
        "file_counts": {"in_progress": 2, "completed": 0, "failed": 0, "cancelled": 0, "total": 2},
        "created_at": T0,
        "last_active_at": T0,
        "expires_at": T0 + 2 * 86400,
        "expires_after": {"anchor": "last_active_at", "days": 2},
        "metadata": {},
    }
    _processed()
    done = client.vector_stores.retrieve(created["id"])
    assert done.status == "completed"
    assert done.file_counts.completed == 2 and done.file_counts.in_progress == 0
    assert done.usage_bytes == len(CATS.encode()) + len(SHIPS.encode())


# --------------------------------------------------------------------------- stores


def test_list_modify_and_delete_stores(client: openai.OpenAI) -> None:
    ids = [client.vector_stores.create(name=f"store {n}").id for n in range(3)]
    page = client.vector_stores.list(limit=2)
    assert [store.id for store in page.data] == ids[::-1][:2] and page.has_more
    assert [store.id for store in client.vector_stores.list(order="asc", after=ids[0])] == ids[1:]

    clock.advance(60)
    renamed = client.vector_stores.update(
        ids[0], name="faq", metadata={"owner": "ana"}, expires_after={"anchor": "last_active_at", "days": 1}
    )
    assert (renamed.name, renamed.metadata, renamed.last_active_at) == ("faq", {"owner": "ana"}, T0 + 60)
    assert renamed.expires_at == T0 + 60 + 86400
    cleared = client.vector_stores.update(ids[0], expires_after=None)
    assert cleared.expires_after is None and cleared.expires_at is None and cleared.name == "faq"

    deleted = client.vector_stores.delete(ids[0])
    assert (deleted.id, deleted.object, deleted.deleted) == (ids[0], "vector_store.deleted", True)
    with pytest.raises(openai.NotFoundError) as raised:
        client.vector_stores.retrieve(ids[0])
    assert _error(raised)["message"] == f"No vector store found with id '{ids[0]}'."


def test_a_store_expires_after_its_idle_days_and_refuses_search(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="short", expires_after={"anchor": "last_active_at", "days": 1})
    clock.advance(86400)
    assert client.vector_stores.retrieve(store.id).status == "expired"
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.search(store.id, query="anything")
    assert _error(raised)["code"] == "vector_store_expired"


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"metadata": {f"k{n}": "v" for n in range(17)}}, "metadata", "object_above_max_properties"),
        ({"metadata": {"k": "v" * 513}}, "metadata.k", "string_above_max_length"),
        ({"expires_after": {"anchor": "created_at", "days": 1}}, "expires_after.anchor", "invalid_value"),
        ({"expires_after": {"anchor": "last_active_at", "days": 366}}, "expires_after.days", "integer_above_max_value"),
        ({"file_ids": ["f"] * 501}, "file_ids", "array_above_max_length"),
        (
            {
                "chunking_strategy": {
                    "type": "static",
                    "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0},
                }
            },
            "chunking_strategy.static.max_chunk_size_tokens",
            "integer_below_min_value",
        ),
        (
            {
                "chunking_strategy": {
                    "type": "static",
                    "static": {"max_chunk_size_tokens": 4097, "chunk_overlap_tokens": 0},
                }
            },
            "chunking_strategy.static.max_chunk_size_tokens",
            "integer_above_max_value",
        ),
        (
            {
                "chunking_strategy": {
                    "type": "static",
                    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 401},
                }
            },
            "chunking_strategy.static.chunk_overlap_tokens",
            "invalid_value",
        ),
        ({"chunking_strategy": {"type": "static"}}, "chunking_strategy.static", "missing_required_parameter"),
        ({"chunking_strategy": {"type": "semantic"}}, "chunking_strategy.type", "invalid_value"),
        ({"colour": "blue"}, "colour", "unknown_parameter"),
    ],
)
def test_create_rejects_what_the_real_api_rejects(http: TestClient, body: dict, param: str, code: str) -> None:
    response = http.post("/v1/vector_stores", headers=AUTH, json=body)
    assert response.status_code == 400, response.text
    assert (response.json()["error"]["param"], response.json()["error"]["code"]) == (param, code)
    assert http.get("/v1/vector_stores", headers=AUTH).json()["data"] == []  # nothing half-written


def test_an_unknown_file_is_a_404_and_creates_nothing(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.vector_stores.create(name="x", file_ids=[_upload(client, "cats.txt", CATS), "file-nope"])
    assert _error(raised)["param"] == "file_ids"
    assert list(client.vector_stores.list()) == []


def test_stores_belong_to_their_tenant(client_for) -> None:  # type: ignore[no-untyped-def]
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    store = owner.vector_stores.create(name="private")
    assert list(stranger.vector_stores.list()) == []
    with pytest.raises(openai.NotFoundError):
        stranger.vector_stores.retrieve(store.id)
    with pytest.raises(openai.NotFoundError):
        stranger.vector_stores.search(store.id, query="x")


# --------------------------------------------------------------------------- files in a store


def test_upload_and_poll_waits_on_the_clock_until_completed(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    slept = _sleep_on_the_clock(client)
    attached = client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("cats.txt", io.BytesIO(CATS.encode()))
    )
    assert attached.status == "completed" and attached.last_error is None
    assert attached.usage_bytes == len(CATS.encode())
    # The SDK waited as long as the `openai-poll-after-ms` header told it to: exactly the processing time.
    assert sum(slept) == pytest.approx(get_settings().vector_store_processing_seconds)
    assert client.files.retrieve(attached.id).filename == "cats.txt"


def test_processing_time_is_configurable(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_VECTOR_STORE_PROCESSING_SECONDS", "5")
    reset_settings()
    store = client.vector_stores.create(name="kb")
    attached = client.vector_stores.files.create(vector_store_id=store.id, file_id=_upload(client, "a.txt", CATS))
    raw = client.vector_stores.files.with_raw_response.retrieve(attached.id, vector_store_id=store.id)
    assert raw.parse().status == "in_progress" and raw.headers["openai-poll-after-ms"] == "5000"
    clock.advance(4.9)
    assert client.vector_stores.files.retrieve(attached.id, vector_store_id=store.id).status == "in_progress"
    clock.advance(0.1)
    raw = client.vector_stores.files.with_raw_response.retrieve(attached.id, vector_store_id=store.id)
    assert raw.parse().status == "completed" and "openai-poll-after-ms" not in raw.headers


def test_files_that_are_not_text_fail_with_a_realistic_error(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    slept = _sleep_on_the_clock(client)
    png = client.vector_stores.files.create_and_poll(
        vector_store_id=store.id, file_id=_upload(client, "diagram.png", b"\x89PNG\r\n\x1a\n" + bytes(64))
    )
    assert png.status == "failed" and png.last_error is not None and png.usage_bytes == 0
    assert png.last_error.code == "unsupported_file" and "[.png]" in png.last_error.message
    binary = client.vector_stores.files.create_and_poll(
        vector_store_id=store.id, file_id=_upload(client, "notes.txt", b"\xff\xfe\x00\x01" * 10)
    )
    assert binary.status == "failed" and binary.last_error is not None
    assert binary.last_error.code == "invalid_file"
    assert slept
    counts = client.vector_stores.retrieve(store.id).file_counts
    assert (counts.failed, counts.completed, counts.total) == (2, 0, 2)
    assert client.vector_stores.files.content(png.id, vector_store_id=store.id).data == []


def test_docx_text_is_extracted(client: openai.OpenAI) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            "<w:document><w:body><w:p><w:r><w:t>Quarterly revenue grew.</w:t></w:r></w:p></w:body></w:document>",
        )
    store = client.vector_stores.create(name="kb", file_ids=[_upload(client, "report.docx", buffer.getvalue())])
    _processed()
    [only] = client.vector_stores.files.list(vector_store_id=store.id)
    assert only.status == "completed"
    assert [part.text for part in client.vector_stores.files.content(only.id, vector_store_id=store.id)] == [
        "Quarterly revenue grew."
    ]


def test_attributes_filter_list_update_and_detach(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    first = client.vector_stores.files.create(
        vector_store_id=store.id,
        file_id=_upload(client, "cats.txt", CATS),
        attributes={"topic": "pets", "year": 2024, "public": True},
    )
    assert first.attributes == {"topic": "pets", "year": 2024, "public": True}
    _processed()
    second = client.vector_stores.files.create(vector_store_id=store.id, file_id=_upload(client, "ships.txt", SHIPS))
    assert [f.id for f in client.vector_stores.files.list(vector_store_id=store.id, filter="completed")] == [first.id]
    assert [f.id for f in client.vector_stores.files.list(vector_store_id=store.id, filter="in_progress")] == [
        second.id
    ]
    page = client.vector_stores.files.list(vector_store_id=store.id, limit=1, order="asc")
    assert [f.id for f in page.data] == [first.id] and page.has_more

    updated = client.vector_stores.files.update(first.id, vector_store_id=store.id, attributes={"topic": "cats"})
    assert updated.attributes == {"topic": "cats"}

    deleted = client.vector_stores.files.delete(first.id, vector_store_id=store.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (first.id, "vector_store.file.deleted", True)
    assert client.files.retrieve(first.id).id == first.id  # detached, not deleted
    counts = client.vector_stores.retrieve(store.id)
    assert (counts.file_counts.total, counts.file_counts.in_progress, counts.usage_bytes) == (1, 1, 0)
    with pytest.raises(openai.NotFoundError) as raised:
        client.vector_stores.files.retrieve(first.id, vector_store_id=store.id)
    assert _error(raised)["message"] == f"No file found with id '{first.id}' in vector store '{store.id}'."


@pytest.mark.parametrize(
    ("attributes", "param", "code"),
    [
        ({f"k{n}": n for n in range(17)}, "attributes", "object_above_max_properties"),
        ({"k" * 65: 1}, "attributes", "string_above_max_length"),
        ({"tags": ["a", "b"]}, "attributes.tags", "invalid_type"),
        ({"note": "x" * 513}, "attributes.note", "string_above_max_length"),
    ],
)
def test_attributes_are_validated(client: openai.OpenAI, attributes: dict, param: str, code: str) -> None:
    store = client.vector_stores.create(name="kb")
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.files.create(
            vector_store_id=store.id, file_id=_upload(client, "a.txt", CATS), attributes=attributes
        )
    assert (_error(raised)["param"], _error(raised)["code"]) == (param, code)
    assert client.vector_stores.retrieve(store.id).file_counts.total == 0


def test_static_chunking_cuts_overlapping_token_windows(client: openai.OpenAI) -> None:
    text = " ".join(f"Sentence number {n} talks about topic {n % 7}." for n in range(120))
    store = client.vector_stores.create(name="kb")
    attached = client.vector_stores.files.create(
        vector_store_id=store.id,
        file_id=_upload(client, "long.txt", text),
        chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 50}},
    )
    assert attached.chunking_strategy is not None and attached.chunking_strategy.type == "static"
    _processed()
    chunks = [part.text for part in client.vector_stores.files.content(attached.id, vector_store_id=store.id)]
    total = tokens.count_tokens(text, "text-embedding-3-large")
    assert len(chunks) == (total - 100 + 49) // 50 + 1
    assert all(tokens.count_tokens(chunk, "text-embedding-3-large") <= 101 for chunk in chunks)
    assert chunks[0].startswith("Sentence number 0") and chunks[-1].endswith("topic 0.")
    assert chunks[1][:20] in chunks[0]  # windows overlap


def test_unknown_status_filter_is_rejected(http: TestClient, client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    response = http.get(f"/v1/vector_stores/{store.id}/files?filter=done", headers=AUTH)
    assert response.status_code == 400 and response.json()["error"]["param"] == "filter"


# --------------------------------------------------------------------------- file batches


def test_file_batch_upload_and_poll(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    _sleep_on_the_clock(client)
    existing = _upload(client, "bread.txt", BREAD)
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[("cats.txt", io.BytesIO(CATS.encode())), ("ships.txt", io.BytesIO(SHIPS.encode()))],
        file_ids=[existing],
    )
    assert batch.status == "completed" and batch.object == "vector_store.files_batch"
    assert (batch.file_counts.completed, batch.file_counts.total) == (3, 3)
    listed = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert len(listed.data) == 3 and existing in [f.id for f in listed.data]
    assert client.vector_stores.retrieve(store.id).file_counts.completed == 3


def test_cancelling_a_batch_stops_its_pending_files(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    ids = [_upload(client, f"doc{n}.txt", CATS) for n in range(3)]
    batch = client.vector_stores.file_batches.create(store.id, file_ids=ids, attributes={"source": "wiki"})
    assert batch.status == "in_progress" and batch.file_counts.in_progress == 3
    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled" and cancelled.file_counts.cancelled == 3
    _processed()
    assert client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store.id).status == "cancelled"
    assert client.vector_stores.retrieve(store.id).file_counts.cancelled == 3
    assert all(
        f.status == "cancelled"
        for f in client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id, filter="cancelled")
    )
    assert client.vector_stores.search(store.id, query="cats").data == []
    with pytest.raises(openai.BadRequestError) as raised:
        client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    assert _error(raised)["param"] == "batch_id"


def test_a_batch_needs_file_ids(http: TestClient, client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="kb")
    response = http.post(f"/v1/vector_stores/{store.id}/file_batches", headers=AUTH, json={"file_ids": []})
    assert response.status_code == 400 and response.json()["error"]["code"] == "empty_array"
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.file_batches.retrieve("vsfb_nope", vector_store_id=store.id)


# --------------------------------------------------------------------------- search


def _library(client: openai.OpenAI) -> str:
    store = client.vector_stores.create(name="library")
    for name, text, attributes in (
        ("cats.txt", CATS, {"topic": "animals", "pages": 3, "draft": False}),
        ("ships.txt", SHIPS, {"topic": "transport", "pages": 12, "draft": True}),
        ("bread.txt", BREAD, {"topic": "food", "pages": 5, "draft": False}),
    ):
        client.vector_stores.files.create(
            vector_store_id=store.id, file_id=_upload(client, name, text), attributes=attributes
        )
    _processed()
    return store.id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("why do cats purr", "cats.txt"),
        ("how long do kittens sleep", "cats.txt"),
        ("who steers the vessel into the harbour", "ships.txt"),
        ("baking sourdough with a starter", "bread.txt"),
    ],
)
def test_search_ranks_the_relevant_document_first(client: openai.OpenAI, query: str, expected: str) -> None:
    results = client.vector_stores.search(_library(client), query=query).data
    assert results[0].filename == expected
    scores = [result.score for result in results]
    assert scores == sorted(scores, reverse=True) and all(0 <= score <= 1 for score in scores)
    assert results[0].score > results[1].score + 0.1  # a clear winner, not a tie
    assert results[0].content[0].type == "text" and results[0].content[0].text in (CATS, SHIPS, BREAD)


def test_search_filters_on_attributes(client: openai.OpenAI) -> None:
    store = _library(client)

    def names(filters: dict[str, Any]) -> set[str]:
        return {r.filename for r in client.vector_stores.search(store, query="cats", filters=filters)}  # type: ignore[arg-type]

    assert names({"type": "eq", "key": "topic", "value": "food"}) == {"bread.txt"}
    assert names({"type": "ne", "key": "draft", "value": True}) == {"cats.txt", "bread.txt"}
    assert names({"type": "gte", "key": "pages", "value": 5}) == {"ships.txt", "bread.txt"}
    assert names({"type": "lt", "key": "pages", "value": 5}) == {"cats.txt"}
    assert names(
        {
            "type": "and",
            "filters": [{"type": "gt", "key": "pages", "value": 2}, {"type": "lte", "key": "pages", "value": 5}],
        }
    ) == {"cats.txt", "bread.txt"}
    assert names(
        {
            "type": "or",
            "filters": [
                {"type": "eq", "key": "topic", "value": "transport"},
                {"type": "eq", "key": "missing", "value": 1},
            ],
        }
    ) == {"ships.txt"}


def test_search_options(client: openai.OpenAI, http: TestClient) -> None:
    store = _library(client)
    page = client.vector_stores.search(store, query=["purring cats", "tugboats"], max_num_results=2)
    assert {r.filename for r in page.data} == {"cats.txt", "ships.txt"}
    strict = client.vector_stores.search(store, query="cats purr", ranking_options={"score_threshold": 0.4})
    assert [r.filename for r in strict.data] == ["cats.txt"]
    rewritten = http.post(
        f"/v1/vector_stores/{store}/search",
        headers=AUTH,
        json={"query": "What is the best way to bake bread?", "rewrite_query": True},
    ).json()
    assert rewritten["search_query"] == ["best way bake bread"]
    assert rewritten["data"][0]["filename"] == "bread.txt"
    plain = http.post(f"/v1/vector_stores/{store}/search", headers=AUTH, json={"query": "bread"}).json()
    assert plain["search_query"] == ["bread"] and plain["has_more"] is False and plain["next_page"] is None


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"query": "x", "max_num_results": 0}, "max_num_results"),
        ({"query": "x", "max_num_results": 51}, "max_num_results"),
        ({"query": "x", "ranking_options": {"score_threshold": 1.5}}, "ranking_options.score_threshold"),
        ({"query": "x", "ranking_options": {"ranker": "best"}}, "ranking_options.ranker"),
        ({"query": "x", "filters": {"type": "near", "key": "a", "value": 1}}, "filters.type"),
        (
            {"query": "x", "filters": {"type": "and", "filters": [{"type": "eq", "key": "a", "value": [1]}]}},
            "filters.filters[0].value",
        ),
        ({"query": []}, "query"),
        ({}, "query"),
    ],
)
def test_search_rejects_bad_requests(client: openai.OpenAI, http: TestClient, body: dict, param: str) -> None:
    store = client.vector_stores.create(name="kb")
    response = http.post(f"/v1/vector_stores/{store.id}/search", headers=AUTH, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param


def test_the_layer_search_spans_several_stores(client: openai.OpenAI) -> None:
    first = _library(client)
    second = client.vector_stores.create(
        name="more", file_ids=[_upload(client, "dogs.txt", "Dogs bark at the mailman.")]
    ).id
    _processed()
    results = search(TENANT, [first, second], "dogs bark", max_num_results=2)
    assert results[0]["filename"] == "dogs.txt" and len(results) == 2
    assert set(results[0]) == {"file_id", "filename", "score", "attributes", "content"}


# --------------------------------------------------------------------------- Lambda, concurrency, persistence


def test_a_store_through_the_lambda_handler(client: openai.OpenAI) -> None:
    sdk = lambda_client(vector_stores_function.handler, "v1")  # type: ignore[arg-type]
    store = sdk.vector_stores.create(name="lambda", metadata={"via": "apigw"})
    assert sdk.vector_stores.retrieve(store.id).metadata == {"via": "apigw"}
    attached = sdk.vector_stores.files.create(vector_store_id=store.id, file_id=_upload(client, "c.txt", CATS))
    _processed()
    assert sdk.vector_stores.search(store.id, query="cats").data[0].file_id == attached.id


def _attach_concurrently(client: openai.OpenAI, count: int) -> None:
    store = client.vector_stores.create(name="busy")
    ids = [_upload(client, f"doc{n}.txt", f"Document {n} about topic {n}.") for n in range(count)]
    body = [params.CreateVectorStoreFileRequest(file_id=file_id) for file_id in ids]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda request: vector_store_files.create_file(TENANT, store.id, request), body))
    counts = client.vector_stores.retrieve(store.id).file_counts
    assert (counts.in_progress, counts.total) == (count, count)
    _processed()
    done = client.vector_stores.retrieve(store.id)
    assert (done.file_counts.completed, done.status) == (count, "completed")
    assert done.usage_bytes == sum(len(f"Document {n} about topic {n}.") for n in range(count))


def test_concurrent_attaches_keep_exact_counts(client: openai.OpenAI) -> None:
    _attach_concurrently(client, 16)


def test_vector_stores_on_dynamodb_and_s3(client: openai.OpenAI, moto_persistence: None) -> None:
    assert type(get_store()).__name__ == "DynamoDBStore" and type(get_blobs()).__name__ == "S3BlobStore"
    store = _library(client)
    assert client.vector_stores.search(store, query="why do cats purr").data[0].filename == "cats.txt"
    assert client.vector_stores.retrieve(store).file_counts.completed == 3
    _attach_concurrently(client, 6)  # optimistic updates against DynamoDB's conditional writes
    client.vector_stores.delete(store)
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.files.list(vector_store_id=store)

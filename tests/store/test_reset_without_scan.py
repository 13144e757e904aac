"""Reset on DynamoDB (moto and DynamoDB Local): `delete_tenant` finds the tenant's items through its collection
index with Queries, removes every object and counter of that tenant, nothing of another, and never Scans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from openai_mock.store.dynamodb import INDEX_COLLECTION, DynamoDBStore, create_table
from tests.support.dynamodb_local import DynamoDBLocal

TABLE = "openai-mock-reset"
MINE, OTHER = "tenant-a", "tenant-b"
COLLECTIONS = ("file", "batch", "eval.run.output_item/evalrun_1", "chat.completion")


class RecordingClient:
    """The boto3 client, with every operation it is asked for written down."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.operations: list[str] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if not callable(found) or name.startswith("_") or name in ("exceptions", "meta", "get_waiter"):
            return found

        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.operations.append(name)
            return found(*args, **kwargs)

        return recorded


@pytest.fixture(params=["moto", "dynamodb-local"])
def client(request: pytest.FixtureRequest, aws_credentials: None) -> Iterator[Any]:
    if request.param == "moto":
        with mock_aws():
            real = boto3.client("dynamodb", region_name="us-east-1")
            create_table(real, TABLE)
            yield real
    else:
        server: DynamoDBLocal = request.getfixturevalue("dynamodb_local")
        real = server.client()
        table = f"{TABLE}-{request.node.name}".replace("[", "-").replace("]", "")[:200]
        create_table(real, table)
        request.node.table = table
        yield real
        real.delete_table(TableName=table)


def _table(request: pytest.FixtureRequest) -> str:
    return getattr(request.node, "table", TABLE)


def _fill(store: DynamoDBStore, tenant: str, objects: int = 3, prefix: str = "") -> None:
    for collection in COLLECTIONS:
        for index in range(objects):
            store.create(tenant, collection, {"id": f"{prefix}{collection}-{index}", "tenant": tenant})
    store.increment(tenant, "ratelimit", "gpt-4o#minute", {"requests": 1, "tokens": 30}, expires_in=60)


def _objects(store: DynamoDBStore, tenant: str) -> dict[str, list[str]]:
    return {
        collection: [obj["id"] for obj in store.list(tenant, collection, limit=100, order="asc").items]
        for collection in COLLECTIONS
    }


def test_reset_removes_one_tenant_by_queries_only(client: Any, request: pytest.FixtureRequest) -> None:
    recording = RecordingClient(client)
    store = DynamoDBStore(_table(request), recording)
    _fill(store, MINE)
    _fill(store, OTHER)
    other_before = _objects(store, OTHER)
    recording.operations.clear()

    removed = store.delete_tenant(MINE)

    assert removed == len(COLLECTIONS) * 3 + 1  # every object and the counter
    assert "scan" not in recording.operations and "query" in recording.operations
    assert _objects(store, MINE) == {collection: [] for collection in COLLECTIONS}
    counted = store.increment(MINE, "ratelimit", "gpt-4o#minute", {"requests": 1}, expires_in=60)
    assert counted.values["requests"] == 1  # the counter started over
    assert _objects(store, OTHER) == other_before  # nothing of the other tenant
    assert other_before["file"] == ["file-0", "file-1", "file-2"]
    assert store.increment(OTHER, "ratelimit", "gpt-4o#minute", {"requests": 1}).values["requests"] == 2
    # What is left of the tenant in the table: its index, and the counter written after the reset.
    left = client.scan(TableName=_table(request))["Items"]
    mine = sorted(item["pk"]["S"] for item in left if item["pk"]["S"].startswith(f"{MINE}#"))
    assert set(mine) == {f"{MINE}#{INDEX_COLLECTION}", f"{MINE}#ratelimit"}


def test_items_written_by_another_process_after_a_reset_are_found_by_the_next(
    client: Any, request: pytest.FixtureRequest
) -> None:
    first, second = DynamoDBStore(_table(request), client), DynamoDBStore(_table(request), client)
    _fill(first, MINE)
    _fill(second, MINE, objects=1, prefix="second-")  # the second process has indexed these collections too
    assert first.delete_tenant(MINE) == len(COLLECTIONS) * 4 + 1
    second.create(MINE, "file", {"id": "file-late"})  # it remembers having indexed "file": no new index write
    second.create(MINE, "vector_store", {"id": "vs_1"})  # a collection nobody had written
    assert first.delete_tenant(MINE) == 2
    assert second.get(MINE, "file", "file-late") is None and second.get(MINE, "vector_store", "vs_1") is None


def test_a_collection_is_indexed_once_per_process(client: Any, request: pytest.FixtureRequest) -> None:
    recording = RecordingClient(client)
    store = DynamoDBStore(_table(request), recording)
    for index in range(5):
        store.create(MINE, "file", {"id": f"file-{index}"})
    assert recording.operations.count("put_item") == 6  # five objects, one index item

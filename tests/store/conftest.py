"""The same store suite runs on every backend: memory, SQLite, DynamoDB under moto, and DynamoDB Local."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from openai_mock.store.base import ObjectStore
from openai_mock.store.dynamodb import DynamoDBStore, create_table
from openai_mock.store.memory import MemoryStore
from openai_mock.store.sqlite import SQLiteStore
from tests.support.dynamodb_local import DynamoDBLocal
from tests.support.moto_isolation import isolated_mock_aws

TABLE = "openai-mock-test"


@pytest.fixture(params=["memory", "sqlite", "moto", "dynamodb-local"])
def store(request: pytest.FixtureRequest, aws_credentials: None, tmp_path: Path) -> Iterator[ObjectStore]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite":
        yield SQLiteStore(tmp_path / "store.sqlite3")
    elif request.param == "moto":
        with isolated_mock_aws():
            client = boto3.client("dynamodb", region_name="us-east-1")
            create_table(client, TABLE)
            yield DynamoDBStore(TABLE, client)
    else:
        server: DynamoDBLocal = request.getfixturevalue("dynamodb_local")
        client = server.client()
        table = f"{TABLE}-{request.node.name}".replace("[", "-").replace("]", "")[:200]
        create_table(client, table)
        yield DynamoDBStore(table, client)
        client.delete_table(TableName=table)

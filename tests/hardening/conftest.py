"""Backends for the hardening tests: memory, DynamoDB (+ S3) under moto, and DynamoDB Local."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from openai_mock.settings import reset_settings
from openai_mock.store import reset_stores
from openai_mock.store.dynamodb import create_table
from tests.support.dynamodb_local import (
    DUMMY_ACCESS_KEY_ID,
    DUMMY_SECRET_ACCESS_KEY,
    DynamoDBLocal,
    dynamodb_local_unavailable_reason,
)

TABLE, BUCKET = "openai-mock-hardening", "openai-mock-hardening-blobs"


def _fake_credentials(monkeypatch: pytest.MonkeyPatch, key: str, secret: str) -> None:
    """Dummy credentials only, so nothing here can ever reach a real AWS account."""
    for name, value in {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The whole mock on the in-memory store, then on DynamoDB + S3 (moto), as Lambda with persistence."""
    if request.param == "memory":
        yield "memory"
        return
    _fake_credentials(monkeypatch, "testing", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
        monkeypatch.setenv("OPENAI_MOCK_TABLE_NAME", TABLE)
        monkeypatch.setenv("OPENAI_MOCK_BUCKET_NAME", BUCKET)
        reset_settings()
        reset_stores()
        yield "dynamodb"


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    reason = dynamodb_local_unavailable_reason()
    if reason is not None:
        pytest.skip(f"DynamoDB Local unavailable ({reason}); run `make dynamodb-local`")
    with DynamoDBLocal() as server:
        yield server


@pytest.fixture
def on_dynamodb_local(dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch,
                      request: pytest.FixtureRequest) -> Iterator[str]:
    """The whole mock on DynamoDB Local (file bytes stay in the memory blob store: no S3 here)."""
    _fake_credentials(monkeypatch, DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)
    table = f"{TABLE}-{request.node.name}".replace("[", "-").replace("]", "")[:200]
    client = dynamodb_local.client()
    create_table(client, table)
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    monkeypatch.setenv("OPENAI_MOCK_DYNAMODB_ENDPOINT", dynamodb_local.endpoint_url)
    monkeypatch.setenv("OPENAI_MOCK_TABLE_NAME", table)
    reset_settings()
    reset_stores()
    yield table
    reset_stores()
    client.delete_table(TableName=table)

"""Fixtures every group's tests reuse: fresh layer state per test, the whole mock built from
template.yaml, and official SDK clients bound to it (in-process) or to a function's Lambda handler."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter, build_app
from openai_mock.resources import ratelimits
from openai_mock.settings import reset_settings
from openai_mock.store import copies, reset_stores
from openai_mock.store.dynamodb import create_table
from tests.support.dynamodb_local import (
    DUMMY_ACCESS_KEY_ID,
    DUMMY_SECRET_ACCESS_KEY,
    DynamoDBLocal,
    dynamodb_local_unavailable_reason,
)
from tests.support.moto_isolation import isolated_mock_aws
from tests.support.sdk import asgi_client

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template.yaml"


@pytest.fixture(autouse=True)
def fresh_layer_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings, objects or pinned time leak from one test into the next."""
    for name in list(os.environ):
        if name.startswith("OPENAI_MOCK_"):
            monkeypatch.delenv(name)
    reset_settings()
    reset_stores()
    clock.reset()
    ratelimits.reset()
    copies.forget_all()  # the process's copies of tenants' fixtures and fine-tuned models
    yield
    reset_settings()
    reset_stores()
    clock.reset()
    ratelimits.reset()
    copies.forget_all()


@pytest.fixture(scope="session")
def mock_app() -> TemplateRouter:
    """Every function of template.yaml behind one router, exactly as `openai-mock serve` runs them."""
    return build_app(TEMPLATE)


@pytest.fixture
def http(mock_app: TemplateRouter) -> TestClient:
    """Raw HTTP access, for what the SDK will not send (bad JSON, missing key, odd methods)."""
    return TestClient(mock_app, base_url="http://testserver")


@pytest.fixture
def client(mock_app: TemplateRouter) -> openai.OpenAI:
    return asgi_client(mock_app)


@pytest.fixture
def admin_client(mock_app: TemplateRouter) -> openai.OpenAI:
    # openai 2.x sends /organization/* calls with `admin_api_key`, everything else with `api_key`.
    key = "sk-admin-test-organization"
    return asgi_client(mock_app, api_key=key, admin_api_key=key)


@pytest.fixture
def client_for(mock_app: TemplateRouter) -> Callable[[str], openai.OpenAI]:
    """Clients for other API keys (= other tenants)."""
    return lambda api_key: asgi_client(mock_app, api_key=api_key)


# --------------------------------------------------------------------------- persistence backends

MOTO_TABLE, MOTO_BUCKET = "openai-mock-test", "openai-mock-test-blobs"


def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch, key: str = "testing", secret: str = "testing") -> None:
    """Dummy credentials only, so nothing here can ever reach a real AWS account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws_credentials(monkeypatch)


@pytest.fixture
def moto_persistence(monkeypatch: pytest.MonkeyPatch, aws_credentials: None) -> Iterator[None]:
    """The whole mock as Lambda runs it with EnablePersistence=true: DynamoDB + S3, under moto."""
    with isolated_mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=MOTO_BUCKET)
        create_table(boto3.client("dynamodb", region_name="us-east-1"), MOTO_TABLE)
        monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
        monkeypatch.setenv("OPENAI_MOCK_TABLE_NAME", MOTO_TABLE)
        monkeypatch.setenv("OPENAI_MOCK_BUCKET_NAME", MOTO_BUCKET)
        reset_settings()
        reset_stores()
        yield


@pytest.fixture
def on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The whole mock on the SQLite store, a database file per test (file bytes in a folder beside it)."""
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("OPENAI_MOCK_STORE", "sqlite")
    monkeypatch.setenv("OPENAI_MOCK_SQLITE_PATH", str(path))
    reset_settings()
    reset_stores()
    yield path
    reset_stores()


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    reason = dynamodb_local_unavailable_reason()
    if reason is not None:
        pytest.skip(f"DynamoDB Local unavailable ({reason}); run `make dynamodb-local`")
    with DynamoDBLocal() as server:
        yield server


@pytest.fixture
def on_dynamodb_local(
    dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The whole mock on DynamoDB Local, a table per test (file bytes stay in the memory blob store: no S3)."""
    fake_aws_credentials(monkeypatch, DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)
    table = f"openai-mock-{request.node.name}".replace("[", "-").replace("]", "")[:200]
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

"""The whole mock on the DynamoDB backend (DynamoDB Local), as `openai-mock serve --store dynamodb` and
Lambda with EnablePersistence=true run it: state outlives the process-local caches and is shared by
functions."""

from __future__ import annotations

import io

import pytest

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

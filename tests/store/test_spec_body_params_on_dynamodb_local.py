"""The effects of the request properties the 2026-08-21 spec added (tests/functions/test_spec_body_params_admin.py)
hold across Lambda containers on DynamoDB Local: each is written by one container and read by the next, so they
are items of the table, not a container's memory."""

from __future__ import annotations

import io
import json

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client

NOW = 1_780_000_000


def test_admin_and_project_properties_hold_in_another_container(
    on_dynamodb_local: str, mock_app: TemplateRouter
) -> None:
    clock.freeze(NOW)
    admin = org_client(mock_app)
    assert isinstance(get_store(), DynamoDBStore)
    key = admin.admin.organization.admin_api_keys.create(name="short", expires_in_seconds=60)
    project = admin.admin.organization.projects.create(name="Tokyo", residency="JP_STORAGE")
    account = admin.admin.organization.projects.service_accounts.create(
        project.id, name="bot", create_service_account_only=True
    )
    elena = next(u for u in admin.admin.organization.users.list() if u.email == "elena.petrova@example.com")
    admin.admin.organization.users.update(elena.id, developer_persona="data", technical_level="beginner")
    admin.admin.organization.projects.users.create(project.id, role="member", email=elena.email)

    reset_stores()  # another container
    admin = org_client(mock_app)
    shown = admin.admin.organization.projects.with_raw_response.retrieve(project.id).http_response.json()
    assert shown["residency"] == "JP_STORAGE"
    assert admin.admin.organization.projects.api_keys.list(project.id).data == []
    assert admin.admin.organization.projects.service_accounts.retrieve(account.id, project_id=project.id).name == "bot"
    user = admin.admin.organization.users.with_raw_response.retrieve(elena.id).http_response.json()
    assert (user["developer_persona"], user["technical_level"]) == ("data", "beginner")
    assert [u.id for u in admin.admin.organization.projects.users.list(project.id)] == [elena.id]
    assert key.value is not None
    assert org_client(mock_app, key.value).admin.organization.projects.list().data
    clock.advance(60)
    reset_stores()
    with pytest.raises(openai.AuthenticationError):
        org_client(mock_app, key.value).admin.organization.projects.list()


def test_batch_and_vector_store_properties_hold_in_another_container(
    on_dynamodb_local: str, mock_app: TemplateRouter
) -> None:
    clock.freeze(NOW)
    client = asgi_client(mock_app)
    line = {
        "custom_id": "a",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
    }
    input_id = client.files.create(file=("in.jsonl", (json.dumps(line) + "\n").encode()), purpose="batch").id
    batch = client.batches.create(
        input_file_id=input_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        output_expires_after={"anchor": "created_at", "seconds": 3600},
    )
    store = client.vector_stores.create(name="Kept", description="Survives containers")
    text = client.files.create(file=("a.txt", io.BytesIO(b"Cats sleep a lot. " * 20)), purpose="assistants").id
    client.vector_stores.file_batches.create(store.id, files=[{"file_id": text, "attributes": {"topic": "cats"}}])

    get_store.cache_clear()  # another container (file bytes stay in the memory blob store: no S3 here)
    client = asgi_client(mock_app)
    clock.advance(10)
    output_id = client.batches.retrieve(batch.id).output_file_id
    assert output_id is not None
    get_store.cache_clear()
    client = asgi_client(mock_app)
    output = client.files.retrieve(output_id)
    assert output.expires_at == output.created_at + 3600
    shown = client.vector_stores.with_raw_response.retrieve(store.id).http_response.json()
    assert shown["description"] == "Survives containers"
    assert client.vector_stores.files.retrieve(text, vector_store_id=store.id).attributes == {"topic": "cats"}

"""Containers, Skills and ChatKit on DynamoDB Local (the backend `openai-mock serve --store dynamodb` and Lambda
with persistence use): container files and skill bundles round-trip byte for byte after a cold start (metadata in
the table, bytes in a blob folder shared the way S3 is), expiry still follows the clock, deletes leave no bytes
behind, and a ChatKit thread grows by conditional writes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from openai_mock.store import get_blobs, get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client

KEY = "sk-store-test"
T0 = 1_770_000_000


@pytest.fixture
def sdk(
    on_dynamodb_local: str, mock_app: TemplateRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> openai.OpenAI:
    monkeypatch.setenv("OPENAI_MOCK_BLOB_DIR", str(tmp_path / "blobs"))  # bytes outlive a cold start, as in S3
    reset_settings()
    reset_stores()
    clock.freeze(T0)
    assert isinstance(get_store(), DynamoDBStore)
    return asgi_client(mock_app, api_key=KEY)


def test_container_files_round_trip_expire_and_leave_nothing(sdk: openai.OpenAI) -> None:
    tenant = principal_for_key(KEY).tenant
    stored = sdk.files.create(file=("seed.csv", io.BytesIO(b"k,v\na,1\n")), purpose="user_data")
    container = sdk.containers.create(
        name="persisted", file_ids=[stored.id], expires_after={"anchor": "last_active_at", "minutes": 1}
    )
    payload = bytes(range(256)) * 3000  # 768 KB: past any DynamoDB item, so the blob store holds it
    uploaded = sdk.containers.files.create(container.id, file=("big.bin", payload))

    reset_stores()  # a cold start: nothing cached
    again = sdk
    assert again.containers.files.content.retrieve(uploaded.id, container_id=container.id).read() == payload
    assert sorted(f.bytes for f in again.containers.files.list(container.id).data) == [8, len(payload)]

    clock.advance(61)
    assert again.containers.retrieve(container.id).status == "expired"
    with pytest.raises(openai.BadRequestError):
        again.containers.files.list(container.id)
    again.containers.delete(container.id)
    assert get_blobs().get(tenant, f"container/{container.id}/{uploaded.id}") is None
    assert get_store().list(tenant, f"container.file/{container.id}").items == []


def test_skill_versions_and_bundles_round_trip(sdk: openai.OpenAI) -> None:
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("kit/SKILL.md", "---\nname: kit\ndescription: A kit.\n---\n")
        archive.writestr("kit/notes.txt", "notes")
    skill = sdk.skills.create(files=("kit.zip", bundle.getvalue()))
    version = sdk.skills.versions.create(
        skill.id, files=[("SKILL.md", b"---\nname: kit\ndescription: Kit two.\n---\n")], default=True
    )
    reset_stores()
    again = sdk
    assert again.skills.retrieve(skill.id).default_version == version.version == "2"
    assert again.skills.versions.content.retrieve("1", skill_id=skill.id).read() == bundle.getvalue()
    assert [v.version for v in again.skills.versions.list(skill.id, order="asc").data] == ["1", "2"]
    again.skills.delete(skill.id)
    assert again.skills.list().data == []


def test_chatkit_threads_grow_across_cold_starts(sdk: openai.OpenAI, mock_app: TemplateRouter) -> None:
    http = TestClient(mock_app, base_url="http://testserver")
    auth = {"Authorization": f"Bearer {KEY}"}
    session = sdk.beta.chatkit.sessions.create(user="user_1", workflow={"id": "wf_1"})
    thread = http.post("/__mock/chatkit/threads", json={"session_id": session.id, "text": "Hello"}, headers=auth).json()
    reset_stores()
    answer = http.post(
        "/__mock/chatkit/threads",
        json={"session_id": session.id, "text": "Still there?", "thread_id": thread["id"]},
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    items = sdk.beta.chatkit.threads.list_items(thread["id"], order="asc").data
    assert [item.type for item in items] == [
        "chatkit.user_message",
        "chatkit.assistant_message",
        "chatkit.user_message",
        "chatkit.assistant_message",
    ]

"""Objects over DynamoDB's 400 KB item limit: compressed, or spilled to the blob store, transparently."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import openai
import pytest

from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store
from openai_mock.store.blobs import MemoryBlobStore
from openai_mock.store.dynamodb import SPILL_BYTES, DynamoDBStore, create_table
from tests.support.dynamodb_local import DynamoDBLocal
from tests.support.sdk import asgi_client

T = "tenant_big"
PROSE = "The quick brown fox jumps over the lazy dog, then reads the whole manual twice. "
CJK = "東京の秋は美しい。川沿いを歩くと、紅葉が水面に映っている。"


@pytest.fixture
def big_store(
    dynamodb_local: DynamoDBLocal, request: pytest.FixtureRequest
) -> Iterator[tuple[DynamoDBStore, MemoryBlobStore]]:
    client = dynamodb_local.client()
    table = f"big-{request.node.name}".replace("[", "-").replace("]", "")[:200]
    create_table(client, table)
    blobs = MemoryBlobStore()
    yield DynamoDBStore(table, client, blobs=blobs), blobs
    client.delete_table(TableName=table)


def _incompressible(size: int) -> str:
    return base64.b64encode(os.urandom(size * 3 // 4)).decode()


@pytest.mark.parametrize("text", [PROSE * 6000, CJK * 3000], ids=["480KB-prose", "240KB-cjk"])
def test_compressible_objects_round_trip(big_store: tuple[DynamoDBStore, MemoryBlobStore], text: str) -> None:
    store, blobs = big_store
    obj = {"id": "chatcmpl-big", "text": text}
    assert store.create(T, "chat.completion", obj) == obj
    assert store.get(T, "chat.completion", "chatcmpl-big") == obj
    assert store.list(T, "chat.completion").items == [obj]
    updated = store.update(T, "chat.completion", "chatcmpl-big", lambda o: {**o, "metadata": {"k": "v"}})
    assert updated == {**obj, "metadata": {"k": "v"}}
    assert store.delete(T, "chat.completion", "chatcmpl-big") == updated
    assert not blobs._blobs  # compression sufficed: nothing spilled


def test_incompressible_objects_spill_to_the_blob_store(big_store: tuple[DynamoDBStore, MemoryBlobStore]) -> None:
    store, blobs = big_store
    obj = {"id": "resp_big", "data": _incompressible(SPILL_BYTES * 2)}
    store.create(T, "response", obj)
    assert len(blobs._blobs) == 1
    assert store.get(T, "response", "resp_big") == obj
    assert store.get_many(T, [("response", "resp_big"), ("response", "resp_none")]) == [obj, None]
    store.update(T, "response", "resp_big", lambda o: {**o, "data": o["data"][::-1]})
    assert len(blobs._blobs) == 1  # the replaced version's blob is gone
    assert store.get(T, "response", "resp_big") == {**obj, "data": obj["data"][::-1]}
    assert [item["id"] for item in store.list(T, "response").items] == ["resp_big"]
    store.delete(T, "response", "resp_big")
    assert not blobs._blobs
    assert store.get(T, "response", "resp_big") is None


def test_trimming_drops_the_blobs_of_what_it_deletes(big_store: tuple[DynamoDBStore, MemoryBlobStore]) -> None:
    store, blobs = big_store
    for name in ("resp_1", "resp_2"):
        store.create(T, "response", {"id": name, "data": _incompressible(SPILL_BYTES * 2)})
    assert len(blobs._blobs) == 2
    assert store.keep_newest(T, "response", 1) == 1
    assert len(blobs._blobs) == 1
    assert store.delete_collection(T, "response") == 1
    assert not blobs._blobs


def test_a_refused_create_leaves_no_blob(big_store: tuple[DynamoDBStore, MemoryBlobStore]) -> None:
    store, blobs = big_store
    obj = {"id": "resp_twice", "data": _incompressible(SPILL_BYTES * 2)}
    store.create(T, "response", obj)
    with pytest.raises(Exception, match="resp_twice"):
        store.create(T, "response", obj)
    assert len(blobs._blobs) == 1


# --------------------------------------------------------------------------- through the API


@pytest.fixture
def client(on_dynamodb_local: str, mock_app: TemplateRouter) -> openai.OpenAI:
    assert isinstance(get_store(), DynamoDBStore)
    return asgi_client(mock_app, api_key="sk-big-objects")


def test_a_response_with_250_kb_of_input_is_stored_and_continued(client: openai.OpenAI) -> None:
    text = PROSE * 3200
    assert len(text) > 250_000
    first = client.responses.create(model="gpt-4.1-mini", input=text)
    assert client.responses.retrieve(first.id).id == first.id
    items = client.responses.input_items.list(first.id)
    assert items.data[0].content[0].text == text  # type: ignore[union-attr]
    follow_up = client.responses.create(model="gpt-4.1-mini", input="And in short?", previous_response_id=first.id)
    assert follow_up.usage is not None and follow_up.usage.input_tokens > 50_000  # it saw the whole conversation


def test_a_stored_chat_completion_of_480_kb(client: openai.OpenAI) -> None:
    text = PROSE * 6000
    completion = client.chat.completions.create(
        model="gpt-4.1-mini", store=True, messages=[{"role": "user", "content": text}]
    )
    assert client.chat.completions.retrieve(completion.id).id == completion.id
    messages = client.chat.completions.messages.list(completion.id)
    assert messages.data[0].content == text


def test_240_kb_of_cjk_text(client: openai.OpenAI) -> None:
    text = CJK * 2800
    assert len(text.encode()) > 240_000
    completion = client.chat.completions.create(
        model="gpt-4.1-mini", store=True, messages=[{"role": "user", "content": text}]
    )
    assert client.chat.completions.messages.list(completion.id).data[0].content == text
    response = client.responses.create(model="gpt-4.1-mini", input=text)
    assert client.responses.input_items.list(response.id).data[0].content[0].text == text  # type: ignore[union-attr]

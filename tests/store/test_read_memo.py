"""On DynamoDB an update later in a request starts from the item as the request read it (store/read_memo.py): no
read again, and no update lost when another writer came in between."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from typing import Any

import pytest

from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from openai_mock.store import get_store, read_memo
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.moto_isolation import dynamodb_store
from tests.support.sdk import asgi_client

T = "t_read_memo"


@pytest.fixture
def on_dynamodb(monkeypatch: pytest.MonkeyPatch, aws_credentials: None) -> Iterator[tuple[Any, DynamoDBStore]]:
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    reset_settings()
    with dynamodb_store("read-memo") as (client, store):
        yield client, store
    reset_settings()


def _watch(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return calls


def _add(name: str) -> Any:
    return lambda stored: {**stored, "names": [*stored["names"], name]}


def test_an_update_after_a_read_in_the_request_reads_no_more(on_dynamodb: tuple[Any, DynamoDBStore]) -> None:
    client, store = on_dynamodb
    store.create(T, "conversation", {"id": "conv_1", "names": []})
    calls = _watch(client)

    store.get(T, "conversation", "conv_1")  # outside a request: nothing kept
    store.update(T, "conversation", "conv_1", _add("a"))
    assert calls == ["GetItem", "GetItem", "PutItem"]
    calls.clear()

    token = read_memo.begin()
    try:
        assert store.get(T, "conversation", "conv_1") == {"id": "conv_1", "names": ["a"]}
        assert store.update(T, "conversation", "conv_1", _add("b")) == {"id": "conv_1", "names": ["a", "b"]}
        assert store.update(T, "conversation", "conv_1", _add("c")) == {"id": "conv_1", "names": ["a", "b", "c"]}
    finally:
        read_memo.end(token)
    assert calls == ["GetItem", "PutItem", "PutItem"]  # each update from the version the request last saw
    assert read_memo.recall(("anything", "conv_1")) is None  # nothing kept after the request


def test_what_a_batch_read_ahead_is_read_again_from_the_memo(on_dynamodb: tuple[Any, DynamoDBStore]) -> None:
    client, store = on_dynamodb
    store.create(T, "conversation", {"id": "conv_1", "names": ["a"]})
    store.create(T, "response", {"id": "resp_1"})
    calls = _watch(client)
    token = read_memo.begin()
    try:
        assert store.get_many(T, [("response", "resp_1")], also=[("conversation", "conv_1")]) == [{"id": "resp_1"}]
        assert store.get(T, "conversation", "conv_1") == {"id": "conv_1", "names": ["a"]}
        assert store.get(T, "response", "resp_1") == {"id": "resp_1"}
    finally:
        read_memo.end(token)
    assert calls == ["BatchGetItem"]


def test_what_another_writer_changed_meanwhile_is_read_again_not_lost(on_dynamodb: tuple[Any, DynamoDBStore]) -> None:
    client, store = on_dynamodb
    other = DynamoDBStore("read-memo", client)  # another container's store, in a context of its own
    store.create(T, "conversation", {"id": "conv_1", "names": []})
    token = read_memo.begin()
    try:
        store.get(T, "conversation", "conv_1")
        contextvars.Context().run(other.update, T, "conversation", "conv_1", _add("theirs"))
        calls = _watch(client)
        assert store.update(T, "conversation", "conv_1", _add("mine")) == {"id": "conv_1", "names": ["theirs", "mine"]}
    finally:
        read_memo.end(token)
    assert calls == ["PutItem", "GetItem", "PutItem"]  # refused on the version read, then read again
    assert store.get(T, "conversation", "conv_1") == {"id": "conv_1", "names": ["theirs", "mine"]}


def test_a_deleted_object_is_not_updated_from_what_was_read(on_dynamodb: tuple[Any, DynamoDBStore]) -> None:
    _, store = on_dynamodb
    store.create(T, "conversation", {"id": "conv_1", "names": []})
    token = read_memo.begin()
    try:
        store.get(T, "conversation", "conv_1")
        store.delete(T, "conversation", "conv_1")
        assert store.update(T, "conversation", "conv_1", _add("late")) is None
    finally:
        read_memo.end(token)
    assert store.get(T, "conversation", "conv_1") is None


def test_nothing_is_kept_where_a_read_is_in_process() -> None:
    assert read_memo.begin() is None  # the memory store (the tests' default)
    read_memo.remember(("pk", "sk"), {"version": {"N": "1"}})
    assert read_memo.recall(("pk", "sk")) is None


def test_a_responses_turn_in_a_conversation_reads_the_conversation_once(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """It reads the conversation's items as its context, then appends its input and output: the append writes
    against the version read, where it read the conversation again first."""
    client = asgi_client(mock_app, api_key="sk-read-memo")
    conversation = client.conversations.create()
    client.responses.create(model="gpt-4o-mini", input="Warm up.", conversation=conversation.id)
    calls = _watch(get_store()._client._client)  # type: ignore[attr-defined]

    answer = client.responses.create(model="gpt-4o-mini", input="Hello?", conversation=conversation.id)

    # The conversation read with the request's first reads (its body names it), written against that version.
    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem", "PutItem", "UpdateItem", "UpdateItem"]
    items = client.conversations.items.list(conversation.id, order="asc").data
    assert [item.type for item in items] == ["message"] * 4
    assert items[2].content[0].text == "Hello?" and items[3].id == answer.output[0].id

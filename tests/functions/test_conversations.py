"""Conversations through the official SDK: create (with items and metadata), retrieve, update, delete; items
listed (pagination, order, include), added, retrieved, deleted; responses created in a conversation read it as
context and append their input and output; every JSON answer checked against the 2026-08-21 contract."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def test_create_retrieve_update_delete(client: openai.OpenAI, http: TestClient) -> None:
    raw = _ok(
        http.post(
            "/v1/conversations",
            json={"items": [{"type": "message", "role": "user", "content": "Hello!"}], "metadata": {"topic": "demo"}},
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/conversations", 200, raw, spec=SPEC)
    assert raw["id"].startswith("conv_") and raw["object"] == "conversation" and raw["metadata"] == {"topic": "demo"}
    conversation = client.conversations.retrieve(raw["id"])
    assert conversation.id == raw["id"] and conversation.created_at == raw["created_at"]
    assert_conforms(
        "GET",
        f"/v1/conversations/{raw['id']}",
        200,
        _ok(http.get(f"/v1/conversations/{raw['id']}", headers=AUTH)),
        spec=SPEC,
    )
    updated = _ok(http.post(f"/v1/conversations/{raw['id']}", json={"metadata": {"topic": "new"}}, headers=AUTH))
    assert_conforms("POST", f"/v1/conversations/{raw['id']}", 200, updated, spec=SPEC)
    assert client.conversations.retrieve(raw["id"]).metadata == {"topic": "new"}
    deleted = _ok(http.delete(f"/v1/conversations/{raw['id']}", headers=AUTH))
    assert_conforms("DELETE", f"/v1/conversations/{raw['id']}", 200, deleted, spec=SPEC)
    assert deleted == {"id": raw["id"], "object": "conversation.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as raised:
        client.conversations.retrieve(raw["id"])
    assert raw["id"] in _error(raised)["message"]


def test_items_list_paginate_add_retrieve_delete(client: openai.OpenAI, http: TestClient) -> None:
    conversation = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": f"Question number {n}"} for n in range(3)]
    )
    path = f"/v1/conversations/{conversation.id}/items"
    listed = _ok(http.get(path, headers=AUTH))
    assert_conforms("GET", path, 200, listed, spec=SPEC)
    texts = [item["content"][0]["text"] for item in listed["data"]]
    assert texts == ["Question number 2", "Question number 1", "Question number 0"]  # newest first
    first = client.conversations.items.list(conversation.id, limit=2, order="asc")
    assert [item.content[0].text for item in first.data] == ["Question number 0", "Question number 1"]  # type: ignore[union-attr]
    assert first.has_more
    rest = client.conversations.items.list(conversation.id, limit=2, order="asc", after=first.last_id)
    assert [item.content[0].text for item in rest.data] == ["Question number 2"]  # type: ignore[union-attr]
    assert not rest.has_more

    added = _ok(
        http.post(
            path,
            json={"items": [{"type": "message", "role": "assistant", "content": "An answer."}]},
            headers=AUTH,
        )
    )
    assert_conforms("POST", path, 200, added, spec=SPEC)
    item_id = added["data"][0]["id"]
    got = _ok(http.get(f"{path}/{item_id}", headers=AUTH))
    assert_conforms("GET", f"{path}/{item_id}", 200, got, spec=SPEC)
    assert got["role"] == "assistant" and got["content"][0]["text"] == "An answer."
    assert client.conversations.items.retrieve(item_id, conversation_id=conversation.id).id == item_id
    after_delete = _ok(http.delete(f"{path}/{item_id}", headers=AUTH))
    assert_conforms("DELETE", f"{path}/{item_id}", 200, after_delete, spec=SPEC)
    assert after_delete["id"] == conversation.id
    with pytest.raises(openai.NotFoundError) as raised:
        client.conversations.items.retrieve(item_id, conversation_id=conversation.id)
    assert _error(raised)["param"] == "item_id"
    assert len(client.conversations.items.list(conversation.id).data) == 3


def test_responses_in_a_conversation_read_and_append_it(client: openai.OpenAI, http: TestClient) -> None:
    conversation = client.conversations.create(items=[{"type": "message", "role": "user", "content": "My cat is Tom."}])
    first = client.responses.create(model="gpt-4o", input="Tell me about cats.", conversation=conversation.id)
    assert first.conversation is not None and first.conversation.id == conversation.id
    second = client.responses.create(model="gpt-4o", input="And about dogs?", conversation={"id": conversation.id})
    items = client.conversations.items.list(conversation.id, order="asc").data
    # the created item, then each response's input then output, in order, each with its id
    assert [item.type for item in items] == ["message"] * 5
    assert [getattr(item, "role", None) for item in items] == ["user", "user", "assistant", "user", "assistant"]
    assert items[2].id == first.output[0].id and items[4].id == second.output[0].id
    assert all(item.id for item in items)
    # usage counts the whole conversation as context
    alone = client.responses.create(model="gpt-4o", input="And about dogs?")
    assert second.usage is not None and alone.usage is not None
    assert second.usage.input_tokens > alone.usage.input_tokens
    raw = _ok(
        http.post(
            "/v1/responses", json={"model": "gpt-4o", "input": "Hi", "conversation": conversation.id}, headers=AUTH
        )
    )
    assert_conforms("POST", "/v1/responses", 200, raw, spec=SPEC)


def test_conversation_and_previous_response_id_are_mutually_exclusive(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    earlier = client.responses.create(model="gpt-4o", input="Hi")
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model="gpt-4o", input="Hi", conversation=conversation.id, previous_response_id=earlier.id
        )
    assert _error(raised)["code"] == "mutually_exclusive_parameters"
    with pytest.raises(openai.NotFoundError) as missing:
        client.responses.create(model="gpt-4o", input="Hi", conversation="conv_missing")
    assert _error(missing)["param"] == "conversation"


def test_include_shows_file_search_results_only_when_asked(client: openai.OpenAI, http: TestClient) -> None:
    conversation = client.conversations.create(
        items=[
            {
                "type": "file_search_call",
                "id": "fs_1",
                "status": "completed",
                "queries": ["cats"],
                "results": [{"file_id": "file-1", "filename": "a.txt", "score": 0.5, "text": "Cats purr."}],
            }
        ]
    )
    path = f"/v1/conversations/{conversation.id}/items"
    assert _ok(http.get(path, headers=AUTH))["data"][0]["results"] is None
    shown = _ok(http.get(path, params={"include": "file_search_call.results"}, headers=AUTH))
    assert_conforms("GET", path, 200, shown, spec=SPEC)
    assert shown["data"][0]["results"][0]["text"] == "Cats purr."


@pytest.mark.parametrize(
    ("method", "suffix", "body", "params", "status", "param"),
    [
        ("POST", "", {"items": "x"}, None, 400, "items"),
        ("POST", "", {"items": [{"role": "robot", "content": "x"}]}, None, 400, "items[0].role"),
        ("POST", "", {"items": [{"role": "user", "content": "x"}] * 21}, None, 400, "items"),
        ("POST", "", {"metadata": {"k" * 65: "v"}}, None, 400, "metadata"),
        ("POST", "", {"nope": 1}, None, 400, "nope"),
        ("GET", "/conv_missing", None, None, 404, "conversation_id"),
        ("POST", "/conv_missing", {"metadata": {}}, None, 404, "conversation_id"),
        ("DELETE", "/conv_missing", None, None, 404, "conversation_id"),
        ("GET", "/conv_missing/items", None, None, 404, "conversation_id"),
        ("GET", "/{id}/items", None, {"limit": 0}, 400, "limit"),
        ("GET", "/{id}/items", None, {"order": "up"}, 400, "order"),
        ("GET", "/{id}/items", None, {"include": "everything"}, 400, "include[0]"),
        ("POST", "/{id}/items", {"items": []}, None, 400, "items"),
        ("POST", "/{id}", {}, None, 400, "metadata"),
        ("GET", "/{id}/items/msg_missing", None, None, 404, "item_id"),
        ("DELETE", "/{id}/items/msg_missing", None, None, 404, "item_id"),
    ],
)
def test_bad_requests_get_openai_errors(
    client: openai.OpenAI,
    http: TestClient,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
    params: dict[str, Any] | None,
    status: int,
    param: str,
) -> None:
    conversation = client.conversations.create()
    answer = http.request(
        method, "/v1/conversations" + suffix.replace("{id}", conversation.id), json=body, params=params, headers=AUTH
    )
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["param"] == param

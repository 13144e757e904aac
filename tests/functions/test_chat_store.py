"""Stored chat completions (`store: true`): list with filters and pagination, retrieve, update, delete, messages."""

from __future__ import annotations

import openai
import pytest

from openai_mock import clock
from tests.functions.test_chat import ASK_WEATHER
from tests.support.spec import assert_conforms


def _stored(client: openai.OpenAI, count: int, **extra: object) -> list[str]:
    ids = []
    for index in range(count):
        clock.advance(1)
        completion = client.chat.completions.create(
            model=extra.pop("model", "gpt-4o-mini") if index == 0 else "gpt-4o-mini",  # type: ignore[arg-type]
            messages=[{"role": "user", "content": f"Question {index}"}],
            store=True,
            metadata={"batch": "a" if index % 2 == 0 else "b"},
        )
        ids.append(completion.id)
    return ids


def test_store_retrieve_update_delete(client: openai.OpenAI, http) -> None:  # type: ignore[no-untyped-def]
    created = client.chat.completions.create(
        model="gpt-4o", messages=ASK_WEATHER, store=True, metadata={"topic": "weather"}
    )
    fetched = client.chat.completions.retrieve(created.id)
    assert fetched.choices[0].message.content == created.choices[0].message.content
    assert fetched.metadata == {"topic": "weather"}  # type: ignore[index]
    raw = http.get(f"/v1/chat/completions/{created.id}", headers={"Authorization": "Bearer sk-test"})
    assert_conforms("GET", f"/v1/chat/completions/{created.id}", 200, raw.json())

    updated = client.chat.completions.update(created.id, metadata={"topic": "forecast", "reviewed": "yes"})
    assert updated.metadata == {"topic": "forecast", "reviewed": "yes"}  # type: ignore[index]
    assert client.chat.completions.retrieve(created.id).metadata["reviewed"] == "yes"  # type: ignore[index]

    deleted = client.chat.completions.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "chat.completion.deleted")
    completions = client.chat.completions
    for call in (completions.retrieve, completions.delete, completions.messages.list):
        with pytest.raises(openai.NotFoundError) as raised:
            call(created.id)
        assert raised.value.body["message"] == f"No such chat completion object: {created.id}"  # type: ignore[index]


def test_unstored_completions_are_not_listed(client: openai.OpenAI) -> None:
    created = client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER)
    assert list(client.chat.completions.list()) == []
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(created.id)


def test_list_paginates_and_filters(client: openai.OpenAI, http) -> None:  # type: ignore[no-untyped-def]
    ids = _stored(client, 5, model="gpt-4o")
    page = client.chat.completions.list(limit=2)
    assert [c.id for c in page.data] == ids[:2] and page.has_more  # ascending by default
    assert [c.id for c in client.chat.completions.list(limit=2)] == ids  # the SDK follows `after`
    assert [c.id for c in client.chat.completions.list(order="desc", limit=100)] == ids[::-1]
    assert [c.id for c in client.chat.completions.list(model="gpt-4o")] == ids[:1]
    assert [c.id for c in client.chat.completions.list(metadata={"batch": "b"})] == [ids[1], ids[3]]
    raw = http.get("/v1/chat/completions?limit=2", headers={"Authorization": "Bearer sk-test"})
    assert_conforms("GET", "/v1/chat/completions", 200, raw.json())


def test_messages_are_listed_with_pagination(client: openai.OpenAI) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": [{"type": "text", "text": "Bye"}]},
    ]
    created = client.chat.completions.create(model="gpt-4o", messages=messages, store=True)  # type: ignore[arg-type]
    listed = list(client.chat.completions.messages.list(created.id, limit=3))
    assert [m.id for m in listed] == [f"{created.id}-{i}" for i in range(4)]
    assert [(m.model_extra or {}).get("role", m.role) for m in listed] == ["system", "user", "assistant", "user"]
    assert [m.content for m in listed] == ["Be brief.", "Hi", "Hello!", "Bye"]
    newest = client.chat.completions.messages.list(created.id, order="desc", limit=1)
    assert [m.id for m in newest.data] == [f"{created.id}-3"] and newest.has_more


def test_stored_completions_belong_to_their_tenant(client_for) -> None:  # type: ignore[no-untyped-def]
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    created = owner.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, store=True)
    assert list(stranger.chat.completions.list()) == []
    with pytest.raises(openai.NotFoundError):
        stranger.chat.completions.retrieve(created.id)
    assert owner.chat.completions.retrieve(created.id).id == created.id


def test_list_rejects_bad_limit_and_order(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.list(limit=0)
    assert raised.value.body["param"] == "limit"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.list(order="sideways")  # type: ignore[arg-type]

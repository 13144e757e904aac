"""On DynamoDB a model request that keeps its answer makes its rate limit's count and its first write at once
(`ratelimits.count_while_keeping`: one round trip, where the write waited for the count), and a refused one takes
back what it wrote: a 429 keeps nothing, as when the count came first."""

from __future__ import annotations

import threading
from typing import Any

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import chat, conversations, responses
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.barrier import WAIT_SECONDS, at_once
from tests.support.sdk import asgi_client


def _meet(events: Any, update: str, put: str) -> tuple[dict[str, bool], Any]:
    """Hooks that make the rate limit's UpdateItem and the PutItem into `put` (a collection) wait for each other."""
    both = threading.Barrier(2, timeout=WAIT_SECONDS)
    met: dict[str, bool] = {}

    def before_update(params: dict[str, Any], **_: Any) -> None:
        if params["Key"]["sk"]["S"].startswith("ratelimit#"):
            met[update] = at_once(both)

    def before_put(params: dict[str, Any], **_: Any) -> None:
        if params["Item"]["pk"]["S"].endswith(f"#{put}"):
            met[put] = at_once(both)

    events.register("before-parameter-build.dynamodb.UpdateItem", before_update)
    events.register("before-parameter-build.dynamodb.PutItem", before_put)

    def unhook() -> None:
        events.unregister("before-parameter-build.dynamodb.UpdateItem", before_update)
        events.unregister("before-parameter-build.dynamodb.PutItem", before_put)

    return met, unhook


def test_a_response_is_stored_while_its_rate_limit_counts_it(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """The rate limit's UpdateItem and the response's PutItem are one round trip: each waits here for the other."""
    client = asgi_client(mock_app, api_key="sk-admit-at-once")
    client.responses.create(model="gpt-4o-mini", input="Warm up.")
    met, unhook = _meet(get_store()._client._client.meta.events, "rate limit", responses.COLLECTION)  # type: ignore[attr-defined]
    try:
        answer = client.responses.create(model="gpt-4o-mini", input="Hello?")
    finally:
        unhook()
    assert met == {"rate limit": True, responses.COLLECTION: True}
    assert client.responses.retrieve(answer.id).output_text == answer.output_text


def test_a_response_past_its_rate_limit_is_not_kept(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """Stored beside its count, a refused response is taken back: the 429, and nothing stored."""
    clock.freeze(1_800_000_000.0)  # a minute's start: the quota's requests in one window
    client = asgi_client(mock_app, api_key="sk-admit-refused")
    tenant = principal_for_key("sk-admit-refused").tenant
    client.post("/../__mock/quotas", cast_to=object, body={"requests_per_minute": 1})
    client.responses.create(model="gpt-4o-mini", input="The one request of this minute.")
    with pytest.raises(openai.RateLimitError, match="requests per min"):
        client.with_options(max_retries=0).responses.create(model="gpt-4o-mini", input="One too many.")
    kept = get_store().list(tenant, responses.COLLECTION).items
    assert [response["_input"][0]["content"][0]["text"] for response in kept] == ["The one request of this minute."]


def test_a_turn_its_conversation_refuses_leaves_no_response(
    moto_persistence: None, mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conversation deleted while the turn was answered: the 404, and the response stored beside its count
    taken back (made in turn, the append came before the store, and a refused one stored nothing)."""
    client = asgi_client(mock_app, api_key="sk-turn-refused")
    conversation = client.conversations.create()
    tenant = principal_for_key("sk-turn-refused").tenant
    append = conversations.append

    def deleted_meanwhile(*arguments: Any) -> None:
        get_store().delete(tenant, conversations.COLLECTION, conversation.id)
        append(*arguments)

    monkeypatch.setattr(conversations, "append", deleted_meanwhile)
    with pytest.raises(openai.NotFoundError, match=conversation.id):
        client.responses.create(model="gpt-4o-mini", input="Hello?", conversation=conversation.id)
    assert get_store().list(tenant, responses.COLLECTION).items == []


def test_a_stored_chats_messages_are_kept_while_its_rate_limit_counts_it(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    client = asgi_client(mock_app, api_key="sk-chat-at-once")
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Warm up."}], store=True)
    met, unhook = _meet(get_store()._client._client.meta.events, "rate limit", chat.MESSAGES_COLLECTION)  # type: ignore[attr-defined]
    try:
        answer = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello?"}], store=True
        )
    finally:
        unhook()
    assert met == {"rate limit": True, chat.MESSAGES_COLLECTION: True}
    assert client.chat.completions.retrieve(answer.id).choices[0].message.content == answer.choices[0].message.content
    assert [message.content for message in client.chat.completions.messages.list(answer.id)] == ["Hello?"]


def test_a_stored_chat_past_its_rate_limit_keeps_nothing(moto_persistence: None, mock_app: TemplateRouter) -> None:
    clock.freeze(1_800_000_000.0)  # a minute's start: the quota's requests in one window
    client = asgi_client(mock_app, api_key="sk-chat-refused")
    tenant = principal_for_key("sk-chat-refused").tenant
    client.post("/../__mock/quotas", cast_to=object, body={"requests_per_minute": 1})
    kept = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "One."}], store=True
    )
    with pytest.raises(openai.RateLimitError, match="requests per min"):
        client.with_options(max_retries=0).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Two."}], store=True
        )
    assert [item["id"] for item in get_store().list(tenant, chat.MESSAGES_COLLECTION).items] == [kept.id]
    assert [item["id"] for item in get_store().list(tenant, chat.COLLECTION).items] == [kept.id]

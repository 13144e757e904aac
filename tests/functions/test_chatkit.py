"""ChatKit through the official SDK: sessions created (workflow and user required, defaults filled in, every
option checked), expiring by the mock clock, cancelled; threads started and continued through the mock's
stand-in backend (`POST /__mock/chatkit/threads`), listed (per user, paginated both ways), retrieved, their items
listed in order, deleted. Every JSON answer checked against the 2026-08-21 contract."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
T0 = 1_770_000_000


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(T0)


def _ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def _turn(http: TestClient, session_id: str, text: str, thread_id: str | None = None) -> dict[str, Any]:
    body = {"session_id": session_id, "text": text, **({"thread_id": thread_id} if thread_id else {})}
    return _ok(http.post("/__mock/chatkit/threads", json=body, headers=AUTH))


def test_session_defaults_options_expiry_and_cancel(client: openai.OpenAI, http: TestClient) -> None:
    raw = _ok(
        http.post(
            "/v1/chatkit/sessions",
            json={
                "workflow": {
                    "id": "wf_support",
                    "version": "3",
                    "state_variables": {"plan": "pro", "beta": True, "discount": 0.15},
                },
                "user": "user_42",
            },
            headers=AUTH,
        )
    )
    assert_conforms("POST", "/v1/chatkit/sessions", 200, raw, spec=SPEC)
    assert raw["id"].startswith("cksess_") and raw["client_secret"].startswith("ek_")
    assert (raw["status"], raw["user"], raw["expires_at"]) == ("active", "user_42", T0 + 600)
    assert raw["workflow"] == {
        "id": "wf_support",
        "version": "3",
        "state_variables": {"plan": "pro", "beta": True, "discount": 0.15},
        "tracing": {"enabled": True},
    }
    assert raw["rate_limits"] == {"max_requests_per_1_minute": 10} and raw["max_requests_per_1_minute"] == 10
    assert raw["chatkit_configuration"] == {
        "automatic_thread_titling": {"enabled": True},
        "file_upload": {"enabled": False, "max_file_size": None, "max_files": None},
        "history": {"enabled": True, "recent_threads": None},
    }

    short = client.beta.chatkit.sessions.create(
        user="user_7",
        workflow={"id": "wf_support", "tracing": {"enabled": False}},
        expires_after={"anchor": "created_at", "seconds": 60},
        rate_limits={"max_requests_per_1_minute": 30},
        chatkit_configuration={"file_upload": {"enabled": True, "max_files": 3}, "history": {"recent_threads": 5}},
    )
    assert (short.expires_at, short.max_requests_per_1_minute, short.workflow.tracing.enabled) == (T0 + 60, 30, False)
    assert (
        short.chatkit_configuration.file_upload.max_files,
        short.chatkit_configuration.file_upload.max_file_size,
    ) == (
        3,
        512,
    )
    assert short.chatkit_configuration.history.recent_threads == 5
    clock.advance(60)
    refused = _error(http.post("/__mock/chatkit/threads", json={"session_id": short.id, "text": "hi"}, headers=AUTH))
    assert (refused["param"], refused["code"]) == ("session_id", "session_expired")
    assert _error(http.post(f"/v1/chatkit/sessions/{short.id}/cancel", headers=AUTH))["code"] == "session_expired"

    cancelled = _ok(http.post(f"/v1/chatkit/sessions/{raw['id']}/cancel", headers=AUTH))
    assert_conforms("POST", f"/v1/chatkit/sessions/{raw['id']}/cancel", 200, cancelled, spec=SPEC)
    assert cancelled["status"] == "cancelled" and cancelled["client_secret"] == raw["client_secret"]
    assert client.beta.chatkit.sessions.cancel(raw["id"]).status == "cancelled"  # again: unchanged
    assert (
        _error(http.post("/__mock/chatkit/threads", json={"session_id": raw["id"], "text": "hi"}, headers=AUTH))["code"]
        == "session_cancelled"
    )
    assert _error(http.post("/v1/chatkit/sessions/cksess_missing/cancel", headers=AUTH), 404)["param"] == "session_id"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"user": "u"}, "workflow"),
        ({"workflow": {"id": "wf_1"}}, "user"),
        ({"workflow": {"id": "wf_1"}, "user": ""}, "user"),
        ({"workflow": {}, "user": "u"}, "workflow.id"),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "expires_after": {"anchor": "created_at", "seconds": 601}},
            "expires_after.seconds",
        ),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "expires_after": {"anchor": "now", "seconds": 60}},
            "expires_after.anchor",
        ),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "rate_limits": {"max_requests_per_1_minute": 0}},
            "rate_limits.max_requests_per_1_minute",
        ),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "chatkit_configuration": {"file_upload": {"max_file_size": 513}}},
            "chatkit_configuration.file_upload.max_file_size",
        ),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "chatkit_configuration": {"history": {"enabled": "yes"}}},
            "chatkit_configuration.history.enabled",
        ),
        (
            {"workflow": {"id": "wf_1"}, "user": "u", "chatkit_configuration": {"theme": {}}},
            "chatkit_configuration.theme",
        ),
        (
            {"workflow": {"id": "wf_1", "state_variables": {f"v{n}": n for n in range(65)}}, "user": "u"},
            "workflow.state_variables",
        ),
    ],
)
def test_bad_session_requests_are_400_with_param(
    client: openai.OpenAI, http: TestClient, body: dict[str, Any], param: str
) -> None:
    assert _error(http.post("/v1/chatkit/sessions", json=body, headers=AUTH))["param"] == param


def test_threads_items_list_paginate_retrieve_delete(client: openai.OpenAI, http: TestClient) -> None:
    session = client.beta.chatkit.sessions.create(user="user_42", workflow={"id": "wf_support"})
    other = client.beta.chatkit.sessions.create(
        user="user_99",
        workflow={"id": "wf_support"},
        chatkit_configuration={"automatic_thread_titling": {"enabled": False}},
    )
    first = _turn(http, session.id, "How do I reset my password?")
    assert first["id"].startswith("cthr_") and first["status"] == {"type": "active"} and first["user"] == "user_42"
    assert first["title"] and "password" in first["title"].lower()
    clock.advance(5)
    _turn(http, session.id, "And what about two-factor authentication?", first["id"])
    second = _turn(http, session.id, "Which plans include SSO?")
    untitled = _turn(http, other.id, "Hello there")
    assert untitled["title"] is None

    retrieved = _ok(http.get(f"/v1/chatkit/threads/{first['id']}", headers=AUTH))
    assert_conforms("GET", f"/v1/chatkit/threads/{first['id']}", 200, retrieved, spec=SPEC)
    assert retrieved == first

    listed = _ok(http.get("/v1/chatkit/threads?limit=2", headers=AUTH))
    assert_conforms("GET", "/v1/chatkit/threads", 200, listed, spec=SPEC)
    assert [t["id"] for t in listed["data"]] == [untitled["id"], second["id"]] and listed["has_more"]
    mine = client.beta.chatkit.threads.list(user="user_42")
    assert [t.id for t in mine.data] == [second["id"], first["id"]]
    before = client.beta.chatkit.threads.list(before=first["id"], limit=1)
    assert [t.id for t in before.data] == [second["id"]]

    items_path = f"/v1/chatkit/threads/{first['id']}/items"
    page = _ok(http.get(f"{items_path}?order=asc&limit=3", headers=AUTH))
    assert_conforms("GET", items_path, 200, page, spec=SPEC)
    assert [item["type"] for item in page["data"]] == [
        "chatkit.user_message",
        "chatkit.assistant_message",
        "chatkit.user_message",
    ]
    assert page["data"][0]["content"] == [{"type": "input_text", "text": "How do I reset my password?"}]
    assert all(item["thread_id"] == first["id"] for item in page["data"]) and page["has_more"]
    rest = client.beta.chatkit.threads.list_items(first["id"], order="asc", after=page["last_id"])
    [answer] = rest.data
    assert answer.type == "chatkit.assistant_message" and answer.content[0].text  # type: ignore[union-attr]
    assert answer.created_at == T0 + 5 and not rest.has_more

    deleted = _ok(http.delete(f"/v1/chatkit/threads/{first['id']}", headers=AUTH))
    assert_conforms("DELETE", f"/v1/chatkit/threads/{first['id']}", 200, deleted, spec=SPEC)
    assert deleted == {"id": first["id"], "object": "chatkit.thread.deleted", "deleted": True}
    assert _error(http.get(items_path, headers=AUTH), 404)["param"] == "thread_id"
    with pytest.raises(openai.NotFoundError):
        client.beta.chatkit.threads.retrieve(first["id"])
    assert [t.id for t in client.beta.chatkit.threads.list(user="user_42").data] == [second["id"]]


def test_the_same_turn_gets_the_same_answer(client: openai.OpenAI, http: TestClient) -> None:
    session = client.beta.chatkit.sessions.create(user="u", workflow={"id": "wf_1"})
    answers = []
    for _ in range(2):
        thread = _turn(http, session.id, "What is your refund policy?")
        items = client.beta.chatkit.threads.list_items(thread["id"], order="asc").data
        answers.append(items[1].content[0].text)  # type: ignore[union-attr]
    assert answers[0] and answers[0] == answers[1]
    follow_up = _turn(http, session.id, "Tell me more about refunds", thread["id"])
    last = client.beta.chatkit.threads.list_items(follow_up["id"], limit=1).data[0]
    assert last.content[0].text != answers[0]  # type: ignore[union-attr]


def test_bad_thread_requests(client: openai.OpenAI, http: TestClient) -> None:
    session = client.beta.chatkit.sessions.create(user="user_1", workflow={"id": "wf_1"})
    stranger = client.beta.chatkit.sessions.create(user="user_2", workflow={"id": "wf_1"})
    thread = _turn(http, session.id, "Hi")
    mismatch = _error(
        http.post(
            "/__mock/chatkit/threads",
            json={"session_id": stranger.id, "text": "Mine now", "thread_id": thread["id"]},
            headers=AUTH,
        )
    )
    assert mismatch["param"] == "thread_id"
    assert len(client.beta.chatkit.threads.list_items(thread["id"]).data) == 2  # nothing added
    assert (
        _error(http.post("/__mock/chatkit/threads", json={"session_id": session.id}, headers=AUTH))["param"] == "text"
    )
    assert _error(http.get("/v1/chatkit/threads?limit=101", headers=AUTH))["param"] == "limit"
    assert _error(http.get("/v1/chatkit/threads/cthr_missing", headers=AUTH), 404)["param"] == "thread_id"
    assert _error(http.delete("/v1/chatkit/threads/cthr_missing", headers=AUTH), 404)["param"] == "thread_id"


def test_chatkit_state_on_dynamodb(moto_persistence: None, client: openai.OpenAI, http: TestClient) -> None:
    from openai_mock.store import reset_stores

    session = client.beta.chatkit.sessions.create(user="user_1", workflow={"id": "wf_1"})
    thread = _turn(http, session.id, "Where is my order?")
    reset_stores()
    _turn(http, session.id, "It was order 1234.", thread["id"])
    assert len(client.beta.chatkit.threads.list_items(thread["id"]).data) == 4
    assert client.beta.chatkit.sessions.cancel(session.id).status == "cancelled"


def test_chatkit_state_is_per_api_key(client: openai.OpenAI, http: TestClient, client_for: Any) -> None:
    session = client.beta.chatkit.sessions.create(user="user_1", workflow={"id": "wf_1"})
    thread = _turn(http, session.id, "Hello")
    stranger = client_for("sk-someone-else")
    with pytest.raises(openai.NotFoundError):
        stranger.beta.chatkit.threads.retrieve(thread["id"])
    with pytest.raises(openai.NotFoundError):
        stranger.beta.chatkit.sessions.cancel(session.id)
    assert stranger.beta.chatkit.threads.list().data == []

"""The journal's filters (method, path prefix or glob, status, model, fixture), its one order (newest first;
`order=asc` oldest first), and its export as a fixture file: matching fixtures the mock serves again, or
recorded exchanges `serve --replay` answers byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api, fixtures
from openai_mock.local.recording import RecordReplayApp
from openai_mock.local.server import TemplateRouter
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

KEY = "sk-journal-filters"
A = {"Authorization": f"Bearer {KEY}"}
OTHER = {"Authorization": "Bearer sk-journal-filters-replay"}
CHAT = "/v1/chat/completions"


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()
    fixtures.reset_process_state()


def _say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def _traffic(http: TestClient, client: openai.OpenAI) -> dict[str, Any]:
    """Five requests: a fixture's chat answer, a generated one on another model, a 429, embeddings, models."""
    fixture = http.post(
        "/__mock/fixtures", headers=A, json={"match": {"contains": "refund"}, "response": {"content": "5 days."}}
    ).json()
    client.chat.completions.create(model="gpt-4o-mini", messages=_say("A refund?"))  # type: ignore[arg-type]
    client.chat.completions.create(model="gpt-4o", messages=_say("Hello"))  # type: ignore[arg-type]
    limited = http.post(
        CHAT,
        headers={**A, "x-mock-fault": "rate_limit_exceeded"},
        json={"model": "gpt-4o-mini", "messages": _say("Again")},
    )
    assert limited.status_code == 429
    client.embeddings.create(model="text-embedding-3-small", input="hello")
    client.models.list()
    return fixture  # type: ignore[no-any-return]


def _listed(http: TestClient, **params: Any) -> list[dict[str, Any]]:
    answer = http.get("/__mock/requests", headers=A, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]  # type: ignore[no-any-return]


def test_the_journal_filters(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    fixture = _traffic(http, client_for(KEY))
    everything = _listed(http)
    assert [entry["path"] for entry in everything] == [
        "/v1/models", "/v1/embeddings", CHAT, CHAT, CHAT,
    ]  # fmt: skip
    created = [entry["created_at"] for entry in everything]
    assert created == sorted(created, reverse=True)  # newest first, the one default order
    assert [entry["id"] for entry in _listed(http, order="asc")] == [entry["id"] for entry in reversed(everything)]
    assert [entry["path"] for entry in _listed(http, method="get")] == ["/v1/models"]
    assert len(_listed(http, path="/v1/chat")) == 3  # a prefix, as before
    assert [entry["path"] for entry in _listed(http, path="/v1/*s")] == ["/v1/models", "/v1/embeddings"]  # a glob
    assert _listed(http, path="/v1/chat/**") == _listed(http, path="/v1/chat") == _listed(http, path="/v1/c?at/*")
    assert _listed(http, path="/v1/chat*") == []  # one segment: `*` does not cross `/`
    assert [entry["status"] for entry in _listed(http, status="429")] == [429]
    assert len(_listed(http, status="2xx")) == 4 and _listed(http, status="5xx") == []
    assert [entry["model"] for entry in _listed(http, model="gpt-4o")] == ["gpt-4o"]
    assert len(_listed(http, model="gpt-4o-mini")) == 1  # a request a header faults is refused unread: no model
    (answered,) = _listed(http, fixture=fixture["id"])
    assert answered["response"]["body"]["choices"][0]["message"]["content"] == "5 days."
    assert len(_listed(http, fixture="none")) == 4
    assert [entry["model"] for entry in _listed(http, path=CHAT, status="200", order="asc")] == [
        "gpt-4o-mini",
        "gpt-4o",
    ]
    first = http.get("/__mock/requests", headers=A, params={"path": CHAT, "limit": 2}).json()
    assert first["has_more"] is True and len(first["data"]) == 2
    rest = _listed(http, path=CHAT, limit=2, after=first["last_id"])
    assert [entry["fixture"] for entry in rest] == [fixture["id"]]


@pytest.fixture(params=["moto", "sqlite"])
def shared_store(request: pytest.FixtureRequest) -> object:
    """DynamoDB (moto) and SQLite: the journal is the store's, filtered as it is listed."""
    return request.getfixturevalue("moto_persistence" if request.param == "moto" else "on_sqlite")


def test_the_filters_on_a_shared_store(
    shared_store: object, http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    fixture = _traffic(http, client_for(KEY))
    assert [entry["status"] for entry in _listed(http, status="4xx")] == [429]
    assert [entry["model"] for entry in _listed(http, model="gpt-4o")] == ["gpt-4o"]
    assert [entry["fixture"] for entry in _listed(http, fixture=fixture["id"])] == [fixture["id"]]
    assert [entry["path"] for entry in _listed(http, path="/v1/*s", method="GET")] == ["/v1/models"]
    exported = http.get("/__mock/requests/export", headers=A, params={"format": "exchanges"}).json()
    # A shared store keeps 16 KB of an entry: the model list's answer was summarised, so it cannot be exported.
    assert [fixture["name"] for fixture in exported["fixtures"]] == [f"POST {CHAT}"] * 3 + ["POST /v1/embeddings"]
    assert [skipped["reason"] for skipped in exported["skipped"]] == [
        "the journal kept part of a body (64 KB of each; 16 KB of an entry in a shared store)"
    ]


def test_the_journal_exports_as_fixtures_that_answer_again(
    http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    client = client_for(KEY)
    _traffic(http, client)
    busy = {"match": {"contains": "busy"}, "response": {"error": {"kind": "rate_limit_exceeded"}}}
    http.post("/__mock/fixtures", headers=A, json=busy)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o-mini", messages=_say("Busy?"))  # type: ignore[arg-type]
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    weather = {
        "match": {"tool": "get_weather"},
        "response": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
    }
    http.post("/__mock/fixtures", headers=A, json=weather)
    streamed = client.chat.completions.create(model="gpt-4o-mini", messages=_say("Weather?"), tools=[tool], stream=True)  # type: ignore[arg-type, list-item]
    list(streamed)
    said = client.responses.create(model="gpt-4o-mini", input="Count to three.")
    asked_twice = [client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon") for _ in range(2)]
    exported = http.get("/__mock/requests/export", headers=A)
    assert exported.status_code == 200
    document = exported.json()
    assert [skipped["reason"] for skipped in document["skipped"]] == [
        "the request's body was not read (refused before it, e.g. by an x-mock-fault header)",
        "no fixture answers GET /v1/models: export with format=exchanges",
    ]
    made = document["fixtures"]
    assert [fixture["match"] for fixture in made[:4]] == [
        {"endpoint": "chat.completions", "model": "gpt-4o-mini", "regex": r"\AA\ refund\?\Z"},
        {"endpoint": "chat.completions", "model": "gpt-4o", "regex": r"\AHello\Z"},
        {"endpoint": "embeddings", "model": "text-embedding-3-small", "body": [{"path": "input", "equals": "hello"}]},
        {"endpoint": "chat.completions", "model": "gpt-4o-mini", "regex": r"\ABusy\?\Z"},
    ]
    assert made[0]["response"] == {"content": "5 days."}
    assert [len(vector) for vector in made[2]["response"]["embeddings"]] == [1536]
    assert (
        made[3]["response"]["error"]["status"] == 429 and made[3]["response"]["error"]["code"] == "rate_limit_exceeded"
    )
    assert made[4]["response"] == {"tool_calls": [{"name": "get_weather", "arguments": '{"city":"Paris"}'}]}
    assert made[5]["match"]["endpoint"] == "responses" and made[5]["response"] == {"content": said.output_text}
    assert [fixture["match"]["call"] for fixture in made[6:]] == [1, 2]  # the same request twice: in order
    # Loaded into another tenant (the admin API validates them like a fixtures file), they answer the same.
    for fixture in made:
        assert http.post("/__mock/fixtures", headers=OTHER, json=fixture).status_code == 200
    replay = client_for(OTHER["Authorization"].removeprefix("Bearer "))
    hello = replay.chat.completions.create(model="gpt-4o", messages=_say("Hello"))  # type: ignore[arg-type]
    original = _listed(http, model="gpt-4o")[0]["response"]["body"]["choices"][0]["message"]["content"]
    assert hello.choices[0].message.content == original
    assert_conforms("post", CHAT, 200, hello.model_dump(mode="json", exclude_unset=True), spec="2026-08-21")
    with pytest.raises(openai.RateLimitError):
        replay.chat.completions.create(model="gpt-4o-mini", messages=_say("Busy?"))  # type: ignore[arg-type]
    assert replay.responses.create(model="gpt-4o-mini", input="Count to three.").output_text == said.output_text
    again = [replay.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once upon") for _ in range(2)]
    assert [answer.choices[0].text for answer in again] == [answer.choices[0].text for answer in asked_twice]
    called = replay.chat.completions.create(model="gpt-4o-mini", messages=_say("Weather?"))  # type: ignore[arg-type]
    assert called.choices[0].message.tool_calls[0].function.arguments == '{"city":"Paris"}'  # type: ignore[index, union-attr]
    # The vectors come back bit for bit (the SDK asked for base64: little-endian float32).
    embedded = _listed(http, path="/v1/embeddings")[0]["response"]["body"]["data"][0]["embedding"]
    again_embedded = http.post(
        "/v1/embeddings",
        headers=OTHER,
        json={"model": "text-embedding-3-small", "input": "hello", "encoding_format": "base64"},
    ).json()
    assert again_embedded["data"][0]["embedding"] == embedded
    replayed = http.get("/__mock/requests", headers=OTHER, params={"path": "/v1/embeddings"}).json()["data"]
    assert [entry["fixture"] is not None for entry in replayed] == [True]  # answered by the exported fixture


def test_the_journal_exports_as_exchanges_replayed_byte_for_byte(
    mock_app: TemplateRouter, http: TestClient, client_for: Callable[[str], openai.OpenAI], tmp_path: Path
) -> None:
    client = client_for(KEY)
    plain = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=_say("Hi"))  # type: ignore[arg-type]
    body = {"model": "gpt-4o-mini", "messages": _say("Stream it"), "stream": True}
    streamed = http.post(CHAT, headers=A, json=body)
    listed = client.models.with_raw_response.list()
    exported = http.get("/__mock/requests/export", headers=A, params={"format": "exchanges", "path": "/v1/**"})
    document = exported.json()
    assert document["skipped"] == [] and len(document["fixtures"]) == 3
    first = document["fixtures"][0]["exchange"]
    assert first["request"]["body"]["messages"] == _say("Hi") and "authorization" not in first["request"]["headers"]
    assert [event.get("data") for event in document["fixtures"][1]["exchange"]["response"]["events"]][-1] == "[DONE]"
    (tmp_path / "journal.json").write_text(json.dumps(document))
    replay = asgi_client(RecordReplayApp(mock_app, replay=tmp_path, strict=True, speed=0), api_key=KEY)
    again = replay.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=_say("Hi"))  # type: ignore[arg-type]
    assert again.http_response.content == plain.http_response.content
    assert again.headers["x-request-id"] == plain.headers["x-request-id"]
    replayed_stream = b"".join(
        replay.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
            model="gpt-4o-mini",
            messages=_say("Stream it"),  # type: ignore[arg-type]
            stream=True,
        ).http_response.iter_bytes()
    )
    assert replayed_stream == streamed.content
    assert replay.models.with_raw_response.list().http_response.content == listed.http_response.content


def test_export_rejects_an_unknown_format(http: TestClient) -> None:
    answer = http.get("/__mock/requests/export", headers=A, params={"format": "har"})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "format"


def test_an_embeddings_answer_without_readable_vectors_is_skipped_not_a_500(http: TestClient) -> None:
    """A fixture for any operation may answer embeddings with any body: what holds no vectors is skipped."""
    odd = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": "not base64!"}]}
    fixture = {"match": {"endpoint": "POST /v1/embeddings"}, "response": {"status": 200, "body": odd}}
    assert http.post("/__mock/fixtures", headers=A, json=fixture).status_code == 200
    assert http.post("/v1/embeddings", headers=A, json={"model": "text-embedding-3-small", "input": "x"}).json() == odd
    exported = http.get("/__mock/requests/export", headers=A, params={"path": "/v1/embeddings"})
    assert exported.status_code == 200
    assert exported.json()["fixtures"] == []
    assert [skipped["reason"] for skipped in exported.json()["skipped"]] == [
        "the answer holds neither text, tool calls, vectors, one verdict for every input nor an error"
    ]


def test_a_moderation_exports_as_the_verdict_that_answers_it_again(
    http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    """A fixture flagged "hello" in one tenant; the export carries that verdict, and another tenant that loads it
    answers the same result (generated, "hello" is not flagged). A request whose inputs got different verdicts has
    no one fixture answer: it is skipped."""
    verdict = {
        "match": {"endpoint": "moderations", "contains": "hello"},
        "response": {"categories": {"harassment": True}},
    }
    assert http.post("/__mock/fixtures", headers=A, json=verdict).status_code == 200
    client = client_for(KEY)
    flagged = client.moderations.create(model="omni-moderation-latest", input="hello").results[0]
    assert flagged.flagged and flagged.categories.harassment
    client.moderations.create(input=["I will kill you", "Have a nice day"])
    exported = http.get("/__mock/requests/export", headers=A, params={"path": "/v1/moderations"}).json()
    assert [skipped["reason"] for skipped in exported["skipped"]] == [
        "the answer holds neither text, tool calls, vectors, one verdict for every input nor an error"
    ]
    [fixture] = exported["fixtures"]
    assert fixture["match"] == {
        "endpoint": "moderations",
        "model": "omni-moderation-latest",
        "body": [{"path": "input", "equals": "hello"}],
    }
    assert fixture["response"]["flagged"] is True and fixture["response"]["categories"]["harassment"] is True
    assert http.post("/__mock/fixtures", headers=OTHER, json=fixture).status_code == 200
    replay = client_for(OTHER["Authorization"].removeprefix("Bearer "))
    again = replay.moderations.create(model="omni-moderation-latest", input="hello").results[0]
    assert again.model_dump() == flagged.model_dump()
    elsewhere = http.post(
        "/v1/moderations", headers={"Authorization": "Bearer sk-journal-unloaded"}, json={"input": "hello"}
    )
    assert elsewhere.json()["results"][0]["flagged"] is False  # what the export carried, not what generation says

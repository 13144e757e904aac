"""Verification: a fixture shows the requests it answered, `POST /__mock/verify` checks a test's expectations
against the journal (200, or 409 with a readable diff and the failures structured), and the pytest helper's
`verify` fails the test with that diff."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api
from openai_mock.testing import MockOpenAI
from tests.support.spec import assert_conforms, validate_component

KEY = "sk-verify-a"
A = {"Authorization": f"Bearer {KEY}"}
CHAT = "/v1/chat/completions"


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def _ask(client: openai.OpenAI, text: str) -> str | None:
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    assert_conforms("post", CHAT, 200, answer.model_dump(mode="json", exclude_unset=True), spec="2026-08-21")
    return answer.choices[0].message.content


def test_a_fixture_shows_the_requests_it_answered(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    client = client_for(KEY)
    fixture = http.post(
        "/__mock/fixtures", headers=A, json={"match": {"contains": "weather"}, "response": {"content": "Sunny."}}
    ).json()
    assert http.get(f"/__mock/fixtures/{fixture['id']}", headers=A).json()["matches"] == {"count": 0, "requests": []}
    assert _ask(client, "The weather?") == "Sunny."
    _ask(client, "Something else")
    assert _ask(client, "Weather tomorrow?") == "Sunny."
    journal = http.get("/__mock/requests", headers=A, params={"order": "asc"}).json()["data"]
    matches = http.get(f"/__mock/fixtures/{fixture['id']}", headers=A).json()["matches"]
    assert matches["count"] == 2
    assert [match["id"] for match in matches["requests"]] == [journal[0]["id"], journal[2]["id"]]
    assert [match["created_at"] for match in matches["requests"]] == [
        journal[0]["created_at"],
        journal[2]["created_at"],
    ]


def test_verify_passes_when_every_expectation_holds(
    http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    client = client_for(KEY)
    fixed = {"match": {"endpoint": "chat.completions"}, "response": {"content": "Fixed."}}
    fixture = http.post("/__mock/fixtures", headers=A, json=fixed).json()
    _ask(client, "one")
    client.embeddings.create(model="text-embedding-3-small", input="two")
    _ask(client, "three")
    expected = {
        "fixtures": [{"id": fixture["id"], "times": 2}],
        "requests": [
            {"method": "POST", "path": CHAT, "fixture": fixture["id"]},
            {"method": "post", "path": "/v1/embed*", "status": "2xx"},
            {"path": CHAT, "model": "gpt-4o-mini", "status": 200},
        ],
    }
    answer = http.post("/__mock/verify", headers=A, json=expected)
    assert answer.status_code == 200, answer.json()["error"]["message"]
    assert answer.json() == {"object": "mock.verification", "ok": True}
    # A subsequence: requests in between are allowed; an empty expectation holds.
    assert (
        http.post("/__mock/verify", headers=A, json={"requests": [{"path": CHAT}, {"path": CHAT}]}).status_code == 200
    )
    assert http.post("/__mock/verify", headers=A, json={}).status_code == 200


def test_verify_answers_409_with_a_readable_diff(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    client = client_for(KEY)
    fixture = http.post(
        "/__mock/fixtures", headers=A, json={"match": {"contains": "hi"}, "response": {"content": "Hello."}}
    ).json()
    _ask(client, "hi")
    client.models.list()
    expected = {
        "fixtures": [{"id": fixture["id"], "times": 2}],
        "requests": [{"method": "GET", "path": "/v1/models"}, {"method": "POST", "path": CHAT}],  # the wrong order
        "no_unmatched": True,
    }
    answer = http.post("/__mock/verify", headers=A, json=expected)
    assert answer.status_code == 409
    body = answer.json()
    validate_component("ErrorResponse", {"error": body["error"]}, spec="2026-08-21")  # OpenAI's error envelope
    assert body["error"]["code"] == "verification_failed" and body["error"]["type"] == "invalid_request_error"
    message = body["error"]["message"]
    assert f"fixture {fixture['id']}: expected exactly 2 matches, got 1" in message
    assert "requests in order: #2 (POST /v1/chat/completions) did not arrive after" in message
    assert "no_unmatched: 1 request no fixture answered" in message
    assert "1. POST /v1/chat/completions → 200 fixture=" in message and "2. GET /v1/models → 200 (" in message
    kinds = [failure["expectation"] for failure in body["failures"]]
    assert kinds == ["fixtures", "requests", "no_unmatched"]
    journal = http.get("/__mock/requests", headers=A, params={"order": "asc"}).json()["data"]
    fixtures_failure, order_failure, unmatched_failure = body["failures"]
    assert fixtures_failure["actual"] == 1 and fixtures_failure["requests"] == [journal[0]["id"]]
    assert order_failure["index"] == 1 and order_failure["found"] == [journal[1]["id"]]
    assert unmatched_failure["requests"] == [journal[1]["id"]]


def test_verify_bounds_and_bad_bodies(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    client = client_for(KEY)
    fixture = http.post("/__mock/fixtures", headers=A, json={"response": {"content": "x"}}).json()
    unused = http.post(
        "/__mock/fixtures", headers=A, json={"match": {"model": "gpt-4o"}, "response": {"content": "y"}}
    ).json()
    _ask(client, "a")
    _ask(client, "b")
    ok = {"fixtures": [{"id": fixture["id"], "at_least": 2, "at_most": 2}, {"id": unused["id"], "times": 0}]}
    assert http.post("/__mock/verify", headers=A, json=ok).status_code == 200
    never = http.post("/__mock/verify", headers=A, json={"fixtures": [{"id": unused["id"]}]})
    assert never.status_code == 409 and "expected at least 1 match, got 0" in never.json()["error"]["message"]
    too_many = http.post("/__mock/verify", headers=A, json={"fixtures": [{"id": fixture["id"], "at_most": 1}]})
    assert "expected at most 1 match, got 2" in too_many.json()["error"]["message"]
    bad = http.post("/__mock/verify", headers=A, json={"fixtures": [{"id": fixture["id"], "times": -1}]})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "fixtures[0].times"
    unknown = http.post("/__mock/verify", headers=A, json={"order": []})
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "order"


def test_the_pytest_helper_fails_the_test_with_the_diff() -> None:
    mock = MockOpenAI()
    try:
        fixture = mock.add_fixture(response={"content": "Fixed."})
        mock.client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        mock.verify(fixtures=[{"id": fixture["id"], "times": 1}], requests=[{"path": CHAT}], no_unmatched=True)
        assert mock.fixture(fixture["id"])["matches"]["count"] == 1
        with pytest.raises(pytest.fail.Exception) as failed:
            mock.verify(fixtures=[{"id": fixture["id"], "times": 3}])
        assert f"fixture {fixture['id']}: expected exactly 3 matches, got 1" in str(failed.value)
        assert "Journal (1 request, oldest first):" in str(failed.value)
    finally:
        mock.close()


def test_verify_on_dynamodb(
    moto_persistence: None, http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    client = client_for(KEY)
    fixture = http.post("/__mock/fixtures", headers=A, json={"response": {"content": "Stored."}}).json()
    _ask(client, "one")
    _ask(client, "two")
    matches = http.get(f"/__mock/fixtures/{fixture['id']}", headers=A).json()["matches"]
    journal = http.get("/__mock/requests", headers=A, params={"order": "asc"}).json()["data"]
    assert matches["requests"] == [{"id": entry["id"], "created_at": entry["created_at"]} for entry in journal]
    expected = {"fixtures": [{"id": fixture["id"], "times": 2}], "requests": [{"path": CHAT}] * 2, "no_unmatched": True}
    assert http.post("/__mock/verify", headers=A, json=expected).status_code == 200
    expected["requests"] = [{"path": CHAT}] * 3
    failed = http.post("/__mock/verify", headers=A, json=expected).json()
    assert failed["failures"][0]["message"].startswith("requests in order: #3 (any method /v1/chat/completions)")

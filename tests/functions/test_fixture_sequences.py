"""Fixture sequences (docs/controls.md): `responses` served in order per tenant, then `sequence_end` says what
comes after the last — through the official SDK; the position is counted in the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api, fixtures
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.mock_fixtures import KEY, add_fixture
from tests.support.spec import assert_conforms


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def answers(client: openai.OpenAI, count: int, content: str = "Next step?") -> list[str | None]:
    return [
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": content}])
        .choices[0]
        .message.content
        for _ in range(count)
    ]


THREE = [{"content": "one"}, {"content": "two"}, {"content": "three"}]


def test_a_sequence_repeats_its_last_answer_by_default(http: TestClient, client: openai.OpenAI) -> None:
    created = add_fixture(http, match={"contains": "next"}, responses=THREE)
    assert created["served"] == 0 and "sequence_end" not in created
    assert answers(client, 5) == ["one", "two", "three", "three", "three"]
    shown = http.get(f"/__mock/fixtures/{created['id']}", headers=KEY).json()
    assert shown["matched"] == 5 and shown["served"] == 5


def test_a_cycling_sequence_starts_again(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, responses=THREE, sequence_end="cycle")
    assert answers(client, 7) == ["one", "two", "three", "one", "two", "three", "one"]


def test_a_falling_through_sequence_leaves_the_request_to_the_next_fixture(
    http: TestClient, client: openai.OpenAI
) -> None:
    add_fixture(http, match={"contains": "next"}, responses=THREE[:2], sequence_end="fall_through")
    add_fixture(http, response={"content": "fallback"})  # less specific: answers once the sequence is spent
    assert answers(client, 4) == ["one", "two", "fallback", "fallback"]


def test_after_a_fall_through_with_no_other_fixture_the_mock_generates(http: TestClient, client: openai.OpenAI) -> None:
    created = add_fixture(http, responses=[{"content": "only once"}], sequence_end="fall_through")
    first, second, third = answers(client, 3)
    assert first == "only once"
    assert second and second != "only once" and third and third != "only once"  # the mock's own text
    assert http.get(f"/__mock/fixtures/{created['id']}", headers=KEY).json()["served"] == 1  # stops counting


def test_a_sequence_mixes_text_tool_calls_and_errors(http: TestClient, client: openai.OpenAI) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    add_fixture(
        http,
        responses=[
            {"tool_calls": [{"name": "lookup", "arguments": {"q": "paris"}}]},
            {"error": {"kind": "rate_limit_exceeded"}},
            {"content": "Paris it is."},
        ],
    )
    messages: Any = [{"role": "user", "content": "Find Paris"}]
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=messages, tools=[tool])  # type: ignore[list-item]
    assert_conforms("post", "/chat/completions", 200, raw.http_response.json(), spec="2026-08-21")
    assert raw.parse().choices[0].message.tool_calls[0].function.name == "lookup"  # type: ignore[index,union-attr]
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=[tool])  # type: ignore[list-item]
    assert answers(client, 1) == ["Paris it is."]


def test_each_tenant_has_its_own_position(
    http: TestClient, client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    add_fixture(http, responses=THREE)
    http.post("/__mock/fixtures", json={"responses": THREE}, headers={"Authorization": "Bearer sk-other"})
    assert answers(client, 2) == ["one", "two"]
    assert answers(client_for("sk-other"), 1) == ["one"]
    assert answers(client, 1) == ["three"]


def test_a_deployment_files_sequence_counts_per_tenant_in_the_store(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    path = tmp_path / "fixtures.json"
    path.write_text(
        '[{"responses": [{"content": "a"}, {"content": "b"}], "sequence_end": "fall_through"},'
        ' {"response": {"content": "z"}}]'
    )
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    assert answers(client_for("sk-one"), 3) == ["a", "b", "z"]
    assert answers(client_for("sk-two"), 1) == ["a"]
    # Process state forgotten (another container): the position lives in the store.
    api.reset_process_state()
    assert answers(client_for("sk-two"), 2) == ["b", "z"]
    # A reset of the tenant starts its sequence again.
    assert http.post("/__mock/reset", headers={"Authorization": "Bearer sk-one"}).status_code == 200
    assert answers(client_for("sk-one"), 1) == ["a"]


def test_responses_api_serves_a_sequence(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "responses"}, responses=[{"content": "first"}, {"content": "second"}])
    texts = [client.responses.create(model="gpt-4o-mini", input="Go on").output_text for _ in range(3)]
    assert texts == ["first", "second", "second"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"response": {"content": "a"}, "responses": [{"content": "b"}]}, "responses"),
        ({"responses": []}, "responses"),
        ({"response": {"content": "a"}, "sequence_end": "cycle"}, "sequence_end"),
        ({"responses": [{"content": "a"}], "sequence_end": "loop"}, "sequence_end"),
        ({"responses": [{"content": "a"}, {"text": "b"}]}, "responses[1].text"),
    ],
)
def test_a_bad_sequence_is_a_400_naming_the_field(http: TestClient, body: dict[str, Any], param: str) -> None:
    refused = http.post("/__mock/fixtures", json=body, headers=KEY)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error", error


@pytest.mark.usefixtures("moto_persistence")
def test_sequences_on_dynamodb(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, http: TestClient, client: openai.OpenAI
) -> None:
    """The DynamoDB store (moto): a tenant's sequence (conditional updates) and a file's (limited counters)."""
    from openai_mock.store import get_store

    assert type(get_store()).__name__ == "DynamoDBStore", type(get_store())
    add_fixture(http, match={"contains": "stored"}, responses=THREE[:2], sequence_end="fall_through")
    path = tmp_path / "fixtures.json"
    path.write_text(
        '[{"match": {"contains": "stored"}, "responses": [{"content": "file"}], "sequence_end": "fall_through"}]'
    )
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    first, second, third = answers(client, 3, "Is it stored?")
    assert [first, second, third] == ["one", "two", "file"]
    assert answers(client, 1, "Is it stored?")[0] not in ("one", "two", "file")


def test_matching_adds_to_counters_and_never_rewrites_the_fixture(http: TestClient, client: openai.OpenAI) -> None:
    """Every container counts a fixture's requests at once: as counter items, not by rewriting the fixture."""
    created = add_fixture(http, match={"contains": "next"}, responses=THREE)
    assert answers(client, 2) == ["one", "two"]
    stored = get_store().get(principal_for_key("sk-test").tenant, fixtures.COLLECTION, created["id"])
    assert stored == created  # untouched: its version, its counts
    listed = http.get("/__mock/fixtures", headers=KEY).json()["data"]
    assert [(fixture["matched"], fixture["served"]) for fixture in listed] == [(2, 2)]


def test_counts_kept_in_a_fixture_by_an_earlier_version_carry_on(http: TestClient, client: openai.OpenAI) -> None:
    """A persisted fixture counted in its own object (before the counts were counters) goes on from there."""
    created = add_fixture(http, match={"contains": "next"}, responses=THREE, sequence_end="fall_through")
    tenant = principal_for_key("sk-test").tenant
    get_store().update(tenant, fixtures.COLLECTION, created["id"], lambda old: {**old, "matched": 4, "served": 2})
    third, after = answers(client, 2)
    assert third == "three" and after not in ("one", "two", "three")  # then the sequence falls through
    shown = http.get(f"/__mock/fixtures/{created['id']}", headers=KEY).json()
    assert (shown["matched"], shown["served"]) == (6, 3)

"""Templates in fixture answers (docs/controls.md): `{{request.…}}`, `{{tool_call.arguments.…}}` and
`{{mock.…}}` placeholders, replaced when the fixture answers; an unknown one is a 400 at creation."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import api
from openai_mock.generation.tokens import count_tokens
from tests.support.mock_fixtures import KEY, add_fixture
from tests.support.spec import assert_conforms


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def test_request_values_fill_the_content(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        response={
            "content": "You asked {{ request.model }}: “{{request.last_user}}” "
            "(first: {{request.body.messages[0].content}}, n={{request.body.n}}, none=[{{request.body.nope}}])"
        },
    )
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi there"}],
        n=1,
    )
    assert_conforms("post", "/chat/completions", 200, raw.http_response.json(), spec="2026-08-21")
    completion = raw.parse()
    text = "You asked gpt-4o-mini: “Hi there” (first: Be brief., n=1, none=[])"
    assert completion.choices[0].message.content == text
    assert completion.usage is not None and completion.usage.completion_tokens == count_tokens(text, "gpt-4o-mini")


def test_structured_strings_and_tool_arguments_are_rendered(http: TestClient, client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000)  # conftest resets the clock after each test
    add_fixture(
        http,
        match={"tool": "save"},
        responses=[
            {
                "tool_calls": [
                    {"name": "save", "arguments": {"id": '{{mock.id "note_"}}', "text": "{{request.last_user}}"}}
                ]
            },
            {
                "structured": {
                    "saved": "{{tool_call.arguments.text}}",
                    "at": "{{mock.now}}",
                    "tags": ["{{request.model}}"],
                }
            },
        ],
    )
    tool: Any = {"type": "function", "function": {"name": "save", "parameters": {"type": "object"}}}
    messages: Any = [{"role": "user", "content": "Buy milk"}]
    first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=[tool])
    call = first.choices[0].message.tool_calls[0]  # type: ignore[index]
    arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
    assert arguments["text"] == "Buy milk"
    assert arguments["id"].startswith("note_") and len(arguments["id"]) == len("note_") + 24
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump(exclude_none=True)]},
        {"role": "tool", "tool_call_id": call.id, "content": "ok"},
    ]
    second = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=[tool])
    assert json.loads(second.choices[0].message.content or "") == {
        "saved": "Buy milk",
        "at": "1800000000",
        "tags": ["gpt-4o-mini"],
    }


def test_mock_ids_are_fresh_each_time(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "{{mock.id}} {{mock.id}}"})
    ids = [
        *client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        .choices[0]
        .message.content.split(),  # type: ignore[union-attr]
        *client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        .choices[0]
        .message.content.split(),  # type: ignore[union-attr]
    ]
    assert len(set(ids)) == 4 and all(value.startswith("id_") for value in ids)


def test_mock_text_gives_that_many_tokens_of_generated_text(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "responses"}, response={"content": "Summary: {{mock.text 30}}"})
    response = client.responses.create(model="gpt-4o-mini", input="Tell me about lighthouses")
    text = response.output_text.removeprefix("Summary: ")
    assert response.output_text.startswith("Summary: ") and len(text.split()) > 10
    assert count_tokens(text, "gpt-4o-mini") == 30
    again = client.responses.create(model="gpt-4o-mini", input="Tell me about lighthouses")
    assert again.output_text.startswith("Summary: ")


def test_responses_body_paths_read_the_request_as_sent(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "Echo: {{request.body.input}} / {{request.body.metadata.case}}"})
    response = client.responses.create(model="gpt-4o-mini", input="hello", metadata={"case": "c1"})
    assert response.output_text == "Echo: hello / c1"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"response": {"content": "{{request.secret}}"}}, "response.content"),
        ({"response": {"content": "{{ mock.text }}"}}, "response.content"),
        ({"response": {"content": "{{mock.text 0}}"}}, "response.content"),
        ({"response": {"content": "{{request.body.a..b}}"}}, "response.content"),
        ({"response": {"structured": {"a": ["{{__import__}}"]}}}, "response.structured"),
        (
            {"responses": [{"content": "ok"}, {"tool_calls": [{"name": "f", "arguments": "{{mock.uuid}}"}]}]},
            "responses[1].tool_calls[0].arguments",
        ),
    ],
)
def test_an_unknown_placeholder_is_a_400_at_creation(http: TestClient, body: dict[str, Any], param: str) -> None:
    refused = http.post("/__mock/fixtures", json=body, headers=KEY)
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert error["param"] == param and "unknown placeholder" in error["message"], error
    assert http.get("/__mock/fixtures", headers=KEY).json()["data"] == []


def test_text_without_placeholders_is_left_alone(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "Braces { stay } and {single} too"})
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert answer.choices[0].message.content == "Braces { stay } and {single} too"

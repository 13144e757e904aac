"""Rich fixture matching (docs/controls.md): JSON paths of the body, headers, tool results — and the most
specific matching fixture answers. Through the official SDK."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api, json_path
from tests.support.mock_fixtures import KEY, add_fixture
from tests.support.spec import assert_conforms

WEATHER_TOOL: Any = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def say(client: openai.OpenAI, messages: Any, **options: Any) -> str | None:
    return client.chat.completions.create(model="gpt-4o-mini", messages=messages, **options).choices[0].message.content


def user(content: str) -> Any:
    return [{"role": "user", "content": content}]


# --------------------------------------------------------------------------------------------- the path reader


def test_the_path_reader_reads_keys_positions_and_negative_positions() -> None:
    document = {"messages": [{"content": "a"}, {"content": "b"}], "tools": [{"function": {"name": "w"}}], "n": 0}
    assert json_path.read(document, "messages[-1].content") == "b"
    assert json_path.read(document, "messages[0].content") == "a"
    assert json_path.read(document, "tools[0].function.name") == "w"
    assert json_path.read(document, "n") == 0
    assert json_path.read([[1, 2]], "[0][-1]") == 2
    for absent in ("messages[2]", "messages[-3]", "n.x", "tools.function", "messages[0].content.x"):
        assert json_path.read(document, absent) is json_path.MISSING
    for malformed in ("", ".a", "a..b", "a[x]", "a]", "a[0]b"):
        with pytest.raises(ValueError):
            json_path.parse(malformed)


# --------------------------------------------------------------------------------------------- body conditions


def test_body_conditions_equals_regex_contains_exists(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"body": [{"path": "messages[-1].content", "equals": "ping"}]}, response={"content": "1"})
    add_fixture(
        http, match={"body": [{"path": "messages[-1].content", "regex": r"^order \d+$"}]}, response={"content": "2"}
    )
    add_fixture(
        http, match={"body": [{"path": "messages[0].content", "contains": "PIRATE"}]}, response={"content": "3"}
    )
    add_fixture(http, match={"body": [{"path": "temperature", "exists": True}]}, response={"content": "4"})
    assert say(client, user("ping")) == "1"
    assert say(client, user("order 42")) == "2"
    assert say(client, user("order 42 please")) != "2"
    assert say(client, [{"role": "system", "content": "You are a pirate"}, *user("hi")]) == "3"
    assert say(client, user("hello"), temperature=0.5) == "4"
    assert say(client, user("hello")) not in ("1", "2", "3", "4")


def test_body_conditions_read_tool_names_and_all_must_hold(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={
            "body": [
                {"path": "tools[0].function.name", "equals": "get_weather"},
                {"path": "metadata.case", "exists": False},
            ]
        },
        response={"content": "weather tool"},
    )
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=user("hi"), tools=[WEATHER_TOOL]
    )
    assert_conforms("post", "/chat/completions", 200, raw.http_response.json(), spec="2026-08-21")
    assert raw.parse().choices[0].message.content == "weather tool"
    assert say(client, user("hi"), tools=[WEATHER_TOOL], metadata={"case": "x"}) != "weather tool"
    assert say(client, user("hi")) != "weather tool"


def test_body_conditions_read_the_responses_request_as_sent(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "responses", "body": [{"path": "input", "equals": "Exactly this"}]},
        response={"content": "matched input"},
    )
    add_fixture(
        http,
        match={"body": [{"path": "input[-1].content", "contains": "list form"}, {"path": "store", "equals": False}]},
        response={"content": "matched list"},
    )
    assert client.responses.create(model="gpt-4o-mini", input="Exactly this").output_text == "matched input"
    assert client.responses.create(model="gpt-4o-mini", input="Exactly this!").output_text != "matched input"
    listed = client.responses.create(
        model="gpt-4o-mini", input=[{"role": "user", "content": "in list form"}], store=False
    )
    assert listed.output_text == "matched list"


def test_equals_compares_json_values_strictly(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"body": [{"path": "n", "equals": 1}]}, response={"content": "one choice"})
    assert say(client, user("hi"), n=1) == "one choice"
    add_fixture(http, match={"body": [{"path": "logprobs", "equals": True}]}, response={"content": "with logprobs"})
    assert say(client, user("hi"), logprobs=True) == "with logprobs"


# --------------------------------------------------------------------------------------------- headers


def test_header_conditions_ignore_the_names_case_and_take_a_regex(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"headers": {"X-Test-Case": "alpha"}}, response={"content": "exact"})
    add_fixture(http, match={"headers": {"x-test-case": r"beta-\d+"}}, response={"content": "pattern"})
    assert say(client, user("hi"), extra_headers={"x-test-case": "alpha"}) == "exact"
    assert say(client, user("hi"), extra_headers={"X-TEST-CASE": "beta-7"}) == "pattern"
    assert say(client, user("hi"), extra_headers={"X-Test-Case": "beta-7x"}) not in ("exact", "pattern")
    assert say(client, user("hi")) not in ("exact", "pattern")


# --------------------------------------------------------------------------------------------- tool results


ANSWER_TOOL: Any = {"type": "function", "name": "answer", "parameters": {"type": "object", "properties": {}}}


def _after_tool(result: str) -> list[dict[str, Any]]:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}
    return [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]


def test_tool_result_matches_presence_and_content(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"tool_result": True}, response={"content": "any result"})
    add_fixture(http, match={"tool_result": "sunny"}, response={"content": "It is sunny."})
    add_fixture(
        http,
        match={"tool_result": False, "contains": "weather"},
        response={"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
    )
    first = client.chat.completions.create(
        model="gpt-4o-mini", messages=user("Weather in Paris?"), tools=[WEATHER_TOOL]
    )
    assert first.choices[0].message.tool_calls[0].function.name == "get_weather"  # type: ignore[index,union-attr]
    assert say(client, _after_tool('{"sky": "SUNNY"}'), tools=[WEATHER_TOOL]) == "It is sunny."
    assert say(client, _after_tool('{"sky": "rain"}'), tools=[WEATHER_TOOL]) == "any result"


def test_tool_result_matches_a_responses_function_call_output(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "responses", "tool_result": "42"}, response={"content": "The answer is 42."})
    response = client.responses.create(
        model="gpt-4o-mini",
        input=[
            {"role": "user", "content": "What is the answer?"},
            {"type": "function_call", "call_id": "call_9", "name": "answer", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "call_9", "output": '{"value": 42}'},
        ],
        tools=[ANSWER_TOOL],
    )
    assert response.output_text == "The answer is 42."
    assert client.responses.create(model="gpt-4o-mini", input="What is 42?").output_text != "The answer is 42."


# --------------------------------------------------------------------------------------------- specificity


def test_the_most_specific_fixture_wins_whatever_its_age(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "catch-all"})
    add_fixture(http, match={"contains": "weather"}, response={"content": "weather"})
    add_fixture(http, match={"contains": "weather", "model": "gpt-4o-mini"}, response={"content": "weather, mini"})
    add_fixture(
        http,
        match={"contains": "weather", "body": [{"path": "temperature", "equals": 0}]},
        response={"content": "weather at zero"},
    )
    assert say(client, user("The weather?")) == "weather, mini"
    assert (
        client.chat.completions.create(model="gpt-4o", messages=user("weather?")).choices[0].message.content
        == "weather"
    )
    assert say(client, user("hello")) == "catch-all"
    # Two points each (contains + model, contains + body): the older one answers.
    assert say(client, user("The weather?"), temperature=0) == "weather, mini"
    add_fixture(
        http,
        match={"contains": "weather", "body": [{"path": "temperature", "equals": 0}], "headers": {"x-run": "1"}},
        response={"content": "three points"},
    )
    assert say(client, user("The weather?"), temperature=0, extra_headers={"x-run": "1"}) == "three points"


def test_every_matching_fixture_counts_the_request(http: TestClient, client: openai.OpenAI) -> None:
    generic = add_fixture(http, match={"contains": "weather"}, response={"content": "generic"})
    second = add_fixture(http, match={"contains": "weather", "call": 2}, response={"content": "second call"})
    assert [say(client, user("weather")) for _ in range(3)] == ["generic", "second call", "generic"]
    for fixture in (generic, second):
        assert http.get(f"/__mock/fixtures/{fixture['id']}", headers=KEY).json()["matched"] == 3


# --------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("match", "param"),
    [
        ({"body": [{"path": "a..b", "exists": True}]}, "match.body[0].path"),
        ({"body": [{"path": "a"}]}, "match.body[0]"),
        ({"body": [{"path": "a", "equals": 1, "exists": True}]}, "match.body[0]"),
        ({"body": [{"path": "a", "regex": "("}]}, "match.body[0].regex"),
        ({"body": [{"path": "a", "near": 1}]}, "match.body[0].near"),
        ({"body": []}, "match.body"),
        ({"headers": {"x-a": 1}}, "match.headers.x-a"),
        ({"tool_result": 3}, "match.tool_result"),
        ({"tool_result": 1}, "match.tool_result"),
        ({"body": [{"path": "a", "exists": 1}]}, "match.body[0].exists"),
    ],
)
def test_bad_match_conditions_are_a_400_naming_the_field(http: TestClient, match: dict[str, Any], param: str) -> None:
    refused = http.post("/__mock/fixtures", json={"match": match, "response": {"content": "x"}}, headers=KEY)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == param, refused.json()


def test_equals_null_is_kept(http: TestClient, client: openai.OpenAI) -> None:
    created = add_fixture(
        http, match={"body": [{"path": "messages[-1].name", "equals": None}]}, response={"content": "null name"}
    )
    assert created["match"]["body"] == [{"path": "messages[-1].name", "equals": None}]
    assert say(client, user("hi")) != "null name"  # no `name` at all: MISSING is not null


# --------------------------------------------------------------------------------------------- any operation


def test_a_route_fixture_answers_any_operation_with_its_status_and_body(
    http: TestClient, client: openai.OpenAI
) -> None:
    real = client.moderations.with_raw_response.create(model="omni-moderation-latest", input="hello").http_response
    given = real.json()
    given["id"] = "modr-fixture"
    given["results"][0]["flagged"] = True
    given["results"][0]["categories"]["violence"] = True
    add_fixture(
        http,
        match={"endpoint": "POST /v1/moderations", "body": [{"path": "input", "contains": "attack"}]},
        response={"status": 200, "body": given, "headers": {"x-fixture": "yes"}},
    )
    raw = client.moderations.with_raw_response.create(model="omni-moderation-latest", input="Plan the attack")
    assert raw.http_response.headers["x-fixture"] == "yes"
    assert raw.http_response.headers["x-request-id"].startswith("req_")  # the standard headers still added
    assert_conforms("post", "/moderations", 200, raw.http_response.json(), spec="2026-08-21")
    moderation = raw.parse()
    assert moderation.id == "modr-fixture" and moderation.results[0].flagged
    assert moderation.results[0].categories.violence
    # The body condition does not hold: the function answers.
    other = client.moderations.create(model="omni-moderation-latest", input="A quiet afternoon")
    assert other.id != "modr-fixture"


def test_a_route_fixture_with_a_path_parameter_answers_an_error_status(http: TestClient, client: openai.OpenAI) -> None:
    body = {"error": {"message": "Gone fishing.", "type": "invalid_request_error", "param": None, "code": "gone"}}
    created = add_fixture(http, match={"endpoint": "GET /v1/models/{model}"}, response={"status": 404, "body": body})
    with pytest.raises(openai.NotFoundError) as raised:
        client.models.retrieve("gpt-4o-mini")
    assert raised.value.body == body["error"] and raised.value.code == "gone"
    assert client.models.list().data  # another path: the function answers
    assert http.get(f"/__mock/fixtures/{created['id']}", headers=KEY).json()["matched"] == 1


def test_a_route_fixture_sequence_fails_then_answers_with_templates(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "POST /v1/embeddings"},
        responses=[
            {"error": {"kind": "overloaded"}},
            {
                "status": 200,
                "body": {
                    "object": "list",
                    "model": "{{request.model}}",
                    "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -0.5]}],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                },
            },
        ],
    )
    with pytest.raises(openai.InternalServerError) as raised:
        client.embeddings.create(model="text-embedding-3-small", input="x")
    assert raised.value.status_code == 503
    embedding = client.embeddings.create(model="text-embedding-3-small", input="x", encoding_format="float")
    assert embedding.model == "text-embedding-3-small" and embedding.data[0].embedding == [0.5, -0.5]


def test_a_route_fixture_without_an_answer_adds_its_fault_to_the_operation(
    http: TestClient, client: openai.OpenAI
) -> None:
    add_fixture(http, match={"endpoint": "GET /v1/files"}, fault={"rate": 1, "kind": "server_error"})
    with pytest.raises(openai.InternalServerError):
        client.files.list()
    add_fixture(http, match={"endpoint": "GET /v1/vector_stores"}, latency={"ms": 0})
    assert client.vector_stores.list().data == []  # no answer, no fault: the function answers


def test_a_catch_all_fixture_never_answers_other_operations(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "chat only"}, fault={"rate": 1, "kind": "server_error"})
    assert client.models.list().data


@pytest.mark.parametrize(
    ("fixture", "param"),
    [
        ({"match": {"endpoint": "FETCH /v1/x"}, "response": {"status": 200}}, "match.endpoint"),
        ({"match": {"endpoint": "files"}, "response": {"status": 200}}, "match.endpoint"),
        ({"match": {"endpoint": "POST /v1/moderations"}, "response": {"content": "x"}}, "response"),
        ({"match": {"endpoint": "chat.completions"}, "response": {"status": 200, "body": {}}}, "response"),
        ({"match": {"endpoint": "POST /v1/x"}, "responses": [{"status": 200}, {"tool_calls": []}]}, "responses"),
        ({"match": {"endpoint": "POST /v1/x"}, "response": {"status": 99}}, "response.status"),
        ({"match": {"endpoint": "POST /v1/x"}, "response": {"body": {"a": "{{nope}}"}}}, "response.body"),
    ],
)
def test_bad_route_fixtures_are_a_400_naming_the_field(http: TestClient, fixture: dict[str, Any], param: str) -> None:
    refused = http.post("/__mock/fixtures", json=fixture, headers=KEY)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == param, refused.json()

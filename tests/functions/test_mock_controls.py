"""Mock controls (/__mock): fixtures, faults, latency, quotas, journal, reset — each through the official SDK."""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import api, runtime
from openai_mock.generation.tokens import count_tokens
from openai_mock.resources import ratelimits
from openai_mock.settings import reset_settings
from tests.support.loop import run_on_private_loop
from tests.support.sdk import asgi_client, lambda_client
from tests.support.spec import validate_component

KEY = {"Authorization": "Bearer sk-test"}
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    """Rate-limit windows and fault draws are process state: start every test from zero."""
    ratelimits.reset()
    api.reset_process_state()


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the latency controls ask for, recorded instead of slept."""
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(round(seconds, 6))

    monkeypatch.setattr(runtime, "sleep", record)
    return delays


@pytest.fixture
def sdk_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The SDK's retry waits: recorded, and passed on to the mock clock (so rate-limit windows move)."""
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(openai._base_client.time, "sleep", wait)
    return waits


def add_fixture(http: TestClient, **fixture: Any) -> dict[str, Any]:
    response = http.post("/__mock/fixtures", json=fixture, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def ask(client: openai.OpenAI, content: str = "What's the weather in Paris?", **options: Any) -> Any:
    return client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": content}], **options
    )


# --------------------------------------------------------------------------------------------- fixtures: admin API


def test_fixture_crud_lists_retrieves_and_deletes(http: TestClient) -> None:
    first = add_fixture(http, name="greeting", match={"contains": "hello"}, response={"content": "Hi!"})
    second = add_fixture(http, match={"endpoint": "responses"}, response={"content": "Two"})
    assert first["id"].startswith("fixture_") and first["object"] == "mock.fixture" and first["matched"] == 0
    listed = http.get("/__mock/fixtures", params={"order": "asc"}, headers=KEY).json()
    assert [item["id"] for item in listed["data"]] == [first["id"], second["id"]]
    assert listed["first_id"] == first["id"] and listed["has_more"] is False
    assert http.get(f"/__mock/fixtures/{first['id']}", headers=KEY).json()["name"] == "greeting"
    deleted = http.delete(f"/__mock/fixtures/{first['id']}", headers=KEY).json()
    assert deleted == {"id": first["id"], "object": "mock.fixture.deleted", "deleted": True}
    missing = http.get(f"/__mock/fixtures/{first['id']}", headers=KEY)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == f"No such fixture object: {first['id']}"
    assert http.delete("/__mock/fixtures", headers=KEY).json()["count"] == 1
    assert http.get("/__mock/fixtures", headers=KEY).json()["data"] == []


def test_fixture_admin_api_validates_and_authenticates(http: TestClient) -> None:
    bad = http.post("/__mock/fixtures", json={"match": {"regex": "("}}, headers=KEY)
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"
    assert "regular expression" in bad.json()["error"]["message"]
    unknown = http.post("/__mock/fixtures", json={"fault": {"rate": 1, "kind": "meteor"}}, headers=KEY)
    assert unknown.status_code == 400
    assert http.get("/__mock/fixtures").status_code == 401


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/__mock/fixtures", {"match": {"call": True}, "response": {"content": "x"}}, "match.call"),
        ("/__mock/fixtures", {"fault": {"rate": True, "kind": "server_error"}}, "fault.rate"),
        ("/__mock/fixtures", {"latency": {"ms": False}, "response": {"content": "x"}}, "latency.ms"),
        ("/__mock/quotas", {"requests_per_minute": True}, "requests_per_minute"),
        ("/__mock/clock", {"advance_seconds": True}, "advance_seconds"),
    ],
)
def test_control_numbers_refuse_booleans(http: TestClient, path: str, body: dict[str, Any], param: str) -> None:
    """As the real API does for its own numbers: `true` is not 1 (it once set a fault rate of 100 %)."""
    refused = http.post(path, json=body, headers=KEY)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["param"] == param
    assert "boolean" in refused.json()["error"]["message"]


def test_fixtures_belong_to_their_tenant(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    add_fixture(http, match={"contains": "weather"}, response={"content": "Only for sk-test."})
    assert ask(client_for("sk-test")).choices[0].message.content == "Only for sk-test."
    assert ask(client_for("sk-other")).choices[0].message.content != "Only for sk-test."


# --------------------------------------------------------------------------------------------- fixtures: answers


def test_chat_fixture_content_is_counted_and_conforms(http: TestClient, client: openai.OpenAI) -> None:
    from tests.support.spec import assert_conforms

    add_fixture(http, match={"contains": "WEATHER", "model": "gpt-4o-mini"}, response={"content": "Sunny, 21 °C."})
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
    assert_conforms("post", "/chat/completions", 200, raw.http_response.json())
    completion = raw.parse()
    assert completion.choices[0].message.content == "Sunny, 21 °C."
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.completion_tokens == count_tokens(
        "Sunny, 21 °C.", "gpt-4o-mini"
    )


def test_chat_fixture_streams_like_generated_content(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"regex": r"weather in \w+"}, response={"content": "Sunny and warm in Paris today."})
    chunks = list(ask(client, stream=True, stream_options={"include_usage": True}))
    for chunk in chunks:
        validate_component("CreateChatCompletionStreamResponse", chunk.model_dump(mode="json", exclude_unset=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Sunny and warm in Paris today."
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3  # token by token
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == count_tokens(text, "gpt-4o-mini")


def test_chat_fixture_respects_max_tokens(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, response={"content": "one two three four five six seven eight nine ten"})
    completion = ask(client, max_tokens=3)
    assert completion.choices[0].message.content == "one two three"
    assert completion.choices[0].finish_reason == "length"


def test_chat_fixture_tool_calls(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"tool": "get_weather"},
        response={"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
    )
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=ASK, tools=[WEATHER_TOOL])  # type: ignore[list-item]
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}  # type: ignore[union-attr]
    assert call.id.startswith("call_")
    # Without the tool declared, the fixture does not match.
    assert ask(client).choices[0].message.tool_calls is None


def test_structured_fixture_answers_json(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"metadata": {"case": "json"}}, response={"structured": {"city": "Paris", "temp": 21}})
    completion = ask(client, metadata={"case": "json"})
    assert json.loads(completion.choices[0].message.content or "") == {"city": "Paris", "temp": 21}


def test_sequence_fixture_answers_only_the_nth_call(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"contains": "weather", "call": 2}, response={"content": "Second time."})
    first, second, third = (ask(client).choices[0].message.content for _ in range(3))
    assert second == "Second time." and first != "Second time." and third != "Second time."


def test_system_scope_matches_the_system_prompt(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"contains": "pirate", "scope": "system"}, response={"content": "Arr!"})
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": "Hello"}],
    )
    assert completion.choices[0].message.content == "Arr!"
    assert ask(client, "pirate?").choices[0].message.content != "Arr!"


def test_responses_fixture_renders_output_text_and_streams(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "responses", "contains": "capital"}, response={"content": "Paris."})
    response = client.responses.create(model="gpt-4o-mini", input="What is the capital of France?")
    assert response.output_text == "Paris."
    assert response.usage is not None and response.usage.output_tokens == count_tokens("Paris.", "gpt-4o-mini")
    events = list(client.responses.create(model="gpt-4o-mini", input="The capital of France?", stream=True))
    deltas = "".join(event.delta for event in events if event.type == "response.output_text.delta")
    assert deltas == "Paris." and events[-1].type == "response.completed"


def test_completions_fixture(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "completions"}, response={"content": " world"})
    completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Hello")
    assert completion.choices[0].text == " world"


def test_assistants_run_fixture_writes_the_message(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(
        http,
        match={"endpoint": "assistants.runs", "contains": "refund"},
        response={"content": "Your refund is on its way."},
    )
    warnings.simplefilter("ignore", DeprecationWarning)  # the SDK marks Assistants deprecated
    assistant = client.beta.assistants.create(model="gpt-4o-mini", instructions="Support agent.")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Where is my refund?"}]}
    )
    assert run.status == "completed"
    messages = client.beta.threads.messages.list(thread_id=run.thread_id, order="desc")
    assert messages.data[0].content[0].text.value == "Your refund is on its way."  # type: ignore[union-attr]


def test_error_fixture_answers_the_real_error_body(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"endpoint": "embeddings"}, response={"error": {"kind": "insufficient_quota"}})
    with pytest.raises(openai.RateLimitError) as raised:
        client.embeddings.create(model="text-embedding-3-small", input="hello")
    assert raised.value.status_code == 429 and raised.value.code == "insufficient_quota"
    assert raised.value.type == "insufficient_quota"
    add_fixture(
        http,
        match={"endpoint": "chat.completions"},
        response={"error": {"status": 418, "message": "I'm a teapot", "code": "teapot"}},
    )
    with pytest.raises(openai.APIStatusError) as teapot:
        ask(client)
    assert teapot.value.status_code == 418 and teapot.value.body == {
        "message": "I'm a teapot",
        "type": "invalid_request_error",
        "param": None,
        "code": "teapot",
    }


def test_sdk_retries_a_rate_limited_fixture_after_retry_after(
    http: TestClient, mock_app: Any, sdk_sleeps: list[float]
) -> None:
    add_fixture(http, match={"contains": "weather"}, times=1, response={"error": {"kind": "rate_limit_exceeded"}})
    retrying = asgi_client(mock_app).with_options(max_retries=2)
    completion = ask(retrying)
    assert completion.choices[0].message.content  # the retry got a generated answer
    assert sdk_sleeps == [1.0]  # the SDK waited what retry-after-ms said
    statuses = [
        entry["status"] for entry in http.get("/__mock/requests", params={"order": "asc"}, headers=KEY).json()["data"]
    ]
    assert statuses == [429, 200]


def test_fixtures_file_applies_to_every_tenant(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, client_for: Callable[[str], openai.OpenAI]
) -> None:
    path = tmp_path / "fixtures.yaml"
    path.write_text("fixtures:\n  - match: {contains: ping}\n    response: {content: pong}\n")
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    for key in ("sk-a", "sk-b"):
        assert ask(client_for(key), "ping").choices[0].message.content == "pong"


def test_a_fixtures_file_route_fixture_answers_among_model_fixtures(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, client: openai.OpenAI
) -> None:
    """A file's route fixture ("METHOD /path") answers its operation wherever it stands among the file's model
    fixtures, and the model fixtures still answer chat; the route check reads the file's route fixtures only."""
    from openai_mock.control import fixtures

    chat_fixtures = "".join(f"  - match: {{contains: ping{n}}}\n    response: {{content: pong{n}}}\n" for n in range(3))
    route = '  - match: {endpoint: "GET /v1/models/{model}"}\n    response: {status: 404, body: {gone: true}}\n'
    path = tmp_path / "fixtures.yaml"
    path.write_text("fixtures:\n" + chat_fixtures + route + chat_fixtures.replace("ping", "late"))
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    with pytest.raises(openai.NotFoundError) as gone:
        client.models.retrieve("gpt-4o")
    assert gone.value.body == {"gone": True}
    assert ask(client, "ping1").choices[0].message.content == "pong1"
    assert ask(client, "late2").choices[0].message.content == "pong2"
    assert [f["match"]["endpoint"] for f in fixtures.deployment_fixtures(routes_only=True)] == [
        "GET /v1/models/{model}"
    ]
    assert len(fixtures.deployment_fixtures()) == 7


def test_a_broken_fixtures_file_is_named_where_fixtures_are_used(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, client: openai.OpenAI
) -> None:
    """A deployment whose fixtures file is missing or wrong: what needs fixtures answers OpenAI's 500 naming the
    file and the problem (not a bare server error); what does not (listing models) answers as usual."""
    path = tmp_path / "fixtures.yaml"
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    assert [model.id for model in client.models.list()]
    with pytest.raises(openai.InternalServerError) as missing:
        ask(client, "ping")
    assert f"OPENAI_MOCK_FIXTURES_FILE={path}" in missing.value.message
    assert "No such file or directory" in missing.value.message
    assert missing.value.body["code"] == "mock_fixtures_file"  # type: ignore[index]
    path.write_text("fixtures:\n  - match: {contains: ping}\n    respons: {content: pong}\n")
    with pytest.raises(openai.InternalServerError, match="respons"):
        ask(client, "ping")
    path.write_text("fixtures:\n  - match: {contains: ping}\n    response: {content: pong}\n")
    assert ask(client, "ping").choices[0].message.content == "pong"  # read again once it is fixed


# --------------------------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("kind", "status", "error_type", "code"),
    [
        ("rate_limit_exceeded", 429, "requests", "rate_limit_exceeded"),
        ("insufficient_quota", 429, "insufficient_quota", "insufficient_quota"),
        ("server_error", 500, "server_error", None),
        ("overloaded", 503, "server_error", "overloaded"),
        ("context_length_exceeded", 400, "invalid_request_error", "context_length_exceeded"),
    ],
)
def test_fault_header_answers_the_real_error(
    client: openai.OpenAI, kind: str, status: int, error_type: str, code: str | None
) -> None:
    with pytest.raises(openai.APIStatusError) as raised:
        ask(client, extra_headers={"x-mock-fault": kind})
    assert raised.value.status_code == status
    body = raised.value.body
    assert isinstance(body, dict) and body["type"] == error_type and body["code"] == code
    if kind == "rate_limit_exceeded":
        headers = raised.value.response.headers
        assert headers["retry-after"] == "1" and headers["x-ratelimit-remaining-requests"] == "0"


def test_fault_header_works_on_any_endpoint_and_rejects_unknown_kinds(client: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError):
        client.models.list(extra_headers={"x-mock-fault": "502"})
    with pytest.raises(openai.BadRequestError) as raised:
        client.models.list(extra_headers={"x-mock-fault": "meteor"})
    assert raised.value.param == "x-mock-fault"  # type: ignore[attr-defined]


def test_stream_cut_ends_the_stream_mid_way(client: openai.OpenAI) -> None:
    chunks = list(
        ask(client, stream=True, extra_headers={"x-mock-fault": "stream_cut", "x-mock-stream-cut-after": "2"})
    )
    assert len(chunks) == 2
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks)


def test_fixture_fault_rate_fails_that_share_of_requests(http: TestClient, client: openai.OpenAI) -> None:
    add_fixture(http, match={"contains": "weather"}, fault={"rate": 0.5, "kind": "overloaded"})
    failures = 0
    for _ in range(40):
        try:
            ask(client)
        except openai.InternalServerError as error:
            assert error.status_code == 503
            failures += 1
    assert 8 <= failures <= 32  # independent draws (seeded per request id): p = 0.5


def test_deployment_fault_rate_setting(monkeypatch: pytest.MonkeyPatch, client: openai.OpenAI) -> None:
    monkeypatch.setenv("OPENAI_MOCK_FAULT_RATE", "1")
    monkeypatch.setenv("OPENAI_MOCK_FAULT_KIND", "server_error")
    reset_settings()
    with pytest.raises(openai.InternalServerError):
        client.models.list()


# --------------------------------------------------------------------------------------------- latency


def test_latency_header_delays_a_json_answer(client: openai.OpenAI, slept: list[float]) -> None:
    client.models.list(extra_headers={"x-mock-latency-ms": "250"})
    assert slept == [0.25]
    client.models.list()
    assert slept == [0.25]  # no latency asked, none added


def test_stream_latency_paces_first_token_then_tokens_per_second(client: openai.OpenAI, slept: list[float]) -> None:
    chunks = list(ask(client, stream=True, extra_headers={"x-mock-ttft-ms": "400", "x-mock-tokens-per-second": "50"}))
    assert slept[0] == 0.4
    assert set(slept[1:]) == {0.02} and len(slept) == len(chunks) + 1  # + the [DONE] event


def test_paced_stream_stops_when_the_client_leaves(mock_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A paced stream waits between events: a client that leaves meanwhile ends it (not slept through)."""
    pauses: list[float] = []

    async def never_ends(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.Event().wait()

    monkeypatch.setattr(runtime, "sleep", never_ends)
    body = json.dumps({"model": "gpt-4o-mini", "stream": True, "messages": ASK}).encode()
    headers = [
        (b"authorization", b"Bearer sk-test"),
        (b"content-type", b"application/json"),
        (b"x-mock-tokens-per-second", b"5"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": body, "more_body": False},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if len(incoming) > 1 else incoming[0]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:  # the timeout only guards against a hang: the stream must end on its own
        await asyncio.wait_for(mock_app(scope, receive, send), timeout=30)

    run_on_private_loop(call())
    events = [message["body"] for message in sent if message.get("body")]
    assert sent[0]["status"] == 200 and pauses == [0.2]
    assert len(events) == 1 and events[0].startswith(b"data: {") and b'"role":"assistant"' in events[0]


def test_fixture_latency_and_deployment_latency(
    http: TestClient, client: openai.OpenAI, slept: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_fixture(http, match={"contains": "slow"}, latency={"ms": 1500})
    ask(client, "slow please")
    assert slept == [1.5]
    monkeypatch.setenv("OPENAI_MOCK_LATENCY_MS", "100")
    reset_settings()
    ask(client, "fast please")
    assert slept == [1.5, 0.1]


# --------------------------------------------------------------------------------------------- quotas


def test_request_quota_counts_down_then_answers_429(http: TestClient, client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)
    assert http.post("/__mock/quotas", json={"requests_per_minute": 2}, headers=KEY).json()["requests_per_minute"] == 2
    first = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
    second = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=ASK)
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert [first.headers["x-ratelimit-remaining-requests"], second.headers["x-ratelimit-remaining-requests"]] == [
        "1",
        "0",
    ]
    with pytest.raises(openai.RateLimitError) as raised:
        ask(client)
    headers = raised.value.response.headers
    assert headers["retry-after"] == "60" and headers["x-ratelimit-remaining-requests"] == "0"
    assert "on requests per min (RPM): Limit 2, Used 2, Requested 1" in raised.value.message
    clock.advance(60)
    assert ask(client).choices[0].message.content


def test_token_quota_and_sdk_retry(http: TestClient, mock_app: Any, sdk_sleeps: list[float]) -> None:
    clock.freeze(1_800_000_030.0)
    http.post("/__mock/quotas", json={"tokens_per_minute": 120}, headers=KEY)
    retrying = asgi_client(mock_app).with_options(max_retries=1)
    # A question of 36 tokens gets an answer of at least 0.8 × 36 + 8 tokens (text.natural_length): every answer
    # runs into max_tokens, so each request costs the same (prompt + 30), more than half the quota.
    question = (
        "Explain how the tides work along a rocky coast, why there are two of them every day rather than one, "
        "and what the moon and the sun each have to do with it."
    )
    raw = retrying.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=30
    )
    usage = raw.parse().usage  # type: ignore[union-attr]
    assert usage.completion_tokens == 30 and 60 < usage.total_tokens <= 120
    assert int(raw.headers["x-ratelimit-remaining-tokens"]) == 120 - usage.total_tokens
    # The next one would pass the quota: 429 with retry-after = the rest of the window; the SDK waits and retries.
    ask(retrying, question, max_tokens=30)
    assert sdk_sleeps == [30.0]


def test_quota_reset_returns_to_the_deployment_defaults(http: TestClient) -> None:
    http.post("/__mock/quotas", json={"requests_per_minute": 5}, headers=KEY)
    quota = http.post("/__mock/quotas", json={}, headers=KEY).json()
    assert quota == {"object": "mock.quota", "requests_per_minute": 10_000, "tokens_per_minute": 30_000_000}


# --------------------------------------------------------------------------------------------- journal, reset


def test_journal_records_requests_and_filters_by_path(http: TestClient, client: openai.OpenAI) -> None:
    clock.freeze(1_800_000_000.0)  # every request in the same millisecond
    fixture = add_fixture(http, match={"contains": "weather"}, response={"content": "Sunny."})
    ask(client)
    client.models.list()
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-nope")
    entries = http.get("/__mock/requests", params={"order": "asc"}, headers=KEY).json()["data"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/chat/completions", 200),
        ("GET", "/v1/models", 200),
        ("GET", "/v1/models/gpt-nope", 404),
    ]
    chat = entries[0]
    assert chat["body"] == {"model": "gpt-4o-mini", "messages": ASK} and chat["fixture"] == fixture["id"]
    assert chat["latency_ms"] > 0 and chat["id"].startswith("mockreq_")
    only_models = http.get("/__mock/requests", params={"path": "/v1/models"}, headers=KEY).json()["data"]
    assert [e["path"] for e in only_models] == ["/v1/models/gpt-nope", "/v1/models"]  # newest first
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids) and len(set(ids)) == 3  # creation order, even within one millisecond
    assert [e["id"] for e in only_models] == ids[:0:-1]  # the same ids at every listing
    after = http.get("/__mock/requests", params={"order": "asc", "after": ids[0], "limit": 1}, headers=KEY).json()
    assert [e["id"] for e in after["data"]] == [ids[1]] and after["has_more"] is True
    assert http.delete("/__mock/requests", headers=KEY).json()["count"] == 3
    assert http.get("/__mock/requests", headers=KEY).json()["data"] == []


def test_journal_keeps_the_newest_entries(
    monkeypatch: pytest.MonkeyPatch, http: TestClient, client: openai.OpenAI
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_JOURNAL_SIZE", "3")
    reset_settings()
    for model in ("a", "b", "c", "d", "e", "f"):
        with pytest.raises(openai.NotFoundError):
            client.models.retrieve(f"gpt-{model}")
    paths = [e["path"] for e in http.get("/__mock/requests", headers=KEY).json()["data"]]
    assert paths == ["/v1/models/gpt-f", "/v1/models/gpt-e", "/v1/models/gpt-d"]


def test_reset_deletes_the_tenants_objects_and_controls(
    http: TestClient, client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    stored = ask(client, store=True)
    kept = ask(client_for("sk-other"), store=True)
    add_fixture(http, response={"content": "x"})
    http.post("/__mock/quotas", json={"requests_per_minute": 1}, headers=KEY)
    answer = http.post("/__mock/reset", headers=KEY).json()
    assert answer["object"] == "mock.reset" and answer["objects_deleted"] >= 4
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(stored.id)
    assert client_for("sk-other").chat.completions.retrieve(kept.id).id == kept.id
    assert http.get("/__mock/fixtures", headers=KEY).json()["data"] == []
    assert http.get("/__mock/quotas", headers=KEY).json()["requests_per_minute"] == 10_000


# --------------------------------------------------------------------------------------------- Lambda, helper, CLI


def test_controls_through_the_lambda_handler() -> None:
    from functions.chat.app import handler as chat_handler
    from functions.mock_controls.app import handler
    from tests.support.lambda_transport import LambdaTransport

    controls = httpx.Client(transport=LambdaTransport(handler, "v1"), base_url="http://testserver", headers=KEY)
    created = controls.post("/__mock/fixtures", json={"response": {"content": "From Lambda."}}).json()
    assert created["object"] == "mock.fixture"
    assert [item["id"] for item in controls.get("/__mock/fixtures").json()["data"]] == [created["id"]]
    assert ask(lambda_client(chat_handler, "v1")).choices[0].message.content == "From Lambda."
    assert controls.get("/__mock/requests").json()["data"][0]["fixture"] == created["id"]


def test_testing_helper_gives_an_sdk_client_with_fixtures_and_clock() -> None:
    from openai_mock.testing import MockOpenAI, find_template
    from tests.conftest import TEMPLATE

    assert find_template() == TEMPLATE  # found from the working directory
    mock = MockOpenAI(TEMPLATE)
    try:
        mock.add_fixture(match={"contains": "weather"}, response={"content": "Rain."}, latency={"ms": 2000})
        mock.freeze()
        frozen_at = clock.now()
        assert ask(mock.client).choices[0].message.content == "Rain."
        assert mock.slept == [2.0] and clock.now() == frozen_at + 2  # latency advanced the clock, no sleep
        assert [entry["status"] for entry in mock.requests("/v1/chat")] == [200]
    finally:
        mock.close()
    assert runtime.sleep is not mock._sleep


def test_serve_fixtures_option_sets_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_mock.local import cli

    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", "")  # so the value the option sets is undone after the test
    monkeypatch.delenv("OPENAI_MOCK_FIXTURES_FILE")
    cli._apply_options(cli._parser().parse_args(["serve", "--fixtures", "f.yaml"]))
    import os

    assert os.environ["OPENAI_MOCK_FIXTURES_FILE"].endswith("f.yaml")


def test_journal_keeps_only_a_bounded_slice_of_large_bodies() -> None:
    from openai_mock.control.runtime import _JOURNAL_BODY_LIMIT, RequestControls, _Entry, _listed

    controls = RequestControls(tenant="t_x", organization="org-x", headers={})
    for _ in range(40):
        controls.keep_body(b"x" * 65_536)  # a 2.5 MB upload in chunks
    assert controls.body_size == 40 * 65_536
    assert len(controls.body) == _JOURNAL_BODY_LIMIT + 1
    entry = _Entry(0, 1.0, "POST", "/v1/files", "", bytes(controls.body), controls.body_size, 200, 1.0, None)
    assert _listed(entry, "mockreq_1")["body"] == {"truncated": True, "bytes": 40 * 65_536}

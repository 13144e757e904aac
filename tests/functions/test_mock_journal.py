"""The request journal shows what was answered (the console's live view reads it): the response's headers
and body, a stream's events with the time each left, the model and token usage, the fixture or fault that
answered, the request's headers without credentials."""

from __future__ import annotations

import json
from collections.abc import Callable

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api
from openai_mock.control.runtime import _JOURNAL_BODY_LIMIT, Answer, RequestControls, _Entry, _listed

A = {"Authorization": "Bearer sk-journal-a"}
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def test_the_journal_shows_what_was_answered(http: TestClient, client_for: Callable[[str], openai.OpenAI]) -> None:
    client = client_for("sk-journal-a")
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=ASK)  # type: ignore[arg-type]
    body = {"model": "gpt-4o-mini", "messages": ASK, "stream": True, "stream_options": {"include_usage": True}}
    sent = http.post("/v1/chat/completions", headers=A, json=body).text
    chunks = [json.loads(line[6:]) for line in sent.splitlines() if line.startswith("data: {")]
    streamed, plain = http.get("/__mock/requests", headers=A).json()["data"]
    assert plain["model"] == "gpt-4o-mini" and plain["usage"]["total_tokens"] == answer.usage.total_tokens  # type: ignore[union-attr]
    assert plain["response"]["body"]["choices"][0]["message"]["content"] == answer.choices[0].message.content
    assert plain["response"]["headers"]["content-type"] == "application/json"
    assert "authorization" not in plain["headers"] and plain["headers"]["content-type"] == "application/json"
    events = streamed["response"]["events"]
    assert streamed["response"]["body"] is None
    assert [event["data"] for event in events[:-1]] == chunks
    assert events[-1]["data"] == "[DONE]"
    times = [event["at_ms"] for event in events]
    assert times == sorted(times) and times[0] > 0
    assert streamed["usage"] == chunks[-1]["usage"] and streamed["model"] == "gpt-4o-mini"


def test_a_fault_and_a_fixture_are_named_in_the_journal(http: TestClient) -> None:
    fixture = http.post("/__mock/fixtures", headers=A, json={"response": {"content": "Fixed."}}).json()
    body = {"model": "gpt-4o-mini", "messages": ASK}
    http.post("/v1/chat/completions", headers=A, json=body)
    http.post("/v1/chat/completions", headers={**A, "x-mock-fault": "overloaded"}, json=body)
    faulted, fixed = http.get("/__mock/requests", headers=A).json()["data"]
    assert fixed["fixture"] == fixture["id"]
    assert fixed["response"]["body"]["choices"][0]["message"]["content"] == "Fixed."
    assert faulted["status"] == 503 and faulted["headers"]["x-mock-fault"] == "overloaded"
    assert faulted["response"]["body"]["error"]["code"] == "overloaded"
    assert (faulted["fault"], fixed["fault"]) == ("overloaded", None)


def test_the_fault_of_a_fixture_or_a_broken_stream_is_named_in_the_journal(http: TestClient) -> None:
    failing = {"match": {"contains": "fail"}, "fault": {"rate": 1, "kind": "rate_limit_exceeded"}}
    fixture = http.post("/__mock/fixtures", headers=A, json=failing).json()
    ask = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Please fail."}]}
    assert http.post("/v1/chat/completions", headers=A, json=ask).status_code == 429
    broken = {**A, "x-mock-stream-fault": "disconnect"}
    http.post("/v1/chat/completions", headers=broken, json={"model": "gpt-4o-mini", "messages": ASK, "stream": True})
    streamed, failed = http.get("/__mock/requests", headers=A).json()["data"]
    assert (failed["fixture"], failed["fault"], failed["status"]) == (fixture["id"], "rate_limit_exceeded", 429)
    assert (streamed["fixture"], streamed["fault"], streamed["status"]) == (None, "disconnect", 200)


def test_credentials_are_never_journalled(http: TestClient) -> None:
    secret = {**A, "Cookie": "session=1", "X-Api-Key": "sk-journal-a", "OpenAI-Beta": "assistants=v2"}
    http.get("/v1/models", headers=secret)
    (entry,) = http.get("/__mock/requests", headers=A).json()["data"]
    assert entry["headers"]["openai-beta"] == "assistants=v2"
    assert not {"authorization", "cookie", "x-api-key"} & set(entry["headers"])
    assert "sk-journal-a" not in json.dumps(entry)
    assert entry["model"] is None and entry["usage"] is None
    assert entry["response"]["body"]["object"] == "list"


def test_a_body_of_one_write_is_kept_as_it_was_sent() -> None:
    """Most bodies are one write: the journal keeps that write itself (bytes never change), not a copy. A second
    write starts a copy holding both; one write over the limit is cut as many writes are."""
    controls = RequestControls(tenant="t_x", organization="org-x", headers={})
    request, answer = b'{"model": "gpt-4o-mini"}', b'{"object": "list", "data": []}' * 100
    controls.keep_body(request)
    controls.keep_answer({"type": "http.response.body", "body": answer, "more_body": True})
    assert controls.body is request and controls.answer.body is answer
    controls.keep_answer({"type": "http.response.body", "body": b"\n", "more_body": False})
    assert controls.answer.body == answer + b"\n" and controls.answer.writes[1][0] == len(answer)
    assert isinstance(controls.answer.body, bytearray)  # a copy, grown: the first write itself is not changed
    whole = b"x" * (2 * _JOURNAL_BODY_LIMIT)
    cut = RequestControls(tenant="t_x", organization="org-x", headers={})
    cut.keep_answer({"type": "http.response.body", "body": whole, "more_body": False})
    assert len(cut.answer.body) == _JOURNAL_BODY_LIMIT + 1 and cut.answer.size == len(whole)


def test_a_long_answer_keeps_a_bounded_slice() -> None:
    controls = RequestControls(tenant="t_x", organization="org-x", headers={})
    controls.keep_answer(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]}
    )
    event = b'data: {"choices": [{"delta": {"content": "word"}}]}\n\n'
    for _ in range(4000):  # ~200 KB of events
        controls.keep_answer({"type": "http.response.body", "body": event, "more_body": True})
    assert len(controls.answer.body) == _JOURNAL_BODY_LIMIT + 1
    entry = _Entry(0, 1.0, "POST", "/v1/chat/completions", "", b"", 0, 200, 1.0, None, [], controls.answer)
    response = _listed(entry, "mockreq_1")["response"]
    assert response["truncated"] == {"bytes": 4000 * len(event)}
    assert len(response["events"]) == _JOURNAL_BODY_LIMIT // len(event) + 1  # the last one cut short
    assert response["events"][0]["data"] == {"choices": [{"delta": {"content": "word"}}]}
    assert _listed(entry._replace(answer=Answer()), "mockreq_2")["response"] == {"headers": {}, "body": None}

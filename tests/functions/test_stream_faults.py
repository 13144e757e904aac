"""Broken streams on purpose: `x-mock-stream-fault` and a fixture's `stream_fault` damage any stream answer
(chat, completions, Responses, Assistants runs) in one place. Raw through the HTTP client for the exact bytes,
and through the official SDK where it surfaces the damage."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.control import api
from openai_mock.control.stream_faults import ERROR_MESSAGE, MALFORMED
from openai_mock.settings import reset_settings
from openai_mock.testing import MockOpenAI
from tests.support.spec import validate_component

KEY = "sk-stream-faults"
A = {"Authorization": f"Bearer {KEY}"}
CHAT = "/v1/chat/completions"
ASK = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Tell me a story."}], "stream": True}


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


def _events(text: str) -> list[str]:
    """The stream's events, its ids and timestamps (new on each request) and the padding drawn from them blanked so
    two answers compare."""
    return [_ANSWER_IDS.sub(r'"\1":"…"', block) for block in text.split("\n\n") if block]


_ANSWER_IDS = re.compile(r'"(id|created|created_at|item_id|obfuscation)":("[^"]*"|\d+)')


def _stream(http: TestClient, path: str, body: dict[str, Any], **headers: str) -> str:
    answer = http.post(path, headers={**A, **headers}, json=body)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    return answer.text


def test_each_kind_breaks_a_chat_stream_as_documented(http: TestClient) -> None:
    whole = _events(_stream(http, CHAT, ASK))
    assert whole[-1] == "data: [DONE]" and len(whole) > 6

    malformed = _events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "malformed_line"}))
    assert malformed[:3] == whole[:3] and malformed[3] == MALFORMED.decode().rstrip("\n")
    assert malformed[4:] == whole[3:]  # the rest follows

    truncated = _stream(http, CHAT, ASK, **{"x-mock-stream-fault": "truncated_chunk", "x-mock-stream-fault-after": "2"})
    cut = _events(truncated)
    assert cut[:2] == whole[:2] and len(cut) == 3
    half = truncated.split("\n\n")[2].removeprefix("data: ")  # raw: its ids as sent
    whole_raw = _stream(http, CHAT, ASK).split("\n\n")[2].removeprefix("data: ")
    assert len(half) == len(whole_raw) // 2 and whole_raw.startswith(half[:12]) and truncated.endswith("\n\n")
    with pytest.raises(ValueError):
        json.loads(half)

    errored = _events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "error_event"}))
    assert errored[:3] == whole[:3] and len(errored) == 4
    error = json.loads(errored[3].removeprefix("data: "))
    assert error == {"error": {"message": ERROR_MESSAGE, "type": "server_error", "param": None, "code": "server_error"}}
    validate_component("ErrorResponse", error, spec="2026-08-21")

    assert (
        _events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "disconnect", "x-mock-stream-fault-after": "5"}))
        == whole[:5]
    )
    assert _events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "missing_done"})) == whole[:-1]
    dripped = _stream(http, CHAT, ASK, **{"x-mock-stream-fault": "slow_drip"})
    assert _events(dripped) == whole and dripped.endswith("data: [DONE]\n\n")  # all of it, only slower


def test_a_slow_drip_sends_a_few_bytes_per_write(http: TestClient) -> None:
    with http.stream(
        "POST", CHAT, headers={**A, "x-mock-stream-fault": "slow_drip", "x-mock-stream-fault-after": "1"}, json=ASK
    ) as answer:
        writes = [chunk for chunk in answer.iter_raw() if chunk]
    assert len(writes) > 50 and max(len(write) for write in writes[1:]) == 5
    assert writes[0].startswith(b"data: {") and writes[0].endswith(b"\n\n")  # the first event whole
    (entry, *_) = http.get("/__mock/requests", headers=A).json()["data"]
    assert entry["headers"]["x-mock-stream-fault"] == "slow_drip"
    assert entry["response"]["events"][-1]["data"] == "[DONE]"  # the journal shows what was sent, put together


def test_the_sdk_surfaces_each_break(client_for: Callable[[str], openai.OpenAI]) -> None:
    client = client_for(KEY)

    def stream(kind: str, **extra: str) -> list[Any]:
        headers = {"x-mock-stream-fault": kind, **extra}
        return list(client.chat.completions.create(**ASK, extra_headers=headers))  # type: ignore[call-overload]

    with pytest.raises(openai.APIError) as failed:
        stream("error_event")
    assert failed.value.message == ERROR_MESSAGE and failed.value.code == "server_error"
    with pytest.raises(json.JSONDecodeError):
        stream("malformed_line")
    with pytest.raises(json.JSONDecodeError):
        stream("truncated_chunk")
    chunks = stream("disconnect", **{"x-mock-stream-fault-after": "4"})
    assert len(chunks) == 4 and all(chunk.choices[0].finish_reason is None for chunk in chunks)
    whole = stream("slow_drip")
    assert whole[-1].choices[0].finish_reason == "stop"
    missing = stream("missing_done")  # the SDK does not need [DONE]: the same chunks
    assert [chunk.choices[0].delta.content for chunk in missing] == [chunk.choices[0].delta.content for chunk in whole]


def test_responses_and_completions_streams_break_in_their_own_shape(
    http: TestClient, client_for: Callable[[str], openai.OpenAI]
) -> None:
    body = {"model": "gpt-4o-mini", "input": "Count to three.", "stream": True}
    whole = _events(_stream(http, "/v1/responses", body))
    errored = _events(
        _stream(http, "/v1/responses", body, **{"x-mock-stream-fault": "error_event", "x-mock-stream-fault-after": "2"})
    )
    assert errored[:2] == whole[:2] and len(errored) == 3
    name, data = errored[2].split("\n")
    error = json.loads(data.removeprefix("data: "))
    assert name == "event: error" and error["type"] == "error" and error["sequence_number"] == 2
    validate_component("ResponseErrorEvent", error, spec="2026-08-21")
    missing = _events(_stream(http, "/v1/responses", body, **{"x-mock-stream-fault": "missing_done"}))
    assert missing == whole[:-1] and whole[-1].startswith("event: response.completed")

    client = client_for(KEY)
    events = list(client.responses.create(**body, extra_headers={"x-mock-stream-fault": "error_event"}))  # type: ignore[call-overload]
    assert [event.type for event in events][-1] == "error" and events[-1].message == ERROR_MESSAGE

    prompt = {"model": "gpt-3.5-turbo-instruct", "prompt": "Once upon", "stream": True}
    with pytest.raises(openai.APIError, match="x-mock-stream-fault"):
        list(client.completions.create(**prompt, extra_headers={"x-mock-stream-fault": "error_event"}))  # type: ignore[call-overload]


def test_an_assistants_run_stream_gets_an_error_event(http: TestClient) -> None:
    assistant = http.post(
        "/v1/assistants", headers={**A, "OpenAI-Beta": "assistants=v2"}, json={"model": "gpt-4o-mini"}
    ).json()
    run = {"assistant_id": assistant["id"], "stream": True, "thread": {"messages": [{"role": "user", "content": "Hi"}]}}
    text = _stream(
        http,
        "/v1/threads/runs",
        run,
        **{"OpenAI-Beta": "assistants=v2", "x-mock-stream-fault": "error_event", "x-mock-stream-fault-after": "1"},
    )
    first, error = _events(text)
    assert first.startswith("event: thread.created")
    name, data = error.split("\n")
    assert name == "event: error"
    validate_component("Error", json.loads(data.removeprefix("data: ")), spec="2026-08-21")


def test_a_fixture_breaks_its_streams_and_the_header_wins(http: TestClient) -> None:
    fixture = {
        "response": {"content": "One two three four five six."},
        "stream_fault": {"kind": "disconnect", "after": 2},
    }
    made = http.post("/__mock/fixtures", headers=A, json=fixture)
    assert made.status_code == 200 and made.json()["stream_fault"] == {"kind": "disconnect", "after": 2, "drip_ms": 0}
    assert len(_events(_stream(http, CHAT, ASK))) == 2
    assert _events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "missing_done"}))[-1] != "data: [DONE]"
    assert len(_events(_stream(http, CHAT, ASK, **{"x-mock-stream-fault": "missing_done"}))) > 2
    plain = http.post(CHAT, headers=A, json={**ASK, "stream": False})  # a non-stream answer is never broken
    assert plain.json()["choices"][0]["message"]["content"] == "One two three four five six."


def test_bad_stream_fault_values_are_400s(http: TestClient) -> None:
    unknown = http.post(CHAT, headers={**A, "x-mock-stream-fault": "explode"}, json=ASK)
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "x-mock-stream-fault"
    assert (
        "malformed_line, truncated_chunk, error_event, disconnect, slow_drip, missing_done"
        in unknown.json()["error"]["message"]
    )
    negative = http.post(
        CHAT, headers={**A, "x-mock-stream-fault": "disconnect", "x-mock-stream-fault-after": "-1"}, json=ASK
    )
    assert negative.status_code == 400 and negative.json()["error"]["param"] == "x-mock-stream-fault-after"
    fixture = http.post("/__mock/fixtures", headers=A, json={"stream_fault": {"kind": "melt"}})
    assert fixture.status_code == 400 and fixture.json()["error"]["param"] == "stream_fault.kind"


def test_a_slow_drip_waits_between_writes_on_the_mock_clock() -> None:
    mock = MockOpenAI()
    try:
        mock.add_fixture(response={"content": "Hi."}, stream_fault={"kind": "slow_drip", "after": 0, "drip_ms": 20})
        chunks = list(mock.client.chat.completions.create(**ASK))  # type: ignore[call-overload]
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert len(mock.slept) > 20 and set(mock.slept) == {0.02}
    finally:
        mock.close()


def test_httpx_sees_the_raw_bytes_of_a_truncated_chunk(http: TestClient) -> None:
    text = _stream(http, CHAT, ASK, **{"x-mock-stream-fault": "truncated_chunk", "x-mock-stream-fault-after": "0"})
    assert text.count("\n\n") == 1 and text.startswith('data: {"id":"chatcmpl-') and not text.rstrip().endswith("}")


def test_a_fixtures_file_breaks_streams_too(http: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fixtures.yaml"  # as docs/controls.md shows it
    path.write_text(
        "fixtures:\n  - match: {contains: flaky}\n    response: {content: Not whole.}\n"
        "    stream_fault: {kind: error_event, after: 1}\n"
    )
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(path))
    reset_settings()
    try:
        body = {**ASK, "messages": [{"role": "user", "content": "A flaky answer?"}]}
        first, error = _events(_stream(http, CHAT, body))
        assert json.loads(first.removeprefix("data: "))["choices"][0]["delta"]["role"] == "assistant"
        assert json.loads(error.removeprefix("data: "))["error"]["code"] == "server_error"
    finally:
        monkeypatch.delenv("OPENAI_MOCK_FIXTURES_FILE")
        reset_settings()

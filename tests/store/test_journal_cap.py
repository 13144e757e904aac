"""A journal kept in a shared store (DynamoDB, SQLite) writes at most about 16 KB per request, raw (decoded when
listed): bigger bodies are summarised, keeping the answer's model and usage; the key is never written."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from openai_mock.control import api
from openai_mock.control.runtime import JOURNAL, STORED_ENTRY_LIMIT
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key

KEY = {"Authorization": "Bearer sk-journal-cap"}


@pytest.fixture(params=["moto", "sqlite"])
def shared_store(request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("moto_persistence" if request.param == "moto" else "on_sqlite")


def test_big_requests_and_answers_are_journalled_summarised(shared_store: object, http: TestClient) -> None:
    text = "A sentence that repeats until the body is big. " * 800  # ~38 KB: under the 64 KB the journal reads
    answer = http.post(
        "/v1/chat/completions",
        headers=KEY,
        json={"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": text}], "max_tokens": 2000},
    )
    assert answer.status_code == 200
    http.post(
        "/v1/chat/completions",
        headers=KEY,
        json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    tenant = principal_for_key("sk-journal-cap").tenant
    stored = get_store().list(tenant, JOURNAL, limit=10, order="asc").items
    assert [len(json.dumps(entry)) <= STORED_ENTRY_LIMIT for entry in stored] == [True, True]
    assert not any("sk-journal-cap" in json.dumps(entry) for entry in stored)  # the key is never written
    small, big = http.get("/__mock/requests", headers=KEY).json()["data"]  # newest first
    assert big["body"] == {"truncated": True, "bytes": len(answer.request.content)}
    assert big["response"]["body"]["truncated"] is True  # the answer is summarised first, then the request
    assert big["model"] == "gpt-4.1-mini"
    assert big["usage"] == answer.json()["usage"]  # what the summary keeps of the answer
    assert small["body"]["messages"][0]["content"] == "hi"  # small entries are kept whole
    assert small["response"]["body"]["object"] == "chat.completion"
    assert small["usage"]["total_tokens"] > 0
    assert [entry["path"] for entry in (small, big)] == ["/v1/chat/completions"] * 2


def test_bodies_that_are_not_utf8_come_back_byte_for_byte(shared_store: object, http: TestClient) -> None:
    data = bytes(range(256))
    uploaded = http.post("/v1/files", headers=KEY, files={"file": ("raw.bin", data)}, data={"purpose": "assistants"})
    assert uploaded.status_code == 200
    [entry] = http.get("/__mock/requests", headers=KEY).json()["data"]
    assert entry["body"] == {"bytes": len(uploaded.request.content)}  # multipart: its size, as in memory
    assert entry["response"]["body"]["id"] == uploaded.json()["id"]


def test_the_journal_keeps_its_newest_entries(
    shared_store: object, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_JOURNAL_SIZE", "3")
    reset_settings()
    api.reset_process_state()  # the count of writes that times the trims starts over
    for index in range(7):
        http.get(f"/v1/models/gpt-4o-mini?n={index}", headers=KEY)
    listed = http.get("/__mock/requests", headers=KEY).json()["data"]
    # Trimmed to the newest 3 at every third write (not on each): after 7, the newest 4.
    assert [entry["query"] for entry in listed] == ["n=6", "n=5", "n=4", "n=3"]


def test_entries_written_as_a_tree_by_an_earlier_version_still_list(shared_store: object, http: TestClient) -> None:
    """Entries keep their fields as one JSON text and their bodies as strings (`raw_text`, `request_text`,
    `answer_text`); one written as a tree under `raw` (before) lists the same."""
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": 'Say "hi"\n'}], "stream": True}
    http.post("/v1/chat/completions", json=body, headers=KEY).raise_for_status()
    tenant = principal_for_key("sk-journal-cap").tenant
    store = get_store()
    (written,) = store.list(tenant, JOURNAL, limit=10).items
    assert set(written) == {"id", "object", "path", "raw_text", "request_text", "answer_text"}
    assert json.loads(written["request_text"]) == body
    raw = json.loads(written["raw_text"])
    raw["body"], raw["answer"]["body"] = written["request_text"], written["answer_text"]
    store.create(tenant, JOURNAL, {"id": f"{written['id']}z", "object": JOURNAL, "path": written["path"], "raw": raw})
    listed = http.get("/__mock/requests", headers=KEY).json()["data"]
    assert len(listed) == 2
    assert {**listed[0], "id": None} == {**listed[1], "id": None}
    assert listed[0]["body"] == body and listed[0]["response"]["events"][-1]["data"] == "[DONE]"

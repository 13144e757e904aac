"""A journal kept in the store (DynamoDB) writes at most about 16 KB per request: bigger bodies are summarised."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from openai_mock.control.runtime import JOURNAL, STORED_ENTRY_LIMIT
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key

KEY = {"Authorization": "Bearer sk-journal-cap"}


def test_big_requests_and_answers_are_journalled_summarised(moto_persistence: None, http: TestClient) -> None:
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
    big, small = get_store().list(tenant, JOURNAL, limit=10, order="asc").items
    assert len(json.dumps(big)) <= STORED_ENTRY_LIMIT
    assert big["body"] == {"truncated": True, "bytes": len(answer.request.content)}
    assert big["response"]["body"]["truncated"] is True  # the answer is summarised first, then the request
    assert small["body"]["messages"][0]["content"] == "hi"  # small entries are kept whole
    assert small["response"]["body"]["object"] == "chat.completion"
    listed = http.get("/__mock/requests", headers=KEY).json()["data"]
    assert [entry["path"] for entry in listed] == ["/v1/chat/completions"] * 2

"""The console's server side, in process: its static files (public, strict headers) and the tenant boundary
of every call the page makes. The page itself is driven in a real browser by test_console.py; the journal
entries it shows are tested in tests/functions/test_mock_journal.py."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from openai_mock.control import api, console

A = {"Authorization": "Bearer sk-console-a"}
B = {"Authorization": "Bearer sk-console-b"}
BETA = {"OpenAI-Beta": "assistants=v2"}
ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    api.reset_process_state()


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/__mock/console", "text/html; charset=utf-8", b'<script src="console/console.js" defer></script>'),
        ("/__mock/console/console.js", "text/javascript; charset=utf-8", b'"use strict";'),
        ("/__mock/console/console.css", "text/css; charset=utf-8", b"prefers-color-scheme: dark"),
    ],
)
def test_static_files_answer_without_a_key(http: TestClient, path: str, content_type: str, marker: bytes) -> None:
    answer = http.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == content_type
    assert marker in answer.content
    assert answer.headers["cache-control"] == "no-cache"
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-request-id"].startswith("req_")
    again = http.get(path, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_the_page_has_no_inline_script_or_style_and_nothing_from_elsewhere() -> None:
    page = console.asset(console.PREFIX).body.decode()
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert " on" + "click=" not in page
    for text in (page, console.asset(f"{console.PREFIX}/console.js").body.decode()):
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text


def test_only_the_static_files_skip_authentication(http: TestClient) -> None:
    for method, path in [("GET", "/__mock/requests"), ("GET", "/__mock/fixtures"), ("POST", "/__mock/reset")]:
        answer = http.request(method, path)
        assert answer.status_code == 401, (method, path)
        assert answer.json()["error"]["code"] == "invalid_api_key"
    assert http.post("/__mock/console").status_code == 405  # the page is GET only
    assert http.get("/__mock/console/other.js").status_code == 404


def _upload(http: TestClient, headers: dict[str, str], purpose: str, lines: list[dict[str, object]]) -> str:
    content = "\n".join(json.dumps(line) for line in lines).encode()
    answer = http.post("/v1/files", headers=headers, data={"purpose": purpose}, files={"file": ("f.jsonl", content)})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _training_file(http: TestClient, headers: dict[str, str]) -> str:
    line = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    return _upload(http, headers, "fine-tune", [line] * 10)


def _batch(http: TestClient, headers: dict[str, str]) -> str:
    line = {
        "custom_id": "1",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": ASK},
    }
    input_file = _upload(http, headers, "batch", [line])
    body = {"input_file_id": input_file, "endpoint": "/v1/chat/completions", "completion_window": "24h"}
    answer = http.post("/v1/batches", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


# Every list the console calls, as it calls them.
CONSOLE_LISTS = [
    "/v1/files?limit=100&order=desc",
    "/v1/vector_stores?limit=100&order=desc",
    "/v1/assistants?limit=100&order=desc",
    "/v1/batches?limit=100&order=desc",
    "/v1/fine_tuning/jobs?limit=100",
    "/v1/chat/completions?limit=100&order=desc",
    "/__mock/requests?limit=100",
    "/__mock/fixtures?limit=100&order=asc",
]


def test_no_console_call_shows_another_tenants_data(http: TestClient) -> None:
    file_id = _training_file(http, A)
    made = [
        file_id,
        http.post("/v1/vector_stores", headers=A, json={"name": "a-store"}).json()["id"],
        http.post("/v1/assistants", headers={**A, **BETA}, json={"model": "gpt-4o-mini", "name": "a"}).json()["id"],
        http.post("/v1/fine_tuning/jobs", headers=A, json={"model": "gpt-4o-mini", "training_file": file_id}).json()[
            "id"
        ],
        http.post(
            "/v1/chat/completions", headers=A, json={"model": "gpt-4o-mini", "messages": ASK, "store": True}
        ).json()["id"],
        http.post("/__mock/fixtures", headers=A, json={"response": {"content": "mine"}}).json()["id"],
        _batch(http, A),
    ]
    http.post("/__mock/quotas", headers=A, json={"requests_per_minute": 7})
    for path in CONSOLE_LISTS:
        mine = http.get(path, headers={**A, **BETA})
        theirs = http.get(path, headers={**B, **BETA})
        assert mine.status_code == theirs.status_code == 200, (path, mine.text, theirs.text)
        assert mine.json()["data"], path
        if path.startswith("/__mock/requests"):  # B's journal holds B's own calls (these GETs), none of A's
            assert {entry["method"] for entry in theirs.json()["data"]} == {"GET"}
        else:
            assert theirs.json()["data"] == [], path
        assert not any(made_id in theirs.text for made_id in made), path
    assert http.get("/__mock/quotas", headers=B).json()["requests_per_minute"] != 7

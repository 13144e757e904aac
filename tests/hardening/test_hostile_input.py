"""Hostile input: oversize and malformed bodies, wrong content types, odd path ids, out-of-range queries.
Each gets a 4xx OpenAI envelope, nothing is stored, and the mock keeps answering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from tests.support.spec import validate_component

USER = {"Authorization": "Bearer sk-hostile"}
ADMIN = {"Authorization": "Bearer sk-admin-hostile"}
JSON = {**USER, "content-type": "application/json"}
CHAT = b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]'


@pytest.fixture
def raw(mock_app: TemplateRouter) -> Iterator[TestClient]:
    client = TestClient(mock_app, raise_server_exceptions=False)
    yield client
    # The mock is still up and still answers normally after every hostile request.
    assert client.get("/v1/models/gpt-4o", headers=USER).json()["id"] == "gpt-4o"


def _envelope(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    validate_component("ErrorResponse", body)
    error: dict[str, object] = body["error"]
    return error


def _nothing_stored(raw: TestClient) -> None:
    for path in ("/v1/files", "/v1/vector_stores", "/v1/chat/completions", "/v1/fine_tuning/jobs"):
        assert raw.get(path, headers=USER).json()["data"] == [], path


def test_body_over_the_size_limit_is_413(raw: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_MAX_BODY_BYTES", "4096")
    reset_settings()
    big = b"x" * 10_000
    error = _envelope(
        raw.post(
            "/v1/files", headers=USER, data={"purpose": "assistants"}, files={"file": ("big.txt", big, "text/plain")}
        ),
        413,
    )
    assert error["code"] == "request_too_large"
    streamed = raw.post("/v1/chat/completions", headers=JSON, content=iter([big[:3000], big[3000:]]))
    assert _envelope(streamed, 413)["code"] == "request_too_large"  # chunked: no content-length to trust
    _nothing_stored(raw)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"model": "gpt-4o-mini", "messages": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}",
        b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "\xff\xfe"}]}',  # invalid UTF-8
        CHAT,  # truncated
        b"",
        b"null",
        b"[]",
        b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "temperature": NaN}',
    ],
    ids=["deep-array", "deep-object", "invalid-utf8", "truncated", "empty", "null", "array", "nan"],
)
def test_malformed_json_is_a_400(raw: TestClient, body: bytes) -> None:
    error = _envelope(raw.post("/v1/chat/completions", headers={**JSON, "x-mock-seed": "1"}, content=body), 400)
    assert isinstance(error["message"], str) and error["message"]
    assert "None" not in error["message"]  # never "Invalid type for 'None'"
    assert raw.get("/v1/chat/completions", headers=USER).json()["data"] == []


def test_non_finite_numbers_never_reach_a_generator(raw: TestClient) -> None:
    # JSON has no NaN or Infinity: the real API's parser refuses them, and so does every Decimal field here.
    for value in (b"NaN", b"Infinity", b"-Infinity", b"1e400"):
        speech = b'{"model": "tts-1", "input": "hi", "voice": "alloy", "speed": ' + value + b"}"
        error = _envelope(raw.post("/v1/audio/speech", headers=JSON, content=speech), 400)
        assert str(error["message"]).startswith("We could not parse the JSON body"), value


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["hi"] * 100_000}, "input"),
        ("/v1/vector_stores", {"file_ids": ["file-x"] * 50_000}, "file_ids"),
        ("/v1/vector_stores", {"metadata": {f"k{i}": "v" for i in range(1000)}}, "metadata"),
        (
            "/v1/chat/completions",
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}] * 50_000},
            "messages",
        ),
    ],
    ids=["embeddings-input", "vector-store-file-ids", "metadata-keys", "chat-messages"],
)
def test_huge_arrays_are_refused(raw: TestClient, path: str, body: dict[str, object], param: str) -> None:
    error = _envelope(raw.post(path, headers=USER, json=body), 400)
    assert error["param"] == param
    _nothing_stored(raw)


@pytest.mark.parametrize(
    ("path", "kwargs", "param"),
    [
        ("/v1/chat/completions", {"headers": {**USER, "content-type": "text/plain"}, "content": CHAT + b"}"}, None),
        ("/v1/embeddings", {"headers": USER, "data": {"model": "text-embedding-3-small", "input": "x"}}, None),
        ("/v1/files", {"headers": USER, "json": {"purpose": "assistants"}}, "file"),
        ("/v1/files", {"headers": USER, "data": {"purpose": "assistants"}, "files": {"other": ("a", b"b")}}, "file"),
        ("/v1/files", {"headers": {**USER, "content-type": "multipart/form-data"}, "content": b"no boundary"}, None),
        (
            "/v1/files",
            {"headers": {**USER, "content-type": "multipart/form-data; boundary=zz"}, "content": b"--zz\r\ngarbage"},
            "file",
        ),
        ("/v1/audio/transcriptions", {"headers": USER, "data": {"model": "whisper-1"}}, "file"),
        ("/v1/images/edits", {"headers": USER, "data": {"prompt": "a cat"}}, "image"),
    ],
    ids=[
        "text-plain-json",
        "form-to-json-route",
        "json-to-multipart",
        "multipart-no-file",
        "no-boundary",
        "broken-multipart",
        "transcription-no-file",
        "image-edit-no-image",
    ],
)
def test_wrong_content_types_and_missing_files(
    raw: TestClient, path: str, kwargs: dict[str, object], param: str | None
) -> None:
    error = _envelope(raw.post(path, **kwargs), 400)  # type: ignore[arg-type]
    assert error["param"] == param
    _nothing_stored(raw)


@pytest.mark.parametrize(
    "object_id",
    [
        "'%3B DROP TABLE files;--",
        "%00",
        "file-" + "a" * 5000,
        "%F0%9F%98%80",
        "%FF%FE",
        "<script>",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "${jndi:ldap:%2F%2Fx}",
        "a%23b",
        "%20",
    ],
)
def test_odd_path_ids_are_404s(raw: TestClient, object_id: str) -> None:
    for path in (
        f"/v1/files/{object_id}",
        f"/v1/vector_stores/{object_id}",
        f"/v1/vector_stores/{object_id}/files/{object_id}",
        f"/v1/fine_tuning/jobs/{object_id}",
        f"/v1/chat/completions/{object_id}",
    ):
        _envelope(raw.get(path, headers=USER), 404)
        assert raw.delete(path, headers=USER).status_code in (404, 405)
    _envelope(raw.get(f"/v1/organization/projects/{object_id}", headers=ADMIN), 404)


@pytest.mark.parametrize(
    ("path", "query", "param"),
    [
        ("/v1/vector_stores", "limit=0", "limit"),
        ("/v1/vector_stores", "limit=101", "limit"),
        ("/v1/vector_stores", "limit=-1", "limit"),
        ("/v1/vector_stores", "limit=abc", "limit"),
        ("/v1/vector_stores", "limit=1.5", "limit"),
        ("/v1/vector_stores", "limit=99999999999999999999999", "limit"),
        ("/v1/vector_stores", "order=sideways", "order"),
        ("/v1/files", "limit=10001", "limit"),
        ("/v1/fine_tuning/jobs", "limit=0", "limit"),
        ("/v1/organization/audit_logs", "limit=0", "limit"),
        ("/v1/organization/usage/completions", "start_time=0&end_time=1&bucket_width=1y", "bucket_width"),
    ],
)
def test_query_params_out_of_range(raw: TestClient, path: str, query: str, param: str) -> None:
    headers = ADMIN if "/organization/" in path else USER
    assert _envelope(raw.get(f"{path}?{query}", headers=headers), 400)["param"] == param


def test_usage_over_a_huge_time_range_pages_without_listing_every_bucket(raw: TestClient) -> None:
    # Found by the fuzzer: every bucket of the range used to be materialised (MemoryError, then a 500).
    url = "/v1/organization/usage/completions?start_time=0&end_time=9000000000000&bucket_width=1m&limit=3"
    page = raw.get(url, headers=ADMIN).json()
    assert [bucket["start_time"] for bucket in page["data"]] == [0, 60, 120]
    assert page["has_more"] is True
    following = raw.get(f"{url}&page={page['next_page']}", headers=ADMIN).json()
    assert [bucket["start_time"] for bucket in following["data"]] == [180, 240, 300]
    costs = raw.get("/v1/organization/costs?start_time=0&end_time=9000000000000&limit=2", headers=ADMIN)
    assert costs.status_code == 200 and len(costs.json()["data"]) == 2


@pytest.mark.timeout(120, method="thread")  # a hang guard (a regex never yields to a signal): each answers at once
@pytest.mark.parametrize(
    "content",
    [
        "poem " + "write a " * 75_000,  # a request for a piece is read from short prompts only
        "summarize " + "x" * 300_000 + ":" + "y" * 300_000,  # a text with no sentence stop is one sentence
    ],
)
def test_long_prompts_shaped_like_requests_answer_at_once(raw: TestClient, content: str) -> None:
    body = {"model": "gpt-4.1-mini", "messages": [{"role": "user", "content": content}], "max_tokens": 30}
    answer = raw.post("/v1/chat/completions", headers=USER, json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"]

"""Files through the official SDK: upload, list, retrieve, download the exact bytes, delete; purpose
validation like the real API; the layer API other groups use; and the Lambda handler (multipart in,
binary out, both base64 through API Gateway)."""

from __future__ import annotations

import json
from collections.abc import Callable

import openai
import pytest
from starlette.testclient import TestClient

from functions.files import app as files_function
from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.resources import files
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

TENANT = principal_for_key("sk-test").tenant
BINARY = bytes(range(256)) * 40 + b"\r\n\x00--boundary\r\n"  # every byte value, CRLFs, a fake boundary


def _jsonl(*lines: object) -> bytes:
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def _batch_line(custom_id: str = "request-1", url: str = "/v1/chat/completions", **changes: object) -> dict:
    line = {
        "custom_id": custom_id,
        "method": "POST",
        "url": url,
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "What is 2+2?"}]},
    }
    return {**line, **changes}


CHAT_EXAMPLE = {
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]
}
PREFERENCE_EXAMPLE = {
    "input": {"messages": [{"role": "user", "content": "Say hello."}]},
    "preferred_output": [{"role": "assistant", "content": "Hello!"}],
    "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
}


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


# --------------------------------------------------------------------------- the happy path


def test_create_retrieve_list_download_delete_conform_to_the_spec(http: TestClient) -> None:
    auth = {"Authorization": "Bearer sk-test"}
    data = _jsonl(
        _batch_line("a"),
        _batch_line("b", url="/v1/embeddings", body={"model": "text-embedding-3-small", "input": "cats"}),
    )
    created = http.post("/v1/files", headers=auth, files={"file": ("requests.jsonl", data)}, data={"purpose": "batch"})
    assert created.status_code == 200, created.text
    assert_conforms("POST", "/v1/files", 200, created.json())
    file = created.json()
    assert file["object"] == "file" and file["id"].startswith("file-")
    assert (file["bytes"], file["filename"], file["purpose"], file["status"]) == (
        len(data),
        "requests.jsonl",
        "batch",
        "processed",
    )
    assert abs(file["created_at"] - clock.now_seconds()) <= 1
    assert "expires_at" not in file and "status_details" not in file  # not nullable in the spec: left out

    retrieved = http.get(f"/v1/files/{file['id']}", headers=auth)
    assert_conforms("GET", f"/v1/files/{file['id']}", 200, retrieved.json())
    assert retrieved.json() == file

    listed = http.get("/v1/files", headers=auth)
    assert_conforms("GET", "/v1/files", 200, listed.json())
    assert listed.json()["data"] == [file]

    content = http.get(f"/v1/files/{file['id']}/content", headers=auth)
    assert content.content == data
    assert content.headers["content-type"] == "application/octet-stream"

    deleted = http.delete(f"/v1/files/{file['id']}", headers=auth)
    assert_conforms("DELETE", f"/v1/files/{file['id']}", 200, deleted.json())
    assert deleted.json() == {"id": file["id"], "object": "file", "deleted": True}


def test_sdk_round_trip_is_binary_safe(client: openai.OpenAI) -> None:
    file = client.files.create(file=("photo.bin", BINARY), purpose="assistants")
    assert file.bytes == len(BINARY)
    assert client.files.retrieve(file.id) == file
    assert client.files.content(file.id).content == BINARY


def test_delete_removes_metadata_and_bytes(client: openai.OpenAI) -> None:
    file = client.files.create(file=("notes.txt", b"remember the milk"), purpose="user_data")
    assert get_blobs().get(TENANT, f"file/{file.id}") == b"remember the milk"

    deleted = client.files.delete(file.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (file.id, True, "file")
    assert get_blobs().get(TENANT, f"file/{file.id}") is None
    assert get_store().get(TENANT, "file", file.id) is None
    for call in (client.files.retrieve, client.files.content, client.files.delete):
        with pytest.raises(openai.NotFoundError):
            call(file.id)


@pytest.mark.parametrize("call", ["retrieve", "content", "delete"])
def test_unknown_file_is_openai_404(client: openai.OpenAI, call: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        getattr(client.files, call)("file-doesnotexist")
    assert _error(raised) == {
        "message": "No such File object: file-doesnotexist",
        "type": "invalid_request_error",
        "param": "id",
        "code": None,
    }


def test_files_belong_to_their_tenant(client_for: Callable[[str], openai.OpenAI]) -> None:
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    file = owner.files.create(file=("secret.txt", b"top secret"), purpose="assistants")
    assert [f.id for f in stranger.files.list()] == []
    for call in (stranger.files.retrieve, stranger.files.content, stranger.files.delete):
        with pytest.raises(openai.NotFoundError):
            call(file.id)
    assert owner.files.content(file.id).content == b"top secret"


# --------------------------------------------------------------------------- listing


def test_list_filters_by_purpose_and_paginates(client: openai.OpenAI) -> None:
    ids = [
        client.files.create(file=(f"doc{index}.txt", b"x" * (index + 1)), purpose="assistants").id for index in range(5)
    ]
    client.files.create(file=("train.jsonl", _jsonl(CHAT_EXAMPLE)), purpose="fine-tune")

    newest_first = client.files.list(purpose="assistants")
    assert [f.id for f in newest_first.data] == ids[::-1]
    assert [f.purpose for f in client.files.list(purpose="fine-tune").data] == ["fine-tune"]
    assert client.files.list(purpose="vision").data == []
    assert len(client.files.list().data) == 6

    page = client.files.list(purpose="assistants", limit=2, order="asc")
    assert ([f.id for f in page.data], page.has_more) == (ids[:2], True)
    second = client.files.list(purpose="assistants", limit=2, order="asc", after=page.data[-1].id)
    assert [f.id for f in second.data] == ids[2:4]
    # The SDK's auto-pagination follows `after` until `has_more` is false.
    assert [f.id for f in client.files.list(purpose="assistants", limit=2, order="asc")] == ids


@pytest.mark.parametrize(
    ("query", "param", "code"),
    [
        ({"limit": 0}, "limit", "integer_below_min_value"),
        ({"limit": 10_001}, "limit", "integer_above_max_value"),
        ({"order": "sideways"}, "order", "invalid_value"),
    ],
)
def test_list_rejects_bad_parameters(http: TestClient, query: dict, param: str, code: str) -> None:
    answer = http.get("/v1/files", params=query, headers={"Authorization": "Bearer sk-test"})
    assert answer.status_code == 400
    assert (answer.json()["error"]["param"], answer.json()["error"]["code"]) == (param, code)


def test_list_accepts_the_spec_maximum_limit(client: openai.OpenAI) -> None:
    client.files.create(file=("a.txt", b"a"), purpose="assistants")
    assert len(client.files.list(limit=10_000).data) == 1


# --------------------------------------------------------------------------- request validation


def test_unknown_purpose_is_rejected(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("a.txt", b"a"), purpose="homework")  # type: ignore[arg-type]
    error = _error(raised)
    assert error["param"] == "purpose"
    assert error["message"].startswith("'homework' is not one of ['assistants', 'batch', 'fine-tune'")


@pytest.mark.parametrize(
    ("form", "files_", "param"),
    [
        ({"purpose": "assistants"}, None, "file"),
        ({}, {"file": ("a.txt", b"a")}, "purpose"),
    ],
)
def test_missing_multipart_fields_are_openai_400s(
    http: TestClient, form: dict, files_: dict | None, param: str
) -> None:
    answer = http.post(
        "/v1/files", headers={"Authorization": "Bearer sk-test"}, data=form, files=files_ or {"unused": ("x", b"x")}
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "message": f"Missing required parameter: '{param}'.",
        "type": "invalid_request_error",
        "param": param,
        "code": "missing_required_parameter",
    }


def test_empty_file_is_rejected(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("empty.txt", b""), purpose="assistants")
    assert _error(raised)["param"] == "file"
    assert client.files.list().data == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [_batch_line("a"), {"method": "POST", "url": "/v1/chat/completions", "body": {}}],
            "Line 2: missing required field 'custom_id'",
        ),
        ([_batch_line("a"), _batch_line("a")], "Line 2: the custom_id 'a' is used more than once"),
        ([_batch_line(method="GET")], "Line 1: invalid 'method' 'GET'; only 'POST' is supported."),
        ([_batch_line(url="/v1/audio/speech")], "Line 1: invalid 'url' '/v1/audio/speech'"),
        ([_batch_line(body="hello")], "Line 1: missing required field 'body'"),
        (["just a string"], "Line 1 must be a JSON object."),
    ],
)
def test_batch_file_names_the_first_bad_line(client: openai.OpenAI, lines: list, expected: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("batch.jsonl", _jsonl(*lines)), purpose="batch")
    error = _error(raised)
    assert error["message"].startswith("Invalid file format for Batch API. ")
    assert expected in error["message"]
    assert (error["param"], error["code"]) == ("file", "invalid_file_format")
    assert client.files.list().data == []  # nothing stored


def test_batch_file_with_broken_json_names_its_line(client: openai.OpenAI) -> None:
    data = _jsonl(_batch_line("a")) + b"\n" + b'{"custom_id": "b", "method": "POST",\n'
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("batch.jsonl", data), purpose="batch")
    assert "Line 3 is not valid JSON" in _error(raised)["message"]


@pytest.mark.parametrize("purpose", ["batch", "fine-tune"])
def test_jsonl_purposes_require_a_jsonl_file(client: openai.OpenAI, purpose: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("data.csv", b"a,b\n1,2\n"), purpose=purpose)  # type: ignore[arg-type]
    assert _error(raised)["message"].endswith("Must be .jsonl")


def test_fine_tune_accepts_chat_preference_and_completion_examples(client: openai.OpenAI) -> None:
    legacy = {"prompt": "2+2=", "completion": " 4"}
    file = client.files.create(
        file=("train.jsonl", _jsonl(CHAT_EXAMPLE, PREFERENCE_EXAMPLE, legacy)), purpose="fine-tune"
    )
    assert (file.purpose, file.status) == ("fine-tune", "processed")


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"messages": [{"role": "wizard", "content": "hi"}, {"role": "assistant", "content": "hi"}]},
            "Line 2: 'messages[0].role' must be one of",
        ),
        ({"messages": [{"role": "user", "content": "hi"}]}, "Line 2: 'messages' must contain at least one assistant"),
        ({"messages": []}, "Line 2: 'messages' must be a non-empty array"),
        (
            {"input": {"messages": [{"role": "user", "content": "hi"}]}, "preferred_output": []},
            "Line 2: 'preferred_output' must be a non-empty array",
        ),
        ({"text": "free text"}, "Line 2: expected a chat example with 'messages'"),
    ],
)
def test_fine_tune_file_names_the_first_bad_line(client: openai.OpenAI, bad: dict, expected: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("train.jsonl", _jsonl(CHAT_EXAMPLE, bad, {"broken": True})), purpose="fine-tune")
    message = _error(raised)["message"]
    assert message.startswith("Invalid file format for Fine-Tuning API. ")
    assert expected in message


def test_vision_files_must_be_images(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.files.create(file=("notes.txt", b"not an image"), purpose="vision")
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    assert client.files.content(client.files.create(file=("cat.png", png), purpose="vision").id).content == png


def test_file_size_limit_is_a_413(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024)
    assert client.files.create(file=("ok.bin", b"x" * 1024), purpose="assistants").bytes == 1024
    with pytest.raises(openai.APIStatusError) as raised:
        client.files.create(file=("big.bin", b"x" * 1025), purpose="assistants")
    assert raised.value.status_code == 413
    assert (_error(raised)["param"], _error(raised)["code"]) == ("file", "file_too_large")
    assert len(client.files.list().data) == 1


def test_batch_files_have_their_own_smaller_limit(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "MAX_BATCH_FILE_BYTES", 100)
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(file=("batch.jsonl", _jsonl(_batch_line("a"), _batch_line("b"))), purpose="batch")
    assert "Batch input files must be at most" in _error(raised)["message"]


# --------------------------------------------------------------------------- expiry


def test_expires_after_sets_expires_at_and_the_file_then_disappears(client: openai.OpenAI) -> None:
    clock.freeze(1_750_000_000)
    file = client.files.create(
        file=("tmp.txt", b"short-lived"), purpose="user_data", expires_after={"anchor": "created_at", "seconds": 3600}
    )
    assert file.expires_at == 1_750_000_000 + 3600
    clock.advance(3599)
    assert client.files.retrieve(file.id).expires_at == file.expires_at
    clock.advance(1)
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(file.id)
    assert client.files.list().data == []


def test_expires_after_out_of_range_is_rejected(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.files.create(
            file=("tmp.txt", b"x"), purpose="user_data", expires_after={"anchor": "created_at", "seconds": 60}
        )
    assert _error(raised)["param"] == "expires_after.seconds"


# --------------------------------------------------------------------------- the layer API for other groups


def test_generated_output_files_are_ordinary_files(client: openai.OpenAI) -> None:
    output = _jsonl({"id": "batch_req_1", "custom_id": "a", "response": {"status_code": 200}})
    stored = files.create_file(
        TENANT, "batch_abc_output.jsonl", "batch_output", output, expires_at=clock.now_seconds() + 30 * 86400
    )
    assert_conforms("GET", f"/v1/files/{stored['id']}", 200, stored)
    assert files.get_file(TENANT, stored["id"]) == stored
    assert files.read_file_bytes(TENANT, stored["id"]) == output
    assert [f.id for f in client.files.list(purpose="batch_output")] == [stored["id"]]
    assert client.files.content(stored["id"]).content == output


def test_layer_get_file_is_openai_404_naming_the_callers_param() -> None:
    with pytest.raises(OpenAIError) as raised:
        files.get_file(TENANT, "file-missing", param="input_file_id")
    assert (raised.value.status, raised.value.message, raised.value.param) == (
        404,
        "No such File object: file-missing",
        "input_file_id",
    )


# --------------------------------------------------------------------------- through the Lambda handler


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_upload_and_download_through_the_lambda_handler(version: str) -> None:
    lambda_sdk = lambda_client(files_function.handler, version)  # type: ignore[arg-type]
    file = lambda_sdk.files.create(file=("blob.bin", BINARY), purpose="assistants")
    assert (file.bytes, file.filename) == (len(BINARY), "blob.bin")
    assert lambda_sdk.files.content(file.id).content == BINARY  # multipart in and bytes out, base64 both ways
    assert [f.id for f in lambda_sdk.files.list()] == [file.id]
    assert lambda_sdk.files.delete(file.id).deleted is True

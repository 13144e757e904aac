"""Uploads through the official SDK: a pending Upload takes Parts (bytes in the blob store), completes
into a real File with the Parts' bytes in the order given, and refuses work once completed, cancelled
or expired — including with persistence on (DynamoDB + S3 under moto) past DynamoDB's 400 KB items."""

from __future__ import annotations

import hashlib
import io
import json

import openai
import pytest
from starlette.testclient import TestClient

from functions.uploads import app as uploads_function
from openai_mock import clock
from openai_mock.resources import uploads
from openai_mock.store import get_blobs, get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

TENANT = principal_for_key("sk-test").tenant
AUTH = {"Authorization": "Bearer sk-test"}


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict:
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    return body


def _pending(
    client: openai.OpenAI,
    size: int,
    filename: str = "corpus.txt",
    purpose: str = "assistants",
    mime_type: str = "text/plain",
) -> str:
    return client.uploads.create(bytes=size, filename=filename, mime_type=mime_type, purpose=purpose).id  # type: ignore[arg-type]


def _part(client: openai.OpenAI, upload_id: str, data: bytes) -> str:
    return client.uploads.parts.create(upload_id=upload_id, data=io.BytesIO(data)).id


# --------------------------------------------------------------------------- the happy path


def test_create_add_parts_complete_conform_to_the_spec(http: TestClient) -> None:
    clock.freeze(1_750_000_000)
    created = http.post(
        "/v1/uploads",
        headers=AUTH,
        json={"bytes": 11, "filename": "hello.txt", "purpose": "assistants", "mime_type": "text/plain"},
    )
    assert created.status_code == 200, created.text
    assert_conforms("POST", "/v1/uploads", 200, created.json())
    upload = created.json()
    assert upload["id"].startswith("upload_")
    assert {
        k: upload[k] for k in ("object", "bytes", "filename", "purpose", "status", "created_at", "expires_at", "file")
    } == {
        "object": "upload",
        "bytes": 11,
        "filename": "hello.txt",
        "purpose": "assistants",
        "status": "pending",
        "created_at": 1_750_000_000,
        "expires_at": 1_750_000_000 + 3600,
        "file": None,
    }

    part_ids = []
    for chunk in (b"hello", b" world"):
        part = http.post(f"/v1/uploads/{upload['id']}/parts", headers=AUTH, files={"data": ("blob", chunk)})
        assert_conforms("POST", f"/v1/uploads/{upload['id']}/parts", 200, part.json())
        assert part.json()["object"] == "upload.part" and part.json()["upload_id"] == upload["id"]
        assert part.json()["id"].startswith("part_")
        part_ids.append(part.json()["id"])

    completed = http.post(f"/v1/uploads/{upload['id']}/complete", headers=AUTH, json={"part_ids": part_ids})
    assert_conforms("POST", f"/v1/uploads/{upload['id']}/complete", 200, completed.json())
    body = completed.json()
    assert body["status"] == "completed"
    assert body["file"]["object"] == "file" and body["file"]["bytes"] == 11
    assert (body["file"]["filename"], body["file"]["purpose"], body["file"]["status"]) == (
        "hello.txt",
        "assistants",
        "processed",
    )
    download = http.get(f"/v1/files/{body['file']['id']}/content", headers=AUTH)
    assert download.content == b"hello world"


def test_complete_concatenates_parts_in_the_order_given(client: openai.OpenAI) -> None:
    upload_id = _pending(client, 9)
    first, second, third = (_part(client, upload_id, data) for data in (b"aaa", b"bbb", b"ccc"))
    upload = client.uploads.complete(upload_id, part_ids=[third, first, second])
    assert upload.file is not None and upload.file.bytes == 9
    assert client.files.content(upload.file.id).content == b"cccaaabbb"
    assert client.files.retrieve(upload.file.id) == upload.file


def test_sdk_chunked_upload_with_md5(client: openai.OpenAI) -> None:
    data = bytes(range(256)) * 100
    upload = client.uploads.upload_file_chunked(
        file=data,
        filename="blob.bin",
        bytes=len(data),
        mime_type="application/octet-stream",
        purpose="assistants",
        part_size=7000,
        md5=hashlib.md5(data).hexdigest(),
    )
    assert upload.status == "completed" and upload.file is not None
    assert client.files.content(upload.file.id).content == data


def test_a_fine_tune_upload_becomes_a_validated_fine_tune_file(client: openai.OpenAI) -> None:
    example = (
        json.dumps(
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
        ).encode()
        + b"\n"
    )
    upload = client.uploads.upload_file_chunked(
        file=example * 3,
        filename="train.jsonl",
        bytes=len(example) * 3,
        mime_type="application/jsonl",
        purpose="fine-tune",
        part_size=len(example),
    )
    assert upload.file is not None
    assert [f.id for f in client.files.list(purpose="fine-tune")] == [upload.file.id]


def test_parts_live_in_the_blob_store_and_are_removed_after_completion(client: openai.OpenAI) -> None:
    big = bytes(range(256)) * 2000  # 512 KB: more than a DynamoDB item may hold
    upload_id = _pending(client, len(big))
    part_id = _part(client, upload_id, big)
    stored = get_store().get(TENANT, f"upload.part/{upload_id}", part_id)
    assert stored is not None and len(json.dumps(stored)) < 1024
    assert get_blobs().get(TENANT, f"upload/{upload_id}/{part_id}") == big

    upload = client.uploads.complete(upload_id, part_ids=[part_id])
    assert upload.file is not None and client.files.content(upload.file.id).content == big
    assert get_blobs().get(TENANT, f"upload/{upload_id}/{part_id}") is None
    assert get_store().get(TENANT, f"upload.part/{upload_id}", part_id) is None


# --------------------------------------------------------------------------- failed completion


def test_byte_count_must_match_and_the_upload_stays_pending(client: openai.OpenAI) -> None:
    upload_id = _pending(client, 10)
    short = _part(client, upload_id, b"12345")
    with pytest.raises(openai.BadRequestError) as raised:
        client.uploads.complete(upload_id, part_ids=[short])
    error = _error(raised)
    assert error["message"] == (
        "The number of bytes uploaded (5) does not match the number of bytes specified "
        "when the Upload was created (10)."
    )
    assert client.files.list().data == []  # no File was made
    rest = _part(client, upload_id, b"67890")
    upload = client.uploads.complete(upload_id, part_ids=[short, rest])
    assert upload.file is not None and client.files.content(upload.file.id).content == b"1234567890"


def test_md5_mismatch_is_rejected(client: openai.OpenAI) -> None:
    upload_id = _pending(client, 4)
    part = _part(client, upload_id, b"data")
    with pytest.raises(openai.BadRequestError) as raised:
        client.uploads.complete(upload_id, part_ids=[part], md5=hashlib.md5(b"other").hexdigest())
    assert (_error(raised)["param"], _error(raised)["code"]) == ("md5", "md5_mismatch")
    assert (
        client.uploads.complete(upload_id, part_ids=[part], md5=hashlib.md5(b"data").hexdigest()).status == "completed"
    )


def test_part_ids_must_be_distinct_parts_of_this_upload(client: openai.OpenAI) -> None:
    upload_id, other_id = _pending(client, 4), _pending(client, 4)
    mine, theirs = _part(client, upload_id, b"ab"), _part(client, other_id, b"cd")
    with pytest.raises(openai.BadRequestError) as raised:
        client.uploads.complete(upload_id, part_ids=[mine, theirs])
    assert _error(raised)["param"] == "part_ids[1]"
    assert f"{theirs} is not a Part of Upload {upload_id}" in _error(raised)["message"]
    with pytest.raises(openai.BadRequestError) as raised:
        client.uploads.complete(upload_id, part_ids=[mine, mine])
    assert _error(raised)["code"] == "duplicate_part"


def test_completion_validates_the_content_for_its_purpose(client: openai.OpenAI) -> None:
    bad = b'{"custom_id": "a", "method": "GET", "url": "/v1/chat/completions", "body": {}}\n'
    upload_id = _pending(client, len(bad), filename="requests.jsonl", purpose="batch", mime_type="application/jsonl")
    part = _part(client, upload_id, bad)
    with pytest.raises(openai.BadRequestError) as raised:
        client.uploads.complete(upload_id, part_ids=[part])
    assert "Invalid file format for Batch API. Line 1" in _error(raised)["message"]
    assert client.files.list().data == []


# --------------------------------------------------------------------------- finished uploads refuse work


def _every_operation_refused(client: openai.OpenAI, upload_id: str, part: str) -> list[dict]:
    """Adding a part, completing and cancelling: each must be a 400; their error bodies."""
    errors = []
    for attempt in (
        lambda: _part(client, upload_id, b"more"),
        lambda: client.uploads.complete(upload_id, part_ids=[part]),
        lambda: client.uploads.cancel(upload_id),
    ):
        with pytest.raises(openai.BadRequestError) as raised:
            attempt()
        errors.append(_error(raised))
    return errors


def test_completed_upload_refuses_parts_completion_and_cancellation(client: openai.OpenAI) -> None:
    upload_id = _pending(client, 2)
    part = _part(client, upload_id, b"ok")
    client.uploads.complete(upload_id, part_ids=[part])
    for error in _every_operation_refused(client, upload_id, part):
        assert "the Upload is already completed" in error["message"]
        assert error["code"] == "upload_completed"
    assert len(client.files.list().data) == 1


def test_cancel_then_everything_is_refused(client: openai.OpenAI, http: TestClient) -> None:
    upload_id = _pending(client, 3)
    part = _part(client, upload_id, b"abc")
    cancelled = http.post(f"/v1/uploads/{upload_id}/cancel", headers=AUTH)
    assert_conforms("POST", f"/v1/uploads/{upload_id}/cancel", 200, cancelled.json())
    assert (cancelled.json()["status"], cancelled.json()["file"]) == ("cancelled", None)
    assert get_blobs().get(TENANT, f"upload/{upload_id}/{part}") is None  # the Parts' bytes are released
    for error in _every_operation_refused(client, upload_id, part):
        assert "the Upload is already cancelled" in error["message"]


def test_an_upload_expires_after_an_hour(client: openai.OpenAI) -> None:
    clock.freeze(1_750_000_000)
    upload_id = _pending(client, 3)
    part = _part(client, upload_id, b"abc")
    clock.advance(3599)
    _part(client, upload_id, b"late but in time")
    clock.advance(1)
    for error in _every_operation_refused(client, upload_id, part):
        assert "the Upload has expired" in error["message"]
        assert error["code"] == "upload_expired"
    assert get_store().get(TENANT, "upload", upload_id)["status"] == "expired"  # type: ignore[index]
    assert get_blobs().get(TENANT, f"upload/{upload_id}/{part}") is None


@pytest.mark.parametrize("call", ["part", "complete", "cancel"])
def test_unknown_upload_is_openai_404(client: openai.OpenAI, call: str) -> None:
    attempts = {
        "part": lambda: _part(client, "upload_missing", b"x"),
        "complete": lambda: client.uploads.complete("upload_missing", part_ids=[]),
        "cancel": lambda: client.uploads.cancel("upload_missing"),
    }
    with pytest.raises(openai.NotFoundError) as raised:
        attempts[call]()
    assert _error(raised) == {
        "message": "No such Upload object: upload_missing",
        "type": "invalid_request_error",
        "param": "upload_id",
        "code": None,
    }


def test_uploads_belong_to_their_tenant(client_for) -> None:  # type: ignore[no-untyped-def]
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    upload_id = _pending(owner, 1)
    with pytest.raises(openai.NotFoundError):
        _part(stranger, upload_id, b"x")
    with pytest.raises(openai.NotFoundError):
        stranger.uploads.cancel(upload_id)
    assert owner.uploads.cancel(upload_id).status == "cancelled"


# --------------------------------------------------------------------------- request validation


_MISSING = object()


@pytest.mark.parametrize(
    ("changes", "param", "code"),
    [
        ({"purpose": "homework"}, "purpose", "invalid_value"),
        ({"bytes": 0}, "bytes", "invalid_value"),
        ({"bytes": 8 * 1024**3 + 1}, "bytes", "invalid_value"),
        ({"bytes": "ten"}, "bytes", "invalid_type"),
        ({"mime_type": "not a mime type"}, "mime_type", "invalid_value"),
        ({"purpose": "vision", "mime_type": "text/plain"}, "mime_type", "invalid_value"),
        ({"purpose": "batch", "filename": "requests.csv"}, "filename", "invalid_file_format"),
        ({"colour": "blue"}, "colour", "unknown_parameter"),
        ({"filename": _MISSING}, "filename", "missing_required_parameter"),
    ],
)
def test_create_rejects_bad_requests(http: TestClient, changes: dict, param: str, code: str) -> None:
    body = {"bytes": 10, "filename": "a.txt", "purpose": "assistants", "mime_type": "text/plain", **changes}
    answer = http.post("/v1/uploads", headers=AUTH, json={k: v for k, v in body.items() if v is not _MISSING})
    assert answer.status_code == 400, answer.text
    assert (answer.json()["error"]["param"], answer.json()["error"]["code"]) == (param, code)
    assert get_store().list(TENANT, "upload").items == []


def test_a_part_larger_than_the_limit_is_a_413(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PART_BYTES", 8)
    upload_id = _pending(client, 9)
    with pytest.raises(openai.APIStatusError) as raised:
        _part(client, upload_id, b"123456789")
    assert raised.value.status_code == 413 and _error(raised)["param"] == "data"


def test_expires_after_is_carried_to_the_file(client: openai.OpenAI) -> None:
    clock.freeze(1_750_000_000)
    upload = client.uploads.create(
        bytes=2,
        filename="t.txt",
        mime_type="text/plain",
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 7200},
    )
    part = _part(client, upload.id, b"hi")
    clock.advance(60)
    completed = client.uploads.complete(upload.id, part_ids=[part])
    assert completed.file is not None and completed.file.expires_at == 1_750_000_000 + 60 + 7200


# --------------------------------------------------------------------------- Lambda, and persistence


def test_upload_in_parts_through_the_lambda_handler() -> None:
    sdk = lambda_client(uploads_function.handler, "v1")  # type: ignore[arg-type]
    data = b"\x00\xff" * 3000
    upload = sdk.uploads.upload_file_chunked(
        file=data,
        filename="blob.bin",
        bytes=len(data),
        mime_type="application/octet-stream",
        purpose="assistants",
        part_size=2500,
    )
    assert upload.status == "completed" and upload.file is not None
    assert get_blobs().get(TENANT, f"file/{upload.file.id}") == data


def test_parts_past_the_dynamodb_item_limit_with_persistence(client: openai.OpenAI, moto_persistence: None) -> None:
    big = bytes(range(256)) * 2400  # 600 KB per Part: a DynamoDB item stops at 400 KB
    upload_id = _pending(client, 2 * len(big))
    parts = [_part(client, upload_id, big), _part(client, upload_id, big[::-1])]
    upload = client.uploads.complete(upload_id, part_ids=parts)
    assert upload.file is not None
    assert client.files.content(upload.file.id).content == big + big[::-1]
    assert type(get_store()).__name__ == "DynamoDBStore" and type(get_blobs()).__name__ == "S3BlobStore"

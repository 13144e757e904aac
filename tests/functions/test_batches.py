"""Batches through the official SDK: upload a JSONL file of requests, create the batch, let the clock run,
download the output. Every line really runs through its endpoint's code; cancel, expiry, failures, lists,
validation, exactly-once execution under concurrent reads, and the Lambda path."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import openai
import pytest

from functions.batches import app as batches_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import batches, chat
from openai_mock.settings import reset_settings
from openai_mock.store import get_blobs, reset_stores
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client, lambda_client
from tests.support.spec import assert_conforms, validate_component

START = 1_750_000_000
DONE = 10  # seconds: past the default three one-second stages

CHAT_URL, EMBEDDINGS_URL, COMPLETIONS_URL = "/v1/chat/completions", "/v1/embeddings", "/v1/completions"


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _chat_line(custom_id: str, question: str, model: str = "gpt-4o-mini", **extra: Any) -> dict[str, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": question}], **extra}
    return {"custom_id": custom_id, "method": "POST", "url": CHAT_URL, "body": body}


def _upload(
    client: openai.OpenAI, lines: list[dict[str, Any]], name: str = "requests.jsonl", purpose: str = "batch"
) -> str:
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return client.files.create(file=(name, data), purpose=purpose).id  # type: ignore[arg-type]


def _create(client: openai.OpenAI, lines: list[dict[str, Any]], endpoint: str = CHAT_URL, **extra: Any) -> str:
    file_id = _upload(client, lines)
    return client.batches.create(
        input_file_id=file_id,
        endpoint=endpoint,  # type: ignore[arg-type]
        completion_window="24h",
        **extra,
    ).id


def _records(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


def assert_conforms_if_spec(method: str, path: str, body: dict[str, Any]) -> None:
    assert_conforms(method, path, 200, body)


def _raw_batch(client: openai.OpenAI, batch_id: str) -> dict[str, Any]:
    raw = client.batches.with_raw_response.retrieve(batch_id)
    return json.loads(raw.http_response.text)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- end to end


def test_chat_batch_runs_every_line_through_the_chat_endpoint(client: openai.OpenAI) -> None:
    questions = {"cats": "Tell me about cats.", "tea": "How do I brew green tea?", "rust": "Why learn Rust?"}
    lines = [_chat_line(custom_id, question, max_tokens=60) for custom_id, question in questions.items()]
    created = client.batches.with_raw_response.create(
        input_file_id=_upload(client, lines), endpoint=CHAT_URL, completion_window="24h", metadata={"job": "nightly"}
    )
    assert_conforms("POST", "/v1/batches", 200, json.loads(created.http_response.text))
    batch = created.parse()
    assert (batch.status, batch.endpoint, batch.metadata) == ("validating", CHAT_URL, {"job": "nightly"})
    assert batch.id.startswith("batch_") and batch.expires_at == START + 24 * 3600

    clock.advance(DONE)
    raw = _raw_batch(client, batch.id)
    assert_conforms("GET", f"/v1/batches/{batch.id}", 200, raw)
    assert raw["status"] == "completed"
    assert raw["request_counts"] == {"total": 3, "completed": 3, "failed": 0}
    assert "error_file_id" not in raw and "errors" not in raw  # not nullable in the spec: left out

    output = client.files.retrieve(raw["output_file_id"])
    assert (output.purpose, output.filename) == ("batch_output", f"{batch.id}_output.jsonl")
    records = _records(client, raw["output_file_id"])
    assert [record["custom_id"] for record in records] == list(questions)
    for record in records:
        validate_component("BatchRequestOutput", record, spec="2025-03-11")  # not in today's spec
        assert record["id"].startswith("batch_req_") and record["error"] is None
        assert record["response"]["status_code"] == 200
        assert record["response"]["request_id"].startswith("req_")
        validate_component("CreateChatCompletionResponse", record["response"]["body"])
        # The very answer the chat endpoint gives to the same request: one code path.
        direct = client.chat.completions.create(**lines[records.index(record)]["body"])
        assert record["response"]["body"]["choices"][0]["message"]["content"] == direct.choices[0].message.content
        assert record["response"]["body"]["usage"] == direct.usage.model_dump(exclude_none=True)  # type: ignore[union-attr]


def test_embeddings_and_completions_batches_answer_with_their_endpoint_bodies(client: openai.OpenAI) -> None:
    embedding_lines = [
        {
            "custom_id": f"doc-{index}",
            "method": "POST",
            "url": EMBEDDINGS_URL,
            "body": {"model": "text-embedding-3-small", "input": text, "dimensions": 64},
        }
        for index, text in enumerate(["cats purr", ["dogs bark", "birds sing"]])
    ]
    completion_lines = [
        {
            "custom_id": "haiku",
            "method": "POST",
            "url": COMPLETIONS_URL,
            "body": {"model": "gpt-3.5-turbo-instruct", "prompt": "Write a haiku about rain", "max_tokens": 30},
        }
    ]
    embedding_batch = _create(client, embedding_lines, EMBEDDINGS_URL)
    completion_batch = _create(client, completion_lines, COMPLETIONS_URL)
    clock.advance(DONE)

    embeddings_done = client.batches.retrieve(embedding_batch)
    records = _records(client, embeddings_done.output_file_id)
    assert [len(record["response"]["body"]["data"]) for record in records] == [1, 2]
    for record in records:
        validate_component("CreateEmbeddingResponse", record["response"]["body"])
        assert all(len(item["embedding"]) == 64 for item in record["response"]["body"]["data"])
    direct = client.embeddings.create(model="text-embedding-3-small", input="cats purr", dimensions=64)
    assert records[0]["response"]["body"]["data"][0]["embedding"] == pytest.approx(direct.data[0].embedding)

    (record,) = _records(client, client.batches.retrieve(completion_batch).output_file_id)
    validate_component("CreateCompletionResponse", record["response"]["body"])
    assert record["response"]["body"]["object"] == "text_completion"
    assert record["response"]["body"]["choices"][0]["text"]


def test_failed_lines_go_to_the_error_file_with_the_endpoints_error(client: openai.OpenAI) -> None:
    lines = [
        _chat_line("ok-1", "Hello there"),
        _chat_line("unknown-model", "Hello there", model="gpt-17"),
        {"custom_id": "no-messages", "method": "POST", "url": CHAT_URL, "body": {"model": "gpt-4o-mini"}},
        _chat_line("bad-temperature", "Hello", temperature=3),
        _chat_line("streamed", "Hello", stream=True),
        _chat_line("ok-2", "Goodbye"),
    ]
    batch_id = _create(client, lines)
    clock.advance(DONE)
    batch = client.batches.retrieve(batch_id)
    assert batch.status == "completed"
    assert batch.request_counts.model_dump() == {"total": 6, "completed": 2, "failed": 4}  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == ["ok-1", "ok-2"]

    errors = {record["custom_id"]: record["response"] for record in _records(client, batch.error_file_id)}
    assert list(errors) == ["unknown-model", "no-messages", "bad-temperature", "streamed"]
    assert errors["unknown-model"]["status_code"] == 404
    assert errors["unknown-model"]["body"] == {
        "error": {
            "message": "The model 'gpt-17' does not exist",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }
    assert errors["no-messages"]["status_code"] == 400
    assert errors["no-messages"]["body"]["error"]["message"] == "Missing required parameter: 'messages'."
    assert errors["bad-temperature"]["body"]["error"]["param"] == "temperature"
    assert errors["streamed"]["body"]["error"]["param"] == "stream"
    assert client.files.retrieve(batch.error_file_id).filename == f"{batch_id}_error.jsonl"  # type: ignore[arg-type]


def test_status_progresses_through_the_stages_as_time_passes(client: openai.OpenAI) -> None:
    lines = [_chat_line(f"q{index}", f"Question number {index}") for index in range(4)]
    batch_id = _create(client, lines)
    seen = []
    for step in (0.5, 1.0, 0.4, 0.6, 1.0):
        clock.advance(step)
        batch = client.batches.retrieve(batch_id)
        seen.append((batch.status, batch.request_counts.completed, batch.request_counts.total))  # type: ignore[union-attr]
    # Stages of one second each; line i of 4 is done at in_progress_at + (i + 1) / 4 s.
    assert seen == [
        ("validating", 0, 0),
        ("in_progress", 2, 4),
        ("in_progress", 3, 4),
        ("finalizing", 4, 4),
        ("completed", 4, 4),
    ]
    assert (batch.in_progress_at, batch.finalizing_at, batch.completed_at) == (START + 1, START + 2, START + 3)
    assert batch.output_file_id is not None and batch.cancelled_at is None


def test_stage_length_is_configurable(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_BATCH_STAGE_SECONDS", "60")
    reset_settings()
    batch_id = _create(client, [_chat_line("only", "Hi")])
    clock.advance(59)
    assert client.batches.retrieve(batch_id).status == "validating"
    clock.advance(2 * 60 + 1)
    completed = client.batches.retrieve(batch_id)
    assert (completed.status, completed.completed_at) == ("completed", START + 180)


# --------------------------------------------------------------------------- cancel, expiry, failure


def test_cancel_keeps_the_lines_done_before_it(client: openai.OpenAI) -> None:
    lines = [_chat_line(f"q{index}", f"Question number {index}") for index in range(4)]
    lines[1] = _chat_line("q1", "Hi", model="gpt-17")
    batch_id = _create(client, lines)
    clock.advance(1.6)  # 60% through in_progress: lines q0 and q1 are done
    cancelling = client.batches.with_raw_response.cancel(batch_id)
    assert_conforms_if_spec("POST", f"/v1/batches/{batch_id}/cancel", json.loads(cancelling.http_response.text))
    batch = cancelling.parse()
    assert (batch.status, batch.cancelling_at, batch.cancelled_at) == ("cancelling", START + 1, None)
    assert client.batches.cancel(batch_id).status == "cancelling"  # cancelling twice is harmless

    clock.advance(5)
    cancelled = client.batches.retrieve(batch_id)
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", START + 2)
    assert cancelled.request_counts.model_dump() == {"total": 4, "completed": 1, "failed": 1}  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, cancelled.output_file_id)] == ["q0"]
    assert [record["custom_id"] for record in _records(client, cancelled.error_file_id)] == ["q1"]
    assert cancelled.completed_at is None and cancelled.finalizing_at is None
    assert client.batches.cancel(batch_id).status == "cancelled"


def test_cancel_while_validating_runs_nothing(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_chat_generations(monkeypatch)
    batch_id = _create(client, [_chat_line("q", "Hi")])
    client.batches.cancel(batch_id)
    clock.advance(DONE)
    batch = client.batches.retrieve(batch_id)
    assert batch.status == "cancelled"
    assert batch.in_progress_at is None and batch.output_file_id is None and batch.error_file_id is None
    assert batch.request_counts.model_dump() == {"total": 0, "completed": 0, "failed": 0}  # type: ignore[union-attr]
    assert calls == []


@pytest.mark.parametrize("state", ["completed", "failed"])
def test_cancelling_a_finished_batch_is_400(client: openai.OpenAI, state: str) -> None:
    file_id = _upload(client, [_chat_line("q", "Hi")])
    batch_id = client.batches.create(input_file_id=file_id, endpoint=CHAT_URL, completion_window="24h").id
    if state == "failed":
        client.files.delete(file_id)
    clock.advance(DONE)
    with pytest.raises(openai.BadRequestError) as raised:
        client.batches.cancel(batch_id)
    assert raised.value.body == {
        "message": f"Cannot cancel a batch with status '{state}'.",  # type: ignore[comparison-overlap]
        "type": "invalid_request_error",
        "param": "batch_id",
        "code": "batch_not_cancellable",
    }


def test_a_batch_whose_input_file_disappears_fails(client: openai.OpenAI) -> None:
    file_id = _upload(client, [_chat_line("q", "Hi")])
    batch_id = client.batches.create(input_file_id=file_id, endpoint=CHAT_URL, completion_window="24h").id
    client.files.delete(file_id)
    clock.advance(DONE)
    raw = _raw_batch(client, batch_id)
    assert_conforms("GET", f"/v1/batches/{batch_id}", 200, raw)
    assert (raw["status"], raw["failed_at"]) == ("failed", START + 1)
    assert raw["errors"]["data"][0]["param"] == "input_file_id"
    assert file_id in raw["errors"]["data"][0]["message"]
    assert "output_file_id" not in raw and "in_progress_at" not in raw


def test_a_batch_not_done_within_its_window_expires(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_BATCH_STAGE_SECONDS", "60000")  # in_progress would end after 33 h
    reset_settings()
    batch_id = _create(client, [_chat_line(f"q{index}", f"Question {index}") for index in range(4)])
    clock.advance(24 * 3600 - 1)
    assert client.batches.retrieve(batch_id).status == "in_progress"
    clock.advance(2)
    batch = client.batches.retrieve(batch_id)
    assert (batch.status, batch.expired_at) == ("expired", START + 24 * 3600)
    # 26,400 s of a 60,000 s in_progress stage: 1.76 of 4 lines, so one line done, three expired.
    assert batch.request_counts.model_dump() == {"total": 4, "completed": 1, "failed": 3}  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == ["q0"]
    expired = _records(client, batch.error_file_id)
    assert [record["custom_id"] for record in expired] == ["q1", "q2", "q3"]
    assert all(record["response"] is None and record["error"]["code"] == "batch_expired" for record in expired)


# --------------------------------------------------------------------------- exactly once


def _read_concurrently(tenant: str, batch_id: str, readers: int = 8) -> list[str]:
    start = threading.Barrier(readers)
    seen: list[str] = []

    def read() -> None:
        start.wait()
        seen.append(batches.retrieve_batch(tenant, batch_id)["status"])

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def _count_chat_generations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = chat.generate

    def counted(body: chat.ChatCompletionRequest, tenant: str, headers: Any) -> Any:
        calls.append(body.messages[0].content)
        return real(body, tenant, headers)

    monkeypatch.setattr(chat, "generate", counted)
    return calls


def test_concurrent_reads_execute_the_batch_exactly_once(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_chat_generations(monkeypatch)
    batch_id = _create(client, [_chat_line(f"q{index}", f"Question {index}") for index in range(5)])
    clock.advance(DONE)
    seen = _read_concurrently(principal_for_key("sk-test").tenant, batch_id)
    assert sorted(calls) == [f"Question {index}" for index in range(5)]  # each line ran once
    assert set(seen) <= {"finalizing", "completed"} and "completed" in seen
    outputs = list(client.files.list(purpose="batch_output"))
    assert len(outputs) == 1
    assert client.batches.retrieve(batch_id).output_file_id == outputs[0].id


# --------------------------------------------------------------------------- validation


def _create_error(client: openai.OpenAI, **overrides: Any) -> openai.BadRequestError:
    arguments = {
        "input_file_id": _upload(client, [_chat_line("q", "Hi")]),
        "endpoint": CHAT_URL,
        "completion_window": "24h",
        **overrides,
    }
    with pytest.raises(openai.BadRequestError) as raised:
        client.batches.create(**arguments)
    return raised.value


@pytest.mark.parametrize(
    ("overrides", "param", "message"),
    [
        (
            {"endpoint": "/v1/audio/speech"},
            "endpoint",
            "Invalid value: '/v1/audio/speech'. Supported values are: '/v1/responses', '/v1/chat/completions', "
            "'/v1/embeddings', '/v1/completions', '/v1/moderations', '/v1/images/generations', '/v1/images/edits', "
            "and '/v1/videos'.",
        ),
        ({"completion_window": "48h"}, "completion_window", "Invalid value: '48h'. Supported values are: '24h'."),
        (
            {"metadata": {f"key{index}": "value" for index in range(17)}},
            "metadata",
            "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object "
            "with 17 properties instead.",
        ),
        ({"input_file_id": "file-nope"}, "input_file_id", "Invalid 'input_file_id': No such File object: file-nope"),
        (
            {"endpoint": EMBEDDINGS_URL},
            "input_file_id",
            "Line 1 of the input file has the URL '/v1/chat/completions', but this batch's endpoint is "
            "'/v1/embeddings'. "
            "Every request in a batch must use the batch's endpoint.",
        ),
    ],
)
def test_create_rejects_bad_parameters(
    client: openai.OpenAI, overrides: dict[str, Any], param: str, message: str
) -> None:
    error = _create_error(client, **overrides)
    assert (error.body["param"], error.body["message"]) == (param, message)  # type: ignore[index]
    assert client.batches.list().data == []  # nothing stored


def test_create_requires_a_batch_purpose_file(client: openai.OpenAI) -> None:
    file_id = client.files.create(file=("notes.txt", b"cats and dogs"), purpose="user_data").id
    error = _create_error(client, input_file_id=file_id)
    assert error.body["param"] == "input_file_id"  # type: ignore[index]
    assert error.body["code"] == "invalid_file_purpose"  # type: ignore[index]
    assert "purpose 'user_data'" in error.body["message"]  # type: ignore[index]


def test_create_without_required_params_is_openai_400(http: Any) -> None:
    answer = http.post(
        "/v1/batches",
        headers={"Authorization": "Bearer sk-test"},
        json={"endpoint": CHAT_URL, "completion_window": "24h"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "input_file_id"
    assert answer.json()["error"]["code"] == "missing_required_parameter"


# --------------------------------------------------------------------------- reads


def test_list_batches_newest_first_with_cursor_pagination(client: openai.OpenAI) -> None:
    created = []
    for index in range(3):
        created.append(_create(client, [_chat_line("q", f"Question {index}")]))
        clock.advance(1)
    raw = client.batches.with_raw_response.list(limit=2)
    body = json.loads(raw.http_response.text)
    assert_conforms("GET", "/v1/batches", 200, body)
    assert [batch["id"] for batch in body["data"]] == created[::-1][:2]
    assert body["has_more"] is True and body["last_id"] == created[1]
    rest = client.batches.list(limit=2, after=body["last_id"])
    assert [batch.id for batch in rest.data] == [created[0]] and rest.has_more is False
    assert [batch.id for batch in client.batches.list(limit=1)] == created[::-1]  # the SDK follows the cursor
    # Listing shows the batches' current state: the oldest has been running for 3 s by now.
    assert [batch.status for batch in rest.data] == ["completed"]


def test_list_limit_out_of_range_is_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.batches.list(limit=101)
    assert raised.value.body["param"] == "limit"  # type: ignore[index]


def test_unknown_batch_is_openai_404(client: openai.OpenAI) -> None:
    for call in (client.batches.retrieve, client.batches.cancel):
        with pytest.raises(openai.NotFoundError) as raised:
            call("batch_nope")
        assert raised.value.body == {
            "message": "No such Batch object: batch_nope",  # type: ignore[comparison-overlap]
            "type": "invalid_request_error",
            "param": "batch_id",
            "code": None,
        }


def test_batches_belong_to_their_tenant(client_for: Callable[[str], openai.OpenAI]) -> None:
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    batch_id = _create(owner, [_chat_line("q", "Hi")])
    assert stranger.batches.list().data == []
    with pytest.raises(openai.NotFoundError):
        stranger.batches.retrieve(batch_id)
    with pytest.raises(openai.BadRequestError):  # nor can a stranger batch the owner's file
        stranger.batches.create(
            input_file_id=owner.batches.retrieve(batch_id).input_file_id, endpoint=CHAT_URL, completion_window="24h"
        )


def test_batch_through_the_lambda_handler(client: openai.OpenAI) -> None:
    via_lambda = lambda_client(batches_function.handler, "v1")  # type: ignore[arg-type]
    file_id = _upload(client, [_chat_line("q", "Hi"), _chat_line("r", "Bye")])
    batch = via_lambda.batches.create(input_file_id=file_id, endpoint=CHAT_URL, completion_window="24h")
    assert batch.status == "validating"
    clock.advance(DONE)
    done = via_lambda.batches.retrieve(batch.id)
    assert done.status == "completed" and done.request_counts.completed == 2  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, done.output_file_id)] == ["q", "r"]


def test_batch_on_dynamodb_and_s3_survives_a_cold_start_and_runs_once(
    moto_persistence: None, mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_chat_generations(monkeypatch)
    client = asgi_client(mock_app)
    batch_id = _create(client, [_chat_line(f"q{index}", f"Question {index}") for index in range(3)])
    reset_stores()  # a new Lambda container: only DynamoDB and S3 remember the batch
    clock.advance(DONE)
    seen = _read_concurrently(principal_for_key("sk-test").tenant, batch_id, readers=4)
    assert len(calls) == 3 and "completed" in seen
    batch = asgi_client(mock_app).batches.retrieve(batch_id)
    assert batch.request_counts.model_dump() == {"total": 3, "completed": 3, "failed": 0}  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == ["q0", "q1", "q2"]


# --------------------------------------------------------------------------- at scale: chunks


def _embedding_lines(count: int) -> list[dict[str, Any]]:
    body = {"model": "text-embedding-3-small", "input": "x", "dimensions": 1}
    return [{"custom_id": f"e{index}", "method": "POST", "url": EMBEDDINGS_URL, "body": body} for index in range(count)]


def _counts(client: openai.OpenAI, batch_id: str) -> tuple[str, int, int]:
    raw = _raw_batch(client, batch_id)
    assert_conforms("GET", f"/v1/batches/{batch_id}", 200, raw)
    return raw["status"], raw["request_counts"]["completed"], raw["request_counts"]["failed"]


def _chunk_sizes(tenant: str, batch_id: str) -> list[int]:
    stored = batches._reload(tenant, batch_id)
    blobs = get_blobs()
    return [
        len((blobs.get(tenant, batches._chunk_key(batch_id, index)) or b"").splitlines())
        for index in range(stored["_chunks"])
    ]


def test_a_50000_line_batch_completes_one_chunk_per_read(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batches, "CHUNK_LINES", 5_000)
    tenant = principal_for_key("sk-test").tenant
    batch_id = _create(client, _embedding_lines(batches.MAX_REQUESTS), EMBEDDINGS_URL)
    clock.advance(DONE)  # every line is due at once: the reads catch up, one chunk each
    seen = [_counts(client, batch_id) for _ in range(10)]
    assert seen[:-1] == [("finalizing", 5_000 * (index + 1), 0) for index in range(9)]
    assert seen[-1] == ("completed", 50_000, 0)  # the last chunk ran, then the files were written
    batch = client.batches.retrieve(batch_id)
    assert batch.request_counts.model_dump() == {"total": 50_000, "completed": 50_000, "failed": 0}  # type: ignore[union-attr]
    assert batch.error_file_id is None
    records = _records(client, batch.output_file_id)
    assert [record["custom_id"] for record in records] == [f"e{index}" for index in range(50_000)]
    assert len({record["id"] for record in records}) == 50_000
    assert batches._reload(tenant, batch_id)["_chunks"] == 10
    assert get_blobs().get(tenant, batches._chunk_key(batch_id, 0)) is None  # chunks removed once settled


def test_chunks_follow_the_clock_with_the_real_chunk_size(client: openai.OpenAI) -> None:
    assert batches.CHUNK_LINES == 500
    tenant = principal_for_key("sk-test").tenant
    lines = _embedding_lines(1_200)
    lines[700]["body"] = {"model": "text-embedding-3-small", "input": "x", "dimensions": 0}  # the endpoint's 400
    batch_id = _create(client, lines, EMBEDDINGS_URL)
    clock.advance(1.5)  # half of in_progress: lines 0..599 are due
    assert _counts(client, batch_id) == ("in_progress", 500, 0)  # one chunk per read
    assert _counts(client, batch_id) == ("in_progress", 600, 0)  # the rest of what is due, nothing more
    assert _counts(client, batch_id) == ("in_progress", 600, 0)  # nothing due: nothing runs
    assert _chunk_sizes(tenant, batch_id) == [500, 100]
    clock.advance(DONE)
    assert _counts(client, batch_id) == ("finalizing", 1_099, 1)  # due, but not yet run: not counted
    assert _counts(client, batch_id) == ("completed", 1_199, 1)
    batch = client.batches.retrieve(batch_id)
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == [
        f"e{index}" for index in range(1_200) if index != 700
    ]
    (failed,) = _records(client, batch.error_file_id)
    assert (failed["custom_id"], failed["response"]["status_code"]) == ("e700", 400)
    assert failed["response"]["body"]["error"]["param"] == "dimensions"


def test_a_chunk_stops_at_its_byte_budget(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "CHUNK_BYTES", 1_000)
    tenant = principal_for_key("sk-test").tenant
    batch_id = _create(client, _embedding_lines(10), EMBEDDINGS_URL)
    clock.advance(DONE)
    client.batches.retrieve(batch_id)
    first = get_blobs().get(tenant, batches._chunk_key(batch_id, 0)) or b""
    records = first.splitlines(keepends=True)
    assert 1 < len(records) < 10  # bounded by bytes long before 500 lines
    assert len(first) >= 1_000 > len(first) - len(records[-1])  # it stopped at the record that crossed the budget
    reads = 1
    while client.batches.retrieve(batch_id).status != "completed":
        reads += 1
        assert reads <= 10
    assert reads > 1
    batch = client.batches.retrieve(batch_id)
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == [f"e{i}" for i in range(10)]


def test_concurrent_reads_run_every_chunk_exactly_once(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "CHUNK_LINES", 2)
    calls = _count_chat_generations(monkeypatch)
    batch_id = _create(client, [_chat_line(f"q{index}", f"Question {index}") for index in range(9)])
    clock.advance(DONE)
    tenant = principal_for_key("sk-test").tenant
    rounds = 0
    while "completed" not in _read_concurrently(tenant, batch_id, readers=4):
        rounds += 1
        assert rounds < 10
    assert sorted(calls) == sorted(f"Question {index}" for index in range(9))  # each line ran once
    batch = client.batches.retrieve(batch_id)
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == [f"q{i}" for i in range(9)]


def test_chunks_on_dynamodb_and_s3_across_cold_starts(
    moto_persistence: None, mock_app: TemplateRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batches, "CHUNK_LINES", 2)
    calls = _count_chat_generations(monkeypatch)
    client = asgi_client(mock_app)
    tenant = principal_for_key("sk-test").tenant
    batch_id = _create(client, [_chat_line(f"q{index}", f"Question {index}") for index in range(5)])
    clock.advance(DONE)
    seen = []
    for _ in range(4):
        reset_stores()  # every read in a new Lambda container: the chunks are in DynamoDB and S3 only
        seen.append(_counts(asgi_client(mock_app), batch_id))
    assert seen == [("finalizing", 2, 0), ("finalizing", 4, 0), ("completed", 5, 0), ("completed", 5, 0)]
    assert sorted(calls) == [f"Question {index}" for index in range(5)]  # each line ran once
    batch = asgi_client(mock_app).batches.retrieve(batch_id)
    assert batch.request_counts.model_dump() == {"total": 5, "completed": 5, "failed": 0}  # type: ignore[union-attr]
    assert [record["custom_id"] for record in _records(client, batch.output_file_id)] == [f"q{i}" for i in range(5)]
    assert batches._reload(tenant, batch_id)["_chunks"] == 3
    assert get_blobs().get(tenant, batches._chunk_key(batch_id, 2)) is None  # removed from S3 once settled

"""On AWS the objects a request's path names are read with its first reads (web/request_reads.NamedObjects), and its
route's own read of them is no round trip more: a retrieve or a poll waits for two DynamoDB calls in turn (its
first reads, its journal entry), not three. Never across requests: each request reads them again."""

from __future__ import annotations

import contextvars

import openai
import pytest
from starlette.testclient import TestClient

from functions.responses.app import BODY_OBJECTS as RESPONSES_BODY_OBJECTS
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import responses
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from openai_mock.web.request_reads import NamedObjects, ids_in_body
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client


def _watch() -> list[str]:
    calls: list[str] = []
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    return calls


def test_paths_name_their_objects() -> None:
    reads = NamedObjects(
        {
            "/v1/things/{thing_id}": [("thing", "thing_id")],
            "/v1/boxes/{box_id}/things/{thing_id}": [("box", "box_id"), ("thing/{box_id}", "thing_id")],
        },
        {},
    )
    assert reads.in_path("/v1/things/th_1") == [("thing", "th_1")]
    assert reads.in_path("/v1/boxes/bx_1/things/th_2") == [("box", "bx_1"), ("thing/bx_1", "th_2")]
    assert reads.in_path("/v1/things") == []
    assert reads.in_path("/v1/things/th_1/more") == []


def test_a_retrieve_reads_its_object_with_the_first_reads(moto_persistence: None, mock_app: TemplateRouter) -> None:
    client = asgi_client(mock_app, api_key="sk-path-reads")
    created = client.responses.create(model="gpt-4o-mini", input="Keep this one.")
    client.responses.retrieve(created.id)
    calls = _watch()

    assert client.responses.retrieve(created.id).output_text == created.output_text
    assert sorted(calls) == ["BatchGetItem", "PutItem"]  # its first reads (the response among them), its journal
    calls.clear()
    assert [item.type for item in client.responses.input_items.list(created.id)] == ["message"]
    assert sorted(calls) == ["BatchGetItem", "PutItem"]
    calls.clear()
    with pytest.raises(openai.NotFoundError, match="resp_none"):
        client.responses.retrieve("resp_none")
    assert sorted(calls) == ["BatchGetItem", "GetItem", "PutItem"]  # none in the batch: read again, still none


def test_each_request_reads_the_named_object_again(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """What one request read is not what the next one sees: another container's deletion in between is seen."""
    client = asgi_client(mock_app, api_key="sk-path-reads-fresh")
    created = client.responses.create(model="gpt-4o-mini", input="Deleted elsewhere.")
    client.responses.retrieve(created.id)
    tenant = principal_for_key("sk-path-reads-fresh").tenant
    contextvars.Context().run(get_store().delete, tenant, responses.COLLECTION, created.id)  # another container

    with pytest.raises(openai.NotFoundError, match=created.id):
        client.responses.retrieve(created.id)


def test_an_update_after_the_first_reads_writes_against_them(moto_persistence: None, mock_app: TemplateRouter) -> None:
    """A conversation's metadata update: its object read with the first reads, written against that version."""
    client = asgi_client(mock_app, api_key="sk-path-reads-update")
    conversation = client.conversations.create(metadata={"topic": "a"})
    client.conversations.update(conversation.id, metadata={"topic": "b"})
    calls = _watch()

    updated = client.conversations.update(conversation.id, metadata={"topic": "c"})

    assert updated.metadata == {"topic": "c"}
    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem"]  # + its write, its journal
    assert client.conversations.retrieve(conversation.id).metadata == {"topic": "c"}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler_a_poll_reads_its_object_with_the_first_reads(
    moto_persistence: None, version: str
) -> None:
    """API Gateway events (REST and HTTP APIs) into ResponsesFunction's handler: the path as API Gateway gives it
    names the response, read with the first reads; the next invocation reads it again (nothing kept between)."""
    from functions.responses import app as responses_function
    from tests.support.sdk import lambda_client

    client = lambda_client(responses_function.handler, version, api_key=f"sk-path-reads-{version}")  # type: ignore[arg-type]
    created = client.responses.create(model="gpt-4o-mini", input="Poll me.")
    client.responses.retrieve(created.id)
    calls = _watch()

    for _ in range(2):
        assert client.responses.retrieve(created.id).id == created.id
    assert sorted(calls) == ["BatchGetItem", "BatchGetItem", "PutItem", "PutItem"]


def test_the_objects_a_responses_body_names() -> None:
    named_objects = RESPONSES_BODY_OBJECTS["/v1/responses"]
    assert named_objects(b'{"model": "m", "input": "hi"}') == []
    assert named_objects(b'{"previous_response_id": "resp_1", "conversation": {"id": "conv_1"}}') == [
        (responses.COLLECTION, "resp_1"),
        ("conversation", "conv_1"),
    ]
    assert named_objects(b'{"conversation": "conv_2"}') == [("conversation", "conv_2")]
    assert named_objects(b'{"conversation": 3, "previous_response_id": null}') == []
    assert named_objects(b'["conversation"]') == []
    assert named_objects(b'{"conversation": ') == []  # not JSON: json_body answers the 400


def test_a_chained_response_reads_the_previous_one_with_the_first_reads(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """`previous_response_id` (the Responses API's multi-turn state): the previous response, its context, is read
    with the request's first reads; an unknown one is still the 404 naming it."""
    client = asgi_client(mock_app, api_key="sk-body-reads")
    first = client.responses.create(model="gpt-4o-mini", input="My name is Ada.")
    client.responses.create(model="gpt-4o-mini", input="Warm up.", previous_response_id=first.id)
    calls = _watch()

    second = client.responses.create(model="gpt-4o-mini", input="What is my name?", previous_response_id=first.id)

    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem", "UpdateItem", "UpdateItem"]
    assert second.usage.input_tokens > first.usage.input_tokens  # the first turn is its context
    assert [item.type for item in client.responses.input_items.list(second.id)] == ["message"]
    with pytest.raises(openai.NotFoundError, match="resp_none"):
        client.responses.create(model="gpt-4o-mini", input="Hi", previous_response_id="resp_none")
    http = TestClient(mock_app, base_url="http://testserver")
    broken = http.post(
        "/v1/responses",
        content=b'{"model": "gpt-4o-mini", "conversation": ',  # names nothing: the function's 400, as without it
        headers={"Authorization": "Bearer sk-body-reads", "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["error"]["type"] == "invalid_request_error"


def test_an_uploads_part_reads_its_upload_with_the_first_reads(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    client = asgi_client(mock_app, api_key="sk-path-reads-upload")
    upload = client.uploads.create(bytes=8, filename="a.jsonl", mime_type="text/jsonl", purpose="batch")
    client.uploads.parts.create(upload.id, data=b"{}\n")
    calls = _watch()

    part = client.uploads.parts.create(upload.id, data=b"{}\n{}\n")

    assert part.upload_id == upload.id
    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem"]  # its first reads (the upload), the part, journal


def test_the_objects_a_body_gives_by_field() -> None:
    named = ids_in_body({"training_file": "file", "validation_file": "file"})
    both = named(b'{"training_file": "file-a", "validation_file": "file-b"}')
    assert both == [("file", "file-a"), ("file", "file-b")]
    assert named(b'{"training_file": "file-a", "validation_file": null}') == [("file", "file-a")]
    assert named(b'{"model": "gpt-4o-mini"}') == []
    assert named(b'["training_file"]') == [] and named(b'{"training_file": ') == []
    reads = NamedObjects({}, {"/v1/threads/{thread_id}/runs": ids_in_body({"assistant_id": "assistant"})})
    assert reads._in_body("/v1/threads/thread_1/runs") is not None and reads._in_body("/v1/threads/runs") is None


_BATCH_LINE = (
    b'{"custom_id": "1", "method": "POST", "url": "/v1/chat/completions", '
    b'"body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}}\n'
)


def test_a_jobs_creation_reads_what_its_body_names_with_the_first_reads(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """A batch's input file, a fine-tuning job's training file, a run's thread and assistant: read with the
    request's first reads (each was a `GetItem` in turn); whether a webhook endpoint would hear of the job, from
    the endpoints' stamp read with them (a `Query` in turn)."""
    client = asgi_client(mock_app, api_key="sk-body-reads-jobs")
    batch_file = client.files.create(file=("in.jsonl", _BATCH_LINE), purpose="batch")
    client.batches.create(input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h")
    calls = _watch()

    batch = client.batches.create(input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h")

    assert batch.request_counts is not None and batch.input_file_id == batch_file.id
    assert sorted(calls) == ["BatchGetItem", "PutItem", "PutItem"]  # its first reads; the batch; its journal entry
    lines = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n' * 10
    training = client.files.create(file=("train.jsonl", lines), purpose="fine-tune")
    client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)  # (the models' stamp)
    calls.clear()
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)
    assert job.training_file == training.id and "GetItem" not in calls and "Query" not in calls
    assistant = client.beta.assistants.create(model="gpt-4o-mini", instructions="Answer briefly.")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello?"}])
    calls.clear()
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert run.assistant_id == assistant.id and calls.count("BatchGetItem") == 1 and "GetItem" not in calls
    with pytest.raises(openai.BadRequestError, match="No such File object: file-none"):
        client.batches.create(input_file_id="file-none", endpoint="/v1/chat/completions", completion_window="24h")
    with pytest.raises(openai.NotFoundError, match="No assistant found with id 'asst_none'"):
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id="asst_none")


def test_a_webhook_endpoint_is_heard_of_by_the_next_job_and_no_more_once_deleted(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """The endpoints are a kept copy (store/copies.py): a change gives them a new stamp, which the next request
    reads with its first reads, so it never misses an endpoint created or deleted before it."""
    client = asgi_client(mock_app, api_key="sk-webhook-copies")
    http = TestClient(mock_app, base_url="http://testserver", headers={"Authorization": "Bearer sk-webhook-copies"})
    tenant = principal_for_key("sk-webhook-copies").tenant
    batch_file = client.files.create(file=("in.jsonl", _BATCH_LINE), purpose="batch")

    def pending_after_a_batch() -> bool:
        batch = client.batches.create(
            input_file_id=batch_file.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        return get_store().get(tenant, "mock.webhook.pending", batch.id) is not None

    assert not pending_after_a_batch()  # no endpoint: nothing scheduled (and a copy of none kept)
    created = http.post("/__mock/webhooks", json={"url": "https://example.com/hook", "events": ["batch.completed"]})
    assert created.status_code == 200
    assert pending_after_a_batch()
    assert http.delete(f"/__mock/webhooks/{created.json()['id']}").status_code == 200
    assert not pending_after_a_batch()


def test_a_containers_file_an_eval_run_and_a_video_read_what_their_path_names_with_the_first_reads(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """A container's files (create, list, retrieve, content), an eval's runs (create, list, output items): the
    container, the eval (and the run) read with the first reads; a video's creation reads its quota with them, as
    every model request does."""
    client = asgi_client(mock_app, api_key="sk-path-reads-more")
    container = client.containers.create(name="work")
    stored = client.containers.files.create(container.id, file=("notes.txt", b"Read with the first reads."))
    calls = _watch()

    assert client.containers.files.retrieve(stored.id, container_id=container.id).path == stored.path
    assert client.containers.files.content.retrieve(stored.id, container_id=container.id).read() == (
        b"Read with the first reads."
    )
    assert "GetItem" not in calls and calls.count("BatchGetItem") == 2
    criteria = [{"type": "string_check", "name": "s", "input": "{{item.q}}", "operation": "eq", "reference": "x"}]
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    evaluation = client.evals.create(
        name="e",
        data_source_config={"type": "custom", "item_schema": schema, "include_sample_schema": True},
        testing_criteria=criteria,  # type: ignore[list-item]
    )
    calls.clear()
    run = client.evals.runs.create(
        evaluation.id,
        name="r",
        data_source={"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"q": "x"}}]}},
    )
    assert run.eval_id == evaluation.id and "GetItem" not in calls
    calls.clear()
    video = client.videos.create(model="sora-2", prompt="A lighthouse at dusk")
    assert video.status == "queued" and "GetItem" not in calls
    with pytest.raises(openai.NotFoundError):
        client.containers.files.retrieve(stored.id, container_id="cntr_none")
    with pytest.raises(openai.NotFoundError):
        client.evals.runs.create(
            "eval_none", name="r", data_source={"type": "jsonl", "source": {"type": "file_content", "content": []}}
        )


def test_an_admin_request_reads_its_organization_with_the_first_reads(
    moto_persistence: None, mock_app: TemplateRouter
) -> None:
    """Every Administration API route reads the caller's organization first (`caller_objects`): read with the
    request's first reads, not in a `GetItem` of its own after them."""
    admin = org_client(mock_app)
    admin.admin.organization.projects.create(name="First")  # (the organization's first request seeds it)
    calls = _watch()

    assert [project.name for project in admin.admin.organization.projects.list().data][-1] == "First"
    assert admin.admin.organization.users.list().data[0].role == "owner"

    # Each: the admin key's registry entry (another partition), its first reads, its listing, its journal entry.
    assert calls == ["GetItem", "BatchGetItem", "Query", "PutItem"] * 2

"""On AWS the objects a request's path names are read with its first reads (web/request_reads.NamedObjects), and its
route's own read of them is no round trip more: a retrieve or a poll waits for two DynamoDB calls in turn (its
first reads, its journal entry), not three. Never across requests: each request reads them again."""

from __future__ import annotations

import contextvars

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from openai_mock.resources import responses
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from openai_mock.web.request_reads import NamedObjects
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
    assert responses.named_objects(b'{"model": "m", "input": "hi"}') == []
    assert responses.named_objects(b'{"previous_response_id": "resp_1", "conversation": {"id": "conv_1"}}') == [
        (responses.COLLECTION, "resp_1"),
        ("conversation", "conv_1"),
    ]
    assert responses.named_objects(b'{"conversation": "conv_2"}') == [("conversation", "conv_2")]
    assert responses.named_objects(b'{"conversation": 3, "previous_response_id": null}') == []
    assert responses.named_objects(b'["conversation"]') == []
    assert responses.named_objects(b'{"conversation": ') == []  # not JSON: json_body answers the 400


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

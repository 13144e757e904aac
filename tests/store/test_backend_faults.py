"""DynamoDB / S3 failures reach clients as OpenAI's 503 with `retry-after`, write nothing half-way, and
the mock recovers as soon as the backend does."""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import boto3
import openai
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from botocore.stub import Stubber
from moto import mock_aws

from openai_mock.errors import OpenAIError
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_blobs, get_store
from openai_mock.store.dynamodb import DynamoDBStore, create_table
from tests.support.sdk import asgi_client

TABLE = "openai-mock-faults"


class _Outage:
    """Makes chosen boto3 calls fail until `end()`, like a throttled or unreachable backend."""

    def __init__(self, client: Any, operations: set[str], error: Exception) -> None:
        self.client, self.error = client, error
        self.originals = {name: getattr(client, name) for name in operations}

    def begin(self) -> None:
        for name in self.originals:
            setattr(self.client, name, self._fail)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    def end(self) -> None:
        for name, original in self.originals.items():
            setattr(self.client, name, original)


def _throttled(operation: str) -> ClientError:
    body = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}}
    return ClientError(body, operation)  # type: ignore[arg-type]


def test_throttling_is_a_503_with_retry_after() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        store = DynamoDBStore(TABLE, client)
        outage = _Outage(client, {"get_item"}, _throttled("GetItem"))
        outage.begin()
        with pytest.raises(OpenAIError) as raised:
            store.get("t_a", "file", "file-x")
        assert (raised.value.status, raised.value.headers["retry-after"]) == (503, "1")
        outage.end()
        assert store.get("t_a", "file", "file-x") is None


def test_unreachable_backend_is_a_503() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        store = DynamoDBStore(TABLE, client)
        outage = _Outage(client, {"put_item"}, EndpointConnectionError(endpoint_url="http://dynamodb"))
        outage.begin()
        with pytest.raises(OpenAIError) as raised:
            store.create("t_a", "file", {"id": "file-x"})
        assert raised.value.status == 503


def test_outage_through_the_api_then_recovery(moto_persistence: None, mock_app: TemplateRouter) -> None:
    client = asgi_client(mock_app, api_key="sk-faults")
    kept = client.files.create(file=("kept.txt", io.BytesIO(b"kept"), "text/plain"), purpose="assistants")
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    s3 = get_blobs()._client._client  # type: ignore[attr-defined]

    outage = _Outage(dynamodb, {"put_item", "get_item", "query"}, _throttled("PutItem"))
    outage.begin()
    with pytest.raises(openai.InternalServerError) as raised:
        client.files.create(file=("lost.txt", io.BytesIO(b"lost"), "text/plain"), purpose="assistants")
    assert raised.value.status_code == 503
    assert raised.value.response.headers["retry-after"] == "1"
    assert raised.value.body["code"] == "service_unavailable"  # type: ignore[index]
    with pytest.raises(openai.InternalServerError):
        client.files.list()
    outage.end()

    s3_outage = _Outage(s3, {"put_object"}, ClientError({"Error": {"Code": "SlowDown"}}, "PutObject"))
    s3_outage.begin()
    with pytest.raises(openai.InternalServerError):
        client.files.create(file=("also-lost.txt", io.BytesIO(b"x"), "text/plain"), purpose="assistants")
    s3_outage.end()

    # Recovered, and nothing half-written: only the file created before the outages exists.
    assert [f.filename for f in client.files.list()] == ["kept.txt"]
    assert client.files.content(kept.id).read() == b"kept"


def _refused(store: DynamoDBStore, write: Any) -> OpenAIError:
    with pytest.raises(OpenAIError) as raised:
        write(store)
    return raised.value


def test_a_permanent_refusal_is_a_500_not_a_retryable_503(caplog: pytest.LogCaptureFixture) -> None:
    """A ValidationException (here DynamoDB's own, for an item over 400 KB: incompressible, and no blob store to
    spill to) cannot succeed on retry."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE)
        store = DynamoDBStore(TABLE, client)
        noise = base64.b64encode(os.urandom(450_000)).decode()
        error = _refused(store, lambda s: s.create("t_a", "file", {"id": "file-big", "text": noise}))
        assert (error.status, error.type, error.headers) == (500, "server_error", {})
        assert "Item size has exceeded" in str(error.__cause__)
        [logged] = [r for r in caplog.records if r.getMessage() == "storage backend refused the request"]
        assert (logged.levelname, logged.code) == ("ERROR", "ValidationException")  # type: ignore[attr-defined]
        assert store.get("t_a", "file", "file-big") is None


def test_stubbed_validation_and_throttling_errors_map_to_500_and_503() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error(
        "put_item", "ValidationException", "One or more parameter values were invalid", http_status_code=400
    )
    stubber.add_client_error("put_item", "ThrottlingException", "Rate exceeded", http_status_code=400)
    with stubber:
        store = DynamoDBStore(TABLE, client)
        assert _refused(store, lambda s: s.create("t_a", "file", {"id": "file-x"})).status == 500
        throttled = _refused(store, lambda s: s.create("t_a", "file", {"id": "file-x"}))
        assert (throttled.status, throttled.headers["retry-after"]) == (503, "1")
    stubber.assert_no_pending_responses()


def test_a_permanent_refusal_reaches_the_sdk_as_a_500(moto_persistence: None, mock_app: TemplateRouter) -> None:
    client = asgi_client(mock_app, api_key="sk-faults")
    raw = get_store()._client._client  # type: ignore[attr-defined]
    refusal = ClientError(
        {"Error": {"Code": "ValidationException", "Message": "Item size has exceeded the maximum allowed size"}},
        "PutItem",
    )
    outage = _Outage(raw, {"put_item"}, refusal)
    outage.begin()
    with pytest.raises(openai.InternalServerError) as raised:
        client.files.create(file=("big.txt", io.BytesIO(b"big"), "text/plain"), purpose="assistants")
    outage.end()
    assert raised.value.status_code == 500 and "retry-after" not in raised.value.response.headers
    assert raised.value.body["type"] == "server_error"  # type: ignore[index]
    assert [f.filename for f in client.files.list()] == []

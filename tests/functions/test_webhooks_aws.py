"""Webhooks on AWS (docs/webhooks.md), under moto: the API functions store pending items in DynamoDB and queue
a delayed SQS message per wake-up; the WebhooksFunction's handler, fed the queue's messages as Lambda feeds
them, delivers, queues retries on their schedule, and dead-letters a delivery after its last attempt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import openai
import pytest
from starlette.testclient import TestClient

from functions.webhooks.app import handler
from openai_mock import clock
from openai_mock.control.webhooks import delivery, dispatch
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from tests.support.lambda_transport import FakeLambdaContext
from tests.support.webhook_receiver import Receiver, webhook_receiver

AUTH = {"Authorization": "Bearer sk-test"}
START = 1_790_000_000


@pytest.fixture
def sent() -> list[dict[str, Any]]:
    """Every SendMessage the mock makes (queue, delay, body): moto delays messages in real time, so what a test
    asserts about delays it reads here."""
    return []


@pytest.fixture
def queues(
    moto_persistence: None, monkeypatch: pytest.MonkeyPatch, sent: list[dict[str, Any]]
) -> Iterator[tuple[Any, str, str]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    dead = sqs.create_queue(QueueName="webhooks-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": "5"})
    queue = sqs.create_queue(QueueName="webhooks", Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    monkeypatch.setenv("OPENAI_MOCK_WEBHOOKS_QUEUE_URL", queue)
    monkeypatch.setenv("OPENAI_MOCK_WEBHOOKS_DEAD_LETTER_QUEUE_URL", dead)
    reset_settings()
    dispatch.reset()
    clock.freeze(START)

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(
            {"queue": params["QueueUrl"], "delay": params.get("DelaySeconds", 0), "body": params["MessageBody"]}
        )

    dispatch.sqs_client().meta.events.register("provide-client-params.sqs.SendMessage", record)
    yield sqs, queue, dead
    dispatch.reset()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def _visible(sqs: Any, url: str) -> list[dict[str, Any]]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def _invoke(sqs: Any, url: str) -> int:
    """What Lambda's SQS poller does: hand the visible messages to the handler, delete the processed ones."""
    messages = _visible(sqs, url)
    if not messages:
        return 0
    event = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "eventSource": "aws:sqs",
            }
            for m in messages
        ]
    }
    result = handler(event, FakeLambdaContext())
    failed = {failure["itemIdentifier"] for failure in result["batchItemFailures"]}
    assert failed == set()
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def _is_current(message: dict[str, Any]) -> bool:
    """Whether a wake-up carries its item's current token (moto may show a superseded one under load)."""
    body = json.loads(message["Body"])
    item = get_store().get(body["tenant"], delivery.PENDING, body["item"])
    return item is not None and item["token"] == body["token"]


def _advance(http: TestClient, seconds: float) -> None:
    assert http.post("/__mock/clock", json={"advance_seconds": seconds}, headers=AUTH).status_code == 200


def test_a_background_response_is_delivered_through_the_queue_and_the_worker(
    queues: tuple[Any, str, str],
    sent: list[dict[str, Any]],
    http: TestClient,
    client: openai.OpenAI,
    receiver: Receiver,
) -> None:
    sqs, queue, _dead = queues
    secret = http.post("/__mock/webhooks", json={"url": receiver.url}, headers=AUTH).json()["secret"]
    response = client.responses.create(model="gpt-4o-mini", input="Say hello.", background=True)
    # One wake-up, delayed until the response finishes (3 s on the clock).
    (wake,) = sent
    assert (wake["queue"], wake["delay"]) == (queue, 3)
    assert json.loads(wake["body"])["item"] == response.id

    # (moto delays messages in real time: the first, superseded one may show up too under load, and does nothing)
    _advance(http, 3)  # the tenant's move wakes its pending items now, with a fresh message
    assert _invoke(sqs, queue) >= 1  # the event: it becomes a delivery, queued at once
    assert receiver.drain() == []
    assert _invoke(sqs, queue) >= 1  # the delivery
    (received,) = receiver.drain()
    event = client.webhooks.unwrap(received.body, received.headers, secret=secret)
    assert (event.type, event.data.id, event.created_at) == ("response.completed", response.id, START + 3)
    _invoke(sqs, queue)
    assert receiver.drain() == []  # delivered once


def test_retries_are_requeued_with_their_delay_then_dead_lettered(
    queues: tuple[Any, str, str],
    sent: list[dict[str, Any]],
    http: TestClient,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqs, queue, dead = queues
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 2)
    receiver.statuses = [500, 500]
    endpoint = http.post("/__mock/webhooks", json={"url": receiver.url}, headers=AUTH).json()
    first = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={"type": "batch.completed"}, headers=AUTH).json()
    assert (first["status"], first["response_status_code"], first["final"]) == ("failed", 500, False)
    assert [message["delay"] for message in sent] == [6]  # the first attempt was made in the request; the retry

    _advance(http, 6)
    assert _invoke(sqs, queue) >= 1
    deliveries = [received.headers["webhook-id"] for received in receiver.drain()]
    assert deliveries == [first["webhook_id"], first["webhook_id"]]
    attempts = http.get(f"/__mock/webhooks/{endpoint['id']}/deliveries", headers=AUTH).json()["data"]
    assert [(a["attempt"], a["final"]) for a in attempts] == [(2, True), (1, False)]
    (dead_letter,) = _visible(sqs, dead)
    body = json.loads(dead_letter["Body"])
    assert body["event"]["id"] == first["event_id"] and body["last"]["attempt"] == 2
    _invoke(sqs, queue)
    assert receiver.drain() == []  # nothing after the last attempt


def test_a_message_that_cannot_be_processed_is_reported_back_to_sqs(queues: tuple[Any, str, str]) -> None:
    result = handler({"Records": [{"messageId": "m-1", "body": "not json"}]}, FakeLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def test_a_superseded_wake_up_does_nothing(
    queues: tuple[Any, str, str], http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    sqs, queue, _dead = queues
    http.post("/__mock/webhooks", json={"url": receiver.url}, headers=AUTH)
    response = client.responses.create(model="gpt-4o-mini", input="Say hello.", background=True)
    _advance(http, 3)
    (message,) = [m for m in _visible(sqs, queue) if _is_current(m)]
    stale = {**json.loads(message["Body"]), "token": "0" * 32}
    assert handler({"Records": [{"messageId": "m-2", "body": json.dumps(stale)}]}, FakeLambdaContext()) == {
        "batchItemFailures": []
    }
    assert receiver.drain() == []  # nothing delivered
    fresh = {"Records": [{"messageId": message["MessageId"], "body": message["Body"]}]}
    assert handler(fresh, FakeLambdaContext()) == {"batchItemFailures": []}
    assert _invoke(sqs, queue) >= 1
    assert json.loads(receiver.next(timeout=1).body)["data"]["id"] == response.id

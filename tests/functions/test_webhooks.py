"""Webhooks (docs/webhooks.md): endpoints per tenant under /__mock/webhooks, and signed deliveries, verified by
the official SDK's `client.webhooks.unwrap()`, when background responses, batches and fine-tuning jobs finish
by the mock clock — whether anyone reads them or not."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import webhooks
from openai_mock.control.webhooks import delivery, dispatch
from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.spec import load_spec, validate_component
from tests.support.webhook_receiver import Delivery, Receiver, webhook_receiver

KEY = "sk-test"  # the `client` fixture's key: the controls and the SDK act for one tenant
AUTH = {"Authorization": f"Bearer {KEY}"}
OTHER = {"Authorization": "Bearer sk-webhooks-other"}


START = 1_790_000_000


@pytest.fixture(autouse=True)
def fresh_webhooks() -> Iterator[None]:
    """No wake-ups left from another test; the process clock pinned (only the tenant's moves, by the test)."""
    dispatch.reset()
    clock.freeze(START)
    yield
    dispatch.reset()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def _register(http: TestClient, url: str, events: list[str] | None = None, headers: dict[str, str] = AUTH) -> Any:
    body: dict[str, Any] = {"url": url}
    if events is not None:
        body["events"] = events
    answer = http.post("/__mock/webhooks", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _advance(http: TestClient, seconds: float) -> None:
    assert http.post("/__mock/clock", json={"advance_seconds": seconds}, headers=AUTH).status_code == 200


def _schema_name(event_type: str) -> str:
    """`fine_tuning.job.succeeded` → `WebhookFineTuningJobSucceeded` (the spec's webhook schemas)."""
    return "Webhook" + "".join(part.capitalize() for part in re.split(r"[._]", event_type))


def _unwrap(client: openai.OpenAI, received: Delivery, secret: str) -> Any:
    event = client.webhooks.unwrap(received.body, received.headers, secret=secret)
    validate_event(json.loads(received.body))
    return event


def validate_event(body: dict[str, Any]) -> None:
    """An event against the spec's `Webhook*` schema; one of a type the API offers since, against the SDK's model
    (`openai.types.webhooks`; none has `video.*` yet: the envelope is checked)."""
    name = _schema_name(body["type"])
    if name in load_spec("2026-08-21")["components"]["schemas"]:
        validate_component(name, body, spec="2026-08-21")
        return
    model = getattr(openai.types.webhooks, name.removeprefix("Webhook") + "WebhookEvent", None)
    if model is not None:
        model.model_validate(body, strict=True)
    assert set(body) == {"id", "object", "created_at", "type", "data"} and body["object"] == "event"
    assert body["id"].startswith("evt_")
    if body["type"] == "safety_identifier.blocked":  # the one event about no object: its data names the identifier
        return
    # A Live transport's event names its session (`session_id`); every other event names its object by `id`.
    assert isinstance(body["data"]["session_id" if body["type"].startswith("live.") else "id"], str)


def _background_response(client: openai.OpenAI) -> Any:
    return client.responses.create(model="gpt-4o-mini", input="Say hello.", background=True)


def _batch(client: openai.OpenAI) -> Any:
    line = {
        "custom_id": "one",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    }
    source = client.files.create(file=("in.jsonl", json.dumps(line).encode()), purpose="batch")
    return client.batches.create(input_file_id=source.id, endpoint="/v1/chat/completions", completion_window="24h")


def _fine_tuning_job(client: openai.OpenAI) -> Any:
    examples = [
        {
            "messages": [
                {"role": "user", "content": f"How many legs do {index} spiders have?"},
                {"role": "assistant", "content": f"{8 * index}."},
            ]
        }
        for index in range(1, 13)
    ]
    data = "\n".join(json.dumps(example) for example in examples).encode()
    training = client.files.create(file=("train.jsonl", data), purpose="fine-tune")
    return client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)


# --------------------------------------------------------------------------------------------- endpoints


def test_endpoints_are_created_listed_retrieved_rotated_and_deleted_per_tenant(http: TestClient) -> None:
    created = _register(http, "https://hooks.example.com/openai", ["response.completed", "batch.*"])
    assert created["id"].startswith("we_") and created["object"] == "mock.webhook"
    assert created["url"] == "https://hooks.example.com/openai"
    assert created["events"] == ["response.completed", "batch.*"]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", created["secret"])
    assert created["previous_secret_expires_at"] is None
    assert http.get(f"/__mock/webhooks/{created['id']}", headers=AUTH).json() == created

    listed = http.get("/__mock/webhooks", headers=AUTH).json()
    assert [endpoint["id"] for endpoint in listed["data"]] == [created["id"]]
    assert listed["object"] == "list" and listed["has_more"] is False
    assert http.get("/__mock/webhooks", headers=OTHER).json()["data"] == []
    assert http.get(f"/__mock/webhooks/{created['id']}", headers=OTHER).status_code == 404

    rotated = http.post(f"/__mock/webhooks/{created['id']}/rotate", json={"grace_period_seconds": 600}, headers=AUTH)
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created["secret"]
    assert rotated.json()["previous_secret_expires_at"] == http.get("/__mock/clock", headers=AUTH).json()["now"] + 600

    deleted = http.delete(f"/__mock/webhooks/{created['id']}", headers=AUTH)
    assert deleted.json() == {"id": created["id"], "object": "mock.webhook.deleted", "deleted": True}
    missing = http.get(f"/__mock/webhooks/{created['id']}", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == f"No such webhook object: {created['id']}"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "url"),
        ({"url": "hooks.example.com/x"}, "url"),
        ({"url": "https://user:pw@hooks.example.com/x"}, "url"),
        ({"url": "https://hooks.example.com/x", "events": ["response.done"]}, "events[0]"),
        ({"url": "https://hooks.example.com/x", "events": ["batch.completed", "nope.*"]}, "events[1]"),
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
        ({"events": ["batch.completed"]}, "url"),
        ({"url": "https://hooks.example.com/x", "secret": "whsec_mine"}, "secret"),
    ],
)
def test_invalid_endpoints_are_openai_400s_naming_the_param(http: TestClient, body: dict[str, Any], param: str) -> None:
    answer = http.post("/__mock/webhooks", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == param
    assert answer.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.2/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_hosted_deployment_refuses_private_loopback_and_link_local_targets(
    http: TestClient, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_WEBHOOK_TARGETS", "public")
    reset_settings()
    answer = http.post("/__mock/webhooks", json={"url": url}, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "url" and answer.json()["error"]["code"] == "invalid_url"


def test_a_name_resolving_to_loopback_is_refused_at_delivery_on_a_hosted_deployment(
    http: TestClient, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_WEBHOOK_TARGETS", "public")
    reset_settings()
    port = receiver.url.split(":")[2].split("/")[0]
    endpoint = _register(http, f"http://localhost:{port}/hook")  # a name: only its addresses tell
    attempt = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH).json()
    assert attempt["status"] == "failed" and attempt["final"] is True and attempt["next_retry_at"] is None
    assert attempt["error"].startswith("target_refused")
    assert receiver.drain() == []


def test_the_local_server_delivers_to_loopback_by_default(http: TestClient, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url)
    assert endpoint["url"].startswith("http://127.0.0.1:")
    attempt = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH).json()
    assert (attempt["status"], attempt["response_status_code"], attempt["error"]) == ("succeeded", 200, None)
    assert receiver.next(timeout=1).headers["webhook-id"] == attempt["webhook_id"]


# --------------------------------------------------------------------------------------------- deliveries


def test_background_work_fires_signed_events_when_it_finishes_by_the_clock(
    mock_app: TemplateRouter, client: openai.OpenAI, receiver: Receiver
) -> None:
    """The acceptance test: the server's own scheduler task delivers, nobody reads the objects."""
    with TestClient(mock_app, base_url="http://testserver") as http:  # lifespan: the scheduler runs
        endpoint = _register(http, receiver.url)
        response = _background_response(client)
        batch = _batch(client)
        job = _fine_tuning_job(client)
        assert receiver.drain() == []
        _advance(http, 3 * 86_400)  # past every finish
        deliveries = [receiver.next() for _ in range(3)]

    events = {event.type: event for event in (_unwrap(client, received, endpoint["secret"]) for received in deliveries)}
    assert set(events) == {"response.completed", "batch.completed", "fine_tuning.job.succeeded"}
    assert events["response.completed"].data.id == response.id
    assert events["batch.completed"].data.id == batch.id
    assert events["fine_tuning.job.succeeded"].data.id == job.id
    # Each event is dated when its object finished, not when the clock was moved.
    assert events["response.completed"].created_at == response.created_at + 3
    finished_batch = client.batches.retrieve(batch.id)
    assert events["batch.completed"].created_at == finished_batch.completed_at
    finished_job = client.fine_tuning.jobs.retrieve(job.id)
    assert events["fine_tuning.job.succeeded"].created_at == finished_job.finished_at
    assert finished_job.status == "succeeded" and finished_batch.status == "completed"
    for received in deliveries:
        assert received.headers["content-type"] == "application/json"
        assert received.headers["webhook-id"].startswith("wh_")
        assert received.headers["webhook-signature"].startswith("v1,")
        assert received.headers["user-agent"].startswith("OpenAI/")
        assert received.path == "/webhooks/openai"
    assert len({received.headers["webhook-id"] for received in deliveries}) == 3


def test_a_tampered_body_or_a_stale_timestamp_fails_verification(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    endpoint = _register(http, receiver.url)
    http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={"type": "batch.completed"}, headers=AUTH)
    received = receiver.next()
    assert _unwrap(client, received, endpoint["secret"]).type == "batch.completed"
    tampered = received.body.replace(b"batch.completed", b"batch.cancelled")
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(tampered, received.headers, secret=endpoint["secret"])
    stale = {**received.headers, "webhook-timestamp": str(int(received.headers["webhook-timestamp"]) - 600)}
    with pytest.raises(openai.InvalidWebhookSignatureError, match="too old"):
        client.webhooks.unwrap(received.body, stale, secret=endpoint["secret"])
    other_secret = _register(http, receiver.url)["secret"]
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.verify_signature(received.body, received.headers, secret=other_secret)


def test_a_failing_receiver_gets_retries_on_the_documented_schedule_with_one_webhook_id(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    endpoint = _register(http, receiver.url, ["response.*"])
    receiver.statuses = [500, 500]
    response = _background_response(client)
    _advance(http, 3)
    assert webhooks.run_due() >= 2  # the event, then its delivery
    first = receiver.next(timeout=1)
    attempts = http.get(f"/__mock/webhooks/{endpoint['id']}/deliveries", headers=AUTH).json()["data"]
    assert [(a["attempt"], a["status"], a["response_status_code"]) for a in attempts] == [(1, "failed", 500)]
    webhook_id = first.headers["webhook-id"]
    delay = webhooks.retry_delay(webhook_id, 1)
    assert 5 <= delay < 5.5  # 5 s, +0–10 % jitter
    assert attempts[0]["next_retry_at"] == attempts[0]["attempted_at"] + 6  # due at 5.x s, shown in whole seconds

    _advance(http, 4.9)
    webhooks.run_due()
    assert receiver.drain() == []  # not due yet
    _advance(http, delay - 4.9 + 0.001)  # (a hair over: float sums of the moves may land just short)
    webhooks.run_due()
    second = receiver.next(timeout=1)
    delay_2 = webhooks.retry_delay(webhook_id, 2)
    assert 20 <= delay_2 < 22  # 5 s × 4, +0–10 %
    _advance(http, delay_2 + 0.001)
    webhooks.run_due()
    third = receiver.next(timeout=1)
    assert receiver.drain() == []

    assert {first.headers["webhook-id"], second.headers["webhook-id"], third.headers["webhook-id"]} == {webhook_id}
    events = [_unwrap(client, received, endpoint["secret"]) for received in (first, second, third)]
    assert {(event.id, event.type, event.data.id) for event in events} == {
        (events[0].id, "response.completed", response.id)
    }
    attempts = http.get(f"/__mock/webhooks/{endpoint['id']}/deliveries", params={"order": "asc"}, headers=AUTH).json()[
        "data"
    ]
    assert [(a["attempt"], a["status"], a["response_status_code"], a["final"]) for a in attempts] == [
        (1, "failed", 500, False),
        (2, "failed", 500, False),
        (3, "succeeded", 200, True),
    ]
    assert response.created_at == START
    assert attempts[0]["attempted_at"] == START + 3
    second_at = START + 3 + 4.9 + (delay - 4.9 + 0.001)  # the clock's moves, hairs included
    assert attempts[1]["attempted_at"] == int(second_at)
    assert attempts[2]["attempted_at"] == int(second_at + delay_2 + 0.001)
    assert attempts[2]["next_retry_at"] is None
    tenant = principal_for_key(KEY).tenant
    assert get_store().list(tenant, delivery.PENDING, limit=10).items == []  # nothing left to do


def test_retries_stop_after_the_last_attempt(http: TestClient, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url)
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    first = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH).json()
    webhook_id = first["webhook_id"]
    total = sum(webhooks.retry_delay(webhook_id, n) for n in range(1, webhooks.MAX_ATTEMPTS))
    for attempt in range(1, webhooks.MAX_ATTEMPTS):
        _advance(http, webhooks.retry_delay(webhook_id, attempt) + 0.001)
        webhooks.run_due()
    _advance(http, 86_400)
    webhooks.run_due()
    attempts = http.get(f"/__mock/webhooks/{endpoint['id']}/deliveries", headers=AUTH).json()["data"]
    assert [a["attempt"] for a in attempts] == list(range(webhooks.MAX_ATTEMPTS, 0, -1))
    assert attempts[0]["final"] is True and attempts[0]["status"] == "failed"
    assert 7 * 3600 < total < 8.5 * 3600  # the documented schedule: about 7.5 hours
    assert len(receiver.drain()) == webhooks.MAX_ATTEMPTS


def test_cancelling_fires_the_cancelled_events(http: TestClient, client: openai.OpenAI, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url)
    response = _background_response(client)
    client.responses.cancel(response.id)
    batch = _batch(client)
    client.batches.cancel(batch.id)
    job = _fine_tuning_job(client)
    client.fine_tuning.jobs.cancel(job.id)
    webhooks.run_due()
    _advance(http, 86_400)
    webhooks.run_due()
    events = [_unwrap(client, received, endpoint["secret"]) for received in receiver.drain()]
    assert sorted((event.type, event.data.id) for event in events) == sorted(
        [
            ("response.cancelled", response.id),
            ("batch.cancelled", batch.id),
            ("fine_tuning.job.cancelled", job.id),
        ]
    )


def test_a_failed_fine_tuning_job_fires_its_failure(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    endpoint = _register(http, receiver.url, ["fine_tuning.job.failed"])
    examples = [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}] * 3
    training = client.files.create(
        file=("small.jsonl", "\n".join(json.dumps(e) for e in examples).encode()), purpose="fine-tune"
    )
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training.id)
    _advance(http, 86_400)
    webhooks.run_due()
    (received,) = receiver.drain()
    event = _unwrap(client, received, endpoint["secret"])
    assert (event.type, event.data.id) == ("fine_tuning.job.failed", job.id)
    assert event.created_at == client.fine_tuning.jobs.retrieve(job.id).finished_at


def test_only_subscribed_endpoints_get_an_event(http: TestClient, client: openai.OpenAI) -> None:
    with webhook_receiver() as batches_only, webhook_receiver() as everything:
        _register(http, batches_only.url, ["batch.*"])
        _register(http, everything.url)
        _background_response(client)
        _advance(http, 10)
        webhooks.run_due()
        assert batches_only.drain() == []
        assert [json.loads(received.body)["type"] for received in everything.drain()] == ["response.completed"]


def test_a_tenant_without_endpoints_schedules_nothing(http: TestClient, client: openai.OpenAI) -> None:
    _background_response(client)
    _batch(client)
    tenant = principal_for_key(KEY).tenant
    assert get_store().list(tenant, delivery.PENDING, limit=10).items == []
    assert webhooks.local_dispatcher().pending() == 0


def test_rotation_signs_with_both_secrets_during_the_grace_period(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    endpoint = _register(http, receiver.url)
    old = endpoint["secret"]
    new = http.post(f"/__mock/webhooks/{endpoint['id']}/rotate", json={"grace_period_seconds": 3600}, headers=AUTH)
    new_secret = new.json()["secret"]
    http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH)
    during = receiver.next(timeout=1)
    assert len(during.headers["webhook-signature"].split()) == 2
    assert _unwrap(client, during, old).type == "response.completed"
    assert _unwrap(client, during, new_secret).type == "response.completed"

    _advance(http, 3601)
    http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH)
    after = receiver.next(timeout=1)
    assert len(after.headers["webhook-signature"].split()) == 1
    _unwrap(client, after, new_secret)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(after.body, after.headers, secret=old)


@pytest.mark.parametrize("event_type", sorted(webhooks.EVENT_TYPES))
def test_every_event_type_can_be_sent_as_a_test(
    http: TestClient, client: openai.OpenAI, receiver: Receiver, event_type: str
) -> None:
    endpoint = _register(http, receiver.url)
    attempt = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={"type": event_type}, headers=AUTH).json()
    assert attempt["status"] == "succeeded" and attempt["response_status_code"] == 200
    assert attempt["event"]["type"] == event_type
    event = _unwrap(client, receiver.next(timeout=1), endpoint["secret"])
    assert event.type == event_type and event.id == attempt["event_id"]


def test_the_test_route_refuses_an_unknown_type(http: TestClient, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url)
    answer = http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={"type": "batch.done"}, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "type"
    assert http.post("/__mock/webhooks/we_missing/test", json={}, headers=AUTH).status_code == 404


def test_the_registry_is_open_to_a_new_source_with_one_call(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    """What Evals will do: one `emit` when a run is planned to finish; a later `emit` (a cancel) replaces it."""
    endpoint = _register(http, receiver.url, ["eval.run.*"])
    tenant = principal_for_key(KEY).tenant
    now = http.get("/__mock/clock", headers=AUTH).json()["now"]
    assert webhooks.emit(tenant, "eval.run.succeeded", "evalrun_one", at=now + 60)
    assert webhooks.emit(tenant, "eval.run.succeeded", "evalrun_two", at=now + 60)
    assert webhooks.emit(tenant, "eval.run.canceled", "evalrun_two", at=now + 10)  # replaces two's success
    with pytest.raises(ValueError, match="unknown webhook event type"):
        webhooks.emit(tenant, "eval.run.done", "evalrun_three")
    _advance(http, 59)
    webhooks.run_due()
    (canceled,) = receiver.drain()
    assert (_unwrap(client, canceled, endpoint["secret"]).type, json.loads(canceled.body)["created_at"]) == (
        "eval.run.canceled",
        now + 10,
    )
    _advance(http, 1)
    webhooks.run_due()
    (succeeded,) = receiver.drain()
    event = _unwrap(client, succeeded, endpoint["secret"])
    assert (event.type, event.data.id, event.created_at) == ("eval.run.succeeded", "evalrun_one", now + 60)


def test_deleting_an_endpoint_drops_its_pending_retries(http: TestClient, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url)
    receiver.statuses = [500]
    http.post(f"/__mock/webhooks/{endpoint['id']}/test", json={}, headers=AUTH)
    http.delete(f"/__mock/webhooks/{endpoint['id']}", headers=AUTH)
    _advance(http, 60)
    webhooks.run_due()
    assert len(receiver.drain()) == 1
    assert get_store().list(principal_for_key(KEY).tenant, delivery.PENDING, limit=10).items == []


def test_endpoints_load_from_a_file_for_every_tenant(
    http: TestClient, client: openai.OpenAI, receiver: Receiver, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ="
    path = tmp_path / "webhooks.json"
    path.write_text(
        json.dumps({"webhooks": [{"url": receiver.url, "events": ["response.completed"], "secret": secret}]})
    )
    monkeypatch.setenv("OPENAI_MOCK_WEBHOOKS_FILE", str(path))
    reset_settings()
    for headers in (AUTH, OTHER):
        (listed,) = http.get("/__mock/webhooks", headers=headers).json()["data"]
        assert listed["id"] == "file_webhook_0" and listed["secret"] == secret
    assert http.delete("/__mock/webhooks/file_webhook_0", headers=AUTH).status_code == 400
    response = _background_response(client)
    _advance(http, 5)
    webhooks.run_due()
    event = _unwrap(client, receiver.next(timeout=1), secret)
    assert (event.type, event.data.id) == ("response.completed", response.id)


def test_the_pytest_helper_delivers_when_it_advances_the_clock(receiver: Receiver) -> None:
    from openai_mock.testing import MockOpenAI

    mock = MockOpenAI()
    try:
        secret = mock.add_webhook(receiver.url, ["response.completed"])["secret"]
        response = mock.client.responses.create(model="gpt-4o-mini", input="Say hello.", background=True)
        mock.advance(3)
        event = _unwrap(mock.client, receiver.next(timeout=1), secret)
        assert (event.type, event.data.id) == ("response.completed", response.id)
    finally:
        mock.close()


def test_an_item_whose_work_failed_is_looked_at_again_after_its_lease(
    http: TestClient, client: openai.OpenAI, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _register(http, receiver.url)
    response = _background_response(client)
    real = delivery.SOURCES["response"]
    monkeypatch.setitem(delivery.SOURCES, "response", lambda *_: 1 / 0)
    _advance(http, 3)
    webhooks.run_due()  # the resolver raised: logged, the item kept under its lease
    assert receiver.drain() == []
    monkeypatch.setitem(delivery.SOURCES, "response", real)
    _advance(http, 2 * delivery.LEASE_SECONDS)  # the tenant's clock: due again, but the lease is on the process's
    webhooks.run_due()
    assert receiver.drain() == []  # the lease still holds: looked at again when it ends
    clock.advance(delivery.LEASE_SECONDS)
    webhooks.run_due()
    event = _unwrap(client, receiver.next(timeout=1), endpoint["secret"])
    assert (event.type, event.data.id) == ("response.completed", response.id)


def test_eval_runs_fire_their_events_when_they_finish_or_are_canceled(
    http: TestClient, client: openai.OpenAI, receiver: Receiver
) -> None:
    endpoint = _register(http, receiver.url, ["eval.run.*"])
    evaluation = client.evals.create(
        data_source_config={
            "type": "custom",
            "item_schema": {"type": "object", "properties": {"answer": {"type": "string"}}},
            "include_sample_schema": False,
        },
        testing_criteria=[
            {
                "type": "string_check",
                "name": "is yes",
                "input": "{{item.answer}}",
                "reference": "yes",
                "operation": "eq",
            }
        ],
    )
    source = {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"answer": "yes"}}] * 3}}
    finished = client.evals.runs.create(evaluation.id, data_source=source)  # type: ignore[arg-type]
    canceled = client.evals.runs.create(evaluation.id, data_source=source)  # type: ignore[arg-type]
    client.evals.runs.cancel(canceled.id, eval_id=evaluation.id)
    _advance(http, 3_600)  # nobody reads the runs: the events fire by the clock alone
    webhooks.run_due()
    events = [_unwrap(client, received, endpoint["secret"]) for received in receiver.drain()]
    assert sorted((event.type, event.data.id) for event in events) == sorted(
        [("eval.run.succeeded", finished.id), ("eval.run.canceled", canceled.id)]
    )


def test_videos_fire_their_end_by_the_clock(http: TestClient, client: openai.OpenAI, receiver: Receiver) -> None:
    endpoint = _register(http, receiver.url, ["video.*"])
    rendered = client.videos.create(prompt="A paper boat on a pond")
    blocked = client.videos.create(prompt="A man who wants to kill them all with a knife")
    _advance(http, 10)  # past the queue: the blocked one has failed, the other still renders
    webhooks.run_due()
    (failed,) = [json.loads(received.body) for received in receiver.drain()]
    assert (failed["type"], failed["data"], failed["created_at"]) == ("video.failed", {"id": blocked.id}, START + 5)
    _advance(http, 3_600)
    webhooks.run_due()
    (completed,) = receiver.drain()
    event = json.loads(completed.body)
    finished = client.videos.retrieve(rendered.id)
    assert (event["type"], event["data"], event["created_at"]) == (
        "video.completed",
        {"id": rendered.id},
        finished.completed_at,
    )
    client.webhooks.verify_signature(completed.body, completed.headers, secret=endpoint["secret"])
    validate_event(event)

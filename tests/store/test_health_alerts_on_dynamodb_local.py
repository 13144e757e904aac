"""Health alerts on DynamoDB Local, as Lambda with EnablePersistence=true runs them: a rule made through one
container, the failed requests counted by another, the rule evaluated by the webhooks worker (a third, woken by an
SQS-shaped message) and the alert it raised retrieved through a fourth."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from openai_mock import clock
from openai_mock.control import webhooks
from openai_mock.control.webhooks import delivery, dispatch
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import webhooks as worker
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.webhook_receiver import Receiver, webhook_receiver

START = 1_790_000_010


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    dispatch.reset()
    with webhook_receiver() as running:
        yield running
    dispatch.reset()


def test_a_rule_made_in_one_container_fires_from_another(
    on_dynamodb_local: str, mock_app: TemplateRouter, receiver: Receiver
) -> None:
    clock.freeze(START)
    admin = org_client(mock_app)
    admin.webhooks.create(name="Health", url=receiver.url, event_types=["health.alert.triggered"])
    condition = {"type": "error_rate", "threshold": 0.5, "window_seconds": 300}
    rule = admin.admin.organization.health.alert_rules.create(name="Errors", condition=condition)  # type: ignore[arg-type]
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container serves the traffic
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            admin.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "hi"}],
                extra_headers={"x-mock-fault": "server_error"},
            )

    reset_stores()  # the webhooks worker, woken by the rule's message at the next minute boundary
    clock.advance(60)
    tenant = principal_for_key(ADMIN_KEY).tenant
    pending = get_store().get(tenant, delivery.PENDING, rule.id)
    assert pending is not None and pending["source"] == "health.alert_rule"
    message = {"tenant": tenant, "item": rule.id, "token": pending["token"]}
    assert worker.handle_queue_event({"Records": [{"messageId": "m1", "body": json.dumps(message)}]}) == {
        "batchItemFailures": []
    }
    webhooks.run_due()  # the event it emitted, then its delivery
    event = json.loads(receiver.next(timeout=5).body)
    assert event["type"] == "health.alert.triggered"

    reset_stores()  # a fourth answers the retrieve
    alert = admin.admin.organization.health.alerts.retrieve(event["data"]["id"])
    assert (alert.alert_rule_id, alert.type) == (rule.id, "triggered")
    assert (alert.measurement.error_count, alert.measurement.request_count) == (2, 2)  # type: ignore[union-attr]
    again = get_store().get(tenant, delivery.PENDING, rule.id)
    assert again is not None and again["due"] == (START // 60 + 2) * 60  # re-armed for the next boundary

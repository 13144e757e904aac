"""Health alerts through the official SDK (`client.admin.organization[.projects].health…`, operations the API gained
after the 2026-08-21 spec): alert rules stored, listed by token page, updated by version and deleted, every answer
held strictly to the SDK's models; and alerts that fire for real from the organization's traffic by the mock clock,
reaching its webhook endpoint as `health.alert.triggered` / `health.alert.resolved` events whose `data.id` is an
alert the SDK retrieves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.admin.organization.health import DeletedHealthAlertRule, HealthAlert, HealthAlertRule
from openai.types.webhooks import HealthAlertResolvedWebhookEvent, HealthAlertTriggeredWebhookEvent
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import webhooks
from openai_mock.control.webhooks import delivery, dispatch
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store
from openai_mock.web import error_counts
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.sdk import held
from tests.support.webhook_receiver import Receiver, webhook_receiver

START = 1_790_000_010  # 50 s before a minute boundary of the mock clock
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
HEALTH_EVENTS = ["health.alert.triggered", "health.alert.resolved"]
ERROR_RATE: Any = {"type": "error_rate", "threshold": 0.5, "window_seconds": 300, "status_class": "5xx"}


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[None]:
    """No wake-ups left from another test; the mock clock pinned (moved by the tests only)."""
    dispatch.reset()
    clock.freeze(START)
    yield
    dispatch.reset()


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def secret(admin: openai.OpenAI, receiver: Receiver) -> str:
    """An endpoint of the organization for health alerts; its signing secret."""
    endpoint = admin.webhooks.create(name="Health", url=receiver.url, event_types=HEALTH_EVENTS)  # type: ignore[arg-type]
    return endpoint.signing_secret


def _rules(admin: openai.OpenAI) -> Any:
    return admin.admin.organization.health.alert_rules


def _chat(client: openai.OpenAI, fault: str | None = None, model: str = "gpt-4o-mini") -> None:
    headers = {"x-mock-fault": fault} if fault else {}
    messages: Any = [{"role": "user", "content": "Status?"}]
    if fault is None:
        client.chat.completions.create(model=model, messages=messages)
        return
    with pytest.raises(openai.APIStatusError):
        client.chat.completions.create(model=model, messages=messages, extra_headers=headers)


def _minute_passes(seconds: int = 60) -> None:
    clock.advance(seconds)
    webhooks.run_due()


def _event(client: openai.OpenAI, receiver: Receiver, secret: str) -> Any:
    received = receiver.next(timeout=5)
    body = json.loads(received.body)
    model = (
        HealthAlertTriggeredWebhookEvent
        if body["type"] == "health.alert.triggered"
        else HealthAlertResolvedWebhookEvent
    )
    model.model_validate(body, strict=True)
    return client.webhooks.unwrap(received.body, received.headers, secret=secret)


# --------------------------------------------------------------------------------------------- alerts that fire


def test_injected_faults_trigger_an_error_rate_alert_and_recovered_traffic_resolves_it(
    admin: openai.OpenAI, receiver: Receiver, secret: str
) -> None:
    """The acceptance test: faults → error rate over the threshold → a signed webhook → the alert retrieved."""
    rule = _rules(admin).create(name="Chat 5xx", condition=ERROR_RATE, filters={"models": ["gpt-4o-mini"]})
    for _ in range(2):
        _chat(admin)
    for _ in range(3):
        _chat(admin, fault="server_error")
    _chat(admin, fault="server_error", model="gpt-4.1")  # another model: outside the rule's filter
    assert receiver.drain() == []
    _minute_passes()

    triggered = _event(admin, receiver, secret)
    assert triggered.type == "health.alert.triggered"
    raw = admin.admin.organization.health.alerts.with_raw_response.retrieve(triggered.data.id)
    alert = held(HealthAlert, raw)
    boundary = (START // 60 + 1) * 60
    assert alert["id"] == triggered.data.id and alert["id"].startswith("alert_")
    assert (alert["object"], alert["type"], alert["alert_rule_id"]) == ("health.alert", "triggered", rule.id)
    assert alert["occurred_at"] == triggered.created_at == boundary
    assert alert["window"] == {"started_at": boundary - 300, "ended_at": boundary}
    assert alert["measurement"] == {
        "type": "error_rate",
        "error_count": 3,
        "request_count": 5,
        "threshold": 0.5,
        "value": 0.6,
    }
    assert alert["dimensions"] == {"model": "gpt-4o-mini", "project_id": None, "service_tier": None}

    _minute_passes()  # still breaching: nothing new
    assert receiver.drain() == []
    for _ in range(10):
        _chat(admin)
    _minute_passes()
    resolved = _event(admin, receiver, secret)
    assert resolved.type == "health.alert.resolved" and resolved.data.id != triggered.data.id
    after = held(HealthAlert, admin.admin.organization.health.alerts.with_raw_response.retrieve(resolved.data.id))
    assert after["type"] == "resolved" and after["occurred_at"] == boundary + 120
    assert (after["measurement"]["error_count"], after["measurement"]["request_count"]) == (3, 15)
    # The trigger's snapshot is immutable.
    assert admin.admin.organization.health.alerts.retrieve(triggered.data.id).measurement.value == 0.6


def test_a_clock_moved_over_the_controls_catches_up_minute_by_minute(
    admin: openai.OpenAI, http: TestClient, receiver: Receiver, secret: str
) -> None:
    _rules(admin).create(name="Any errors", condition={**ERROR_RATE, "status_class": "all", "threshold": 0.2})
    _chat(admin, fault="insufficient_quota")  # a 429
    _chat(admin)
    moved = http.post("/__mock/clock", json={"advance_seconds": 600}, headers=AUTH)
    assert moved.status_code == 200
    webhooks.run_due()
    kinds = [_event(admin, receiver, secret).type for _ in range(2)]
    assert kinds == ["health.alert.triggered", "health.alert.resolved"]  # the errors left the 5-minute window


def test_each_listed_status_is_evaluated_on_its_own(admin: openai.OpenAI, receiver: Receiver, secret: str) -> None:
    condition = {"type": "error_rate", "threshold": 0.3, "window_seconds": 900, "status_codes": [503, 500]}
    rule = _rules(admin).create(name="Outages", condition=condition)
    assert rule.condition.status_codes == [500, 503]  # type: ignore[union-attr]
    _chat(admin, fault="overloaded")  # 503
    _chat(admin, fault="overloaded")
    _chat(admin, fault="server_error")  # 500: 1 of 4, under 0.3
    _chat(admin)
    _minute_passes()
    event = _event(admin, receiver, secret)
    alert = admin.admin.organization.health.alerts.retrieve(event.data.id)
    assert alert.dimensions.http_status == 503
    assert (alert.measurement.error_count, alert.measurement.request_count) == (2, 4)  # type: ignore[union-attr]
    assert receiver.drain() == []


def test_rate_limit_utilization_needs_its_consecutive_minutes(
    admin: openai.OpenAI, http: TestClient, receiver: Receiver, secret: str
) -> None:
    assert http.post("/__mock/quotas", json={"requests_per_minute": 10}, headers=AUTH).status_code == 200
    condition = {"type": "rate_limit_utilization", "metric": "rpm", "threshold": 0.5, "consecutive_minutes": 2}
    _rules(admin).create(name="Near the RPM limit", condition=condition)
    for _ in range(6):
        _chat(admin)
    _minute_passes()
    assert receiver.drain() == []  # one minute over: not yet
    for _ in range(7):
        _chat(admin)
    _minute_passes()
    alert = admin.admin.organization.health.alerts.retrieve(_event(admin, receiver, secret).data.id)
    assert alert.measurement.model_dump() == {
        "type": "rate_limit_utilization",
        "consecutive_minutes": 2,
        "metric": "rpm",
        "rate_limit_scope": "gpt-4o-mini",
        "threshold": 0.5,
        "value": 0.7,
    }
    assert alert.dimensions.model == "gpt-4o-mini"
    _minute_passes()  # a quiet minute
    assert _event(admin, receiver, secret).type == "health.alert.resolved"


def test_a_cache_that_hits_too_rarely_triggers(admin: openai.OpenAI, receiver: Receiver, secret: str) -> None:
    _rules(admin).create(name="Cache", condition={"type": "prompt_cache_hit_rate", "threshold": 0.4})
    _chat(admin)
    _minute_passes()
    alert = admin.admin.organization.health.alerts.retrieve(_event(admin, receiver, secret).data.id)
    measurement = alert.measurement
    assert measurement.type == "prompt_cache_hit_rate"
    assert measurement.input_token_count > 0 and measurement.cached_input_token_count == 0  # type: ignore[union-attr]
    assert alert.window.ended_at - alert.window.started_at == 300


def test_a_projects_rule_counts_only_its_project(
    admin: openai.OpenAI, mock_app: TemplateRouter, receiver: Receiver, secret: str
) -> None:
    project = admin.admin.organization.projects.create(name="Checkout")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="svc")
    assert account.api_key is not None
    worker = org_client(mock_app, key=account.api_key.value)
    rules = admin.admin.organization.projects.health.alert_rules
    rule = held(
        HealthAlertRule, rules.with_raw_response.create(project.id, name="Checkout errors", condition=ERROR_RATE)
    )
    assert rule["notifications"]["email"]["project_owners"] is True
    assert [item.id for item in rules.list(project.id)] == [rule["id"]]
    assert list(_rules(admin).list()) == []  # not the organization's
    with pytest.raises(openai.NotFoundError):
        _rules(admin).retrieve(rule["id"])

    for _ in range(3):
        _chat(admin, fault="server_error")  # the organization's Default Project
    _chat(worker)
    _minute_passes()
    assert receiver.drain() == []
    for _ in range(2):
        _chat(worker, fault="server_error")
    _minute_passes()
    event = _event(admin, receiver, secret)
    raw = admin.admin.organization.projects.health.alerts.with_raw_response.retrieve(
        event.data.id, project_id=project.id
    )
    alert = held(HealthAlert, raw)
    assert alert["dimensions"]["project_id"] == project.id
    assert (alert["measurement"]["error_count"], alert["measurement"]["request_count"]) == (2, 3)
    with pytest.raises(openai.NotFoundError) as elsewhere:
        admin.admin.organization.health.alerts.retrieve(event.data.id)
    assert elsewhere.value.body["param"] == "alert_id"  # type: ignore[index]


# --------------------------------------------------------------------------------------------- what is scheduled


def test_without_an_endpoint_nothing_is_scheduled_until_one_is_there(admin: openai.OpenAI, receiver: Receiver) -> None:
    tenant = principal_for_key(ADMIN_KEY).tenant
    rule = _rules(admin).create(name="Errors", condition=ERROR_RATE)
    assert get_store().list(tenant, delivery.PENDING, limit=10).items == []
    assert webhooks.local_dispatcher().pending() == 0
    admin.webhooks.create(name="Later", url=receiver.url, event_types=["health.alert.triggered"])
    assert [item.id for item in _rules(admin).list()] == [rule.id]  # reading it starts its watch
    pending = get_store().list(tenant, delivery.PENDING, limit=10).items
    assert [(item["id"], item["source"]) for item in pending] == [(rule.id, "health.alert_rule")]
    _rules(admin).update(rule.id, expected_version=1, enabled=False)
    _minute_passes()  # the watch sees the rule off and stops
    assert get_store().list(tenant, delivery.PENDING, limit=10).items == []


def test_only_failed_model_requests_are_counted(admin: openai.OpenAI) -> None:
    tenant = principal_for_key(ADMIN_KEY).tenant
    _chat(admin)
    admin.models.list()
    assert get_store().counters(tenant, error_counts.ERRORS) == []  # a success writes nothing more
    _chat(admin, fault="server_error")
    with pytest.raises(openai.NotFoundError):
        admin.models.retrieve("no-such-model")  # not a model request
    counted = error_counts.recorded(tenant, 0, START + 60)
    assert [(item["model"], item["status"], item["errors"]) for item in counted] == [("gpt-4o-mini", 500, 1)]


# --------------------------------------------------------------------------------------------- the rules


def test_rules_are_created_listed_updated_by_version_and_deleted(admin: openai.OpenAI) -> None:
    rules = _rules(admin)
    created = held(HealthAlertRule, rules.with_raw_response.create(name="Errors", condition=ERROR_RATE))
    assert created["id"].startswith("alertrule_") and created["object"] == "health.alert_rule"
    assert (created["version"], created["enabled"], created["created_at"]) == (1, True, START)
    assert created["condition"] == {**ERROR_RATE, "status_codes": None}
    assert created["filters"] == {"models": [], "observability_tags": [], "project_ids": [], "service_tiers": []}
    assert created["notifications"] == {
        "email": {"addresses": [], "enabled": True, "org_owners": True, "project_owners": False},
        "webhook": {"enabled": True},
    }
    assert created["organization_id"].startswith("org-")
    cache = rules.create(name="Cache", condition={"type": "prompt_cache_hit_rate", "threshold": 0.2}, enabled=False)
    assert held(HealthAlertRule, rules.with_raw_response.retrieve(created["id"])) == created

    first = rules.list(limit=1)
    assert [rule.id for rule in first.data] == [created["id"]] and first.next
    assert [rule.id for rule in rules.list(limit=1)] == [created["id"], cache.id]  # the SDK follows `next`
    raw_page = rules.with_raw_response.list(limit=1).http_response.json()
    assert set(raw_page) == {"object", "data", "has_more", "next"} and raw_page["has_more"] is True
    assert [rule.id for rule in rules.list(enabled=False)] == [cache.id]
    assert [rule.id for rule in rules.list(type="error_rate")] == [created["id"]]

    clock.advance(30)
    raw = rules.with_raw_response.update(
        created["id"],
        expected_version=1,
        name="5xx errors",
        condition={"type": "error_rate", "threshold": 0.25, "window_seconds": 900},
        notifications={"email": {"addresses": ["oncall@example.com"]}},
    )
    updated = held(HealthAlertRule, raw)
    assert (updated["name"], updated["version"], updated["updated_at"]) == ("5xx errors", 2, START + 30)
    assert updated["condition"]["status_class"] == "5xx"  # kept: omitted settings stay
    assert updated["condition"]["threshold"] == 0.25 and updated["condition"]["window_seconds"] == 900
    assert updated["notifications"]["email"] == {
        "addresses": ["oncall@example.com"], "enabled": True, "org_owners": True, "project_owners": False,
    }  # fmt: skip
    assert updated["notifications"]["webhook"] == {"enabled": True}
    reset = rules.update(created["id"], expected_version=2, notifications={})
    assert (reset.notifications.email.enabled, reset.notifications.webhook.enabled) == (False, False)

    with pytest.raises(openai.ConflictError) as stale:
        rules.update(created["id"], expected_version=1, enabled=False)
    assert stale.value.body["code"] == "version_conflict" and stale.value.body["param"] == "expected_version"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as new_type:
        rules.update(created["id"], expected_version=3, condition={"type": "prompt_cache_hit_rate", "threshold": 0.1})
    assert new_type.value.body["param"] == "condition.type"  # type: ignore[index]

    with pytest.raises(openai.ConflictError):
        rules.delete(created["id"], expected_version=2)
    deleted = held(DeletedHealthAlertRule, rules.with_raw_response.delete(created["id"], expected_version=3))
    assert deleted == {"id": created["id"], "object": "health.alert_rule.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as missing:
        rules.retrieve(created["id"])
    assert missing.value.body["param"] == "alert_rule_id"  # type: ignore[index]


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"condition": {**ERROR_RATE, "window_seconds": 600}}, "condition.window_seconds"),
        ({"condition": {**ERROR_RATE, "threshold": 1.5}}, "condition.threshold"),
        ({"condition": {"type": "error_rate", "window_seconds": 300}}, "condition.threshold"),
        ({"condition": {"type": "uptime", "threshold": 0.1}}, "condition.type"),
        ({"condition": {**ERROR_RATE, "status_codes": [404]}}, "condition.status_codes[0]"),
        ({"condition": {**ERROR_RATE, "metric": "rpm"}}, "condition.metric"),
        ({"condition": {"type": "rate_limit_utilization", "metric": "rpd"}}, "condition.metric"),
        (
            {"condition": {"type": "rate_limit_utilization", "metric": "rpm", "consecutive_minutes": 0}},
            "condition.consecutive_minutes",
        ),
        ({"filters": {"service_tiers": ["turbo"]}}, "filters.service_tiers[0]"),
        ({"filters": {"project_ids": ["proj_missing"]}}, "filters.project_ids[0]"),
        ({"notifications": {"email": {"addresses": ["not-an-address"]}}}, "notifications.email.addresses[0]"),
        ({"notifications": {"sms": {"enabled": True}}}, "notifications.sms"),
        ({"name": ""}, "name"),
        ({"severity": "high"}, "severity"),
    ],
)
def test_bad_rules_are_openai_errors_naming_the_param(admin: openai.OpenAI, fields: dict[str, Any], param: str) -> None:
    body = {"name": "Errors", "condition": ERROR_RATE, **fields}
    with pytest.raises((openai.BadRequestError, openai.NotFoundError)) as refused:
        admin.post("/organization/health/alert_rules", body=body, cast_to=object)
    assert refused.value.body["param"] == param  # type: ignore[union-attr, index]
    assert set(refused.value.body) == {"message", "type", "param", "code"}  # type: ignore[call-overload]


def test_an_unknown_project_is_a_404_naming_project_id(admin: openai.OpenAI) -> None:
    rules = admin.admin.organization.projects.health.alert_rules
    with pytest.raises(openai.NotFoundError) as missing:
        rules.create("proj_missing", name="x", condition=ERROR_RATE)
    assert missing.value.body["param"] == "project_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.projects.health.alerts.retrieve("alert_x", project_id="proj_missing")
    with pytest.raises(openai.BadRequestError) as version:
        admin.delete("/organization/health/alert_rules/alertrule_x", cast_to=object)
    assert version.value.body["param"] == "expected_version"  # type: ignore[index]

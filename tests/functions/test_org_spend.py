"""Spend limits and spend alerts through the official SDK (`admin.organization.spend_limit`,
`…spend_alerts`, `…projects.spend_limit`, `…projects.spend_alerts`), and their enforcement: spend is the
cost of the recorded usage at list prices; past a hard limit the project's (or organization's) model
requests answer 429 `insufficient_quota` until the limit is raised, deleted, or the month rolls over by the
mock clock; alerts fire once when the spend crosses their threshold and show in the audit log."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types import Video

from functions.spend_alerts import app as spend_alerts_function
from functions.spend_limit import app as spend_limit_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
ORG = "/v1/organization"
MAY_31_LATE = 1_780_268_400  # 2026-05-31T23:00:00Z: an hour before the month rolls over
JUNE_1 = 1_780_272_000
CHANNEL = {"type": "email", "recipients": ["finance@example.com"], "subject_prefix": "Spend"}


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(MAY_31_LATE)
    ratelimits.reset()
    return org_client(mock_app)


@pytest.fixture
def project_app(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, openai.OpenAI]:
    """A fresh project and an SDK client holding its service account's key."""
    project = admin.admin.organization.projects.create(name="Spender")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    return project.id, asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]


def _json(raw: Any) -> dict[str, Any]:
    return raw.http_response.json()  # type: ignore[no-any-return]


def _chat(app: openai.OpenAI) -> Any:
    return app.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi there."}])


def _spend_4_cents(app: openai.OpenAI) -> None:
    """One DALL·E 3 image at 1024x1024 costs $0.04 at list price."""
    app.images.generate(model="dall-e-3", prompt="A lighthouse at dusk", size="1024x1024", response_format="b64_json")


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    return raised.value.body  # type: ignore[return-value]


# --- spend limits: the operations -----------------------------------------------------------------


def test_organization_spend_limit_create_retrieve_replace_delete(admin: openai.OpenAI) -> None:
    limit = admin.admin.organization.spend_limit
    with pytest.raises(openai.NotFoundError):
        limit.retrieve()
    created = _json(limit.with_raw_response.update(threshold_amount=10_000, currency="USD", interval="month"))
    assert_conforms("POST", f"{ORG}/spend_limit", 200, created, spec=SPEC)
    assert created == {
        "object": "organization.spend_limit",
        "threshold_amount": 10_000,
        "currency": "USD",
        "interval": "month",
        "enforcement": {"status": "enforcing"},
    }
    got = _json(limit.with_raw_response.retrieve())
    assert_conforms("GET", f"{ORG}/spend_limit", 200, got, spec=SPEC)
    assert got == created
    assert limit.update(threshold_amount=25_000, currency="USD", interval="month").threshold_amount == 25_000
    deleted = _json(limit.with_raw_response.delete())
    assert_conforms("DELETE", f"{ORG}/spend_limit", 200, deleted, spec=SPEC)
    assert deleted == {"object": "organization.spend_limit.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        limit.delete()


def test_project_spend_limit_operations(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    project = org.projects.create(name="Limited")
    P = f"{ORG}/projects/{project.id}/spend_limit"
    with pytest.raises(openai.NotFoundError):
        org.projects.spend_limit.retrieve(project.id)
    created = _json(
        org.projects.spend_limit.with_raw_response.update(
            project.id, threshold_amount=500, currency="USD", interval="month"
        )
    )
    assert_conforms("POST", P, 200, created, spec=SPEC)
    assert (created["object"], created["threshold_amount"]) == ("project.spend_limit", 500)
    got = _json(org.projects.spend_limit.with_raw_response.retrieve(project.id))
    assert_conforms("GET", P, 200, got, spec=SPEC)
    org.projects.archive(project.id)
    assert org.projects.spend_limit.retrieve(project.id).enforcement.status == "inactive"  # nothing runs there now
    with pytest.raises(openai.BadRequestError):
        org.projects.spend_limit.delete(project.id)  # an archived project refuses writes
    with pytest.raises(openai.NotFoundError):
        org.projects.spend_limit.retrieve("proj_missing")

    other = org.projects.create(name="Other")
    org.projects.spend_limit.update(other.id, threshold_amount=1, currency="USD", interval="month")
    deleted = _json(org.projects.spend_limit.with_raw_response.delete(other.id))
    assert_conforms("DELETE", f"{ORG}/projects/{other.id}/spend_limit", 200, deleted, spec=SPEC)
    assert deleted == {"object": "project.spend_limit.deleted", "deleted": True}


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"threshold_amount": -5, "currency": "USD", "interval": "month"}, "threshold_amount"),
        ({"threshold_amount": 0, "currency": "USD", "interval": "month"}, "threshold_amount"),
        ({"threshold_amount": 100, "currency": "EUR", "interval": "month"}, "currency"),
        ({"threshold_amount": 100, "currency": "USD", "interval": "week"}, "interval"),
        ({"threshold_amount": "lots", "currency": "USD", "interval": "month"}, "threshold_amount"),
        ({"currency": "USD", "interval": "month"}, "threshold_amount"),
    ],
)
def test_bad_spend_limits_are_400_naming_the_param(admin: openai.OpenAI, fields: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post(f"{ORG}/spend_limit".removeprefix("/v1"), body=fields, cast_to=object)
    assert _error(refused)["param"] == param
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.spend_limit.retrieve()  # nothing was set


# --- spend limits: enforced -----------------------------------------------------------------------


def test_a_project_limit_crossed_refuses_then_raising_it_lifts_the_block(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI], mock_app: TemplateRouter
) -> None:
    project_id, app = project_app
    org = admin.admin.organization
    org.projects.spend_limit.update(project_id, threshold_amount=3, currency="USD", interval="month")
    _chat(app)  # a fraction of a cent: under the limit
    _spend_4_cents(app)  # admitted (the limit was not reached yet), and now 4 > 3 cents
    with pytest.raises(openai.RateLimitError) as refused:
        _chat(app)
    body = _error(refused)
    assert (body["type"], body["code"], body["param"]) == ("insufficient_quota", "insufficient_quota", None)
    assert body["message"].startswith("You exceeded your current quota")
    with pytest.raises(openai.RateLimitError, match="exceeded your current quota"):
        app.videos.create(model="sora-2", prompt="A lighthouse at dusk")  # a video costs money too
    assert app.models.list().data  # reads still work: only requests that cost money are refused

    # The organization's other projects are not affected.
    other = org.projects.service_accounts.create(org.projects.list().data[0].id, name="elsewhere")
    assert _chat(asgi_client(mock_app, api_key=other.api_key.value)).choices  # type: ignore[union-attr]

    org.projects.spend_limit.update(project_id, threshold_amount=1_000, currency="USD", interval="month")
    assert _chat(app).choices  # raised: allowed again
    org.projects.spend_limit.update(project_id, threshold_amount=4, currency="USD", interval="month")
    with pytest.raises(openai.RateLimitError):
        _chat(app)  # lowered below this month's spend: refused at once
    org.projects.spend_limit.delete(project_id)
    assert _chat(app).choices


def test_a_videos_rendered_seconds_are_spend(admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI]) -> None:
    project_id, app = project_app
    org = admin.admin.organization
    org.projects.spend_limit.update(project_id, threshold_amount=1_000, currency="USD", interval="month")
    first = app.videos.create(model="sora-2", prompt="A lighthouse at dusk", seconds="4")  # 4 s at $0.10
    app.videos.create(model="sora-2-pro", prompt="A lighthouse at dawn", seconds="4")  # 4 s at $0.30
    clock.advance(900)
    extended = app.post(
        "/videos/extensions",
        body={"video": {"id": first.id}, "prompt": "The light turns on", "seconds": "4"},
        cast_to=Video,
    )
    assert extended.seconds == "8"  # the stitched total; what it renders, and costs, is the 4 s added
    costs = org.usage.costs(start_time=MAY_31_LATE - 3_600, group_by=["line_item", "project_id"]).data[0].results
    lines = {(r.line_item, r.project_id): r.amount.value for r in costs}  # type: ignore[union-attr]
    assert lines == {
        ("sora-2, seconds", project_id): pytest.approx(0.80),
        ("sora-2-pro, seconds", project_id): pytest.approx(1.20),
    }
    org.projects.spend_limit.update(project_id, threshold_amount=200, currency="USD", interval="month")
    with pytest.raises(openai.RateLimitError):
        app.videos.create(model="sora-2", prompt="A lighthouse at noon")


def test_the_block_ends_when_the_month_rolls_over(admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI]) -> None:
    project_id, app = project_app
    admin.admin.organization.projects.spend_limit.update(
        project_id, threshold_amount=2, currency="USD", interval="month"
    )
    _spend_4_cents(app)
    with pytest.raises(openai.RateLimitError):
        _chat(app)
    clock.freeze(JUNE_1 + 60)  # the mock clock reaches June: a new period, nothing spent in it yet
    assert _chat(app).choices
    _spend_4_cents(app)
    with pytest.raises(openai.RateLimitError):
        _chat(app)  # June's spend crossed it again


def test_an_organization_limit_blocks_every_project_and_the_organizations_own_key(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI], mock_app: TemplateRouter
) -> None:
    _, app = project_app
    org = admin.admin.organization
    _spend_4_cents(app)  # spent before any limit existed: counted when the limit is set
    org.spend_limit.update(threshold_amount=4, currency="USD", interval="month")
    with pytest.raises(openai.RateLimitError):
        _chat(app)
    owner_key = asgi_client(mock_app, api_key="sk-admin-test-organization")  # the organization's own key
    with pytest.raises(openai.RateLimitError):
        _chat(owner_key)
    org.spend_limit.delete()
    assert _chat(app).choices and _chat(owner_key).choices


def test_keys_of_organizations_without_limits_are_not_refused(client: openai.OpenAI) -> None:
    for _ in range(3):
        client.images.generate(model="dall-e-3", prompt="A cat", size="1024x1024", response_format="b64_json")
    assert _chat(client).choices


# --- spend alerts ---------------------------------------------------------------------------------


def test_organization_spend_alert_operations(admin: openai.OpenAI) -> None:
    alerts = admin.admin.organization.spend_alerts
    created = _json(
        alerts.with_raw_response.create(
            threshold_amount=50_000, currency="USD", interval="month", notification_channel=CHANNEL
        )
    )
    assert_conforms("POST", f"{ORG}/spend_alerts", 200, created, spec=SPEC)
    assert created["object"] == "organization.spend_alert" and created["id"].startswith("alert_")
    assert created["notification_channel"] == CHANNEL
    second = alerts.create(
        threshold_amount=90_000,
        currency="USD",
        interval="month",
        notification_channel={"type": "email", "recipients": ["cto@example.com"]},
    )
    assert second.notification_channel.subject_prefix is None

    listed = _json(alerts.with_raw_response.list())
    assert_conforms("GET", f"{ORG}/spend_alerts", 200, listed, spec=SPEC)
    assert [a["id"] for a in listed["data"]] == [created["id"], second.id]  # oldest first by default
    assert [a.id for a in alerts.list(order="desc", limit=1).data] == [second.id]
    assert [a.id for a in alerts.list(after=created["id"]).data] == [second.id]

    got = _json(alerts.with_raw_response.retrieve(created["id"]))
    assert_conforms("GET", f"{ORG}/spend_alerts/{created['id']}", 200, got, spec=SPEC)
    updated = _json(
        alerts.with_raw_response.update(
            created["id"], threshold_amount=75_000, currency="USD", interval="month", notification_channel=CHANNEL
        )
    )
    assert_conforms("POST", f"{ORG}/spend_alerts/{created['id']}", 200, updated, spec=SPEC)
    assert alerts.retrieve(created["id"]).threshold_amount == 75_000
    deleted = _json(alerts.with_raw_response.delete(created["id"]))
    assert_conforms("DELETE", f"{ORG}/spend_alerts/{created['id']}", 200, deleted, spec=SPEC)
    assert deleted == {"object": "organization.spend_alert.deleted", "id": created["id"], "deleted": True}
    with pytest.raises(openai.NotFoundError):
        alerts.retrieve(created["id"])


def test_project_spend_alert_operations(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    project = org.projects.create(name="Alerted")
    P = f"{ORG}/projects/{project.id}/spend_alerts"
    created = _json(
        org.projects.spend_alerts.with_raw_response.create(
            project.id, threshold_amount=0, currency="USD", interval="month", notification_channel=CHANNEL
        )
    )
    assert_conforms("POST", P, 200, created, spec=SPEC)
    assert created["object"] == "project.spend_alert"
    listed = _json(org.projects.spend_alerts.with_raw_response.list(project.id))
    assert_conforms("GET", P, 200, listed, spec=SPEC)
    alert_id = created["id"]
    got = _json(org.projects.spend_alerts.with_raw_response.retrieve(alert_id, project_id=project.id))
    assert_conforms("GET", f"{P}/{alert_id}", 200, got, spec=SPEC)
    updated = _json(
        org.projects.spend_alerts.with_raw_response.update(
            alert_id,
            project_id=project.id,
            threshold_amount=100,
            currency="USD",
            interval="month",
            notification_channel=CHANNEL,
        )
    )
    assert_conforms("POST", f"{P}/{alert_id}", 200, updated, spec=SPEC)
    assert updated["threshold_amount"] == 100
    with pytest.raises(openai.NotFoundError):  # a project's alert is not the organization's
        org.spend_alerts.retrieve(alert_id)
    deleted = _json(org.projects.spend_alerts.with_raw_response.delete(alert_id, project_id=project.id))
    assert_conforms("DELETE", f"{P}/{alert_id}", 200, deleted, spec=SPEC)
    assert deleted == {"object": "project.spend_alert.deleted", "id": alert_id, "deleted": True}


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"threshold_amount": -1}, "threshold_amount"),
        ({"currency": "GBP"}, "currency"),
        ({"interval": "day"}, "interval"),
        ({"notification_channel": {"type": "sms", "recipients": ["+15550100"]}}, "notification_channel.type"),
        (
            {"notification_channel": {"type": "email", "recipients": ["not-an-address"]}},
            "notification_channel.recipients[0]",
        ),
        ({"notification_channel": None}, "notification_channel"),
    ],
)
def test_bad_spend_alerts_are_400_naming_the_param(admin: openai.OpenAI, change: dict[str, Any], param: str) -> None:
    body = {"threshold_amount": 100, "currency": "USD", "interval": "month", "notification_channel": CHANNEL, **change}
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post("/organization/spend_alerts", body=body, cast_to=object)
    assert _error(refused)["param"] == param
    assert admin.admin.organization.spend_alerts.list().data == []


def test_alerts_fire_once_when_crossed_and_show_in_the_audit_log(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI]
) -> None:
    project_id, app = project_app
    org = admin.admin.organization
    org_alert = org.spend_alerts.create(
        threshold_amount=6, currency="USD", interval="month", notification_channel=CHANNEL
    )
    project_alert = org.projects.spend_alerts.create(
        project_id, threshold_amount=3, currency="USD", interval="month", notification_channel=CHANNEL
    )
    never = org.projects.spend_alerts.create(
        project_id, threshold_amount=10_000, currency="USD", interval="month", notification_channel=CHANNEL
    )

    def fired() -> list[dict[str, Any]]:
        events = org.audit_logs.list(event_types=["tenant.billing.alerts.updated"]).data
        return [event.to_dict() for event in events]

    _chat(app)
    assert fired() == []
    _spend_4_cents(app)  # project: 4 ≥ 3 cents → its alert; organization: 4 < 6
    [first] = fired()
    assert first["tenant.billing.alerts.updated"]["id"] == project_alert.id
    assert first["project"]["id"] == project_id and first["actor"] is None
    data = first["tenant.billing.alerts.updated"]["data"]
    assert (data["status"], data["threshold_amount"], data["spend_amount"]) == ("triggered", 3, 4)
    assert data["recipients"] == ["finance@example.com"]
    _spend_4_cents(app)  # organization: 8 ≥ 6 → its alert; the project's fired already this month
    assert [event["tenant.billing.alerts.updated"]["id"] for event in fired()] == [org_alert.id, project_alert.id]
    assert never.id not in str(fired())
    listed = _json(org.audit_logs.with_raw_response.list())
    assert_conforms("GET", f"{ORG}/audit_logs", 200, listed, spec=SPEC)


def test_limit_and_alert_changes_are_audited(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    org.spend_limit.update(threshold_amount=10_000, currency="USD", interval="month")
    org.spend_alerts.create(threshold_amount=5_000, currency="USD", interval="month", notification_channel=CHANNEL)
    events = [event.to_dict() for event in org.audit_logs.list(event_types=["organization.updated"]).data]
    changes = [event["organization.updated"]["changes_requested"] for event in events]
    assert changes[1] == {"spend_limit": {"threshold_amount": 10_000, "currency": "USD", "interval": "month"}}
    assert changes[0]["spend_alert"]["threshold_amount"] == 5_000


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handlers(version: str) -> None:
    key = "sk-admin-lambda-spend"
    limits = org_lambda_client(spend_limit_function.handler, version, key)  # type: ignore[arg-type]
    assert (
        limits.admin.organization.spend_limit.update(
            threshold_amount=100, currency="USD", interval="month"
        ).threshold_amount
        == 100
    )
    alerts = org_lambda_client(spend_alerts_function.handler, version, key)  # type: ignore[arg-type]
    created = alerts.admin.organization.spend_alerts.create(
        threshold_amount=50, currency="USD", interval="month", notification_channel=CHANNEL
    )
    assert [a.id for a in alerts.admin.organization.spend_alerts.list().data] == [created.id]


def test_enforced_across_lambdas_on_dynamodb(moto_persistence: None) -> None:
    """With persistence (DynamoDB under moto), a limit set through SpendLimitFunction refuses ChatFunction's
    requests once ImagesFunction's spend crossed it: the state and the counters are shared by every function."""
    from functions.chat import app as chat_function
    from functions.images import app as images_function
    from functions.projects import app as projects_function
    from tests.support.sdk import lambda_client

    clock.freeze(MAY_31_LATE)
    key = "sk-admin-lambda-spend-dynamodb"
    projects = org_lambda_client(projects_function.handler, "v1", key).admin.organization.projects  # type: ignore[arg-type]
    project = projects.create(name="Persistent")
    secret = projects.service_accounts.create(project.id, name="app").api_key.value  # type: ignore[union-attr]
    limits = org_lambda_client(spend_limit_function.handler, "v1", key).admin.organization  # type: ignore[arg-type]
    limits.projects.spend_limit.update(project.id, threshold_amount=3, currency="USD", interval="month")

    _spend_4_cents(lambda_client(images_function.handler, "v1", api_key=secret))  # type: ignore[arg-type]
    chat = lambda_client(chat_function.handler, "v2", api_key=secret)  # type: ignore[arg-type]
    with pytest.raises(openai.RateLimitError) as refused:
        _chat(chat)
    assert _error(refused)["code"] == "insufficient_quota"
    limits.projects.spend_limit.delete(project.id)
    assert _chat(chat).choices

"""Audit logs: the admin calls made through the SDK show up as real event types with the acting key,
newest first, and every documented filter narrows them."""

from __future__ import annotations

import openai
import pytest

from functions.audit_logs import app as audit_logs_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.spec import assert_conforms


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _types(page: object) -> list[str]:
    return [event.type for event in page.data]  # type: ignore[attr-defined]


def test_admin_actions_are_logged_newest_first(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    project = org.projects.create(name="Audited")
    org.projects.update(project.id, name="Audited v2")
    account = org.projects.service_accounts.create(project.id, name="svc")
    org.projects.rate_limits.update_rate_limit("rl-gpt-4o", project_id=project.id, max_requests_per_1_minute=10)
    invite = org.invites.create(email="x@example.org", role="reader")
    key = org.admin_api_keys.create(name="k")
    org.projects.archive(project.id)

    raw = org.audit_logs.with_raw_response.list(limit=100).http_response.json()
    assert_conforms("GET", "/v1/organization/audit_logs", 200, raw)
    assert [event["type"] for event in raw["data"]] == [
        "project.archived",
        "api_key.created",
        "invite.sent",
        "rate_limit.updated",
        "api_key.created",
        "service_account.created",
        "project.updated",
        "project.created",
    ]
    created = raw["data"][-1]
    assert created["project.created"] == {"id": project.id, "data": {"name": "Audited", "title": "Audited"}}
    assert created["project"] == {"id": project.id, "name": "Audited"}
    assert raw["data"][3]["rate_limit.updated"]["changes_requested"] == {"max_requests_per_1_minute": 10}
    assert raw["data"][2]["invite.sent"]["data"] == {"email": "x@example.org", "role": "reader"}
    actor = created["actor"]
    assert actor["type"] == "api_key" and actor["api_key"]["type"] == "user"
    owner = org.users.list().data[0]
    assert actor["api_key"]["user"] == {"id": owner.id, "email": owner.email}
    assert raw["data"][5]["service_account.created"]["id"] == account.id
    assert raw["data"][1]["api_key.created"]["id"] == key.id
    assert invite.id == raw["data"][2]["invite.sent"]["id"]


def test_filters(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    org = admin.admin.organization
    clock.freeze(1_740_000_000)
    first = org.projects.create(name="One")
    clock.advance(100)
    second = org.projects.create(name="Two")
    org.invites.create(email="y@example.org", role="owner")
    secret = org.admin_api_keys.create(name="other admin").value
    other = org_client(mock_app, secret or "")
    other.admin.organization.projects.update(second.id, name="Two, renamed")

    logs = org.audit_logs
    assert _types(logs.list(project_ids=[first.id])) == ["project.created"]
    assert _types(logs.list(event_types=["invite.sent"])) == ["invite.sent"]
    assert _types(logs.list(effective_at={"lt": 1_740_000_050})) == ["project.created"]
    assert len(logs.list(effective_at={"gte": 1_740_000_100}).data) == 4
    assert _types(logs.list(resource_ids=[second.id])) == ["project.updated", "project.created"]
    other_key_id = org.admin_api_keys.list().data[0].id
    assert _types(logs.list(actor_ids=[other_key_id])) == ["project.updated"]
    owner_email = org.users.list().data[0].email
    assert len(logs.list(actor_emails=[owner_email]).data) == 5
    assert logs.list(actor_emails=["nobody@example.org"]).data == []


def test_pagination_after_and_before(admin: openai.OpenAI) -> None:
    for n in range(5):
        admin.admin.organization.projects.create(name=f"P{n}")
    page = admin.admin.organization.audit_logs.list(limit=2)
    assert page.has_more and len(page.data) == 2
    following = admin.admin.organization.audit_logs.list(limit=2, after=page.data[-1].id)
    assert following.data[0].id < page.data[-1].id
    back = admin.admin.organization.audit_logs.list(limit=2, before=following.data[0].id)
    assert [event.id for event in back.data] == [event.id for event in page.data]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(audit_logs_function.handler, version, "sk-admin-lambda-audit")  # type: ignore[arg-type]
    assert sdk.admin.organization.audit_logs.list().data == []

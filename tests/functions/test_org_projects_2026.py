"""Today's project operations through the official SDK (openai 3.60): updating a service account, creating
more API keys for it (each authenticates as the project; `expires_in_seconds` is honoured), project API keys
under `/api_keys/{api_key_id}` with the 2026 fields, and the Default Project's seeded service account.
Every answer is checked against the 2026-08-21 spec."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from functions.projects import app as projects_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
P = "/v1/organization/projects"
NOW = 1_780_000_000


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


def _json(raw: Any) -> dict[str, Any]:
    return raw.http_response.json()  # type: ignore[no-any-return]


def test_the_default_project_starts_with_a_service_account_and_its_key(admin: openai.OpenAI) -> None:
    projects = admin.admin.organization.projects
    default = projects.list().data[0]
    accounts = _json(projects.service_accounts.with_raw_response.list(default.id))
    assert_conforms("GET", f"{P}/{default.id}/service_accounts", 200, accounts, spec=SPEC)
    [account] = accounts["data"]
    assert (account["name"], account["role"]) == ("default-service-account", "member")
    keys = _json(projects.api_keys.with_raw_response.list(default.id))
    assert_conforms("GET", f"{P}/{default.id}/api_keys", 200, keys, spec=SPEC)
    [key] = keys["data"]
    assert key["owner"]["service_account"]["id"] == account["id"]
    assert key["owner_project_access"] == "active" and key["redacted_value"].startswith("sk-svcacct...")
    # Stable ids: the same organization seen again (a new client of the same key) has the same account.
    assert projects.service_accounts.list(default.id).data[0].id == account["id"]


def test_update_a_service_account(admin: openai.OpenAI) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Bots")
    account = projects.service_accounts.create(project.id, name="ci")
    path = f"{P}/{project.id}/service_accounts/{account.id}"
    renamed = _json(projects.service_accounts.with_raw_response.update(account.id, project_id=project.id, name="ci-2"))
    assert_conforms("POST", path, 200, renamed, spec=SPEC)
    assert (renamed["name"], renamed["role"]) == ("ci-2", "member")
    promoted = projects.service_accounts.update(account.id, project_id=project.id, role="owner")
    assert (promoted.name, promoted.role) == ("ci-2", "owner")
    assert projects.service_accounts.retrieve(account.id, project_id=project.id).role == "owner"
    [key] = projects.api_keys.list(project.id).data
    assert key.owner.service_account is not None and key.owner.service_account.name == "ci-2"  # the key's owner too

    with pytest.raises(openai.BadRequestError) as bad_role:
        admin.post(path.removeprefix("/v1"), body={"role": "admin"}, cast_to=object)
    assert bad_role.value.body["param"] == "role"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as empty:
        projects.service_accounts.update(account.id, project_id=project.id, name=" ")
    assert empty.value.body["param"] == "name"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        projects.service_accounts.update("svc_acct_missing", project_id=project.id, name="x")

    [event] = admin.admin.organization.audit_logs.list(event_types=["service_account.updated"], limit=1).data
    assert event.to_dict()["service_account.updated"] == {"id": account.id, "changes_requested": {"role": "owner"}}


def test_more_keys_for_a_service_account_each_authenticate(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Keys")
    account = projects.service_accounts.create(project.id, name="worker")
    path = f"{P}/{project.id}/service_accounts/{account.id}/api_keys"
    created = _json(
        projects.service_accounts.api_keys.with_raw_response.create(
            account.id, project_id=project.id, name="deploy", scopes=["/v1/chat/completions"]
        )
    )
    assert_conforms("POST", path, 200, created, spec=SPEC)
    assert created["object"] == "organization.project.service_account.api_key"
    assert created["name"] == "deploy" and created["value"].startswith("sk-svcacct-")
    app = asgi_client(mock_app, api_key=created["value"])
    assert app.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]).choices

    # Both keys are the project's; the new one is retrievable and deletable under /api_keys/{api_key_id}.
    assert len(projects.api_keys.list(project.id).data) == 2
    got = _json(projects.api_keys.with_raw_response.retrieve(created["id"], project_id=project.id))
    assert_conforms("GET", f"{P}/{project.id}/api_keys/{created['id']}", 200, got, spec=SPEC)
    assert (got["name"], got["last_used_at"], got["owner"]["type"]) == ("deploy", None, "service_account")
    deleted = _json(projects.api_keys.with_raw_response.delete(created["id"], project_id=project.id))
    assert_conforms("DELETE", f"{P}/{project.id}/api_keys/{created['id']}", 200, deleted, spec=SPEC)
    with pytest.raises(openai.AuthenticationError):
        app.models.list()
    with pytest.raises(openai.NotFoundError) as missing:
        projects.api_keys.retrieve(created["id"], project_id=project.id)
    assert missing.value.body["param"] == "api_key_id"  # type: ignore[index]


def test_a_key_with_an_expiry_stops_working_then(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Short-lived")
    account = projects.service_accounts.create(project.id, name="temp")
    key = projects.service_accounts.api_keys.create(account.id, project_id=project.id, expires_in_seconds=3_600)
    app = asgi_client(mock_app, api_key=key.value)
    assert app.models.list().data
    clock.advance(3_600)
    with pytest.raises(openai.AuthenticationError):
        app.models.list()
    with pytest.raises(openai.BadRequestError) as bad:
        projects.service_accounts.api_keys.create(account.id, project_id=project.id, expires_in_seconds=0)
    assert bad.value.body["param"] == "expires_in_seconds"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        projects.service_accounts.api_keys.create("svc_acct_missing", project_id=project.id)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(projects_function.handler, version, "sk-admin-lambda-projects-2026")  # type: ignore[arg-type]
    default = sdk.admin.organization.projects.list().data[0]
    [account] = sdk.admin.organization.projects.service_accounts.list(default.id).data
    updated = sdk.admin.organization.projects.service_accounts.update(account.id, project_id=default.id, name="bot")
    assert updated.name == "bot"

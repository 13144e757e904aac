"""Projects through the official SDK: the initial Default Project, create/list/rename/archive, project
users, service accounts (whose key really authenticates), project API keys and rate limits."""

from __future__ import annotations

import openai
import pytest

from functions.projects import app as projects_function
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.spec import assert_conforms

P = "/v1/organization/projects"


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _json(raw: object) -> dict:
    return raw.http_response.json()  # type: ignore[attr-defined,no-any-return]


def test_new_organization_has_a_default_project_with_owner_and_rate_limits(admin: openai.OpenAI) -> None:
    listed = _json(admin.admin.organization.projects.with_raw_response.list())
    assert_conforms("GET", P, 200, listed)
    [default] = listed["data"]
    assert (default["name"], default["status"], default["archived_at"]) == ("Default Project", "active", None)
    members = _json(admin.admin.organization.projects.users.with_raw_response.list(default["id"]))
    assert_conforms("GET", f"{P}/{default['id']}/users", 200, members)
    [owner] = members["data"]
    assert owner["role"] == "owner" and owner["email"].endswith("@example.com")
    limits = _json(admin.admin.organization.projects.rate_limits.with_raw_response.list_rate_limits(default["id"]))
    assert_conforms("GET", f"{P}/{default['id']}/rate_limits", 200, limits)
    by_model = {limit["model"]: limit for limit in limits["data"]}
    assert by_model["gpt-4o"]["max_tokens_per_1_minute"] == 30_000
    assert by_model["dall-e-3"]["max_images_per_1_minute"] == 5
    assert by_model["gpt-4o"]["id"] == "rl-gpt-4o"


def test_create_retrieve_rename_archive(admin: openai.OpenAI) -> None:
    projects = admin.admin.organization.projects
    created = _json(projects.with_raw_response.create(name="Support bot"))
    assert_conforms("POST", P, 200, created)
    assert created["id"].startswith("proj_") and created["status"] == "active"
    renamed = _json(projects.with_raw_response.update(created["id"], name="Support bot v2"))
    assert_conforms("POST", f"{P}/{created['id']}", 200, renamed)
    assert projects.retrieve(created["id"]).name == "Support bot v2"

    archived = _json(projects.with_raw_response.archive(created["id"]))
    assert_conforms("POST", f"{P}/{created['id']}/archive", 200, archived)
    assert archived["status"] == "archived" and isinstance(archived["archived_at"], int)
    assert created["id"] not in [p.id for p in projects.list()]
    assert created["id"] in [p.id for p in projects.list(include_archived=True)]

    with pytest.raises(openai.BadRequestError) as refused:
        projects.update(created["id"], name="nope")
    assert "archived" in refused.value.message
    with pytest.raises(openai.BadRequestError):
        projects.service_accounts.create(created["id"], name="bot")
    with pytest.raises(openai.BadRequestError):
        projects.rate_limits.update_rate_limit("rl-gpt-4o", project_id=created["id"], max_requests_per_1_minute=1)


def test_unknown_project_is_404_and_empty_name_is_400(admin: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        admin.admin.organization.projects.retrieve("proj_nope")
    assert missing.value.body["message"] == "No such Project object: proj_nope"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as empty:
        admin.admin.organization.projects.create(name=" ")
    assert empty.value.body["param"] == "name"  # type: ignore[index]


def test_project_users_lifecycle(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Research")
    owner = admin.admin.organization.users.list().data[0]
    users = admin.admin.organization.projects.users
    added = _json(users.with_raw_response.create(project.id, user_id=owner.id, role="member"))
    assert_conforms("POST", f"{P}/{project.id}/users", 200, added)
    assert (added["id"], added["role"], added["email"]) == (owner.id, "member", owner.email)
    with pytest.raises(openai.BadRequestError):
        users.create(project.id, user_id=owner.id, role="member")
    with pytest.raises(openai.NotFoundError):
        users.create(project.id, user_id="user-unknown", role="member")

    modified = _json(users.with_raw_response.update(owner.id, project_id=project.id, role="owner"))
    assert_conforms("POST", f"{P}/{project.id}/users/{owner.id}", 200, modified)
    got = _json(users.with_raw_response.retrieve(owner.id, project_id=project.id))
    assert_conforms("GET", f"{P}/{project.id}/users/{owner.id}", 200, got)
    assert got["role"] == "owner"
    deleted = _json(users.with_raw_response.delete(owner.id, project_id=project.id))
    assert_conforms("DELETE", f"{P}/{project.id}/users/{owner.id}", 200, deleted)
    assert deleted == {"object": "organization.project.user.deleted", "id": owner.id, "deleted": True}
    assert users.list(project.id).data == []


def test_service_account_key_is_shown_once_and_authenticates(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project = admin.admin.organization.projects.create(name="Batch jobs")
    accounts = admin.admin.organization.projects.service_accounts
    created = _json(accounts.with_raw_response.create(project.id, name="nightly"))
    assert_conforms("POST", f"{P}/{project.id}/service_accounts", 200, created)
    secret = created["api_key"]["value"]
    assert secret.startswith("sk-svcacct-") and created["role"] == "member"

    listed = _json(accounts.with_raw_response.list(project.id))
    assert_conforms("GET", f"{P}/{project.id}/service_accounts", 200, listed)
    assert [a["id"] for a in listed["data"]] == [created["id"]]
    got = _json(accounts.with_raw_response.retrieve(created["id"], project_id=project.id))
    assert_conforms("GET", f"{P}/{project.id}/service_accounts/{created['id']}", 200, got)

    keys = _json(admin.admin.organization.projects.api_keys.with_raw_response.list(project.id))
    assert_conforms("GET", f"{P}/{project.id}/api_keys", 200, keys)
    [key] = keys["data"]
    assert key["id"] == created["api_key"]["id"] and key["redacted_value"].endswith(secret[-4:])
    assert key["owner"]["type"] == "service_account" and key["owner"]["service_account"]["id"] == created["id"]
    assert "value" not in key and "_digest" not in key

    # The secret works as an ordinary key of the organization: not admin, so /organization is refused.
    with pytest.raises(openai.PermissionDeniedError):
        org_client(mock_app, secret).admin.organization.projects.list()
    assert org_client(mock_app, secret).models.retrieve("gpt-4o").id == "gpt-4o"

    deleted = _json(accounts.with_raw_response.delete(created["id"], project_id=project.id))
    assert_conforms("DELETE", f"{P}/{project.id}/service_accounts/{created['id']}", 200, deleted)
    assert admin.admin.organization.projects.api_keys.list(project.id).data == []
    with pytest.raises(openai.AuthenticationError):
        org_client(mock_app, secret).models.list()


def test_project_api_key_retrieve_and_delete(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project = admin.admin.organization.projects.create(name="Keys")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="svc")
    keys = admin.admin.organization.projects.api_keys
    key_id = account.api_key.id
    got = _json(keys.with_raw_response.retrieve(key_id, project_id=project.id))
    assert_conforms("GET", f"{P}/{project.id}/api_keys/{key_id}", 200, got)
    deleted = _json(keys.with_raw_response.delete(key_id, project_id=project.id))
    assert_conforms("DELETE", f"{P}/{project.id}/api_keys/{key_id}", 200, deleted)
    assert deleted["object"] == "organization.project.api_key.deleted"
    with pytest.raises(openai.NotFoundError):
        keys.retrieve(key_id, project_id=project.id)
    with pytest.raises(openai.AuthenticationError):
        org_client(mock_app, account.api_key.value).models.list()


def test_rate_limits_can_be_lowered_not_raised(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Limited")
    limits = admin.admin.organization.projects.rate_limits
    raw = limits.with_raw_response.update_rate_limit(
        "rl-gpt-4o-mini", project_id=project.id, max_requests_per_1_minute=100, max_tokens_per_1_minute=50_000
    )
    updated = _json(raw)
    assert_conforms("POST", f"{P}/{project.id}/rate_limits/rl-gpt-4o-mini", 200, updated)
    assert (updated["max_requests_per_1_minute"], updated["max_tokens_per_1_minute"]) == (100, 50_000)
    listed = {limit.id: limit for limit in limits.list_rate_limits(project.id)}
    assert listed["rl-gpt-4o-mini"].max_requests_per_1_minute == 100

    with pytest.raises(openai.BadRequestError) as too_high:
        limits.update_rate_limit("rl-gpt-4o", project_id=project.id, max_tokens_per_1_minute=10**9)
    assert too_high.value.body["param"] == "max_tokens_per_1_minute"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as not_applicable:
        limits.update_rate_limit("rl-gpt-4o", project_id=project.id, max_images_per_1_minute=1)
    assert not_applicable.value.body["param"] == "max_images_per_1_minute"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        limits.update_rate_limit("rl-gpt-17", project_id=project.id, max_requests_per_1_minute=1)


def test_rate_limits_page_with_after(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.list().data[0]
    first = admin.admin.organization.projects.rate_limits.list_rate_limits(project.id, limit=3)
    ids = [limit.id for limit in first.data]
    assert ids == sorted(ids) and len(ids) == 3 and first.has_more
    after = admin.admin.organization.projects.rate_limits.list_rate_limits(project.id, limit=3, after=ids[-1])
    assert after.data[0].id > ids[-1]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(projects_function.handler, version, "sk-admin-lambda-projects")  # type: ignore[arg-type]
    created = sdk.admin.organization.projects.create(name="Lambda project")
    assert sdk.admin.organization.projects.retrieve(created.id).name == "Lambda project"

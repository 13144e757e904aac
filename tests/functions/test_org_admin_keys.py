"""Admin API keys through the official SDK: the secret is shown once, the key really works as an admin
key of the same organization, and a deleted key stops working. Also: ordinary keys are refused."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from functions.admin_api_keys import app as admin_keys_function
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.spec import assert_conforms

KEYS = "/v1/organization/admin_api_keys"


@pytest.fixture
def admin_client(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


@pytest.fixture
def client_for(mock_app: TemplateRouter) -> Callable[[str], openai.OpenAI]:
    return lambda key: org_client(mock_app, key)


def test_create_key_shows_the_secret_once_then_only_redacted(admin_client: openai.OpenAI) -> None:
    raw = admin_client.admin.organization.admin_api_keys.with_raw_response.create(name="CI deploys")
    created = raw.http_response.json()
    assert_conforms("POST", KEYS, 200, created)
    assert created["value"].startswith("sk-admin-") and len(created["value"]) > 60
    assert created["redacted_value"] == f"sk-admin...{created['value'][-4:]}"
    assert created["owner"]["role"] == "owner" and created["owner"]["type"] == "user"

    raw_get = admin_client.admin.organization.admin_api_keys.with_raw_response.retrieve(created["id"])
    assert_conforms("GET", f"{KEYS}/{created['id']}", 200, raw_get.http_response.json())
    assert "value" not in raw_get.http_response.json()
    assert raw_get.http_response.json()["name"] == "CI deploys"

    listed = admin_client.admin.organization.admin_api_keys.with_raw_response.list().http_response.json()
    assert_conforms("GET", KEYS, 200, listed)
    assert [key["id"] for key in listed["data"]] == [created["id"]]
    assert all("value" not in key for key in listed["data"])


def test_created_key_administers_the_same_organization(
    admin_client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    secret = admin_client.admin.organization.admin_api_keys.create(name="second").value
    assert secret is not None
    second = client_for(secret)
    project = second.admin.organization.projects.create(name="Made with the new key")
    assert project.id in [p.id for p in admin_client.admin.organization.projects.list()]
    owner_ids = [user.id for user in admin_client.admin.organization.users.list()]
    assert [user.id for user in second.admin.organization.users.list()] == owner_ids


def test_deleted_key_is_gone_and_refused(
    admin_client: openai.OpenAI, client_for: Callable[[str], openai.OpenAI]
) -> None:
    created = admin_client.admin.organization.admin_api_keys.create(name="temporary")
    raw = admin_client.admin.organization.admin_api_keys.with_raw_response.delete(created.id)
    assert_conforms("DELETE", f"{KEYS}/{created.id}", 200, raw.http_response.json())
    deleted = {"id": created.id, "object": "organization.admin_api_key.deleted", "deleted": True}
    assert raw.http_response.json() == deleted
    with pytest.raises(openai.NotFoundError):
        admin_client.admin.organization.admin_api_keys.retrieve(created.id)
    with pytest.raises(openai.AuthenticationError) as refused:
        client_for(created.value or "").admin.organization.projects.list()
    assert refused.value.body["code"] == "invalid_api_key"  # type: ignore[index]


def test_list_pages_with_after_and_order(admin_client: openai.OpenAI) -> None:
    ids = [admin_client.admin.organization.admin_api_keys.create(name=f"key {n}").id for n in range(3)]
    first = admin_client.admin.organization.admin_api_keys.list(limit=2)
    assert [key.id for key in first.data] == ids[:2] and first.has_more
    rest = admin_client.admin.organization.admin_api_keys.list(limit=2, after=ids[1])
    assert [key.id for key in rest.data] == ids[2:] and not rest.has_more
    newest = admin_client.admin.organization.admin_api_keys.list(order="desc", limit=1)
    assert newest.data[0].id == ids[-1]


def test_ordinary_key_is_refused_with_403(client_for: Callable[[str], openai.OpenAI]) -> None:
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client_for("sk-test-ordinary").admin.organization.admin_api_keys.list()
    assert refused.value.status_code == 403
    assert refused.value.body["code"] == "insufficient_permissions"  # type: ignore[index]


def test_missing_name_is_a_400(admin_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        admin_client.post("/organization/admin_api_keys", body={}, cast_to=object)
    assert raised.value.body["param"] == "name"  # type: ignore[index]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    lambda_sdk = org_lambda_client(admin_keys_function.handler, version, "sk-admin-lambda")  # type: ignore[arg-type]
    created = lambda_sdk.admin.organization.admin_api_keys.create(name="from lambda")
    assert lambda_sdk.admin.organization.admin_api_keys.retrieve(created.id).name == "from lambda"

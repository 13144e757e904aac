"""Vaults and their credentials through the official SDK (`client.beta.agents.vaults[.credentials]`, the Agents API
beta the API gained after the 2026-08-21 spec, every answer held strictly to the SDK's models): vaults created, read,
listed per project by page, status and metadata, renamed, deleted with their credentials; credentials of each kind
of auth whose secrets are kept and never answered, rotated within their kind; bad input refused naming the param;
`stored_vault`, what sessions resolve their `vault_ids` with."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.beta.agents import Vault, VaultDeleted
from openai.types.beta.agents.vaults import Credential, CredentialDeleted
from starlette.testclient import TestClient

from functions.agent_vaults.app import app as vaults_app
from functions.projects.app import app as projects_app
from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.resources.agents.vaults import CREDENTIALS, stored_vault, vault_credentials
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.hardening.test_nested_types import WRONG, paths, replaced
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held

NOW = 1_790_000_000
MCP_URL = "https://mcp.linear.app/sse"
BEARER: dict[str, Any] = {"type": "static_bearer", "token": "lin_api_SECRET1", "mcp_server_url": MCP_URL}
OAUTH: dict[str, Any] = {
    "type": "mcp_oauth",
    "access_token": "ya29.SECRET2",
    "mcp_server_url": "https://mcp.notion.com/mcp",
    "expires_at": "2026-12-31T23:59:59Z",
    "refresh": {
        "client_id": "client-123",
        "refresh_token": "1//SECRET3",
        "token_endpoint": "https://api.notion.com/v1/oauth/token",
        "token_endpoint_auth": {"type": "client_secret_post", "client_secret": "SECRET4"},
        "scope": "read write",
    },
}
ENV: dict[str, Any] = {
    "type": "environment_variable",
    "secret_name": "STRIPE_API_KEY",
    "secret_value": "sk_live_SECRET5",
    "networking": {"type": "limited", "allowed_hosts": ["API.Stripe.com", "10.0.0.7"]},
}


@pytest.fixture
def client() -> openai.OpenAI:
    clock.freeze(NOW)
    return asgi_client(vaults_app)


@pytest.fixture
def vault_id(client: openai.OpenAI) -> str:
    return client.beta.agents.vaults.create(name="Integrations").id


def _refused(call: Any, status: int = 400) -> dict[str, Any]:
    with pytest.raises(openai.APIStatusError) as refused:
        call()
    assert refused.value.status_code == status
    error: dict[str, Any] = refused.value.body  # type: ignore[assignment]
    return error


def _credential(client: openai.OpenAI, vault_id: str, auth: dict[str, Any], **fields: Any) -> dict[str, Any]:
    raw = client.beta.agents.vaults.credentials.with_raw_response.create(
        vault_id, **{"name": "Credential", "auth": auth, **fields}
    )
    assert not any(secret in raw.http_response.text for secret in ("SECRET", "s3cret"))
    body: dict[str, Any] = held(Credential, raw)
    return body


def _secrets(credential_id: str) -> dict[str, Any]:
    stored = get_store().get(principal_for_key("sk-test").tenant, CREDENTIALS, credential_id)
    assert stored is not None
    secrets: dict[str, Any] = stored["_secrets"]
    return secrets


# --- vaults -----------------------------------------------------------------------------------------------------


def test_a_vault_is_created_and_read_back(client: openai.OpenAI) -> None:
    vault = held(
        Vault, client.beta.agents.vaults.with_raw_response.create(name="  Team tools ", metadata={"team": "ops"})
    )
    assert vault["id"].startswith("vault_") and vault["object"] == "vault" and vault["created_at"] == NOW
    assert (vault["name"], vault["metadata"]) == ("Team tools", {"team": "ops"})
    assert held(Vault, client.beta.agents.vaults.with_raw_response.retrieve(vault["id"])) == vault
    unnamed = held(Vault, client.beta.agents.vaults.with_raw_response.create())
    assert (unnamed["name"], unnamed["metadata"]) == (None, {})


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 257}, "name"),
        ({"name": 7}, "name"),
        ({"metadata": {"k": 1}}, "metadata.k"),
        ({"metadata": {f"k{index}": "v" for index in range(17)}}, "metadata"),
        ({"status": "archived"}, "status"),
    ],
)
def test_a_bad_vault_is_refused_naming_the_param(client: openai.OpenAI, fields: dict[str, Any], param: str) -> None:
    assert _refused(lambda: client.beta.agents.vaults.create(extra_body=fields))["param"] == param


def test_an_update_renames_and_replaces_metadata(client: openai.OpenAI) -> None:
    vault = client.beta.agents.vaults.create(name="Old", metadata={"a": "1", "b": "2"})
    renamed = held(Vault, client.beta.agents.vaults.with_raw_response.update(vault.id, name=" New "))
    assert (renamed["name"], renamed["metadata"]) == ("New", {"a": "1", "b": "2"})
    replaced = client.beta.agents.vaults.update(vault.id, metadata={"c": "3"})
    assert (replaced.name, replaced.metadata) == ("New", {"c": "3"})
    cleared = client.beta.agents.vaults.update(vault.id, name=None, metadata={})
    assert (cleared.name, cleared.metadata) == (None, {})
    assert client.beta.agents.vaults.retrieve(vault.id).name is None
    error = _refused(lambda: client.beta.agents.vaults.update(vault.id, extra_body={"metadata": None}))
    assert error["param"] == "metadata"
    assert _refused(lambda: client.beta.agents.vaults.update("vault_gone", name="x"), 404)["param"] == "vault_id"


def test_vaults_list_by_page_metadata_and_status(client: openai.OpenAI) -> None:
    made = []
    for index in range(5):
        made.append(client.beta.agents.vaults.create(name=f"V{index}", metadata={"parity": str(index % 2)}).id)
        clock.advance(1)
    first = client.beta.agents.vaults.list(limit=2)
    assert [vault.id for vault in first.data] == made[::-1][:2] and first.has_more
    assert [vault.id for vault in client.beta.agents.vaults.list(limit=2, after=made[3]).data] == made[2::-1][:2]
    assert [vault.id for vault in client.beta.agents.vaults.list(limit=2)] == made[::-1]
    assert [vault.id for vault in client.beta.agents.vaults.list(order="asc", metadata={"parity": "1"})] == [
        made[1],
        made[3],
    ]
    assert len(client.beta.agents.vaults.list(status="active").data) == 5
    assert len(client.beta.agents.vaults.list(status=["active", "archived"]).data) == 5
    assert client.beta.agents.vaults.list(status="archived").data == []  # nothing archives a vault
    error = _refused(lambda: client.beta.agents.vaults.list(status="deleted"))  # type: ignore[arg-type]
    assert (error["param"], error["code"]) == ("status", "invalid_value")


def test_a_vault_belongs_to_its_project(client: openai.OpenAI) -> None:
    admin = org_client(projects_app)
    project = admin.admin.organization.projects.create(name="Agents")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="agent")
    assert account.api_key is not None
    in_project = asgi_client(vaults_app, api_key=account.api_key.value)
    vault = in_project.beta.agents.vaults.create(name="Project vault")
    other = asgi_client(vaults_app, api_key="sk-admin-test-organization")
    assert [item.id for item in in_project.beta.agents.vaults.list()] == [vault.id]
    assert other.beta.agents.vaults.list().data == []
    assert _refused(lambda: other.beta.agents.vaults.retrieve(vault.id), 404)["param"] == "vault_id"


def test_deleting_a_vault_deletes_its_credentials(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, BEARER)
    kept_vault = client.beta.agents.vaults.create(name="Kept").id
    kept = _credential(client, kept_vault, BEARER)
    deleted = held(VaultDeleted, client.beta.agents.vaults.with_raw_response.delete(vault_id))
    assert deleted == {"id": vault_id, "object": "vault.deleted", "deleted": True}
    assert _refused(lambda: client.beta.agents.vaults.retrieve(vault_id), 404)["param"] == "vault_id"
    assert get_store().get(principal_for_key("sk-test").tenant, CREDENTIALS, credential["id"]) is None
    assert client.beta.agents.vaults.credentials.retrieve(kept["id"], vault_id=kept_vault).id == kept["id"]
    assert _refused(lambda: client.beta.agents.vaults.delete(vault_id), 404)["param"] == "vault_id"


def test_stored_vault_is_the_vault_as_answered(client: openai.OpenAI, vault_id: str) -> None:
    principal = principal_for_key("sk-test")
    assert stored_vault(principal, vault_id) == client.beta.agents.vaults.retrieve(vault_id).model_dump()
    credential = _credential(client, vault_id, BEARER)
    assert vault_credentials(principal, vault_id) == [credential]
    with pytest.raises(OpenAIError) as missing:
        stored_vault(principal, "vault_missing")
    assert (missing.value.status, missing.value.param) == (404, "vault_id")


# --- credentials ------------------------------------------------------------------------------------------------


def test_a_bearer_credential_keeps_its_token_and_shows_its_server(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, BEARER, name=" Linear ", metadata={"env": "prod"})
    assert credential["id"].startswith("vcred_") and credential["object"] == "vault.credential"
    assert (credential["vault_id"], credential["name"], credential["metadata"]) == (vault_id, "Linear", {"env": "prod"})
    assert credential["auth"] == {"type": "static_bearer", "mcp_server_url": MCP_URL}
    assert (credential["created_at"], credential["updated_at"]) == (NOW, NOW)
    assert _secrets(credential["id"]) == {"token": "lin_api_SECRET1"}
    read = client.beta.agents.vaults.credentials.with_raw_response.retrieve(credential["id"], vault_id=vault_id)
    assert held(Credential, read) == credential


def test_an_oauth_credential_shows_its_refresh_settings_and_no_secret(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, OAUTH)
    assert credential["auth"] == {
        "type": "mcp_oauth",
        "mcp_server_url": "https://mcp.notion.com/mcp",
        "expires_at": "2026-12-31T23:59:59Z",
        "refresh": {
            "client_id": "client-123",
            "resource": None,
            "scope": "read write",
            "token_endpoint": "https://api.notion.com/v1/oauth/token",
            "token_endpoint_auth": {"type": "client_secret_post"},
        },
    }
    assert _secrets(credential["id"]) == {
        "access_token": "ya29.SECRET2",
        "refresh_token": "1//SECRET3",
        "client_secret": "SECRET4",
    }


def test_an_environment_credential_normalises_its_hosts(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, ENV)
    assert credential["auth"] == {
        "type": "environment_variable",
        "secret_name": "STRIPE_API_KEY",
        "networking": {"type": "limited", "allowed_hosts": ["api.stripe.com", "10.0.0.7"]},
    }
    assert _secrets(credential["id"]) == {"secret_value": "sk_live_SECRET5"}
    twin = _refused(lambda: _credential(client, vault_id, {**ENV, "networking": {"type": "unrestricted"}}), 409)
    assert twin["param"] == "auth.secret_name"
    other_vault = client.beta.agents.vaults.create().id
    assert _credential(client, other_vault, {**ENV, "networking": {"type": "unrestricted"}})["auth"]["networking"] == {
        "type": "unrestricted"
    }


@pytest.mark.parametrize(
    ("auth", "param"),
    [
        ({**BEARER, "mcp_server_url": "http://mcp.linear.app"}, "auth.mcp_server_url"),
        ({"type": "static_bearer", "mcp_server_url": MCP_URL}, "auth.token"),
        ({**BEARER, "type": "api_key"}, "auth.type"),
        ({**OAUTH, "expires_at": "next tuesday"}, "auth.expires_at"),
        ({**OAUTH, "refresh": {**OAUTH["refresh"], "token_endpoint": "http://x.test/token"}},
         "auth.refresh.token_endpoint"),
        ({**OAUTH, "refresh": {**OAUTH["refresh"], "token_endpoint_auth": {"type": "client_secret_jwt"}}},
         "auth.refresh.token_endpoint_auth.type"),
        ({**OAUTH, "refresh": {**OAUTH["refresh"], "token_endpoint_auth": {"type": "client_secret_basic"}}},
         "auth.refresh.token_endpoint_auth.client_secret"),
        ({**ENV, "secret_name": "1PASSWORD"}, "auth.secret_name"),
        ({**ENV, "secret_name": "CODEX_TOKEN"}, "auth.secret_name"),
        ({**ENV, "secret_name": "HTTPS_PROXY"}, "auth.secret_name"),
        ({**ENV, "secret_value": "line\nbreak"}, "auth.secret_value"),
        ({**ENV, "secret_value": ""}, "auth.secret_value"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": []}}, "auth.networking.allowed_hosts"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": ["*.stripe.com"]}},
         "auth.networking.allowed_hosts[0]"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": ["a.com", "api.stripe.com:443"]}},
         "auth.networking.allowed_hosts[1]"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": ["https://api.stripe.com"]}},
         "auth.networking.allowed_hosts[0]"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": ["::1"]}}, "auth.networking.allowed_hosts[0]"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": ["a.com", "A.com"]}},
         "auth.networking.allowed_hosts[1]"),
        ({**ENV, "networking": {"type": "limited", "allowed_hosts": [f"h{i}.com" for i in range(17)]}},
         "auth.networking.allowed_hosts"),
        ({**ENV, "networking": {"type": "open"}}, "auth.networking.type"),
    ],
)  # fmt: skip
def test_a_bad_credential_is_refused_naming_the_param(
    client: openai.OpenAI, vault_id: str, auth: dict[str, Any], param: str
) -> None:
    error = _refused(lambda: client.beta.agents.vaults.credentials.create(vault_id, name="Bad", auth=auth))  # type: ignore[arg-type]
    assert error["param"] == param, error


def test_a_credential_needs_a_name_and_a_vault_of_the_project(client: openai.OpenAI, vault_id: str) -> None:
    error = _refused(lambda: client.beta.agents.vaults.credentials.create(vault_id, name=" ", auth=BEARER))  # type: ignore[arg-type]
    assert error["param"] == "name"
    missing = _refused(
        lambda: client.beta.agents.vaults.credentials.create("vault_missing", name="x", auth=BEARER),  # type: ignore[arg-type]
        404,
    )
    assert missing["param"] == "vault_id"


def test_a_bearer_token_is_rotated_in_place(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, BEARER, metadata={"env": "prod"})
    clock.advance(60)
    raw = client.beta.agents.vaults.credentials.with_raw_response.update(
        credential["id"], vault_id=vault_id, auth={"type": "static_bearer", "token": "lin_api_SECRET9"}
    )
    assert "SECRET" not in raw.http_response.text
    rotated = held(Credential, raw)
    assert rotated == {**credential, "updated_at": NOW + 60}  # the same credential: only its secret changed
    assert _secrets(credential["id"]) == {"token": "lin_api_SECRET9"}
    relabelled = client.beta.agents.vaults.credentials.update(credential["id"], vault_id=vault_id, metadata={})
    assert relabelled.metadata == {} and _secrets(credential["id"]) == {"token": "lin_api_SECRET9"}
    error = _refused(
        lambda: client.beta.agents.vaults.credentials.update(
            credential["id"], vault_id=vault_id, auth={"type": "environment_variable", "secret_value": "x"}
        )
    )
    assert error["param"] == "auth.type"


def test_an_oauth_rotation_follows_the_expiry_and_refresh_rules(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, OAUTH)
    credentials = client.beta.agents.vaults.credentials

    def rotate(**auth: Any) -> dict[str, Any]:
        sent: Any = {"type": "mcp_oauth", **auth}
        raw = credentials.with_raw_response.update(credential["id"], vault_id=vault_id, auth=sent)
        body: dict[str, Any] = held(Credential, raw)["auth"]
        return body

    assert rotate(refresh={"scope": None})["refresh"]["scope"] is None  # null: no scope sent any more
    assert rotate()["expires_at"] == "2026-12-31T23:59:59Z"  # nothing given: the expiry stays
    assert rotate(access_token="ya29.SECRET6")["expires_at"] is None  # a new token: its expiry is unknown
    assert rotate(access_token="ya29.SECRET7", expires_at="2027-01-01T00:00:00+00:00")["expires_at"] == (
        "2027-01-01T00:00:00+00:00"
    )
    rotate(refresh={"refresh_token": "1//SECRET8", "token_endpoint_auth": {"type": "client_secret_post",
                                                                           "client_secret": "SECRET10"}})  # fmt: skip
    assert _secrets(credential["id"]) == {
        "access_token": "ya29.SECRET7",
        "refresh_token": "1//SECRET8",
        "client_secret": "SECRET10",
    }
    wrong_method = _refused(
        lambda: rotate(refresh={"token_endpoint_auth": {"type": "client_secret_basic", "client_secret": "x"}})
    )
    assert wrong_method["param"] == "auth.refresh.token_endpoint_auth.type"
    plain = _credential(client, vault_id, {key: value for key, value in OAUTH.items() if key != "refresh"})
    no_refresh = _refused(
        lambda: credentials.update(
            plain["id"], vault_id=vault_id, auth={"type": "mcp_oauth", "refresh": {"refresh_token": "x"}}
        )
    )
    assert no_refresh["param"] == "auth.refresh"


def test_credentials_list_by_vault_page_and_metadata(client: openai.OpenAI, vault_id: str) -> None:
    made = []
    for index in range(4):
        made.append(_credential(client, vault_id, BEARER, name=f"C{index}", metadata={"n": str(index)})["id"])
        clock.advance(1)
    elsewhere = client.beta.agents.vaults.create().id
    foreign = _credential(client, elsewhere, BEARER)["id"]
    credentials = client.beta.agents.vaults.credentials
    page = credentials.list(vault_id, limit=3)
    assert [item.id for item in page.data] == made[::-1][:3] and page.has_more
    assert [item.id for item in credentials.list(vault_id, limit=3)] == made[::-1]
    assert [item.id for item in credentials.list(vault_id, order="asc", after=made[1])] == made[2:]
    assert [item.id for item in credentials.list(vault_id, metadata={"n": "2"})] == [made[2]]
    assert credentials.list(vault_id, status="archived").data == []
    assert [item.id for item in credentials.list(elsewhere)] == [foreign]
    wrong_vault = _refused(lambda: credentials.retrieve(foreign, vault_id=vault_id), 404)
    assert wrong_vault["param"] == "credential_id"


def test_a_deleted_credential_is_gone(client: openai.OpenAI, vault_id: str) -> None:
    credential = _credential(client, vault_id, ENV)
    deleted = held(
        CredentialDeleted,
        client.beta.agents.vaults.credentials.with_raw_response.delete(credential["id"], vault_id=vault_id),
    )
    assert deleted == {"id": credential["id"], "object": "vault.credential.deleted", "deleted": True}
    gone = _refused(lambda: client.beta.agents.vaults.credentials.retrieve(credential["id"], vault_id=vault_id), 404)
    assert gone["param"] == "credential_id"
    assert client.beta.agents.vaults.credentials.list(vault_id).data == []
    again = _credential(client, vault_id, ENV)  # its environment variable is free again
    assert json.dumps(again["auth"]).count("STRIPE_API_KEY") == 1


# --- hostile input ----------------------------------------------------------------------------------------------


def test_a_wrong_type_anywhere_is_a_400_naming_it_never_a_500() -> None:
    raw = TestClient(vaults_app, raise_server_exceptions=False)
    auth = {"Authorization": "Bearer sk-test"}
    vault = raw.post("/v1/vaults", json={"name": "Fuzz"}, headers=auth).json()["id"]
    base = f"/v1/vaults/{vault}/credentials"
    rotations = {"mcp_oauth": {"type": "mcp_oauth", "access_token": "t", "expires_at": "2027-01-01T00:00:00Z",
                               "refresh": {"refresh_token": "r", "scope": "s", "token_endpoint_auth": {
                                   "type": "client_secret_post", "client_secret": "c"}}},
                 "static_bearer": {"type": "static_bearer", "token": "t"},
                 "environment_variable": {"type": "environment_variable", "secret_value": "v"}}  # fmt: skip
    cases: list[tuple[str, dict[str, Any], Any]] = [
        ("/v1/vaults", {"name": "V", "metadata": {"k": "v"}}, Vault),
        (f"/v1/vaults/{vault}", {"name": "V", "metadata": {"k": "v"}}, Vault),
    ]
    for index, auth_body in enumerate((OAUTH, BEARER, ENV)):
        body: dict[str, Any] = {"name": "C", "metadata": {"k": "v"}, "auth": {**auth_body, "secret_name": f"S{index}"}}
        if auth_body is not ENV:
            body["auth"].pop("secret_name")
        cases.append((base, body, Credential))
        made = raw.post(base, json=body, headers=auth).json()["id"]
        cases.append((f"{base}/{made}", {"metadata": {"k": "v"}, "auth": rotations[auth_body["type"]]}, Credential))
    problems = []
    for path, body, model in cases:
        for where in paths(body):
            for value in WRONG:
                answer = raw.post(path, json=replaced(body, where, value), headers=auth)
                if answer.status_code >= 500 or (answer.status_code >= 400 and not answer.json()["error"]["param"]):
                    problems.append(f"{path} {where} = {value!r}: {answer.status_code} {answer.text[:200]}")
                elif answer.status_code == 200:
                    model.model_validate(answer.json(), strict=True)
    assert not problems, "\n".join(problems[:20])

"""Vaults and their credentials (`client.beta.agents.vaults[.credentials]`, docs/agents.md): a project's store of
secrets for MCP servers (an OAuth or bearer token per server URL) and for OpenAI-hosted environments (a secret the
egress proxy puts in place of an environment variable's placeholder). Secrets are write-only: kept apart from the
credential (`_secrets`), never answered; an update rotates them within the credential's own kind of auth.

Nothing in the API archives a vault or a credential, so all are `active`: the lists take the `status` filter and an
`archived` one finds nothing."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_metadata
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import RequestModel, Text
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.agents.definitions import tagged
from openai_mock.resources.organization.core import all_items, project_of, public
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

VAULTS = "agent_vault"
CREDENTIALS = "agent_vault_credential"
STATUSES = ("active", "archived")
ACTIVE = "active"
NAME_BYTES = 256
MAX_ALLOWED_HOSTS = 16
# Environment variables a credential may not take: the sandbox's proxy and certificate settings are the platform's.
RESERVED_SECRET_NAMES = frozenset(
    ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
     "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PIP_CERT", "GIT_SSL_CAINFO")
)  # fmt: skip
_SECRET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


# --- request shapes ---------------------------------------------------------------------------------------------


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


class VaultCreateParams(_Fields):
    name: Text | None = None
    metadata: dict[str, Text] | None = None


class VaultUpdateParams(_Fields):
    name: Text | None = None
    metadata: dict[str, Text] = Field(default_factory=dict)


class _NoClientSecret(_Fields):
    type: Literal["none"]


class _ClientSecretBasic(_Fields):
    type: Literal["client_secret_basic"]
    client_secret: Text


class _ClientSecretPost(_Fields):
    type: Literal["client_secret_post"]
    client_secret: Text


class _OAuthRefresh(_Fields):
    client_id: Annotated[Text, Field(min_length=1)]
    refresh_token: Annotated[Text, Field(min_length=1)]
    token_endpoint: Text
    token_endpoint_auth: tagged(  # type: ignore[valid-type]
        {"none": _NoClientSecret, "client_secret_basic": _ClientSecretBasic, "client_secret_post": _ClientSecretPost}
    )
    resource: Text | None = None
    scope: Text | None = None


class _McpOAuth(_Fields):
    type: Literal["mcp_oauth"]
    access_token: Annotated[Text, Field(min_length=1)]
    mcp_server_url: Text
    expires_at: Text | None = None
    refresh: _OAuthRefresh | None = None


class _StaticBearer(_Fields):
    type: Literal["static_bearer"]
    token: Annotated[Text, Field(min_length=1)]
    mcp_server_url: Text


class _Unrestricted(_Fields):
    type: Literal["unrestricted"]


class _Limited(_Fields):
    type: Literal["limited"]
    allowed_hosts: list[Text]


class _EnvironmentVariable(_Fields):
    type: Literal["environment_variable"]
    networking: tagged({"unrestricted": _Unrestricted, "limited": _Limited})  # type: ignore[valid-type]
    secret_name: Text
    secret_value: Text


class CredentialCreateParams(_Fields):
    auth: tagged(  # type: ignore[valid-type]
        {"mcp_oauth": _McpOAuth, "static_bearer": _StaticBearer, "environment_variable": _EnvironmentVariable}
    )
    name: Text
    metadata: dict[str, Text] = Field(default_factory=dict)


class _RotateClientSecret(_Fields):
    type: Literal["client_secret_basic", "client_secret_post"]
    client_secret: Text | None = None


class _RotateRefresh(_Fields):
    refresh_token: Text | None = None
    scope: Text | None = None
    token_endpoint_auth: _RotateClientSecret | None = None


class _RotateMcpOAuth(_Fields):
    type: Literal["mcp_oauth"]
    access_token: Text | None = None
    expires_at: Text | None = None
    refresh: _RotateRefresh | None = None


class _RotateStaticBearer(_Fields):
    type: Literal["static_bearer"]
    token: Annotated[Text, Field(min_length=1)]


class _RotateEnvironmentVariable(_Fields):
    type: Literal["environment_variable"]
    secret_value: Text


class CredentialUpdateParams(_Fields):
    auth: (
        tagged(  # type: ignore[valid-type]
            {
                "mcp_oauth": _RotateMcpOAuth,
                "static_bearer": _RotateStaticBearer,
                "environment_variable": _RotateEnvironmentVariable,
            }
        )
        | None
    ) = None
    metadata: dict[str, Text] = Field(default_factory=dict)


# --- checks -----------------------------------------------------------------------------------------------------


def _name(name: str, param: str = "name") -> str:
    trimmed = name.strip()
    size = len(trimmed.encode())
    if not 1 <= size <= NAME_BYTES:
        raise invalid_request(
            f"Invalid '{param}': expected 1 to {NAME_BYTES} bytes of UTF-8 after trimming, but got {size}.",
            param,
            "invalid_value",
        )
    return trimmed


def _https(url: str, param: str) -> str:
    if not re.match(r"^https://[^/\s?#]+", url):
        raise invalid_request(f"Invalid '{param}': expected an HTTPS URL, but got '{url}'.", param, "invalid_url")
    return url


def _timestamp(value: str | None, param: str) -> str | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value.upper():
        raise invalid_request(
            f"Invalid '{param}': expected an RFC 3339 timestamp such as '2026-12-31T23:59:59Z', but got '{value}'.",
            param,
            "invalid_value",
        )
    return value


def _secret_value(value: str, param: str) -> str:
    if not value or any(character in value for character in "\r\n\0"):
        raise invalid_request(
            f"Invalid '{param}': a secret must be nonempty, with no carriage return, newline or NUL character.",
            param,
            "invalid_value",
        )
    return value


def _secret_name(name: str) -> str:
    param = "auth.secret_name"
    if not _SECRET_NAME.match(name):
        raise invalid_request(
            f"Invalid '{param}': '{name}' is not an environment variable name (ASCII letters, digits and underscores, "
            "not starting with a digit).",
            param,
            "invalid_value",
        )
    if name.upper().startswith("CODEX_") or name.upper() in RESERVED_SECRET_NAMES:
        raise invalid_request(f"Invalid '{param}': '{name}' is reserved by the platform.", param, "invalid_value")
    return name


def _host(host: str, param: str) -> str:
    lowered = host.strip().lower()
    try:
        address = ipaddress.ip_address(lowered)
    except ValueError:
        address = None
    if (address is not None and address.version == 6) or (address is None and not _HOSTNAME.match(lowered)):
        raise invalid_request(
            f"Invalid '{param}': expected a hostname or IPv4 address with no scheme, path, port or wildcard, but got "
            f"'{host}'.",
            param,
            "invalid_value",
        )
    return lowered


def _networking(networking: _Unrestricted | _Limited) -> dict[str, Any]:
    if isinstance(networking, _Unrestricted):
        return {"type": "unrestricted"}
    param = "auth.networking.allowed_hosts"
    hosts = [_host(host, f"{param}[{index}]") for index, host in enumerate(networking.allowed_hosts)]
    if not 1 <= len(hosts) <= MAX_ALLOWED_HOSTS:
        raise invalid_request(
            f"Invalid '{param}': expected 1 to {MAX_ALLOWED_HOSTS} hosts, but got {len(hosts)}.", param, "invalid_value"
        )
    for index, host in enumerate(hosts):
        if host in hosts[:index]:
            raise invalid_request(
                f"Invalid '{param}[{index}]': '{host}' is listed twice.", f"{param}[{index}]", "duplicate_value"
            )
    return {"type": "limited", "allowed_hosts": hosts}


def _statuses(statuses: list[str]) -> tuple[str, ...]:
    for status in statuses:
        check_enum(status, STATUSES, "status")
    return tuple(statuses) or STATUSES


def _metadata_filter(metadata: dict[str, str]) -> dict[str, str]:
    check_metadata(metadata)
    if any(not key for key in metadata):
        raise invalid_request("Invalid 'metadata': a filter's key must be 1 to 64 characters.", "metadata")
    return metadata


def _filtered(project: str, statuses: tuple[str, ...], metadata: dict[str, str], **fields: str) -> Any:
    def keeps(item: dict[str, Any]) -> bool:
        return (
            item["_project_id"] == project
            and item["_status"] in statuses
            and all(item["metadata"].get(key) == value for key, value in metadata.items())
            and all(item[name] == value for name, value in fields.items())
        )

    return keeps


# --- vaults -----------------------------------------------------------------------------------------------------


def _stored(principal: Principal, vault_id: str) -> dict[str, Any]:
    vault = get_store().get(principal.tenant, VAULTS, vault_id)
    if vault is None or vault["_project_id"] != project_of(principal):
        raise not_found("Vault", vault_id, "vault_id")
    return vault


def stored_vault(principal: Principal, vault_id: str) -> dict[str, Any]:
    """The vault as the API shows it (the SDK's `Vault`): 404 naming `vault_id` unless it is the caller's project's.
    Sessions resolve their `vault_ids` with it."""
    return public(_stored(principal, vault_id))


def vault_credentials(principal: Principal, vault_id: str) -> list[dict[str, Any]]:
    """A vault's credentials as the API shows them, oldest first (what a session attaching the vault can use)."""
    _stored(principal, vault_id)
    return [public(item) for item in _credentials_of(principal.tenant, vault_id)]


def _credentials_of(tenant: str, vault_id: str) -> list[dict[str, Any]]:
    return all_items(tenant, CREDENTIALS, lambda item: item["vault_id"] == vault_id)


def create_vault(principal: Principal, sent: VaultCreateParams) -> dict[str, Any]:
    check_metadata(sent.metadata)
    vault = {
        "id": ids.new_id("vault"),
        "object": "vault",
        "created_at": clock.now_seconds(),
        "name": None if sent.name is None else _name(sent.name),
        "metadata": dict(sent.metadata or {}),
        "_project_id": project_of(principal),
        "_status": ACTIVE,
    }
    get_store().create(principal.tenant, VAULTS, vault)
    return public(vault)


def update_vault(principal: Principal, vault_id: str, sent: VaultUpdateParams) -> dict[str, Any]:
    _stored(principal, vault_id)
    changes: dict[str, Any] = {}
    if "name" in sent.model_fields_set:
        changes["name"] = None if sent.name is None else _name(sent.name)
    if "metadata" in sent.model_fields_set:
        check_metadata(sent.metadata)
        changes["metadata"] = dict(sent.metadata)
    updated = get_store().update(principal.tenant, VAULTS, vault_id, lambda vault: {**vault, **changes})
    if updated is None:
        raise not_found("Vault", vault_id, "vault_id")
    return public(updated)


def list_vaults(
    principal: Principal, params: ListParams, statuses: list[str], metadata: dict[str, str]
) -> dict[str, Any]:
    keeps = _filtered(project_of(principal), _statuses(statuses), _metadata_filter(metadata))
    page = get_store().list(
        principal.tenant, VAULTS, limit=params.limit, order=params.order, after=params.after, where=keeps
    )
    return list_object(page, view=public)


def delete_vault(principal: Principal, vault_id: str) -> dict[str, Any]:
    """The vault and every credential in it."""
    _stored(principal, vault_id)
    store = get_store()
    for credential in _credentials_of(principal.tenant, vault_id):
        store.delete(principal.tenant, CREDENTIALS, credential["id"])
    store.delete(principal.tenant, VAULTS, vault_id)
    return {"id": vault_id, "object": "vault.deleted", "deleted": True}


# --- credentials ------------------------------------------------------------------------------------------------


def _oauth(auth: _McpOAuth) -> tuple[dict[str, Any], dict[str, Any]]:
    """An OAuth credential's public auth and its secrets."""
    secrets: dict[str, Any] = {"access_token": auth.access_token}
    refresh = None
    if auth.refresh is not None:
        sent = auth.refresh
        method = sent.token_endpoint_auth
        refresh = {
            "client_id": sent.client_id,
            "resource": sent.resource,
            "scope": sent.scope,
            "token_endpoint": _https(sent.token_endpoint, "auth.refresh.token_endpoint"),
            "token_endpoint_auth": {"type": method.type},
        }
        secrets["refresh_token"] = sent.refresh_token
        if not isinstance(method, _NoClientSecret):
            secrets["client_secret"] = _secret_value(
                method.client_secret, "auth.refresh.token_endpoint_auth.client_secret"
            )
    public_auth = {
        "type": "mcp_oauth",
        "mcp_server_url": _https(auth.mcp_server_url, "auth.mcp_server_url"),
        "expires_at": _timestamp(auth.expires_at, "auth.expires_at"),
        "refresh": refresh,
    }
    return public_auth, secrets


def _auth(auth: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a credential shows of its auth, and the secrets it keeps to itself."""
    if isinstance(auth, _McpOAuth):
        return _oauth(auth)
    if isinstance(auth, _StaticBearer):
        url = _https(auth.mcp_server_url, "auth.mcp_server_url")
        return {"type": "static_bearer", "mcp_server_url": url}, {"token": auth.token}
    return (
        {"type": "environment_variable", "secret_name": _secret_name(auth.secret_name),
         "networking": _networking(auth.networking)},
        {"secret_value": _secret_value(auth.secret_value, "auth.secret_value")},
    )  # fmt: skip


def _stored_credential(principal: Principal, vault_id: str, credential_id: str) -> dict[str, Any]:
    _stored(principal, vault_id)
    credential = get_store().get(principal.tenant, CREDENTIALS, credential_id)
    if credential is None or credential["vault_id"] != vault_id:
        raise not_found("VaultCredential", credential_id, "credential_id")
    return credential


def _check_secret_name_free(principal: Principal, vault_id: str, secret_name: str) -> None:
    """One credential per environment variable in a vault: two would race for the same placeholder."""
    taken = all_items(
        principal.tenant,
        CREDENTIALS,
        lambda item: item["vault_id"] == vault_id and item["auth"].get("secret_name") == secret_name,
    )
    if taken:
        raise OpenAIError(
            409,
            f"Vault {vault_id} already has a credential for the environment variable '{secret_name}' "
            f"({taken[0]['id']}): rotate its secret, or delete it first.",
            param="auth.secret_name",
            code="conflict",
        )


def create_credential(principal: Principal, vault_id: str, sent: CredentialCreateParams) -> dict[str, Any]:
    _stored(principal, vault_id)
    check_metadata(sent.metadata)
    auth, secrets = _auth(sent.auth)
    if auth["type"] == "environment_variable":
        _check_secret_name_free(principal, vault_id, auth["secret_name"])
    now = clock.now_seconds()
    credential = {
        "id": ids.new_id("vault.credential"),
        "object": "vault.credential",
        "vault_id": vault_id,
        "name": _name(sent.name),
        "auth": auth,
        "metadata": dict(sent.metadata),
        "created_at": now,
        "updated_at": now,
        "_secrets": secrets,
        "_project_id": project_of(principal),
        "_status": ACTIVE,
    }
    get_store().create(principal.tenant, CREDENTIALS, credential)
    return public(credential)


def retrieve_credential(principal: Principal, vault_id: str, credential_id: str) -> dict[str, Any]:
    return public(_stored_credential(principal, vault_id, credential_id))


def _rotate_oauth(credential: dict[str, Any], sent: _RotateMcpOAuth) -> dict[str, Any]:
    auth, secrets = dict(credential["auth"]), dict(credential["_secrets"])
    given = sent.model_fields_set
    if sent.access_token is not None:
        secrets["access_token"] = _secret_value(sent.access_token, "auth.access_token")
        auth["expires_at"] = None  # a new token's expiry is unknown unless given with it
    if "expires_at" in given:
        auth["expires_at"] = _timestamp(sent.expires_at, "auth.expires_at")
    if sent.refresh is not None:
        auth["refresh"], secrets = _rotate_refresh(auth["refresh"], secrets, sent.refresh)
    return {**credential, "auth": auth, "_secrets": secrets}


def _rotate_refresh(
    refresh: dict[str, Any] | None, secrets: dict[str, Any], sent: _RotateRefresh
) -> tuple[dict[str, Any], dict[str, Any]]:
    if refresh is None:
        raise invalid_request(
            "Invalid 'auth.refresh': this credential has no refresh configuration to update; create a credential "
            "with `refresh` instead.",
            "auth.refresh",
            "invalid_value",
        )
    refresh, secrets = dict(refresh), dict(secrets)
    if sent.refresh_token is not None:
        secrets["refresh_token"] = _secret_value(sent.refresh_token, "auth.refresh.refresh_token")
    if "scope" in sent.model_fields_set:
        refresh["scope"] = sent.scope
    method = sent.token_endpoint_auth
    if method is not None:
        param = "auth.refresh.token_endpoint_auth"
        if method.type != refresh["token_endpoint_auth"]["type"]:
            raise invalid_request(
                f"Invalid '{param}.type': the token endpoint authenticates with "
                f"'{refresh['token_endpoint_auth']['type']}', not '{method.type}'.",
                f"{param}.type",
                "invalid_value",
            )
        if method.client_secret is not None:
            secrets["client_secret"] = _secret_value(method.client_secret, f"{param}.client_secret")
    return refresh, secrets


def _rotate(credential: dict[str, Any], sent: Any) -> dict[str, Any]:
    """The credential with its secret replaced, within its kind of auth (a kind never changes)."""
    kind = credential["auth"]["type"]
    if sent.type != kind:
        raise invalid_request(
            f"Invalid 'auth.type': this credential's auth is '{kind}', not '{sent.type}'; create a new credential "
            "to change it.",
            "auth.type",
            "invalid_value",
        )
    if isinstance(sent, _RotateMcpOAuth):
        return _rotate_oauth(credential, sent)
    if isinstance(sent, _RotateStaticBearer):
        return {**credential, "_secrets": {"token": sent.token}}
    return {**credential, "_secrets": {"secret_value": _secret_value(sent.secret_value, "auth.secret_value")}}


def update_credential(
    principal: Principal, vault_id: str, credential_id: str, sent: CredentialUpdateParams
) -> dict[str, Any]:
    _stored_credential(principal, vault_id, credential_id)
    if "metadata" in sent.model_fields_set:
        check_metadata(sent.metadata)

    def change(credential: dict[str, Any]) -> dict[str, Any]:
        changed = credential if sent.auth is None else _rotate(credential, sent.auth)
        if "metadata" in sent.model_fields_set:
            changed = {**changed, "metadata": dict(sent.metadata)}
        return {**changed, "updated_at": clock.now_seconds()}

    updated = get_store().update(principal.tenant, CREDENTIALS, credential_id, change)
    if updated is None:
        raise not_found("VaultCredential", credential_id, "credential_id")
    return public(updated)


def list_credentials(
    principal: Principal, vault_id: str, params: ListParams, statuses: list[str], metadata: dict[str, str]
) -> dict[str, Any]:
    _stored(principal, vault_id)
    keeps = _filtered(project_of(principal), _statuses(statuses), _metadata_filter(metadata), vault_id=vault_id)
    page = get_store().list(
        principal.tenant, CREDENTIALS, limit=params.limit, order=params.order, after=params.after, where=keeps
    )
    return list_object(page, view=public)


def delete_credential(principal: Principal, vault_id: str, credential_id: str) -> dict[str, Any]:
    _stored_credential(principal, vault_id, credential_id)
    get_store().delete(principal.tenant, CREDENTIALS, credential_id)
    return {"id": credential_id, "object": "vault.credential.deleted", "deleted": True}

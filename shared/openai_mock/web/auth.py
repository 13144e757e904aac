"""Authentication and tenancy. The tenant is a hash of the API key (never the key itself), and every
stored object belongs to exactly one tenant, so nobody sees another key's objects."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.web.request_state import state_of

ADMIN_KEY_PREFIX = "sk-admin-"

_MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) "
    "if you're accessing the API from your browser and are prompted for a username and password. You can "
    "obtain an API key from https://platform.openai.com/account/api-keys."
)


class Principal(NamedTuple):
    """Who is calling: the tenant that owns their objects, and whether they hold an admin key."""

    tenant: str
    organization_id: str
    is_admin: bool
    # Set for keys created through the Administration API (see `registered_key`), None otherwise.
    project_id: str | None = None
    api_key_id: str | None = None
    # Who owns a project key (a user or service account id): whose project roles bind it (web/access.py).
    owner_id: str | None = None
    # A restricted project key's scopes (web/access.py); empty: all its owner may do.
    scopes: tuple[str, ...] = ()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _redact(key: str) -> str:
    return f"{key[:4]}{'*' * 12}{key[-4:]}" if len(key) > 8 else "*" * len(key)


# Keys created through the Administration API (admin keys, service-account keys) belong to the
# organization that created them, not to a tenant of their own: they are registered in the store by
# digest under this tenant-less scope, written by `openai_mock.organization`, read here.
KEY_REGISTRY_TENANT = "_global"
KEY_REGISTRY_COLLECTION = "api_key"
# An access token a workload got for its identity token (resources/organization/workload_identity.py).
WORKLOAD_TOKEN_PREFIX = "oai-wif-"
REGISTERED_KEY_PREFIXES = (ADMIN_KEY_PREFIX, "sk-svcacct-", WORKLOAD_TOKEN_PREFIX)
# Users' project keys look like any `sk-proj-…` key; the ones the mock mints end in a check of the rest, so
# that ordinary `sk-proj-` keys (what most users paste) are told apart without a store read.
USER_PROJECT_KEY_PREFIX = "sk-proj-"
_SEAL_LENGTH = 6


def _seal(body: str) -> str:
    return hashlib.sha256(f"openai-mock|{body}".encode()).hexdigest()[:_SEAL_LENGTH]


def seal_project_key(body: str) -> str:
    """A user's project key (`sk-proj-…`) the mock recognises as minted by it."""
    return body + _seal(body)


def _minted_project_key(key: str) -> bool:
    return key.startswith(USER_PROJECT_KEY_PREFIX) and key[-_SEAL_LENGTH:] == _seal(key[:-_SEAL_LENGTH])


def key_digest(key: str) -> str:
    return _digest(key)


def registered_key(key: str) -> dict[str, Any] | None:
    """The registry entry of a key created through the API (only keys shaped like one are looked up)."""
    if not key.startswith(REGISTERED_KEY_PREFIXES) and not _minted_project_key(key):
        return None
    return get_store().get(KEY_REGISTRY_TENANT, KEY_REGISTRY_COLLECTION, _digest(key))


def _incorrect_key(key: str) -> OpenAIError:
    return OpenAIError(
        401,
        f"Incorrect API key provided: {_redact(key)}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def principal_for_key(key: str) -> Principal:
    """Map an API key to its principal, or raise OpenAI's 401."""
    entry = registered_key(key)
    if entry is not None:
        expires_at = entry.get("expires_at")  # a key made with `expires_in_seconds` (admin or project)
        if entry.get("revoked") or (expires_at is not None and clock.now_seconds() >= expires_at):
            raise _incorrect_key(key)
        return Principal(
            tenant=entry["tenant"],
            organization_id=entry["organization_id"],
            is_admin=entry["is_admin"],
            project_id=entry.get("project_id"),
            api_key_id=entry.get("api_key_id"),
            owner_id=entry.get("owner_id"),
            scopes=tuple(entry.get("scopes") or ()),
        )
    settings = get_settings()
    principal = _plain_principal(key, settings.api_keys, settings.admin_keys)
    if principal is None:
        raise _incorrect_key(key)
    return principal


@lru_cache(maxsize=4096)
def _plain_principal(key: str, api_keys: tuple[str, ...], admin_keys: tuple[str, ...]) -> Principal | None:
    """The principal of a key the API did not create: a function of the key and the deployment's key lists only,
    so remembered (every request asks; a SHA-256 and three strings each time otherwise). None: not accepted."""
    is_admin = key.startswith(ADMIN_KEY_PREFIX) or key in admin_keys
    if api_keys and key not in api_keys and not is_admin:
        return None
    digest = _digest(key)
    return Principal(tenant=f"t_{digest[:32]}", organization_id=f"org-{digest[32:56]}", is_admin=is_admin)


def authenticate(authorization: str) -> Principal:
    """The principal for an `Authorization` header value, or OpenAI's 401. The app middleware calls this
    for every request (a FastAPI dependency per route would cost more than the rest of a request)."""
    scheme, _, key = authorization.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise OpenAIError(401, _MISSING_KEY_MESSAGE, code="invalid_api_key")
    return principal_for_key(key)


def principal_of(request: Request) -> Principal:
    """Who is calling, as OpenAIMiddleware authenticated them (`request.state.principal`). Routes read it here
    rather than through a FastAPI dependency, which cost ~9 µs per request: more than the rest of a
    model-catalogue request; and from the scope's state itself, without building Starlette's `State` around it."""
    principal: Principal = state_of(request.scope)["principal"]
    return principal


def tenant_of(request: Request) -> str:
    """The tenant the caller's objects belong to."""
    return principal_of(request).tenant


async def require_admin(request: Request) -> Principal:
    """Dependency for `/organization/*`: only admin keys may manage an organization. A dependency, so the
    403 comes before any body validation, as the real API answers."""
    principal = principal_of(request)
    if not principal.is_admin:
        raise OpenAIError(
            403,
            "You have insufficient permissions for this operation. Missing scopes: api.management.read. "
            "Use an admin key (sk-admin-…) to call the Administration API.",
            code="insufficient_permissions",
        )
    return principal


AdminPrincipal = Annotated[Principal, Depends(require_admin)]

"""Authentication and tenancy. The tenant is a hash of the API key (never the key itself), and every
stored object belongs to exactly one tenant, so nobody sees another key's objects."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from openai_mock.errors import OpenAIError
from openai_mock.settings import get_settings

ADMIN_KEY_PREFIX = "sk-admin-"

_MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) "
    "if you're accessing the API from your browser and are prompted for a username and password. You can "
    "obtain an API key from https://platform.openai.com/account/api-keys."
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant that owns their objects, and whether they hold an admin key."""

    tenant: str
    organization_id: str
    is_admin: bool


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _redact(key: str) -> str:
    return f"{key[:4]}{'*' * 12}{key[-4:]}" if len(key) > 8 else "*" * len(key)


def principal_for_key(key: str) -> Principal:
    """Map an API key to its principal, or raise OpenAI's 401."""
    settings = get_settings()
    is_admin = key.startswith(ADMIN_KEY_PREFIX) or key in settings.admin_keys
    if settings.api_keys and key not in settings.api_keys and not is_admin:
        raise OpenAIError(
            401,
            f"Incorrect API key provided: {_redact(key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )
    digest = _digest(key)
    return Principal(tenant=f"t_{digest[:32]}", organization_id=f"org-{digest[32:56]}", is_admin=is_admin)


def authenticate(request: Request) -> Principal:
    """FastAPI dependency applied to every route: reads `Authorization: Bearer <key>`."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise OpenAIError(401, _MISSING_KEY_MESSAGE, code="invalid_api_key")
    principal = principal_for_key(key)
    request.state.principal = principal
    return principal


def require_admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    """Dependency for `/organization/*`: only admin keys may manage an organization."""
    if not principal.is_admin:
        raise OpenAIError(
            403,
            "You have insufficient permissions for this operation. Missing scopes: api.management.read. "
            "Use an admin key (sk-admin-…) to call the Administration API.",
            code="insufficient_permissions",
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]

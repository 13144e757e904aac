"""API keys made through the Administration API: admin keys, and the project keys of service
accounts. Each secret is shown once; a digest of it is registered (auth.KEY_REGISTRY_*) so that the
key authenticates as its organization (admin keys) or its project (service-account keys)."""

from __future__ import annotations

import secrets
from typing import Any

from openai_mock import clock, ids
from openai_mock.checks import check_range
from openai_mock.errors import not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import ADMIN_KEYS, Organization, get_user, public
from openai_mock.store import get_store
from openai_mock.web.auth import KEY_REGISTRY_COLLECTION, KEY_REGISTRY_TENANT, Principal, key_digest


def new_secret(prefix: str) -> str:
    # Secrets are random, not seeded: two identical create requests must not mint the same key.
    return prefix + secrets.token_urlsafe(60).replace("-", "A").replace("_", "b")[:74]


def redact(secret: str) -> str:
    head = secret.split("-")[:2]
    return f"{'-'.join(head)[:10]}...{secret[-4:]}"


def register(
    secret: str,
    org: Organization,
    principal_id: str,
    *,
    is_admin: bool,
    project_id: str | None = None,
    owner_id: str | None = None,
    expires_at: int | None = None,
    scopes: list[str] | None = None,
) -> str:
    """Make `secret` authenticate as a member of `org`; returns its digest (kept to revoke it). A project key
    names its `owner_id` (the user or service account whose project roles bind it: web/access.py), and its
    `scopes` when it is restricted."""
    digest = key_digest(secret)
    get_store().create(
        KEY_REGISTRY_TENANT,
        KEY_REGISTRY_COLLECTION,
        {
            "id": digest,
            "tenant": org.tenant,
            "organization_id": org.id,
            "is_admin": is_admin,
            "project_id": project_id,
            "api_key_id": principal_id,
            "owner_id": owner_id,
            "revoked": False,
            "expires_at": expires_at,
            "scopes": scopes or [],
        },
    )
    return digest


def amend(digest: str, changes: dict[str, Any]) -> None:
    """A registered key's new expiry or scopes, in force from its next request on (a key never registered, such
    as the one a new organization's default service account shows, has nothing to amend)."""
    get_store().update(KEY_REGISTRY_TENANT, KEY_REGISTRY_COLLECTION, digest, lambda entry: {**entry, **changes})


def revoke(digest: str) -> None:
    """A deleted key answers 401 from now on (rather than becoming a fresh organization's key)."""
    get_store().update(KEY_REGISTRY_TENANT, KEY_REGISTRY_COLLECTION, digest, lambda entry: {**entry, "revoked": True})


# `expires_in_seconds` of a new admin key: one second to a year.
MAX_ADMIN_KEY_SECONDS = 365 * 86_400


def create_admin_key(
    org: Organization, principal: Principal, name: str, expires_in_seconds: int | None = None
) -> dict[str, Any]:
    """A new admin key, its secret answered only now. With `expires_in_seconds` it stops authenticating at its
    `expires_at` (401, as an expired project key: web/auth.py)."""
    check_range(expires_in_seconds, "expires_in_seconds", 1, MAX_ADMIN_KEY_SECONDS)
    owner = get_user(org, org.owner_id)
    secret = new_secret("sk-admin-")
    key_id = ids.new_id("organization.admin_api_key")
    now = clock.now_seconds()
    expires_at = None if expires_in_seconds is None else now + expires_in_seconds
    key = {
        "object": "organization.admin_api_key",
        "id": key_id,
        "name": name,
        "redacted_value": redact(secret),
        "created_at": now,
        "expires_at": expires_at,
        "last_used_at": None,
        "owner": {
            "type": "user",
            "object": "organization.user",
            "id": owner["id"],
            "name": owner["name"],
            "created_at": owner["added_at"],
            "role": owner["role"],
        },
    }
    key["_digest"] = register(secret, org, key_id, is_admin=True, expires_at=expires_at)
    stored = get_store().create(org.tenant, ADMIN_KEYS, key)
    audit_logs.record(
        org,
        principal,
        "api_key.created",
        {"id": key_id, "data": {"scopes": ["api.management.read", "api.management.write"]}},
    )
    return {**public(stored), "value": secret}


def list_admin_keys(org: Organization, params: ListParams) -> dict[str, Any]:
    page = get_store().list(org.tenant, ADMIN_KEYS, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=public)


def retrieve_admin_key(org: Organization, key_id: str) -> dict[str, Any]:
    key = get_store().get(org.tenant, ADMIN_KEYS, key_id)
    if key is None:
        raise not_found("AdminApiKey", key_id, "key_id")
    return public(key)


def delete_admin_key(org: Organization, principal: Principal, key_id: str) -> dict[str, Any]:
    key = get_store().delete(org.tenant, ADMIN_KEYS, key_id)
    if key is None:
        raise not_found("AdminApiKey", key_id, "key_id")
    revoke(key["_digest"])
    audit_logs.record(org, principal, "api_key.deleted", {"id": key_id})
    return {"id": key_id, "object": "organization.admin_api_key.deleted", "deleted": True}

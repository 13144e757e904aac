"""Projects and what lives in them: users, service accounts (with their API keys), project API keys
and per-model rate limits. An archived project can still be read but refuses every write."""

from __future__ import annotations

from typing import Any

from openai_mock import clock, ids
from openai_mock.checks import check_range
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import access, admin_api_keys, audit_logs
from openai_mock.resources.organization.core import (
    PROJECTS,
    Organization,
    all_items,
    get_project,
    get_user,
    project_keys,
    project_user,
    project_users,
    public,
    rate_limits,
    service_accounts,
    writable_project,
)
from openai_mock.resources.organization.ratelimit_defaults import LIMIT_FIELDS, ceiling, default_rate_limits
from openai_mock.store import get_store
from openai_mock.web.auth import USER_PROJECT_KEY_PREFIX, Principal, seal_project_key


def _check_name(name: str) -> str:
    if not name.strip():
        raise invalid_request(
            "Invalid 'name': string too short. Expected a string with minimum length 1.",
            "name",
            "string_below_min_length",
        )
    return name


# --- projects -----------------------------------------------------------------------------------


def create_project(org: Organization, principal: Principal, name: str) -> dict[str, Any]:
    project: dict[str, Any] = {
        "id": ids.new_id("organization.project"),
        "object": "organization.project",
        "name": _check_name(name),
        "created_at": clock.now_seconds(),
        "archived_at": None,
        "status": "active",
    }
    stored = get_store().create(org.tenant, PROJECTS, project)
    get_store().create_many(org.tenant, rate_limits(project["id"]), default_rate_limits())
    audit_logs.record(
        org, principal, "project.created", {"id": project["id"], "data": {"name": name, "title": name}}, project
    )
    return stored


def list_projects(org: Organization, params: ListParams, include_archived: bool) -> dict[str, Any]:
    page = get_store().list(
        org.tenant,
        PROJECTS,
        limit=params.limit,
        order="asc",
        after=params.after,
        where=None if include_archived else (lambda project: project["status"] == "active"),
    )
    return list_object(page)


def modify_project(org: Organization, principal: Principal, project_id: str, name: str) -> dict[str, Any]:
    writable_project(org, project_id)
    _check_name(name)
    updated = get_store().update(org.tenant, PROJECTS, project_id, lambda project: {**project, "name": name})
    if updated is None:
        raise not_found("Project", project_id)
    audit_logs.record(
        org, principal, "project.updated", {"id": project_id, "changes_requested": {"title": name}}, updated
    )
    return updated


def archive_project(org: Organization, principal: Principal, project_id: str) -> dict[str, Any]:
    project = get_project(org, project_id)
    if project["status"] == "archived":
        return project  # archiving twice changes nothing
    now = clock.now_seconds()
    archived = get_store().update(
        org.tenant, PROJECTS, project_id, lambda current: {**current, "status": "archived", "archived_at": now}
    )
    assert archived is not None
    for key in all_items(org.tenant, project_keys(project_id)):  # its keys stop working, as on the real API
        admin_api_keys.revoke(key["_digest"])
    audit_logs.record(org, principal, "project.archived", {"id": project_id}, archived)
    return archived


# --- project users ------------------------------------------------------------------------------


def _get_project_user(org: Organization, project_id: str, user_id: str) -> dict[str, Any]:
    member = get_store().get(org.tenant, project_users(project_id), user_id)
    if member is None:
        raise not_found("ProjectUser", user_id, "user_id")
    return member


def list_project_users(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(org.tenant, project_users(project_id), limit=params.limit, order="asc", after=params.after)
    return list_object(page)


def retrieve_project_user(org: Organization, project_id: str, user_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    return _get_project_user(org, project_id, user_id)


def create_project_user(
    org: Organization, principal: Principal, project_id: str, user_id: str, role: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    user = get_user(org, user_id)
    collection = project_users(project_id)
    if get_store().get(org.tenant, collection, user_id) is not None:
        raise invalid_request(f"User {user_id} is already a member of project {project_id}.", "user_id")
    member = get_store().create(org.tenant, collection, project_user(user, role, clock.now_seconds()))
    audit_logs.record(org, principal, "user.added", {"id": user_id, "data": {"role": role}}, project)
    access.refresh(org, project_id)
    return member


def modify_project_user(
    org: Organization, principal: Principal, project_id: str, user_id: str, role: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    current = _get_project_user(org, project_id, user_id)
    updated = get_store().update(
        org.tenant, project_users(project_id), user_id, lambda member: {**member, "role": role}
    )
    assert updated is not None
    access.swap_legacy_role(org, project_id, user_id, current["role"], role)
    audit_logs.record(org, principal, "user.updated", {"id": user_id, "changes_requested": {"role": role}}, project)
    access.refresh(org, project_id)
    return updated


def delete_project_user(org: Organization, principal: Principal, project_id: str, user_id: str) -> dict[str, Any]:
    project = writable_project(org, project_id)
    _get_project_user(org, project_id, user_id)
    get_store().delete(org.tenant, project_users(project_id), user_id)
    access.forget(org, project_id, access.USER, user_id)
    audit_logs.record(org, principal, "user.deleted", {"id": user_id}, project)
    access.refresh(org, project_id)
    return {"object": "organization.project.user.deleted", "id": user_id, "deleted": True}


# --- service accounts and project API keys -------------------------------------------------------


def _get_service_account(org: Organization, project_id: str, account_id: str) -> dict[str, Any]:
    account = get_store().get(org.tenant, service_accounts(project_id), account_id)
    if account is None:
        raise not_found("ProjectServiceAccount", account_id, "service_account_id")
    return account


def create_service_account(org: Organization, principal: Principal, project_id: str, name: str) -> dict[str, Any]:
    """A service account comes with one project API key, whose secret is answered only here."""
    project = writable_project(org, project_id)
    now = clock.now_seconds()
    account: dict[str, Any] = {
        "object": "organization.project.service_account",
        "id": ids.new_id("organization.project.service_account"),
        "name": _check_name(name),
        "role": "member",
        "created_at": now,
    }
    get_store().create(org.tenant, service_accounts(project_id), account)
    audit_logs.record(
        org, principal, "service_account.created", {"id": account["id"], "data": {"role": "member"}}, project
    )
    return {**account, "api_key": _new_account_key(org, principal, project, account, "Secret Key", ["/v1/*"])}


def _new_account_key(
    org: Organization,
    principal: Principal,
    project: dict[str, Any],
    account: dict[str, Any],
    name: str,
    scopes: list[str],
    expires_in_seconds: int | None = None,
) -> dict[str, Any]:
    """A new project API key of a service account: registered (it authenticates as the project), listed among
    the project's keys, its secret answered only now. With `expires_in_seconds` it stops working then (401)."""
    now = clock.now_seconds()
    expires_at = None if expires_in_seconds is None else now + expires_in_seconds
    secret = admin_api_keys.new_secret("sk-svcacct-")
    key_id = ids.new_id("organization.project.api_key")
    owner = {key: account[key] for key in ("object", "id", "name", "role", "created_at")}
    key = {
        "object": "organization.project.api_key",
        "redacted_value": admin_api_keys.redact(secret),
        "name": name,
        "created_at": now,
        "last_used_at": None,
        "id": key_id,
        "owner": {"type": "service_account", "service_account": owner},
        "owner_project_access": "active",
        "_digest": admin_api_keys.register(
            secret,
            org,
            key_id,
            is_admin=False,
            project_id=project["id"],
            owner_id=account["id"],
            expires_at=expires_at,
        ),
    }
    get_store().create(org.tenant, project_keys(project["id"]), key)
    access.refresh(org, project["id"])
    audit_logs.record(org, principal, "api_key.created", {"id": key_id, "data": {"scopes": scopes}}, project)
    return {
        "object": "organization.project.service_account.api_key",
        "value": secret,
        "name": name,
        "created_at": now,
        "id": key_id,
    }


def create_service_account_key(
    org: Organization,
    principal: Principal,
    project_id: str,
    account_id: str,
    name: str | None,
    scopes: list[str],
    expires_in_seconds: int | None = None,
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    account = _get_service_account(org, project_id, account_id)
    if expires_in_seconds is not None:
        check_range(expires_in_seconds, "expires_in_seconds", minimum=1)
    if name is not None:
        _check_name(name)
    return _new_account_key(
        org, principal, project, account, name or "Secret Key", scopes or ["/v1/*"], expires_in_seconds
    )


def update_service_account(
    org: Organization, principal: Principal, project_id: str, account_id: str, changes: dict[str, str]
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    _get_service_account(org, project_id, account_id)
    if "name" in changes:
        _check_name(changes["name"])
    updated = get_store().update(
        org.tenant, service_accounts(project_id), account_id, lambda account: {**account, **changes}
    )
    assert updated is not None

    def renamed(key: dict[str, Any]) -> dict[str, Any]:
        owner = key["owner"]
        return {**key, "owner": {**owner, "service_account": {**owner["service_account"], **changes}}}

    for key in all_items(org.tenant, project_keys(project_id)):  # its keys show their owner as it is now
        if key["owner"].get("service_account", {}).get("id") == account_id:
            get_store().update(org.tenant, project_keys(project_id), key["id"], renamed)
    audit_logs.record(
        org, principal, "service_account.updated", {"id": account_id, "changes_requested": changes}, project
    )
    return updated


def list_service_accounts(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(
        org.tenant, service_accounts(project_id), limit=params.limit, order="asc", after=params.after
    )
    return list_object(page)


def retrieve_service_account(org: Organization, project_id: str, account_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    return _get_service_account(org, project_id, account_id)


def delete_service_account(org: Organization, principal: Principal, project_id: str, account_id: str) -> dict[str, Any]:
    """Its API keys go with it."""
    project = writable_project(org, project_id)
    _get_service_account(org, project_id, account_id)
    for key in all_items(org.tenant, project_keys(project_id)):
        if key["owner"].get("service_account", {}).get("id") == account_id:
            get_store().delete(org.tenant, project_keys(project_id), key["id"])
            admin_api_keys.revoke(key["_digest"])
    get_store().delete(org.tenant, service_accounts(project_id), account_id)
    access.forget(org, project_id, access.USER, account_id)
    audit_logs.record(org, principal, "service_account.deleted", {"id": account_id}, project)
    access.refresh(org, project_id)
    return {"object": "organization.project.service_account.deleted", "id": account_id, "deleted": True}


def _key_view(key: dict[str, Any]) -> dict[str, Any]:
    """A project API key as the 2026 API shows it (`last_used_at`, `owner_project_access` on older records too)."""
    return {"last_used_at": None, "owner_project_access": "active", **public(key)}


def list_project_keys(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(org.tenant, project_keys(project_id), limit=params.limit, order="asc", after=params.after)
    return list_object(page, view=_key_view)


def retrieve_project_key(org: Organization, project_id: str, key_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    key = get_store().get(org.tenant, project_keys(project_id), key_id)
    if key is None:
        raise not_found("ProjectApiKey", key_id, "api_key_id")
    return _key_view(key)


def delete_project_key(org: Organization, principal: Principal, project_id: str, key_id: str) -> dict[str, Any]:
    project = writable_project(org, project_id)
    key = get_store().delete(org.tenant, project_keys(project_id), key_id)
    if key is None:
        raise not_found("ProjectApiKey", key_id, "api_key_id")
    admin_api_keys.revoke(key["_digest"])
    audit_logs.record(org, principal, "api_key.deleted", {"id": key_id}, project)
    return {"object": "organization.project.api_key.deleted", "id": key_id, "deleted": True}


# --- rate limits ---------------------------------------------------------------------------------


def list_rate_limits(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(
        org.tenant, rate_limits(project_id), limit=params.limit, order="asc", after=params.after, before=params.before
    )
    return list_object(page)


def _validate_limits(model: str, changes: dict[str, int]) -> None:
    """A project may lower a limit, never exceed the organization's; only limits a model has apply."""
    allowed = ceiling(model)
    for name, value in changes.items():
        if name not in allowed:
            raise invalid_request(f"The rate limit '{name}' does not apply to model {model}.", name)
        check_range(value, name, minimum=0)
        if value > allowed[name]:
            raise invalid_request(
                f"Invalid '{name}': {value} exceeds the organization's limit of {allowed[name]} for {model}.",
                name,
                "integer_above_max_value",
            )


def update_rate_limit(
    org: Organization, principal: Principal, project_id: str, rate_limit_id: str, changes: dict[str, int]
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    current = get_store().get(org.tenant, rate_limits(project_id), rate_limit_id)
    if current is None:
        raise not_found("ProjectRateLimit", rate_limit_id, "rate_limit_id")
    changes = {name: value for name, value in changes.items() if name in LIMIT_FIELDS}
    _validate_limits(current["model"], changes)
    updated = get_store().update(org.tenant, rate_limits(project_id), rate_limit_id, lambda limit: {**limit, **changes})
    assert updated is not None
    audit_logs.record(
        org, principal, "rate_limit.updated", {"id": rate_limit_id, "changes_requested": changes}, project
    )
    return updated


# --- users' project keys -------------------------------------------------------------------------


def create_user_project_key(
    org: Organization, principal: Principal, project_id: str, user_id: str, name: str = "Secret Key"
) -> dict[str, Any]:
    """A project API key owned by a project user, as a user makes one in the dashboard (the API has no operation
    for it): a mock control for tests and demos. It is bound by its owner's project roles; the answer carries
    its secret (`value`) once."""
    project = writable_project(org, project_id)
    member = _get_project_user(org, project_id, user_id)
    secret = seal_project_key(admin_api_keys.new_secret(USER_PROJECT_KEY_PREFIX))
    key_id = ids.new_id("organization.project.api_key")
    key = {
        "object": "organization.project.api_key",
        "redacted_value": admin_api_keys.redact(secret),
        "name": name,
        "created_at": clock.now_seconds(),
        "id": key_id,
        "owner": {"type": "user", "user": member},
        "_digest": admin_api_keys.register(
            secret, org, key_id, is_admin=False, project_id=project_id, owner_id=user_id
        ),
    }
    get_store().create(org.tenant, project_keys(project_id), key)
    audit_logs.record(org, principal, "api_key.created", {"id": key_id, "data": {"scopes": ["/v1/*"]}}, project)
    access.refresh(org, project_id)
    return {**public(key), "value": secret}

"""Projects and what lives in them: users, service accounts (with their API keys), project API keys
and per-model rate limits. An archived project can still be read but refuses every write."""

from __future__ import annotations

from typing import Any

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_range
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import access, admin_api_keys, audit_logs, external_keys, spend
from openai_mock.resources.organization.core import (
    PROJECTS,
    USERS,
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
from openai_mock.web.permissions import valid_key_scope


def _check_name(name: str) -> str:
    if not name.strip():
        raise invalid_request(
            "Invalid 'name': string too short. Expected a string with minimum length 1.",
            "name",
            "string_below_min_length",
        )
    return name


# --- projects -----------------------------------------------------------------------------------


# Where a project's data is stored and processed (`residency`, the spec's `PublicProjectResidency`).
RESIDENCIES = (
    "GLOBAL",
    "US_STORAGE_PROCESSING",
    "EU_STORAGE_PROCESSING",
    "JP_STORAGE",
    "KR_STORAGE",
    "CA_STORAGE",
    "SG_STORAGE",
    "IN_STORAGE",
    "AU_STORAGE",
    "GB_STORAGE",
    "AE_STORAGE",
    "AE_STORAGE_PROCESSING",
)


def _check_external_key(org: Organization, key_id: str) -> str:
    """An external key of the organization (404 otherwise) that may encrypt a project's data (`ekm`)."""
    key = external_keys.retrieve_key(org, key_id)
    if key["purpose"] != "ekm":
        raise invalid_request(
            f"Invalid 'external_key_id': external key {key_id} has purpose '{key['purpose']}'; only an 'ekm' key "
            "can encrypt a project's data.",
            "external_key_id",
            "invalid_value",
        )
    return key_id


def create_project(
    org: Organization,
    principal: Principal,
    name: str,
    external_key_id: str | None = None,
    residency: str | None = None,
) -> dict[str, Any]:
    """A new active project. With `external_key_id` its data is encrypted with that external key of the
    organization; with `residency`, stored (and processed) in that region. Each is shown once given."""
    _check_name(name)
    if residency is not None:
        check_enum(residency, RESIDENCIES, "residency")
    if external_key_id is not None:
        _check_external_key(org, external_key_id)
    project: dict[str, Any] = {
        "id": ids.new_id("organization.project"),
        "object": "organization.project",
        "name": name,
        "created_at": clock.now_seconds(),
        "archived_at": None,
        "status": "active",
    }
    if external_key_id is not None:
        project["external_key_id"] = external_key_id
    if residency is not None:
        project["residency"] = residency
    stored = get_store().create(org.tenant, PROJECTS, project)
    get_store().create_many(org.tenant, rate_limits(project["id"]), default_rate_limits())
    data = {"name": name, "title": name} | {
        field: project[field] for field in ("external_key_id", "residency") if field in project
    }
    audit_logs.record(org, principal, "project.created", {"id": project["id"], "data": data}, project)
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


def modify_project(org: Organization, principal: Principal, project_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A project's new `name` (null or absent: kept) or `external_key_id` (null: back to the organization's
    default encryption; absent: kept)."""
    writable_project(org, project_id)
    changes = {field: value for field, value in changes.items() if value is not None or field == "external_key_id"}
    if "name" in changes:
        _check_name(changes["name"])
    if changes.get("external_key_id") is not None:
        _check_external_key(org, changes["external_key_id"])
    updated = get_store().update(org.tenant, PROJECTS, project_id, lambda project: {**project, **changes})
    if updated is None:
        raise not_found("Project", project_id)
    requested = {"title" if field == "name" else field: value for field, value in changes.items()}
    audit_logs.record(org, principal, "project.updated", {"id": project_id, "changes_requested": requested}, updated)
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


def _user_by_email(org: Organization, email: str) -> dict[str, Any]:
    wanted = email.strip().lower()
    if not wanted:
        raise invalid_request(
            "Invalid 'email': string too short. Expected a string with minimum length 1.",
            "email",
            "string_below_min_length",
        )
    page = get_store().list(
        org.tenant, USERS, limit=1, order="asc", where=lambda user: (user.get("email") or "").lower() == wanted
    )
    if not page.items:
        raise OpenAIError(404, f"No user with email '{email}' in this organization.", param="email")
    return page.items[0]


def create_project_user(
    org: Organization, principal: Principal, project_id: str, user_id: str | None, role: str, email: str | None = None
) -> dict[str, Any]:
    """Add an organization user to the project, named by `user_id` or by `email` (exactly one of them)."""
    if user_id is not None and email is not None:
        raise invalid_request("Provide either 'user_id' or 'email', not both.", "email", "invalid_value")
    if user_id is None and email is None:
        raise invalid_request(
            "Missing required parameter: 'user_id' (or 'email').", "user_id", "missing_required_parameter"
        )
    project = writable_project(org, project_id)
    user = get_user(org, user_id) if user_id is not None else _user_by_email(org, email or "")
    user_id = user["id"]
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


def create_service_account(
    org: Organization, principal: Principal, project_id: str, name: str, account_only: bool = False
) -> dict[str, Any]:
    """A service account comes with one project API key, whose secret is answered only here; with
    `create_service_account_only` (`account_only`) it comes without (`api_key: null`: make one later)."""
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
    if account_only:
        return {**account, "api_key": None}
    return {**account, "api_key": _new_account_key(org, principal, project, account, "Secret Key", ["/v1/*"])}


def _new_account_key(
    org: Organization,
    principal: Principal,
    project: dict[str, Any],
    account: dict[str, Any],
    name: str,
    scopes: list[str],
    expires_in_seconds: int | None = None,
    spend_limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A new project API key of a service account: registered (it authenticates as the project), listed among
    the project's keys, its secret answered only now. With `expires_in_seconds` it stops working then (401);
    restricted to `scopes`; with `spend_limit`, refused model requests once its month's spend reaches it."""
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
        "expires_at": expires_at,
        "_digest": admin_api_keys.register(
            secret,
            org,
            key_id,
            is_admin=False,
            project_id=project["id"],
            owner_id=account["id"],
            expires_at=expires_at,
            scopes=_restriction(scopes),
        ),
    }
    get_store().create(org.tenant, project_keys(project["id"]), key)
    if spend_limit is not None:
        spend.set_key_limit(org, key_id, spend_limit)
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
    spend_limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    account = _get_service_account(org, project_id, account_id)
    if expires_in_seconds is not None:
        check_range(expires_in_seconds, "expires_in_seconds", minimum=1)
    if name is not None:
        _check_name(name)
    _check_scopes(scopes)
    limit = None if spend_limit is None else spend.check_key_limit(spend_limit)
    return _new_account_key(
        org, principal, project, account, name or "Secret Key", scopes or ["/v1/*"], expires_in_seconds, limit
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


def _key_view(key: dict[str, Any], limits: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A project API key as the API shows it (`last_used_at`, `owner_project_access`, `expires_at` on older
    records too), with its hard spend limit (`limits`: `spend.key_limits`)."""
    view = {"last_used_at": None, "owner_project_access": "active", "expires_at": None, **public(key)}
    return {**view, "spend_limit": limits.get(key["id"])}


def list_project_keys(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(org.tenant, project_keys(project_id), limit=params.limit, order="asc", after=params.after)
    limits = spend.key_limits(org)
    return list_object(page, view=lambda key: _key_view(key, limits))


def _get_project_key(org: Organization, project_id: str, key_id: str) -> dict[str, Any]:
    key = get_store().get(org.tenant, project_keys(project_id), key_id)
    if key is None:
        raise not_found("ProjectApiKey", key_id, "api_key_id")
    return key


def retrieve_project_key(org: Organization, project_id: str, key_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    return _key_view(_get_project_key(org, project_id, key_id), spend.key_limits(org))


def _restriction(scopes: list[str]) -> list[str]:
    """What a key's scopes restrict it to: nothing (all its owner may do) for none, or for `/v1/*`."""
    return [] if "/v1/*" in scopes else list(scopes)


def _check_scopes(scopes: list[str]) -> None:
    for index, scope in enumerate(scopes):
        if not valid_key_scope(scope):
            raise invalid_request(
                f"Invalid scope '{scope}'. Use project permission names such as 'api.files.read', "
                "'api.model.request' or 'api.all.read'.",
                f"scopes[{index}]",
                "invalid_value",
            )


_NOTHING_TO_UPDATE = "Provide at least one of 'scopes', 'expires_in_seconds' or 'spend_limit'."


def update_project_key(
    org: Organization, principal: Principal, project_id: str, key_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """A project API key's new scopes (replaced whole; empty: all its owner may do), expiry (`expires_in_seconds`
    from now) or monthly hard spend limit (`spend_limit`, None: removed); what is not sent stays."""
    project = writable_project(org, project_id)
    key = _get_project_key(org, project_id, key_id)
    if not changes:
        raise invalid_request(_NOTHING_TO_UPDATE, None, "missing_required_parameter")
    now = clock.now_seconds()
    if key.get("expires_at") is not None and now >= key["expires_at"]:
        raise invalid_request("This API key has expired and can no longer be updated.", "api_key_id", "api_key_expired")
    registered: dict[str, Any] = {}
    if "expires_in_seconds" in changes:
        check_range(changes["expires_in_seconds"], "expires_in_seconds", minimum=1)
        registered["expires_at"] = now + changes["expires_in_seconds"]
    if "scopes" in changes:
        _check_scopes(changes["scopes"])
        registered["scopes"] = _restriction(changes["scopes"])
    if "spend_limit" in changes and changes["spend_limit"] is not None:
        changes = {**changes, "spend_limit": spend.check_key_limit(changes["spend_limit"])}
    if registered:
        admin_api_keys.amend(key["_digest"], registered)
    if "expires_at" in registered:
        expires_at = registered["expires_at"]
        changed = get_store().update(
            org.tenant, project_keys(project_id), key_id, lambda current: {**current, "expires_at": expires_at}
        )
        key = changed or key
    if "spend_limit" in changes:
        spend.set_key_limit(org, key_id, changes["spend_limit"])
    audit_logs.record(org, principal, "api_key.updated", {"id": key_id, "changes_requested": changes}, project)
    return _key_view(key, spend.key_limits(org))


def delete_project_key(org: Organization, principal: Principal, project_id: str, key_id: str) -> dict[str, Any]:
    project = writable_project(org, project_id)
    key = get_store().delete(org.tenant, project_keys(project_id), key_id)
    if key is None:
        raise not_found("ProjectApiKey", key_id, "api_key_id")
    admin_api_keys.revoke(key["_digest"])
    spend.set_key_limit(org, key_id, None)
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

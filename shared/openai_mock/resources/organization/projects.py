"""Projects and what lives in them: users, service accounts (with their API keys), project API keys
and per-model rate limits. An archived project can still be read but refuses every write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

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
    group_users,
    project_groups,
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
# The data-residency regions a project could be created in before `residency` existed (the deprecated
# `geography`), and the residency each one stands for: storage and processing where the spec's residencies
# (RESIDENCIES) have both for the region, storage otherwise.
GEOGRAPHY_RESIDENCIES = {
    "US": "US_STORAGE_PROCESSING",
    "EU": "EU_STORAGE_PROCESSING",
    "JP": "JP_STORAGE",
    "IN": "IN_STORAGE",
    "KR": "KR_STORAGE",
    "CA": "CA_STORAGE",
    "AU": "AU_STORAGE",
    "SG": "SG_STORAGE",
    "GB": "GB_STORAGE",
    "AE": "AE_STORAGE",
}


def _geography_of(project: dict[str, Any]) -> str | None:
    """The region a project's data resides in (`EU` for `EU_STORAGE_PROCESSING`); None for a global project."""
    residency = project.get("residency")
    return None if residency in (None, "GLOBAL") else str(residency).split("_", 1)[0]


def _residency(geography: str | None, residency: str | None) -> str | None:
    """The residency a new project asks for: `residency`, or the one its deprecated `geography` stands for."""
    if geography is not None and residency is not None:
        raise invalid_request("Provide either 'geography' or 'residency', not both.", "geography", "invalid_value")
    if geography is not None:
        check_enum(geography, tuple(GEOGRAPHY_RESIDENCIES), "geography")
        return GEOGRAPHY_RESIDENCIES[geography]
    if residency is not None:
        check_enum(residency, RESIDENCIES, "residency")
    return residency


def _check_geography_kept(project: dict[str, Any], geography: str) -> None:
    """Data residency is chosen when a project is created: an update may restate its geography, never change it."""
    check_enum(geography, tuple(GEOGRAPHY_RESIDENCIES), "geography")
    current = _geography_of(project)
    if geography != current:
        where = f"in geography '{current}'" if current else "without data residency"
        raise invalid_request(
            f"Invalid 'geography': project {project['id']} was created {where}, and a project's geography cannot "
            "be changed after it is created.",
            "geography",
            "invalid_value",
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
    geography: str | None = None,
) -> dict[str, Any]:
    """A new active project. With `external_key_id` its data is encrypted with that external key of the
    organization; with `residency` (or the `geography` it stands for), stored (and processed) in that region.
    Each is shown once given."""
    _check_name(name)
    residency = _residency(geography, residency)
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
    if geography is not None:
        data["geography"] = geography
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
    default encryption; absent: kept). Its `geography` can only be restated (400 for another one)."""
    project = writable_project(org, project_id)
    changes = {field: value for field, value in changes.items() if value is not None or field == "external_key_id"}
    if "name" in changes:
        _check_name(changes["name"])
    if changes.get("external_key_id") is not None:
        _check_external_key(org, changes["external_key_id"])
    if "geography" in changes:
        _check_geography_kept(project, changes["geography"])
    applied = {field: value for field, value in changes.items() if field != "geography"}
    updated = get_store().update(org.tenant, PROJECTS, project_id, lambda current: {**current, **applied})
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


def _check_initial_key(
    account_only: bool, expires_in_seconds: int | None, spend_limit: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The settings of a new service account's key: none to make without one; the spend limit to keep."""
    for param, value in (("expires_in_seconds", expires_in_seconds), ("spend_limit", spend_limit)):
        if account_only and value is not None:
            raise invalid_request(
                f"'{param}' cannot be used with 'create_service_account_only': the service account is created "
                "without an API key.",
                param,
                "invalid_value",
            )
    check_range(expires_in_seconds, "expires_in_seconds", minimum=1)
    return None if spend_limit is None else spend.check_key_limit(spend_limit)


def create_service_account(
    org: Organization,
    principal: Principal,
    project_id: str,
    name: str,
    account_only: bool = False,
    expires_in_seconds: int | None = None,
    spend_limit: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A service account comes with one project API key, whose secret is answered only here (expiring after
    `expires_in_seconds`, held to `spend_limit` each month when given); with `create_service_account_only`
    (`account_only`) it comes without (`api_key: null`: make one later) and without the default project role
    (`role: "none"`: no permission in the project, so a key made later is refused everything until the account
    is given a role)."""
    project = writable_project(org, project_id)
    _check_name(name)
    limit = _check_initial_key(account_only, expires_in_seconds, spend_limit)
    now = clock.now_seconds()
    role = "none" if account_only else "member"
    account: dict[str, Any] = {
        "object": "organization.project.service_account",
        "id": ids.new_id("organization.project.service_account"),
        "name": name,
        "role": role,
        "created_at": now,
    }
    get_store().create(org.tenant, service_accounts(project_id), account)
    audit_logs.record(org, principal, "service_account.created", {"id": account["id"], "data": {"role": role}}, project)
    if account_only:
        return {**account, "api_key": None}
    key = _new_account_key(org, principal, project, account, "Secret Key", ["/v1/*"], expires_in_seconds, limit)
    return {**account, "api_key": key}


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
        "expires_at": expires_at,
        "spend_limit": None if spend_limit is None else spend.key_limits(org).get(key_id),
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
    current = _get_service_account(org, project_id, account_id)
    if "name" in changes:
        _check_name(changes["name"])
    updated = get_store().update(
        org.tenant, service_accounts(project_id), account_id, lambda account: {**account, **changes}
    )
    assert updated is not None
    if "role" in changes:  # its keys may do what the new role lets it (a `none` account's first role included)
        access.swap_legacy_role(org, project_id, account_id, current["role"], changes["role"])
        access.refresh(org, project_id)

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


class _ProjectAccess(NamedTuple):
    """Who can use a project: its members in their own right (users, service accounts) and, besides them, the
    users of the groups added to it. The same people the project's policy lets its keys act for (access.py)."""

    members: frozenset[str]
    through_groups: frozenset[str]

    @classmethod
    def of(cls, org: Organization, project_id: str) -> _ProjectAccess:
        users = all_items(org.tenant, project_users(project_id)) + all_items(org.tenant, service_accounts(project_id))
        grouped = (
            member["id"]
            for group in all_items(org.tenant, project_groups(project_id))
            for member in all_items(org.tenant, group_users(group["id"]))
        )
        return cls(frozenset(user["id"] for user in users), frozenset(grouped))

    def of_key(self, key: dict[str, Any]) -> str:
        """`active` when the key's owner can use the project (its key works), `inactive` once they cannot."""
        owner = _key_owner(key)
        return "active" if owner in self.members or owner in self.through_groups else "inactive"


def _key_owner(key: dict[str, Any]) -> str | None:
    owner = key["owner"]
    return (owner.get(owner.get("type")) or {}).get("id")


# `owner_project_access` of a key list → which keys it shows; not given: the keys of the project's own members
# (users and service accounts), not those whose owner reaches the project only through a group.
_KEY_FILTERS: dict[str | None, Callable[[_ProjectAccess, dict[str, Any]], bool]] = {
    None: lambda who, key: _key_owner(key) in who.members,
    "active": lambda who, key: who.of_key(key) == "active",
    "inactive": lambda who, key: who.of_key(key) == "inactive",
    "any": lambda _who, _key: True,
}


def _key_view(key: dict[str, Any], limits: dict[str, dict[str, Any]], who: _ProjectAccess) -> dict[str, Any]:
    """A project API key as the API shows it (`last_used_at`, `expires_at` on older records too), whether its
    owner can use the project now (`owner_project_access`), its hard spend limit (`limits`: `spend.key_limits`)."""
    view = {"last_used_at": None, "expires_at": None, **public(key), "owner_project_access": who.of_key(key)}
    return {**view, "spend_limit": limits.get(key["id"])}


def list_project_keys(
    org: Organization, project_id: str, params: ListParams, owner_project_access: str | None = None
) -> dict[str, Any]:
    """A project's API keys; `owner_project_access` keeps those whose owner can (`active`) or cannot
    (`inactive`) use the project now, or all (`any`)."""
    get_project(org, project_id)
    if owner_project_access is not None:
        check_enum(owner_project_access, ("active", "inactive", "any"), "owner_project_access")
    who = _ProjectAccess.of(org, project_id)
    shown = _KEY_FILTERS[owner_project_access]
    page = get_store().list(
        org.tenant,
        project_keys(project_id),
        limit=params.limit,
        order="asc",
        after=params.after,
        where=lambda key: shown(who, key),
    )
    limits = spend.key_limits(org)
    return list_object(page, view=lambda key: _key_view(key, limits, who))


def _get_project_key(org: Organization, project_id: str, key_id: str) -> dict[str, Any]:
    key = get_store().get(org.tenant, project_keys(project_id), key_id)
    if key is None:
        raise not_found("ProjectApiKey", key_id, "api_key_id")
    return key


def retrieve_project_key(org: Organization, project_id: str, key_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    key = _get_project_key(org, project_id, key_id)
    return _key_view(key, spend.key_limits(org), _ProjectAccess.of(org, project_id))


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
    return _key_view(key, spend.key_limits(org), _ProjectAccess.of(org, project_id))


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
    owner = {**member, "created_at": get_user(org, user_id)["added_at"]}  # a key's owner shows when they joined
    secret = seal_project_key(admin_api_keys.new_secret(USER_PROJECT_KEY_PREFIX))
    key_id = ids.new_id("organization.project.api_key")
    key = {
        "object": "organization.project.api_key",
        "redacted_value": admin_api_keys.redact(secret),
        "name": name,
        "created_at": clock.now_seconds(),
        "id": key_id,
        "owner": {"type": "user", "user": owner},
        "_digest": admin_api_keys.register(
            secret, org, key_id, is_admin=False, project_id=project_id, owner_id=user_id
        ),
    }
    get_store().create(org.tenant, project_keys(project_id), key)
    audit_logs.record(org, principal, "api_key.created", {"id": key_id, "data": {"scopes": ["/v1/*"]}}, project)
    access.refresh(org, project_id)
    return {**public(key), "value": secret}

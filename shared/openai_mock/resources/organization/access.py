"""Who holds which role where, what that adds up to, and the policy documents the web tier enforces.

A role assignment binds a role to a principal (a user, a service account, or a group) on a resource (the
organization, or one project). The older `role` fields are assignments too: a user's organization role
("owner" / "reader"), a project member's or service account's project role ("owner" / "member") stand for
the predefined role of that name, until the principal's assignments on that resource are first changed
through the role-assignment endpoints; from then on the stored assignments are the truth (the principal is
"materialized" there), and a later change of the `role` field swaps the predefined role it stands for.

Effective permissions:
- in the organization: the user's own roles ∪ the roles of the groups they belong to;
- in a project: the principal's own project roles ∪ the project roles of their groups that were added to the
  project; an organization Owner (own or through a group) holds every permission in every project.

Each project's policy (`web/access.py`: the permissions of each member, the model and hosted-tool permissions)
is recomputed by `refresh` after every change it depends on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from openai_mock import clock
from openai_mock.errors import invalid_request, not_found
from openai_mock.resources.organization import audit_logs, roles
from openai_mock.resources.organization.core import (
    GROUPS,
    HOSTED_TOOLS,
    MATERIALIZED,
    MODEL_PERMISSIONS,
    PROJECTS,
    ROLE_ASSIGNMENTS,
    SERVICE_TIERS,
    USERS,
    Organization,
    all_items,
    get_project,
    group_users,
    project_groups,
    project_users,
    service_accounts,
)
from openai_mock.store import ConflictError, get_store
from openai_mock.web.access import HOSTED_TOOLS as TOOL_NAMES
from openai_mock.web.access import POLICY_COLLECTION
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import ORGANIZATION, PROJECT, PROJECT_PERMISSIONS

USER = "user"
GROUP = "group"


def _key(resource_id: str, principal_type: str, principal_id: str, role_id: str) -> str:
    return f"{resource_id}|{principal_type}|{principal_id}|{role_id}"


def put(tenant: str, collection: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Create or replace."""
    replaced = get_store().update(tenant, collection, obj["id"], lambda _current: obj)
    if replaced is not None:
        return replaced
    try:
        return get_store().create(tenant, collection, obj)
    except ConflictError:  # created meanwhile
        return get_store().update(tenant, collection, obj["id"], lambda _current: obj) or obj


# --- assignments ---------------------------------------------------------------------------------------


def _legacy_member(org: Organization, resource_id: str, principal_id: str) -> dict[str, Any] | None:
    if resource_id == org.id:
        return get_store().get(org.tenant, USERS, principal_id)
    return get_store().get(org.tenant, project_users(resource_id), principal_id) or get_store().get(
        org.tenant, service_accounts(resource_id), principal_id
    )


def _materialized(org: Organization, resource_id: str, principal_id: str) -> bool:
    return get_store().get(org.tenant, MATERIALIZED, f"{resource_id}|{principal_id}") is not None


def _stored(org: Organization, resource_id: str, principal_type: str, principal_id: str) -> list[dict[str, Any]]:
    prefix = f"{resource_id}|{principal_type}|{principal_id}|"
    return [item for item in all_items(org.tenant, ROLE_ASSIGNMENTS) if item["id"].startswith(prefix)]


def _resource_type(org: Organization, resource_id: str) -> str:
    return ORGANIZATION if resource_id == org.id else PROJECT


def direct_assignments(
    org: Organization, resource_id: str, principal_type: str, principal_id: str
) -> list[dict[str, Any]]:
    """The principal's own assignments on the resource: stored, or those its `role` field stands for."""
    if principal_type == USER and not _materialized(org, resource_id, principal_id):
        member = _legacy_member(org, resource_id, principal_id)
        role_id = member and roles.legacy_role_id(org, _resource_type(org, resource_id), member["role"])
        if not member or not role_id:
            return []
        return [
            {
                "id": _key(resource_id, USER, principal_id, role_id),
                "role_id": role_id,
                "created_at": member.get("added_at", member.get("created_at")),
            }
        ]
    return _stored(org, resource_id, principal_type, principal_id)


def _materialize(org: Organization, resource_id: str, principal_type: str, principal_id: str) -> None:
    if principal_type != USER or _materialized(org, resource_id, principal_id):
        return
    for assignment in direct_assignments(org, resource_id, USER, principal_id):
        with contextlib.suppress(ConflictError):
            get_store().create(org.tenant, ROLE_ASSIGNMENTS, {**assignment, "resource_id": resource_id})
    with contextlib.suppress(ConflictError):
        get_store().create(org.tenant, MATERIALIZED, {"id": f"{resource_id}|{principal_id}"})


def assign(
    org: Organization,
    principal: Principal,
    resource_id: str,
    principal_type: str,
    principal_id: str,
    role: dict[str, Any],
    project: dict[str, Any] | None = None,
) -> None:
    """Give `role` to the principal on the resource (assigning it twice changes nothing)."""
    _materialize(org, resource_id, principal_type, principal_id)
    key = _key(resource_id, principal_type, principal_id, role["id"])
    if get_store().get(org.tenant, ROLE_ASSIGNMENTS, key) is not None:
        return
    get_store().create(
        org.tenant,
        ROLE_ASSIGNMENTS,
        {"id": key, "role_id": role["id"], "resource_id": resource_id, "created_at": clock.now_seconds()},
    )
    _log(org, principal, "role.assignment.created", key, principal_type, principal_id, resource_id, project)
    refresh(org, None if resource_id == org.id else resource_id)


def unassign(
    org: Organization,
    principal: Principal,
    resource_id: str,
    principal_type: str,
    principal_id: str,
    role_id: str,
    project: dict[str, Any] | None = None,
) -> None:
    """Take the principal's own `role_id` away; 404 when they do not hold it themselves (a role held
    through a group is taken away by removing them from the group)."""
    held = {item["role_id"] for item in direct_assignments(org, resource_id, principal_type, principal_id)}
    if role_id not in held:
        raise not_found("RoleAssignment", role_id, "role_id")
    if resource_id == org.id and roles.is_owner_role(org, role_id):
        ensure_an_owner_remains(org, without_assignment=(principal_type, principal_id))
    _materialize(org, resource_id, principal_type, principal_id)
    key = _key(resource_id, principal_type, principal_id, role_id)
    get_store().delete(org.tenant, ROLE_ASSIGNMENTS, key)
    _log(org, principal, "role.assignment.deleted", key, principal_type, principal_id, resource_id, project)
    refresh(org, None if resource_id == org.id else resource_id)


def _log(
    org: Organization,
    principal: Principal,
    event: str,
    key: str,
    principal_type: str,
    principal_id: str,
    resource_id: str,
    project: dict[str, Any] | None,
) -> None:
    details = {
        "id": key.rsplit("|", 1)[1],
        "principal_id": principal_id,
        "principal_type": principal_type,
        "resource_id": resource_id,
        "resource_type": _resource_type(org, resource_id),
    }
    audit_logs.record(org, principal, event, details, project)


def swap_legacy_role(org: Organization, resource_id: str, principal_id: str, old: str, new: str) -> None:
    """A `role` field changed: once materialized, the predefined role it stood for is replaced."""
    if old == new or not _materialized(org, resource_id, principal_id):
        return
    kind = _resource_type(org, resource_id)
    old_id, new_id = roles.legacy_role_id(org, kind, old), roles.legacy_role_id(org, kind, new)
    if old_id:
        get_store().delete(org.tenant, ROLE_ASSIGNMENTS, _key(resource_id, USER, principal_id, old_id))
    if new_id:
        with contextlib.suppress(ConflictError):
            get_store().create(
                org.tenant,
                ROLE_ASSIGNMENTS,
                {
                    "id": _key(resource_id, USER, principal_id, new_id),
                    "role_id": new_id,
                    "resource_id": resource_id,
                    "created_at": clock.now_seconds(),
                },
            )


def forget(org: Organization, resource_id: str | None, principal_type: str, principal_id: str) -> None:
    """A principal left a resource (or, resource_id None, the organization): its assignments go."""
    for item in all_items(org.tenant, ROLE_ASSIGNMENTS):
        resource, kind, who, _role = item["id"].split("|")
        if kind == principal_type and who == principal_id and resource_id in (None, resource):
            get_store().delete(org.tenant, ROLE_ASSIGNMENTS, item["id"])
    for marker in all_items(org.tenant, MATERIALIZED):
        resource, who = marker["id"].split("|")
        if who == principal_id and resource_id in (None, resource):
            get_store().delete(org.tenant, MATERIALIZED, marker["id"])


def drop_role_assignments(org: Organization, principal: Principal, role_id: str) -> None:
    """A custom role is deleted: nobody holds it any more."""
    for item in all_items(org.tenant, ROLE_ASSIGNMENTS):
        resource, kind, who, held = item["id"].split("|")
        if held == role_id:
            get_store().delete(org.tenant, ROLE_ASSIGNMENTS, item["id"])
            project = None if resource == org.id else get_store().get(org.tenant, PROJECTS, resource)
            _log(org, principal, "role.assignment.deleted", item["id"], kind, who, resource, project)


# --- effective roles and permissions ---------------------------------------------------------------


def groups_of(org: Organization, user_id: str) -> list[str]:
    return [
        group["id"]
        for group in all_items(org.tenant, GROUPS)
        if get_store().get(org.tenant, group_users(group["id"]), user_id) is not None
    ]


def role_sources(
    org: Organization, resource_id: str, principal_type: str, principal_id: str
) -> dict[str, list[dict[str, str]]]:
    """Each role the principal holds on the resource → where it comes from (`assignment_sources`)."""
    sources: dict[str, list[dict[str, str]]] = {}
    own = {"principal_type": principal_type, "principal_id": principal_id}
    for item in direct_assignments(org, resource_id, principal_type, principal_id):
        sources.setdefault(item["role_id"], []).append(own)
    if principal_type == USER:
        in_project = resource_id != org.id
        for group_id in groups_of(org, principal_id):
            if in_project and get_store().get(org.tenant, project_groups(resource_id), group_id) is None:
                continue  # the group has no access to this project
            for item in _stored(org, resource_id, GROUP, group_id):
                sources.setdefault(item["role_id"], []).append({"principal_type": GROUP, "principal_id": group_id})
    return sources


def is_org_owner(org: Organization, user_id: str) -> bool:
    owner = roles.predefined_id(org, "org-owner")
    return owner in role_sources(org, org.id, USER, user_id)


def project_permissions(org: Organization, project_id: str, principal_type: str, principal_id: str) -> set[str]:
    """What the principal may do in the project (the key they own may do no more)."""
    if principal_type == USER and is_org_owner(org, principal_id):
        return set(PROJECT_PERMISSIONS)
    granted: set[str] = set()
    for role_id in role_sources(org, project_id, principal_type, principal_id):
        role = roles.find_role(org, role_id, project_id)
        if role is not None:
            granted.update(role["permissions"])
    return granted


def owners(
    org: Organization,
    *,
    without_assignment: tuple[str, str] | None = None,
    without_membership: tuple[str, str] | None = None,
    without_group: str | None = None,
    without_user: str | None = None,
) -> list[str]:
    """The organization's owners (own Owner role, or through a group), as they would be without the given
    assignment (principal type, id) / group membership (group, user) / group / user."""
    owner = roles.predefined_id(org, "org-owner")
    result: set[str] = set()
    for user in all_items(org.tenant, USERS):
        if user["id"] == without_user or without_assignment == (USER, user["id"]):
            continue
        if owner in {item["role_id"] for item in direct_assignments(org, org.id, USER, user["id"])}:
            result.add(user["id"])
    for group in all_items(org.tenant, GROUPS):
        if group["id"] == without_group or without_assignment == (GROUP, group["id"]):
            continue
        if get_store().get(org.tenant, ROLE_ASSIGNMENTS, _key(org.id, GROUP, group["id"], owner)) is None:
            continue
        for member in all_items(org.tenant, group_users(group["id"])):
            if member["id"] != without_user and without_membership != (group["id"], member["id"]):
                result.add(member["id"])
    return sorted(result)


def ensure_an_owner_remains(org: Organization, param: str = "role_id", **without: Any) -> None:
    """400 naming `param` when the change (`owners`' keywords) would leave the organization without an owner."""
    if owners(org, **without):
        return
    raise invalid_request(
        "This change would remove the organization's last owner; an organization must keep at least one owner.",
        param,
        "last_owner",
    )


# --- model and hosted tool permissions --------------------------------------------------------------


def model_permissions(org: Organization, project_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    stored = get_store().get(org.tenant, MODEL_PERMISSIONS, project_id)
    mode, model_ids = (stored["mode"], stored["model_ids"]) if stored else ("deny_list", [])
    return {"object": "project.model_permissions", "mode": mode, "model_ids": model_ids}


def hosted_tools(org: Organization, project_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    stored = get_store().get(org.tenant, HOSTED_TOOLS, project_id) or {}
    return {tool: {"enabled": stored.get(tool, True)} for tool in TOOL_NAMES}


def service_tiers(org: Organization, project_id: str) -> dict[str, Any]:
    """A project's service tier settings; unless changed, Standard by default and every other tier enabled."""
    get_project(org, project_id)
    stored = get_store().get(org.tenant, SERVICE_TIERS, project_id) or {}
    return {
        "object": "project.service_tier_settings",
        "default": stored.get("default", "standard"),
        "enabled_tiers": stored.get("enabled_tiers", "all"),
    }


# --- the policy the web tier enforces ----------------------------------------------------------------


def _members(org: Organization, project_id: str) -> Iterable[tuple[str, str]]:
    seen: set[str] = set()
    for member in all_items(org.tenant, project_users(project_id)):
        seen.add(member["id"])
        yield USER, member["id"]
    for account in all_items(org.tenant, service_accounts(project_id)):
        yield USER, account["id"]  # a service account holds project roles as a user does
    for group in all_items(org.tenant, project_groups(project_id)):
        for member in all_items(org.tenant, group_users(group["id"])):
            if member["id"] not in seen:
                seen.add(member["id"])
                yield USER, member["id"]


def refresh(org: Organization, project_id: str | None = None) -> None:
    """Recompute the policy of one project, or (None) of every project of the organization."""
    if project_id is None:
        for project in all_items(org.tenant, PROJECTS):
            refresh(org, project["id"])
        return
    stored_models = get_store().get(org.tenant, MODEL_PERMISSIONS, project_id)
    tools = get_store().get(org.tenant, HOSTED_TOOLS, project_id) or {}
    tiers = get_store().get(org.tenant, SERVICE_TIERS, project_id)
    policy = {
        "id": project_id,
        "members": {
            who: sorted(project_permissions(org, project_id, kind, who)) for kind, who in _members(org, project_id)
        },
        "model_permissions": (
            {"mode": stored_models["mode"], "model_ids": stored_models["model_ids"]} if stored_models else None
        ),
        "hosted_tools": {tool: tools.get(tool, True) for tool in TOOL_NAMES},
        "service_tiers": {"default": tiers["default"], "enabled_tiers": tiers["enabled_tiers"]} if tiers else None,
    }
    put(org.tenant, POLICY_COLLECTION, policy)


def unassign_all(
    org: Organization,
    principal: Principal,
    resource_id: str | None,
    principal_type: str,
    principal_id: str,
) -> int:
    """Every role the principal holds on the resource (None: anywhere) is taken away, each one logged; returns
    how many."""
    taken = 0
    for item in all_items(org.tenant, ROLE_ASSIGNMENTS):
        resource, kind, who, _role = item["id"].split("|")
        if kind == principal_type and who == principal_id and resource_id in (None, resource):
            get_store().delete(org.tenant, ROLE_ASSIGNMENTS, item["id"])
            project = None if resource == org.id else get_store().get(org.tenant, PROJECTS, resource)
            _log(org, principal, "role.assignment.deleted", item["id"], kind, who, resource, project)
            taken += 1
    return taken

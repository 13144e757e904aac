"""Roles: the predefined roles every organization has, and custom roles made of permissions
(`web/permissions.py`), at organization level (`/organization/roles`, resource type "api.organization") and
per project (`/projects/{id}/roles`, "api.project"). Predefined roles can be read and assigned, never changed.

Predefined roles (stable ids per organization):
- organization: Owner (everything, in the organization and all its projects), Reader (reads the organization);
- project: Owner (every project permission, managing the project included), Member (every API permission),
  Viewer (read-only: no model request, no write)."""

from __future__ import annotations

from typing import Any

from openai_mock import clock, ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, next_cursor_list, paginate
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import (
    ROLES,
    Organization,
    all_items,
    created_at,
    get_project,
    project_roles,
    writable_project,
)
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import (
    ORGANIZATION,
    ORGANIZATION_PERMISSIONS,
    PROJECT,
    PROJECT_API_PERMISSIONS,
    PROJECT_PERMISSIONS,
    PROJECT_READ_PERMISSIONS,
)

ALL_PERMISSIONS = (*ORGANIZATION_PERMISSIONS, *PROJECT_PERMISSIONS)
ORGANIZATION_READ_PERMISSIONS = tuple(name for name in ORGANIZATION_PERMISSIONS if name.endswith(".read"))

# name → (resource type, description, permissions); the order is the order they are listed in.
_PREDEFINED: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "org-owner": ("Owner", ORGANIZATION, "Can manage everything in the organization and its projects", ALL_PERMISSIONS),
    "org-reader": ("Reader", ORGANIZATION, "Can view the organization's settings", ORGANIZATION_READ_PERMISSIONS),
    "project-owner": ("Owner", PROJECT, "Can manage the project and use all of its resources", PROJECT_PERMISSIONS),
    "project-member": (
        "Member",
        PROJECT,
        "Can make API requests and manage the project's resources",
        PROJECT_API_PERMISSIONS,
    ),
    "project-viewer": ("Viewer", PROJECT, "Can view the project's resources", PROJECT_READ_PERMISSIONS),
}
# The roles the older `role` fields name: users' organization role, project members' and service accounts' role.
LEGACY = {
    (ORGANIZATION, "owner"): "org-owner",
    (ORGANIZATION, "reader"): "org-reader",
    (PROJECT, "owner"): "project-owner",
    (PROJECT, "member"): "project-member",
}


def predefined_id(org: Organization, key: str) -> str:
    sequence = list(_PREDEFINED).index(key)
    return ids.stable_id("organization.role", created_at(org.tenant), f"{org.tenant}|role|{key}", sequence)


def predefined_roles(org: Organization, resource_type: str | None = None) -> list[dict[str, Any]]:
    at = created_at(org.tenant)
    return [
        {
            "object": "role",
            "id": predefined_id(org, key),
            "name": name,
            "description": description,
            "permissions": list(permissions),
            "resource_type": kind,
            "predefined_role": True,
            "created_at": at,
            "updated_at": at,
            "created_by": None,
        }
        for key, (name, kind, description, permissions) in _PREDEFINED.items()
        if resource_type is None or kind == resource_type
    ]


def legacy_role_id(org: Organization, resource_type: str, role: str) -> str | None:
    key = LEGACY.get((resource_type, role))
    return predefined_id(org, key) if key else None


def is_owner_role(org: Organization, role_id: str) -> bool:
    return role_id == predefined_id(org, "org-owner")


def public_role(role: dict[str, Any]) -> dict[str, Any]:
    """The `Role` object."""
    return {
        "object": "role",
        "id": role["id"],
        "name": role["name"],
        "description": role["description"],
        "permissions": role["permissions"],
        "resource_type": role["resource_type"],
        "predefined_role": role["predefined_role"],
    }


def _collection(project_id: str | None) -> str:
    return ROLES if project_id is None else project_roles(project_id)


def find_role(org: Organization, role_id: str, project_id: str | None = None) -> dict[str, Any] | None:
    """A role of the organization (project_id None) or usable in a project: predefined or custom."""
    kind = ORGANIZATION if project_id is None else PROJECT
    for role in predefined_roles(org, kind):
        if role["id"] == role_id:
            return role
    return get_store().get(org.tenant, _collection(project_id), role_id)


def get_role(
    org: Organization, role_id: str, project_id: str | None = None, param: str | None = None
) -> dict[str, Any]:
    if project_id is not None:
        get_project(org, project_id)
    role = find_role(org, role_id, project_id)
    if role is None:
        raise not_found("Role", role_id, param)
    return role


def list_roles(org: Organization, params: ListParams, project_id: str | None = None) -> dict[str, Any]:
    if project_id is not None:
        get_project(org, project_id)
    kind = ORGANIZATION if project_id is None else PROJECT
    roles = predefined_roles(org, kind) + all_items(org.tenant, _collection(project_id))
    roles.sort(key=lambda role: role["id"])
    return next_cursor_list(paginate(roles, params), view=public_role)


def _check_name(name: str | None, org: Organization, project_id: str | None, role_id: str | None = None) -> str:
    if name is None or not name.strip():
        raise invalid_request(
            "Invalid 'role_name': string too short. Expected a string with minimum length 1.",
            "role_name",
            "string_below_min_length",
        )
    kind = ORGANIZATION if project_id is None else PROJECT
    taken = predefined_roles(org, kind) + all_items(org.tenant, _collection(project_id))
    if any(role["name"].lower() == name.strip().lower() and role["id"] != role_id for role in taken):
        raise invalid_request(f"A role named '{name}' already exists.", "role_name", "role_name_taken")
    return name.strip()


def check_permissions(permissions: list[str], resource_type: str) -> list[str]:
    """400 naming `permissions` for an unknown permission, or one of the other resource type."""
    if not permissions:
        raise invalid_request(
            "Invalid 'permissions': empty array. Expected an array with minimum length 1, but got an empty array "
            "instead.",
            "permissions",
            "empty_array",
        )
    allowed = ORGANIZATION_PERMISSIONS if resource_type == ORGANIZATION else PROJECT_PERMISSIONS
    for index, permission in enumerate(permissions):
        if permission not in allowed:
            where = "an organization" if resource_type == ORGANIZATION else "a project"
            known = "a project" if permission in PROJECT_PERMISSIONS else "an organization"
            reason = (
                f"it is {known} permission"
                if permission in ALL_PERMISSIONS
                else "it is not a permission (see GET /v1/organization/roles for the predefined roles' permissions)"
            )
            raise invalid_request(
                f"Invalid permission '{permission}' for {where} role: {reason}.",
                f"permissions[{index}]",
                "invalid_permission",
            )
    return list(dict.fromkeys(permissions))


def create_role(
    org: Organization,
    principal: Principal,
    name: str,
    permissions: list[str],
    description: str | None,
    project_id: str | None = None,
) -> dict[str, Any]:
    project = writable_project(org, project_id) if project_id is not None else None
    kind = ORGANIZATION if project_id is None else PROJECT
    now = clock.now_seconds()
    role = {
        "object": "role",
        "id": ids.new_id("organization.role"),
        "name": _check_name(name, org, project_id),
        "description": description,
        "permissions": check_permissions(permissions, kind),
        "resource_type": kind,
        "predefined_role": False,
        "created_at": now,
        "updated_at": now,
        "created_by": org.owner_id,
    }
    get_store().create(org.tenant, _collection(project_id), role)
    audit_logs.record(
        org,
        principal,
        "role.created",
        {
            "id": role["id"],
            "role_name": role["name"],
            "permissions": role["permissions"],
            "resource_type": kind,
            "resource_id": project_id or org.id,
        },
        project,
    )
    return public_role(role)


def _custom(org: Organization, role_id: str, project_id: str | None, action: str) -> dict[str, Any]:
    role = get_role(org, role_id, project_id)
    if role["predefined_role"]:
        raise invalid_request(f"Role {role_id} is a predefined role and cannot be {action}.", "role_id")
    return role


def update_role(
    org: Organization, principal: Principal, role_id: str, changes: dict[str, Any], project_id: str | None = None
) -> dict[str, Any]:
    from openai_mock.resources.organization import access

    project = writable_project(org, project_id) if project_id is not None else None
    current = _custom(org, role_id, project_id, "modified")
    kind = current["resource_type"]
    update: dict[str, Any] = {}
    requested: dict[str, Any] = {"resource_type": kind, "resource_id": project_id or org.id}
    if changes.get("role_name") is not None:
        update["name"] = requested["role_name"] = _check_name(changes["role_name"], org, project_id, role_id)
    if "description" in changes:
        update["description"] = changes["description"]
        if changes["description"] is not None:
            requested["description"] = changes["description"]
    if changes.get("permissions") is not None:
        permissions = check_permissions(changes["permissions"], kind)
        update["permissions"] = permissions
        requested["permissions_added"] = [name for name in permissions if name not in current["permissions"]]
        requested["permissions_removed"] = [name for name in current["permissions"] if name not in permissions]
    update["updated_at"] = clock.now_seconds()
    updated = get_store().update(org.tenant, _collection(project_id), role_id, lambda role: {**role, **update})
    if updated is None:
        raise not_found("Role", role_id)
    audit_logs.record(org, principal, "role.updated", {"id": role_id, "changes_requested": requested}, project)
    if "permissions" in update:
        access.refresh(org, project_id)
    return public_role(updated)


def delete_role(org: Organization, principal: Principal, role_id: str, project_id: str | None = None) -> dict[str, Any]:
    """Its assignments go with it (each one logged as `role.assignment.deleted`)."""
    from openai_mock.resources.organization import access

    project = writable_project(org, project_id) if project_id is not None else None
    _custom(org, role_id, project_id, "deleted")
    access.drop_role_assignments(org, principal, role_id)
    get_store().delete(org.tenant, _collection(project_id), role_id)
    audit_logs.record(org, principal, "role.deleted", {"id": role_id}, project)
    access.refresh(org, project_id)
    return {"object": "role.deleted", "id": role_id, "deleted": True}

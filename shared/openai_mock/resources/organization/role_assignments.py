"""Role assignments, the four families of the API: a user's or a group's organization roles
(`/organization/users|groups/{id}/roles`), a project user's or project group's project roles
(`/projects/{id}/users|groups/{id}/roles`). A service account is a project user here (its id as `user_id`).

Lists show every role the principal holds, with where it comes from (`assignment_sources`: the principal
itself, or a group it belongs to); a role held only through a group is taken away by leaving the group."""

from __future__ import annotations

from typing import Any

from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, next_cursor_list, paginate
from openai_mock.resources.organization import access, roles
from openai_mock.resources.organization.core import (
    USERS,
    Organization,
    get_project,
    get_user,
    project_users,
    service_accounts,
    writable_project,
)
from openai_mock.resources.organization.groups import get_group, get_project_group, group_object, project_role
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import ORGANIZATION


def _details(org: Organization, role: dict[str, Any], sources: list[dict[str, str]]) -> dict[str, Any]:
    """The `AssignedRoleDetails` object."""
    creator = get_store().get(org.tenant, USERS, role["created_by"]) if role["created_by"] else None
    return {
        **roles.public_role(role),
        "created_at": role["created_at"],
        "updated_at": role["updated_at"],
        "created_by": role["created_by"],
        "created_by_user_obj": (
            {"id": creator["id"], "name": creator["name"], "email": creator["email"]} if creator else None
        ),
        "metadata": {},
        "assignment_sources": sources,
    }


def _listed(
    org: Organization, resource_id: str, kind: str, who: str, params: ListParams, project_id: str | None
) -> dict[str, Any]:
    held = access.role_sources(org, resource_id, kind, who)
    found = [(roles.find_role(org, role_id, project_id), sources) for role_id, sources in held.items()]
    details = sorted((_details(org, role, sources) for role, sources in found if role), key=lambda d: d["id"])
    return next_cursor_list(paginate(details, params))


def _held(
    org: Organization, resource_id: str, kind: str, who: str, role_id: str, project_id: str | None
) -> dict[str, Any]:
    sources = access.role_sources(org, resource_id, kind, who).get(role_id)
    role = roles.find_role(org, role_id, project_id)
    if not sources or role is None:
        raise not_found("RoleAssignment", role_id, "role_id")
    return _details(org, role, sources)


def organization_role(org: Organization, role_id: str) -> dict[str, Any]:
    role = roles.find_role(org, role_id)
    if role is None or role["resource_type"] != ORGANIZATION:
        raise invalid_request(
            f"Invalid 'role_id': {role_id} is not a role of this organization.", "role_id", "invalid_role"
        )
    return role


# --- users' organization roles ----------------------------------------------------------------------


def list_user_roles(org: Organization, user_id: str, params: ListParams) -> dict[str, Any]:
    get_user(org, user_id)
    return _listed(org, org.id, access.USER, user_id, params, None)


def assign_user_role(org: Organization, principal: Principal, user_id: str, role_id: str) -> dict[str, Any]:
    user = get_user(org, user_id)
    role = organization_role(org, role_id)
    access.assign(org, principal, org.id, access.USER, user_id, role)
    return {"object": "user.role", "user": user, "role": roles.public_role(role)}


def retrieve_user_role(org: Organization, user_id: str, role_id: str) -> dict[str, Any]:
    get_user(org, user_id)
    return _held(org, org.id, access.USER, user_id, role_id, None)


def unassign_user_role(org: Organization, principal: Principal, user_id: str, role_id: str) -> dict[str, Any]:
    get_user(org, user_id)
    access.unassign(org, principal, org.id, access.USER, user_id, role_id)
    return {"object": "user.role.deleted", "deleted": True}


# --- groups' organization roles ---------------------------------------------------------------------


def list_group_roles(org: Organization, group_id: str, params: ListParams) -> dict[str, Any]:
    get_group(org, group_id)
    return _listed(org, org.id, access.GROUP, group_id, params, None)


def assign_group_role(org: Organization, principal: Principal, group_id: str, role_id: str) -> dict[str, Any]:
    group = get_group(org, group_id)
    role = organization_role(org, role_id)
    access.assign(org, principal, org.id, access.GROUP, group_id, role)
    return {"object": "group.role", "group": group_object(group), "role": roles.public_role(role)}


def retrieve_group_role(org: Organization, group_id: str, role_id: str) -> dict[str, Any]:
    get_group(org, group_id)
    return _held(org, org.id, access.GROUP, group_id, role_id, None)


def unassign_group_role(org: Organization, principal: Principal, group_id: str, role_id: str) -> dict[str, Any]:
    get_group(org, group_id)
    access.unassign(org, principal, org.id, access.GROUP, group_id, role_id)
    return {"object": "group.role.deleted", "deleted": True}


# --- project users' roles ---------------------------------------------------------------------------


def _project_member(org: Organization, project_id: str, user_id: str) -> dict[str, Any]:
    """A project user, or a service account of the project, as the `User` object."""
    get_project(org, project_id)
    if get_store().get(org.tenant, project_users(project_id), user_id) is not None:
        return get_user(org, user_id)
    account = get_store().get(org.tenant, service_accounts(project_id), user_id)
    if account is None:
        raise not_found("ProjectUser", user_id, "user_id")
    return {
        "object": "organization.user",
        "id": account["id"],
        "name": account["name"],
        "email": None,
        "role": account["role"],
        "added_at": account["created_at"],
        "is_service_account": True,
    }


def list_project_user_roles(org: Organization, project_id: str, user_id: str, params: ListParams) -> dict[str, Any]:
    _project_member(org, project_id, user_id)
    return _listed(org, project_id, access.USER, user_id, params, project_id)


def assign_project_user_role(
    org: Organization, principal: Principal, project_id: str, user_id: str, role_id: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    user = _project_member(org, project_id, user_id)
    role = project_role(org, project_id, role_id, "role_id")
    access.assign(org, principal, project_id, access.USER, user_id, role, project)
    return {"object": "user.role", "user": user, "role": roles.public_role(role)}


def retrieve_project_user_role(org: Organization, project_id: str, user_id: str, role_id: str) -> dict[str, Any]:
    _project_member(org, project_id, user_id)
    return _held(org, project_id, access.USER, user_id, role_id, project_id)


def unassign_project_user_role(
    org: Organization, principal: Principal, project_id: str, user_id: str, role_id: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    _project_member(org, project_id, user_id)
    access.unassign(org, principal, project_id, access.USER, user_id, role_id, project)
    return {"object": "user.role.deleted", "deleted": True}


# --- project groups' roles --------------------------------------------------------------------------


def list_project_group_roles(org: Organization, project_id: str, group_id: str, params: ListParams) -> dict[str, Any]:
    get_project_group(org, project_id, group_id)
    return _listed(org, project_id, access.GROUP, group_id, params, project_id)


def assign_project_group_role(
    org: Organization, principal: Principal, project_id: str, group_id: str, role_id: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    get_project_group(org, project_id, group_id)
    group = get_group(org, group_id)
    role = project_role(org, project_id, role_id, "role_id")
    access.assign(org, principal, project_id, access.GROUP, group_id, role, project)
    return {"object": "group.role", "group": group_object(group), "role": roles.public_role(role)}


def retrieve_project_group_role(org: Organization, project_id: str, group_id: str, role_id: str) -> dict[str, Any]:
    get_project_group(org, project_id, group_id)
    return _held(org, project_id, access.GROUP, group_id, role_id, project_id)


def unassign_project_group_role(
    org: Organization, principal: Principal, project_id: str, group_id: str, role_id: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    get_project_group(org, project_id, group_id)
    access.unassign(org, principal, project_id, access.GROUP, group_id, role_id, project)
    return {"object": "group.role.deleted", "deleted": True}

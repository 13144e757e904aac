"""Groups of users: create, rename, delete; their members; and the projects they are added to (with a
project role). A group's roles (organization: `role_assignments.py`; projects: added with the project)
are held by each of its members (`access.py`)."""

from __future__ import annotations

from typing import Any

from openai_mock import clock, ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, next_cursor_list
from openai_mock.resources.organization import access, audit_logs, roles
from openai_mock.resources.organization.core import (
    GROUPS,
    PROJECTS,
    USERS,
    Organization,
    all_items,
    get_project,
    get_user,
    group_users,
    project_groups,
    public,
    writable_project,
)
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import PROJECT


def _check_name(name: str) -> str:
    if not name.strip():
        raise invalid_request(
            "Invalid 'name': string too short. Expected a string with minimum length 1.",
            "name",
            "string_below_min_length",
        )
    if len(name) > 255:
        raise invalid_request(
            f"Invalid 'name': string too long. Expected a string with maximum length 255, but got a string with "
            f"length {len(name)} instead.",
            "name",
            "string_above_max_length",
        )
    return name


def get_group(org: Organization, group_id: str, param: str | None = None) -> dict[str, Any]:
    group = get_store().get(org.tenant, GROUPS, group_id)
    if group is None:
        raise not_found("Group", group_id, param)
    return group


def group_object(group: dict[str, Any]) -> dict[str, Any]:
    """The `Group` object that role assignments embed."""
    return {
        "object": "group",
        "id": group["id"],
        "name": group["name"],
        "created_at": group["created_at"],
        "scim_managed": group["is_scim_managed"],
    }


# --- groups ---------------------------------------------------------------------------------------


def create_group(org: Organization, principal: Principal, name: str) -> dict[str, Any]:
    group = {
        "object": "group",
        "id": ids.new_id("organization.group"),
        "name": _check_name(name),
        "created_at": clock.now_seconds(),
        "is_scim_managed": False,
        "group_type": "group",
    }
    get_store().create(org.tenant, GROUPS, group)
    audit_logs.record(org, principal, "group.created", {"id": group["id"], "data": {"group_name": name}})
    return group


def list_groups(org: Organization, params: ListParams) -> dict[str, Any]:
    page = get_store().list(org.tenant, GROUPS, limit=params.limit, order=params.order, after=params.after)
    return next_cursor_list(page)


def update_group(org: Organization, principal: Principal, group_id: str, name: str) -> dict[str, Any]:
    get_group(org, group_id)
    _check_name(name)
    updated = get_store().update(org.tenant, GROUPS, group_id, lambda group: {**group, "name": name})
    if updated is None:
        raise not_found("Group", group_id)
    for project in all_items(org.tenant, PROJECTS):  # the projects it was added to show its new name
        get_store().update(
            org.tenant, project_groups(project["id"]), group_id, lambda added: {**added, "group_name": name}
        )
    audit_logs.record(org, principal, "group.updated", {"id": group_id, "changes_requested": {"group_name": name}})
    return {key: updated[key] for key in ("object", "id", "name", "created_at", "is_scim_managed")}


def delete_group(org: Organization, principal: Principal, group_id: str) -> dict[str, Any]:
    """Its members lose the roles it gave them (the organization's last owner excepted: 400)."""
    get_group(org, group_id)
    access.ensure_an_owner_remains(org, "group_id", without_group=group_id)
    access.unassign_all(org, principal, None, access.GROUP, group_id)
    for project in all_items(org.tenant, PROJECTS):
        get_store().delete(org.tenant, project_groups(project["id"]), group_id)
    get_store().delete_collection(org.tenant, group_users(group_id))
    get_store().delete(org.tenant, GROUPS, group_id)
    audit_logs.record(org, principal, "group.deleted", {"id": group_id})
    access.refresh(org)
    return {"object": "group.deleted", "id": group_id, "deleted": True}


# --- group users ----------------------------------------------------------------------------------


def _member(org: Organization, group_id: str, user_id: str) -> dict[str, Any]:
    get_group(org, group_id)
    if get_store().get(org.tenant, group_users(group_id), user_id) is None:
        raise not_found("GroupUser", user_id, "user_id")
    return get_user(org, user_id)


def add_group_user(org: Organization, principal: Principal, group_id: str, user_id: str) -> dict[str, Any]:
    get_group(org, group_id)
    get_user(org, user_id)
    collection = group_users(group_id)
    if get_store().get(org.tenant, collection, user_id) is None:
        get_store().create(org.tenant, collection, {"id": user_id, "added_at": clock.now_seconds()})
        audit_logs.record(org, principal, "tenant.group.member.added", {"id": group_id, "user_id": user_id})
        access.refresh(org)
    return {"object": "group.user", "user_id": user_id, "group_id": group_id}


def list_group_users(org: Organization, group_id: str, params: ListParams) -> dict[str, Any]:
    get_group(org, group_id)
    page = get_store().list(
        org.tenant, group_users(group_id), limit=params.limit, order=params.order, after=params.after
    )

    def view(member: dict[str, Any]) -> dict[str, Any]:
        user = get_store().get(org.tenant, USERS, member["id"]) or {"name": "", "email": None}
        return {"id": member["id"], "name": user["name"], "email": user["email"]}

    return next_cursor_list(page, view=view)


def retrieve_group_user(org: Organization, group_id: str, user_id: str) -> dict[str, Any]:
    user = _member(org, group_id, user_id)
    return {
        "id": user["id"],
        "name": user["name"],
        "email": user["email"],
        "picture": None,
        "is_service_account": False,
        "user_type": "user",
    }


def remove_group_user(org: Organization, principal: Principal, group_id: str, user_id: str) -> dict[str, Any]:
    _member(org, group_id, user_id)
    access.ensure_an_owner_remains(org, "user_id", without_membership=(group_id, user_id))
    get_store().delete(org.tenant, group_users(group_id), user_id)
    audit_logs.record(org, principal, "tenant.group.member.removed", {"id": group_id, "user_id": user_id})
    access.refresh(org)
    return {"object": "group.user.deleted", "deleted": True}


def leave_all_groups(org: Organization, user_id: str) -> None:
    """A user left the organization."""
    for group in all_items(org.tenant, GROUPS):
        get_store().delete(org.tenant, group_users(group["id"]), user_id)


# --- project groups -------------------------------------------------------------------------------


def project_role(org: Organization, project_id: str, role_id: str, param: str) -> dict[str, Any]:
    """A role a project can grant (a project's predefined or custom role); 400 naming `param` otherwise.
    The predefined roles' lowercase names ("owner", "member", "viewer") are accepted too."""
    role = roles.find_role(org, role_id, project_id)
    if role is None:
        named = [r for r in roles.predefined_roles(org, PROJECT) if r["name"].lower() == role_id.lower()]
        role = named[0] if named else None
    if role is None or role["resource_type"] != PROJECT:
        raise invalid_request(
            f"Invalid '{param}': {role_id} is not a role of project {project_id}.", param, "invalid_role"
        )
    return role


def get_project_group(org: Organization, project_id: str, group_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    added = get_store().get(org.tenant, project_groups(project_id), group_id)
    if added is None:
        raise not_found("ProjectGroup", group_id, "group_id")
    return added


def add_project_group(
    org: Organization, principal: Principal, project_id: str, group_id: str, role_id: str
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    group = get_group(org, group_id, "group_id")
    role = project_role(org, project_id, role_id, "role")
    collection = project_groups(project_id)
    if get_store().get(org.tenant, collection, group_id) is not None:
        raise invalid_request(f"Group {group_id} has already been added to project {project_id}.", "group_id")
    added = {
        "id": group_id,
        "object": "project.group",
        "project_id": project_id,
        "group_id": group_id,
        "group_name": group["name"],
        "group_type": group["group_type"],
        "created_at": clock.now_seconds(),
    }
    get_store().create(org.tenant, collection, added)
    access.assign(org, principal, project_id, access.GROUP, group_id, role, project)
    return project_group_object(added)


def project_group_object(added: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in public(added).items() if key != "id"}


def list_project_groups(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    get_project(org, project_id)
    page = get_store().list(
        org.tenant, project_groups(project_id), limit=params.limit, order=params.order, after=params.after
    )
    return next_cursor_list(page, view=project_group_object)


def retrieve_project_group(
    org: Organization, project_id: str, group_id: str, group_type: str = "group"
) -> dict[str, Any]:
    added = get_project_group(org, project_id, group_id)
    if added["group_type"] != group_type:  # the mock's groups are all of type "group"
        raise not_found("ProjectGroup", group_id, "group_id")
    return project_group_object(added)


def remove_project_group(org: Organization, principal: Principal, project_id: str, group_id: str) -> dict[str, Any]:
    project = writable_project(org, project_id)
    get_project_group(org, project_id, group_id)
    if not access.unassign_all(org, principal, project_id, access.GROUP, group_id):
        # The group had lost all its roles there: its leaving the project is still logged.
        details = {"principal_id": group_id, "principal_type": access.GROUP, "resource_id": project_id}
        audit_logs.record(org, principal, "role.assignment.deleted", {**details, "resource_type": PROJECT}, project)
    get_store().delete(org.tenant, project_groups(project_id), group_id)
    access.refresh(org, project_id)
    return {"object": "project.group.deleted", "deleted": True}

"""Organization users: list (filtered by email), change a role, remove (from the organization and its projects);
an organization always keeps at least one owner
(its own Owner role or a group's: access.py). Users join by accepting an invite (see `invites`)."""

from __future__ import annotations

from typing import Any

from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import access, audit_logs, groups, role_assignments, roles
from openai_mock.resources.organization.core import (
    PROJECTS,
    USERS,
    Organization,
    all_items,
    get_user,
    project_users,
)
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import ORGANIZATION


def list_users(org: Organization, params: ListParams, emails: list[str]) -> dict[str, Any]:
    wanted = {email.lower() for email in emails}
    page = get_store().list(
        org.tenant,
        USERS,
        limit=params.limit,
        order="asc",
        after=params.after,
        where=(lambda user: user["email"].lower() in wanted) if wanted else None,
    )
    return list_object(page)


# The profile fields an update may set (null clears one); both are shown on the User object once set.
PROFILE_FIELDS = ("developer_persona", "technical_level")
_NOTHING_TO_UPDATE = "Provide at least one of 'role', 'role_id', 'developer_persona' or 'technical_level'."


def _role_for(org: Organization, role_id: str, role: str | None) -> tuple[str | None, dict[str, Any] | None]:
    """`role_id`: an organization role. A predefined Owner or Reader role stands for that `role` (the two must
    agree when both are sent); a custom role is assigned to the user besides their role."""
    assigned = role_assignments.organization_role(org, role_id)
    legacy = {roles.legacy_role_id(org, ORGANIZATION, name): name for name in ("owner", "reader")}
    stands_for = legacy.get(role_id)
    if role is not None and stands_for is not None and role != stands_for:
        raise invalid_request(
            f"Invalid 'role_id': {role_id} is the organization's '{stands_for}' role, but 'role' is '{role}'.",
            "role_id",
            "invalid_value",
        )
    return (stands_for, None) if stands_for is not None else (role, assigned)


def modify_user(org: Organization, principal: Principal, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The `role` field stands for a predefined organization role (access.py): the last owner keeps it. `role_id`
    names an organization role (roles.py) to give the user; `developer_persona` and `technical_level` are kept on
    the user (null clears them)."""
    user = get_user(org, user_id)
    if not any(changes.get(field) is not None for field in ("role", "role_id")) and not any(
        field in changes for field in PROFILE_FIELDS
    ):
        raise invalid_request(_NOTHING_TO_UPDATE, "role", "missing_required_parameter")
    role: str | None = changes.get("role")
    custom: dict[str, Any] | None = None
    if changes.get("role_id") is not None:
        role, custom = _role_for(org, changes["role_id"], role)
    if role is not None and user["role"] == "owner" and role != "owner":
        owner_role = roles.predefined_id(org, "org-owner")
        if owner_role in {item["role_id"] for item in access.direct_assignments(org, org.id, access.USER, user_id)}:
            access.ensure_an_owner_remains(org, "user_id", without_assignment=(access.USER, user_id))
    profile = {field: changes[field] for field in PROFILE_FIELDS if field in changes}
    fields = profile | ({"role": role} if role is not None else {})
    updated = get_store().update(org.tenant, USERS, user_id, lambda current: {**current, **fields})
    if updated is None:
        raise not_found("User", user_id)
    if role is not None:
        access.swap_legacy_role(org, org.id, user_id, user["role"], role)
    if custom is not None:
        access.assign(org, principal, org.id, access.USER, user_id, custom)
    requested = {field: value for field, value in changes.items() if value is not None or field in PROFILE_FIELDS}
    audit_logs.record(org, principal, "user.updated", {"id": user_id, "changes_requested": requested})
    access.refresh(org)
    return updated


def delete_user(org: Organization, principal: Principal, user_id: str) -> dict[str, Any]:
    get_user(org, user_id)
    access.ensure_an_owner_remains(org, "user_id", without_user=user_id)
    get_store().delete(org.tenant, USERS, user_id)
    for project in all_items(org.tenant, PROJECTS):  # leaving the organization leaves its projects
        get_store().delete(org.tenant, project_users(project["id"]), user_id)
    groups.leave_all_groups(org, user_id)
    access.forget(org, None, access.USER, user_id)
    audit_logs.record(org, principal, "user.deleted", {"id": user_id})
    access.refresh(org)
    return {"object": "organization.user.deleted", "id": user_id, "deleted": True}

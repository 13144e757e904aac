"""Organization users: list (filtered by email), change a role, remove (from the organization and its projects);
an organization always keeps at least one owner
(its own Owner role or a group's: access.py). Users join by accepting an invite (see `invites`)."""

from __future__ import annotations

from typing import Any

from openai_mock.errors import not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import access, audit_logs, groups, roles
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


def modify_user(org: Organization, principal: Principal, user_id: str, role: str) -> dict[str, Any]:
    """The `role` field stands for a predefined organization role (access.py): the last owner keeps it."""
    user = get_user(org, user_id)
    if user["role"] == "owner" and role != "owner":
        owner_role = roles.predefined_id(org, "org-owner")
        if owner_role in {item["role_id"] for item in access.direct_assignments(org, org.id, access.USER, user_id)}:
            access.ensure_an_owner_remains(org, "user_id", without_assignment=(access.USER, user_id))
    updated = get_store().update(org.tenant, USERS, user_id, lambda current: {**current, "role": role})
    if updated is None:
        raise not_found("User", user_id)
    access.swap_legacy_role(org, org.id, user_id, user["role"], role)
    audit_logs.record(org, principal, "user.updated", {"id": user_id, "changes_requested": {"role": role}})
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

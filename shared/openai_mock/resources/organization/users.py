"""Organization users: list (filtered by email), change a role, remove (from the organization and its projects);
an organization always keeps at least one owner. Users join by accepting an invite (see `invites`)."""

from __future__ import annotations

from typing import Any

from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
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


def _owners(org: Organization) -> list[str]:
    return [user["id"] for user in all_items(org.tenant, USERS) if user["role"] == "owner"]


def _last_owner_error(user_id: str) -> Exception:
    return invalid_request(
        f"User {user_id} is the only owner of this organization; an organization must keep at least one owner.",
        "user_id",
    )


def modify_user(org: Organization, principal: Principal, user_id: str, role: str) -> dict[str, Any]:
    user = get_user(org, user_id)
    if user["role"] == "owner" and role != "owner" and _owners(org) == [user_id]:
        raise _last_owner_error(user_id)
    updated = get_store().update(org.tenant, USERS, user_id, lambda current: {**current, "role": role})
    if updated is None:
        raise not_found("User", user_id)
    audit_logs.record(org, principal, "user.updated", {"id": user_id, "changes_requested": {"role": role}})
    return updated


def delete_user(org: Organization, principal: Principal, user_id: str) -> dict[str, Any]:
    user = get_user(org, user_id)
    if user["role"] == "owner" and _owners(org) == [user_id]:
        raise _last_owner_error(user_id)
    get_store().delete(org.tenant, USERS, user_id)
    for project in all_items(org.tenant, PROJECTS):  # leaving the organization leaves its projects
        get_store().delete(org.tenant, project_users(project["id"]), user_id)
    audit_logs.record(org, principal, "user.deleted", {"id": user_id})
    return {"object": "organization.user.deleted", "id": user_id, "deleted": True}

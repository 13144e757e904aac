"""Organization invites. An invite stays pending until it expires (7 days) or is deleted;
accepting happens outside the API (a person clicks a link), so the mock offers `accept_invite` as a
layer function for tests and demos: it turns the invite into a user, with the invite's projects."""

from __future__ import annotations

from typing import Any

from openai_mock import clock, ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import access, audit_logs
from openai_mock.resources.organization.core import (
    INVITES,
    PROJECTS,
    USERS,
    Organization,
    all_items,
    get_project,
    project_user,
    project_users,
)
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

INVITE_TTL_SECONDS = 7 * 86_400


def _with_status(invite: dict[str, Any]) -> dict[str, Any]:
    """Pending invites expire as time passes."""
    if invite["status"] == "pending" and invite["expires_at"] <= clock.now_seconds():
        return {**invite, "status": "expired"}
    return invite


def create_invite(
    org: Organization, principal: Principal, email: str, role: str, projects: list[dict[str, str]]
) -> dict[str, Any]:
    address = email.strip()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise invalid_request(f"Invalid email address: '{email}'.", "email", "invalid_value")
    if any(user["email"].lower() == address.lower() for user in all_items(org.tenant, USERS)):
        raise invalid_request(f"User with email {address} is already a member of this organization.", "email")
    pending = [_with_status(invite) for invite in all_items(org.tenant, INVITES)]
    if any(i["email"].lower() == address.lower() and i["status"] == "pending" for i in pending):
        raise invalid_request(f"An invite for {address} is already pending.", "email")
    for index, project in enumerate(projects):
        if get_store().get(org.tenant, PROJECTS, project["id"]) is None:
            raise not_found("Project", project["id"], f"projects[{index}].id")
    now = clock.now_seconds()
    invite: dict[str, Any] = {
        "object": "organization.invite",
        "id": ids.new_id("organization.invite"),
        "email": address,
        "role": role,
        "status": "pending",
        "created_at": now,
        "invited_at": now,  # the 2025 name of created_at, kept for clients of that time
        "expires_at": now + INVITE_TTL_SECONDS,
        "accepted_at": None,
        "projects": [{"id": project["id"], "role": project["role"]} for project in projects],
    }
    stored = get_store().create(org.tenant, INVITES, invite)
    audit_logs.record(org, principal, "invite.sent", {"id": invite["id"], "data": {"email": address, "role": role}})
    return stored


def list_invites(org: Organization, params: ListParams) -> dict[str, Any]:
    page = get_store().list(org.tenant, INVITES, limit=params.limit, order="asc", after=params.after)
    return list_object(page, view=_with_status)


def retrieve_invite(org: Organization, invite_id: str) -> dict[str, Any]:
    invite = get_store().get(org.tenant, INVITES, invite_id)
    if invite is None:
        raise not_found("Invite", invite_id, "invite_id")
    return _with_status(invite)


def delete_invite(org: Organization, principal: Principal, invite_id: str) -> dict[str, Any]:
    invite = retrieve_invite(org, invite_id)
    if invite["status"] == "accepted":
        raise invalid_request(f"Invite {invite_id} has already been accepted and cannot be deleted.", "invite_id")
    get_store().delete(org.tenant, INVITES, invite_id)
    audit_logs.record(org, principal, "invite.deleted", {"id": invite_id})
    return {"object": "organization.invite.deleted", "id": invite_id, "deleted": True}


def accept_invite(org: Organization, principal: Principal, invite_id: str, name: str | None = None) -> dict[str, Any]:
    """What happens when the invitee follows the link: a mock control (`POST /__mock/invites/{id}/accept`),
    not an API operation. Without a name, the user is named after the invite's address."""
    invite = retrieve_invite(org, invite_id)
    if invite["status"] != "pending":
        raise invalid_request(f"Invite {invite_id} is {invite['status']}.", "invite_id")
    now = clock.now_seconds()
    local = invite["email"].split("@")[0]
    user = {
        "object": "organization.user",
        "id": ids.new_id("organization.user"),
        "name": name or " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part),
        "email": invite["email"],
        "role": invite["role"],
        "added_at": now,
    }
    get_store().create(org.tenant, USERS, user)
    for membership in invite.get("projects", []):
        project = get_project(org, membership["id"])
        get_store().create(org.tenant, project_users(project["id"]), project_user(user, membership["role"], now))
    get_store().update(
        org.tenant, INVITES, invite_id, lambda current: {**current, "status": "accepted", "accepted_at": now}
    )
    audit_logs.record(org, principal, "invite.accepted", {"id": invite_id})
    audit_logs.record(org, principal, "user.added", {"id": user["id"], "data": {"role": user["role"]}})
    for membership in invite.get("projects", []):
        access.refresh(org, membership["id"])
    return user

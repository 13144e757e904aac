"""One organization per admin tenant, with the state a real organization starts with: an owner user,
a "Default Project" (the owner as its owner, default rate limits per model). It is seeded lazily, on
the first Administration API call, with stable ids so that racing first calls seed the same objects."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from openai_mock import ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.store import ConflictError, get_store
from openai_mock.web.auth import Principal

# Collections (scoped by the admin tenant). Project children are scoped by their project id.
ORGANIZATION = "organization"
USERS = "organization.user"
INVITES = "organization.invite"
ADMIN_KEYS = "organization.admin_api_key"
PROJECTS = "organization.project"
AUDIT_LOGS = "audit_log"
USAGE = "organization.usage"  # minute records written as objects before usage became counters (still read)
USAGE_COUNTS = "organization.usage.counts"  # the minute's sums per kind and dimensions: counter items
CERTIFICATES = "organization.certificate"
SPEND_ALERTS = "organization.spend_alert"


def project_users(project_id: str) -> str:
    return f"organization.project.user/{project_id}"


def service_accounts(project_id: str) -> str:
    return f"organization.project.service_account/{project_id}"


def project_keys(project_id: str) -> str:
    return f"organization.project.api_key/{project_id}"


def rate_limits(project_id: str) -> str:
    return f"project.rate_limit/{project_id}"


# Roles, groups and who holds which role where (resources/organization/roles.py, groups.py, access.py).
ROLES = "organization.role"  # custom organization roles (predefined roles are not stored)
GROUPS = "organization.group"
ROLE_ASSIGNMENTS = "organization.role_assignment"  # id: resource|principal type|principal|role
MATERIALIZED = "organization.role_assignment.materialized"  # id: resource|principal (see access.py)
MODEL_PERMISSIONS = "organization.project.model_permissions"  # id = project id
HOSTED_TOOLS = "organization.project.hosted_tool_permissions"  # id = project id
SERVICE_TIERS = "organization.project.service_tier_settings"  # id = project id


def project_roles(project_id: str) -> str:
    return f"organization.project.role/{project_id}"


def group_users(group_id: str) -> str:
    return f"organization.group.user/{group_id}"


def project_groups(project_id: str) -> str:
    return f"organization.project.group/{project_id}"


def project_spend_alerts(project_id: str) -> str:
    return f"organization.project.spend_alert/{project_id}"


# Owners an organization can start with (picked by the tenant's hash): realistic, never a real person.
_OWNERS = (
    ("Maya Okafor", "maya.okafor"),
    ("Lucas Brennan", "lucas.brennan"),
    ("Priya Raman", "priya.raman"),
    ("Tomás Alvarez", "tomas.alvarez"),
    ("Hannah Kowalski", "hannah.kowalski"),
    ("Kenji Watanabe", "kenji.watanabe"),
)
# The colleagues an organization starts with, besides its owner: (name, handle, role), roles as on the real API.
_MEMBERS = (
    ("Samuel Osei", "samuel.osei", "owner"),
    ("Elena Petrova", "elena.petrova", "reader"),
    ("Daniel Kim", "daniel.kim", "reader"),
    ("Aisha Bello", "aisha.bello", "reader"),
)
_ORG_EPOCH = 1_704_067_200  # organizations were created during 2024


def _hash(tenant: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{tenant}|{salt}".encode()).digest()[:8], "big")


def created_at(tenant: str) -> int:
    """When the organization was created: a stable moment of 2024."""
    return _ORG_EPOCH + _hash(tenant, "created") % (365 * 86_400)


@lru_cache(maxsize=1024)  # asked on every model request (its usage lands in that project)
def default_project_id(tenant: str) -> str:
    return ids.stable_id("organization.project", created_at(tenant), f"{tenant}|default-project")


def project_of(principal: Principal) -> str:
    """The project a caller's objects belong to: a project key's, any other key's organization's Default Project."""
    return principal.project_id or default_project_id(principal.tenant)


@lru_cache(maxsize=1024)
def bootstrap_key_id(tenant: str) -> str:
    """The id of the admin key that created the organization (an `sk-admin-…` key not made by the API)."""
    return ids.stable_id("organization.admin_api_key", created_at(tenant), f"{tenant}|bootstrap-key")


class Organization(NamedTuple):
    tenant: str
    id: str
    owner_id: str
    owner_email: str

    def actor(self, principal: Principal) -> dict[str, Any]:
        """An audit-log actor: the calling admin key, owned by the organization's owner."""
        return {
            "type": "api_key",
            "api_key": {
                "id": principal.api_key_id or bootstrap_key_id(self.tenant),
                "type": "user",
                "user": {"id": self.owner_id, "email": self.owner_email},
            },
        }


def caller_objects(principal: Principal) -> list[tuple[str, str]]:
    """What an admin route reads first of its caller, its organization: read with the request's first reads on AWS
    (`create_app(…, caller_objects=caller_objects)`, web/request_reads.py)."""
    return [(ORGANIZATION, principal.organization_id)]


def organization(principal: Principal) -> Organization:
    """The caller's organization, seeded with its initial state on first use."""
    tenant = principal.tenant
    store = get_store()
    marker = store.get(tenant, ORGANIZATION, principal.organization_id)
    if marker is None:
        marker = _seed(tenant, principal.organization_id)
    return Organization(tenant, marker["id"], marker["owner_id"], marker["owner_email"])


def _create_once(tenant: str, collection: str, obj: dict[str, Any]) -> None:
    with contextlib.suppress(ConflictError):  # a concurrent first call seeded the same object
        get_store().create(tenant, collection, obj)


def _seed(tenant: str, organization_id: str) -> dict[str, Any]:
    from openai_mock.resources.organization.ratelimit_defaults import default_rate_limits

    at = created_at(tenant)
    name, handle = _OWNERS[_hash(tenant, "owner") % len(_OWNERS)]
    owner = {
        "object": "organization.user",
        "id": ids.stable_id("organization.user", at, f"{tenant}|owner"),
        "name": name,
        "email": f"{handle}@example.com",
        "role": "owner",
        "added_at": at,
    }
    project_id = default_project_id(tenant)
    project = {
        "id": project_id,
        "object": "organization.project",
        "name": "Default Project",
        "created_at": at,
        "archived_at": None,
        "status": "active",
    }
    _create_once(tenant, USERS, owner)
    for index, (member_name, member_handle, role) in enumerate(_MEMBERS, start=1):
        joined = at + index * 9 * 86_400  # colleagues joined in the weeks after the owner
        member = {
            "object": "organization.user",
            "id": ids.stable_id("organization.user", joined, f"{tenant}|member|{member_handle}"),
            "name": member_name,
            "email": f"{member_handle}@example.com",
            "role": role,
            "added_at": joined,
        }
        _create_once(tenant, USERS, member)
    _create_once(tenant, PROJECTS, project)
    _create_once(tenant, project_users(project_id), project_user(owner, "owner", at))
    for limit in default_rate_limits():
        _create_once(tenant, rate_limits(project_id), limit)
    _seed_service_account(tenant, project_id, at + 86_400)
    marker = {"id": organization_id, "owner_id": owner["id"], "owner_email": owner["email"], "created_at": at}
    _create_once(tenant, ORGANIZATION, marker)
    return marker


def _seed_service_account(tenant: str, project_id: str, at: int) -> None:
    """The Default Project's service account, with the project API key it was made with. That key's secret was
    shown once, long ago: it is not registered (a key made through the API, or a new service account's, works)."""
    account = {
        "object": "organization.project.service_account",
        "id": ids.stable_id("organization.project.service_account", at, f"{tenant}|default-service-account"),
        "name": "default-service-account",
        "role": "member",
        "created_at": at,
    }
    key_id = ids.stable_id("organization.project.api_key", at, f"{tenant}|default-service-account-key")
    suffix = ids.stable_id("organization.project.api_key", at, f"{tenant}|default-key-suffix")[-4:]
    key = {
        "object": "organization.project.api_key",
        "redacted_value": f"sk-svcacct...{suffix}",
        "name": "Secret Key",
        "created_at": at,
        "last_used_at": None,
        "id": key_id,
        "owner": {
            "type": "service_account",
            "service_account": dict(account),
        },
        "owner_project_access": "active",
        "_digest": hashlib.sha256(f"{tenant}|{key_id}|never-shown".encode()).hexdigest(),
    }
    _create_once(tenant, service_accounts(project_id), account)
    _create_once(tenant, project_keys(project_id), key)


def project_user(user: dict[str, Any], role: str, added_at: int) -> dict[str, Any]:
    return {
        "object": "organization.project.user",
        "id": user["id"],
        "name": user["name"],
        "email": user["email"],
        "role": role,
        "added_at": added_at,
    }


def public(obj: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the mock's private bookkeeping fields (`_…`) before answering."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def get_project(org: Organization, project_id: str) -> dict[str, Any]:
    project = get_store().get(org.tenant, PROJECTS, project_id)
    if project is None:
        raise not_found("Project", project_id)
    return project


def writable_project(org: Organization, project_id: str) -> dict[str, Any]:
    """The project, if it may still change: archived projects refuse writes, as with the real API."""
    project = get_project(org, project_id)
    if project["status"] == "archived":
        raise invalid_request(f"Project {project_id} is archived and cannot be modified.", "project_id")
    return project


def get_user(org: Organization, user_id: str) -> dict[str, Any]:
    user = get_store().get(org.tenant, USERS, user_id)
    if user is None:
        raise not_found("User", user_id)
    return user


def all_items(
    tenant: str, collection: str, where: Callable[[dict[str, Any]], bool] | None = None
) -> list[dict[str, Any]]:
    return get_store().list(tenant, collection, limit=1_000_000, order="asc", where=where).items

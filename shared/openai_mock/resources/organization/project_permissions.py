"""A project's model permissions (an allow list or a deny list of model ids), hosted tool permissions
(file_search, web_search, image_generation, mcp, code_interpreter: each enabled or not) and service tier settings
(the tier a request without one runs in, the optional tiers it may ask for). They bind the project's API keys
(`web/access.py`); admin keys and keys outside the project are not affected."""

from __future__ import annotations

from typing import Any

from openai_mock.checks import check_enum
from openai_mock.errors import invalid_request
from openai_mock.resources.models import model_spec
from openai_mock.resources.organization import access, audit_logs
from openai_mock.resources.organization.core import (
    HOSTED_TOOLS,
    MODEL_PERMISSIONS,
    SERVICE_TIERS,
    Organization,
    writable_project,
)
from openai_mock.store import get_store
from openai_mock.web.access import HOSTED_TOOLS as TOOL_NAMES
from openai_mock.web.auth import Principal


def retrieve_model_permissions(org: Organization, project_id: str) -> dict[str, Any]:
    return access.model_permissions(org, project_id)


def update_model_permissions(
    org: Organization, principal: Principal, project_id: str, mode: str, model_ids: list[str]
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    for index, model in enumerate(model_ids):
        if model_spec(model) is None and not model.startswith("ft:"):
            raise invalid_request(
                f"Invalid 'model_ids[{index}]': the model '{model}' does not exist.",
                f"model_ids[{index}]",
                "model_not_found",
            )
    model_ids = list(dict.fromkeys(model_ids))
    access.put(org.tenant, MODEL_PERMISSIONS, {"id": project_id, "mode": mode, "model_ids": model_ids})
    audit_logs.record(
        org,
        principal,
        "project.updated",
        {"id": project_id, "changes_requested": {"model_permissions": {"mode": mode, "model_ids": model_ids}}},
        project,
    )
    access.refresh(org, project_id)
    return access.model_permissions(org, project_id)


def delete_model_permissions(org: Organization, principal: Principal, project_id: str) -> dict[str, Any]:
    """Back to no policy: every model the organization can use."""
    project = writable_project(org, project_id)
    get_store().delete(org.tenant, MODEL_PERMISSIONS, project_id)
    audit_logs.record(
        org, principal, "project.updated", {"id": project_id, "changes_requested": {"model_permissions": None}}, project
    )
    access.refresh(org, project_id)
    return {"object": "project.model_permissions.deleted", "deleted": True}


def retrieve_hosted_tools(org: Organization, project_id: str) -> dict[str, Any]:
    return access.hosted_tools(org, project_id)


def update_hosted_tools(
    org: Organization, principal: Principal, project_id: str, changes: dict[str, bool]
) -> dict[str, Any]:
    """`changes`: tool → enabled, for the tools the request names (the others keep their setting)."""
    project = writable_project(org, project_id)
    current = get_store().get(org.tenant, HOSTED_TOOLS, project_id) or {}
    settings = {tool: changes.get(tool, current.get(tool, True)) for tool in TOOL_NAMES}
    access.put(org.tenant, HOSTED_TOOLS, {"id": project_id, **settings})
    audit_logs.record(
        org,
        principal,
        "project.updated",
        {"id": project_id, "changes_requested": {"hosted_tool_permissions": changes}},
        project,
    )
    access.refresh(org, project_id)
    return access.hosted_tools(org, project_id)


DEFAULT_TIERS = ("standard", "fast", "scale")
OPTIONAL_TIERS = ("flex", "fast", "ultrafast")


def retrieve_service_tiers(org: Organization, project_id: str) -> dict[str, Any]:
    return access.service_tiers(org, project_id)


def update_service_tiers(
    org: Organization, principal: Principal, project_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """`changes`: a new `default` tier, a new `enabled_tiers` (`"all"`, or the optional tiers, replaced whole), or
    both; what is not sent stays."""
    project = writable_project(org, project_id)
    if "default" in changes:
        check_enum(changes["default"], DEFAULT_TIERS, "default")
    enabled = changes.get("enabled_tiers", "all")
    if isinstance(enabled, str):
        check_enum(enabled, ("all",), "enabled_tiers")
    else:
        for index, tier in enumerate(enabled):
            if tier == "all":  # "all" is the whole setting (today's tiers and later ones), not one of a list
                raise invalid_request(
                    f"Invalid value for 'enabled_tiers[{index}]': 'all' is not a tier. To enable every tier, "
                    "including tiers added later, set enabled_tiers to the string 'all' instead of a list.",
                    f"enabled_tiers[{index}]",
                    "invalid_value",
                )
            check_enum(tier, OPTIONAL_TIERS, f"enabled_tiers[{index}]")
        changes = {**changes, "enabled_tiers": list(dict.fromkeys(enabled))}
    settings = {**access.service_tiers(org, project_id), **changes}
    access.put(
        org.tenant,
        SERVICE_TIERS,
        {"id": project_id, "default": settings["default"], "enabled_tiers": settings["enabled_tiers"]},
    )
    audit_logs.record(
        org,
        principal,
        "project.updated",
        {"id": project_id, "changes_requested": {"service_tier_settings": changes}},
        project,
    )
    access.refresh(org, project_id)
    return access.service_tiers(org, project_id)

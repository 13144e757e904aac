"""What a project API key may do: its own scopes (a restricted key), its owner's project roles, the project's model
permissions and hosted tool permissions. Enforced here, in one place on the request path:
- `enforce_project_access` (called by the middleware once the key is known): the endpoint's permission;
- `check_model` / `check_body` (called by `request_body.json_body`, and by the accounting step for form
  bodies): the requested model and hosted tools.
Each request check has a request-free twin taking the policy (`check_policy_model`, `check_policy_body`,
`honour_policy_service_tier`), which it calls: for what holds no request (a Realtime connection, a batch's lines).

Only keys that belong to a project (a service account's key, a user's project key: `Principal.project_id`)
are checked; every other key costs nothing here, not even a store read. A project key costs one read: the
project's policy, a document the organization resources write whenever something it depends on changes
(`resources/organization/access.py`: roles, assignments, groups, memberships, model and tool permissions) and
nobody else reads. A project without a policy document has never had its access changed: nothing is refused.

The document: `{"id": project_id, "members": {owner_id: [permission, …]}, "model_permissions": {"mode",
"model_ids"} | None, "hosted_tools": {tool: enabled}}`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from openai_mock.errors import OpenAIError
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.permissions import required_permission, scope_allows
from openai_mock.web.request_state import state_of

POLICY_COLLECTION = "organization.project.policy"  # under the organization's tenant, id = project id
STATE_KEY = "project_policy"  # request.state / scope["state"]

HOSTED_TOOLS = ("file_search", "web_search", "image_generation", "mcp", "code_interpreter")
# Tool `type`s of requests → the hosted tool they use.
_TOOL_TYPES = {
    "file_search": "file_search",
    "web_search": "web_search",
    "web_search_preview": "web_search",
    "web_search_preview_2025_03_11": "web_search",
    "web_search_2025_08_26": "web_search",
    "image_generation": "image_generation",
    "mcp": "mcp",
    "code_interpreter": "code_interpreter",
}
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def project_policy(principal: Principal) -> dict[str, Any] | None:
    """The policy of a project key's project; None, without a store read, for any other key."""
    if principal.project_id is None or principal.is_admin:
        return None
    return get_store().get(principal.tenant, POLICY_COLLECTION, principal.project_id)


def missing_scope(permission: str) -> OpenAIError:
    return OpenAIError(
        403,
        f"You have insufficient permissions for this operation. Missing scopes: {permission}. Check that you "
        "have the correct role in your organization (Reader, Owner) and project (Member, Owner), and if you're "
        "using a restricted API key, that it has the necessary scopes.",
        code="insufficient_permissions",
    )


def enforce_project_access(principal: Principal, method: str, path: str) -> dict[str, Any] | None:
    """403 when a restricted key's scopes or the key's owner lack the permission the endpoint needs; returns the
    policy for the later checks (None: nothing to check)."""
    if principal.scopes:
        lacking = scope_allows(principal.scopes, method, path)
        if lacking is not None:
            raise missing_scope(lacking)
    policy = project_policy(principal)
    if policy is None:
        return None
    needed = required_permission(method, path)
    if needed is not None and principal.owner_id is not None:
        granted = policy["members"].get(principal.owner_id, ())
        if needed not in granted:
            raise missing_scope(needed)
    return policy


def _policy_of(request: Request) -> dict[str, Any] | None:
    """The policy the middleware put on the request: a dict lookup (every JSON body asks)."""
    policy: dict[str, Any] | None = state_of(request.scope).get(STATE_KEY)
    return policy


def _model_matches(model: str, listed: str) -> bool:
    if model.startswith("ft:"):  # a fine-tuned model counts as its base model
        model = model.split(":")[1]
    return model == listed or (model.startswith(listed) and _SNAPSHOT.fullmatch(model[len(listed) :]) is not None)


def model_allowed(permissions: dict[str, Any] | None, model: str) -> bool:
    if not permissions:
        return True
    listed = any(_model_matches(model, name) for name in permissions["model_ids"])
    return listed if permissions["mode"] == "allow_list" else not listed


def check_model(request: Request, model: str | None) -> None:
    """403 `model_not_found` when the project's model permissions block `model`."""
    check_policy_model(_policy_of(request), model)


def check_policy_model(policy: dict[str, Any] | None, model: str | None) -> None:
    """`check_model` against a project policy (`project_policy`), for what holds no request: a Realtime
    connection, a client secret's pinned session, a batch's lines."""
    if policy is None or not model or model_allowed(policy.get("model_permissions"), model):
        return
    raise OpenAIError(
        403,
        f"Project `{policy['id']}` does not have access to model `{model}`",
        code="model_not_found",
    )


# A project's service tier settings (`resources/organization/project_permissions.py`) in a request's words: the
# tier a request without one (or with `auto`) asks for, by the project's default; the setting that enables a tier.
_REQUESTED_BY_DEFAULT = {"standard": "default", "fast": "fast", "scale": "scale"}
_ENABLING = {"flex": "flex", "fast": "fast", "priority": "fast", "ultrafast": "ultrafast"}

Body = TypeVar("Body", bound=BaseModel)


def honour_service_tier(request: Request, body: Body) -> Body:
    """The request as its project's service tier settings let it run: `auto` (or no `service_tier`) asks for the
    project's default tier; an optional tier (flex, fast, ultrafast) the project has not enabled is served in the
    default one. A key outside a project, or a project that never changed them: the request as it came."""
    return honour_policy_service_tier(_policy_of(request), body)


def honour_policy_service_tier(policy: dict[str, Any] | None, body: Body) -> Body:
    """`honour_service_tier` against a project policy (`project_policy`): a batch's lines."""
    tiers = policy.get("service_tiers") if policy else None
    if not tiers:
        return body
    requested = getattr(body, "service_tier", None) or "auto"
    if requested == "auto":
        requested = _REQUESTED_BY_DEFAULT[tiers["default"]]
    enabling = _ENABLING.get(requested)
    if enabling is not None and tiers["enabled_tiers"] != "all" and enabling not in tiers["enabled_tiers"]:
        requested = "default"
    return body.model_copy(update={"service_tier": requested})


def _tool_type(tool: Any) -> str | None:
    kind = tool.get("type") if isinstance(tool, dict) else getattr(tool, "type", None)
    return kind if isinstance(kind, str) else None


def check_tools(request: Request, tools: Iterable[Any] | None, uses_web_search: bool = False) -> None:
    """403 when a request uses a hosted tool the project has disabled."""
    check_policy_tools(_policy_of(request), tools, uses_web_search)


def check_policy_tools(
    policy: dict[str, Any] | None, tools: Iterable[Any] | None, uses_web_search: bool = False
) -> None:
    """`check_tools` against a project policy (`project_policy`)."""
    if policy is None:
        return
    disabled = {tool for tool, enabled in policy.get("hosted_tools", {}).items() if not enabled}
    if not disabled:
        return
    wanted = [(f"tools[{index}]", _TOOL_TYPES.get(_tool_type(tool) or "")) for index, tool in enumerate(tools or ())]
    if uses_web_search:
        wanted.append(("web_search_options", "web_search"))
    for param, hosted in wanted:
        if hosted in disabled:
            raise OpenAIError(
                403,
                f"The hosted tool '{hosted}' is disabled for project `{policy['id']}`. An organization owner can "
                "enable it in the project's hosted tool permissions.",
                param=param,
                code="hosted_tool_disabled",
            )


def check_body(request: Request, body: Any) -> None:
    """The model and hosted-tool checks of a parsed JSON body (any request model with `model` / `tools`)."""
    check_policy_body(_policy_of(request), body)


def check_policy_body(policy: dict[str, Any] | None, body: Any) -> None:
    """`check_body` against a project policy (`project_policy`): a batch's lines."""
    if policy is None:
        return
    model = getattr(body, "model", None)
    check_policy_model(policy, model if isinstance(model, str) else None)
    tools = getattr(body, "tools", None)
    check_policy_tools(
        policy,
        tools if isinstance(tools, list) else None,
        uses_web_search=getattr(body, "web_search_options", None) is not None,
    )

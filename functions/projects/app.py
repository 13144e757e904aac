"""Projects: the projects themselves (create, list, retrieve, rename, archive), their users, service
accounts, API keys and rate limits; their groups, the project roles of their users and groups
(`/projects/{project_id}/…`), their model permissions and hosted tool permissions."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.fields import Flag, Integer
from openai_mock.pagination import ListParams
from openai_mock.resources.organization import (
    caller_objects,
    groups,
    organization,
    project_permissions,
    projects,
    role_assignments,
)
from openai_mock.resources.organization.core import get_project
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import AdminPagination, list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/projects")
access_router = APIRouter(prefix="/v1/projects")  # the project role assignments live under /projects
RateLimitPagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", ordered=False)]
ProjectGroupPagination = Annotated[ListParams, list_query(default_limit=20, default_order="asc", before=False)]
RolePagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", maximum=1000, before=False)]
Role = Literal["owner", "member"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectCreateParams(_Body):
    name: str
    external_key_id: str | None = None
    residency: str | None = None
    geography: str | None = None  # deprecated for `residency`: the region it stands for


class ProjectUpdateParams(_Body):
    name: str | None = None
    external_key_id: str | None = None  # read with `exclude_unset`: null goes back to default encryption
    geography: str | None = None  # may restate the project's, never change it


class ProjectUserCreateParams(_Body):
    role: Role
    user_id: str | None = None
    email: str | None = None  # a member by email instead of by user_id


class ProjectUserUpdateParams(_Body):
    role: Role


class KeySpendLimit(_Body):
    threshold_amount: int
    currency: str
    interval: str


class ServiceAccountCreateParams(_Body):
    name: str
    create_service_account_only: Flag | None = None
    expires_in_seconds: Integer | None = None  # of its first API key, as `spend_limit`
    spend_limit: KeySpendLimit | None = None


class ProjectGroupCreateParams(_Body):
    group_id: str
    role: str


class RoleAssignmentParams(_Body):
    role_id: str


class ModelPermissionsParams(_Body):
    mode: Literal["allow_list", "deny_list"]
    model_ids: list[str]


class HostedToolPermission(_Body):
    enabled: bool


class HostedToolPermissionsParams(_Body):
    file_search: HostedToolPermission | None = None
    web_search: HostedToolPermission | None = None
    image_generation: HostedToolPermission | None = None
    mcp: HostedToolPermission | None = None
    code_interpreter: HostedToolPermission | None = None


class ServiceTierSettingsParams(_Body):
    default: str = "standard"  # read with `exclude_unset`: what is not sent stays
    enabled_tiers: str | list[str] = "all"


class ServiceAccountUpdateParams(_Body):
    name: str | None = None
    role: Literal["member", "owner"] | None = None


class ServiceAccountKeyParams(_Body):
    name: str | None = None
    scopes: list[str] = []
    expires_in_seconds: int | None = None
    spend_limit: KeySpendLimit | None = None


class ProjectKeyUpdateParams(_Body):
    # Read with `exclude_unset`: what is not sent stays; `spend_limit: null` removes the limit.
    expires_in_seconds: int = 0
    scopes: list[str] = []
    spend_limit: KeySpendLimit | None = None


class RateLimitUpdateParams(_Body):
    max_requests_per_1_minute: int | None = None
    max_tokens_per_1_minute: int | None = None
    max_images_per_1_minute: int | None = None
    max_audio_megabytes_per_1_minute: int | None = None
    max_requests_per_1_day: int | None = None
    batch_1_day_max_input_tokens: int | None = None


# --- projects -------------------------------------------------------------------------------------


@router.get("", operation_id="list-projects")
async def list_projects(
    principal: AdminPrincipal, params: AdminPagination, include_archived: Annotated[bool, Query()] = False
) -> JSONObject:
    return JSONObject(projects.list_projects(organization(principal), params, include_archived))


@router.post("", operation_id="create-project")
async def create_project(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ProjectCreateParams)
    org = organization(principal)
    return JSONObject(
        projects.create_project(org, principal, body.name, body.external_key_id, body.residency, body.geography)
    )


@router.get("/{project_id}", operation_id="retrieve-project")
async def retrieve_project(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(get_project(organization(principal), project_id))


@router.post("/{project_id}", operation_id="modify-project")
async def update_project(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    changes = (await json_body(request, ProjectUpdateParams)).model_dump(exclude_unset=True)
    return JSONObject(projects.modify_project(organization(principal), principal, project_id, changes))


@router.post("/{project_id}/archive", operation_id="archive-project")
async def archive_project(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.archive_project(organization(principal), principal, project_id))


# --- project users --------------------------------------------------------------------------------


@router.get("/{project_id}/users", operation_id="list-project-users")
async def list_project_users(project_id: str, principal: AdminPrincipal, params: AdminPagination) -> JSONObject:
    return JSONObject(projects.list_project_users(organization(principal), project_id, params))


@router.post("/{project_id}/users", operation_id="create-project-user")
async def create_project_user(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ProjectUserCreateParams)
    org = organization(principal)
    return JSONObject(projects.create_project_user(org, principal, project_id, body.user_id, body.role, body.email))


@router.get("/{project_id}/users/{user_id}", operation_id="retrieve-project-user")
async def retrieve_project_user(project_id: str, user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.retrieve_project_user(organization(principal), project_id, user_id))


@router.post("/{project_id}/users/{user_id}", operation_id="modify-project-user")
async def update_project_user(project_id: str, user_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ProjectUserUpdateParams)
    return JSONObject(projects.modify_project_user(organization(principal), principal, project_id, user_id, body.role))


@router.delete("/{project_id}/users/{user_id}", operation_id="delete-project-user")
async def delete_project_user(project_id: str, user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.delete_project_user(organization(principal), principal, project_id, user_id))


# --- service accounts -----------------------------------------------------------------------------


@router.get("/{project_id}/service_accounts", operation_id="list-project-service-accounts")
async def list_project_service_accounts(
    project_id: str, principal: AdminPrincipal, params: AdminPagination
) -> JSONObject:
    return JSONObject(projects.list_service_accounts(organization(principal), project_id, params))


@router.post("/{project_id}/service_accounts", operation_id="create-project-service-account")
async def create_project_service_account(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ServiceAccountCreateParams)
    org = organization(principal)
    account_only = bool(body.create_service_account_only)
    limit = None if body.spend_limit is None else body.spend_limit.model_dump()
    return JSONObject(
        projects.create_service_account(
            org, principal, project_id, body.name, account_only, body.expires_in_seconds, limit
        )
    )


@router.get("/{project_id}/service_accounts/{service_account_id}", operation_id="retrieve-project-service-account")
async def retrieve_project_service_account(
    project_id: str, service_account_id: str, principal: AdminPrincipal
) -> JSONObject:
    return JSONObject(projects.retrieve_service_account(organization(principal), project_id, service_account_id))


@router.post("/{project_id}/service_accounts/{service_account_id}", operation_id="update-project-service-account")
async def update_project_service_account(
    project_id: str, service_account_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    changes = (await json_body(request, ServiceAccountUpdateParams)).model_dump(exclude_none=True)
    org = organization(principal)
    return JSONObject(projects.update_service_account(org, principal, project_id, service_account_id, changes))


@router.post(
    "/{project_id}/service_accounts/{service_account_id}/api_keys", operation_id="CreateanAPIkeyforaserviceaccount"
)
async def create_project_service_account_api_key(
    project_id: str, service_account_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, ServiceAccountKeyParams)
    org = organization(principal)
    limit = None if body.spend_limit is None else body.spend_limit.model_dump()
    return JSONObject(
        projects.create_service_account_key(
            org, principal, project_id, service_account_id, body.name, body.scopes, body.expires_in_seconds, limit
        )
    )


@router.delete("/{project_id}/service_accounts/{service_account_id}", operation_id="delete-project-service-account")
async def delete_project_service_account(
    project_id: str, service_account_id: str, principal: AdminPrincipal
) -> JSONObject:
    return JSONObject(
        projects.delete_service_account(organization(principal), principal, project_id, service_account_id)
    )


# --- API keys -------------------------------------------------------------------------------------


@router.get("/{project_id}/api_keys", operation_id="list-project-api-keys")
async def list_project_api_keys(
    project_id: str,
    principal: AdminPrincipal,
    params: AdminPagination,
    owner_project_access: Annotated[str | None, Query()] = None,
) -> JSONObject:
    org = organization(principal)
    return JSONObject(projects.list_project_keys(org, project_id, params, owner_project_access))


@router.get("/{project_id}/api_keys/{api_key_id}", operation_id="retrieve-project-api-key")
async def retrieve_project_api_key(project_id: str, api_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.retrieve_project_key(organization(principal), project_id, api_key_id))


@router.post("/{project_id}/api_keys/{api_key_id}", operation_id="update-project-api-key")
async def update_project_api_key(
    project_id: str, api_key_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    changes = (await json_body(request, ProjectKeyUpdateParams)).model_dump(exclude_unset=True)
    return JSONObject(projects.update_project_key(organization(principal), principal, project_id, api_key_id, changes))


@router.delete("/{project_id}/api_keys/{api_key_id}", operation_id="delete-project-api-key")
async def delete_project_api_key(project_id: str, api_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.delete_project_key(organization(principal), principal, project_id, api_key_id))


# --- rate limits ----------------------------------------------------------------------------------


@router.get("/{project_id}/rate_limits", operation_id="list-project-rate-limits")
async def list_project_rate_limits(
    project_id: str, principal: AdminPrincipal, params: RateLimitPagination
) -> JSONObject:
    return JSONObject(projects.list_rate_limits(organization(principal), project_id, params))


@router.post("/{project_id}/rate_limits/{rate_limit_id}", operation_id="update-project-rate-limits")
async def update_project_rate_limit(
    project_id: str, rate_limit_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, RateLimitUpdateParams)
    changes = body.model_dump(exclude_none=True)
    return JSONObject(
        projects.update_rate_limit(organization(principal), principal, project_id, rate_limit_id, changes)
    )


# --- project groups -------------------------------------------------------------------------------


@router.get("/{project_id}/groups", operation_id="list-project-groups")
async def list_project_groups(project_id: str, principal: AdminPrincipal, params: ProjectGroupPagination) -> JSONObject:
    return JSONObject(groups.list_project_groups(organization(principal), project_id, params))


@router.post("/{project_id}/groups", operation_id="add-project-group")
async def create_project_group(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ProjectGroupCreateParams)
    org = organization(principal)
    return JSONObject(groups.add_project_group(org, principal, project_id, body.group_id, body.role))


@router.get("/{project_id}/groups/{group_id}", operation_id="retrieve-project-group")
async def retrieve_project_group(
    project_id: str,
    group_id: str,
    principal: AdminPrincipal,
    group_type: Annotated[Literal["group", "tenant_group"], Query()] = "group",
) -> JSONObject:
    return JSONObject(groups.retrieve_project_group(organization(principal), project_id, group_id, group_type))


@router.delete("/{project_id}/groups/{group_id}", operation_id="remove-project-group")
async def delete_project_group(project_id: str, group_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(groups.remove_project_group(organization(principal), principal, project_id, group_id))


# --- model and hosted tool permissions ------------------------------------------------------------


@router.get("/{project_id}/model_permissions", operation_id="retrieve-project-model-permissions")
async def retrieve_project_model_permissions(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(project_permissions.retrieve_model_permissions(organization(principal), project_id))


@router.post("/{project_id}/model_permissions", operation_id="update-project-model-permissions")
async def update_project_model_permissions(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ModelPermissionsParams)
    org = organization(principal)
    return JSONObject(
        project_permissions.update_model_permissions(org, principal, project_id, body.mode, body.model_ids)
    )


@router.delete("/{project_id}/model_permissions", operation_id="delete-project-model-permissions")
async def delete_project_model_permissions(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(project_permissions.delete_model_permissions(organization(principal), principal, project_id))


@router.get("/{project_id}/hosted_tool_permissions", operation_id="retrieve-project-hosted-tool-permissions")
async def retrieve_project_hosted_tool_permissions(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(project_permissions.retrieve_hosted_tools(organization(principal), project_id))


@router.get("/{project_id}/service_tier_settings", operation_id="retrieve-project-service-tier-settings")
async def retrieve_project_service_tier_settings(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(project_permissions.retrieve_service_tiers(organization(principal), project_id))


@router.post("/{project_id}/service_tier_settings", operation_id="update-project-service-tier-settings")
async def update_project_service_tier_settings(
    project_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    changes = (await json_body(request, ServiceTierSettingsParams)).model_dump(exclude_unset=True)
    org = organization(principal)
    return JSONObject(project_permissions.update_service_tiers(org, principal, project_id, changes))


@router.post("/{project_id}/hosted_tool_permissions", operation_id="update-project-hosted-tool-permissions")
async def update_project_hosted_tool_permissions(
    project_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, HostedToolPermissionsParams)
    changes = {tool: setting.enabled for tool, setting in body if setting is not None}
    org = organization(principal)
    return JSONObject(project_permissions.update_hosted_tools(org, principal, project_id, changes))


# --- project users' and groups' roles (/v1/projects/…) ---------------------------------------------


@access_router.get("/{project_id}/users/{user_id}/roles", operation_id="list-project-user-role-assignments")
async def list_project_user_roles(
    project_id: str, user_id: str, principal: AdminPrincipal, params: RolePagination
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.list_project_user_roles(org, project_id, user_id, params))


@access_router.post("/{project_id}/users/{user_id}/roles", operation_id="assign-project-user-role")
async def create_project_user_role(
    project_id: str, user_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, RoleAssignmentParams)
    org = organization(principal)
    return JSONObject(role_assignments.assign_project_user_role(org, principal, project_id, user_id, body.role_id))


@access_router.get("/{project_id}/users/{user_id}/roles/{role_id}", operation_id="retrieve-project-user-role")
async def retrieve_project_user_role(
    project_id: str, user_id: str, role_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.retrieve_project_user_role(org, project_id, user_id, role_id))


@access_router.delete("/{project_id}/users/{user_id}/roles/{role_id}", operation_id="unassign-project-user-role")
async def delete_project_user_role(
    project_id: str, user_id: str, role_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.unassign_project_user_role(org, principal, project_id, user_id, role_id))


@access_router.get("/{project_id}/groups/{group_id}/roles", operation_id="list-project-group-role-assignments")
async def list_project_group_roles(
    project_id: str, group_id: str, principal: AdminPrincipal, params: RolePagination
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.list_project_group_roles(org, project_id, group_id, params))


@access_router.post("/{project_id}/groups/{group_id}/roles", operation_id="assign-project-group-role")
async def create_project_group_role(
    project_id: str, group_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, RoleAssignmentParams)
    org = organization(principal)
    return JSONObject(role_assignments.assign_project_group_role(org, principal, project_id, group_id, body.role_id))


@access_router.get("/{project_id}/groups/{group_id}/roles/{role_id}", operation_id="retrieve-project-group-role")
async def retrieve_project_group_role(
    project_id: str, group_id: str, role_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.retrieve_project_group_role(org, project_id, group_id, role_id))


@access_router.delete("/{project_id}/groups/{group_id}/roles/{role_id}", operation_id="unassign-project-group-role")
async def delete_project_group_role(
    project_id: str, group_id: str, role_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.unassign_project_group_role(org, principal, project_id, group_id, role_id))


app = create_app(router, access_router, title="openai-mock projects", caller_objects=caller_objects)
handler = make_handler(app)

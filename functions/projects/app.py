"""Projects: the projects themselves (create, list, retrieve, rename, archive), their users, service
accounts, API keys and rate limits."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import organization, projects
from openai_mock.resources.organization.core import get_project
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import AdminPagination, list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/projects")
RateLimitPagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", ordered=False)]
Role = Literal["owner", "member"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectParams(_Body):
    name: str


class ProjectUserCreateParams(_Body):
    user_id: str
    role: Role


class ProjectUserUpdateParams(_Body):
    role: Role


class ServiceAccountCreateParams(_Body):
    name: str


class ServiceAccountUpdateParams(_Body):
    name: str | None = None
    role: Literal["member", "owner"] | None = None


class ServiceAccountKeyParams(_Body):
    name: str | None = None
    scopes: list[str] = []
    expires_in_seconds: int | None = None


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
    body = await json_body(request, ProjectParams)
    return JSONObject(projects.create_project(organization(principal), principal, body.name))


@router.get("/{project_id}", operation_id="retrieve-project")
async def retrieve_project(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(get_project(organization(principal), project_id))


@router.post("/{project_id}", operation_id="modify-project")
async def update_project(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ProjectParams)
    return JSONObject(projects.modify_project(organization(principal), principal, project_id, body.name))


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
    return JSONObject(
        projects.create_project_user(organization(principal), principal, project_id, body.user_id, body.role)
    )


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
    return JSONObject(projects.create_service_account(organization(principal), principal, project_id, body.name))


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
    return JSONObject(
        projects.create_service_account_key(
            org, principal, project_id, service_account_id, body.name, body.scopes, body.expires_in_seconds
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
async def list_project_api_keys(project_id: str, principal: AdminPrincipal, params: AdminPagination) -> JSONObject:
    return JSONObject(projects.list_project_keys(organization(principal), project_id, params))


@router.get("/{project_id}/api_keys/{api_key_id}", operation_id="retrieve-project-api-key")
async def retrieve_project_api_key(project_id: str, api_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(projects.retrieve_project_key(organization(principal), project_id, api_key_id))


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


app = create_app(router, title="openai-mock projects")
handler = make_handler(app)

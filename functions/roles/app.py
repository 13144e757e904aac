"""Roles: the organization's roles (`/organization/roles`) and a project's (`/projects/{project_id}/roles`),
predefined and custom (made of permissions)."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, organization, roles
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1")
RolePagination = Annotated[ListParams, list_query(default_limit=1000, default_order="asc", maximum=1000, before=False)]


class RoleCreateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role_name: str
    permissions: list[str]
    description: str | None = None


class RoleUpdateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role_name: str | None = None
    permissions: list[str] | None = None
    description: str | None = None


def _changes(body: RoleUpdateParams) -> dict[str, object]:
    return {name: getattr(body, name) for name in body.model_fields_set}


# --- organization roles ---------------------------------------------------------------------------


@router.get("/organization/roles", operation_id="list-roles")
async def list_roles(principal: AdminPrincipal, params: RolePagination) -> JSONObject:
    return JSONObject(roles.list_roles(organization(principal), params))


@router.post("/organization/roles", operation_id="create-role")
async def create_role(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleCreateParams)
    org = organization(principal)
    return JSONObject(roles.create_role(org, principal, body.role_name, body.permissions, body.description))


@router.get("/organization/roles/{role_id}", operation_id="retrieve-role")
async def retrieve_role(role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(roles.public_role(roles.get_role(organization(principal), role_id)))


@router.post("/organization/roles/{role_id}", operation_id="update-role")
async def update_role(role_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleUpdateParams)
    return JSONObject(roles.update_role(organization(principal), principal, role_id, _changes(body)))


@router.delete("/organization/roles/{role_id}", operation_id="delete-role")
async def delete_role(role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(roles.delete_role(organization(principal), principal, role_id))


# --- project roles --------------------------------------------------------------------------------


@router.get("/projects/{project_id}/roles", operation_id="list-project-roles")
async def list_project_roles(project_id: str, principal: AdminPrincipal, params: RolePagination) -> JSONObject:
    return JSONObject(roles.list_roles(organization(principal), params, project_id))


@router.post("/projects/{project_id}/roles", operation_id="create-project-role")
async def create_project_role(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleCreateParams)
    org = organization(principal)
    return JSONObject(roles.create_role(org, principal, body.role_name, body.permissions, body.description, project_id))


@router.get("/projects/{project_id}/roles/{role_id}", operation_id="retrieve-project-role")
async def retrieve_project_role(project_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(roles.public_role(roles.get_role(organization(principal), role_id, project_id)))


@router.post("/projects/{project_id}/roles/{role_id}", operation_id="update-project-role")
async def update_project_role(project_id: str, role_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleUpdateParams)
    return JSONObject(roles.update_role(organization(principal), principal, role_id, _changes(body), project_id))


@router.delete("/projects/{project_id}/roles/{role_id}", operation_id="delete-project-role")
async def delete_project_role(project_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(roles.delete_role(organization(principal), principal, role_id, project_id))


app = create_app(router, title="openai-mock roles", caller_objects=caller_objects)
handler = make_handler(app)

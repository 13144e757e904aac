"""Groups: the groups themselves (create, list, retrieve, rename, delete), their users, and their
organization roles."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, groups, organization, role_assignments
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/groups")
GroupPagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", maximum=1000, before=False)]
GroupUserPagination = Annotated[
    ListParams, list_query(default_limit=100, default_order="desc", maximum=1000, before=False)
]
RolePagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", maximum=1000, before=False)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroupParams(_Body):
    name: str


class GroupUserParams(_Body):
    user_id: str


class RoleAssignmentParams(_Body):
    role_id: str


# --- groups ---------------------------------------------------------------------------------------


@router.get("", operation_id="list-groups")
async def list_groups(principal: AdminPrincipal, params: GroupPagination) -> JSONObject:
    return JSONObject(groups.list_groups(organization(principal), params))


@router.post("", operation_id="create-group")
async def create_group(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, GroupParams)
    return JSONObject(groups.create_group(organization(principal), principal, body.name))


@router.get("/{group_id}", operation_id="retrieve-group")
async def retrieve_group(group_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(groups.get_group(organization(principal), group_id))


@router.post("/{group_id}", operation_id="update-group")
async def update_group(group_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, GroupParams)
    return JSONObject(groups.update_group(organization(principal), principal, group_id, body.name))


@router.delete("/{group_id}", operation_id="delete-group")
async def delete_group(group_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(groups.delete_group(organization(principal), principal, group_id))


# --- group users ----------------------------------------------------------------------------------


@router.get("/{group_id}/users", operation_id="list-group-users")
async def list_group_users(group_id: str, principal: AdminPrincipal, params: GroupUserPagination) -> JSONObject:
    return JSONObject(groups.list_group_users(organization(principal), group_id, params))


@router.post("/{group_id}/users", operation_id="add-group-user")
async def create_group_user(group_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, GroupUserParams)
    return JSONObject(groups.add_group_user(organization(principal), principal, group_id, body.user_id))


@router.get("/{group_id}/users/{user_id}", operation_id="retrieve-group-user")
async def retrieve_group_user(group_id: str, user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(groups.retrieve_group_user(organization(principal), group_id, user_id))


@router.delete("/{group_id}/users/{user_id}", operation_id="remove-group-user")
async def delete_group_user(group_id: str, user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(groups.remove_group_user(organization(principal), principal, group_id, user_id))


# --- group organization roles ---------------------------------------------------------------------


@router.get("/{group_id}/roles", operation_id="list-group-role-assignments")
async def list_group_roles(group_id: str, principal: AdminPrincipal, params: RolePagination) -> JSONObject:
    return JSONObject(role_assignments.list_group_roles(organization(principal), group_id, params))


@router.post("/{group_id}/roles", operation_id="assign-group-role")
async def create_group_role(group_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleAssignmentParams)
    org = organization(principal)
    return JSONObject(role_assignments.assign_group_role(org, principal, group_id, body.role_id))


@router.get("/{group_id}/roles/{role_id}", operation_id="retrieve-group-role")
async def retrieve_group_role(group_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(role_assignments.retrieve_group_role(organization(principal), group_id, role_id))


@router.delete("/{group_id}/roles/{role_id}", operation_id="unassign-group-role")
async def delete_group_role(group_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    org = organization(principal)
    return JSONObject(role_assignments.unassign_group_role(org, principal, group_id, role_id))


app = create_app(router, title="openai-mock groups", caller_objects=caller_objects)
handler = make_handler(app)

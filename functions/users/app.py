"""Organization users: list (filter by emails), retrieve, change role, remove; their organization roles."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, organization, role_assignments, users
from openai_mock.resources.organization.core import get_user
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import AdminPagination, list_query, query_array
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/users")
RolePagination = Annotated[ListParams, list_query(default_limit=100, default_order="asc", maximum=1000, before=False)]


class UserUpdateParams(BaseModel):
    # Read with `exclude_unset`: a profile field sent as null is cleared, one not sent stays.
    model_config = ConfigDict(extra="forbid")
    role: Literal["owner", "reader"] | None = None
    role_id: str | None = None
    developer_persona: str | None = None
    technical_level: str | None = None


class RoleAssignmentParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role_id: str


@router.get("", operation_id="list-users")
async def list_users(
    principal: AdminPrincipal, params: AdminPagination, emails: Annotated[list[str], Depends(query_array("emails"))]
) -> JSONObject:
    return JSONObject(users.list_users(organization(principal), params, emails))


@router.get("/{user_id}", operation_id="retrieve-user")
async def retrieve_user(user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(get_user(organization(principal), user_id))


@router.post("/{user_id}", operation_id="modify-user")
async def update_user(user_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    changes = (await json_body(request, UserUpdateParams)).model_dump(exclude_unset=True)
    return JSONObject(users.modify_user(organization(principal), principal, user_id, changes))


@router.delete("/{user_id}", operation_id="delete-user")
async def delete_user(user_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(users.delete_user(organization(principal), principal, user_id))


# --- user organization roles ----------------------------------------------------------------------


@router.get("/{user_id}/roles", operation_id="list-user-role-assignments")
async def list_user_roles(user_id: str, principal: AdminPrincipal, params: RolePagination) -> JSONObject:
    return JSONObject(role_assignments.list_user_roles(organization(principal), user_id, params))


@router.post("/{user_id}/roles", operation_id="assign-user-role")
async def create_user_role(user_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, RoleAssignmentParams)
    return JSONObject(role_assignments.assign_user_role(organization(principal), principal, user_id, body.role_id))


@router.get("/{user_id}/roles/{role_id}", operation_id="retrieve-user-role")
async def retrieve_user_role(user_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(role_assignments.retrieve_user_role(organization(principal), user_id, role_id))


@router.delete("/{user_id}/roles/{role_id}", operation_id="unassign-user-role")
async def delete_user_role(user_id: str, role_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(role_assignments.unassign_user_role(organization(principal), principal, user_id, role_id))


app = create_app(router, title="openai-mock users", caller_objects=caller_objects)
handler = make_handler(app)

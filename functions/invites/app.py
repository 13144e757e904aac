"""Invites: invite by email (pending for 7 days), list, retrieve, delete (not once accepted)."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.resources.organization import caller_objects, invites, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import AdminPagination
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/invites")


class InviteProject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    role: Literal["member", "owner"]


class InviteCreateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    role: Literal["reader", "owner"]
    projects: list[InviteProject] = []


@router.get("", operation_id="list-invites")
async def list_invites(principal: AdminPrincipal, params: AdminPagination) -> JSONObject:
    return JSONObject(invites.list_invites(organization(principal), params))


@router.post("", operation_id="inviteUser")
async def create_invite(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, InviteCreateParams)
    projects = [project.model_dump() for project in body.projects]
    return JSONObject(invites.create_invite(organization(principal), principal, body.email, body.role, projects))


@router.get("/{invite_id}", operation_id="retrieve-invite")
async def retrieve_invite(invite_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(invites.retrieve_invite(organization(principal), invite_id))


@router.delete("/{invite_id}", operation_id="delete-invite")
async def delete_invite(invite_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(invites.delete_invite(organization(principal), principal, invite_id))


app = create_app(router, title="openai-mock invites", caller_objects=caller_objects)
handler = make_handler(app)

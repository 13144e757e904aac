"""Admin API keys: create (the secret is answered once), list, retrieve, delete."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.fields import Integer
from openai_mock.pagination import ListParams
from openai_mock.resources.organization import admin_api_keys, caller_objects, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/admin_api_keys")
KeyPagination = Annotated[ListParams, list_query(default_order="asc", before=False)]


class AdminApiKeyCreateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    expires_in_seconds: Integer | None = None


@router.get("", operation_id="admin-api-keys-list")
async def list_admin_api_keys(principal: AdminPrincipal, params: KeyPagination) -> JSONObject:
    return JSONObject(admin_api_keys.list_admin_keys(organization(principal), params))


@router.post("", operation_id="admin-api-keys-create")
async def create_admin_api_key(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, AdminApiKeyCreateParams)
    org = organization(principal)
    return JSONObject(admin_api_keys.create_admin_key(org, principal, body.name, body.expires_in_seconds))


@router.get("/{key_id}", operation_id="admin-api-keys-get")
async def retrieve_admin_api_key(key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(admin_api_keys.retrieve_admin_key(organization(principal), key_id))


@router.delete("/{key_id}", operation_id="admin-api-keys-delete")
async def delete_admin_api_key(key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(admin_api_keys.delete_admin_key(organization(principal), principal, key_id))


app = create_app(router, title="openai-mock admin API keys", caller_objects=caller_objects)
handler = make_handler(app)

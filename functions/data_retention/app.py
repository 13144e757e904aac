"""Data retention controls of the organization and of its projects (retrieve, update); zero data retention
is honoured by the model endpoints (docs/admin.md)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.resources.organization import caller_objects, organization, retention
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization")


class DataRetentionParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retention_type: str


@router.get("/data_retention", operation_id="retrieve-organization-data-retention")
async def retrieve_data_retention(principal: AdminPrincipal) -> JSONObject:
    return JSONObject(retention.retrieve_organization(organization(principal)))


@router.post("/data_retention", operation_id="update-organization-data-retention")
async def update_data_retention(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, DataRetentionParams)
    return JSONObject(retention.update_organization(organization(principal), principal, body.retention_type))


@router.get("/projects/{project_id}/data_retention", operation_id="retrieve-project-data-retention")
async def retrieve_project_data_retention(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(retention.retrieve_project(organization(principal), project_id))


@router.post("/projects/{project_id}/data_retention", operation_id="update-project-data-retention")
async def update_project_data_retention(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, DataRetentionParams)
    org = organization(principal)
    return JSONObject(retention.update_project(org, principal, project_id, body.retention_type))


app = create_app(router, title="openai-mock data retention", caller_objects=caller_objects)
handler = make_handler(app)

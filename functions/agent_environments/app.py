"""Agent environments (beta; operations the API gained after the 2026-08-21 spec, as the official SDK calls them):
reusable OpenAI-hosted environment templates, prewarmed hosted environments with their clock-driven lifecycle, and
the files written into them (docs/agent-environments.md)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.pagination import ListParams
from openai_mock.resources.agents import environment_templates as templates
from openai_mock.resources.agents import environments
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/agents/environments")
Pagination = Annotated[ListParams, list_query(before=False)]


# Templates first: `/templates` would otherwise match `/{environment_id}`.
@router.post("/templates", operation_id="createAgentEnvironmentTemplate")
async def create_agent_environment_template(request: Request) -> JSONObject:
    body = await json_body(request, templates.TemplateParams)
    return JSONObject(templates.create_template(principal_of(request), body))


@router.get("/templates", operation_id="listAgentEnvironmentTemplates")
async def list_agent_environment_templates(request: Request, params: Pagination) -> JSONObject:
    return JSONObject(templates.list_templates(principal_of(request), params))


@router.get("/templates/{environment_template_id}", operation_id="retrieveAgentEnvironmentTemplate")
async def retrieve_agent_environment_template(environment_template_id: str, request: Request) -> JSONObject:
    return JSONObject(templates.stored_template(principal_of(request), environment_template_id))


@router.post("/templates/{environment_template_id}", operation_id="updateAgentEnvironmentTemplate")
async def update_agent_environment_template(environment_template_id: str, request: Request) -> JSONObject:
    body = await json_body(request, templates.TemplateParams)
    return JSONObject(templates.update_template(principal_of(request), environment_template_id, body))


@router.delete("/templates/{environment_template_id}", operation_id="deleteAgentEnvironmentTemplate")
async def delete_agent_environment_template(environment_template_id: str, request: Request) -> JSONObject:
    return JSONObject(templates.delete_template(principal_of(request), environment_template_id))


@router.post("", operation_id="createAgentEnvironment")
async def create_agent_environment(request: Request) -> JSONObject:
    body = await json_body(request, environments.EnvironmentCreateParams)
    return JSONObject(environments.create_environment(principal_of(request), body))


@router.get("", operation_id="listAgentEnvironments")
async def list_agent_environments(
    request: Request, params: Pagination, type: Annotated[str, Query()] = "openai_hosted"
) -> JSONObject:
    return JSONObject(environments.list_environments(principal_of(request), params, type))


@router.get("/{environment_id}", operation_id="retrieveAgentEnvironment")
async def retrieve_agent_environment(environment_id: str, request: Request) -> JSONObject:
    return JSONObject(environments.current(principal_of(request), environment_id))


@router.post("/{environment_id}/files", operation_id="createAgentEnvironmentFile")
async def create_agent_environment_file(environment_id: str, request: Request) -> JSONObject:
    body = await json_body(request, environments.FileCreateParams)
    return JSONObject(environments.create_file(principal_of(request), environment_id, body))


@router.get("/{environment_id}/files", operation_id="listAgentEnvironmentFiles")
async def list_agent_environment_files(
    environment_id: str,
    request: Request,
    limit: Annotated[int, Query()] = 20,
    order: Annotated[str, Query()] = "desc",
    page: Annotated[str | None, Query()] = None,
    path: Annotated[str | None, Query()] = None,
) -> JSONObject:
    listed = environments.list_files(
        principal_of(request), environment_id, limit=limit, order=order, page=page, path=path
    )
    return JSONObject(listed)


app = create_app(router, title="openai-mock agent environments")
handler = make_handler(app)

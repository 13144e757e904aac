"""Agent automations and their invocations (Agents API beta, after the 2026-08-21 spec, as the official SDK calls
them: `client.beta.agents.automations.*`, `….automations.invocations.*`): periodic and one-time schedules that
start agent sessions or message existing ones, firing by the mock clock (docs/agent-automations.md)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.pagination import ListParams
from openai_mock.resources.agents import automations
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/agents/automations")
Pagination = Annotated[ListParams, list_query(default_order="desc", before=False)]


@router.post("", operation_id="createAgentAutomation")
async def create_automation(request: Request) -> JSONObject:
    body = await json_body(request, automations.AutomationCreateParams)
    return JSONObject(automations.create(principal_of(request), body))


@router.get("", operation_id="listAgentAutomations")
async def list_automations(
    request: Request, params: Pagination, session_id: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(automations.list_automations(principal_of(request), params, session_id))


@router.get("/{automation_id}", operation_id="retrieveAgentAutomation")
async def retrieve_automation(automation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.retrieve(principal_of(request), automation_id))


@router.post("/{automation_id}", operation_id="updateAgentAutomation")
async def update_automation(automation_id: str, request: Request) -> JSONObject:
    body = await json_body(request, automations.AutomationUpdateParams)
    return JSONObject(automations.update(principal_of(request), automation_id, body))


@router.delete("/{automation_id}", operation_id="deleteAgentAutomation")
async def delete_automation(automation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.delete(principal_of(request), automation_id))


@router.post("/{automation_id}/pause", operation_id="pauseAgentAutomation")
async def pause_automation(automation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.pause(principal_of(request), automation_id))


@router.post("/{automation_id}/resume", operation_id="resumeAgentAutomation")
async def resume_automation(automation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.resume(principal_of(request), automation_id))


@router.post("/{automation_id}/invocations", operation_id="createAgentAutomationInvocation")
async def create_invocation(automation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.invoke(principal_of(request), automation_id))


@router.get("/{automation_id}/invocations", operation_id="listAgentAutomationInvocations")
async def list_invocations(automation_id: str, request: Request, params: Pagination) -> JSONObject:
    return JSONObject(automations.list_invocations(principal_of(request), automation_id, params))


@router.get("/{automation_id}/invocations/{invocation_id}", operation_id="retrieveAgentAutomationInvocation")
async def retrieve_invocation(automation_id: str, invocation_id: str, request: Request) -> JSONObject:
    return JSONObject(automations.retrieve_invocation(principal_of(request), automation_id, invocation_id))


app = create_app(router, title="openai-mock agent automations")
handler = make_handler(app)

"""Reusable agents (the Agents API beta, after the 2026-08-21 spec, as the official SDK calls it:
`client.beta.agents`): created, read, listed, updated and deleted per project (docs/agents.md)."""

from typing import Annotated

from fastapi import APIRouter, Request

from openai_mock.pagination import ListParams
from openai_mock.resources.agents import definitions
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/agents")
Pagination = Annotated[ListParams, list_query(before=False)]  # newest first, `after` only


@router.post("", operation_id="createAgent")
async def create_agent(request: Request) -> JSONObject:
    body = await json_body(request, definitions.AgentCreateParams)
    return JSONObject(definitions.create_agent(principal_of(request), body))


@router.get("", operation_id="listAgents")
async def list_agents(request: Request, params: Pagination) -> JSONObject:
    return JSONObject(definitions.list_agents(principal_of(request), params))


@router.get("/{agent_id}", operation_id="retrieveAgent")
async def retrieve_agent(agent_id: str, request: Request) -> JSONObject:
    return JSONObject(definitions.stored_agent(principal_of(request), agent_id))


@router.post("/{agent_id}", operation_id="updateAgent")
async def update_agent(agent_id: str, request: Request) -> JSONObject:
    body = await json_body(request, definitions.AgentUpdateParams)
    return JSONObject(definitions.update_agent(principal_of(request), agent_id, body))


@router.delete("/{agent_id}", operation_id="deleteAgent")
async def delete_agent(agent_id: str, request: Request) -> JSONObject:
    return JSONObject(definitions.delete_agent(principal_of(request), agent_id))


app = create_app(router, title="openai-mock agents")
handler = make_handler(app)

"""Agent sessions (the Agents API beta, after the 2026-08-21 spec, as the official SDK calls it:
`client.beta.agents.sessions`): sessions and their input events and event streams, turns, items, subagents,
traces and artifacts (docs/agent-sessions.md)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources.agents.sessions import events, lifecycle, outputs, params
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import MetadataFilter, list_query
from openai_mock.web.request_body import json_body
from openai_mock.web.sse import live_sse_stream, sse_stream

router = APIRouter(prefix="/v1/agents/sessions")
Pagination = Annotated[ListParams, list_query(before=False)]


@router.post("", operation_id="createAgentSession", response_model=None)
async def create_session(request: Request) -> JSONObject | Response:
    body = await json_body(request, params.CreateSession)
    principal = principal_of(request)
    if body.stream:
        return sse_stream(events.created_stream(principal, body, request.headers))
    return JSONObject(lifecycle.view(lifecycle.create(principal, body, request.headers)))


@router.get("", operation_id="listAgentSessions")
async def list_sessions(
    request: Request, page: Pagination, metadata: MetadataFilter, agent_id: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(lifecycle.list_sessions(principal_of(request), page, agent_id, metadata))


@router.get("/{session_id}", operation_id="retrieveAgentSession")
async def retrieve_session(session_id: str, request: Request) -> JSONObject:
    return JSONObject(lifecycle.retrieve(principal_of(request), session_id))


@router.post("/{session_id}", operation_id="updateAgentSession")
async def update_session(session_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.UpdateSession)
    return JSONObject(lifecycle.update(principal_of(request), session_id, body))


@router.delete("/{session_id}", operation_id="deleteAgentSession")
async def delete_session(session_id: str, request: Request) -> JSONObject:
    return JSONObject(lifecycle.delete(principal_of(request), session_id))


@router.post("/{session_id}/events", operation_id="createAgentSessionEvents", status_code=202)
async def create_events(session_id: str, request: Request) -> Response:
    body = await json_body(request, params.CreateEvents)
    lifecycle.create_events(principal_of(request), session_id, body, request.headers)
    return Response(status_code=202)


@router.get("/{session_id}/events", operation_id="streamAgentSessionEvents")
async def stream_events(
    session_id: str, request: Request, include_obfuscation: Annotated[bool, Query()] = True
) -> Response:
    return live_sse_stream(events.live_stream(principal_of(request), session_id, include_obfuscation))


@router.get("/{session_id}/items", operation_id="listAgentSessionItems")
async def list_items(session_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_items(principal_of(request), session_id, page))


@router.get("/{session_id}/turns", operation_id="listAgentSessionTurns")
async def list_turns(session_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_turns(principal_of(request), session_id, page))


@router.get("/{session_id}/turns/{turn_id}", operation_id="retrieveAgentSessionTurn")
async def retrieve_turn(session_id: str, turn_id: str, request: Request) -> JSONObject:
    return JSONObject(outputs.retrieve_turn(principal_of(request), session_id, turn_id))


@router.get("/{session_id}/turns/{turn_id}/items", operation_id="listAgentSessionTurnItems")
async def list_turn_items(session_id: str, turn_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_turn_items(principal_of(request), session_id, turn_id, page))


@router.get("/{session_id}/traces", operation_id="listAgentSessionTraces")
async def list_traces(session_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_traces(principal_of(request), session_id, page))


@router.get("/{session_id}/artifacts", operation_id="listAgentSessionArtifacts")
async def list_artifacts(
    session_id: str, request: Request, page: Pagination, environment_id: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(outputs.list_artifacts(principal_of(request), session_id, page, environment_id))


@router.get("/{session_id}/artifacts/{artifact_id}", operation_id="retrieveAgentSessionArtifact")
async def retrieve_artifact(session_id: str, artifact_id: str, request: Request) -> JSONObject:
    return JSONObject(outputs.retrieve_artifact(principal_of(request), session_id, artifact_id))


@router.delete("/{session_id}/artifacts/{artifact_id}", operation_id="deleteAgentSessionArtifact")
async def delete_artifact(session_id: str, artifact_id: str, request: Request) -> JSONObject:
    return JSONObject(outputs.delete_artifact(principal_of(request), session_id, artifact_id))


@router.get("/{session_id}/artifacts/{artifact_id}/content", operation_id="downloadAgentSessionArtifactContent")
async def artifact_content(session_id: str, artifact_id: str, request: Request) -> Response:
    content = outputs.artifact_content(principal_of(request), session_id, artifact_id)
    return Response(content, media_type="application/octet-stream")


@router.get("/{session_id}/subagents", operation_id="listAgentSessionSubagents")
async def list_subagents(session_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_subagents(principal_of(request), session_id, page))


@router.get("/{session_id}/subagents/{subagent_id}", operation_id="retrieveAgentSessionSubagent")
async def retrieve_subagent(session_id: str, subagent_id: str, request: Request) -> JSONObject:
    return JSONObject(outputs.retrieve_subagent(principal_of(request), session_id, subagent_id))


@router.get("/{session_id}/subagents/{subagent_id}/items", operation_id="listAgentSessionSubagentItems")
async def list_subagent_items(session_id: str, subagent_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_subagent_items(principal_of(request), session_id, subagent_id, page))


@router.get("/{session_id}/subagents/{subagent_id}/turns", operation_id="listAgentSessionSubagentTurns")
async def list_subagent_turns(session_id: str, subagent_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(outputs.list_subagent_turns(principal_of(request), session_id, subagent_id, page))


@router.get("/{session_id}/subagents/{subagent_id}/turns/{turn_id}", operation_id="retrieveAgentSessionSubagentTurn")
async def retrieve_subagent_turn(session_id: str, subagent_id: str, turn_id: str, request: Request) -> JSONObject:
    return JSONObject(outputs.retrieve_turn(principal_of(request), session_id, turn_id, subagent_id))


@router.get(
    "/{session_id}/subagents/{subagent_id}/turns/{turn_id}/items",
    operation_id="listAgentSessionSubagentTurnItems",
)
async def list_subagent_turn_items(
    session_id: str, subagent_id: str, turn_id: str, request: Request, page: Pagination
) -> JSONObject:
    return JSONObject(outputs.list_turn_items(principal_of(request), session_id, turn_id, page, subagent_id))


app = create_app(router, title="openai-mock agent sessions")
handler = make_handler(app)

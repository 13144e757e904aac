"""Assistants (beta, v2): assistants, threads, messages, runs, run steps; `/v1/assistants` and `/v1/threads`."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from openai_mock.resources.assistants import assistants, messages, params, records, runs, threads
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import Pagination
from openai_mock.web.request_body import json_body, optional_json_body
from openai_mock.web.request_reads import ids_in_body
from openai_mock.web.sse import sse_stream

assistants_router = APIRouter(prefix="/v1/assistants", dependencies=[params.BetaHeader])
threads_router = APIRouter(prefix="/v1/threads", dependencies=[params.BetaHeader])

Include = Annotated[list[str] | None, Query(alias="include[]")]
RunIdFilter = Annotated[str | None, Query()]


# --------------------------------------------------------------------------- assistants


@assistants_router.post("", operation_id="createAssistant")
async def create_assistant(request: Request) -> JSONObject:
    body = await json_body(request, params.CreateAssistantRequest)
    return JSONObject(assistants.create_assistant(tenant_of(request), body))


@assistants_router.get("", operation_id="listAssistants")
async def list_assistants(request: Request, page: Pagination) -> JSONObject:
    return JSONObject(assistants.list_assistants(tenant_of(request), page))


@assistants_router.get("/{assistant_id}", operation_id="getAssistant")
async def retrieve_assistant(assistant_id: str, request: Request) -> JSONObject:
    return JSONObject(assistants.get_assistant(tenant_of(request), assistant_id))


@assistants_router.post("/{assistant_id}", operation_id="modifyAssistant")
async def update_assistant(assistant_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.ModifyAssistantRequest)
    return JSONObject(assistants.modify_assistant(tenant_of(request), assistant_id, body))


@assistants_router.delete("/{assistant_id}", operation_id="deleteAssistant")
async def delete_assistant(assistant_id: str, request: Request) -> JSONObject:
    return JSONObject(assistants.delete_assistant(tenant_of(request), assistant_id))


# --------------------------------------------------------------------------- threads


@threads_router.post("", operation_id="createThread")
async def create_thread(request: Request) -> JSONObject:
    body = await optional_json_body(request, params.CreateThreadRequest)
    return JSONObject(threads.create_thread(tenant_of(request), body or params.CreateThreadRequest()))


@threads_router.post("/runs", operation_id="createThreadAndRun")
async def create_thread_and_run(request: Request) -> Response:
    body = await json_body(request, params.CreateThreadAndRunRequest)
    tenant = tenant_of(request)
    thread, run = runs.create_thread_and_run(tenant, body, request.headers, principal_of(request))
    if body.stream:
        return sse_stream(runs.stream_phase(tenant, run, thread=thread))
    return JSONObject(records.public(run))


@threads_router.get("/{thread_id}", operation_id="getThread")
async def retrieve_thread(thread_id: str, request: Request) -> JSONObject:
    return JSONObject(threads.get_thread(tenant_of(request), thread_id))


@threads_router.post("/{thread_id}", operation_id="modifyThread")
async def update_thread(thread_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.ModifyThreadRequest)
    return JSONObject(threads.modify_thread(tenant_of(request), thread_id, body))


@threads_router.delete("/{thread_id}", operation_id="deleteThread")
async def delete_thread(thread_id: str, request: Request) -> JSONObject:
    return JSONObject(threads.delete_thread(tenant_of(request), thread_id, runs.run_collections))


# --------------------------------------------------------------------------- messages


@threads_router.post("/{thread_id}/messages", operation_id="createMessage")
async def create_message(thread_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.MessageRequest)
    return JSONObject(runs.create_message(tenant_of(request), thread_id, body))


@threads_router.get("/{thread_id}/messages", operation_id="listMessages")
async def list_messages(thread_id: str, request: Request, page: Pagination, run_id: RunIdFilter = None) -> JSONObject:
    return JSONObject(messages.list_messages(tenant_of(request), thread_id, page, run_id))


@threads_router.get("/{thread_id}/messages/{message_id}", operation_id="getMessage")
async def retrieve_message(thread_id: str, message_id: str, request: Request) -> JSONObject:
    return JSONObject(messages.get_message(tenant_of(request), thread_id, message_id))


@threads_router.post("/{thread_id}/messages/{message_id}", operation_id="modifyMessage")
async def update_message(thread_id: str, message_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.ModifyRequest)
    return JSONObject(messages.modify_message(tenant_of(request), thread_id, message_id, body))


@threads_router.delete("/{thread_id}/messages/{message_id}", operation_id="deleteMessage")
async def delete_message(thread_id: str, message_id: str, request: Request) -> JSONObject:
    return JSONObject(messages.delete_message(tenant_of(request), thread_id, message_id))


# --------------------------------------------------------------------------- runs


@threads_router.post("/{thread_id}/runs", operation_id="createRun")
async def create_run(thread_id: str, request: Request, include: Include = None) -> Response:
    body = await json_body(request, params.CreateRunRequest)
    tenant = tenant_of(request)
    run = runs.create_run(tenant, thread_id, body, request.headers, include, principal_of(request))
    if body.stream:
        return sse_stream(runs.stream_phase(tenant, run))
    return JSONObject(records.public(run))


@threads_router.get("/{thread_id}/runs", operation_id="listRuns")
async def list_runs(thread_id: str, request: Request, page: Pagination) -> JSONObject:
    return JSONObject(runs.list_runs(tenant_of(request), thread_id, page))


@threads_router.get("/{thread_id}/runs/{run_id}", operation_id="getRun")
async def retrieve_run(thread_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(runs.get_run(tenant_of(request), thread_id, run_id))


@threads_router.post("/{thread_id}/runs/{run_id}", operation_id="modifyRun")
async def update_run(thread_id: str, run_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.ModifyRequest)
    return JSONObject(runs.modify_run(tenant_of(request), thread_id, run_id, body))


@threads_router.post("/{thread_id}/runs/{run_id}/cancel", operation_id="cancelRun")
async def cancel_run(thread_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(runs.cancel_run(tenant_of(request), thread_id, run_id))


@threads_router.post("/{thread_id}/runs/{run_id}/submit_tool_outputs", operation_id="submitToolOuputsToRun")
async def submit_tool_outputs(thread_id: str, run_id: str, request: Request) -> Response:
    body = await json_body(request, params.SubmitToolOutputsRequest)
    tenant = tenant_of(request)
    run = runs.submit_tool_outputs(tenant, thread_id, run_id, body, request.headers)
    if body.stream:
        return sse_stream(runs.stream_phase(tenant, run, resumed=True))
    return JSONObject(records.public(run))


# --------------------------------------------------------------------------- run steps


@threads_router.get("/{thread_id}/runs/{run_id}/steps", operation_id="listRunSteps")
async def list_run_steps(
    thread_id: str, run_id: str, request: Request, page: Pagination, include: Include = None
) -> JSONObject:
    return JSONObject(runs.list_steps(tenant_of(request), thread_id, run_id, page, include))


@threads_router.get("/{thread_id}/runs/{run_id}/steps/{step_id}", operation_id="getRunStep")
async def retrieve_run_step(
    thread_id: str, run_id: str, step_id: str, request: Request, include: Include = None
) -> JSONObject:
    return JSONObject(runs.get_step(tenant_of(request), thread_id, run_id, step_id, include))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_THREAD = [(records.THREADS, "thread_id")]
PATH_OBJECTS = {
    "/v1/assistants/{assistant_id}": [(assistants.ASSISTANTS, "assistant_id")],
    "/v1/threads/{thread_id}": _THREAD,
    "/v1/threads/{thread_id}/messages": _THREAD,
    "/v1/threads/{thread_id}/runs": _THREAD,
    "/v1/threads/{thread_id}/runs/{run_id}": [*_THREAD, (runs.runs_collection("{thread_id}"), "run_id")],
}
_ASSISTANT = ids_in_body({"assistant_id": assistants.ASSISTANTS})  # a run's assistant
BODY_OBJECTS = {"/v1/threads/runs": _ASSISTANT, "/v1/threads/{thread_id}/runs": _ASSISTANT}
app = create_app(
    assistants_router,
    threads_router,
    title="openai-mock assistants",
    path_objects=PATH_OBJECTS,
    body_objects=BODY_OBJECTS,
)
handler = make_handler(app)

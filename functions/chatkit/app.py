"""ChatKit: sessions created and cancelled; threads listed, retrieved and deleted, their items listed. Plus
`POST /__mock/chatkit/threads`, the mock's stand-in for the hosted ChatKit backend a front end talks to
(a user's message in a session starts or continues a thread: docs/chatkit.md)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.resources import chatkit
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import Pagination
from openai_mock.web.request_body import json_body

router = APIRouter()


@router.post("/v1/chatkit/sessions", operation_id="CreateChatSessionMethod")
async def create_session(request: Request) -> JSONObject:
    body = await json_body(request, chatkit.CreateSessionRequest)
    return JSONObject(chatkit.create_session(tenant_of(request), body))


@router.post("/v1/chatkit/sessions/{session_id}/cancel", operation_id="CancelChatSessionMethod")
async def cancel_session(session_id: str, request: Request) -> JSONObject:
    return JSONObject(chatkit.cancel_session(tenant_of(request), session_id))


@router.get("/v1/chatkit/threads", operation_id="ListThreadsMethod")
async def list_threads(request: Request, params: Pagination, user: Annotated[str | None, Query()] = None) -> JSONObject:
    return JSONObject(chatkit.list_threads(tenant_of(request), params, user))


@router.get("/v1/chatkit/threads/{thread_id}", operation_id="GetThreadMethod")
async def retrieve_thread(thread_id: str, request: Request) -> JSONObject:
    return JSONObject(chatkit.retrieve_thread(tenant_of(request), thread_id))


@router.delete("/v1/chatkit/threads/{thread_id}", operation_id="DeleteThreadMethod")
async def delete_thread(thread_id: str, request: Request) -> JSONObject:
    return JSONObject(chatkit.delete_thread(tenant_of(request), thread_id))


@router.get("/v1/chatkit/threads/{thread_id}/items", operation_id="ListThreadItemsMethod")
async def list_thread_items(thread_id: str, request: Request, params: Pagination) -> JSONObject:
    return JSONObject(chatkit.list_items(tenant_of(request), thread_id, params))


@router.post("/__mock/chatkit/threads", operation_id="mockChatKitThreadTurn")
async def mock_chatkit_turn(request: Request) -> JSONObject:
    body = await json_body(request, chatkit.MockThreadTurn)
    return JSONObject(chatkit.mock_turn(tenant_of(request), body))


app = create_app(router, title="openai-mock chatkit")
handler = make_handler(app)

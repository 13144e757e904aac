"""Realtime: the WebSocket session at /v1/realtime (GA protocol), ephemeral client secrets, transcription and
translation sessions, calls, and the 2025 beta's `POST /realtime/sessions`. On AWS the same function also
answers the Realtime WebSocket API's $connect/$default/$disconnect events."""

from typing import Any

from fastapi import APIRouter, Request, WebSocket

from openai_mock.resources import realtime, realtime_socket
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body
from openai_mock.web.websocket_gateway import ManagementApi

router = APIRouter(prefix="/v1/realtime")


@router.websocket("")
async def connect(websocket: WebSocket) -> None:
    await realtime_socket.serve(websocket)


@router.post("/sessions", operation_id="create-realtime-session")
async def create_session(request: Request) -> JSONObject:
    body = await json_body(request, realtime.RealtimeSessionCreateRequest)
    return JSONObject(realtime.create_session(body, tenant_of(request)))


app = create_app(router, title="openai-mock realtime")
_http_handler = make_handler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if realtime_socket.is_websocket_event(event):
        return realtime_socket.handle_websocket_event(event, ManagementApi.of(event))
    return _http_handler(event, context)

"""Realtime: the WebSocket session at /v1/realtime (GA protocol), ephemeral client secrets, transcription and
translation sessions, calls, and the 2025 beta's `POST /realtime/sessions`. On AWS the same function also
answers the Realtime WebSocket API's $connect/$default/$disconnect events."""

from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket

from openai_mock.resources import realtime, realtime_calls, realtime_socket
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body, optional_json_body
from openai_mock.web.websocket_gateway import ManagementApi, is_websocket_event, isolated

router = APIRouter(prefix="/v1/realtime")


@router.websocket("")
async def connect(websocket: WebSocket) -> None:
    await realtime_socket.serve(websocket)


@router.post("/sessions", operation_id="create-realtime-session")
async def create_session(request: Request) -> JSONObject:
    body = await json_body(request, realtime.RealtimeSessionCreateRequest)
    return JSONObject(realtime.create_session(body, tenant_of(request)))


@router.post("/client_secrets", operation_id="create-realtime-client-secret")
async def create_client_secret(request: Request) -> JSONObject:
    body = await json_body(request, realtime.ClientSecretCreateRequest)
    return JSONObject(realtime.create_client_secret(body, principal_of(request)))


@router.post("/transcription_sessions", operation_id="create-realtime-transcription-session")
async def create_transcription_session(request: Request) -> JSONObject:
    body = await json_body(request, realtime.TranscriptionSessionCreateRequest)
    return JSONObject(realtime.create_transcription_session(body, principal_of(request)))


@router.post("/translations/client_secrets", operation_id="create-realtime-translation-client-secret")
async def create_translation_client_secret(request: Request) -> JSONObject:
    body = await json_body(request, realtime.TranslationClientSecretCreateRequest)
    return JSONObject(realtime.create_translation_client_secret(body, principal_of(request)))


@router.post("/calls", operation_id="create-realtime-call")
async def create_call(request: Request) -> Response:
    offer, session = await realtime_calls.read_offer(request)
    answer, call_id = realtime_calls.create_call(tenant_of(request), offer, session)
    return Response(answer, 201, {"Location": f"/v1/realtime/calls/{call_id}"}, media_type="application/sdp")


@router.post("/calls/{call_id}/accept", operation_id="accept-realtime-call")
async def accept_call(call_id: str, request: Request) -> Response:
    body = await optional_json_body(request, realtime_calls.AcceptRequest)
    realtime_calls.accept_call(tenant_of(request), call_id, body.model_dump() if body is not None else {})
    return Response(status_code=200)


@router.post("/calls/{call_id}/hangup", operation_id="hangup-realtime-call")
async def hangup_call(call_id: str, request: Request) -> Response:
    realtime_calls.hangup_call(tenant_of(request), call_id)
    return Response(status_code=200)


@router.post("/calls/{call_id}/refer", operation_id="refer-realtime-call")
async def refer_call(call_id: str, request: Request) -> Response:
    body = await json_body(request, realtime_calls.ReferRequest)
    realtime_calls.refer_call(tenant_of(request), call_id, body)
    return Response(status_code=200)


@router.post("/calls/{call_id}/reject", operation_id="reject-realtime-call")
async def reject_call(call_id: str, request: Request) -> Response:
    body = await optional_json_body(request, realtime_calls.RejectRequest)
    realtime_calls.reject_call(tenant_of(request), call_id, body)
    return Response(status_code=200)


app = create_app(router, title="openai-mock realtime")
_http_handler = make_handler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_websocket_event(event):
        return isolated(realtime_socket.handle_websocket_event, event, ManagementApi.of(event))
    return _http_handler(event, context)

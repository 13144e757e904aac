"""Live sessions (operations the API gained after the 2026-08-21 spec, as the official SDK calls them): a WebRTC
session created or forked from an SDP offer, an incoming SIP call accepted, rejected, referred or hung up, and a
stored session's recording downloaded (docs/live.md); and the session itself over a WebSocket (`client.live.connect`).
The sideband WebSocket is out of scope."""

from fastapi import APIRouter, Request, Response, WebSocket

from openai_mock.resources import live, live_socket
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/live/sessions")


@router.websocket("")
async def connect(websocket: WebSocket) -> None:
    await live_socket.serve(websocket)


@router.post("", operation_id="createLiveSession")
async def create_live_session(request: Request) -> JSONObject:
    transport = live.incoming_transport(request.headers.get(live.INCOMING_HEADER))
    body = await json_body(request, live.CreateRequest)
    return JSONObject(live.create_session(principal_of(request), body, transport))


@router.post("/{session_id}/accept", operation_id="acceptLiveSession")
async def accept_live_session(session_id: str, request: Request) -> Response:
    body = await json_body(request, live.AcceptRequest)
    live.accept_session(principal_of(request), session_id, body)
    return Response(status_code=200)


@router.get("/{session_id}/content", operation_id="downloadLiveSessionRecording")
async def download_live_session_recording(session_id: str, request: Request) -> Response:
    return Response(live.download_recording(principal_of(request), session_id), media_type="audio/wav")


@router.post("/{session_id}/fork", operation_id="forkLiveSession")
async def fork_live_session(session_id: str, request: Request) -> JSONObject:
    body = await json_body(request, live.ForkRequest)
    return JSONObject(live.fork_session(principal_of(request), session_id, body))


@router.post("/{session_id}/hangup", operation_id="hangupLiveSession")
async def hangup_live_session(session_id: str, request: Request) -> Response:
    live.hangup_session(principal_of(request), session_id)
    return Response(status_code=200)


@router.post("/{session_id}/refer", operation_id="referLiveSession")
async def refer_live_session(session_id: str, request: Request) -> Response:
    body = await json_body(request, live.ReferRequest)
    live.refer_session(principal_of(request), session_id, body)
    return Response(status_code=200)


@router.post("/{session_id}/reject", operation_id="rejectLiveSession")
async def reject_live_session(session_id: str, request: Request) -> Response:
    body = await json_body(request, live.RejectRequest)
    live.reject_session(principal_of(request), session_id, body)
    return Response(status_code=200)


app = create_app(router, title="openai-mock live")
handler = make_handler(app)

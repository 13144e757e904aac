"""Realtime: create an ephemeral session (client secret) for a browser or device client."""

from fastapi import APIRouter, Request

from openai_mock.resources import realtime
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/realtime")


@router.post("/sessions", operation_id="create-realtime-session")
async def create_session(request: Request) -> JSONObject:
    body = await json_body(request, realtime.RealtimeSessionCreateRequest)
    return JSONObject(realtime.create_session(body, tenant_of(request)))


app = create_app(router, title="openai-mock realtime")
handler = make_handler(app)

"""Moderations: classify text and images against OpenAI's 13 categories, deterministically."""

from fastapi import APIRouter, Request

from openai_mock.resources import moderations, ratelimits
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/moderations")


@router.post("", operation_id="createModeration")
async def create_moderation(request: Request) -> JSONObject:
    body = await json_body(request, moderations.ModerationRequest)
    tenant = tenant_of(request)
    response, token_count = moderations.create_moderation(tenant, body)
    ratelimits.record_usage(
        request, tenant, body.model, token_count, "moderations", model=response["model"], input_tokens=token_count
    )
    return JSONObject(response)


app = create_app(router, title="openai-mock moderations")
handler = make_handler(app)

"""Completions (legacy): create, as JSON or as a stream."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from openai_mock.resources import completions, ratelimits
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import respond
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/completions")


@router.post("", operation_id="createCompletion", response_model=None)
async def create_completion(request: Request) -> Response:
    body = await json_body(request, completions.CompletionRequest)
    tenant = tenant_of(request)
    completion = completions.generate(body, tenant, request.headers)
    ratelimits.record_token_usage(request, tenant, body.model, completion)
    return respond(completions.deliver(body, completion))


app = create_app(router, title="openai-mock completions")
handler = make_handler(app)

"""Completions (legacy): create, as JSON or as a stream."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

from openai_mock import completions
from openai_mock.app_factory import create_app, make_handler
from openai_mock.auth import CurrentPrincipal

router = APIRouter(prefix="/v1/completions")


@router.post("", operation_id="createCompletion", response_model=None)
async def create_completion(
    body: completions.CompletionRequest, request: Request, principal: CurrentPrincipal
) -> dict[str, Any] | StreamingResponse:
    return completions.create(body, principal.tenant, request)


app = create_app(router, title="openai-mock completions")
handler = make_handler(app)

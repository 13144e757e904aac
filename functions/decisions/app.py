"""Decisions: predicate, choice and score questions about one input, answered deterministically (an operation the
API gained after the 2026-08-21 spec, as the official SDK calls it)."""

from fastapi import APIRouter, Request

from openai_mock.resources import decisions, safety
from openai_mock.rng import request_seed
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/decisions")


@router.post("", operation_id="createDecision")
async def create_decision(request: Request) -> JSONObject:
    body = safety.honour_deactivations(request, await json_body(request, decisions.DecisionRequest))
    tenant = tenant_of(request)
    decided = decisions.create(tenant, body, request_seed(request.headers))
    decisions.admit(request, tenant, decided)  # its rate limit (a 429), then its prompt cached
    return JSONObject(decided.decision)


app = create_app(router, title="openai-mock decisions")
handler = make_handler(app)

"""Safety alerts and safety cases (operations the API gained after the 2026-08-21 spec, as the official SDK calls
them), and the mock controls that issue them in OpenAI's reviewers' stead: `POST /__mock/safety/alerts` and
`POST /__mock/safety/cases` (docs/safety.md)."""

from fastapi import APIRouter, Request

from openai_mock.resources import safety
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter()


@router.get("/v1/safety/alerts/{id}", operation_id="retrieveSafetyAlert")
async def retrieve_safety_alert(id: str, request: Request) -> JSONObject:
    return JSONObject(safety.retrieve_alert(principal_of(request), id))


@router.get("/v1/safety/cases/{id}", operation_id="retrieveSafetyCase")
async def retrieve_safety_case(id: str, request: Request) -> JSONObject:
    return JSONObject(safety.retrieve_case(principal_of(request), id))


@router.post("/__mock/safety/alerts", operation_id="mockIssueSafetyAlert")
async def issue_safety_alert(request: Request) -> JSONObject:
    body = await json_body(request, safety.AlertIssue)
    return JSONObject(safety.issue_alert(principal_of(request), body))


@router.post("/__mock/safety/cases", operation_id="mockIssueSafetyCase")
async def issue_safety_case(request: Request) -> JSONObject:
    body = await json_body(request, safety.CaseIssue)
    return JSONObject(safety.issue_case(principal_of(request), body))


app = create_app(router, title="openai-mock safety")
handler = make_handler(app)

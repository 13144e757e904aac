"""Responses: create (JSON or typed event stream), retrieve, delete, and list a response's input items."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources import ratelimits, responses
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject, respond
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/responses")


@router.post("", operation_id="createResponse", response_model=None)
async def create_response(request: Request) -> Response:
    body = await json_body(request, responses.CreateResponseRequest)
    tenant = tenant_of(request)
    generated = responses.generate(body, tenant, request.headers)
    ratelimits.record_token_usage(request, tenant, body.model, generated.response)
    return respond(responses.deliver(body, tenant, generated))


@router.get("/{response_id}", operation_id="getResponse")
async def retrieve_response(
    response_id: str, request: Request, include: Annotated[list[str] | None, Query(alias="include[]")] = None
) -> JSONObject:
    return JSONObject(responses.retrieve(tenant_of(request), response_id, include or []))


@router.delete("/{response_id}", operation_id="deleteResponse")
async def delete_response(response_id: str, request: Request) -> JSONObject:
    return JSONObject(responses.delete(tenant_of(request), response_id))


@router.get("/{response_id}/input_items", operation_id="listInputItems")
async def list_response_input_items(
    response_id: str,
    request: Request,
    params: Annotated[ListParams, list_query(default_order="asc")],
) -> JSONObject:
    return JSONObject(responses.list_input_items(tenant_of(request), response_id, params))


app = create_app(router, title="openai-mock responses")
handler = make_handler(app)

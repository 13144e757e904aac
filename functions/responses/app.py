"""Responses: create (JSON or typed event stream), retrieve, delete, and list a response's input items."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from openai_mock import responses_api
from openai_mock.app_factory import create_app, make_handler
from openai_mock.auth import CurrentPrincipal
from openai_mock.responses import JSONObject, respond

router = APIRouter(prefix="/v1/responses")


@router.post("", operation_id="createResponse", response_model=None)
async def create_response(
    body: responses_api.CreateResponseRequest, request: Request, principal: CurrentPrincipal
) -> Response:
    answer = responses_api.create(body, principal.tenant, request)
    return respond(answer)


@router.get("/{response_id}", operation_id="getResponse")
async def retrieve_response(
    response_id: str, principal: CurrentPrincipal, include: Annotated[list[str] | None, Query(alias="include[]")] = None
) -> JSONObject:
    return JSONObject(responses_api.retrieve(principal.tenant, response_id, include or []))


@router.delete("/{response_id}", operation_id="deleteResponse")
async def delete_response(response_id: str, principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(responses_api.delete(principal.tenant, response_id))


@router.get("/{response_id}/input_items", operation_id="listInputItems")
async def list_response_input_items(
    response_id: str,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query()] = 20,
    order: str = "asc",
    after: str | None = None,
    before: str | None = None,
) -> JSONObject:
    return JSONObject(responses_api.list_input_items(principal.tenant, response_id, limit=limit, order=order,
                                                     after=after, before=before))


app = create_app(router, title="openai-mock responses")
handler = make_handler(app)

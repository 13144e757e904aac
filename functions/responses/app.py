"""Responses: create (JSON or typed event stream, or in the background), retrieve (or resume its stream), cancel,
delete, list a response's input items, count input tokens, compact a context. The spec's `?beta=true` twins of
these paths reach the same routes. `/v1/responses` is also a WebSocket (`client.beta.responses.connect()`); on AWS
the same function answers the Responses WebSocket API's $connect/$default/$disconnect events."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from starlette.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources import conversations, ratelimits, responses, responses_socket, safety
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject, respond
from openai_mock.web.params import list_query, query_array
from openai_mock.web.request_body import json_body
from openai_mock.web.request_reads import ids_in_body
from openai_mock.web.websocket_gateway import ManagementApi, is_websocket_event, isolated

router = APIRouter(prefix="/v1/responses")


@router.websocket("")
async def connect(websocket: WebSocket) -> None:
    await responses_socket.serve(websocket)


@router.post("", operation_id="createResponse", response_model=None)
async def create_response(request: Request) -> Response:
    body = responses.held(request, await json_body(request, responses.CreateResponseRequest))
    tenant = tenant_of(request)
    generated = responses.generate(body, tenant, request.headers)
    responses.admit(request, tenant, generated)  # its rate limit (a 429), then kept
    return respond(responses.deliver(body, tenant, generated))


@router.post("/input_tokens", operation_id="Getinputtokencounts")
async def count_input_tokens(request: Request) -> JSONObject:
    body = await json_body(request, responses.CountInputTokensRequest)
    return JSONObject(responses.count_input_tokens(body, tenant_of(request), request.headers))


@router.post("/compact", operation_id="Compactconversation")
async def compact_response(request: Request) -> JSONObject:
    body = safety.honour_deactivations(request, await json_body(request, responses.CompactRequest))
    tenant = tenant_of(request)
    compacted = responses.compact(body, tenant)
    ratelimits.record_token_usage(request, tenant, body.model, {**compacted, "model": body.model})
    return JSONObject(compacted)


@router.get("/{response_id}", operation_id="getResponse", response_model=None)
async def retrieve_response(
    response_id: str,
    request: Request,
    include: Annotated[list[str], Depends(query_array("include"))],
    stream: Annotated[bool, Query()] = False,
    starting_after: Annotated[int | None, Query()] = None,
    include_obfuscation: Annotated[bool, Query()] = True,
) -> Response:
    answer = responses.retrieve(
        tenant_of(request),
        response_id,
        include,
        stream=stream,
        starting_after=starting_after,
        include_obfuscation=include_obfuscation,
    )
    return respond(answer)


@router.post("/{response_id}/cancel", operation_id="cancelResponse")
async def cancel_response(response_id: str, request: Request) -> JSONObject:
    return JSONObject(responses.cancel(tenant_of(request), response_id))


@router.delete("/{response_id}", operation_id="deleteResponse")
async def delete_response(response_id: str, request: Request) -> JSONObject:
    return JSONObject(responses.delete(tenant_of(request), response_id))


@router.get("/{response_id}/input_items", operation_id="listInputItems")
async def list_response_input_items(
    response_id: str,
    request: Request,
    params: Annotated[ListParams, list_query(default_order="asc")],
    include: Annotated[list[str], Depends(query_array("include"))],
) -> JSONObject:
    return JSONObject(responses.list_input_items(tenant_of(request), response_id, params, include))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_RESPONSE = [(responses.COLLECTION, "response_id")]
PATH_OBJECTS = {
    "/v1/responses/{response_id}": _RESPONSE,
    "/v1/responses/{response_id}/cancel": _RESPONSE,
    "/v1/responses/{response_id}/input_items": _RESPONSE,
}
BODY_OBJECTS = {  # its previous response, its conversation
    "/v1/responses": ids_in_body(
        {"previous_response_id": responses.COLLECTION, "conversation": conversations.COLLECTION}
    )
}
app = create_app(router, title="openai-mock responses", path_objects=PATH_OBJECTS, body_objects=BODY_OBJECTS)
_http_handler = make_handler(app)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if is_websocket_event(event):
        return isolated(responses_socket.handle_websocket_event, event, ManagementApi.of(event))
    return _http_handler(event, context)

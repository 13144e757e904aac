"""Chat Completions: create (JSON or stream), and the stored completions (`store: true`)."""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources import chat, safety
from openai_mock.resources.organization import retention
from openai_mock.web.access import honour_service_tier
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject, respond
from openai_mock.web.params import MetadataFilter, list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/chat/completions")
OldestFirst = Annotated[ListParams, list_query(default_order="asc", before=False)]


@router.post("", operation_id="createChatCompletion", response_model=None)
async def create_chat_completion(request: Request) -> Response:
    body = retention.honour_store(request, await json_body(request, chat.ChatCompletionRequest))
    body = honour_service_tier(request, safety.honour_deactivations(request, body))
    tenant = tenant_of(request)
    generated = chat.generate(body, tenant, request.headers)
    chat.admit(request, body, tenant, generated)  # its rate limit (a 429), its messages kept when stored
    return respond(chat.deliver(body, tenant, generated))


@router.get("", operation_id="listChatCompletions")
async def list_chat_completions(
    request: Request,
    metadata: MetadataFilter,
    params: OldestFirst,
    model: str | None = None,
) -> JSONObject:
    return JSONObject(chat.list_completions(tenant_of(request), params, model=model, metadata=metadata))


@router.get("/{completion_id}", operation_id="getChatCompletion")
async def retrieve_chat_completion(completion_id: str, request: Request) -> JSONObject:
    return JSONObject(chat.retrieve(tenant_of(request), completion_id))


@router.post("/{completion_id}", operation_id="updateChatCompletion")
async def update_chat_completion(completion_id: str, request: Request) -> JSONObject:
    body = await json_body(request, chat.UpdateChatCompletionRequest)
    return JSONObject(chat.update(tenant_of(request), completion_id, body))


@router.delete("/{completion_id}", operation_id="deleteChatCompletion")
async def delete_chat_completion(completion_id: str, request: Request) -> JSONObject:
    return JSONObject(chat.delete(tenant_of(request), completion_id))


@router.get("/{completion_id}/messages", operation_id="getChatCompletionMessages")
async def list_chat_completion_messages(
    completion_id: str,
    request: Request,
    params: OldestFirst,
) -> JSONObject:
    return JSONObject(chat.list_messages(tenant_of(request), completion_id, params))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
PATH_OBJECTS = {
    "/v1/chat/completions/{completion_id}": [(chat.COLLECTION, "completion_id")],
    "/v1/chat/completions/{completion_id}/messages": [(chat.MESSAGES_COLLECTION, "completion_id")],
}
app = create_app(router, title="openai-mock chat", path_objects=PATH_OBJECTS)
handler = make_handler(app)

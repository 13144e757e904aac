"""Conversations: create, retrieve, update and delete a conversation; list, add, retrieve and delete its items."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from openai_mock.pagination import ListParams
from openai_mock.resources import conversations, safety
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query, query_array
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/conversations")
Include = Annotated[list[str], Depends(query_array("include"))]


@router.post("", operation_id="createConversation")
async def create_conversation(request: Request) -> JSONObject:
    body = safety.honour_deactivations(request, await json_body(request, conversations.CreateConversationRequest))
    return JSONObject(conversations.create(tenant_of(request), body))


@router.get("/{conversation_id}", operation_id="getConversation")
async def retrieve_conversation(conversation_id: str, request: Request) -> JSONObject:
    return JSONObject(conversations.retrieve(tenant_of(request), conversation_id))


@router.post("/{conversation_id}", operation_id="updateConversation")
async def update_conversation(conversation_id: str, request: Request) -> JSONObject:
    body = await json_body(request, conversations.UpdateConversationRequest)
    return JSONObject(conversations.update(tenant_of(request), conversation_id, body))


@router.delete("/{conversation_id}", operation_id="deleteConversation")
async def delete_conversation(conversation_id: str, request: Request) -> JSONObject:
    return JSONObject(conversations.delete(tenant_of(request), conversation_id))


@router.get("/{conversation_id}/items", operation_id="listConversationItems")
async def list_conversation_items(
    conversation_id: str,
    request: Request,
    params: Annotated[ListParams, list_query(before=False)],
    include: Include,
) -> JSONObject:
    return JSONObject(conversations.list_items(tenant_of(request), conversation_id, params, include))


@router.post("/{conversation_id}/items", operation_id="createConversationItems")
async def create_conversation_items(conversation_id: str, request: Request, include: Include) -> JSONObject:
    body = await json_body(request, conversations.CreateItemsRequest)
    return JSONObject(conversations.create_items(tenant_of(request), conversation_id, body, include))


@router.get("/{conversation_id}/items/{item_id}", operation_id="getConversationItem")
async def retrieve_conversation_item(
    conversation_id: str, item_id: str, request: Request, include: Include
) -> JSONObject:
    return JSONObject(conversations.retrieve_item(tenant_of(request), conversation_id, item_id, include))


@router.delete("/{conversation_id}/items/{item_id}", operation_id="deleteConversationItem")
async def delete_conversation_item(conversation_id: str, item_id: str, request: Request) -> JSONObject:
    return JSONObject(conversations.delete_item(tenant_of(request), conversation_id, item_id))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_CONVERSATION = [(conversations.COLLECTION, "conversation_id")]
PATH_OBJECTS = {
    "/v1/conversations/{conversation_id}": _CONVERSATION,
    "/v1/conversations/{conversation_id}/items": _CONVERSATION,
    "/v1/conversations/{conversation_id}/items/{item_id}": _CONVERSATION,
}
app = create_app(router, title="openai-mock conversations", path_objects=PATH_OBJECTS)
handler = make_handler(app)

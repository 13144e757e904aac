"""Conversations API: a conversation is a stored, ordered list of items (messages, tool calls and their outputs,
reasoning, compactions) that Responses created with `conversation` read as context and append to.

One record per conversation; its items (`_items`, oldest first, each with its id) live in it, so appending a
turn's input and output is one atomic update and a list is one read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ConfigDict

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_metadata
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import RequestModel
from openai_mock.generation import responses as responses_builder
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.store import get_store

COLLECTION = "conversation"
MAX_NEW_ITEMS = 20
INCLUDABLE = (
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
)


class CreateConversationRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Any] | None = None
    metadata: dict[str, str] | None = None
    safety_identifier: str | None = None  # the end user's: refused once deactivated (resources/safety.py)


class UpdateConversationRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    metadata: dict[str, str] | None


class CreateItemsRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Any]


def _not_found(conversation_id: str, param: str = "conversation_id") -> OpenAIError:
    return OpenAIError(404, f"Conversation with id '{conversation_id}' not found.", param=param)


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _record(tenant: str, conversation_id: str, param: str = "conversation_id") -> dict[str, Any]:
    record = get_store().get(tenant, COLLECTION, conversation_id)
    if record is None:
        raise _not_found(conversation_id, param)
    return record


def _new_items(value: Any, param: str) -> list[dict[str, Any]]:
    """Items as a request gives them, normalised the way a response's input is (each with an id)."""
    # Imported here: the Responses service imports this module (a response appends to its conversation).
    from openai_mock.resources.responses import normalised_items

    if not isinstance(value, list):
        raise invalid_request(
            f"Invalid type for '{param}': expected an array, but got {type(value).__name__} instead.",
            param,
            "invalid_type",
        )
    if len(value) > MAX_NEW_ITEMS:
        raise invalid_request(
            f"Invalid '{param}': array too long. Expected an array with maximum length {MAX_NEW_ITEMS}, "
            f"but got an array with length {len(value)} instead.",
            param,
            "array_above_max_length",
        )
    return normalised_items(value, param)


def check_include(include: Sequence[str]) -> None:
    for index, value in enumerate(include):
        check_enum(value, INCLUDABLE, f"include[{index}]")


def present_item(item: Mapping[str, Any], include: Sequence[str]) -> dict[str, Any]:
    """An item as a list or a retrieval shows it: hosted search results, code outputs and reasoning's encrypted
    content only when `include` asks for them."""
    if item.get("type") == "file_search_call" and "file_search_call.results" not in include:
        return {**item, "results": None}
    if item.get("type") == "code_interpreter_call" and "code_interpreter_call.outputs" not in include:
        return {**item, "outputs": None}
    if item.get("type") == "reasoning":
        return responses_builder.shown_reasoning(item, include)
    return dict(item)


# --------------------------------------------------------------------------------------------- conversations


def create(tenant: str, body: CreateConversationRequest) -> dict[str, Any]:
    check_metadata(body.metadata)
    items = _new_items(body.items, "items") if body.items is not None else []
    record = {
        "id": ids.new_id("conversation"),
        "object": "conversation",
        "created_at": clock.now_seconds(),
        "metadata": body.metadata or {},
        "_items": items,
    }
    if body.safety_identifier is not None:  # kept, not shown: the SDK's Conversation has no such field
        record["_safety_identifier"] = body.safety_identifier
    get_store().create(tenant, COLLECTION, record)
    return _public(record)


def retrieve(tenant: str, conversation_id: str) -> dict[str, Any]:
    return _public(_record(tenant, conversation_id))


def update(tenant: str, conversation_id: str, body: UpdateConversationRequest) -> dict[str, Any]:
    if body.metadata is None:
        raise invalid_request("Missing required parameter: 'metadata'.", "metadata", "missing_required_parameter")
    check_metadata(body.metadata)
    metadata = body.metadata
    updated = get_store().update(tenant, COLLECTION, conversation_id, lambda record: {**record, "metadata": metadata})
    if updated is None:
        raise _not_found(conversation_id)
    return _public(updated)


def delete(tenant: str, conversation_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, COLLECTION, conversation_id) is None:
        raise _not_found(conversation_id)
    return {"id": conversation_id, "object": "conversation.deleted", "deleted": True}


# --------------------------------------------------------------------------------------------- items


def list_items(tenant: str, conversation_id: str, params: ListParams, include: Sequence[str]) -> dict[str, Any]:
    check_include(include)
    items = _record(tenant, conversation_id)["_items"]
    page = paginate(items, params)
    return list_object(page, view=lambda item: present_item(item, include))


def create_items(tenant: str, conversation_id: str, body: CreateItemsRequest, include: Sequence[str]) -> dict[str, Any]:
    check_include(include)
    _record(tenant, conversation_id)
    items = _new_items(body.items, "items")
    if not items:
        raise invalid_request(
            "Invalid 'items': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "items",
            "empty_array",
        )
    append(tenant, conversation_id, items)
    data = [present_item(item, include) for item in items]
    return {"object": "list", "data": data, "first_id": data[0]["id"], "last_id": data[-1]["id"], "has_more": False}


def _item(record: Mapping[str, Any], item_id: str) -> dict[str, Any]:
    for item in record["_items"]:
        if item["id"] == item_id:
            return dict(item)
    raise OpenAIError(404, f"Item with id '{item_id}' not found.", param="item_id")


def retrieve_item(tenant: str, conversation_id: str, item_id: str, include: Sequence[str]) -> dict[str, Any]:
    check_include(include)
    return present_item(_item(_record(tenant, conversation_id), item_id), include)


def delete_item(tenant: str, conversation_id: str, item_id: str) -> dict[str, Any]:
    def remove(record: dict[str, Any]) -> dict[str, Any]:
        _item(record, item_id)  # 404 when absent: nothing is written
        return {**record, "_items": [item for item in record["_items"] if item["id"] != item_id]}

    updated = get_store().update(tenant, COLLECTION, conversation_id, remove)
    if updated is None:
        raise _not_found(conversation_id)
    return _public(updated)


# --------------------------------------------------------------------------------------------- for Responses


def conversation_id_of(value: Any) -> str:
    """`conversation` as a create-response request gives it: an id, or `{"id": ...}`."""
    if isinstance(value, Mapping):
        value = value.get("id")
        if not isinstance(value, str):
            raise invalid_request(
                "Missing required parameter: 'conversation.id'.", "conversation.id", "missing_required_parameter"
            )
    if not isinstance(value, str):
        raise invalid_request(
            f"Invalid type for 'conversation': expected one of a string or an object, but got "
            f"{type(value).__name__} instead.",
            "conversation",
            "invalid_type",
        )
    return value


def history(tenant: str, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation's items, oldest first: the context of a response created in it."""
    return list(_record(tenant, conversation_id, param="conversation")["_items"])


def safety_identifier_of(tenant: str, conversation_id: str) -> str | None:
    """The safety identifier the conversation was created with (None for an unknown conversation: its 404 is the
    response's to raise)."""
    record = get_store().get(tenant, COLLECTION, conversation_id)
    return None if record is None else record.get("_safety_identifier")


def append(tenant: str, conversation_id: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Add items at the end (a response's input then its output), atomically."""
    new = [dict(item) for item in items]
    if get_store().update(tenant, COLLECTION, conversation_id, lambda r: {**r, "_items": [*r["_items"], *new]}) is None:
        raise _not_found(conversation_id, "conversation")

"""Assistants (collection "assistant"): create, retrieve, modify, list, delete."""

from __future__ import annotations

from openai_mock import clock
from openai_mock.checks import check_metadata
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.assistants import params
from openai_mock.resources.assistants.records import object_not_found
from openai_mock.resources.assistants.tool_resources import check_tool_resources, materialise
from openai_mock.store import get_store
from openai_mock.store.base import Object

ASSISTANTS = "assistant"


def _assistant_fields(tenant: str, body: params.CreateAssistantRequest, current: Object | None) -> Object:
    """The fields a create or modify request sets, checked (a modify leaves absent fields as they are)."""
    given = body.model_fields_set if current is not None else set(params.CreateAssistantRequest.model_fields)
    fields: Object = {}
    if "model" in given and body.model is not None:
        params.check_model(tenant, body.model)
        fields["model"] = body.model
    params.check_texts(body.name, body.description, body.instructions)
    params.check_sampling(body.temperature, body.top_p)
    check_metadata(body.metadata)
    for name in ("name", "description", "instructions"):
        if name in given:
            fields[name] = getattr(body, name)
    if "metadata" in given:
        fields["metadata"] = body.metadata or {}
    if "tools" in given:
        fields["tools"] = params.check_tools(body.tools)
    if "temperature" in given:
        fields["temperature"] = 1.0 if body.temperature is None else body.temperature
    if "top_p" in given:
        fields["top_p"] = 1.0 if body.top_p is None else body.top_p
    if "response_format" in given:
        fields["response_format"] = params.check_response_format(body.response_format)
    return fields


def create_assistant(tenant: str, body: params.CreateAssistantRequest) -> Object:
    fields = _assistant_fields(tenant, body, None)
    resources, helpers = check_tool_resources(tenant, body.tool_resources)
    assistant: Object = {
        "id": new_id("assistant"),
        "object": "assistant",
        "created_at": clock.now_seconds(),
        **fields,
        "tool_resources": materialise(tenant, resources, helpers),
    }
    return get_store().create(tenant, ASSISTANTS, assistant)


def get_assistant(tenant: str, assistant_id: str) -> Object:
    assistant = get_store().get(tenant, ASSISTANTS, assistant_id)
    if assistant is None:
        raise object_not_found("assistant", assistant_id)
    return assistant


def modify_assistant(tenant: str, assistant_id: str, body: params.ModifyAssistantRequest) -> Object:
    current = get_assistant(tenant, assistant_id)
    fields = _assistant_fields(tenant, body, current)
    if "tool_resources" in body.model_fields_set:
        resources, helpers = check_tool_resources(tenant, body.tool_resources)
        fields["tool_resources"] = materialise(tenant, resources, helpers)
    updated = get_store().update(tenant, ASSISTANTS, assistant_id, lambda obj: {**obj, **fields})
    if updated is None:
        raise object_not_found("assistant", assistant_id)
    return updated


def list_assistants(tenant: str, page: ListParams) -> Object:
    return list_object(
        get_store().list(tenant, ASSISTANTS, limit=page.limit, order=page.order, after=page.after, before=page.before)
    )


def delete_assistant(tenant: str, assistant_id: str) -> Object:
    if get_store().delete(tenant, ASSISTANTS, assistant_id) is None:
        raise object_not_found("assistant", assistant_id)
    return {"id": assistant_id, "object": "assistant.deleted", "deleted": True}

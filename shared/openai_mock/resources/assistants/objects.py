"""Assistants, threads and messages: stored objects, their views and their CRUD.

Collections: "assistant", "thread", "thread.message/<thread_id>". A thread keeps the id of its latest run
(`_active_run`, private): runs.py, which owns run state, checks "one active run per thread" and "no new
messages during a run" against it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai_mock import clock
from openai_mock.checks import check_max_items, check_metadata
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.assistants import params
from openai_mock.resources.vector_stores import params as vector_store_params
from openai_mock.resources.vector_stores import vector_stores
from openai_mock.resources.vector_stores.records import get_active_record
from openai_mock.store import get_store
from openai_mock.store.base import Object

ASSISTANTS = "assistant"
THREADS = "thread"
MAX_VECTOR_STORE_FILES = 10_000

def messages_collection(thread_id: str) -> str:
    return f"thread.message/{thread_id}"


def public(obj: Object) -> Object:
    """What clients see: private bookkeeping keys (leading underscore) stay in the store."""
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def _not_found(kind: str, object_id: str) -> OpenAIError:
    return OpenAIError(404, f"No {kind} found with id '{object_id}'.")


# --------------------------------------------------------------------------- tool resources


def _vector_store_helper(tenant: str, helpers: Any, param: str) -> list[vector_store_params.CreateVectorStoreRequest]:
    if not isinstance(helpers, list):
        raise invalid_request(f"Invalid type for '{param}': expected an array of objects.", param, "invalid_type")
    check_max_items(helpers, 1, param)
    requests = []
    for index, helper in enumerate(helpers):
        where = f"{param}[{index}]"
        if not isinstance(helper, dict):
            raise invalid_request(f"Invalid type for '{where}': expected an object.", where, "invalid_type")
        file_ids = params.check_file_ids(tenant, helper.get("file_ids", []), f"{where}.file_ids",
                                          MAX_VECTOR_STORE_FILES)
        vector_store_params.chunking_strategy(helper.get("chunking_strategy"), f"{where}.chunking_strategy")
        check_metadata(helper.get("metadata"))
        requests.append(vector_store_params.CreateVectorStoreRequest(
            file_ids=file_ids, chunking_strategy=helper.get("chunking_strategy"), metadata=helper.get("metadata")))
    return requests


def check_tool_resources(tenant: str, value: dict[str, Any] | None, param: str = "tool_resources",
                         ) -> tuple[dict[str, Any], list[vector_store_params.CreateVectorStoreRequest]]:
    """Checked tool resources (every file and vector store must exist for the tenant), plus the vector stores the
    `vector_stores` helper asks to create (created by `materialise`, once everything else is valid)."""
    if value is None:
        return {}, []
    resources: dict[str, Any] = {}
    unknown = set(value) - {"code_interpreter", "file_search"}
    if unknown:
        name = sorted(unknown)[0]
        raise invalid_request(f"Unrecognized request argument supplied: {param}.{name}", f"{param}.{name}",
                              "unknown_parameter")
    if value.get("code_interpreter") is not None:
        file_ids = (value["code_interpreter"] or {}).get("file_ids", [])
        resources["code_interpreter"] = {"file_ids": params.check_file_ids(
            tenant, file_ids, f"{param}.code_interpreter.file_ids", params.MAX_CODE_INTERPRETER_FILES)}
    helpers: list[vector_store_params.CreateVectorStoreRequest] = []
    search = value.get("file_search")
    if search is not None:
        where = f"{param}.file_search"
        store_ids = search.get("vector_store_ids", [])
        if not isinstance(store_ids, list) or not all(isinstance(item, str) for item in store_ids):
            raise invalid_request(f"Invalid type for '{where}.vector_store_ids': expected an array of strings.",
                                  f"{where}.vector_store_ids", "invalid_type")
        check_max_items(store_ids, 1, f"{where}.vector_store_ids")
        for store_id in store_ids:
            get_active_record(tenant, store_id)
        if search.get("vector_stores") is not None:
            if store_ids:
                raise invalid_request(f"Invalid '{where}': only one of 'vector_store_ids' or 'vector_stores' may be "
                                      "provided.", where, "invalid_value")
            helpers = _vector_store_helper(tenant, search["vector_stores"], f"{where}.vector_stores")
        resources["file_search"] = {"vector_store_ids": list(store_ids)}
    return resources, helpers


def materialise(tenant: str, resources: dict[str, Any],
                helpers: list[vector_store_params.CreateVectorStoreRequest]) -> dict[str, Any]:
    """Create the vector stores a `vector_stores` helper asked for and list them in the resources."""
    for request in helpers:
        created = vector_stores.create_vector_store(tenant, request)
        resources["file_search"]["vector_store_ids"].append(created["id"])
    return resources


def vector_store_ids(*resources: dict[str, Any] | None) -> list[str]:
    """Every vector store named by some tool resources (an assistant's, then a thread's), without repeats."""
    found: list[str] = []
    for resource in resources:
        for store_id in ((resource or {}).get("file_search") or {}).get("vector_store_ids", []):
            if store_id not in found:
                found.append(store_id)
    return found


# --------------------------------------------------------------------------- assistants


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
    assistant: Object = {"id": new_id("assistant"), "object": "assistant", "created_at": clock.now_seconds(),
                         **fields, "tool_resources": materialise(tenant, resources, helpers)}
    return get_store().create(tenant, ASSISTANTS, assistant)


def get_assistant(tenant: str, assistant_id: str) -> Object:
    assistant = get_store().get(tenant, ASSISTANTS, assistant_id)
    if assistant is None:
        raise _not_found("assistant", assistant_id)
    return assistant


def modify_assistant(tenant: str, assistant_id: str, body: params.ModifyAssistantRequest) -> Object:
    current = get_assistant(tenant, assistant_id)
    fields = _assistant_fields(tenant, body, current)
    if "tool_resources" in body.model_fields_set:
        resources, helpers = check_tool_resources(tenant, body.tool_resources)
        fields["tool_resources"] = materialise(tenant, resources, helpers)
    updated = get_store().update(tenant, ASSISTANTS, assistant_id, lambda obj: {**obj, **fields})
    if updated is None:
        raise _not_found("assistant", assistant_id)
    return updated


def list_assistants(tenant: str, page: ListParams) -> Object:
    return list_object(get_store().list(tenant, ASSISTANTS, limit=page.limit, order=page.order, after=page.after,
                                        before=page.before))


def delete_assistant(tenant: str, assistant_id: str) -> Object:
    if get_store().delete(tenant, ASSISTANTS, assistant_id) is None:
        raise _not_found("assistant", assistant_id)
    return {"id": assistant_id, "object": "assistant.deleted", "deleted": True}


# --------------------------------------------------------------------------- threads


def check_thread_request(tenant: str, body: params.CreateThreadRequest | None, prefix: str = ""
                         ) -> tuple[list[Object], dict[str, Any], list[vector_store_params.CreateVectorStoreRequest]]:
    """Everything a create-thread body asks for, checked before anything is written."""
    body = body or params.CreateThreadRequest()
    check_max_items(body.messages or [], params.MAX_MESSAGES, f"{prefix}messages")
    messages = [params.check_message(tenant, message, f"{prefix}messages[{index}].")
                for index, message in enumerate(body.messages or [])]
    check_metadata(body.metadata)
    resources, helpers = check_tool_resources(tenant, body.tool_resources, f"{prefix}tool_resources")
    return messages, resources, helpers


def store_thread(tenant: str, messages: list[Object], resources: dict[str, Any],
                 helpers: list[vector_store_params.CreateVectorStoreRequest], metadata: dict[str, str] | None
                 ) -> Object:
    """Write a checked thread: its vector stores, then its messages, then the thread (which makes it visible)."""
    thread_id = new_id("thread")
    now = clock.now_seconds()
    resources = materialise(tenant, resources, helpers)
    for message in messages:
        write_message(tenant, thread_id, message, created_at=now)
    thread = {"id": thread_id, "object": "thread", "created_at": now, "metadata": metadata or {},
              "tool_resources": resources, "_active_run": None}
    return get_store().create(tenant, THREADS, thread)


def create_thread(tenant: str, body: params.CreateThreadRequest) -> Object:
    messages, resources, helpers = check_thread_request(tenant, body)
    return public(store_thread(tenant, messages, resources, helpers, body.metadata))


def get_thread_record(tenant: str, thread_id: str) -> Object:
    thread = get_store().get(tenant, THREADS, thread_id)
    if thread is None:
        raise _not_found("thread", thread_id)
    return thread


def get_thread(tenant: str, thread_id: str) -> Object:
    return public(get_thread_record(tenant, thread_id))


def modify_thread(tenant: str, thread_id: str, body: params.ModifyThreadRequest) -> Object:
    get_thread_record(tenant, thread_id)
    check_metadata(body.metadata)
    fields: Object = {}
    if "metadata" in body.model_fields_set:
        fields["metadata"] = body.metadata or {}
    if "tool_resources" in body.model_fields_set:
        resources, helpers = check_tool_resources(tenant, body.tool_resources)
        fields["tool_resources"] = materialise(tenant, resources, helpers)
    updated = get_store().update(tenant, THREADS, thread_id, lambda obj: {**obj, **fields})
    if updated is None:
        raise _not_found("thread", thread_id)
    return public(updated)


def delete_thread(tenant: str, thread_id: str, run_collections: Callable[[str, str], list[str]]) -> Object:
    """The thread goes first (so it is gone for everyone), then its messages, runs and run steps."""
    store = get_store()
    collections = run_collections(tenant, thread_id)
    if store.delete(tenant, THREADS, thread_id) is None:
        raise _not_found("thread", thread_id)
    for collection in [messages_collection(thread_id), *collections]:
        store.delete_collection(tenant, collection)
    return {"id": thread_id, "object": "thread.deleted", "deleted": True}


# --------------------------------------------------------------------------- messages


def new_message(thread_id: str, role: str, content: list[Object], *, created_at: int, message_id: str | None = None,
                assistant_id: str | None = None, run_id: str | None = None,
                attachments: list[Object] | None = None, metadata: dict[str, str] | None = None) -> Object:
    return {"id": message_id or new_id("thread.message"), "object": "thread.message", "created_at": created_at,
            "assistant_id": assistant_id, "thread_id": thread_id, "run_id": run_id, "role": role,
            "content": content, "attachments": attachments if attachments is not None else [],
            "metadata": metadata or {}, "status": "completed", "incomplete_details": None,
            "completed_at": created_at if role == "assistant" else None, "incomplete_at": None}


def write_message(tenant: str, thread_id: str, checked: Object, *, created_at: int) -> Object:
    message = new_message(thread_id, checked["role"], checked["content"], created_at=created_at,
                          attachments=checked["attachments"], metadata=checked["metadata"])
    return get_store().create(tenant, messages_collection(thread_id), message)


def all_messages(tenant: str, thread_id: str) -> list[Object]:
    """A thread's messages, oldest first."""
    found: list[Object] = []
    after = None
    while True:
        page = get_store().list(tenant, messages_collection(thread_id), limit=100, order="asc", after=after)
        found.extend(page.items)
        if not page.has_more:
            return found
        after = page.items[-1]["id"]


def list_messages(tenant: str, thread_id: str, page: ListParams, run_id: str | None) -> Object:
    get_thread_record(tenant, thread_id)
    where = None if run_id is None else (lambda message: message.get("run_id") == run_id)
    return list_object(get_store().list(tenant, messages_collection(thread_id), limit=page.limit, order=page.order,
                                        after=page.after, before=page.before, where=where))


def get_message(tenant: str, thread_id: str, message_id: str) -> Object:
    get_thread_record(tenant, thread_id)
    message = get_store().get(tenant, messages_collection(thread_id), message_id)
    if message is None:
        raise _not_found("message", message_id)
    return message


def modify_message(tenant: str, thread_id: str, message_id: str, body: params.ModifyRequest) -> Object:
    get_message(tenant, thread_id, message_id)
    check_metadata(body.metadata)
    updated = get_store().update(tenant, messages_collection(thread_id), message_id,
                                 lambda obj: {**obj, "metadata": body.metadata or {}})
    if updated is None:
        raise _not_found("message", message_id)
    return updated


def delete_message(tenant: str, thread_id: str, message_id: str) -> Object:
    get_thread_record(tenant, thread_id)
    if get_store().delete(tenant, messages_collection(thread_id), message_id) is None:
        raise _not_found("message", message_id)
    return {"id": message_id, "object": "thread.message.deleted", "deleted": True}

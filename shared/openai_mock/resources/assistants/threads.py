"""Threads (collection "thread"): create (its vector stores, then its messages, then the thread), retrieve, modify,
delete (with its messages, runs and run steps).

A thread keeps the id of its latest run (`_active_run`, private): runs.py, which owns run state, checks "one
active run per thread" and "no new messages during a run" against it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openai_mock import clock
from openai_mock.checks import check_max_items, check_metadata
from openai_mock.ids import new_id
from openai_mock.resources.assistants import params
from openai_mock.resources.assistants.messages import messages_collection, write_message
from openai_mock.resources.assistants.records import THREADS, get_thread_record, object_not_found, public
from openai_mock.resources.assistants.tool_resources import check_tool_resources, materialise
from openai_mock.resources.vector_stores import params as vector_store_params
from openai_mock.store import get_store
from openai_mock.store.base import Object


def check_thread_request(
    tenant: str, body: params.CreateThreadRequest | None, prefix: str = ""
) -> tuple[list[Object], dict[str, Any], list[vector_store_params.CreateVectorStoreRequest]]:
    """Everything a create-thread body asks for, checked before anything is written."""
    body = body or params.CreateThreadRequest()
    check_max_items(body.messages or [], params.MAX_MESSAGES, f"{prefix}messages")
    messages = [
        params.check_message(tenant, message, f"{prefix}messages[{index}].")
        for index, message in enumerate(body.messages or [])
    ]
    check_metadata(body.metadata)
    resources, helpers = check_tool_resources(tenant, body.tool_resources, f"{prefix}tool_resources")
    return messages, resources, helpers


def store_thread(
    tenant: str,
    messages: list[Object],
    resources: dict[str, Any],
    helpers: list[vector_store_params.CreateVectorStoreRequest],
    metadata: dict[str, str] | None,
) -> Object:
    """Write a checked thread: its vector stores, then its messages, then the thread (which makes it visible)."""
    thread_id = new_id("thread")
    now = clock.now_seconds()
    resources = materialise(tenant, resources, helpers)
    for message in messages:
        write_message(tenant, thread_id, message, created_at=now)
    thread = {
        "id": thread_id,
        "object": "thread",
        "created_at": now,
        "metadata": metadata or {},
        "tool_resources": resources,
        "_active_run": None,
    }
    return get_store().create(tenant, THREADS, thread)


def create_thread(tenant: str, body: params.CreateThreadRequest) -> Object:
    messages, resources, helpers = check_thread_request(tenant, body)
    return public(store_thread(tenant, messages, resources, helpers, body.metadata))


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
        raise object_not_found("thread", thread_id)
    return public(updated)


def delete_thread(tenant: str, thread_id: str, run_collections: Callable[[str, str], list[str]]) -> Object:
    """The thread goes first (so it is gone for everyone), then its messages, runs and run steps."""
    store = get_store()
    collections = run_collections(tenant, thread_id)
    if store.delete(tenant, THREADS, thread_id) is None:
        raise object_not_found("thread", thread_id)
    for collection in [messages_collection(thread_id), *collections]:
        store.delete_collection(tenant, collection)
    return {"id": thread_id, "object": "thread.deleted", "deleted": True}

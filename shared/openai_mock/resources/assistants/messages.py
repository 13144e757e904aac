"""Messages of a thread (collection "thread.message/<thread_id>"): building and writing one (runs write theirs
too), reading a whole thread, and list, retrieve, modify, delete."""

from __future__ import annotations

from openai_mock.checks import check_metadata
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.assistants import params
from openai_mock.resources.assistants.records import get_thread_record, object_not_found
from openai_mock.store import get_store
from openai_mock.store.base import Object


def messages_collection(thread_id: str) -> str:
    return f"thread.message/{thread_id}"


def new_message(
    thread_id: str,
    role: str,
    content: list[Object],
    *,
    created_at: int,
    message_id: str | None = None,
    assistant_id: str | None = None,
    run_id: str | None = None,
    attachments: list[Object] | None = None,
    metadata: dict[str, str] | None = None,
) -> Object:
    return {
        "id": message_id or new_id("thread.message"),
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "run_id": run_id,
        "role": role,
        "content": content,
        "attachments": attachments if attachments is not None else [],
        "metadata": metadata or {},
        "status": "completed",
        "incomplete_details": None,
        "completed_at": created_at if role == "assistant" else None,
        "incomplete_at": None,
    }


def write_message(tenant: str, thread_id: str, checked: Object, *, created_at: int) -> Object:
    message = new_message(
        thread_id,
        checked["role"],
        checked["content"],
        created_at=created_at,
        attachments=checked["attachments"],
        metadata=checked["metadata"],
    )
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
    return list_object(
        get_store().list(
            tenant,
            messages_collection(thread_id),
            limit=page.limit,
            order=page.order,
            after=page.after,
            before=page.before,
            where=where,
        )
    )


def get_message(tenant: str, thread_id: str, message_id: str) -> Object:
    get_thread_record(tenant, thread_id)
    message = get_store().get(tenant, messages_collection(thread_id), message_id)
    if message is None:
        raise object_not_found("message", message_id)
    return message


def modify_message(tenant: str, thread_id: str, message_id: str, body: params.ModifyRequest) -> Object:
    get_message(tenant, thread_id, message_id)
    check_metadata(body.metadata)
    updated = get_store().update(
        tenant, messages_collection(thread_id), message_id, lambda obj: {**obj, "metadata": body.metadata or {}}
    )
    if updated is None:
        raise object_not_found("message", message_id)
    return updated


def delete_message(tenant: str, thread_id: str, message_id: str) -> Object:
    get_thread_record(tenant, thread_id)
    if get_store().delete(tenant, messages_collection(thread_id), message_id) is None:
        raise object_not_found("message", message_id)
    return {"id": message_id, "object": "thread.message.deleted", "deleted": True}

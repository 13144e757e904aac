"""ChatKit: sessions that let a front end talk to an Agent Builder workflow, and the threads those
conversations leave behind.

A session (`POST /chatkit/sessions`, with the workflow's id and the end user) mints a client secret the front
end uses; it is `active` until `expires_after.seconds` have passed on the mock clock (then `expired`) or it is
cancelled. The real front end then talks to OpenAI's hosted ChatKit backend with that secret, which creates
threads; the REST API only reads and deletes them. The mock's stand-in for that backend is
`POST /__mock/chatkit/threads` (docs/chatkit.md): a user message in an active session starts a thread (or
continues one) and the workflow answers with the mock's own generation, so the thread, its title and its items
are what a ChatKit front end would read back.

Threads are records with their items (`_items`, oldest first) inside: one read lists them, one conditional
write adds a turn."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_length, check_range
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import Decimal, Flag, Integer, RequestModel, Text
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.rng import request_rng
from openai_mock.store import get_store
from openai_mock.store.base import Object

SESSIONS = "chatkit.session"
THREADS = "chatkit.thread"
DEFAULT_EXPIRY_SECONDS = 600  # ten minutes, also the most `expires_after.seconds` may ask for
DEFAULT_REQUESTS_PER_MINUTE = 10
MAX_STATE_VARIABLES = 64
MAX_USER_LENGTH = 512
ANSWER_MODEL = "gpt-4.1-mini"  # what the mock's stand-in workflow answers with


class WorkflowParam(RequestModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    version: str | None = None
    state_variables: dict[str, Text | Integer | Decimal | Flag] | None = None
    tracing: dict[str, Any] | None = None


class ExpiresAfterParam(RequestModel):
    model_config = ConfigDict(extra="forbid")
    anchor: str
    seconds: Integer


class CreateSessionRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    workflow: WorkflowParam
    user: str
    expires_after: ExpiresAfterParam | None = None
    rate_limits: dict[str, Any] | None = None
    chatkit_configuration: dict[str, Any] | None = None


class MockThreadTurn(RequestModel):
    """The body of `POST /__mock/chatkit/threads`: what a user typed in a session's ChatKit widget."""

    model_config = ConfigDict(extra="forbid")
    session_id: str
    text: str = Field(min_length=1)
    thread_id: str | None = None


# --------------------------------------------------------------------------------------------- sessions


def _session_not_found(session_id: str) -> OpenAIError:
    return OpenAIError(404, f"ChatKit session with id '{session_id}' not found.", param="session_id")


def _session_status(record: Mapping[str, Any]) -> str:
    if record["status"] == "cancelled":
        return "cancelled"
    return "expired" if clock.now() >= record["expires_at"] else "active"


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in record.items() if not key.startswith("_")}
    if shown.get("object") == SESSIONS:
        shown["status"] = _session_status(record)
    return shown


def _flag(value: Any, param: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_request(
            f"Invalid type for '{param}': expected a boolean, but got {type(value).__name__} instead.",
            param,
            "invalid_type",
        )
    return value


def _section(config: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    value = config.get(key) or {}
    if not isinstance(value, Mapping):
        raise invalid_request(
            f"Invalid type for 'chatkit_configuration.{key}': expected an object.",
            f"chatkit_configuration.{key}",
            "invalid_type",
        )
    for unknown in set(value) - set(allowed):
        raise invalid_request(
            f"Unknown parameter: 'chatkit_configuration.{key}.{unknown}'.",
            f"chatkit_configuration.{key}.{unknown}",
            "unknown_parameter",
        )
    return dict(value)


def _configuration(config: Mapping[str, Any] | None) -> dict[str, Any]:
    """`chatkit_configuration` with the defaults filled in, each value checked."""
    config = config or {}
    for unknown in set(config) - {"automatic_thread_titling", "file_upload", "history"}:
        raise invalid_request(
            f"Unknown parameter: 'chatkit_configuration.{unknown}'.",
            f"chatkit_configuration.{unknown}",
            "unknown_parameter",
        )
    titling = _section(config, "automatic_thread_titling", ("enabled",))
    upload = _section(config, "file_upload", ("enabled", "max_file_size", "max_files"))
    history = _section(config, "history", ("enabled", "recent_threads"))
    where = "chatkit_configuration"
    check_range(upload.get("max_file_size"), f"{where}.file_upload.max_file_size", 1, 512)
    check_range(upload.get("max_files"), f"{where}.file_upload.max_files", 1)
    check_range(history.get("recent_threads"), f"{where}.history.recent_threads", 1)
    uploads_on = _flag(upload.get("enabled"), f"{where}.file_upload.enabled", False)
    return {
        "automatic_thread_titling": {
            "enabled": _flag(titling.get("enabled"), f"{where}.automatic_thread_titling.enabled", True)
        },
        "file_upload": {
            "enabled": uploads_on,
            "max_file_size": upload.get("max_file_size", 512 if uploads_on else None),
            "max_files": upload.get("max_files", 10 if uploads_on else None),
        },
        "history": {
            "enabled": _flag(history.get("enabled"), f"{where}.history.enabled", True),
            "recent_threads": history.get("recent_threads"),
        },
    }


def _workflow(workflow: WorkflowParam) -> dict[str, Any]:
    check_length(workflow.id, "workflow.id", 256, 1)
    state = workflow.state_variables
    if state is not None and len(state) > MAX_STATE_VARIABLES:
        raise invalid_request(
            f"Invalid 'workflow.state_variables': at most {MAX_STATE_VARIABLES} variables, but got {len(state)}.",
            "workflow.state_variables",
            "object_above_max_properties",
        )
    tracing = workflow.tracing or {}
    return {
        "id": workflow.id,
        "version": workflow.version,
        "state_variables": state,
        "tracing": {"enabled": _flag(tracing.get("enabled"), "workflow.tracing.enabled", True)},
    }


def create_session(tenant: str, body: CreateSessionRequest) -> dict[str, Any]:
    check_length(body.user, "user", MAX_USER_LENGTH, 1)
    workflow = _workflow(body.workflow)
    seconds = DEFAULT_EXPIRY_SECONDS
    if body.expires_after is not None:
        check_enum(body.expires_after.anchor, ("created_at",), "expires_after.anchor")
        check_range(body.expires_after.seconds, "expires_after.seconds", 1, DEFAULT_EXPIRY_SECONDS)
        seconds = body.expires_after.seconds
    limits = body.rate_limits or {}
    for unknown in set(limits) - {"max_requests_per_1_minute"}:
        raise invalid_request(f"Unknown parameter: 'rate_limits.{unknown}'.", f"rate_limits.{unknown}")
    per_minute = limits.get("max_requests_per_1_minute", DEFAULT_REQUESTS_PER_MINUTE)
    check_range(per_minute, "rate_limits.max_requests_per_1_minute", 1)
    configuration = _configuration(body.chatkit_configuration)
    now = clock.now_seconds()
    record: Object = {
        "id": ids.new_id("chatkit.session"),
        "object": SESSIONS,
        "expires_at": now + seconds,
        "client_secret": f"ek_{secrets.token_hex(24)}",
        "workflow": workflow,
        "user": body.user,
        "rate_limits": {"max_requests_per_1_minute": per_minute},
        "max_requests_per_1_minute": per_minute,
        "status": "active",
        "chatkit_configuration": configuration,
        "_created_at": now,
    }
    get_store().create(tenant, SESSIONS, record)
    return _public(record)


def cancel_session(tenant: str, session_id: str) -> dict[str, Any]:
    """Cancel an active session (its client secret stops working); cancelling again changes nothing."""

    def cancelled(record: Object) -> Object:
        if _session_status(record) == "expired":
            raise invalid_request(f"ChatKit session '{session_id}' has expired.", "session_id", "session_expired")
        return {**record, "status": "cancelled", "_cancelled_at": record.get("_cancelled_at") or clock.now_seconds()}

    updated = get_store().update(tenant, SESSIONS, session_id, cancelled)
    if updated is None:
        raise _session_not_found(session_id)
    return _public(updated)


# --------------------------------------------------------------------------------------------- threads


def _thread_not_found(thread_id: str) -> OpenAIError:
    return OpenAIError(404, f"Thread with id '{thread_id}' not found.", param="thread_id")


def _thread(tenant: str, thread_id: str) -> Object:
    record = get_store().get(tenant, THREADS, thread_id)
    if record is None:
        raise _thread_not_found(thread_id)
    return record


def list_threads(tenant: str, params: ListParams, user: str | None) -> dict[str, Any]:
    if user is not None:
        check_length(user, "user", MAX_USER_LENGTH, 1)
    page = get_store().list(
        tenant,
        THREADS,
        limit=params.limit,
        order=params.order,
        after=params.after,
        before=params.before,
        where=None if user is None else (lambda record: record["user"] == user),
    )
    return list_object(page, view=_public)


def retrieve_thread(tenant: str, thread_id: str) -> dict[str, Any]:
    return _public(_thread(tenant, thread_id))


def delete_thread(tenant: str, thread_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, THREADS, thread_id) is None:
        raise _thread_not_found(thread_id)
    return {"id": thread_id, "object": "chatkit.thread.deleted", "deleted": True}


def list_items(tenant: str, thread_id: str, params: ListParams) -> dict[str, Any]:
    return list_object(paginate(_thread(tenant, thread_id)["_items"], params))


# --------------------------------------------------------------------------------------------- the mock's backend


def _answer(history: list[Mapping[str, Any]], user_text: str, material: Mapping[str, Any]) -> str:
    """The workflow's reply: the mock's chat generation over the thread so far."""
    from openai_mock.generation import chat  # only a mock turn needs the chat machinery

    messages: list[dict[str, Any]] = []
    for item in history:
        role = "user" if item["type"] == "chatkit.user_message" else "assistant"
        if item["type"] in ("chatkit.user_message", "chatkit.assistant_message"):
            messages.append({"role": role, "content": " ".join(part["text"] for part in item["content"])})
    messages.append({"role": "user", "content": user_text})
    request = {"model": ANSWER_MODEL, "messages": messages}
    completion = chat.build_chat_completion(
        request, request_rng(material, {}), completion_id="", created=clock.now_seconds()
    )
    return str(completion["choices"][0]["message"].get("content") or "")


def _title(user_text: str) -> str:
    from openai_mock.generation import text

    topic = text.topic_of(user_text)
    return topic[:1].upper() + topic[1:]


def mock_turn(tenant: str, body: MockThreadTurn) -> dict[str, Any]:
    """What the hosted ChatKit backend does when the session's user sends a message: the thread (new, or the
    named one of the same user), the user's message, the workflow's answer; returns the thread."""
    session = get_store().get(tenant, SESSIONS, body.session_id)
    if session is None:
        raise _session_not_found(body.session_id)
    status = _session_status(session)
    if status != "active":
        raise invalid_request(f"ChatKit session '{body.session_id}' is {status}.", "session_id", f"session_{status}")
    existing = None if body.thread_id is None else _thread(tenant, body.thread_id)
    if existing is not None and existing["user"] != session["user"]:
        raise invalid_request(
            f"Thread '{body.thread_id}' belongs to another user.", "thread_id", "thread_user_mismatch"
        )
    now = clock.now_seconds()
    thread_id = existing["id"] if existing is not None else ids.new_id("chatkit.thread")
    history = existing["_items"] if existing is not None else []
    said = [[part["text"] for part in item.get("content", [])] for item in history]
    material = {"workflow": session["workflow"], "history": said, "text": body.text}  # same turn, same answer
    answer = _answer(history, body.text, material)
    common = {"object": "chatkit.thread_item", "created_at": now, "thread_id": thread_id}
    items = [
        {
            "id": ids.new_id("chatkit.thread_item"),
            **common,
            "type": "chatkit.user_message",
            "content": [{"type": "input_text", "text": body.text}],
            "attachments": [],
            "inference_options": {"model": None, "tool_choice": None},
        },
        {
            "id": ids.new_id("chatkit.thread_item"),
            **common,
            "type": "chatkit.assistant_message",
            "content": [{"type": "output_text", "text": answer, "annotations": []}],
        },
    ]
    titled = session["chatkit_configuration"]["automatic_thread_titling"]["enabled"]
    if existing is None:
        record: Object = {
            "id": thread_id,
            "object": THREADS,
            "created_at": now,
            "title": _title(body.text) if titled else None,
            "status": {"type": "active"},
            "user": session["user"],
            "_items": items,
        }
        get_store().create(tenant, THREADS, record)
        return _public(record)
    updated = get_store().update(tenant, THREADS, thread_id, lambda r: {**r, "_items": [*r["_items"], *items]})
    if updated is None:
        raise _thread_not_found(thread_id)
    return _public(updated)

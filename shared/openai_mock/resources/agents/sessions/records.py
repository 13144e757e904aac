"""Where an agent session's objects live and how they are shown: the session (one per id, in its tenant), and
under it its turns, items, subagents, traces and artifacts (one collection each per session). Fields starting
with `_` are the mock's bookkeeping, never shown."""

from __future__ import annotations

import contextlib
from typing import Any

from openai_mock.errors import OpenAIError
from openai_mock.resources.organization.core import project_of
from openai_mock.store import ConflictError, get_store
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

SESSIONS = "agent.session"
# One object per effect that must happen once whichever container settles a turn first (webhooks, usage).
ONCE = "agent.session.once"


def turns_collection(session_id: str) -> str:
    return f"agent.session.turn/{session_id}"


def items_collection(session_id: str) -> str:
    return f"agent.session.item/{session_id}"


def subagents_collection(session_id: str) -> str:
    return f"agent.session.subagent/{session_id}"


def traces_collection(session_id: str) -> str:
    return f"agent.session.trace/{session_id}"


def artifacts_collection(session_id: str) -> str:
    return f"agent.session.artifact/{session_id}"


def children(session_id: str) -> list[str]:
    return [
        make(session_id)
        for make in (turns_collection, items_collection, subagents_collection, traces_collection, artifacts_collection)
    ]


def not_found(kind: str, object_id: str, param: str) -> OpenAIError:
    return OpenAIError(404, f"No {kind} found with id '{object_id}'.", param=param, code="not_found")


def stored_session(principal: Principal, session_id: str) -> Object:
    """The caller's project's session as stored (not settled); another project's is not found."""
    session = get_store().get(principal.tenant, SESSIONS, session_id)
    if session is None or session["_project_id"] != project_of(principal):
        raise not_found("session", session_id, "session_id")
    return session


def child(tenant: str, collection: str, object_id: str, kind: str, param: str) -> Object:
    obj = get_store().get(tenant, collection, object_id)
    if obj is None:
        raise not_found(kind, object_id, param)
    return obj


def write_once(tenant: str, collection: str, obj: Object) -> None:
    """Create an object whose id was fixed when it was planned: a second settling reader writes the same thing."""
    with contextlib.suppress(ConflictError):
        get_store().create(tenant, collection, obj)


def first_time(tenant: str, key: str) -> bool:
    """True for the one caller that claims `key` (an effect done once whatever container gets there first)."""
    try:
        get_store().create(tenant, ONCE, {"id": key})
    except ConflictError:
        return False
    return True


def token_usage(usage: dict[str, int] | None) -> dict[str, Any] | None:
    """The SDK's `TokenUsage` of the mock's running totals (stored before cached tokens were counted: 0 of them)."""
    if usage is None:
        return None
    return {
        "input_tokens": usage["input_tokens"],
        "input_tokens_details": {"cached_tokens": usage.get("cached_tokens", 0)},
        "output_tokens": usage["output_tokens"],
        "output_tokens_details": {"reasoning_tokens": usage["reasoning_tokens"]},
        "total_tokens": usage["input_tokens"] + usage["output_tokens"],
    }

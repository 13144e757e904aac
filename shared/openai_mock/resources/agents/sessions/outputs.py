"""What a session's turns leave behind, listed and read: turns, items, subagents (and theirs), traces and
artifacts (their bytes too), each after the session is settled by the clock."""

from __future__ import annotations

from typing import Any

from openai_mock.errors import OpenAIError
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization.core import public
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object, Predicate
from openai_mock.web.auth import Principal

from . import lifecycle, records


def _listed(tenant: str, collection: str, page: ListParams, where: Predicate | None, view: Any) -> dict[str, Any]:
    found = get_store().list(tenant, collection, limit=page.limit, order=page.order, after=page.after, where=where)
    return list_object(found, view=view)


def _settled(principal: Principal, session_id: str) -> Object:
    return lifecycle.current(principal, session_id)


# ------------------------------------------------------------------------------------------------- turns and items


def list_turns(principal: Principal, session_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    return _listed(
        principal.tenant,
        records.turns_collection(session_id),
        page,
        lambda turn: not turn["subagent_id"],
        public,
    )


def _turn(principal: Principal, session_id: str, turn_id: str, subagent_id: str | None) -> Object:
    turn = get_store().get(principal.tenant, records.turns_collection(session_id), turn_id)
    if turn is None or turn["subagent_id"] != subagent_id:
        raise records.not_found("turn", turn_id, "turn_id")
    return turn


def retrieve_turn(principal: Principal, session_id: str, turn_id: str, subagent_id: str | None = None) -> Object:
    _settled(principal, session_id)
    if subagent_id is not None:
        _subagent(principal, session_id, subagent_id)
    return public(_turn(principal, session_id, turn_id, subagent_id))


def list_items(principal: Principal, session_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    return _listed(
        principal.tenant,
        records.items_collection(session_id),
        page,
        lambda item: not item["_subagent_id"],
        public,
    )


def list_turn_items(
    principal: Principal, session_id: str, turn_id: str, page: ListParams, subagent_id: str | None = None
) -> dict[str, Any]:
    _settled(principal, session_id)
    if subagent_id is not None:
        _subagent(principal, session_id, subagent_id)
    _turn(principal, session_id, turn_id, subagent_id)
    return _listed(
        principal.tenant,
        records.items_collection(session_id),
        page,
        lambda item: item["turn_id"] == turn_id,
        public,
    )


# ------------------------------------------------------------------------------------------------- subagents


def _subagent(principal: Principal, session_id: str, subagent_id: str) -> Object:
    return records.child(
        principal.tenant, records.subagents_collection(session_id), subagent_id, "subagent", "subagent_id"
    )


def list_subagents(principal: Principal, session_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    return _listed(principal.tenant, records.subagents_collection(session_id), page, None, public)


def retrieve_subagent(principal: Principal, session_id: str, subagent_id: str) -> Object:
    _settled(principal, session_id)
    return public(_subagent(principal, session_id, subagent_id))


def list_subagent_items(principal: Principal, session_id: str, subagent_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    _subagent(principal, session_id, subagent_id)
    return _listed(
        principal.tenant,
        records.items_collection(session_id),
        page,
        lambda item: item["_subagent_id"] == subagent_id,
        public,
    )


def list_subagent_turns(principal: Principal, session_id: str, subagent_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    _subagent(principal, session_id, subagent_id)
    return _listed(
        principal.tenant,
        records.turns_collection(session_id),
        page,
        lambda turn: turn["subagent_id"] == subagent_id,
        public,
    )


# ------------------------------------------------------------------------------------------------- traces, artifacts


def list_traces(principal: Principal, session_id: str, page: ListParams) -> dict[str, Any]:
    _settled(principal, session_id)
    return _listed(principal.tenant, records.traces_collection(session_id), page, None, public)


def list_artifacts(
    principal: Principal, session_id: str, page: ListParams, environment_id: str | None
) -> dict[str, Any]:
    _settled(principal, session_id)
    where = None if environment_id is None else (lambda artifact: artifact["environment_id"] == environment_id)
    return _listed(principal.tenant, records.artifacts_collection(session_id), page, where, public)


def _artifact(principal: Principal, session_id: str, artifact_id: str) -> Object:
    _settled(principal, session_id)
    return records.child(
        principal.tenant, records.artifacts_collection(session_id), artifact_id, "artifact", "artifact_id"
    )


def retrieve_artifact(principal: Principal, session_id: str, artifact_id: str) -> Object:
    return public(_artifact(principal, session_id, artifact_id))


def artifact_content(principal: Principal, session_id: str, artifact_id: str) -> bytes:
    artifact = _artifact(principal, session_id, artifact_id)
    content = get_blobs().get(principal.tenant, artifact["_blob_key"])
    if content is None:
        raise OpenAIError(
            404,
            f"The content of artifact '{artifact_id}' is no longer available.",
            param="artifact_id",
            code="not_found",
        )
    return content


def delete_artifact(principal: Principal, session_id: str, artifact_id: str) -> Object:
    artifact = _artifact(principal, session_id, artifact_id)
    get_store().delete(principal.tenant, records.artifacts_collection(session_id), artifact_id)
    get_blobs().delete(principal.tenant, artifact["_blob_key"])
    return {"id": artifact_id, "object": "agent.session.artifact.deleted", "deleted": True}

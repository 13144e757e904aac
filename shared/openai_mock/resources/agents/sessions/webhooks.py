"""The session's webhook events (`agent.session.*`, registered in control/webhooks/events.py), their `data` as the
SDK's `AgentSession*WebhookEvent` models shape it."""

from __future__ import annotations

from typing import Any

from openai_mock.store.base import Object


def _data(event_type: str, session: Object) -> dict[str, Any]:
    if event_type == "agent.session.action_required":
        actions = session.get("required_actions") or [{"type": "function_call"}]
        return {"id": session["id"], "required_action": {"type": actions[0]["type"]}}
    environment = session["environment"]
    data: dict[str, Any] = {
        "id": session["id"],
        "environment_type": environment["type"],
        "environment_id": environment.get("id"),
    }
    if environment["type"] == "self_hosted" and environment.get("remote_url"):
        data["connect"] = {"remote_url": environment["remote_url"]}
    return data


def emit(tenant: str, event_type: str, session: Object, *, at: int, key: str) -> None:
    """`key` names the pending event (one per transition): events about one session must not replace each other
    before they are delivered, as events keyed by the object's id would."""
    # Imported when first sent: most requests send none, and the webhooks package is left out of cold starts.
    from openai_mock.control import webhooks

    webhooks.emit(tenant, event_type, key, at=at, data=_data(event_type, session))

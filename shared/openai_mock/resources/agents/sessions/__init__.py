"""Agent sessions (docs/agent-sessions.md): sessions that run an agent's turns in an environment, their items,
events, subagents, traces and artifacts. By concern: `params` (request bodies), `records` (where things live),
`lifecycle` (sessions and input events), `turns` (the clock-driven state machine), `stream` and `events` (the
event streams), `outputs` (what turns leave behind), `traces`, `webhooks`."""

from __future__ import annotations

from typing import Any

from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

from .lifecycle import send_input, start_session, view

__all__ = ["send_input", "start_session", "stored_session"]


def stored_session(principal: Principal, session_id: str, param: str = "session_id") -> dict[str, Any]:
    """The caller's project's session as the API shows it, settled by the clock (404 naming `param`)."""
    from openai_mock.errors import naming

    from .lifecycle import current

    with naming(param):
        session: Object = current(principal, session_id)
    return view(session)

"""The two event streams: a session created with `stream: true` (its creation, then its first turn, which runs
while it is streamed, to idle or requires_action), and `GET …/events` (the active turn, run to where it stops, from
its creation on; a session with no active turn: one event with its state)."""

from __future__ import annotations

from collections.abc import Mapping

from openai_mock.store import get_store
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

from . import lifecycle, params, records, stream, turns

_STATE_EVENTS = {
    "idle": "agent.session.idle",
    "failed": "agent.session.failed",
    "budget_reached": "agent.session.budget_reached",
}


def created_stream(principal: Principal, body: params.CreateSession, headers: Mapping[str, str]) -> list[bytes]:
    session = lifecycle.create(principal, body, headers)
    obfuscate = body.stream_options.include_obfuscation if body.stream_options else True
    events = stream.numbered(stream.creation_events(session), session["id"], obfuscate)
    turn = _last_root_turn(principal.tenant, session["id"])
    if turn is not None:
        events += stream.numbered(stream.turn_events(principal.tenant, session, turn), turn["id"], obfuscate)
    return stream.encoded(events)


def live_stream(principal: Principal, session_id: str, obfuscate: bool) -> list[bytes]:
    tenant = principal.tenant
    session = turns.fast_forward(tenant, lifecycle.current(principal, session_id))
    turn_id = session.get("_active_turn")
    if turn_id is None:
        state = {
            "session_id": session_id,
            "type": _STATE_EVENTS.get(session["status"], "agent.session.idle"),
            "session": lifecycle.view(session),
        }
        marker = f"{session_id}_{session['last_active_at']}"
        return stream.encoded(stream.numbered([state], marker, obfuscate))
    turn = records.child(tenant, records.turns_collection(session_id), turn_id, "turn", "turn_id")
    return stream.encoded(stream.numbered(stream.turn_events(tenant, session, turn), turn_id, obfuscate))


def _last_root_turn(tenant: str, session_id: str) -> Object | None:
    page = get_store().list(
        tenant, records.turns_collection(session_id), limit=1, order="desc", where=lambda obj: not obj["subagent_id"]
    )
    return page.items[0] if page.items else None

"""The two event streams: a session created with `stream: true` (its creation, then its first turn, which runs
while it is streamed, to idle or requires_action), and `GET …/events`, a live subscription: the session's state
when no turn is open, then the active turn (or the next one to start) from its creation on, run as it is streamed,
through its stops for function results, to its end. It watches the store, so input sent through any container
(the SDK's `sessions.stream()` subscribes first, then sends it) reaches it; it ends when its turn ends, or after
QUIET_SECONDS in which nothing happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping

from openai_mock.errors import OpenAIError
from openai_mock.store import get_store, read_memo
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

from . import lifecycle, params, records, stream, turns

# How long a subscription waits, in real seconds, for something to happen (a turn to start, a function result to
# arrive) before it ends; and how often it looks at the store meanwhile.
QUIET_SECONDS = 15.0
POLL_SECONDS = 0.05
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


def live_stream(principal: Principal, session_id: str, obfuscate: bool) -> AsyncIterator[bytes]:
    """The subscription's events as they happen. The session is looked up now (404 before the stream starts)."""
    lifecycle.current(principal, session_id)
    return _live(principal, session_id, obfuscate)


async def _live(principal: Principal, session_id: str, obfuscate: bool) -> AsyncIterator[bytes]:
    tenant = principal.tenant
    session = lifecycle.current(principal, session_id)
    following: str | None = session.get("_active_turn")
    if following is None:
        state = {
            "session_id": session_id,
            "type": _STATE_EVENTS.get(session["status"], "agent.session.idle"),
            "session": lifecycle.view(session),
        }
        yield b"".join(stream.encoded(stream.numbered([state], f"{session_id}_{session['last_active_at']}", obfuscate)))
    sent, quiet_since = 0, time.monotonic()
    while time.monotonic() - quiet_since < QUIET_SECONDS:
        # The turn to follow is picked before it is run forward: running it may end it at once.
        following = following or session.get("_active_turn")
        if following is not None:
            session = turns.fast_forward(tenant, session)
            turn = records.child(tenant, records.turns_collection(session_id), following, "turn", "turn_id")
            events = stream.numbered(stream.turn_events(tenant, session, turn), following, obfuscate)
            if len(events) > sent:
                yield b"".join(stream.encoded(events[sent:]))
                sent, quiet_since = len(events), time.monotonic()
            if turn["status"] in turns.TERMINAL:
                return
        await asyncio.sleep(POLL_SECONDS)
        read_memo.forget_all()  # a request that lasts: what other requests wrote since is read again
        try:
            session = lifecycle.current(principal, session_id)
        except OpenAIError:
            return  # deleted while watched


def _last_root_turn(tenant: str, session_id: str) -> Object | None:
    page = get_store().list(
        tenant, records.turns_collection(session_id), limit=1, order="desc", where=lambda obj: not obj["subagent_id"]
    )
    return page.items[0] if page.items else None

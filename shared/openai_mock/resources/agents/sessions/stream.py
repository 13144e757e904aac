"""The session's events (the SDK's `AgentSessionEvent` union), derived from what is stored: a turn's events follow
from the turn, its items and the subagents it opened, so nothing but the objects themselves is written. Each
event's id follows from the turn's (the same event has the same id on every stream). A message's text and a
reasoning summary are streamed as deltas (`chat.fragments`), with obfuscation padding unless it was turned off."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from openai_mock.generation import chat
from openai_mock.generation.streaming import Padding, sse_event
from openai_mock.resources.organization.core import public
from openai_mock.store import get_store
from openai_mock.store.base import Object

from . import records

_DELTA_TYPES = frozenset({"agent.session.turn.output_text.delta", "agent.session.turn.reasoning_summary_text.delta"})
# Items that are not the agent's output (the client's results and answers, messages between agents): added, never
# "done".
_ADDED_ONLY = ("function_call_output", "agent_message", "computer_use_approval_request_result")


class _Numbered:
    """Event ids of one turn (or of the session's creation): the base's id, then a running number."""

    def __init__(self, base: str) -> None:
        self.base = base.split("_", 1)[-1]
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"event_{self.base}{self.count:05d}"


# ------------------------------------------------------------------------------------------------- snapshots


def session_snapshot(session: Mapping[str, Any], status: str) -> Object:
    from .lifecycle import view  # the one view of a session

    shown = view(session)
    if status != shown["status"]:
        shown.update(status=status, required_actions=[])
    return shown


def _turn_as(turn: Mapping[str, Any], status: str) -> Object:
    shown = public(turn)
    shown.update(status=status, completed_at=None, error=None, usage=None)
    if status == "queued":
        shown["started_at"] = None
    return shown


# ------------------------------------------------------------------------------------------------- items


def _message_events(item: Object, index: int, base: Object, model: str) -> Iterator[Object]:
    text = "".join(part["text"] for part in item["content"])
    part = {"type": "output_text", "text": ""}
    at = {**base, "item_id": item["id"], "output_index": index, "content_index": 0}
    yield {**at, "type": "agent.session.turn.content_part.added", "part": part}
    for delta in chat.fragments(text, model):
        yield {**at, "type": "agent.session.turn.output_text.delta", "delta": delta}
    yield {**at, "type": "agent.session.turn.output_text.done", "text": text}
    yield {**at, "type": "agent.session.turn.content_part.done", "part": {"type": "output_text", "text": text}}


def _reasoning_events(item: Object, index: int, base: Object, model: str) -> Iterator[Object]:
    for number, summary in enumerate(item["summary"]):
        at = {**base, "item_id": item["id"], "output_index": index, "summary_index": number}
        yield {
            **at,
            "type": "agent.session.turn.reasoning_summary_part.added",
            "part": {"type": "summary_text", "text": ""},
        }
        for delta in chat.fragments(summary["text"], model):
            yield {**at, "type": "agent.session.turn.reasoning_summary_text.delta", "delta": delta}
        yield {**at, "type": "agent.session.turn.reasoning_summary_text.done", "text": summary["text"]}
        yield {**at, "type": "agent.session.turn.reasoning_summary_part.done", "part": summary}


def _opening(item: Object) -> Object:
    """An output item as it is when added: in progress, its text still to come."""
    if item["type"] == "message":
        return {**item, "status": "in_progress", "content": []}
    if item["type"] == "reasoning":
        return {**item, "status": "in_progress", "summary": []}
    return item


def _output_item_events(item: Object, index: int, base: Object, model: str) -> Iterator[Object]:
    yield {**base, "type": "agent.session.turn.item.added", "item": _opening(item), "output_index": index}
    if item["type"] == "message":
        yield from _message_events(item, index, base, model)
    elif item["type"] == "reasoning":
        yield from _reasoning_events(item, index, base, model)
    yield {**base, "type": "agent.session.turn.item.done", "item": item, "output_index": index}


def _subagent_events(tenant: str, session_id: str, subagent: Object, base: Object, model: str) -> Iterator[Object]:
    """A subagent's opening and its own turn (the turn's events carry its `subagent_id`)."""
    opened = {**public(subagent), "status": "active", "closed_at": None}
    yield {**base, "type": "agent.session.subagent.created", "subagent": opened}
    yield {**base, "type": "agent.session.subagent.active", "subagent": opened}
    turn = (
        get_store()
        .list(
            tenant,
            records.turns_collection(session_id),
            limit=1,
            where=lambda obj: obj.get("subagent_id") == subagent["id"],
        )
        .items[0]
    )
    at = {"session_id": session_id, "turn_id": turn["id"]}
    yield {**at, "type": "agent.session.turn.created", "turn": _turn_as(turn, "queued")}
    yield {**at, "type": "agent.session.turn.in_progress", "turn": _turn_as(turn, "in_progress")}
    items = _items(tenant, session_id, lambda obj: obj["turn_id"] == turn["id"])
    for index, item in enumerate(items):
        yield from _output_item_events(public(item), index, at, model)
    yield {**at, "type": "agent.session.turn.completed", "turn": public(turn), "usage": turn["usage"]}


def _items(tenant: str, session_id: str, where: Any) -> list[Object]:
    return (
        get_store().list(tenant, records.items_collection(session_id), limit=1_000_000, order="asc", where=where).items
    )


# ------------------------------------------------------------------------------------------------- a turn


def turn_events(tenant: str, session: Mapping[str, Any], turn: Mapping[str, Any]) -> list[Object]:
    """A root turn's events from its creation to where it stands: its items, then the session's state after it
    (requires_action while it waits; the turn's end and the session's idle / failed / budget_reached after)."""
    session_id, model = session["id"], turn["_model"]
    base = {"session_id": session_id, "turn_id": turn["id"]}
    events: list[Object] = [
        {**base, "type": "agent.session.turn.created", "turn": _turn_as(turn, "queued")},
        _session_event(session, "in_progress"),
    ]
    if turn["status"] == "queued":
        return events
    events.append({**base, "type": "agent.session.turn.in_progress", "turn": _turn_as(turn, "in_progress")})
    subagents = {
        sub["id"]: sub
        for sub in get_store().list(tenant, records.subagents_collection(session_id), limit=1_000_000).items
        if sub["_turn_id"] == turn["id"]
    }
    index, answering = 0, False
    # Where the turn stopped for requests to be decided and went on once they were (no item marks those stops).
    approved_at = {asked["_at"] for asked in turn.get("_reviewed") or []}
    items = _items(tenant, session_id, lambda obj: obj["turn_id"] == turn["id"] and not obj["_subagent_id"])
    for position, item in enumerate(items):
        if position in approved_at:
            events += [_session_event(session, "requires_action"), _session_event(session, "in_progress")]
        shown = public(item)
        # Function results answer a stop the turn made: the session required action there, and runs again after
        # them (kept in the history, so that a turn's events only ever grow: a live stream sends what is new).
        if shown["type"] == "function_call_output" and not answering:
            events.append(_session_event(session, "requires_action"))
        elif shown["type"] != "function_call_output" and answering:
            events.append(_session_event(session, "in_progress"))
        answering = shown["type"] == "function_call_output"
        if (shown["type"] == "message" and shown["role"] == "user") or shown["type"] in _ADDED_ONLY:
            events.append({**base, "type": "agent.session.turn.item.added", "item": shown})
            continue
        events.extend(_output_item_events(shown, index, base, model))
        index += 1
        if shown["type"] == "create_subagent_call" and shown["agent_id"] in subagents:
            events.extend(_subagent_events(tenant, session_id, subagents[shown["agent_id"]], base, model))
        if shown["type"] == "close_subagent_call" and shown["recipient_agent_id"] in subagents:
            closed = public(subagents[shown["recipient_agent_id"]])
            events.append({**base, "type": "agent.session.subagent.closed", "subagent": closed})
    if answering and turn["status"] != "waiting":
        events.append(_session_event(session, "in_progress"))
    if len(items) in approved_at:  # the phase after the approvals still runs
        events += [_session_event(session, "requires_action"), _session_event(session, "in_progress")]
    events.extend(_ending(session, turn, base))
    return events


def _session_event(session: Mapping[str, Any], status: str) -> Object:
    return {
        "session_id": session["id"],
        "type": f"agent.session.{status}",
        "session": session_snapshot(session, status),
    }


def _ending(session: Mapping[str, Any], turn: Mapping[str, Any], base: Object) -> list[Object]:
    session_id, status = session["id"], turn["status"]
    if status == "waiting":
        return [_session_event(session, "requires_action")]
    if status not in ("completed", "failed", "cancelled"):
        return []
    ended: list[Object] = []
    if status == "failed":
        error = turn["error"]
        ended.append(
            {
                "session_id": session_id,
                "type": "error",
                "error": {"code": error["code"], "message": error["message"], "param": None, "type": "server_error"},
            }
        )
    ended.append({**base, "type": f"agent.session.turn.{status}", "turn": public(turn), "usage": turn["usage"]})
    after = {
        "idle": "agent.session.idle",
        "failed": "agent.session.failed",
        "budget_reached": "agent.session.budget_reached",
    }.get(session["status"], "agent.session.idle")
    ended.append({"session_id": session_id, "type": after, "session": session_snapshot(session, session["status"])})
    return ended


def creation_events(session: Mapping[str, Any]) -> list[Object]:
    """What a new session says first: itself (idle, before any turn), and its environment when it has one."""
    events: list[Object] = [
        {"type": "agent.session.created", "session": session_snapshot(session, "idle")},
    ]
    environment = session["environment"]
    if environment["type"] != "none":
        state = {"id": environment["id"], "type": environment["type"], "status": "pending", "error": None}
        events.append({"session_id": session["id"], "type": "agent.session.environment.pending", "environment": state})
    return events


# ------------------------------------------------------------------------------------------------- the wire


def numbered(events: list[Object], base: str, obfuscate: bool) -> list[Object]:
    """The events with their ids (and padding on deltas when obfuscation is on)."""
    ids, padding = _Numbered(base), Padding(base)
    done = []
    for number, event in enumerate(events):
        event = {"event_id": ids.next(), **event}
        if obfuscate and event["type"] in _DELTA_TYPES:
            event["obfuscation"] = padding.text(number, event["delta"])
        done.append(event)
    return done


def encoded(events: list[Object]) -> list[bytes]:
    return [sse_event(event, event["type"]) for event in events]

"""Turns: planned when their input arrives, progressed by the mock's clock, settled on every read.

    queued ──start──► in_progress ──finish──► completed | failed | waiting (function calls to run, requests to decide)
    waiting ──every call's tool_result, every request's result──► in_progress ──► …    open turn ──cancel──► cancelled

What a phase produces (generation/agent_turns.py) is decided when the phase begins and stored on the turn
(`_outcome`, its ids fixed); its status is derived from the stored turn and `clock` (`_target`, pure), and the
session follows its active turn (`_session_after`, pure): in_progress while the turn runs, requires_action while
it waits, then idle (failed when the turn failed, budget_reached when the turn spent the session's limit). A
settling reader writes the finished phase's items first (create-if-absent), then flips the status with
`store.update`: a reader that sees a turn completed always finds its items. Webhooks and usage are claimed once
(records.first_time), whichever container settles first. A streamed turn runs while it is streamed (its phase
starts and finishes at once).

Each phase re-reads the session's history: its model request reads the prompt cache when it is planned and writes
it once the turn is admitted (claimed on the session, or continued), so the next phase reads what this one wrote.

The requests a turn waits on (an MCP call to approve, the browser's access to an origin, a login form to fill) are
kept on the turn (`_approvals`) with the application's decisions (`_decisions`); the origins whose access was approved
are kept on the turn (`_origins`) and, from there, on the session (`_approved_origins`: not asked again).

An answer (a function call's result, a decision) is one conditional write of the turn: what it adds to the history
(the call's output, a login form's result) rides on the turn (`_unwritten`) and is written from there, create-if-
absent, right after, and again before the next phase reads the history; the seed the continuation draws from is kept
with it (`_seed`). So a turn whose every request is answered continues even when the answering request stopped
before continuing it: the next reader does, as that request would have."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.generation import agent_turns, chat, prompt_prefix
from openai_mock.resources import prompt_cache
from openai_mock.resources.agents.sessions import records, traces, webhooks
from openai_mock.resources.agents.sessions.records import items_collection, turns_collection
from openai_mock.resources.organization import prices, spend
from openai_mock.resources.organization.core import bootstrap_key_id, public
from openai_mock.resources.organization.usage import record_usage_event
from openai_mock.rng import SEED_HEADER, request_rng
from openai_mock.settings import get_settings
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object

OPEN = ("queued", "in_progress", "waiting")
TERMINAL = ("completed", "failed", "cancelled")
MOCK_FAIL_KEY = "mock_fail"  # session metadata naming a SessionTurnError code: the session's turns fail with it
_FAILURES = {
    "server_error": "The model service encountered an unexpected error. Please try again.",
    "rate_limit_exceeded": "The request exceeds the available rate limit. Please try again later.",
    "context_length_exceeded": "The conversation exceeds the model's context window.",
    "sandbox_error": "The turn could not complete in its execution environment.",
    "internal_error": "An unexpected internal error prevented the turn from completing.",
}
_WEBHOOKS = {
    "in_progress": "agent.session.in_progress",
    "idle": "agent.session.idle",
    "failed": "agent.session.failed",
    "requires_action": "agent.session.action_required",
}
ZERO = dict.fromkeys(agent_turns.USAGE_KEYS, 0)
LOGIN_ANSWER_LIMIT = 120 * 1024  # the SDK's bound on a login form's submitted values, as JSON


class Answer(NamedTuple):
    """The application's answer to a request the turn waits on: the kind of request it answers (`mcp_tool_call`,
    `browser_origin_access`, `browser_authentication`), the decision (approve / deny / cancel, or submit for a login
    form), and a login form's submitted values (checked against the form, never kept)."""

    kind: str
    decision: str
    fields: tuple[tuple[str, str], ...] = ()
    selected_option: str | None = None


def stage_seconds() -> float:
    """How long a phase waits queued, and then runs (the Assistants runs' stage, scaled like it)."""
    settings = get_settings()
    return settings.scaled(settings.assistants_run_stage_seconds)


def blob_key(session_id: str, artifact_id: str) -> str:
    return f"agent-sessions/{session_id}/artifacts/{artifact_id}"


# ------------------------------------------------------------------------------------------------- planning


def root_items(tenant: str, session_id: str) -> list[Object]:
    """The session's own (not its subagents') items, oldest first: the history a phase answers."""
    return (
        get_store()
        .list(
            tenant,
            items_collection(session_id),
            limit=1_000_000,
            order="asc",
            where=lambda item: not item["_subagent_id"],
        )
        .items
    )


def _failure(session: Mapping[str, Any]) -> Object | None:
    code = (session.get("metadata") or {}).get(MOCK_FAIL_KEY)
    return {"code": code, "message": _FAILURES[code]} if code in _FAILURES else None


def _read_prompt_cache(
    tenant: str, turn: Mapping[str, Any], request: Mapping[str, Any], prompt_tokens: int
) -> prompt_cache.Lookup | None:
    """The prompt cache's hit for a phase's model request: the session's cache lifetime (`prompt_cache_options.ttl`,
    as the turn took it); sessions have no `prompt_cache_key` nor mode, so the model's own cache, implicitly."""
    options = turn.get("prompt_cache_options") or {}
    settings = prompt_cache.Settings(request["model"], None, ttl=options.get("ttl"))
    return prompt_cache.look_up(tenant, request, prompt_tokens, settings)


def plan(
    tenant: str, session: Mapping[str, Any], turn: Object, history: list[Object], headers: Mapping[str, str]
) -> prompt_cache.Lookup | None:
    """Decide the turn's next phase (stored in `_outcome`) over the session's history; the prompt cache read,
    for the caller to `prompt_cache.remember` once the phase is admitted."""
    failure = _failure(session)
    if failure is not None:
        turn["_outcome"] = {"status": "failed", "error": failure, "items": [], "usage": ZERO, "artifacts": []}
        return None
    agent = session["agent"]
    decided = _decided(turn)
    ran, _ = agent_turns.reviewed_calls(agent, decided, turn["id"], ids.new_id)
    material: Object = {"agent": agent, "history": [public(item) for item in history], "phase": turn["_phase"]}
    if decided:  # approved or not, a different answer (other turns draw as they always did)
        material["decided"] = [(asked["request_id"], asked["decision"]) for asked in decided]
    request = agent_turns.model_request(agent, [*history, *ran])
    count = chat.count_prompt(request)
    cache = _read_prompt_cache(tenant, turn, request, count.total)
    phase = agent_turns.plan_phase(
        agent,
        history,
        turn_id=turn["id"],
        hosted=session["environment"]["type"] == "openai_hosted",
        rng=request_rng(material, headers),
        new_id=ids.new_id,
        created=int(clock.now()),
        cache=cache.use if cache is not None else prompt_prefix.CacheUse(),
        prompt_count=count,
        review=session.get("review") or "none",
        approved_origins=session.get("_approved_origins") or (),
        ran=ran,
        decided=decided,
    )
    # Where the turn stops for approvals: after its items so far (the event streams put the stop there).
    written = sum(1 for item in history if item["turn_id"] == turn["id"]) + len(phase.items)
    turn["_outcome"] = {
        "status": phase.status,
        "error": None,
        "items": [{**item, "_subagent_id": None} for item in phase.items],
        "usage": phase.usage,
        "artifacts": phase.artifacts,
        "subagent": phase.subagent,
        "approvals": [{**asked, "_at": written} for asked in phase.approvals],
        "origins": list(phase.origins),
    }
    return cache


def _decided(turn: Mapping[str, Any]) -> list[Object]:
    """The turn's approval requests the application has answered since its last phase, with the decision."""
    decisions = turn.get("_decisions") or {}
    return [
        {**asked, "decision": decisions[asked["request_id"]], "by": "application"}
        for asked in turn.get("_approvals") or []
        if asked["request_id"] in decisions
    ]


def new_turn(session: Mapping[str, Any], stream: bool) -> Object:
    now = clock.now()
    start_at, finish_at = (now, now) if stream else (now + stage_seconds(), now + 2 * stage_seconds())
    return {
        "id": ids.new_id("agent.session.turn"),
        "object": "agent.session.turn",
        "agent_id": session["agent"]["id"],
        "session_id": session["id"],
        "subagent_id": None,
        "created_at": int(now),
        "started_at": None,
        "completed_at": None,
        "status": "queued",
        "error": None,
        "usage": None,
        "prompt_cache_options": session.get("prompt_cache_options"),
        "_start_at": start_at,
        "_finish_at": finish_at,
        "_phase": 0,
        "_outcome": None,
        "_usage": ZERO,
        "_pending": [],
        "_answered": [],
        "_approvals": [],
        "_decisions": {},
        "_reviewed": [],
        "_origins": [],
        "_unwritten": [],
        "_seed": None,
        "_model": session["agent"]["model"],
    }


# ------------------------------------------------------------------------------------------------- the state machine


def _apply_outcome(turn: Object) -> None:
    outcome = turn["_outcome"]
    total = agent_turns.add_usage(turn["_usage"], outcome["usage"])
    turn["_usage"], turn["usage"] = total, records.token_usage(total)
    turn["_origins"] = _merged(turn.get("_origins") or [], outcome.get("origins") or [])
    if outcome["status"] == "waiting":
        turn["status"] = "waiting"
        turn["_pending"] = [item for item in outcome["items"] if item["type"] == "function_call"]
        turn["_answered"] = []
        turn["_approvals"] = outcome.get("approvals") or []
        turn["_decisions"] = {}
        return
    turn["status"], turn["error"] = outcome["status"], outcome["error"]
    turn["completed_at"] = int(turn["_finish_at"])


def _merged(known: list[str], more: list[str]) -> list[str]:
    return known + [origin for origin in dict.fromkeys(more) if origin not in known]


def _target(turn: Object, now: float) -> Object:
    """The stored turn as it is at `now` (pure: same input, same output)."""
    if turn["status"] == "queued" and now >= turn["_start_at"]:
        turn["status"] = "in_progress"
        turn["started_at"] = turn["started_at"] or int(turn["_start_at"])
    if turn["status"] == "in_progress" and now >= turn["_finish_at"]:
        _apply_outcome(turn)
    return turn


def _finishing(turn: Object, now: float) -> bool:
    return turn["status"] in ("queued", "in_progress") and now >= turn["_finish_at"]


def required_actions(turn: Mapping[str, Any]) -> list[Object]:
    """What the waiting turn needs: each unanswered function call's result, each undecided request's answer (an
    `mcp_approval_request`, a `computer_use_approval_request`)."""
    answered, decided = set(turn["_answered"]), turn.get("_decisions") or {}
    approvals = [public(asked) for asked in turn.get("_approvals") or [] if asked["request_id"] not in decided]
    return [
        {
            "type": "function_call",
            "call_id": call["call_id"],
            "name": call["name"],
            "arguments": call["arguments"],
            "turn_id": turn["id"],
        }
        for call in turn["_pending"]
        if call["call_id"] not in answered
    ] + approvals


def _all_answered(turn: Mapping[str, Any]) -> bool:
    decided = turn.get("_decisions") or {}
    return len(turn["_answered"]) == len(turn["_pending"]) and all(
        asked["request_id"] in decided for asked in turn.get("_approvals") or []
    )


def _cost_usd(model: str, usage: Mapping[str, int]) -> float:
    """Input read from the prompt cache at the model's cached-input price."""
    price_in, price_cached, price_out = prices.token_prices(model)
    cached = usage.get("cached_tokens", 0)
    return (
        (usage["input_tokens"] - cached) * price_in + cached * price_cached + usage["output_tokens"] * price_out
    ) / 1e6


def session_after(session: Object, turn: Mapping[str, Any]) -> Object:
    """The session as its active turn leaves it (pure; a turn's end is counted once: it clears `_active_turn`)."""
    if session.get("_active_turn") != turn["id"]:
        return session
    origins = _merged(session.get("_approved_origins") or [], turn.get("_origins") or [])
    if origins:
        session["_approved_origins"] = origins
    status = turn["status"]
    if status in ("queued", "in_progress"):
        session.update(status="in_progress", required_actions=[])
    elif status == "waiting":
        session.update(status="requires_action", required_actions=required_actions(turn))
    else:
        ended = turn["completed_at"] or int(clock.now())
        used = turn["_usage"]
        total = agent_turns.add_usage(session["_usage"], used)
        spent = session["_spent_usd"] + _cost_usd(turn["_model"], used)
        limit = session["spend_control"]["limit"]
        consumed = math.floor(spent * 100)
        session.update(
            _active_turn=None,
            _usage=total,
            usage=records.token_usage(total),
            _spent_usd=spent,
            spend_control={"limit": limit, "consumed": consumed},
            required_actions=[],
            last_active_at=max(session["last_active_at"], ended),
        )
        if status == "failed":
            session.update(status="failed", error=turn["error"]["message"])
        elif limit is not None and consumed >= limit:
            session["status"] = "budget_reached"
        else:
            session["status"] = "idle"
    return session


def _write_outcome(tenant: str, session_id: str, turn: Object) -> None:
    """What a finished phase produced, written before its turn says so."""
    outcome = turn["_outcome"]
    for item in outcome["items"]:
        records.write_once(tenant, items_collection(session_id), item)
    for artifact in outcome["artifacts"]:
        _write_artifact(tenant, session_id, turn, artifact)
    if outcome.get("subagent") is not None:
        _write_subagent(tenant, session_id, turn, outcome["subagent"])


def _write_artifact(tenant: str, session_id: str, turn: Object, artifact: Mapping[str, Any]) -> None:
    content = artifact["content"].encode()
    key = blob_key(session_id, artifact["id"])
    get_blobs().put(tenant, key, content)
    stored = {
        "id": artifact["id"],
        "object": "agent.session.artifact",
        "created_at": int(turn["_finish_at"]),
        "environment_id": turn["_environment_id"],
        "path": artifact["path"],
        "session_id": session_id,
        "size_bytes": len(content),
        "turn_id": turn["id"],
        "_blob_key": key,
    }
    records.write_once(tenant, records.artifacts_collection(session_id), stored)


def _write_subagent(tenant: str, session_id: str, turn: Object, planned: Mapping[str, Any]) -> None:
    """A delegated subtask: the subagent (opened and closed within the phase), its one turn and its items."""
    opened, closed = int(turn["_start_at"]), int(turn["_finish_at"])
    subagent = {
        "id": planned["id"],
        "object": "agent.session.subagent",
        "session_id": session_id,
        "parent_agent_id": planned["parent_agent_id"],
        "name": planned["name"],
        "instructions": planned["instructions"],
        "opened_at": opened,
        "closed_at": closed,
        "status": "closed",
        "_turn_id": turn["id"],
    }
    sub_turn = {
        "id": planned["turn_id"],
        "object": "agent.session.turn",
        "agent_id": planned["id"],
        "session_id": session_id,
        "subagent_id": planned["id"],
        "created_at": opened,
        "started_at": opened,
        "completed_at": closed,
        "status": "completed",
        "error": None,
        "usage": records.token_usage(planned["usage"]),
        "prompt_cache_options": turn["prompt_cache_options"],
        "_usage": planned["usage"],
        "_model": turn["_model"],
        "_parent_turn": turn["id"],
    }
    for item in planned["items"]:
        records.write_once(tenant, items_collection(session_id), {**item, "_subagent_id": planned["id"]})
    records.write_once(tenant, turns_collection(session_id), sub_turn)
    records.write_once(tenant, records.subagents_collection(session_id), subagent)


def _record_usage(tenant: str, session: Mapping[str, Any], turn: Object) -> None:
    """A finished phase's tokens are the organization's completions usage (once), and count as spend."""
    if not records.first_time(tenant, f"{turn['id']}#{turn['_phase']}#usage"):
        return
    outcome = turn["_outcome"]
    usage = agent_turns.add_usage(outcome["usage"], (outcome.get("subagent") or {}).get("usage") or ZERO)
    record = record_usage_event(
        tenant,
        "completions",
        model=turn["_model"],
        project_id=session["_project_id"],
        api_key_id=session.get("_api_key_id") or bootstrap_key_id(tenant),
        input_tokens=usage["input_tokens"],
        input_cached_tokens=usage["cached_tokens"],
        output_tokens=usage["output_tokens"],
    )
    spend.track(tenant, record)


def _emit_transition(tenant: str, before: Mapping[str, Any], after: Object, turn: Mapping[str, Any]) -> None:
    """The session's webhook for a status it reached (once per turn phase and status)."""
    status = after["status"]
    event_type = _WEBHOOKS.get("idle" if status == "budget_reached" else status)
    if status == before["status"] or event_type is None:
        return
    key = f"{after['id']}#{turn['id']}#{turn['_phase']}#{status}"
    if records.first_time(tenant, key):
        webhooks.emit(tenant, event_type, after, at=int(clock.now()), key=key)


def settle(tenant: str, session: Object) -> Object:
    """The session (and its active turn) brought up to date with the clock; returns the stored session."""
    turn_id = session.get("_active_turn")
    if not turn_id:
        return session
    turn = get_store().get(tenant, turns_collection(session["id"]), turn_id)
    if turn is None:
        return session
    if turn["status"] == "waiting" and _all_answered(turn):  # its last answer's request stopped before continuing it
        return continue_turn(tenant, session, turn)
    turn = settle_turn(tenant, session, turn)
    if session_after(dict(session), turn) == session:
        return session
    updated = get_store().update(tenant, records.SESSIONS, session["id"], lambda obj: session_after(obj, turn))
    if updated is None:
        raise records.not_found("session", session["id"], "session_id")
    _emit_transition(tenant, session, updated, turn)
    return updated


def settle_turn(tenant: str, session: Mapping[str, Any], turn: Object) -> Object:
    now = clock.now()
    if _target(dict(turn), now) == turn:
        return turn
    if _finishing(turn, now):
        _write_outcome(tenant, session["id"], turn)
        _record_usage(tenant, session, turn)
    updated = get_store().update(tenant, turns_collection(session["id"]), turn["id"], lambda obj: _target(obj, now))
    if updated is None:
        raise records.not_found("turn", turn["id"], "turn_id")
    if updated["status"] in TERMINAL:
        traces.write_trace(tenant, updated)
    return updated


# ------------------------------------------------------------------------------------------------- starting, answering


def busy(session: Mapping[str, Any], param: str) -> OpenAIError:
    status = session["status"]
    if status == "failed":
        return OpenAIError(
            409, f"Session {session['id']} has failed and accepts no more input.", param=param, code="session_failed"
        )
    if status == "budget_reached":
        return OpenAIError(
            409,
            f"Session {session['id']} has reached its spending limit: raise `spend_control.limit` to continue.",
            param=param,
            code="session_budget_exceeded",
        )
    return OpenAIError(
        409,
        f"Session {session['id']} already has an active turn {session.get('_active_turn')}.",
        param=param,
        code="active_turn_not_steerable",
    )


def start_turn(
    tenant: str,
    session: Object,
    messages: list[Object],
    *,
    stream: bool,
    headers: Mapping[str, str],
    param: str,
) -> Object:
    """A new turn answering `messages` (user message items without ids yet): claimed on an idle session only."""
    if session["status"] != "idle" or session.get("_active_turn"):
        raise busy(session, param)
    turn = new_turn(session, stream)
    turn["_environment_id"] = session["environment"].get("id")
    inputs = [
        {
            "id": ids.new_id("agent.session.item"),
            "type": "message",
            "role": "user",
            "phase": None,
            "status": "completed",
            "content": message["content"],
            "turn_id": turn["id"],
            "_subagent_id": None,
        }
        for message in messages
    ]
    cache = plan(tenant, session, turn, root_items(tenant, session["id"]) + inputs, headers)
    turn["_inputs"] = [item["id"] for item in inputs]
    store = get_store()
    store.create(tenant, turns_collection(session["id"]), turn)

    def claim(obj: Object) -> Object:
        if obj["status"] != "idle" or obj.get("_active_turn"):
            raise busy(obj, param)
        return {
            **obj,
            "_active_turn": turn["id"],
            "status": "in_progress",
            "required_actions": [],
            "last_active_at": turn["created_at"],
        }

    try:
        claimed = store.update(tenant, records.SESSIONS, session["id"], claim)
    except OpenAIError:
        store.delete(tenant, turns_collection(session["id"]), turn["id"])
        raise
    if claimed is None:
        raise records.not_found("session", session["id"], "session_id")
    store.create_many(tenant, items_collection(session["id"]), inputs)
    prompt_cache.remember(tenant, cache)  # only an admitted turn's prompt is cached
    _emit_transition(tenant, session, claimed, turn)
    return claimed


def answer_call(
    tenant: str, session: Object, call_id: str, turn_id: str, output: Object, headers: Mapping[str, str], param: str
) -> tuple[Object, bool]:
    """Record one function call's result on the waiting turn (its output item written from there); True when it was
    the last one the turn waited for."""
    turn = records.child(tenant, turns_collection(session["id"]), turn_id, "turn", f"{param}.turn_id")
    if turn["status"] != "waiting" or session.get("_active_turn") != turn_id:
        raise OpenAIError(
            409,
            f"Turn {turn_id} is not waiting for function results.",
            param=f"{param}.turn_id",
            code="turn_not_waiting",
        )
    if call_id not in {call["call_id"] for call in turn["_pending"]} or call_id in turn["_answered"]:
        raise OpenAIError(
            400,
            f"No pending function call found with call_id '{call_id}'.",
            param=f"{param}.call_id",
            code="invalid_value",
        )

    def change(obj: Object) -> Object:
        if obj["status"] != "waiting" or call_id in obj["_answered"]:
            raise OpenAIError(
                400,
                f"No pending function call found with call_id '{call_id}'.",
                param=f"{param}.call_id",
                code="invalid_value",
            )
        return _answered_with(obj, item, headers) | {"_answered": [*obj["_answered"], call_id]}

    item = {
        "id": ids.new_id("agent.session.item"),
        "type": "function_call_output",
        "turn_id": turn_id,
        **output,
        "_subagent_id": None,
    }
    updated = get_store().update(tenant, turns_collection(session["id"]), turn_id, change)
    assert updated is not None  # read above; turns are deleted only with their session
    _write_unwritten(tenant, session["id"], updated)
    return updated, _all_answered(updated)


def _answered_with(turn: Object, item: Object | None, headers: Mapping[str, str]) -> Object:
    """The turn with an answer's history item to write (if it has one) and the seed its continuation draws from."""
    unwritten = [*(turn.get("_unwritten") or []), *([item] if item is not None else [])]
    return {**turn, "_unwritten": unwritten, "_seed": headers.get(SEED_HEADER)}


def _write_unwritten(tenant: str, session_id: str, turn: Mapping[str, Any]) -> None:
    for item in turn.get("_unwritten") or []:
        records.write_once(tenant, items_collection(session_id), item)


def _check_login(request: Mapping[str, Any], answer: Answer, param: str) -> None:
    """A submitted login form: values for its own fields only (each once), every required one filled, an option
    only (and then one of them) when the form offers options, and all of it within the SDK's size bound."""
    known = {field["id"]: field for field in request["fields"]}
    filled: dict[str, str] = {}
    for index, (field_id, value) in enumerate(answer.fields):
        if field_id not in known or field_id in filled:
            reason = "is given twice" if field_id in filled else "is not a field of this login form"
            raise invalid_request(
                f"Invalid '{param}.fields[{index}].field_id': '{field_id}' {reason}.",
                f"{param}.fields[{index}].field_id",
                "invalid_value",
            )
        filled[field_id] = value
    missing = [field_id for field_id, field in known.items() if field["required"] and not filled.get(field_id)]
    if missing:
        names = ", ".join(f"'{field_id}'" for field_id in missing)
        raise invalid_request(
            f"Missing required value for field {names} of the login form.",
            f"{param}.fields",
            "missing_required_parameter",
        )
    options = [option["id"] for option in request["options"]]
    chosen = answer.selected_option
    if (chosen is None) != (not options) or (chosen is not None and chosen not in options):
        expected = (
            f"one of {', '.join(repr(option) for option in options)}"
            if options
            else "null (the form offers no options)"
        )
        raise invalid_request(
            f"Invalid '{param}.selected_option': expected {expected}.", f"{param}.selected_option", "invalid_value"
        )
    if len(json.dumps({"fields": filled, "selected_option": chosen})) > LOGIN_ANSWER_LIMIT:
        raise invalid_request(
            f"Invalid '{param}.fields': the submitted values exceed 120 KiB.",
            f"{param}.fields",
            "string_above_max_length",
        )


def _check_answer(asked: Mapping[str, Any], answer: Answer, request_id: str, param: str) -> None:
    kind = asked["request"]["type"]
    if kind != answer.kind:
        raise invalid_request(
            f"Invalid '{param}.type': request '{request_id}' is answered with '{kind}', not '{answer.kind}'.",
            f"{param}.type",
            "invalid_value",
        )
    if answer.decision == "submit":
        _check_login(asked["request"], answer, param)


def _login_result(asked: Mapping[str, Any], answer: Answer) -> Object:
    """The history record of the application's answer to a login form: what it did, never the values."""
    response: Object = {"action": answer.decision, "type": "browser_authentication"}
    if answer.decision == "submit":
        response = {"action": "submit", "selected_option": answer.selected_option, "type": "browser_authentication"}
    return {
        "id": ids.new_id("agent.session.item"),
        "type": "computer_use_approval_request_result",
        "request_id": asked["request_id"],
        "response": response,
        "turn_id": asked["turn_id"],
        "_subagent_id": None,
    }


def answer_approval(
    tenant: str, session: Object, request_id: str, answer: Answer, headers: Mapping[str, str], param: str
) -> tuple[Object, bool]:
    """Record the application's answer to a request the active turn waits on (an MCP call, the browser's access to
    an origin, a login form); True when the turn waits for nothing more. An unknown or answered request is 400
    naming `request_id`; an answer of another kind, or a login form filled wrong, 400 naming the response's field.
    A login form's answer is recorded in the history (`computer_use_approval_request_result`), its values dropped."""

    def unknown() -> OpenAIError:
        return OpenAIError(
            400,
            f"No pending approval request found with id '{request_id}'.",
            param=f"{param}.request_id",
            code="invalid_value",
        )

    turn_id = session.get("_active_turn")
    if session["status"] != "requires_action" or not turn_id:
        raise unknown()

    def change(obj: Object) -> Object:
        decided = obj.get("_decisions") or {}
        pending = {
            asked["request_id"]: asked for asked in obj.get("_approvals") or [] if asked["request_id"] not in decided
        }
        if obj["status"] != "waiting" or request_id not in pending:
            raise unknown()
        asked = pending[request_id]
        _check_answer(asked, answer, request_id, f"{param}.response")
        login = _login_result(asked, answer) if asked["request"]["type"] == "browser_authentication" else None
        return _answered_with(obj, login, headers) | {"_decisions": {**decided, request_id: answer.decision}}

    updated = get_store().update(tenant, turns_collection(session["id"]), turn_id, change)
    if updated is None:
        raise unknown()
    _write_unwritten(tenant, session["id"], updated)
    return updated, _all_answered(updated)


def continue_turn(tenant: str, session: Object, turn: Object) -> Object:
    """Every call answered: the turn's next phase, planned over the history with the results (written first, if
    their request stopped before), starts now, drawn with the seed of the last answer's request."""
    now = clock.now()
    following = {**turn, "_phase": turn["_phase"] + 1, "_start_at": now, "_finish_at": now + stage_seconds()}
    _write_unwritten(tenant, session["id"], turn)
    seeded = {SEED_HEADER: turn["_seed"]} if turn.get("_seed") else {}
    cache = plan(tenant, session, following, root_items(tenant, session["id"]), seeded)

    def change(obj: Object) -> Object:
        if obj["status"] != "waiting" or obj["_phase"] != turn["_phase"]:
            return obj  # another request continued it
        return {
            **obj,
            "status": "in_progress",
            "_phase": following["_phase"],
            "_start_at": now,
            "_finish_at": following["_finish_at"],
            "_outcome": following["_outcome"],
            "_pending": [],
            "_answered": [],
            "_approvals": [],
            "_decisions": {},
            "_reviewed": [*obj.get("_reviewed", []), *_decided(obj)],
            "_unwritten": [],
        }

    updated = get_store().update(tenant, turns_collection(session["id"]), turn["id"], change)
    assert updated is not None
    if updated["_phase"] == following["_phase"] and updated["_outcome"] == following["_outcome"]:
        prompt_cache.remember(tenant, cache)  # this request continued it
    return settle(tenant, session)


def cancel_turn(tenant: str, session: Object) -> Object:
    """End the active turn now: what its unfinished phase would have produced is abandoned."""
    session = settle(tenant, session)
    turn_id = session.get("_active_turn")
    if not turn_id:
        raise OpenAIError(
            409, f"Session {session['id']} has no active turn to cancel.", param="events", code="no_active_turn"
        )
    now = int(clock.now())

    def change(obj: Object) -> Object:
        if obj["status"] in TERMINAL:
            return obj
        return {
            **obj,
            "status": "cancelled",
            "completed_at": now,
            "_outcome": None,
            "usage": records.token_usage(obj["_usage"]),
        }

    turn = get_store().update(tenant, turns_collection(session["id"]), turn_id, change)
    if turn is None:
        raise records.not_found("turn", turn_id, "turn_id")
    traces.write_trace(tenant, turn)
    updated = get_store().update(tenant, records.SESSIONS, session["id"], lambda obj: session_after(obj, turn))
    if updated is None:
        raise records.not_found("session", session["id"], "session_id")
    _emit_transition(tenant, session, updated, turn)
    return updated


def fast_forward(tenant: str, session: Object) -> Object:
    """A streamed session's active turn runs while it is streamed: its current phase starts and ends now."""
    turn_id = session.get("_active_turn")
    if not turn_id:
        return session
    now = clock.now()

    def change(obj: Object) -> Object:
        if obj["status"] not in ("queued", "in_progress"):
            return obj
        return {**obj, "_start_at": min(obj["_start_at"], now), "_finish_at": min(obj["_finish_at"], now)}

    get_store().update(tenant, turns_collection(session["id"]), turn_id, change)
    return settle(tenant, session)

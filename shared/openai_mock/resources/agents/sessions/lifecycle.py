"""Sessions: creation (the agent resolved, the environment provisioned, the first turn started), retrieval and
listing (each settled by the clock first), updates, deletion, and the input events that drive turns."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from openai_mock import clock, ids
from openai_mock.checks import check_metadata
from openai_mock.errors import OpenAIError, invalid_request, naming
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.agents import definitions
from openai_mock.resources.organization.core import project_of, public
from openai_mock.store import get_blobs, get_store
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

from . import params, records, turns, webhooks
from .records import SESSIONS


@contextlib.contextmanager
def _under(prefix: str) -> Iterator[None]:
    """Errors of a shared resolver (the saved agents', the environments') named where the session's body has it."""
    try:
        yield
    except OpenAIError as error:
        if error.param and not error.param.startswith(prefix):
            error.param = f"{prefix}{error.param}"
        raise


# ------------------------------------------------------------------------------------------------- the agent


def _saved_agent(principal: Principal, agent_id: str) -> Object:
    with _under(""):
        saved = definitions.stored_agent(principal, agent_id)
    requested = {key: value for key, value in saved["reasoning"].items() if value is not None}
    return {**saved, "_reasoning": requested}


_AGENT_KEYS = (
    "id",
    "instructions",
    "model",
    "multi_agent",
    "name",
    "reasoning",
    "service_tier",
    "text",
    "tools",
    "compaction",
    "experimental",
)


def _agent_view(resolved: Mapping[str, Any]) -> Object:
    return {key: resolved[key] for key in _AGENT_KEYS}


def _resolve_agent(principal: Principal, body: params.CreateSession) -> tuple[Object, dict[str, Any]]:
    """The session's agent: the saved one (`agent_id`) with `agent`'s fields over it, or `agent` alone (whose
    `model` is then required), each default filled in as the saved agents fill them. And the reasoning request
    kept to resolve again when an update changes the model."""
    sent = params.sent_fields(body.agent) if body.agent is not None else {}
    if body.agent_id is not None:
        base = _saved_agent(principal, body.agent_id)
    elif sent.get("model") is None:
        raise invalid_request(
            "Missing required parameter: 'agent.model' (or name a saved agent with 'agent_id').",
            "agent.model",
            "missing_required_parameter",
        )
    else:
        base = {"id": ids.new_id("agent"), **definitions.settings_of_new_agent(sent["model"])}
    with _under("agent."):
        resolved = definitions.applied(principal, base, _agent_params(sent))
    return _agent_view(resolved), resolved["_reasoning"]


def _agent_params(sent: dict[str, Any]) -> definitions.AgentUpdateParams:
    """What the session's body sets of the agent, as the saved agents' update reads it (the same field models)."""
    return definitions.AgentUpdateParams.model_construct(_fields_set=set(sent), **sent)


# ------------------------------------------------------------------------------------------------- the environment


def _environment(principal: Principal, body: params.CreateSession) -> Object:
    """The session's environment (the SDK's `Environment`): provisioned by the environments layer."""
    from openai_mock.resources.agents import environments

    provisioned = environments.provision(principal, body.environment, body.vault_ids, param="environment")
    if provisioned is None:
        _check_vaults(principal, body.vault_ids or [])  # provisioning checks them for a real environment only
        return {"type": "none"}
    return environments.session_environment(principal, provisioned["id"])  # type: ignore[no-any-return]


def _check_vaults(principal: Principal, vault_ids: list[str]) -> None:
    from openai_mock.resources.agents import vaults

    for index, vault_id in enumerate(vault_ids):
        with naming(f"vault_ids[{index}]"):
            vaults.stored_vault(principal, vault_id)


# ------------------------------------------------------------------------------------------------- views


def view(session: Mapping[str, Any]) -> Object:
    """The SDK's `AgentSession`: `review` shown only when automatic review is on, as the API omits it."""
    shown = public(dict(session))
    if shown.get("review") != "auto_review":
        shown.pop("review", None)
    return shown


def _check_computer_use(agent: Mapping[str, Any], environment_type: Any, tools_sent: bool) -> None:
    """Computer use is a browser in an OpenAI-hosted environment: an agent with it needs one (400 naming the tool the
    body sent, or the environment when the tool is the saved agent's)."""
    for index, tool in enumerate(agent["tools"]):
        if tool["type"] == "computer_use" and environment_type != "openai_hosted":
            param = f"agent.tools[{index}]" if tools_sent else "environment.type"
            raise invalid_request(
                f"Invalid '{param}': computer_use is only available in an 'openai_hosted' environment.",
                param,
                "invalid_value",
            )


def _messages(body: params.CreateSession) -> list[Object]:
    if isinstance(body.input, str):
        return [{"role": "user", "content": [{"type": "input_text", "text": body.input}]}]
    return [params.message_of(message) for message in body.input or []]


def _cache_options(options: params.PromptCacheOptions | None) -> Object | None:
    return None if options is None else {"ttl": options.ttl}


def _check_create(body: params.CreateSession) -> None:
    kind = body.environment.get("type")
    if body.stream_options is not None and body.stream is not True:
        raise invalid_request(
            "Invalid 'stream_options': only allowed when 'stream' is true.", "stream_options", "invalid_value"
        )
    needs_input = kind == "none" or (body.stream is True and kind != "self_hosted")
    if needs_input and not body.input:
        reason = "the environment type is 'none'" if kind == "none" else "the session is streamed"
        raise invalid_request(
            f"Missing required parameter: 'input' (required when {reason}).", "input", "missing_required_parameter"
        )
    if body.input == "":
        raise invalid_request(
            "Invalid 'input': string too short. Expected at least 1 character.", "input", "string_below_min_length"
        )
    check_metadata(body.metadata)


# ------------------------------------------------------------------------------------------------- operations


def create(principal: Principal, body: params.CreateSession, headers: Mapping[str, str]) -> Object:
    """A new session (and its first turn when it has input); the stored session."""
    _check_create(body)
    agent, reasoning_request = _resolve_agent(principal, body)
    tools_sent = body.agent is not None and "tools" in body.agent.model_fields_set
    _check_computer_use(agent, body.environment.get("type"), tools_sent)
    with _under(""):
        environment = _environment(principal, body)
    now = int(clock.now())
    session: Object = {
        "id": ids.new_id("agent.session"),
        "object": "agent.session",
        "created_at": now,
        "last_active_at": now,
        "agent": agent,
        "environment": environment,
        "error": None,
        "metadata": dict(body.metadata or {}),
        "required_actions": [],
        "spend_control": {"limit": body.spend_control.limit if body.spend_control else None, "consumed": 0},
        "status": "idle",
        "usage": None,
        "vault_ids": list(body.vault_ids or []),
        "prompt_cache_options": _cache_options(body.prompt_cache_options),
        "review": body.review or "none",
        "_project_id": project_of(principal),
        "_api_key_id": principal.api_key_id,
        "_reasoning_request": reasoning_request,
        "_active_turn": None,
        "_usage": dict(turns.ZERO),
        "_spent_usd": 0.0,
    }
    get_store().create(principal.tenant, SESSIONS, session)
    key = f"{session['id']}#created"
    if records.first_time(principal.tenant, key):
        webhooks.emit(principal.tenant, "agent.session.created", session, at=now, key=key)
    if body.input:
        session = turns.start_turn(
            principal.tenant, session, _messages(body), stream=bool(body.stream), headers=headers, param="input"
        )
        session = turns.settle(principal.tenant, session)
    return session


def start_session(principal: Principal, sent: dict[str, Any]) -> dict[str, Any]:
    """A session started by another layer (an automation's delivery): `sent` is a create body as the SDK sends it
    (not streamed), read by the same request model; the session as the API shows it."""
    from pydantic import ValidationError

    from openai_mock.errors import from_validation_errors

    try:
        body = params.CreateSession.model_validate(sent)
    except ValidationError as error:
        raise from_validation_errors(list(error.errors())) from None
    if body.stream:
        raise invalid_request("A session started this way is not streamed.", "stream", "invalid_value")
    return view(create(principal, body, {}))


def current(principal: Principal, session_id: str) -> Object:
    """The stored session, settled by the clock."""
    return turns.settle(principal.tenant, records.stored_session(principal, session_id))


def retrieve(principal: Principal, session_id: str) -> Object:
    return view(current(principal, session_id))


def list_sessions(
    principal: Principal, page: ListParams, agent_id: str | None, metadata: dict[str, str]
) -> dict[str, Any]:
    if len(metadata) > 16:
        raise invalid_request("Invalid 'metadata': at most 16 filters.", "metadata", "object_above_max_properties")
    project = project_of(principal)

    def kept(session: Object) -> bool:
        return (
            session["_project_id"] == project
            and (agent_id is None or session["agent"]["id"] == agent_id)
            and all(session["metadata"].get(key) == value for key, value in metadata.items())
        )

    found = get_store().list(
        principal.tenant, SESSIONS, limit=page.limit, order=page.order, after=page.after, where=kept
    )
    settled = [turns.settle(principal.tenant, session) for session in found.items]
    return list_object(found._replace(items=settled), view=view)


def _agent_update(session: Object, body: params.UpdateSession, principal: Principal) -> Object:
    """The session's agent with the update's model settings and tools (an effort keeps the summary asked for)."""
    assert body.agent is not None
    given = params.sent_fields(body.agent)
    base = {**session["agent"], "metadata": {}, "_reasoning": dict(session["_reasoning_request"])}
    if "reasoning" in given:  # a null effort resets it to the model's default; the summary asked for stays
        effort = given["reasoning"].effort if given["reasoning"] is not None else None
        kept = {key: value for key, value in base["_reasoning"].items() if key != "effort"}
        given["reasoning"] = definitions.ReasoningParams(**({**kept, "effort": effort} if effort else kept))
    with _under("agent."):
        resolved = definitions.applied(principal, base, _agent_params(given))
    return {**session, "agent": _agent_view(resolved), "_reasoning_request": resolved["_reasoning"]}


def _spend_update(session: Object, limit: int | None) -> Object:
    """A new limit (or none): spend stays; a session paused at its limit runs again when the limit is above it."""
    consumed = session["spend_control"]["consumed"]
    changed = {**session, "spend_control": {"limit": limit, "consumed": consumed}}
    if session["status"] == "budget_reached" and (limit is None or consumed < limit):
        changed["status"] = "idle"
    return changed


def update(principal: Principal, session_id: str, body: params.UpdateSession) -> Object:
    session = current(principal, session_id)
    given = body.model_fields_set
    if "metadata" in given:
        check_metadata(body.metadata)
    if body.vault_ids:
        _check_vaults(principal, body.vault_ids)
    # Resolved once against the session as read (model checks may read the store): the change below only sets it.
    agent_update = _agent_update(session, body, principal) if body.agent is not None else None
    if agent_update is not None:
        _check_computer_use(agent_update["agent"], session["environment"]["type"], tools_sent=True)

    def change(stored: Object) -> Object:
        changed = dict(stored)
        if agent_update is not None:
            changed.update(agent=agent_update["agent"], _reasoning_request=agent_update["_reasoning_request"])
        if "metadata" in given:
            changed["metadata"] = dict(body.metadata or {})
        if "vault_ids" in given:
            changed["vault_ids"] = list(body.vault_ids or [])
        if "prompt_cache_options" in given:
            changed["prompt_cache_options"] = _cache_options(body.prompt_cache_options)
        if "review" in given and body.review is not None:
            changed["review"] = body.review
        if "spend_control" in given:
            changed = _spend_update(changed, body.spend_control.limit if body.spend_control else None)
        return changed

    updated = get_store().update(principal.tenant, SESSIONS, session_id, change)
    if updated is None:
        raise records.not_found("session", session_id, "session_id")
    return view(updated)


def delete(principal: Principal, session_id: str) -> Object:
    """Remove a session and everything under it; a turn still running must be cancelled first (409), one waiting
    for input is cancelled by the deletion."""
    session = current(principal, session_id)
    if session["status"] == "in_progress":
        raise OpenAIError(
            409,
            f"Session {session_id} has a running turn: cancel it (an `agent.session.input.cancel` event) first.",
            param="session_id",
            code="session_in_progress",
        )
    if session.get("_active_turn"):
        session = turns.cancel_turn(principal.tenant, session)
    tenant, store = principal.tenant, get_store()
    for artifact in store.list(tenant, records.artifacts_collection(session_id), limit=1_000_000).items:
        get_blobs().delete(tenant, artifact["_blob_key"])
    for collection in records.children(session_id):
        store.delete_collection(tenant, collection)
    store.delete(tenant, SESSIONS, session_id)
    return {"id": session_id, "object": "agent.session.deleted", "deleted": True}


# ------------------------------------------------------------------------------------------------- input events


def _tool_output(event: params.ToolResultEvent) -> Object:
    """The output item's fields."""
    if event.success:
        output = event.output if isinstance(event.output, str | None) else params.content_of(event.output)
        return {
            "call_id": event.call_id,
            "status": "completed",
            "output": output if output is not None else "",
            "error": None,
        }
    return {
        "call_id": event.call_id,
        "status": "failed",
        "output": None,
        "error": event.error or "The function call failed.",
    }


def send_input(
    principal: Principal, session_id: str, messages: list[Object], headers: Mapping[str, str] | None = None
) -> Object:
    """Start a turn with user messages (as `agent.session.input.message` carries them) on an idle session."""
    session = current(principal, session_id)
    checked = [params.message_of(params.InputMessage.model_validate(message)) for message in messages]
    started = turns.start_turn(principal.tenant, session, checked, stream=False, headers=headers or {}, param="events")
    return turns.settle(principal.tenant, started)


def _computer_use_answer(response: params.ComputerUseResponse, param: str) -> turns.Answer:
    """The turn's view of a computer-use answer: the origin access decision, or what was done with a login form
    (`submit` carries its values, which only the checks read)."""
    if isinstance(response, params.OriginAccessDecision):
        return turns.Answer(response.type, response.decision)
    if response.action == "cancel":
        if response.fields is not None or response.selected_option is not None:
            raise invalid_request(
                f"Invalid '{param}.fields': a cancelled login takes no values.", f"{param}.fields", "invalid_value"
            )
        return turns.Answer(response.type, "cancel")
    if response.fields is None:
        raise invalid_request(
            f"Missing required parameter: '{param}.fields'.", f"{param}.fields", "missing_required_parameter"
        )
    fields = tuple((field.field_id, field.value) for field in response.fields)
    return turns.Answer(response.type, "submit", fields, response.selected_option)


def create_events(principal: Principal, session_id: str, body: params.CreateEvents, headers: Mapping[str, str]) -> None:
    """Apply the input events in order: a message starts a turn, a cancel ends the active one, a tool result
    answers a call the turn waits for, an approval result answers a request the turn made (an MCP call to approve,
    the browser's access to an origin, a login form): the last answer continues the turn."""
    tenant = principal.tenant
    for index, event in enumerate(body.events):
        session = current(principal, session_id)
        param = f"events[{index}]"
        if isinstance(event, params.MessageEvent):
            messages = [params.message_of(message) for message in event.input]
            turns.settle(
                tenant, turns.start_turn(tenant, session, messages, stream=False, headers=headers, param=param)
            )
        elif isinstance(event, params.CancelEvent):
            turns.cancel_turn(tenant, session)
        elif isinstance(event, params.ToolResultEvent):
            if session["status"] != "requires_action":
                raise OpenAIError(
                    409,
                    f"Session {session_id} is not waiting for function results.",
                    param=f"{param}.turn_id",
                    code="session_not_waiting",
                )
            output = _tool_output(event)
            turn, last = turns.answer_call(tenant, session, event.call_id, event.turn_id, output, headers, param)
            if last:
                turns.continue_turn(tenant, session, turn)
        else:
            if isinstance(event, params.McpApprovalEvent):
                answer = turns.Answer(event.response.type, event.response.decision)
            else:
                answer = _computer_use_answer(event.response, f"{param}.response")
            turn, last = turns.answer_approval(tenant, session, event.request_id, answer, headers, param)
            if last:
                turns.continue_turn(tenant, session, turn)

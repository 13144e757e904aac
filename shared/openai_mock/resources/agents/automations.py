"""Agent automations (docs/agent-automations.md): saved schedules that deliver work to agent sessions —
`client.beta.agents.automations.*` and `….automations.invocations.*`, operations the API gained after the
2026-08-21 spec, served as the official SDK calls them.

An automation is `periodic` (a five-field cron expression read in an IANA timezone) or `once` (a `run_at`). Its
target is a `new_session` (each delivery starts a session from the saved agent, environment and input) or an
`existing_session` (each delivery sends the saved instructions to that session as a user message).

There is no background process: fires are materialised by the mock clock whenever an automation or its
invocations are read or listed. Each fire's invocation has a deterministic id (`ids.stable_id` of the automation
and the fire time) and is created conditionally, so containers reading at once record one invocation and deliver
it once; the container whose create wins delivers. After a long clock jump only the fires of the last
`CATCH_UP_SECONDS` are looked at, and of those the `MAX_CATCH_UP_FIRES` latest become invocations."""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from openai_mock import clock, ids
from openai_mock.checks import check_metadata
from openai_mock.errors import (
    OpenAIError,
    from_validation_errors,
    invalid_request,
    missing_parameter,
    naming,
    not_found,
)
from openai_mock.fields import Integer, RequestModel, Text
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization.core import project_of
from openai_mock.store import ConflictError, get_store
from openai_mock.web.auth import Principal

AUTOMATIONS = "agent.automation"
INVOCATIONS = "agent.automation.invocation"  # one collection per automation: f"{INVOCATIONS}/{automation_id}"

CATCH_UP_SECONDS = 7 * 86_400  # a read after a longer clock jump looks at the last week of fires only
MAX_CATCH_UP_FIRES = 10  # …and turns at most this many of them (the latest) into invocations
NAME_LENGTH = 256
INSTRUCTIONS_LENGTH = 32_768
MAX_INPUT_MESSAGES = 100
BUSY_SESSION_STATUSES = ("in_progress", "requires_action")  # a delivery to such a session waits
DEAD_SESSION_STATUSES = ("failed", "budget_reached")  # a delivery to such a session fails


# --- cron ---------------------------------------------------------------------------------------------------------


def next_fire(expression: str, zone: ZoneInfo, after: int) -> int | None:
    """The first occurrence of a cron expression strictly after `after` (epoch seconds), read in `zone`; None if
    it never comes. cronsim reads the expression as Debian's cron does, daylight-saving changes included."""
    return next((int(at.timestamp()) for at in CronSim(expression, datetime.fromtimestamp(after, zone))), None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_request(
            f"Invalid 'timezone': '{name}' is not an IANA timezone.", "timezone", "invalid_value"
        ) from None


def _checked_schedule(expression: str, timezone: str) -> tuple[str, ZoneInfo]:
    try:
        CronSim(expression, datetime.now())
    except CronSimError as error:
        raise invalid_request(f"Invalid 'expression': {error}.", "expression", "invalid_value") from None
    zone = _zone(timezone)
    if next_fire(expression, zone, clock.now_seconds()) is None:
        raise invalid_request(f"Invalid 'expression': '{expression}' never occurs.", "expression", "invalid_value")
    return expression, zone


# --- what a request may send ----------------------------------------------------------------------------------------
# Types are the models' (strict, `extra="forbid"`: an unknown field is a 400 naming it); what depends on `type`
# (the automation's or the target's) is checked below, so that errors name `target.session_id`, not a union member.


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


_Name = Annotated[Text, Field(min_length=1, max_length=NAME_LENGTH)]
_Metadata = dict[Text, Text]


class TargetParams(_Fields):
    """Both target types' fields: `new_session` takes environment, input, agent or agent_id, metadata and
    vault_ids; `existing_session` takes session_id and instructions."""

    type: Literal["new_session", "existing_session"]
    environment: dict[str, Any] | None = None
    input: Annotated[list[dict[str, Any]], Field(max_length=MAX_INPUT_MESSAGES)] | None = None
    agent: dict[str, Any] | None = None
    agent_id: Annotated[Text, Field(min_length=1)] | None = None
    metadata: _Metadata | None = None
    vault_ids: list[Text] | None = None
    session_id: Annotated[Text, Field(min_length=1)] | None = None
    instructions: Annotated[Text, Field(min_length=1, max_length=INSTRUCTIONS_LENGTH)] | None = None


class AutomationCreateParams(_Fields):
    type: Literal["periodic", "once"]
    name: _Name
    target: TargetParams
    metadata: _Metadata | None = None
    expression: Text | None = None
    timezone: Text | None = None
    run_at: Integer | None = None


class AutomationUpdateParams(_Fields):
    name: _Name | None = None
    target: TargetParams | None = None
    metadata: _Metadata | None = None
    expression: Text | None = None
    timezone: Text | None = None
    run_at: Integer | None = None


_TYPE_FIELDS = {"periodic": ("expression", "timezone"), "once": ("run_at",)}
_TARGET_FIELDS = {
    "new_session": (("environment", "input"), ("agent", "agent_id", "metadata", "vault_ids")),
    "existing_session": (("session_id", "instructions"), ()),
}


def _foreign(param: str, owner: str) -> OpenAIError:
    return invalid_request(
        f"Unrecognized request argument supplied: {param} (not a field of {owner}).", param, "unknown_parameter"
    )


def _sent(model: RequestModel) -> set[str]:
    """The fields a body carries (a null is no value)."""
    return {name for name in model.model_fields_set if getattr(model, name) is not None}


def _check_type_fields(kind: str, sent: set[str], *, required: bool) -> None:
    for other, fields in _TYPE_FIELDS.items():
        for field in fields:
            if other != kind and field in sent:
                raise _foreign(field, f"a {kind} automation")
            if other == kind and required and field not in sent:
                raise missing_parameter(field)


def _future(run_at: int) -> int:
    if run_at <= clock.now_seconds():
        raise invalid_request(
            f"Invalid 'run_at': {run_at} is not in the future (now is {clock.now_seconds()}).", "run_at",
            "invalid_value",
        )  # fmt: skip
    return run_at


# --- targets ----------------------------------------------------------------------------------------------------


def _target(principal: Principal, sent: TargetParams) -> dict[str, Any]:
    """The target as stored: what was sent, checked (confidential parts kept, to start sessions with)."""
    present = _sent(sent)
    required, optional = _TARGET_FIELDS[sent.type]
    foreign = sorted(present - {"type", *required, *optional})
    if foreign:
        raise _foreign(f"target.{foreign[0]}", f"a {sent.type} target")
    for field in required:
        if field not in present:
            raise missing_parameter(f"target.{field}")
    if sent.type == "existing_session":
        assert sent.session_id is not None and sent.instructions is not None
        _session_of(principal, sent.session_id, "target.session_id")
        return {"type": "existing_session", "session_id": sent.session_id, "instructions": sent.instructions}
    if ("agent" in present) == ("agent_id" in present):
        raise invalid_request(
            "Provide exactly one of 'target.agent' and 'target.agent_id'.", "target.agent", "invalid_value"
        )
    target = sent.model_dump(include=present)
    _check_session_body(target)
    if not target["input"]:
        raise invalid_request(
            "Invalid 'target.input': an automation delivers at least one message.", "target.input", "empty_array"
        )
    target["input"] = [{"type": "message", **message} for message in target["input"]]
    if sent.agent is not None and not sent.agent.get("model"):
        raise missing_parameter("target.agent.model")
    with naming("target.metadata"):
        check_metadata(sent.metadata)
    _check_references(principal, target)
    return target


def _session_body(target: dict[str, Any]) -> dict[str, Any]:
    """The body of the session a `new_session` delivery starts (as the SDK sends `sessions.create`)."""
    return {key: target[key] for key in ("agent", "agent_id", "environment", "input", "metadata", "vault_ids")
            if target.get(key) is not None}  # fmt: skip


def _check_session_body(target: dict[str, Any]) -> None:
    """The target's session body read by the sessions layer's own request model (agent, input) and the
    environments layer's (environment): errors located under `target`. The messages first, on their own: a
    session's `input` is a string or messages, and that union's error would name `target.input`, not the message."""
    from openai_mock.resources.agents.environments import SessionEnvironment
    from openai_mock.resources.agents.sessions.params import CreateSession, InputMessage

    _located(("target", "input"), lambda: TypeAdapter(list[InputMessage]).validate_python(target["input"]))
    _located(("target",), lambda: CreateSession.model_validate(_session_body(target)))
    _located(("target", "environment"), lambda: TypeAdapter(SessionEnvironment).validate_python(target["environment"]))


def _located(under: tuple[str, ...], validate: Callable[[], object]) -> None:
    try:
        validate()
    except ValidationError as error:
        located = [{**detail, "loc": (*under, *detail["loc"])} for detail in error.errors()]
        raise from_validation_errors(located) from None


def _check_references(principal: Principal, target: dict[str, Any]) -> None:
    """The saved agent or the inline agent's model, and the vaults a new session would use: the caller's
    project's, or served (404 naming them)."""
    from openai_mock.resources import models
    from openai_mock.resources.agents import definitions, vaults

    if target.get("agent") is not None:
        with naming("target.agent.model"):
            models.serving_spec(principal.tenant, target["agent"]["model"])

    if target.get("agent_id") is not None:
        with naming("target.agent_id"):
            definitions.stored_agent(principal, target["agent_id"])
    for index, vault_id in enumerate(target.get("vault_ids") or ()):
        with naming(f"target.vault_ids[{index}]"):
            vaults.stored_vault(principal, vault_id)


def _session_of(principal: Principal, session_id: str, param: str) -> dict[str, Any]:
    """The caller's project's session as the API shows it, settled by the clock (404 naming `param`)."""
    from openai_mock.resources.agents import sessions

    return sessions.stored_session(principal, session_id, param=param)


# --- views ------------------------------------------------------------------------------------------------------


def _agent_view(agent: dict[str, Any]) -> dict[str, Any]:
    """An inline agent as the API shows it: the effective settings, each default filled in."""
    multi_agent = agent.get("multi_agent") or {}
    enabled = bool(multi_agent.get("enabled", False))
    reasoning = agent.get("reasoning") or {}
    text = agent.get("text") or {}
    view: dict[str, Any] = {
        "instructions": agent.get("instructions"),
        "model": agent.get("model", ""),
        "multi_agent": {
            "enabled": enabled,
            "max_concurrent_subagents": multi_agent.get("max_concurrent_subagents", 6) if enabled else None,
        },
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "service_tier": agent.get("service_tier") or "auto",
        "text": {"format": text.get("format") or {"type": "text"}, "verbosity": text.get("verbosity") or "medium"},
        "tools": list(agent.get("tools") or ()),
        "compaction": {"async": False},
        "experimental": {"time_awareness": bool((agent.get("experimental") or {}).get("time_awareness", False))},
    }
    return view


def _decoded_size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=True))
    except (ValueError, binascii.Error):
        return len(data)


def _environment_view(environment: dict[str, Any]) -> dict[str, Any]:
    """The environment selection without its confidential parts (variables, setup commands, file contents)."""
    kind = environment.get("type")
    if kind == "self_hosted":
        return {
            "type": "self_hosted",
            "capability_directories": list(environment.get("capability_directories") or ()),
            "environment_id": environment.get("environment_id"),
            "workspace_directory": environment.get("workspace_directory", ""),
        }
    if kind != "openai_hosted":
        return {"type": "none"}
    network = environment.get("network")
    packages = environment.get("packages")
    files = environment.get("files")
    skills = environment.get("skills")
    plugins = environment.get("plugins")
    return {
        "type": "openai_hosted",
        "capability_directories": environment.get("capability_directories"),
        "container_size": environment.get("container_size"),
        "desktop": {"enabled": bool(environment["desktop"].get("enabled"))} if environment.get("desktop") else None,
        "environment_id": environment.get("environment_id"),
        "environment_template_id": environment.get("environment_template_id"),
        "files": None if files is None else [
            {"type": "file_id", "file_id": file.get("file_id"), "path": file.get("path")}
            if file.get("type") == "file_id"
            else {"type": "inline", "path": file.get("path"), "size_bytes": _decoded_size(file.get("data", ""))}
            for file in files
        ],
        "network": None if network is None else {
            "access": network.get("access"), "allowed_domains": list(network.get("allowed_domains") or ())
        },
        "packages": None if packages is None else {
            manager: list(packages.get(manager) or ()) for manager in ("npm", "python", "system")
        },
        "plugins": None if plugins is None else [
            {"type": "inline", "name": plugin.get("name", ""), "description": plugin.get("description", "")}
            for plugin in plugins
        ],
        "skills": None if skills is None else [
            {"type": "skill_reference", "skill_id": skill.get("skill_id"), "version": skill.get("version")}
            if skill.get("type") == "skill_reference"
            else {"type": "inline", "name": skill.get("name", ""), "description": skill.get("description", "")}
            for skill in skills
        ],
    }  # fmt: skip


def _target_view(target: dict[str, Any]) -> dict[str, Any]:
    if target["type"] == "existing_session":
        return dict(target)
    agent = target.get("agent")
    return {
        "type": "new_session",
        "agent": None if agent is None else _agent_view(agent),
        "agent_id": target.get("agent_id"),
        "environment": _environment_view(target["environment"]),
        "input": target["input"],
        "metadata": dict(target.get("metadata") or {}),
        "vault_ids": list(target.get("vault_ids") or ()),
    }


def _view(automation: dict[str, Any]) -> dict[str, Any]:
    view = {key: value for key, value in automation.items() if not key.startswith("_")}
    view["target"] = _target_view(automation["_target"])
    return view


def _invocation_view(invocation: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in invocation.items() if not key.startswith("_")}


# --- automations ------------------------------------------------------------------------------------------------


def _stored(principal: Principal, automation_id: str) -> dict[str, Any]:
    automation = get_store().get(principal.tenant, AUTOMATIONS, automation_id)
    if automation is None or automation["_project_id"] != project_of(principal):
        raise not_found("Automation", automation_id, "automation_id")
    return automation


def _first_fire(automation: dict[str, Any], after: int) -> int | None:
    """The automation's first scheduled occurrence after `after`."""
    if automation["type"] == "once":
        run_at: int = automation["run_at"]
        return run_at if run_at > after else None
    return next_fire(automation["expression"], ZoneInfo(automation["timezone"]), after)


def create(principal: Principal, sent: AutomationCreateParams) -> dict[str, Any]:
    present = _sent(sent)
    _check_type_fields(sent.type, present, required=True)
    check_metadata(sent.metadata)
    now = clock.now_seconds()
    automation: dict[str, Any] = {
        "id": ids.new_id(AUTOMATIONS),
        "object": "agent.automation",
        "type": sent.type,
        "name": sent.name,
        "created_at": now,
        "created_by": {"type": "developer"},
        "metadata": dict(sent.metadata or {}),
        "status": "active",
        "pause_reason": None,
    }
    if sent.type == "periodic":
        assert sent.expression is not None and sent.timezone is not None
        _checked_schedule(sent.expression, sent.timezone)
        automation.update(expression=sent.expression, timezone=sent.timezone)
    else:
        assert sent.run_at is not None
        automation["run_at"] = _future(sent.run_at)
    automation.update(_target=_target(principal, sent.target), _project_id=project_of(principal))
    automation["_next_at"] = _first_fire(automation, now)
    get_store().create(principal.tenant, AUTOMATIONS, automation)
    return _view(automation)


def retrieve(principal: Principal, automation_id: str) -> dict[str, Any]:
    return _view(catch_up(principal, _stored(principal, automation_id)))


def list_automations(principal: Principal, params: ListParams, session_id: str | None = None) -> dict[str, Any]:
    project = project_of(principal)

    def kept(automation: dict[str, Any]) -> bool:
        if automation["_project_id"] != project:
            return False
        if session_id is None:
            return True
        target, creator = automation["_target"], automation["created_by"]
        return target.get("session_id") == session_id or creator.get("session_id") == session_id

    page = get_store().list(principal.tenant, AUTOMATIONS, limit=params.limit, order=params.order,
                            after=params.after, before=params.before, where=kept)  # fmt: skip
    return list_object(page, view=lambda automation: _view(catch_up(principal, automation)))


def update(principal: Principal, automation_id: str, sent: AutomationUpdateParams) -> dict[str, Any]:
    current = catch_up(principal, _stored(principal, automation_id))
    present = _sent(sent)
    _check_type_fields(current["type"], present, required=False)
    check_metadata(sent.metadata)
    changes: dict[str, Any] = {key: getattr(sent, key) for key in ("name", "metadata") if key in present}
    if sent.target is not None:
        if sent.target.type != current["_target"]["type"]:
            raise invalid_request(
                f"Invalid 'target.type': an automation's target stays a {current['_target']['type']} target.",
                "target.type",
                "invalid_value",
            )
        changes["_target"] = _target(principal, sent.target)
    now = clock.now_seconds()
    if present & {"expression", "timezone"}:
        expression = sent.expression or current["expression"]
        timezone = sent.timezone or current["timezone"]
        _, zone = _checked_schedule(expression, timezone)
        changes.update(expression=expression, timezone=timezone, _next_at=next_fire(expression, zone, now))
    if sent.run_at is not None:
        if current["status"] == "completed" or _has_scheduled_invocation(principal.tenant, automation_id):
            raise invalid_request(
                "Invalid 'run_at': this one-time automation has already been invoked on schedule.", "run_at",
                "invalid_state",
            )  # fmt: skip
        changes.update(run_at=_future(sent.run_at), _next_at=sent.run_at)

    def apply(stored: dict[str, Any]) -> dict[str, Any]:
        return {**stored, **changes}

    updated = get_store().update(principal.tenant, AUTOMATIONS, automation_id, apply)
    if updated is None:
        raise not_found("Automation", automation_id, "automation_id")
    return _view(updated)


def delete(principal: Principal, automation_id: str) -> dict[str, Any]:
    _stored(principal, automation_id)
    store = get_store()
    store.delete(principal.tenant, AUTOMATIONS, automation_id)
    store.delete_collection(principal.tenant, f"{INVOCATIONS}/{automation_id}")
    return {"id": automation_id, "object": "agent.automation.deleted", "deleted": True}


def pause(principal: Principal, automation_id: str) -> dict[str, Any]:
    current = catch_up(principal, _stored(principal, automation_id))
    if current["status"] == "completed":
        raise invalid_request(
            f"Automation '{automation_id}' has completed its schedule: there is nothing to pause.", "automation_id",
            "invalid_state",
        )  # fmt: skip
    return _view(_set_status(principal.tenant, automation_id, "paused", None, None))


def resume(principal: Principal, automation_id: str) -> dict[str, Any]:
    """From now on: the fires a pause skipped are not made up for."""
    current = catch_up(principal, _stored(principal, automation_id))
    if current["status"] == "active":
        return _view(current)
    if current["status"] == "completed":
        raise invalid_request(
            f"Automation '{automation_id}' has completed its schedule: give it a new schedule by creating another.",
            "automation_id",
            "invalid_state",
        )
    now = clock.now_seconds()
    next_at = _first_fire(current, now)
    if next_at is None:  # a one-time automation whose run_at passed while it was paused
        raise invalid_request(
            f"Automation '{automation_id}' runs at {current['run_at']}, which has passed: update 'run_at' to a "
            "future time before resuming it.",
            "run_at",
            "invalid_state",
        )
    return _view(_set_status(principal.tenant, automation_id, "active", None, next_at))


def _set_status(
    tenant: str, automation_id: str, status: str, pause_reason: str | None, next_at: int | None
) -> dict[str, Any]:
    def apply(stored: dict[str, Any]) -> dict[str, Any]:
        return {**stored, "status": status, "pause_reason": pause_reason, "_next_at": next_at}

    updated = get_store().update(tenant, AUTOMATIONS, automation_id, apply)
    if updated is None:
        raise not_found("Automation", automation_id, "automation_id")
    return updated


# --- fires ------------------------------------------------------------------------------------------------------


def _due_fires(automation: dict[str, Any], now: int) -> tuple[list[int], int | None]:
    """The fires due by `now` (at most MAX_CATCH_UP_FIRES, the latest, within CATCH_UP_SECONDS) and the next one."""
    due: int = automation["_next_at"]
    if automation["type"] == "once":
        return [due], None
    expression, zone = automation["expression"], ZoneInfo(automation["timezone"])
    at: int | None = due if due >= now - CATCH_UP_SECONDS else next_fire(expression, zone, now - CATCH_UP_SECONDS - 1)
    fires: deque[int] = deque(maxlen=MAX_CATCH_UP_FIRES)
    while at is not None and at <= now:
        fires.append(at)
        at = next_fire(expression, zone, at)
    return list(fires), at


def catch_up(principal: Principal, automation: dict[str, Any]) -> dict[str, Any]:
    """The automation once the clock has been caught up with: deliveries that waited for a busy session tried
    again (first: they were due before any new fire), then each fire passed recorded as an invocation (delivered
    by the container that recorded it), a one-time automation that fired completed."""
    if _retry_queued(principal, automation):
        automation = get_store().get(principal.tenant, AUTOMATIONS, automation["id"]) or automation
    now = clock.now_seconds()
    due = automation.get("_next_at")
    if automation["status"] == "active" and due is not None and due <= now:
        fires, following = _due_fires(automation, now)
        for at in fires:
            if not _fire(principal, automation, at):
                break  # its target session failed: the automation is paused
        automation = _advance(principal.tenant, automation, due, following) or automation
    return automation


def _advance(tenant: str, automation: dict[str, Any], due: int, following: int | None) -> dict[str, Any] | None:
    """Move the schedule past `due` (a container that already moved it further leaves it there)."""

    def apply(stored: dict[str, Any]) -> dict[str, Any]:
        if stored.get("_next_at") != due or stored["status"] != "active":
            return stored
        changes: dict[str, Any] = {"_next_at": following}
        if stored["type"] == "once":
            changes["status"] = "completed"
        return {**stored, **changes}

    return get_store().update(tenant, AUTOMATIONS, automation["id"], apply)


def _new_invocation(
    automation: dict[str, Any], invocation_id: str, created_at: int, scheduled_at: int | None
) -> dict[str, Any]:
    source: dict[str, Any] = {"type": "manual"}
    if scheduled_at is not None:
        source = {"type": "automation", "automation": _view({**automation, "status": "active"})}
    return {
        "id": invocation_id,
        "object": "agent.automation.invocation",
        "automation_id": automation["id"],
        "created_at": created_at,
        "scheduled_at": scheduled_at,
        "source": source,
        "status": "queued",
        "session_id": None,
        "skip_reason": None,
        "error": None,
    }


def _fire(principal: Principal, automation: dict[str, Any], at: int) -> bool:
    """Record the fire at `at` (one invocation whoever races for it) and, if this container recorded it, deliver.
    False when the delivery found the target session failed (which pauses the automation)."""
    invocation_id = ids.stable_id(INVOCATIONS, at, automation["id"])
    invocation = _new_invocation(automation, invocation_id, at, at)
    collection = f"{INVOCATIONS}/{automation['id']}"
    store = get_store()
    if automation["_target"]["type"] == "existing_session" and _pending(principal.tenant, automation["id"]):
        invocation.update(status="skipped", skip_reason="pending_delivery")
    try:
        store.create(principal.tenant, collection, invocation)
    except ConflictError:
        return True  # another container recorded (and delivers) this fire
    if invocation["status"] != "queued":
        return True
    return _deliver(principal, automation, invocation).get("pause_reason") is None


def _pending(tenant: str, automation_id: str) -> bool:
    page = get_store().list(tenant, f"{INVOCATIONS}/{automation_id}", limit=1, order="desc",
                            where=lambda invocation: invocation["status"] == "queued")  # fmt: skip
    return bool(page.items)


def _has_scheduled_invocation(tenant: str, automation_id: str) -> bool:
    page = get_store().list(tenant, f"{INVOCATIONS}/{automation_id}", limit=1,
                            where=lambda invocation: invocation["scheduled_at"] is not None)  # fmt: skip
    return bool(page.items)


def _retry_queued(principal: Principal, automation: dict[str, Any]) -> bool:
    """Deliveries that waited for a busy session, tried again oldest first (the later ones wait behind the first
    that still cannot go in). Whether any was delivered or failed."""
    if automation["_target"]["type"] != "existing_session":
        return False
    page = get_store().list(principal.tenant, f"{INVOCATIONS}/{automation['id']}", limit=100, order="asc",
                            where=lambda invocation: invocation["status"] == "queued")  # fmt: skip
    changed = False
    for invocation in page.items:
        if not _claimed(principal.tenant, invocation):
            break  # another reader is trying it at this very moment
        outcome = _deliver(principal, automation, invocation)
        if not outcome:
            break
        changed = True
        if outcome.get("pause_reason") is not None:
            break
    return changed


def _claimed(tenant: str, invocation: dict[str, Any]) -> bool:
    """Whether this reader may try the queued invocation now: one try per second of the mock clock, so readers
    racing for it send its message once (the session is busy with it afterwards, and a later try waits)."""
    now = clock.now_seconds()

    def claim(stored: dict[str, Any]) -> dict[str, Any]:
        if stored["status"] != "queued" or stored.get("_tried_at") == now:
            raise _AlreadyDelivered
        return {**stored, "_tried_at": now}

    try:
        return (
            get_store().update(tenant, f"{INVOCATIONS}/{invocation['automation_id']}", invocation["id"], claim)
            is not None
        )
    except _AlreadyDelivered:
        return False


def _deliver(principal: Principal, automation: dict[str, Any], invocation: dict[str, Any]) -> dict[str, Any]:
    """Deliver an invocation to its target: a new session started, or the instructions sent to the existing
    session (which must be idle: a busy one keeps it queued). What changed in the invocation ({}: still queued),
    with `pause_reason` when the delivery paused the automation."""
    target = automation["_target"]
    if target["type"] == "new_session":
        outcome = _start_session(principal, target)
    else:
        outcome = _notify_session(principal, automation, target)
        if not outcome:
            return outcome
    collection = f"{INVOCATIONS}/{automation['id']}"
    changes = {key: value for key, value in outcome.items() if key != "pause_reason"}

    def apply(stored: dict[str, Any]) -> dict[str, Any]:
        if stored["status"] != "queued":
            raise _AlreadyDelivered
        return {**stored, **changes}

    with contextlib.suppress(_AlreadyDelivered):
        get_store().update(principal.tenant, collection, invocation["id"], apply)
    return outcome


class _AlreadyDelivered(Exception):
    """A concurrent reader delivered (or is trying) the queued invocation first."""


def _failure(code: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "error": {"code": code, "message": message}}


def _start_session(principal: Principal, target: dict[str, Any]) -> dict[str, Any]:
    from openai_mock.resources.agents import sessions

    try:
        session = sessions.start_session(principal, _session_body(target))
    except OpenAIError as error:
        return _failure(error.code or "session_start_failed", error.message)
    return {"status": "completed", "session_id": session["id"]}


def _notify_session(principal: Principal, automation: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """Send the instructions to the target session as a user message; {} while it is busy. A session that failed
    or is gone fails the delivery and pauses the automation (`pause_reason: target_session_failed`)."""
    from openai_mock.resources.agents import sessions

    session_id = target["session_id"]
    try:
        session: dict[str, Any] | None = _session_of(principal, session_id, "session_id")
    except OpenAIError:
        session = None
    if session is not None and session["status"] in BUSY_SESSION_STATUSES:
        return {}
    if session is None or session["status"] in DEAD_SESSION_STATUSES:
        _set_status(principal.tenant, automation["id"], "paused", "target_session_failed", None)
        state = "no longer exists" if session is None else f"is {session['status']}"
        failure = _failure("target_session_failed", f"The target session '{session_id}' {state}.")
        return {**failure, "session_id": session_id, "pause_reason": "target_session_failed"}
    message = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": target["instructions"]}]}
    sessions.send_input(principal, session_id, [message])
    return {"status": "completed", "session_id": session_id}


# --- invocations ------------------------------------------------------------------------------------------------


def invoke(principal: Principal, automation_id: str) -> dict[str, Any]:
    """A manual delivery, now, whatever the schedule's status (which it leaves as it is)."""
    automation = catch_up(principal, _stored(principal, automation_id))
    now = clock.now_seconds()
    invocation = _new_invocation(automation, ids.new_id(INVOCATIONS), now, None)
    collection = f"{INVOCATIONS}/{automation_id}"
    get_store().create(principal.tenant, collection, invocation)
    _deliver(principal, automation, invocation)
    stored = get_store().get(principal.tenant, collection, invocation["id"])
    return _invocation_view(stored or invocation)


def retrieve_invocation(principal: Principal, automation_id: str, invocation_id: str) -> dict[str, Any]:
    catch_up(principal, _stored(principal, automation_id))
    invocation = get_store().get(principal.tenant, f"{INVOCATIONS}/{automation_id}", invocation_id)
    if invocation is None:
        raise not_found("Automation invocation", invocation_id, "invocation_id")
    return _invocation_view(invocation)


def list_invocations(principal: Principal, automation_id: str, params: ListParams) -> dict[str, Any]:
    catch_up(principal, _stored(principal, automation_id))
    page = get_store().list(principal.tenant, f"{INVOCATIONS}/{automation_id}", limit=params.limit,
                            order=params.order, after=params.after, before=params.before)  # fmt: skip
    return list_object(page, view=_invocation_view)

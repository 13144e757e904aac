"""Runs: creation, the clock-driven state machine, tool outputs, cancellation, run steps.

A run's phase (what it will produce, see planning.py) is decided when the phase begins and its status is derived
from the stored run and `clock` on every read (`_target`, a pure function):

    queued ──start──► in_progress ──finish──► completed | incomplete | failed | requires_action
    requires_action ──submit_tool_outputs──► queued ──► …        queued|in_progress|requires_action ──cancel──►
    cancelling ──► cancelled                                       (not finished by expires_at) ──► expired

Every transition is applied with `store.update(lambda run: _target(run, now))`: deterministic, so concurrent
readers apply it exactly once. What a finished phase writes (its steps and message) carries ids fixed when the
phase was planned and is written before the status flips, with create-if-absent: a reader that sees `completed`
always finds the message, and nothing is written twice."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from openai_mock import clock
from openai_mock.checks import check_enum, check_metadata
from openai_mock.control.api import scripted
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.assistants import assistants, messages, params, planning, records, threads, tool_resources
from openai_mock.resources.organization import spend
from openai_mock.resources.organization.core import bootstrap_key_id
from openai_mock.resources.organization.usage import record_usage_event
from openai_mock.resources.vector_stores.search import search as vector_search
from openai_mock.rng import request_rng
from openai_mock.settings import get_settings
from openai_mock.store import ConflictError, get_store
from openai_mock.store.base import Object
from openai_mock.web.auth import Principal

ACTIVE = ("queued", "in_progress", "requires_action", "cancelling")
TERMINAL = ("completed", "cancelled", "failed", "incomplete", "expired")
EXPIRY_SECONDS = 600  # a run must finish (or get its tool outputs) within ten minutes


USAGE_MARKERS = "thread.run.usage_recorded"  # one item per recorded phase: its usage is counted once


def runs_collection(thread_id: str) -> str:
    return f"thread.run/{thread_id}"


def steps_collection(run_id: str) -> str:
    return f"thread.run.step/{run_id}"


def _stage_seconds() -> float:
    settings = get_settings()
    return settings.scaled(settings.assistants_run_stage_seconds)


def _run_not_found(run_id: str) -> OpenAIError:
    return OpenAIError(404, f"No run found with id '{run_id}'.")


# --------------------------------------------------------------------------- the search file_search uses


def _search(vector_store_ids: list[str], query: str, options: dict[str, Any], tenant: str) -> list[Object]:
    """The one call into the vector-store search."""
    ranking = options.get("ranking_options") or {}
    return vector_search(
        tenant,
        vector_store_ids,
        query,
        max_num_results=options.get("max_num_results", 20),
        ranking_options={"score_threshold": ranking.get("score_threshold", 0.0)},
    )


# --------------------------------------------------------------------------- the state machine


def _apply_outcome(run: Object, outcome: Object, at: float) -> None:
    status = outcome["status"]
    run["status"] = status
    run["required_action"] = outcome["required_action"]
    run["last_error"] = outcome["last_error"]
    run["incomplete_details"] = outcome["incomplete_details"]
    if status != "requires_action":
        prior = run["_usage"]
        run["usage"] = planning.usage(
            prior["prompt_tokens"] + outcome["usage"]["prompt_tokens"],
            prior["completion_tokens"] + outcome["usage"]["completion_tokens"],
        )
        run["expires_at"] = None
        if status in ("completed", "failed"):
            run[f"{status}_at"] = int(at)
    run["_outcome"] = (
        None if status != "requires_action" else {"_step_usage": outcome.get("_step_usage"), "usage": outcome["usage"]}
    )


def _target(run: Object, now: float) -> Object:
    """The stored run as it is at `now` (pure: same input, same output)."""
    status = run["status"]
    if status == "cancelling":
        if now >= run["_cancel_at"]:
            run.update(status="cancelled", cancelled_at=int(run["_cancel_at"]), expires_at=None)
        return run
    if status not in ("queued", "in_progress", "requires_action"):
        return run
    deadline = run["_expires_exact"]
    finish = run["_finish_at"] if status != "requires_action" else math.inf
    if now >= deadline and finish > deadline:
        run.update(status="expired", required_action=None)
        return run
    if status == "queued" and now >= run["_start_at"]:
        run["status"] = "in_progress"
        run["started_at"] = run["started_at"] or int(run["_start_at"])
    if run["status"] == "in_progress" and now >= finish:
        _apply_outcome(run, run["_outcome"], finish)
    return run


def _finishing(run: Object, now: float) -> bool:
    return (
        run["status"] in ("queued", "in_progress")
        and now >= run["_finish_at"]
        and run["_finish_at"] <= run["_expires_exact"]
    )


def _write_once(tenant: str, collection: str, obj: Object) -> None:
    with contextlib.suppress(ConflictError):  # another reader settled this phase first: same object
        get_store().create(tenant, collection, obj)


def _close_open_steps(tenant: str, run: Object, status: str, at: int) -> None:
    """A cancelled or expired run's step that waited for tool outputs ends with it."""
    field = {"cancelled": "cancelled_at", "expired": "expired_at"}[status]
    page = get_store().list(
        tenant, steps_collection(run["id"]), limit=100, order="asc", where=lambda item: item["status"] == "in_progress"
    )
    for item in page.items:
        get_store().update(
            tenant,
            steps_collection(run["id"]),
            item["id"],
            lambda obj: {**obj, "status": status, field: at} if obj["status"] == "in_progress" else obj,
        )


def _record_phase_usage(tenant: str, run: Object, outcome: Object) -> None:
    """A finished phase's tokens are the organization's completions usage, once (the first settling reader
    writes the phase's marker), in the project of the key that created the run, and count as spend."""
    marker = {"id": f"{run['id']}#{run['_phase']}"}
    try:
        get_store().create(tenant, USAGE_MARKERS, marker)
    except ConflictError:
        return
    usage = outcome.get("usage") or {}
    record = record_usage_event(
        tenant,
        "completions",
        model=run["model"],
        project_id=run.get("_project_id"),
        api_key_id=run.get("_api_key_id") or bootstrap_key_id(tenant),
        input_tokens=usage.get("prompt_tokens", 0),
        output_tokens=usage.get("completion_tokens", 0),
    )
    spend.track(tenant, record)


def settle(tenant: str, run: Object) -> Object:
    """Bring a stored run up to date with the clock (and write what its finished phase produced)."""
    now = clock.now()
    if _target(dict(run), now) == run:
        return run
    if _finishing(run, now):
        outcome = run["_outcome"]
        for item in outcome["steps"]:
            _write_once(tenant, steps_collection(run["id"]), item)
        if outcome["message"] is not None:
            _write_once(tenant, messages.messages_collection(run["thread_id"]), outcome["message"])
        _record_phase_usage(tenant, run, outcome)
    updated = get_store().update(tenant, runs_collection(run["thread_id"]), run["id"], lambda obj: _target(obj, now))
    if updated is None:
        raise _run_not_found(run["id"])
    if updated["status"] in ("cancelled", "expired"):
        _close_open_steps(tenant, updated, updated["status"], int(now))
    return updated


def get_run_record(tenant: str, thread_id: str, run_id: str) -> Object:
    """The run as it stands now (its thread checked too: one read of both, a polling client's every request)."""
    thread, run = get_store().get_many(tenant, [(records.THREADS, thread_id), (runs_collection(thread_id), run_id)])
    if thread is None:
        raise records.object_not_found("thread", thread_id)
    if run is None:
        raise _run_not_found(run_id)
    return settle(tenant, run)


def active_run(tenant: str, thread: Object) -> Object | None:
    run_id = thread.get("_active_run")
    if not run_id:
        return None
    run = get_store().get(tenant, runs_collection(thread["id"]), run_id)
    if run is None:
        return None
    run = settle(tenant, run)
    return run if run["status"] in ACTIVE else None


# --------------------------------------------------------------------------- configuration


class RunConfig(NamedTuple):
    """A run's checked settings: the assistant's, overridden by the request."""

    fields: Object
    vector_store_ids: list[str]
    instructions: str


def configure(
    tenant: str,
    assistant: Object,
    body: params._RunOptions,
    additional_instructions: str | None,
    thread_resources: Mapping[str, Any] | None,
) -> RunConfig:
    model = body.model or assistant["model"]
    params.check_model(tenant, model)
    params.check_sampling(body.temperature, body.top_p)
    params.check_token_limits(body.max_prompt_tokens, body.max_completion_tokens)
    check_metadata(body.metadata)
    tools = params.check_tools(body.tools) if body.tools is not None else assistant["tools"]
    instructions = body.instructions if body.instructions is not None else (assistant.get("instructions") or "")
    if additional_instructions:
        instructions = f"{instructions}\n\n{additional_instructions}" if instructions else additional_instructions
    response_format = (
        params.check_response_format(body.response_format)
        if body.response_format is not None
        else assistant.get("response_format", "auto")
    )
    fields: Object = {
        "model": model,
        "instructions": instructions,
        "tools": tools,
        "tool_choice": params.check_tool_choice(body.tool_choice, tools),
        "parallel_tool_calls": True if body.parallel_tool_calls is None else body.parallel_tool_calls,
        "response_format": response_format,
        "temperature": body.temperature if body.temperature is not None else assistant.get("temperature", 1.0),
        "top_p": body.top_p if body.top_p is not None else assistant.get("top_p", 1.0),
        "max_prompt_tokens": body.max_prompt_tokens,
        "max_completion_tokens": body.max_completion_tokens,
        "truncation_strategy": params.check_truncation(body.truncation_strategy),
        "metadata": body.metadata or {},
    }
    stores = tool_resources.vector_store_ids(assistant.get("tool_resources"), dict(thread_resources or {}))
    return RunConfig(fields, stores, instructions)


def _new_run(
    thread_id: str,
    assistant_id: str,
    config: RunConfig,
    start_at: float,
    finish_at: float,
    principal: Principal | None = None,
) -> Object:
    created = clock.now()
    return {
        "id": new_id("thread.run"),
        "object": "thread.run",
        "created_at": int(created),
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "status": "queued",
        "started_at": None,
        "expires_at": int(created + EXPIRY_SECONDS),
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "incomplete_details": None,
        "usage": None,
        **config.fields,
        "_expires_exact": created + EXPIRY_SECONDS,
        "_start_at": start_at,
        "_finish_at": finish_at,
        "_cancel_at": None,
        "_outcome": None,
        "_phase": 0,
        "_conversation": [],
        "_usage": planning.usage(0, 0),
        "_vector_store_ids": config.vector_store_ids,
        # Whose usage the run's phases are (the organization's usage endpoints).
        "_project_id": principal.project_id if principal is not None else None,
        "_api_key_id": principal.api_key_id if principal is not None else None,
    }


def _timeline(stream: bool) -> tuple[float, float]:
    """(start, finish) of a phase beginning now; a streamed run runs while it is streamed."""
    now = clock.now()
    if stream:
        return now, now
    return now + _stage_seconds(), now + 2 * _stage_seconds()


def _plan(
    tenant: str,
    run: Object,
    conversation: list[Object],
    rng_material: object,
    headers: Mapping[str, str],
    answering_tools: bool,
) -> None:
    """Decide the run's current phase (stored in `_outcome`)."""
    fitted = planning.fit_prompt(
        conversation, run["model"], run["max_prompt_tokens"], run["truncation_strategy"]["type"] == "auto"
    )
    phase = planning.Phase(run, run["_start_at"], run["_finish_at"], fitted or conversation, answering_tools)
    if fitted is None:
        run["_outcome"] = planning.prompt_too_long(phase)
    else:
        rng = request_rng(rng_material, headers)
        functions = [tool for tool in run["tools"] if tool["type"] == "function"]
        script = scripted(
            tenant,
            "assistants.runs",
            {
                "model": run["model"],
                "messages": phase.conversation,
                "tools": functions,
                "metadata": run.get("metadata"),
            },
        )
        run["_outcome"] = planning.plan_phase(
            phase, rng, lambda ids, query, options: _search(ids, query, options, tenant), run["_usage"], script
        )
    run["_conversation"] = fitted or conversation


def _claim(tenant: str, thread_id: str, run_id: str) -> None:
    """Make `run_id` the thread's run, unless another run is still active (the real API's 400)."""
    thread = records.get_thread_record(tenant, thread_id)
    busy = active_run(tenant, thread)
    if busy is not None:
        raise invalid_request(f"Thread {thread_id} already has an active run {busy['id']}.")
    seen = thread.get("_active_run")

    def change(obj: Object) -> Object:
        if obj.get("_active_run") != seen:  # another run claimed the thread meanwhile
            raise invalid_request(f"Thread {thread_id} already has an active run {obj['_active_run']}.")
        return {**obj, "_active_run": run_id}

    if get_store().update(tenant, records.THREADS, thread_id, change) is None:
        raise OpenAIError(404, f"No thread found with id '{thread_id}'.")


def start_run(
    tenant: str,
    thread_id: str,
    assistant_id: str,
    config: RunConfig,
    pending: list[Object],
    headers: Mapping[str, str],
    stream: bool,
    principal: Principal | None = None,
) -> Object:
    """Plan, store and claim a run over the thread's messages plus `pending` ones (written once claimed)."""
    start_at, finish_at = _timeline(stream)
    run = _new_run(thread_id, assistant_id, config, start_at, finish_at, principal)
    history = messages.all_messages(tenant, thread_id) + pending
    conversation = planning.conversation(config.instructions, history, run["truncation_strategy"])
    material = {"conversation": conversation, "tools": run["tools"], "model": run["model"]}
    _plan(tenant, run, conversation, material, headers, answering_tools=False)
    store = get_store()
    store.create(tenant, runs_collection(thread_id), run)
    try:
        _claim(tenant, thread_id, run["id"])
    except OpenAIError:
        store.delete(tenant, runs_collection(thread_id), run["id"])
        raise
    store.create_many(tenant, messages.messages_collection(thread_id), pending)
    return run


# --------------------------------------------------------------------------- operations


def _checked_include(include: list[str] | None) -> bool:
    for value in include or []:
        check_enum(value, (params.FILE_SEARCH_INCLUDE,), "include")
    return bool(include)


def create_run(
    tenant: str,
    thread_id: str,
    body: params.CreateRunRequest,
    headers: Mapping[str, str],
    include: list[str] | None = None,
    principal: Principal | None = None,
) -> Object:
    _checked_include(include)
    thread, assistant = get_store().get_many(
        tenant, [(records.THREADS, thread_id), (assistants.ASSISTANTS, body.assistant_id)]
    )  # one read: one round trip on AWS, where the two were read in turn
    if thread is None:
        raise records.object_not_found("thread", thread_id)
    if assistant is None:
        raise records.object_not_found("assistant", body.assistant_id)
    config = configure(tenant, assistant, body, body.additional_instructions, thread.get("tool_resources"))
    checked = [
        params.check_message(tenant, message, f"additional_messages[{index}].")
        for index, message in enumerate(body.additional_messages or [])
    ]
    now = clock.now_seconds()
    pending = [
        messages.new_message(
            thread_id,
            item["role"],
            item["content"],
            created_at=now,
            attachments=item["attachments"],
            metadata=item["metadata"],
        )
        for item in checked
    ]
    return start_run(tenant, thread_id, assistant["id"], config, pending, headers, bool(body.stream), principal)


def create_thread_and_run(
    tenant: str, body: params.CreateThreadAndRunRequest, headers: Mapping[str, str], principal: Principal | None = None
) -> tuple[Object, Object]:
    """Check the thread and the run, then write the thread, then start the run on it."""
    assistant = assistants.get_assistant(tenant, body.assistant_id)
    messages, resources, helpers = threads.check_thread_request(tenant, body.thread, "thread.")
    run_resources, run_helpers = tool_resources.check_tool_resources(tenant, body.tool_resources)
    config = configure(tenant, assistant, body, None, {**resources, **run_resources})
    thread = threads.store_thread(tenant, messages, resources, helpers, body.thread.metadata if body.thread else None)
    if run_resources:  # run-level resources are stored on the new thread too
        stores = tool_resources.materialise(tenant, run_resources, run_helpers)
        thread = (
            get_store().update(
                tenant,
                records.THREADS,
                thread["id"],
                lambda obj: {**obj, "tool_resources": {**obj["tool_resources"], **stores}},
            )
            or thread
        )
        config = RunConfig(
            config.fields,
            tool_resources.vector_store_ids(assistant.get("tool_resources"), thread["tool_resources"]),
            config.instructions,
        )
    run = start_run(tenant, thread["id"], assistant["id"], config, [], headers, bool(body.stream), principal)
    return records.public(thread), run


def get_run(tenant: str, thread_id: str, run_id: str) -> Object:
    return records.public(get_run_record(tenant, thread_id, run_id))


def list_runs(tenant: str, thread_id: str, page: ListParams) -> Object:
    records.get_thread_record(tenant, thread_id)
    found = get_store().list(
        tenant, runs_collection(thread_id), limit=page.limit, order=page.order, after=page.after, before=page.before
    )
    return list_object(found, view=lambda run: records.public(settle(tenant, run)))


def modify_run(tenant: str, thread_id: str, run_id: str, body: params.ModifyRequest) -> Object:
    get_run_record(tenant, thread_id, run_id)
    check_metadata(body.metadata)
    updated = get_store().update(
        tenant, runs_collection(thread_id), run_id, lambda obj: {**obj, "metadata": body.metadata or {}}
    )
    if updated is None:
        raise _run_not_found(run_id)
    return records.public(updated)


def cancel_run(tenant: str, thread_id: str, run_id: str) -> Object:
    get_run_record(tenant, thread_id, run_id)
    now = clock.now()

    def change(obj: Object) -> Object:
        obj = _target(obj, now)
        if obj["status"] not in ("queued", "in_progress", "requires_action"):
            raise invalid_request(f"Cannot cancel run with status '{obj['status']}'.")
        return {**obj, "status": "cancelling", "required_action": None, "_cancel_at": now + _stage_seconds()}

    updated = get_store().update(tenant, runs_collection(thread_id), run_id, change)
    if updated is None:
        raise _run_not_found(run_id)
    return records.public(updated)


def _check_outputs(run: Object, outputs: list[params.ToolOutput]) -> dict[str, str]:
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    expected = [call["id"] for call in calls]
    for index, output in enumerate(outputs):
        if output.tool_call_id is None:
            raise invalid_request(
                f"Missing required parameter: 'tool_outputs[{index}].tool_call_id'.",
                f"tool_outputs[{index}].tool_call_id",
                "missing_required_parameter",
            )
    given = [str(output.tool_call_id) for output in outputs]
    if sorted(given) != sorted(expected):  # every call answered, exactly once, nothing else
        raise invalid_request(f"Expected tool outputs for call_ids {expected!r}, got {given!r}", "tool_outputs")
    return {str(output.tool_call_id): output.output or "" for output in outputs}


def submit_tool_outputs(
    tenant: str, thread_id: str, run_id: str, body: params.SubmitToolOutputsRequest, headers: Mapping[str, str]
) -> Object:
    run = get_run_record(tenant, thread_id, run_id)
    if run["status"] != "requires_action":
        raise invalid_request(f'Runs in status "{run["status"]}" do not accept tool outputs.')
    answers = _check_outputs(run, body.tool_outputs)
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    conversation = (
        run["_conversation"]
        + [{"role": "assistant", "content": None, "tool_calls": calls}]
        + [{"role": "tool", "tool_call_id": call["id"], "content": answers[call["id"]]} for call in calls]
    )
    start_at, finish_at = _timeline(bool(body.stream))
    phase = run["_phase"]
    step_usage = (run["_outcome"] or {}).get("_step_usage")
    prior = run["_usage"]
    spent = (run["_outcome"] or {}).get("usage") or planning.usage(0, 0)
    next_run = {
        **run,
        "status": "queued",
        "required_action": None,
        "_start_at": start_at,
        "_finish_at": finish_at,
        "_phase": phase + 1,
        "_usage": planning.usage(
            prior["prompt_tokens"] + spent["prompt_tokens"], prior["completion_tokens"] + spent["completion_tokens"]
        ),
    }
    _plan(tenant, next_run, conversation, {"conversation": conversation, "run": run_id}, headers, answering_tools=True)

    def change(obj: Object) -> Object:
        if obj["status"] != "requires_action" or obj["_phase"] != phase:
            raise invalid_request(f'Runs in status "{obj["status"]}" do not accept tool outputs.')
        return {
            **obj,
            **{
                key: next_run[key]
                for key in (
                    "status",
                    "required_action",
                    "_start_at",
                    "_finish_at",
                    "_phase",
                    "_usage",
                    "_outcome",
                    "_conversation",
                )
            },
        }

    updated = get_store().update(tenant, runs_collection(thread_id), run_id, change)
    if updated is None:
        raise _run_not_found(run_id)
    _complete_call_step(tenant, run_id, answers, step_usage)
    return updated


def _complete_call_step(tenant: str, run_id: str, answers: dict[str, str], step_usage: Object | None) -> None:
    """The step that waited for these outputs records them and completes."""
    page = get_store().list(
        tenant, steps_collection(run_id), limit=100, order="asc", where=lambda item: item["status"] == "in_progress"
    )

    def change(obj: Object) -> Object:
        calls = obj["step_details"]["tool_calls"]
        for call in calls:
            call["function"]["output"] = answers.get(call["id"], call["function"]["output"])
        return {**obj, "status": "completed", "completed_at": clock.now_seconds(), "usage": step_usage}

    for item in page.items:
        get_store().update(tenant, steps_collection(run_id), item["id"], change)


def run_collections(tenant: str, thread_id: str) -> list[str]:
    """What deleting a thread removes besides its messages: its runs and their steps."""
    collections = [runs_collection(thread_id)]
    after = None
    while True:
        page = get_store().list(tenant, runs_collection(thread_id), limit=100, order="asc", after=after)
        collections += [steps_collection(run["id"]) for run in page.items]
        if not page.has_more:
            return collections
        after = page.items[-1]["id"]


def create_message(tenant: str, thread_id: str, body: params.MessageRequest) -> Object:
    thread = records.get_thread_record(tenant, thread_id)
    checked = params.check_message(tenant, body)
    busy = active_run(tenant, thread)
    if busy is not None:
        raise invalid_request(f"Can't add messages to {thread_id} while a run {busy['id']} is active.")
    return messages.write_message(tenant, thread_id, checked, created_at=clock.now_seconds())


# --------------------------------------------------------------------------- run steps


def _step_view(step: Object, include_content: bool) -> Object:
    if include_content or step["type"] != "tool_calls":
        return step
    for call in step["step_details"]["tool_calls"]:
        for result in (call.get("file_search") or {}).get("results") or []:
            result.pop("content", None)
    return step


def list_steps(tenant: str, thread_id: str, run_id: str, page: ListParams, include: list[str] | None) -> Object:
    wanted = _checked_include(include)
    get_run_record(tenant, thread_id, run_id)
    found = get_store().list(
        tenant, steps_collection(run_id), limit=page.limit, order=page.order, after=page.after, before=page.before
    )
    return list_object(found, view=lambda step: _step_view(step, wanted))


def get_step(tenant: str, thread_id: str, run_id: str, step_id: str, include: list[str] | None) -> Object:
    wanted = _checked_include(include)
    get_run_record(tenant, thread_id, run_id)
    found = get_store().get(tenant, steps_collection(run_id), step_id)
    if found is None:
        raise OpenAIError(404, f"No run step found with id '{step_id}'.")
    return _step_view(found, wanted)


# --------------------------------------------------------------------------- streaming


def stream_phase(tenant: str, planned: Object, *, resumed: bool = False, thread: Object | None = None) -> list[bytes]:
    """Run a phase that was planned to happen now and tell it as events (settled before the first byte, so
    an error is still an error response)."""
    from openai_mock.resources.assistants import events

    after = settle(tenant, planned)
    told = [events.thread_created(thread)] if thread is not None else []
    return told + list(events.phase_events(planned, after, resumed=resumed))

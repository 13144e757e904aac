"""Agent sessions through the official SDK (`client.beta.agents.sessions`, the Agents API beta, held strictly to the
SDK's models): sessions created, listed, updated and deleted; turns that run by the mock clock, call the agent's
functions and wait for their results, and are cancelled; the event streams; budgets and failures."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.beta import AgentSession, AgentSessionDeleted, Subagent
from openai.types.beta.agents.sessions import SessionArtifact, SessionArtifactDeleted, SessionTrace, Turn
from pydantic import BaseModel

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.resources.agents.sessions import events as session_events
from openai_mock.resources.agents.sessions import send_input, start_session, stored_session
from openai_mock.resources.agents.sessions import turns as turn_states
from openai_mock.web.auth import Principal
from tests.support import agent_sessions as sessions
from tests.support.agent_sessions import START
from tests.support.sdk import held

NONE: Any = {"type": "none"}
WEATHER: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}

pinned_clock = sessions.pinned_clock_fixture()
sdk = sessions.sdk_fixture()
_create = sessions.creator(environment=NONE, agent={"model": "gpt-4o"})


def _strict(model: type[BaseModel], page: Any) -> list[dict[str, Any]]:
    body = page.http_response.json()
    for entry in body["data"]:
        model.model_validate(entry, strict=True)
    assert body["object"] == "list"
    return body["data"]  # type: ignore[no-any-return]


def _error(call: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(openai.APIStatusError) as caught:
        call()
    return caught.value.status_code, caught.value.body  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------- lifecycle


def test_a_session_without_input_is_idle_and_reads_back_as_created(sdk: openai.OpenAI) -> None:
    created = _create(
        sdk,
        environment={"type": "self_hosted", "workspace_directory": "/home/dev/project"},
        agent={"model": "gpt-4o", "instructions": "Answer briefly.", "tools": [WEATHER]},
        metadata={"team": "support"},
        spend_control={"limit": 500},
    )
    assert created["id"].startswith("sess_") and created["object"] == "agent.session"
    assert created["status"] == "idle" and created["required_actions"] == [] and created["usage"] is None
    assert created["created_at"] == created["last_active_at"] == START
    assert created["agent"]["model"] == "gpt-4o" and created["agent"]["instructions"] == "Answer briefly."
    assert [tool["name"] for tool in created["agent"]["tools"]] == ["get_weather"]
    assert created["agent"]["id"].startswith("agent_") and created["agent"]["service_tier"] == "auto"
    assert created["environment"]["type"] == "self_hosted"
    assert created["environment"]["workspace_directory"] == "/home/dev/project"
    assert created["metadata"] == {"team": "support"}
    assert created["spend_control"] == {"limit": 500, "consumed": 0}
    assert "review" not in created
    assert sessions.retrieve(sdk, created["id"]) == created


def test_a_turn_is_queued_runs_and_completes_by_the_clock(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Explain how tides work.")
    assert session["status"] == "in_progress"
    turns = _strict(Turn, sdk.beta.agents.sessions.turns.with_raw_response.list(session["id"]))
    assert [turn["status"] for turn in turns] == ["queued"] and turns[0]["started_at"] is None

    sessions.stage()
    turn = held(
        Turn, sdk.beta.agents.sessions.turns.with_raw_response.retrieve(turns[0]["id"], session_id=session["id"])
    )
    assert turn["status"] == "in_progress" and turn["started_at"] == START + 1
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"

    sessions.stage()
    done = sessions.retrieve(sdk, session["id"])
    assert done["status"] == "idle" and done["last_active_at"] == START + 2
    turn = held(
        Turn, sdk.beta.agents.sessions.turns.with_raw_response.retrieve(turns[0]["id"], session_id=session["id"])
    )
    assert turn["status"] == "completed" and turn["completed_at"] == START + 2
    assert turn["usage"]["input_tokens"] > 0 and turn["usage"]["output_tokens"] > 0
    assert done["usage"] == turn["usage"]

    items = sessions.items(sdk, session["id"])
    assert [(item["type"], item["role"]) for item in items] == [("message", "user"), ("message", "assistant")]
    assert items[0]["content"] == [{"type": "input_text", "text": "Explain how tides work."}]
    assert items[1]["phase"] == "final_answer" and items[1]["content"][0]["text"]
    assert {item["turn_id"] for item in items} == {turn["id"]}
    in_turn = sdk.beta.agents.sessions.turns.items.with_raw_response.list(turn["id"], session_id=session["id"])
    assert [item["id"] for item in sessions.held_items(in_turn)] == [item["id"] for item in reversed(items)]


def test_a_function_call_waits_for_its_result_and_the_turn_continues(sdk: openai.OpenAI) -> None:
    session = _create(sdk, agent={"model": "gpt-4o", "tools": [WEATHER]}, input="What is the weather in Paris?")
    sessions.stage()
    sessions.stage()
    waiting = sessions.retrieve(sdk, session["id"])
    assert waiting["status"] == "requires_action"
    (action,) = waiting["required_actions"]
    assert action["type"] == "function_call" and action["name"] == "get_weather"
    assert action["arguments"]["city"] and action["call_id"].startswith("call_")
    turn = held(
        Turn, sdk.beta.agents.sessions.turns.with_raw_response.retrieve(action["turn_id"], session_id=session["id"])
    )
    assert turn["status"] == "waiting"

    wrong: Any = {
        "type": "agent.session.input.tool_result",
        "call_id": "call_nope",
        "turn_id": action["turn_id"],
        "success": True,
        "output": "sunny",
    }
    status, body = _error(lambda: sdk.beta.agents.sessions.events.create(session["id"], events=[wrong]))
    assert status == 400 and body["param"] == "events[0].call_id"

    result: Any = {**wrong, "call_id": action["call_id"], "output": "18°C and sunny"}
    raw = sdk.beta.agents.sessions.events.with_raw_response.create(session["id"], events=[result])
    assert raw.http_response.status_code == 202
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    sessions.stage()
    done = sessions.retrieve(sdk, session["id"])
    assert done["status"] == "idle" and done["required_actions"] == []
    items = sessions.items(sdk, session["id"])
    kinds = [item["type"] for item in items]
    assert kinds == ["message", "function_call", "function_call_output", "message"]
    assert items[2]["output"] == "18°C and sunny" and items[2]["status"] == "completed"
    assert "18" in items[3]["content"][0]["text"]


def test_a_result_whose_request_stopped_after_recording_it_is_not_lost(
    sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answering request stops after the turn took the result (its output item not yet written, the turn not
    continued): the next read writes the item and continues the turn, as that request would have."""
    session = _create(sdk, agent={"model": "gpt-4o", "tools": [WEATHER]}, input="What is the weather in Paris?")
    action = sessions.waiting(sdk, session["id"])
    stopped = {"yet": False}

    def stop_once(tenant: str, session_id: str, turn: Any) -> None:
        if not stopped["yet"]:
            stopped["yet"] = True
            raise RuntimeError("the Lambda ran out of time")
        write(tenant, session_id, turn)

    write = turn_states._write_unwritten
    monkeypatch.setattr(turn_states, "_write_unwritten", stop_once)
    result: Any = {
        "type": "agent.session.input.tool_result",
        "call_id": action["call_id"],
        "turn_id": action["turn_id"],
        "success": True,
        "output": "18°C and sunny",
    }
    with pytest.raises(openai.InternalServerError):
        sdk.beta.agents.sessions.events.create(session["id"], events=[result])
    assert stopped["yet"]

    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"  # the reader continued it
    items = sessions.idle(sdk, session["id"])
    assert [item["type"] for item in items] == ["message", "function_call", "function_call_output", "message"]
    assert items[2]["output"] == "18°C and sunny" and items[2]["call_id"] == action["call_id"]
    assert "18" in sessions.answer(items)
    status, body = _error(lambda: sdk.beta.agents.sessions.events.create(session["id"], events=[result]))
    assert status == 409 and body["code"] == "session_not_waiting"  # answered once, continued once


def test_a_message_to_a_busy_session_is_refused_and_a_cancel_ends_the_turn(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Summarise the history of Rome.")
    message: Any = {
        "type": "agent.session.input.message",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "And Athens?"}]}],
    }
    status, body = _error(lambda: sdk.beta.agents.sessions.events.create(session["id"], events=[message]))
    assert status == 409 and body["code"] == "active_turn_not_steerable" and body["param"] == "events[0]"

    sdk.beta.agents.sessions.events.create(session["id"], events=[{"type": "agent.session.input.cancel"}])
    cancelled = sessions.retrieve(sdk, session["id"])
    assert cancelled["status"] == "idle"
    (turn,) = _strict(Turn, sdk.beta.agents.sessions.turns.with_raw_response.list(session["id"]))
    assert turn["status"] == "cancelled" and turn["completed_at"] == START
    sessions.stage()
    sessions.stage()
    items = sessions.held_items(sdk.beta.agents.sessions.items.with_raw_response.list(session["id"]))
    assert [item["role"] for item in items] == ["user"]  # the abandoned phase wrote nothing

    sdk.beta.agents.sessions.events.create(session["id"], events=[message])
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    status, body = _error(
        lambda: sdk.beta.agents.sessions.events.create(
            session["id"],
            events=[
                {
                    "type": "agent.session.input.mcp_approval_request_result",
                    "request_id": "mcpr_1",
                    "response": {"type": "mcp_tool_call", "decision": "approve"},
                }
            ],
        )
    )
    assert status == 400 and body["param"] == "events[0].request_id"


def test_sessions_list_by_cursor_agent_and_metadata(sdk: openai.OpenAI) -> None:
    made = [
        _create(
            sdk,
            environment={"type": "self_hosted", "workspace_directory": "/w"},
            metadata={"n": str(index), "tier": "gold" if index % 2 else "free"},
        )
        for index in range(5)
    ]
    first = sdk.beta.agents.sessions.with_raw_response.list(limit=2)
    page = _strict(AgentSession, first)
    assert [session["id"] for session in page] == [made[4]["id"], made[3]["id"]]
    assert first.http_response.json()["has_more"] is True
    rest = _strict(AgentSession, sdk.beta.agents.sessions.with_raw_response.list(after=page[-1]["id"], limit=10))
    assert [session["id"] for session in rest] == [made[2]["id"], made[1]["id"], made[0]["id"]]
    gold = _strict(AgentSession, sdk.beta.agents.sessions.with_raw_response.list(metadata={"tier": "gold"}))
    assert [session["id"] for session in gold] == [made[3]["id"], made[1]["id"]]
    by_agent = sdk.beta.agents.sessions.with_raw_response.list(agent_id=made[2]["agent"]["id"], order="asc")
    assert [session["id"] for session in _strict(AgentSession, by_agent)] == [made[2]["id"]]


def test_updates_replace_metadata_vaults_tools_and_the_limit(sdk: openai.OpenAI) -> None:
    session = _create(
        sdk,
        environment={"type": "self_hosted", "workspace_directory": "/w"},
        metadata={"a": "1"},
        spend_control={"limit": 100},
    )
    updated = held(
        AgentSession,
        sdk.beta.agents.sessions.with_raw_response.update(
            session["id"],
            metadata={"b": "2"},
            agent={"model": "gpt-4o-mini", "tools": [WEATHER]},
            spend_control={"limit": None},
            review="auto_review",
            prompt_cache_options={"ttl": "12h"},
        ),
    )
    assert updated["metadata"] == {"b": "2"} and updated["agent"]["model"] == "gpt-4o-mini"
    assert [tool["name"] for tool in updated["agent"]["tools"]] == ["get_weather"]
    assert updated["spend_control"] == {"limit": None, "consumed": 0} and updated["review"] == "auto_review"
    assert updated["prompt_cache_options"] == {"ttl": "12h"}
    assert sessions.retrieve(sdk, session["id"]) == updated
    cleared = held(AgentSession, sdk.beta.agents.sessions.with_raw_response.update(session["id"], metadata=None))
    assert cleared["metadata"] == {} and cleared["agent"]["model"] == "gpt-4o-mini"


def test_deletion_needs_the_running_turn_cancelled_and_leaves_nothing(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Hello there.")
    status, body = _error(lambda: sdk.beta.agents.sessions.delete(session["id"]))
    assert status == 409 and body["code"] == "session_in_progress"
    sessions.stage()
    sessions.stage()
    deleted = held(AgentSessionDeleted, sdk.beta.agents.sessions.with_raw_response.delete(session["id"]))
    assert deleted == {"id": session["id"], "object": "agent.session.deleted", "deleted": True}
    status, body = _error(lambda: sdk.beta.agents.sessions.retrieve(session["id"]))
    assert status == 404 and body["param"] == "session_id"
    status, _ = _error(lambda: sdk.beta.agents.sessions.items.list(session["id"]))
    assert status == 404


# ------------------------------------------------------------------------------------------------- streams


def test_a_streamed_creation_runs_its_turn_while_streamed(sdk: openai.OpenAI) -> None:
    raw = sdk.beta.agents.sessions.with_raw_response.create(
        environment=NONE, agent={"model": "gpt-4o"}, input="Tell me about the moon.", stream=True
    )
    events = sessions.held_events(raw.http_response)
    kinds = [event["type"] for event in events]
    assert kinds[:4] == [
        "agent.session.created",
        "agent.session.turn.created",
        "agent.session.in_progress",
        "agent.session.turn.in_progress",
    ]
    assert kinds[-2:] == ["agent.session.turn.completed", "agent.session.idle"]
    assert len({event["event_id"] for event in events}) == len(events)
    session_id = events[0]["session"]["id"]
    text = "".join(event["delta"] for event in events if event["type"] == "agent.session.turn.output_text.delta")
    done = next(event for event in events if event["type"] == "agent.session.turn.output_text.done")
    assert text == done["text"] and text
    assert all(event.get("obfuscation") for event in events if event["type"].endswith(".delta"))
    (answer,) = [
        item
        for item in sessions.held_items(sdk.beta.agents.sessions.items.with_raw_response.list(session_id))
        if item["role"] == "assistant"
    ]
    assert answer["content"][0]["text"] == text
    assert sessions.retrieve(sdk, session_id)["status"] == "idle"


def test_the_event_stream_follows_the_active_turn_to_requires_action(
    sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-process, the answer is read once it ends: the subscription waits briefly for the function's result.
    # (tests/functions/test_agent_session_streams.py reads it live, on a socket.)
    monkeypatch.setattr(session_events, "QUIET_SECONDS", 0.2)
    session = _create(sdk, agent={"model": "gpt-4o", "tools": [WEATHER]}, input="What is the weather in Oslo?")
    raw = sdk.beta.agents.sessions.events.with_raw_response.stream(session["id"], include_obfuscation=False)
    events = sessions.held_events(raw.http_response)
    assert events[-1]["type"] == "agent.session.requires_action"
    call = next(event["item"] for event in events if event["type"] == "agent.session.turn.item.done")
    assert call["type"] == "function_call" and call["name"] == "get_weather"
    assert not any("obfuscation" in event for event in events)
    assert sessions.retrieve(sdk, session["id"])["status"] == "requires_action"  # streamed: run at once

    idle = sessions.held_events(
        sdk.beta.agents.sessions.events.with_raw_response.stream(_create(sdk, input="Hi.")["id"]).http_response
    )
    assert idle[-1]["type"] == "agent.session.idle"


def test_the_sdk_stream_dispatches_tool_handlers(sdk: openai.OpenAI) -> None:
    stream = sdk.beta.agents.sessions.create(
        environment=NONE,
        agent={"model": "gpt-4o", "tools": [WEATHER]},
        input="What is the weather in Lisbon?",
        stream=True,
        tool_handlers={"get_weather": lambda arguments: f"Sunny in {arguments['city']}"},
    )
    session_id = ""
    for event in stream:
        if event.type == "agent.session.created":
            session_id = event.session.id
    clock.advance(1.0)
    items = sessions.items(sdk, session_id)
    assert [item["type"] for item in items] == ["message", "function_call", "function_call_output", "message"]
    assert items[2]["output"].startswith("Sunny in")


# ------------------------------------------------------------------------------------------------- limits, failures


def test_a_spent_budget_pauses_the_session_until_the_limit_is_raised(sdk: openai.OpenAI) -> None:
    session = _create(
        sdk, agent={"model": "gpt-4o"}, input="Write a long essay about oceans. " * 400, spend_control={"limit": 1}
    )
    sessions.stage()
    sessions.stage()
    paused = sessions.retrieve(sdk, session["id"])
    assert paused["status"] == "budget_reached" and paused["spend_control"]["consumed"] >= 1
    message: Any = {
        "type": "agent.session.input.message",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "More."}]}],
    }
    status, body = _error(lambda: sdk.beta.agents.sessions.events.create(session["id"], events=[message]))
    assert status == 409 and body["code"] == "session_budget_exceeded"
    raised = held(
        AgentSession, sdk.beta.agents.sessions.with_raw_response.update(session["id"], spend_control={"limit": 10_000})
    )
    assert raised["status"] == "idle" and raised["spend_control"]["consumed"] == paused["spend_control"]["consumed"]


def test_a_failing_turn_fails_the_session(sdk: openai.OpenAI) -> None:
    raw = sdk.beta.agents.sessions.with_raw_response.create(
        environment=NONE, agent={"model": "gpt-4o"}, input="Hi.", stream=True, metadata={"mock_fail": "server_error"}
    )
    kinds = [event["type"] for event in sessions.held_events(raw.http_response)]
    assert kinds[-3:] == ["error", "agent.session.turn.failed", "agent.session.failed"]
    session_id = raw.http_response.read().decode().split('"id":"', 2)[1].split('"')[0]
    failed = sessions.retrieve(sdk, session_id)
    assert failed["status"] == "failed" and "unexpected error" in failed["error"]


# ------------------------------------------------------------------------------------------------- traces


def test_each_finished_turn_has_a_trace_of_its_spans(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Name three planets.")
    assert _strict(SessionTrace, sdk.beta.agents.sessions.traces.with_raw_response.list(session["id"])) == []
    sessions.stage()
    sessions.stage()
    (trace,) = _strict(SessionTrace, sdk.beta.agents.sessions.traces.with_raw_response.list(session["id"]))
    assert trace["id"].startswith("trace_") and trace["session_id"] == session["id"]
    spans = trace["otlp"]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert spans[0]["name"] == "agent.turn" and [span["name"] for span in spans[1:]] == [
        "user message",
        "model response",
    ]
    assert {span["parentSpanId"] for span in spans[1:]} == {spans[0]["spanId"]}
    assert len(spans[0]["traceId"]) == 32


# ------------------------------------------------------------------------------------------------- errors


def test_bad_bodies_are_refused_naming_the_field(sdk: openai.OpenAI) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"environment": NONE, "agent": {"model": "gpt-4o"}}, "input"),
        ({"environment": NONE, "input": "Hi."}, "agent.model"),
        ({"environment": NONE, "agent": {"model": "gpt-4o"}, "input": "Hi.", "colour": "red"}, "colour"),
        (
            {"environment": NONE, "agent": {"model": "gpt-4o", "tools": [{**WEATHER, "name": 7}]}, "input": "Hi."},
            "agent.tools[0].name",
        ),
        (
            {"environment": NONE, "agent": {"model": "gpt-4o"}, "input": "Hi.", "spend_control": {"limit": "5"}},
            "spend_control.limit",
        ),
        ({"environment": NONE, "agent": {"model": "gpt-4o"}, "input": "Hi.", "stream_options": {}}, "stream_options"),
    ]
    for body, param in cases:
        status, error = _error(lambda body=body: sdk.post("/agents/sessions", body=body, cast_to=AgentSession))
        assert (status, error["param"]) == (400, param), body
    status, error = _error(lambda: sdk.beta.agents.sessions.retrieve("sess_missing"))
    assert status == 404 and error["param"] == "session_id"
    session_id = _create(sdk, input="Hi.")["id"]
    message = {"type": "agent.session.input.message", "input": [{"role": "user", "content": [{"type": "input_text"}]}]}
    for events, param in [
        ([{"type": "agent.session.input.message", "role": "user"}], "events[0].role"),  # the event's field, no tag
        ([{"type": "agent.session.input.nothing"}], "events[0].type"),
        ([message], "events[0].input[0].content[0].text"),
    ]:
        status, error = _error(lambda events=events: sdk.beta.agents.sessions.events.create(session_id, events=events))
        assert (status, error["param"]) == (400, param), events


def test_start_session_is_what_another_layer_starts_sessions_with(sdk: openai.OpenAI) -> None:
    principal = Principal(tenant="tenant-a", organization_id="org-a", is_admin=False)
    started = start_session(principal, {"environment": NONE, "agent": {"model": "gpt-4o"}, "input": "Ping."})
    AgentSession.model_validate(started, strict=True)
    assert started["status"] == "in_progress" and started["id"].startswith("sess_")
    with pytest.raises(OpenAIError) as caught:
        start_session(principal, {"environment": NONE, "agent": {"model": 5}, "input": "Ping."})
    assert caught.value.param == "agent.model"
    clock.advance(2.0)
    message = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Pong?"}]}
    sent = send_input(principal, started["id"], [message])
    assert sent["status"] == "in_progress"
    with pytest.raises(OpenAIError) as busy:
        send_input(principal, started["id"], [message])
    assert busy.value.status == 409
    assert stored_session(principal, started["id"])["status"] == "in_progress"


# ------------------------------------------------------------------------------------------------- artifacts, subagents


def test_a_hosted_turn_that_writes_a_file_publishes_an_artifact(sdk: openai.OpenAI) -> None:
    session = _create(sdk, environment={"type": "openai_hosted"}, input="Write a summary of solar power to notes.md")
    assert session["environment"]["type"] == "openai_hosted" and session["environment"]["id"].startswith("env_")
    assert _strict(SessionArtifact, sdk.beta.agents.sessions.artifacts.with_raw_response.list(session["id"])) == []
    sessions.stage()
    sessions.stage()
    (artifact,) = _strict(SessionArtifact, sdk.beta.agents.sessions.artifacts.with_raw_response.list(session["id"]))
    assert artifact["path"] == "/workspace/notes.md" and artifact["environment_id"] == session["environment"]["id"]
    content = sdk.beta.agents.sessions.artifacts.content(artifact["id"], session_id=session["id"]).read()
    assert content.startswith(b"# Solar power") and len(content) == artifact["size_bytes"]
    answer = sessions.held_items(sdk.beta.agents.sessions.items.with_raw_response.list(session["id"]))[0]
    assert answer["role"] == "assistant" and "/workspace/notes.md" in answer["content"][0]["text"]
    assert (
        held(
            SessionArtifact,
            sdk.beta.agents.sessions.artifacts.with_raw_response.retrieve(artifact["id"], session_id=session["id"]),
        )
        == artifact
    )
    elsewhere = sdk.beta.agents.sessions.artifacts.with_raw_response.list(session["id"], environment_id="env_other")
    assert _strict(SessionArtifact, elsewhere) == []

    deleted = held(
        SessionArtifactDeleted,
        sdk.beta.agents.sessions.artifacts.with_raw_response.delete(artifact["id"], session_id=session["id"]),
    )
    assert deleted == {"id": artifact["id"], "object": "agent.session.artifact.deleted", "deleted": True}
    status, body = _error(lambda: sdk.beta.agents.sessions.artifacts.content(artifact["id"], session_id=session["id"]))
    assert status == 404 and body["param"] == "artifact_id"


def test_a_multi_agent_session_delegates_to_a_subagent(sdk: openai.OpenAI) -> None:
    session = _create(
        sdk,
        agent={"model": "gpt-4o", "multi_agent": {"enabled": True}},
        input="Delegate the research on coral reefs to a subagent.",
    )
    sessions.stage()
    sessions.stage()
    subs = sdk.beta.agents.sessions.subagents
    (subagent,) = _strict(Subagent, subs.with_raw_response.list(session["id"]))
    assert subagent["status"] == "closed" and subagent["parent_agent_id"] == session["agent"]["id"]
    assert held(Subagent, subs.with_raw_response.retrieve(subagent["id"], session_id=session["id"])) == subagent
    (turn,) = _strict(Turn, subs.turns.with_raw_response.list(subagent["id"], session_id=session["id"]))
    assert turn["subagent_id"] == subagent["id"] and turn["status"] == "completed"
    assert (
        held(
            Turn,
            subs.turns.with_raw_response.retrieve(turn["id"], session_id=session["id"], subagent_id=subagent["id"]),
        )
        == turn
    )
    (finding,) = sessions.held_items(subs.items.with_raw_response.list(subagent["id"], session_id=session["id"]))
    in_turn = subs.turns.items.with_raw_response.list(turn["id"], session_id=session["id"], subagent_id=subagent["id"])
    assert sessions.held_items(in_turn) == [finding]
    root = [item["type"] for item in sessions.items(sdk, session["id"])]
    assert root == [
        "message",
        "create_subagent_call",
        "wait_for_subagents_call",
        "agent_message",
        "close_subagent_call",
        "message",
    ]
    root_turns = _strict(Turn, sdk.beta.agents.sessions.turns.with_raw_response.list(session["id"]))
    assert [t["subagent_id"] for t in root_turns] == [None]
    status, body = _error(
        lambda: subs.turns.retrieve(root_turns[0]["id"], session_id=session["id"], subagent_id=subagent["id"])
    )
    assert status == 404 and body["param"] == "turn_id"

    replay = sessions.held_events(
        sdk.beta.agents.sessions.with_raw_response.create(
            environment=NONE,
            agent={"model": "gpt-4o", "multi_agent": {"enabled": True}},
            input="Delegate a look at tides to a subagent.",
            stream=True,
        ).http_response
    )
    kinds = [event["type"] for event in replay]
    assert kinds.index("agent.session.subagent.created") < kinds.index("agent.session.subagent.closed")
    sub_turn = next(
        event for event in replay if event["type"] == "agent.session.turn.created" and event["turn"]["subagent_id"]
    )
    assert sub_turn["turn"]["subagent_id"].startswith("subagent_")


# ------------------------------------------------------------------------------------------------- webhooks


def test_each_session_transition_is_one_webhook_event(sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    from openai.types.webhooks import (
        AgentSessionActionRequiredWebhookEvent,
        AgentSessionCreatedWebhookEvent,
        AgentSessionIdleWebhookEvent,
        AgentSessionInProgressWebhookEvent,
    )

    from openai_mock.control import webhooks

    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(webhooks, "emit", lambda *args, **event: sent.append((args[1], event["data"])))
    models: dict[str, type[BaseModel]] = {
        "agent.session.created": AgentSessionCreatedWebhookEvent,
        "agent.session.in_progress": AgentSessionInProgressWebhookEvent,
        "agent.session.action_required": AgentSessionActionRequiredWebhookEvent,
        "agent.session.idle": AgentSessionIdleWebhookEvent,
    }
    session = _create(sdk, agent={"model": "gpt-4o", "tools": [WEATHER]}, input="What is the weather in Bern?")
    sessions.stage()
    sessions.stage()
    action = sessions.retrieve(sdk, session["id"])["required_actions"][0]
    sessions.retrieve(sdk, session["id"])  # a second read sends nothing again
    result: Any = {
        "type": "agent.session.input.tool_result",
        "call_id": action["call_id"],
        "turn_id": action["turn_id"],
        "success": True,
        "output": "Cold.",
    }
    sdk.beta.agents.sessions.events.create(session["id"], events=[result])
    sessions.stage()
    sessions.retrieve(sdk, session["id"])
    kinds = [kind for kind, _ in sent]
    assert kinds == [
        "agent.session.created",
        "agent.session.in_progress",
        "agent.session.action_required",
        "agent.session.in_progress",
        "agent.session.idle",
    ]
    for kind, data in sent:
        event = {"id": "evt_1", "object": "event", "created_at": START, "type": kind, "data": data}
        models[kind].model_validate(event, strict=True)
        assert data["id"] == session["id"]
    assert sent[2][1]["required_action"] == {"type": "function_call"}
    assert sent[0][1]["environment_type"] == "none"

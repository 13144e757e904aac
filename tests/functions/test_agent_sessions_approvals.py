"""Agent sessions that call their agent's MCP tools, through the official SDK (answers held strictly to its models):
under `review: "none"` a call waits for the application's approval (`mcp_approval_request`), answered by an
`agent.session.input.mcp_approval_request_result` event; under `auto_review` the mock's reviewer decides at once
(read-only tools approved, anything else denied)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.beta import AgentSession
from openai.types.beta.agents.sessions import Turn

from openai_mock.resources.agents.sessions import events as session_events
from tests.support import agent_sessions as sessions
from tests.support.sdk import held

NONE: Any = {"type": "none"}
DOCS: Any = {
    "type": "mcp",
    "server_label": "docs",
    "transport": {"type": "http", "server_url": "https://mcp.example.com"},
}
TRACKER: Any = {**DOCS, "server_label": "tracker", "allowed_tools": ["search_issues", "create_issue"]}

pinned_clock = sessions.pinned_clock_fixture()
sdk = sessions.sdk_fixture()
_create = sessions.creator(environment=NONE, agent={"model": "gpt-4o", "tools": [DOCS]})


def _decide(sdk: openai.OpenAI, session_id: str, request_id: str, decision: str) -> None:
    event: Any = {
        "type": "agent.session.input.mcp_approval_request_result",
        "request_id": request_id,
        "response": {"type": "mcp_tool_call", "decision": decision},
    }
    sessions.send(sdk, session_id, event)


# ------------------------------------------------------------------------------------------------- review: none


def test_an_mcp_call_waits_for_approval_and_runs_once_approved(sdk: openai.OpenAI) -> None:
    unrelated = _create(sdk, input="Explain how tides work.")  # names none of the server's tools: no call
    sessions.stage()
    sessions.stage()
    assert [item["type"] for item in sessions.items(sdk, unrelated["id"])] == ["message", "message"]

    prompt = "Search the docs for vector indexes."
    session = _create(sdk, input=prompt)
    action = sessions.waiting(sdk, session["id"])
    turn = held(
        Turn, sdk.beta.agents.sessions.turns.with_raw_response.retrieve(action["turn_id"], session_id=session["id"])
    )
    assert turn["status"] == "waiting" and turn["usage"]["output_tokens"] > 0
    assert action["request_id"].startswith("mcpr_")
    assert action == {
        "type": "mcp_approval_request",
        "request_id": action["request_id"],
        "turn_id": turn["id"],
        "request": {
            "type": "mcp_tool_call",
            "server_label": "docs",
            "name": "search",
            "arguments": {"query": prompt},
            "message": "Allow the agent to call `search` on the docs MCP server?",
        },
    }
    assert [item["type"] for item in sessions.items(sdk, session["id"])] == ["message"]  # nothing ran yet

    _decide(sdk, session["id"], action["request_id"], "approve")
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    items = sessions.idle(sdk, session["id"])
    assert [item["type"] for item in items] == ["message", "mcp_call", "message"]
    call = items[1]
    assert call["server_label"] == "docs" and call["name"] == "search" and call["arguments"] == {"query": prompt}
    assert call["status"] == "completed" and call["error"] is None
    assert call["output"] == f"search on docs for {prompt!r}: 3 results found."
    assert "3 results found" in sessions.answer(items)


def test_a_denied_mcp_call_does_not_run_and_the_answer_says_so(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Fetch https://example.com/changelog for me.")
    action = sessions.waiting(sdk, session["id"])
    assert action["request"]["name"] == "fetch"
    assert action["request"]["arguments"] == {"url": "https://example.com/changelog"}
    _decide(sdk, session["id"], action["request_id"], "deny")
    items = sessions.idle(sdk, session["id"])
    assert [item["type"] for item in items] == ["message", "message"]
    assert sessions.answer(items).startswith(
        "I did not call `fetch` on the docs MCP server: the call was not approved."
    )

    dismissed = _create(sdk, input="Search the docs for rate limits.")
    _decide(sdk, dismissed["id"], sessions.waiting(sdk, dismissed["id"])["request_id"], "cancel")
    sessions.stage()
    assert "its approval request was dismissed" in sessions.answer(sessions.items(sdk, dismissed["id"]))


def test_an_unknown_or_already_decided_request_is_refused(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Search the docs for webhooks.")
    action = sessions.waiting(sdk, session["id"])
    sessions.assert_refuses_unknown_and_repeated(
        lambda request_id: _decide(sdk, session["id"], request_id, "approve"), "mcpr_unknown", action["request_id"]
    )


def test_the_event_stream_stops_for_the_approval_and_goes_on(
    sdk: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session_events, "QUIET_SECONDS", 0.2)
    raw = sdk.beta.agents.sessions.with_raw_response.create(
        environment=NONE, agent={"model": "gpt-4o", "tools": [DOCS]}, input="Search the docs for batches.", stream=True
    )
    first = sessions.held_events(raw.http_response)
    assert first[-1]["type"] == "agent.session.requires_action"
    session_id = first[0]["session"]["id"]
    action = first[-1]["session"]["required_actions"][0]
    _decide(sdk, session_id, action["request_id"], "approve")

    live = sdk.beta.agents.sessions.events.with_raw_response.stream(session_id, include_obfuscation=False)
    events = sessions.held_events(live.http_response)
    kinds = [event["type"] for event in events]
    stop = kinds.index("agent.session.requires_action")
    assert kinds[stop + 1] == "agent.session.in_progress"
    added = [event["item"]["type"] for event in events[stop:] if event["type"] == "agent.session.turn.item.added"]
    assert added == ["mcp_call", "message"]
    assert kinds[-2:] == ["agent.session.turn.completed", "agent.session.idle"]
    turn_part = first[1:]  # after `agent.session.created`: the turn, to its stop, which the live stream repeats
    shown = [(event["event_id"], event["type"]) for event in events]
    assert shown[: len(turn_part)] == [(event["event_id"], event["type"]) for event in turn_part]


# ------------------------------------------------------------------------------------------------- auto_review


def test_auto_review_approves_a_read_only_call_without_waiting(sdk: openai.OpenAI) -> None:
    prompt = "Search issues about the login timeout."
    session = _create(sdk, agent={"model": "gpt-4o", "tools": [TRACKER]}, input=prompt, review="auto_review")
    assert session["review"] == "auto_review"
    sessions.stage()
    assert sessions.retrieve(sdk, session["id"])["status"] == "in_progress"
    items = sessions.idle(sdk, session["id"])
    assert [item["type"] for item in items] == ["message", "mcp_call", "message"]
    assert items[1]["name"] == "search_issues" and items[1]["server_label"] == "tracker"
    assert items[1]["output"] in sessions.answer(items)


def test_auto_review_denies_a_call_that_would_need_a_person(sdk: openai.OpenAI) -> None:
    session = _create(
        sdk,
        agent={"model": "gpt-4o", "tools": [TRACKER]},
        input="Create an issue for the login timeout.",
        review="auto_review",
    )
    items = sessions.idle(sdk, session["id"], stages=2)
    assert [item["type"] for item in items] == ["message", "message"]
    assert sessions.answer(items).startswith(
        "I did not call `create_issue` on the tracker MCP server: automatic review did not approve it"
    )


def test_switching_review_by_update_applies_to_the_next_phase(sdk: openai.OpenAI) -> None:
    session = _create(sdk, input="Search the docs for embeddings.")
    action = sessions.waiting(sdk, session["id"])
    updated = held(AgentSession, sdk.beta.agents.sessions.with_raw_response.update(session["id"], review="auto_review"))
    assert updated["review"] == "auto_review" and updated["required_actions"] == [action]  # the asked stays asked
    _decide(sdk, session["id"], action["request_id"], "approve")
    sessions.stage()

    sessions.say(sdk, session["id"], "Now search the docs for fine-tuning.")
    sessions.stage()
    sessions.stage()
    assert sessions.retrieve(sdk, session["id"])["status"] == "idle"  # reviewed automatically: never waited
    assert [item["type"] for item in sessions.items(sdk, session["id"])][-3:] == ["message", "mcp_call", "message"]

    sdk.beta.agents.sessions.update(session["id"], review="none")
    sessions.say(sdk, session["id"], "And search the docs for moderation.")
    assert sessions.waiting(sdk, session["id"])["request"]["arguments"] == {
        "query": "And search the docs for moderation."
    }

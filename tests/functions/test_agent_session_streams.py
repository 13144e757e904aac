"""A session's live event stream (`GET /v1/agents/sessions/{id}/events`) on a real socket, as the SDK reads it while
its own requests go on beside it: `client.beta.agents.sessions.stream()` subscribes to an idle session first, then
sends the input, answers the function calls with its tool handlers, and reads the turn to idle on the same stream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.types.beta.agent_session_event import AgentSessionEvent
from pydantic import TypeAdapter

from openai_mock import clock
from openai_mock.resources.agents.sessions import events as session_events
from tests.support.live_server import live_server

NONE: Any = {"type": "none"}
# A session may start without input in a self-hosted environment (with `none`, input is required).
SELF_HOSTED: Any = {"type": "self_hosted", "workspace_directory": "/workspace"}
WEATHER: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
EVENT: TypeAdapter[Any] = TypeAdapter(AgentSessionEvent)
AUTH = {"Authorization": "Bearer sk-test"}


@pytest.fixture
def base_url() -> Iterator[str]:
    clock.freeze(1_790_000_000)
    with live_server() as url:
        yield url


@pytest.fixture
def sdk(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sk-test", max_retries=0)


def _event(line: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(line.removeprefix("data: "))
    EVENT.validate_python(event, strict=True)
    return event


def test_the_sdk_subscribes_sends_its_input_and_runs_the_tools_to_idle(sdk: openai.OpenAI) -> None:
    session = sdk.beta.agents.sessions.create(environment=SELF_HOSTED, agent={"model": "gpt-4o", "tools": [WEATHER]})
    assert session.status == "idle"
    seen = []
    with sdk.beta.agents.sessions.stream(
        session.id,
        input="What is the weather in Lisbon?",
        tool_handlers={"get_weather": lambda arguments: f"Sunny in {arguments['city']}"},
    ) as stream:
        for event in stream:
            EVENT.validate_python(event.model_dump(mode="json", by_alias=True, exclude_unset=True), strict=True)
            seen.append(event.type)
    assert seen[0] == "agent.session.idle"  # the state it was in when the subscription began
    assert seen[-2:] == ["agent.session.turn.completed", "agent.session.idle"]
    assert seen.index("agent.session.requires_action") < seen.index("agent.session.turn.completed")
    assert seen.count("agent.session.turn.created") == 1
    items = sdk.beta.agents.sessions.items.list(session.id, order="asc").data
    assert [item.type for item in items] == ["message", "function_call", "function_call_output", "message"]
    assert items[2].output == "Sunny in Lisbon"  # type: ignore[union-attr]
    assert sdk.beta.agents.sessions.retrieve(session.id).status == "idle"


def test_the_final_result_of_a_streamed_turn_is_its_answer(sdk: openai.OpenAI) -> None:
    session = sdk.beta.agents.sessions.create(environment=SELF_HOSTED, agent={"model": "gpt-4o"})
    with sdk.beta.agents.sessions.stream(session.id, input="Tell me about the moon.") as stream:
        result = stream.get_final_result()
    [message] = [item for item in sdk.beta.agents.sessions.items.list(session.id).data if item.role == "assistant"]  # type: ignore[union-attr]
    assert result.output_text == message.content[0].text  # type: ignore[union-attr]
    assert result.output_text


def test_a_subscriber_sees_a_turn_stop_for_a_function_result_and_go_on(base_url: str) -> None:
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as http:
        session = http.post(
            "/agents/sessions",
            json={"environment": NONE, "agent": {"model": "gpt-4o", "tools": [WEATHER]}, "input": "Weather in Oslo?"},
        ).json()
        with http.stream("GET", f"/agents/sessions/{session['id']}/events") as stream:
            lines = stream.iter_lines()
            received = []
            for line in lines:
                if line.startswith("data: "):
                    received.append(_event(line))
                    if received[-1]["type"] == "agent.session.requires_action":
                        break
            [action] = received[-1]["session"]["required_actions"]
            result = {
                "type": "agent.session.input.tool_result",
                "call_id": action["call_id"],
                "turn_id": action["turn_id"],
                "success": True,
                "output": "Cold",
            }
            sent = http.post(f"/agents/sessions/{session['id']}/events", json={"events": [result]})
            assert sent.status_code == 202
            for line in lines:
                if line.startswith("data: "):
                    received.append(_event(line))
    kinds = [event["type"] for event in received]
    assert kinds[-1] == "agent.session.idle" and kinds[-2] == "agent.session.turn.completed"
    ids = [event["event_id"] for event in received]
    assert len(ids) == len(set(ids))  # the same event is never sent twice, and no id names two events
    after = kinds[kinds.index("agent.session.requires_action") :]
    assert after[1:3] == ["agent.session.turn.item.added", "agent.session.in_progress"]  # the result, then running


def test_a_quiet_subscription_ends_after_its_wait(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_events, "QUIET_SECONDS", 0.3)
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as http:
        session = http.post("/agents/sessions", json={"environment": SELF_HOSTED, "agent": {"model": "gpt-4o"}}).json()
        answer = http.get(f"/agents/sessions/{session['id']}/events")
        assert http.get("/agents/sessions/sess_unknown/events").status_code == 404
    events = [_event(line) for line in answer.text.splitlines() if line.startswith("data: ")]
    assert [event["type"] for event in events] == ["agent.session.idle"]
    assert answer.headers["content-type"].startswith("text/event-stream")

"""The OpenAI Agents SDK's realtime agents (`RealtimeRunner` over `OpenAIRealtimeWebSocketModel`) against the mock's
GA Realtime WebSocket on the local server, text out, as its own examples run them: a turn answered, a function
tool run by the SDK and its result used by the answer that follows, and a handoff to a second agent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import agents
import pytest
from agents import realtime

from tests.support.live_server import live_server_fixture
from tests.support.loop import run_on_private_loop
from tests.support.spec import validate_component

EVENT_SECONDS = 30  # the SDK's iterator waits forever: a missing event must fail the test, not hang the suite
TEXT_ONLY = {"model_name": "gpt-realtime", "output_modalities": ["text"]}

base_url = live_server_fixture()


def _agent_ends(count: int) -> Callable[[list[Any]], bool]:
    return lambda events: sum(event.type == "agent_end" for event in events) == count


async def _next_event(iterator: AsyncIterator[Any]) -> Any:
    try:
        return await asyncio.wait_for(anext(iterator), EVENT_SECONDS)
    except (TimeoutError, StopAsyncIteration) as missing:
        pytest.fail(f"the realtime session stopped before the turn ended: {missing!r}")


def _converse(base_url: str, agent: Any, message: str, done: Callable[[list[Any]], bool]) -> list[Any]:
    """Opens the agent's session on the mock, sends one text message, and returns the session's events until
    `done` says the turns it expects are over."""
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform
    runner = realtime.RealtimeRunner(agent, config={"model_settings": TEXT_ONLY})
    url = base_url.replace("http://", "ws://") + "/realtime?model=gpt-realtime"

    async def run() -> list[Any]:
        events: list[Any] = []
        session = await runner.run(model_config={"url": url, "api_key": "sk-agents-realtime"})
        async with session:
            iterator = aiter(session)
            await session.send_message(message)
            while not done(events):
                events.append(await _next_event(iterator))
            await iterator.aclose()  # type: ignore[attr-defined]
        return events

    return run_on_private_loop(run())


def _server_events(events: list[Any], kind: str | None = None) -> list[dict[str, Any]]:
    """The mock's own frames, as the SDK saw them."""
    return [
        event.data.data
        for event in events
        if event.type == "raw_model_event"
        and event.data.type == "raw_server_event"
        and (kind is None or event.data.data["type"] == kind)
    ]


def _session_kinds(events: list[Any]) -> list[str]:
    """The session's events a realtime app listens to (model events and history aside)."""
    quiet = {"raw_model_event", "history_added", "history_updated"}
    return [event.type for event in events if event.type not in quiet]


def _assistant_texts(events: list[Any]) -> list[str]:
    history = [event.history for event in events if event.type == "history_updated"][-1]
    return [
        part.text
        for item in history
        if item.type == "message" and item.role == "assistant"
        for part in item.content
        if part.type == "text"
    ]


def _held_to_the_spec(events: list[Any]) -> None:
    for frame in _server_events(events):
        validate_component("RealtimeServerEvent", frame, spec="2026-08-21")


def test_a_text_turn_is_answered_and_ends_the_agents_turn(base_url: str) -> None:
    agent = realtime.RealtimeAgent(name="Assistant", instructions="You are a helpful assistant. Be brief.")
    events = _converse(base_url, agent, "Hello there", _agent_ends(1))

    assert _session_kinds(events) == ["agent_start", "agent_end"]  # no error, no audio: text out only
    assert all(event.agent is agent for event in events if event.type in ("agent_start", "agent_end"))
    [answer] = _assistant_texts(events)
    assert answer.strip()
    streamed = "".join(delta["delta"] for delta in _server_events(events, "response.output_text.delta"))
    assert streamed == answer  # the SDK's history holds what the mock streamed
    updated = _server_events(events, "session.updated")[-1]["session"]
    assert updated["instructions"] == agent.instructions  # the agent's settings reached the mock's session
    assert updated["output_modalities"] == ["text"]
    [done] = _server_events(events, "response.done")
    assert done["response"]["status"] == "completed"
    assert done["response"]["usage"]["output_token_details"]["audio_tokens"] == 0
    _held_to_the_spec(events)


def test_a_function_tool_runs_in_the_sdk_and_the_answer_uses_its_output(base_url: str) -> None:
    calls: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"The weather in {city} is sunny and 22 degrees."

    agent = realtime.RealtimeAgent(
        name="Weather agent", instructions="Answer weather questions with the tool.", tools=[get_weather]
    )
    events = _converse(base_url, agent, "What is the weather in Tokyo?", _agent_ends(2))

    assert calls == ["Tokyo"]
    kinds = _session_kinds(events)
    # The SDK runs the tool in a task of its own, so `tool_start` may come before or after the first turn's end;
    # the second turn, the one that answers, starts only once the tool's output is sent.
    assert sorted(kinds) == sorted(["agent_start", "agent_end", "tool_start", "tool_end", "agent_start", "agent_end"])
    assert kinds.index("tool_start") < kinds.index("tool_end") < len(kinds) - 2
    assert kinds[-2:] == ["agent_start", "agent_end"]
    tool_end = next(event for event in events if event.type == "tool_end")
    assert tool_end.tool.name == "get_weather"
    assert json.loads(tool_end.arguments) == {"city": "Tokyo"}
    assert tool_end.output == "The weather in Tokyo is sunny and 22 degrees."
    [sent] = [
        frame["item"]
        for frame in _server_events(events, "conversation.item.done")
        if frame["item"]["type"] == "function_call_output"
    ]
    assert sent["output"] == tool_end.output  # the SDK sent the tool's output back to the session
    [answer] = _assistant_texts(events)
    assert "sunny and 22 degrees" in answer  # the answer after the tool uses its result
    responses = _server_events(events, "response.done")
    assert [response["response"]["output"][0]["type"] for response in responses] == ["function_call", "message"]
    _held_to_the_spec(events)


def test_a_handoff_moves_the_session_to_the_second_agent(base_url: str) -> None:
    spanish = realtime.RealtimeAgent(
        name="Spanish agent", instructions="You only speak Spanish.", handoff_description="Spanish"
    )
    triage = realtime.RealtimeAgent(
        name="Triage agent",
        instructions="Hand off to the Spanish agent when the user writes in Spanish.",
        handoffs=[spanish],
    )
    events = _converse(base_url, triage, "Hola, transfer me to the Spanish agent please: ¿cómo estás?", _agent_ends(2))

    kinds = _session_kinds(events)
    # As a tool call, the handoff runs in a task of the SDK's: it may come before or after the first turn's end.
    assert sorted(kinds) == sorted(["agent_start", "agent_end", "handoff", "agent_start", "agent_end"])
    assert kinds[-2:] == ["agent_start", "agent_end"]
    handoff = next(event for event in events if event.type == "handoff")
    assert (handoff.from_agent, handoff.to_agent) == (triage, spanish)
    assert [event.agent for event in events if event.type == "agent_start"] == [triage, spanish]
    assert [event.agent for event in events if event.type == "agent_end"] == [triage, spanish]
    [call] = [
        frame["item"]
        for frame in _server_events(events, "conversation.item.done")
        if frame["item"]["type"] == "function_call"
    ]
    assert call["name"] == "transfer_to_spanish_agent"  # the mock chose the handoff's tool
    # The SDK swapped the session's settings for the second agent's before it answered.
    session = _server_events(events, "session.updated")[-1]["session"]
    assert (session["instructions"], session["tools"]) == ("You only speak Spanish.", [])
    [answer] = _assistant_texts(events)
    assert answer.strip()
    _held_to_the_spec(events)

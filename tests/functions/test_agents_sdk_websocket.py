"""The OpenAI Agents SDK over the Responses API's WebSocket mode (`OpenAIResponsesWSModel`, the transport its
`responses_websocket_session` uses) against the mock's local server: a tool loop, chained turns with
`store: false` (the connection holds what it was not allowed to store), and the same loop answered as over HTTP."""

from __future__ import annotations

from typing import Any

import agents
import openai
import pytest

from tests.support.live_server import live_server_fixture
from tests.support.loop import run_on_private_loop

base_url = live_server_fixture()


def _weather_agent(calls: list[str], model: Any, **settings: Any) -> Any:
    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"The weather in {city} is sunny and 22 degrees."

    return agents.Agent(
        name="Weather agent",
        instructions="Answer weather questions with the tool.",
        tools=[get_weather],
        model=model,
        model_settings=agents.ModelSettings(**settings),
    )


def _socket_model(base_url: str) -> Any:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="sk-agents-socket", max_retries=0)
    return agents.OpenAIResponsesWSModel(model="gpt-4.1", openai_client=client)


def _run(agent: Any, prompt: str, **options: Any) -> Any:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform

    async def run() -> Any:
        try:
            return await agents.Runner.run(agent, prompt, **options)
        finally:
            await agent.model.close()

    return run_on_private_loop(run())


def test_a_tool_loop_runs_over_the_socket(base_url: str) -> None:
    calls: list[str] = []
    result = _run(_weather_agent(calls, _socket_model(base_url)), "What is the weather in Tokyo?")
    assert calls == ["Tokyo"]
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"]
    assert "sunny" in result.final_output or "22" in result.final_output  # the answer uses the tool's result


def test_unstored_turns_chain_on_the_connection(base_url: str) -> None:
    """With `store: false` and the SDK's response chaining, each model call sends only its new items and names the
    previous response, which only the connection holds."""
    calls: list[str] = []
    agent = _weather_agent(calls, _socket_model(base_url), store=False)
    result = _run(agent, "What is the weather in Oslo?", auto_previous_response_id=True)
    assert calls == ["Oslo"]
    assert result.last_response_id is not None
    assert [item.type for item in result.new_items][-1] == "message_output_item"
    # The second model call continued the first without its history being sent again: it read the tool's result.
    assert "Oslo" in result.final_output or "sunny" in result.final_output
    with pytest.raises(openai.NotFoundError):  # nothing was stored
        openai.OpenAI(base_url=base_url, api_key="sk-agents-socket").responses.retrieve(result.last_response_id)

"""An agents framework's multi-turn loop against the mock: the OpenAI Agents SDK's tools, handoffs and structured
output, run in-process over the Responses API (and over Chat Completions), the way its own examples run them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import agents
import pytest
from pydantic import BaseModel

from openai_mock.local.server import TemplateRouter
from tests.support.loop import run_on_private_loop
from tests.support.sdk import async_asgi_client


@pytest.fixture
def model_for(mock_app: TemplateRouter) -> Iterator[Any]:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform

    def build(name: str = "gpt-4.1", api: str = "responses") -> Any:
        client = async_asgi_client(mock_app, "sk-agents")
        if api == "chat":
            return agents.OpenAIChatCompletionsModel(model=name, openai_client=client)
        return agents.OpenAIResponsesModel(model=name, openai_client=client)

    yield build


def _run(agent: Any, prompt: str, **options: Any) -> Any:
    return run_on_private_loop(agents.Runner.run(agent, prompt, **options))


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_tool_loop_calls_the_function_and_answers_with_its_result(model_for: Any, api: str) -> None:
    calls: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"The weather in {city} is sunny and 22 degrees."

    agent = agents.Agent(
        name="Weather agent",
        instructions="Answer weather questions with the tool.",
        tools=[get_weather],
        model=model_for(api=api),
    )
    result = _run(agent, "What is the weather in Tokyo?")
    assert calls == ["Tokyo"]
    kinds = [item.type for item in result.new_items]
    assert kinds == ["tool_call_item", "tool_call_output_item", "message_output_item"]
    assert isinstance(result.final_output, str) and result.final_output.strip()


def test_handoff_passes_the_conversation_to_the_specialist(model_for: Any) -> None:
    spanish = agents.Agent(
        name="Spanish agent", instructions="You only speak Spanish.", model=model_for(), handoff_description="Spanish"
    )
    triage = agents.Agent(
        name="Triage agent",
        instructions="Hand off to the Spanish agent when the user writes in Spanish.",
        handoffs=[spanish],
        model=model_for(),
    )
    result = _run(triage, "Hola, transfer me to the Spanish agent please: ¿cómo estás?")
    assert result.last_agent.name == "Spanish agent"
    assert any(item.type == "handoff_output_item" for item in result.new_items)
    assert isinstance(result.final_output, str) and result.final_output.strip()
    assert "assistant: Spanish agent" not in result.final_output  # it answers the user, not the transfer's output


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_structured_output_parses_into_the_agents_type(model_for: Any) -> None:
    agent = agents.Agent(
        name="Calendar extractor",
        instructions="Extract calendar events from text.",
        output_type=CalendarEvent,
        model=model_for(),
    )
    result = _run(agent, "Alice and Bob are going to a science fair on Friday.")
    event = result.final_output
    assert isinstance(event, CalendarEvent)
    assert event.name and event.date and isinstance(event.participants, list)


def test_tool_then_structured_output_in_one_run(model_for: Any) -> None:
    @agents.function_tool
    def lookup_population(city: str) -> int:
        """Look up the population of a city."""
        return 8_336_817 if city.lower().startswith("new york") else 1_000

    class CityFacts(BaseModel):
        city: str
        population: int

    agent = agents.Agent(
        name="Facts agent",
        instructions="Use the tool, then answer with the facts.",
        tools=[lookup_population],
        output_type=CityFacts,
        model=model_for(),
    )
    result = _run(agent, "What is the population of New York?", max_turns=5)
    assert result.final_output == CityFacts(city="New York", population=8_336_817)  # what the tool said
    assert [item.type for item in result.new_items][:2] == ["tool_call_item", "tool_call_output_item"]

"""Standing instructions (an agent's `instructions`, a system or developer message) shape every answer: the
OpenAI Agents SDK's own patterns — a haiku-only agent, translators and a picker run in parallel, a triage that hands
off to a French-speaking agent, a tool that returns a pydantic model — run in-process against the mock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import agents
import openai
import pytest
from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from pydantic import BaseModel

from openai_mock.local.server import TemplateRouter
from tests.support.loop import run_on_private_loop
from tests.support.sdk import async_asgi_client, held

HAIKU = "You only respond in haikus."


@pytest.fixture
def model_for(mock_app: TemplateRouter) -> Iterator[Any]:
    agents.set_tracing_disabled(True)  # traces would be exported to OpenAI's platform

    def build(api: str = "responses") -> Any:
        client = async_asgi_client(mock_app, "sk-standing")
        if api == "chat":
            return agents.OpenAIChatCompletionsModel(model="gpt-4.1", openai_client=client)
        return agents.OpenAIResponsesModel(model="gpt-4.1", openai_client=client)

    yield build


def _run(agent: Any, prompt: str) -> Any:
    return run_on_private_loop(agents.Runner.run(agent, prompt))


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_a_haiku_only_agent_answers_in_a_haiku_about_the_question(model_for: Any, api: str) -> None:
    agent = agents.Agent(name="Assistant", instructions=HAIKU, model=model_for(api))
    answer = _run(agent, "Tell me about recursion in programming.").final_output
    lines = answer.splitlines()
    assert len(lines) == 3 and "recursion in programming" in lines[0].lower(), answer


def test_a_haiku_only_agent_asked_for_a_joke_answers_in_a_haiku(model_for: Any) -> None:
    """The Agents SDK's dynamic_system_prompt example: a piece asked for by name under a standing form (a 500 once)."""
    agent = agents.Agent(name="Assistant", instructions="Only respond in haikus.", model=model_for())
    answer = _run(agent, "Tell me a joke.").final_output
    assert len(answer.splitlines()) == 3, answer


def test_a_writer_told_to_write_a_story_from_an_outline_tells_one_about_it(model_for: Any) -> None:
    """The deterministic-flow pattern: an outline for a sci-fi story, then a writer told to write the story from it."""
    outliner = agents.Agent(
        name="outliner",
        instructions="Generate a very short story outline based on the user's input.",
        model=model_for(),
    )
    writer = agents.Agent(
        name="writer", instructions="Write a short story based on the given outline.", model=model_for()
    )
    outline = _run(outliner, "Write a short sci-fi story.").final_output
    story = _run(writer, outline).final_output
    assert "starship" in outline and "starship" in story, (outline, story)
    assert story.count("\n\n") == 2 and story != outline  # a tale of its own, in three paragraphs


def test_parallel_translators_translate_and_the_picker_picks_one_of_them(model_for: Any) -> None:
    translator = agents.Agent(
        name="spanish_agent", instructions="You translate the user's message to Spanish", model=model_for()
    )
    picker = agents.Agent(
        name="translation_picker",
        instructions="You pick the best Spanish translation from the given options.",
        model=model_for(),
    )
    translations = [_run(translator, "Good morning!").final_output for _ in range(3)]
    assert translations == ["¡Buenos días!"] * 3
    options = "\n\n".join(translations)
    best = _run(picker, f"Input: Good morning!\n\nTranslations:\n{options}").final_output
    assert best == "¡Buenos días!"


def test_a_triage_hands_off_and_the_french_agent_answers_in_french(model_for: Any) -> None:
    french = agents.Agent(name="french_agent", instructions="You only speak French", model=model_for())
    spanish = agents.Agent(name="spanish_agent", instructions="You only speak Spanish", model=model_for())
    triage = agents.Agent(
        name="triage_agent",
        instructions="Handoff to the appropriate agent based on the language of the request.",
        handoffs=[french, spanish],
        model=model_for(),
    )
    result = _run(triage, "Hello, how do I say good evening in French?")
    assert result.last_agent.name == "french_agent"
    assert result.final_output == "« Good evening » se dit « Bonsoir » en français."


class Weather(BaseModel):
    city: str
    temperature_range: str
    conditions: str


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_a_tool_returning_a_pydantic_model_is_reported_in_words(model_for: Any, api: str) -> None:
    @agents.function_tool
    def get_weather(city: str) -> Weather:
        """Get the current weather information for a specified city."""
        return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")

    agent = agents.Agent(
        name="Hello world", instructions="You are a helpful agent.", tools=[get_weather], model=model_for(api)
    )
    answer = _run(agent, "What's the weather in Tokyo?").final_output
    assert answer == "The weather in Tokyo: 14–20C, sunny with wind."


def test_the_sdk_models_hold_answers_shaped_by_instructions(client: openai.OpenAI) -> None:
    body = held(Response, client.responses.with_raw_response.create(model="gpt-4o", instructions=HAIKU, input="Hi!"))
    text = body["output"][0]["content"][0]["text"]
    assert len(text.splitlines()) == 3
    assert body["usage"]["output_tokens"] > 0
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": "Respond in all caps."}, {"role": "user", "content": "Hello!"}],
    )
    answer = held(ChatCompletion, raw)["choices"][0]["message"]["content"]
    assert answer == "HELLO! HOW CAN I HELP YOU TODAY?"

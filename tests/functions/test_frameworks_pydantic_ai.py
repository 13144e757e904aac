"""Pydantic AI as a judge: an `Agent` on `OpenAIChatModel` (Chat Completions) and on `OpenAIResponsesModel`
(Responses), bound in-process to the mock through `OpenAIProvider(openai_client=...)`, run the way an application
runs it (run / run_sync, structured output, a tool loop, run_stream, an error), parses what the mock answers into
Pydantic AI's own objects. Nothing leaves the machine: instrumentation is off and any connection but loopback fails."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pydantic_ai
import pytest
from pydantic import BaseModel
from pydantic_ai import messages as ai_messages
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.providers.openai import OpenAIProvider

from openai_mock.local.server import TemplateRouter
from tests.support.loop import run_on_private_loop
from tests.support.offline import offline_fixture

SEED = {"x-mock-seed": "31"}  # the same seed for every call: a streamed answer equals the unstreamed one
APIS = ["chat", "responses"]


class Movie(BaseModel):
    """A film and the year it came out."""

    title: str
    year: int


class Mock:
    """Builds Pydantic AI models bound to the in-process mock, and keeps the JSON bodies the mock answered."""

    def __init__(self, app: TemplateRouter) -> None:
        self.app = app
        self.answers: list[dict[str, Any]] = []

    async def _keep(self, response: httpx.Response) -> None:
        if response.headers.get("content-type", "").startswith("application/json"):
            await response.aread()
            self.answers.append(json.loads(response.content))

    def model(self, api: str, name: str = "gpt-4o-mini") -> Any:
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            event_hooks={"response": [self._keep]},
        )
        client = openai.AsyncOpenAI(
            base_url="http://testserver/v1",
            api_key="sk-pydantic-ai",
            http_client=http,
            max_retries=0,
            default_headers=SEED,
        )
        provider = OpenAIProvider(openai_client=client)
        if api == "chat":
            return OpenAIChatModel(name, provider=provider)
        return OpenAIResponsesModel(name, provider=provider)


offline = offline_fixture(
    "Pydantic AI",
    env={"PYDANTIC_AI_NO_BANNER": "1", "OTEL_SDK_DISABLED": "true", "LOGFIRE_SEND_TO_LOGFIRE": "false"},
)


@pytest.fixture
def mock(mock_app: TemplateRouter, offline: None) -> Mock:
    return Mock(mock_app)


def _agent(model: Any, **options: Any) -> Any:
    return pydantic_ai.Agent(model, **options)  # not instrumented: Agent.instrument_all() is never called


def _usage_of(answer: dict[str, Any]) -> tuple[int, int]:
    usage = answer["usage"]
    if "prompt_tokens" in usage:
        return usage["prompt_tokens"], usage["completion_tokens"]
    return usage["input_tokens"], usage["output_tokens"]


@pytest.mark.parametrize("api", APIS)
def test_run_answers_text_with_the_mocks_usage(mock: Mock, api: str) -> None:
    result = run_on_private_loop(_agent(mock.model(api)).run("Write one sentence about the sea."))
    assert isinstance(result.output, str) and len(result.output.split()) > 2
    [answer] = mock.answers
    usage = result.usage
    assert usage.requests == 1
    assert (usage.input_tokens, usage.output_tokens) == _usage_of(answer)
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    response = result.all_messages()[-1]
    assert isinstance(response, ai_messages.ModelResponse)
    assert response.provider_response_id == answer["id"]
    assert response.model_name == answer["model"]


@pytest.mark.parametrize("api", APIS)
def test_run_sync_answers_the_same_text_as_run(mock: Mock, api: str) -> None:
    prompt = "Describe a lighthouse in two sentences."
    ran = run_on_private_loop(_agent(mock.model(api)).run(prompt))
    ran_sync = _agent(mock.model(api)).run_sync(prompt)
    assert ran_sync.output == ran.output
    assert ran_sync.usage.output_tokens == ran.usage.output_tokens


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("mode", ["tool", "native"])
def test_output_type_answers_a_valid_pydantic_object(mock: Mock, api: str, mode: str) -> None:
    # Pydantic AI asks for structured output as a `final_result` tool call by default; NativeOutput asks for a
    # strict json_schema response format (text.format on Responses) instead.
    output_type = Movie if mode == "tool" else pydantic_ai.NativeOutput(Movie)
    agent = _agent(mock.model(api), output_type=output_type)
    result = run_on_private_loop(agent.run("Name a film from the 1990s and its year."))
    assert isinstance(result.output, Movie)
    [response] = [message for message in result.all_messages() if isinstance(message, ai_messages.ModelResponse)]
    [part] = response.parts
    if mode == "tool":
        assert isinstance(part, ai_messages.ToolCallPart) and part.tool_name == "final_result"
        assert Movie.model_validate(part.args_as_dict()) == result.output
    else:
        assert isinstance(part, ai_messages.TextPart)
        assert Movie.model_validate_json(part.content) == result.output
    assert result.output.title.strip()
    assert isinstance(result.output.year, int)


@pytest.mark.parametrize("api", APIS)
def test_tool_is_called_and_its_return_is_answered(mock: Mock, api: str) -> None:
    calls: list[str] = []
    agent = _agent(mock.model(api), instructions="Answer weather questions with the tool.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"The weather in {city} is sunny and 22 degrees."

    result = run_on_private_loop(agent.run("What is the weather in Tokyo?"))
    assert calls == ["Tokyo"]
    parts = [part for message in result.all_messages() for part in message.parts]
    [call] = [part for part in parts if isinstance(part, ai_messages.ToolCallPart)]
    [returned] = [part for part in parts if isinstance(part, ai_messages.ToolReturnPart)]
    assert call.tool_name == "get_weather" and call.args_as_dict() == {"city": "Tokyo"}
    assert returned.tool_call_id == call.tool_call_id
    assert returned.content == "The weather in Tokyo is sunny and 22 degrees."
    kinds = [[type(part) for part in message.parts] for message in result.all_messages()]
    assert kinds == [
        [ai_messages.UserPromptPart],
        [ai_messages.ToolCallPart],
        [ai_messages.ToolReturnPart],
        [ai_messages.TextPart],
    ]
    assert "sunny and 22 degrees" in result.output  # the mock answers from the tool's return
    assert result.usage.requests == 2


@pytest.mark.parametrize("api", APIS)
def test_run_stream_pieces_add_up_to_the_run_output(mock: Mock, api: str) -> None:
    prompt = "Describe a harbour at dawn in two sentences."
    whole = run_on_private_loop(_agent(mock.model(api)).run(prompt))

    async def stream() -> tuple[list[str], str, Any]:
        async with _agent(mock.model(api)).run_stream(prompt) as streamed:
            pieces = [piece async for piece in streamed.stream_text(delta=True, debounce_by=None)]
            return pieces, await streamed.get_output(), streamed.usage

    pieces, output, usage = run_on_private_loop(stream())
    assert len(pieces) > 2
    assert "".join(pieces) == output == whole.output
    assert usage.output_tokens == whole.usage.output_tokens
    assert usage.input_tokens == whole.usage.input_tokens


@pytest.mark.parametrize("api", APIS)
def test_unknown_model_is_a_model_http_error_404(mock: Mock, api: str) -> None:
    agent = _agent(mock.model(api, name="gpt-does-not-exist"))
    with pytest.raises(ModelHTTPError) as raised:
        run_on_private_loop(agent.run("Hello?"))
    [answer] = mock.answers
    assert raised.value.status_code == 404
    assert raised.value.model_name == "gpt-does-not-exist"
    assert isinstance(raised.value.body, dict)
    assert raised.value.body["message"] == answer["error"]["message"]
    assert "gpt-does-not-exist" in raised.value.body["message"]
    assert raised.value.body["code"] == "model_not_found"

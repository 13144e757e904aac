"""Chat completions through the official SDK: content, usage, limits, tools, structured outputs, validation."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest
from pydantic import BaseModel

from functions.chat import app as chat_function
from openai_mock.generation import tokens
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "strict": True,
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "City name"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["location", "unit", "days"],
            "additionalProperties": False,
        },
    },
}
ASK_WEATHER = [{"role": "user", "content": "What's the weather like in Paris this week?"}]


def reference_prompt_tokens(messages: list[dict[str, Any]], model: str) -> int:
    """OpenAI cookbook's count for chat prompts, computed straight from the tiktoken encoding."""
    encoding = tokens.encoding(tokens.encoding_name_for_model(model))
    total = 3
    for message in messages:
        total += 3
        for key, value in message.items():
            total += len(encoding.encode(value))
            if key == "name":
                total += 1
    return total


CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "Summarise the plot of Hamlet in two sentences, please."},
    ],
    [
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "name": "alice", "content": "How do tides work? Explain like I'm ten. 🌊"},
        {"role": "assistant", "content": "Les marées viennent de la Lune."},
        {"role": "user", "content": "And the Sun?"},
    ],
]


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-3.5-turbo"])
@pytest.mark.parametrize("messages", CONVERSATIONS)
def test_usage_counts_prompt_tokens_like_openai(client: openai.OpenAI, model: str, messages: list) -> None:
    raw = client.chat.completions.with_raw_response.create(model=model, messages=messages)
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/chat/completions", 200, body)
    completion = raw.parse()
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == reference_prompt_tokens(messages, model)
    content = completion.choices[0].message.content or ""
    assert completion.usage.completion_tokens == tokens.count_tokens(content, model)
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_answer_is_readable_deterministic_and_on_topic(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "How do I bake sourdough bread?"}]
    first = client.chat.completions.create(model="gpt-4o", messages=messages)
    again = client.chat.completions.create(model="gpt-4o", messages=messages)
    other = client.chat.completions.create(model="gpt-4o", messages=messages, seed=7)
    text = first.choices[0].message.content or ""
    assert "sourdough" in text.lower() and text.rstrip().endswith((".", "!", "?"))
    assert len(text.split()) >= 10
    assert first.choices[0].finish_reason == "stop"
    assert again.choices[0].message.content == text
    assert other.choices[0].message.content != text
    assert first.id != again.id and first.id.startswith("chatcmpl-")
    assert first.system_fingerprint == again.system_fingerprint and first.system_fingerprint.startswith("fp_")


def test_seed_header_changes_the_answer(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "Tell me about gardening."}]
    plain = client.chat.completions.create(model="gpt-4o", messages=messages)
    seeded = client.chat.completions.create(model="gpt-4o", messages=messages, extra_headers={"x-mock-seed": "42"})
    assert plain.choices[0].message.content != seeded.choices[0].message.content


@pytest.mark.parametrize("limit_param", ["max_tokens", "max_completion_tokens"])
def test_token_limit_cuts_exactly_with_finish_reason_length(client: openai.OpenAI, limit_param: str) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Explain photosynthesis in detail."}],
        **{limit_param: 7},  # type: ignore[arg-type]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 7
    assert tokens.count_tokens(choice.message.content or "") == 7


def test_stop_sequence_ends_the_answer_before_it(client: openai.OpenAI) -> None:
    messages = [{"role": "user", "content": "Explain compilers."}]
    full = client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content or ""
    cut = client.chat.completions.create(model="gpt-4o", messages=messages, stop=["."]).choices[0]
    assert cut.finish_reason == "stop"
    assert cut.message.content == full[: full.index(".")]


def test_n_gives_distinct_choices_and_counts_them_all(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini", n=3, messages=[{"role": "user", "content": "Name a hobby."}]
    )
    contents = [choice.message.content or "" for choice in completion.choices]
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    assert len(set(contents)) == 3
    assert completion.usage is not None
    assert completion.usage.completion_tokens == sum(tokens.count_tokens(text) for text in contents)
    alone = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Name a hobby."}])
    assert alone.choices[0].message.content == contents[0]  # choice 0 does not depend on `n`


def test_reasoning_model_reports_reasoning_tokens(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="o3-mini", reasoning_effort="low", messages=[{"role": "user", "content": "Is 97 prime?"}]
    )
    usage = completion.usage
    assert usage is not None and usage.completion_tokens_details is not None
    reasoning = usage.completion_tokens_details.reasoning_tokens or 0
    assert reasoning > 0 and reasoning % 64 == 0
    visible = tokens.count_tokens(completion.choices[0].message.content or "")
    assert usage.completion_tokens == reasoning + visible


def test_tool_call_arguments_validate_and_tool_result_gets_a_text_answer(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=ASK_WEATHER, tools=[WEATHER_TOOL])  # type: ignore[list-item]
    assert_conforms("POST", "/v1/chat/completions", 200, raw.http_response.json())
    completion = raw.parse()
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.id.startswith("call_") and call.function.name == "get_weather"  # type: ignore[union-attr]
    arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
    jsonschema.validate(arguments, WEATHER_TOOL["function"]["parameters"])
    assert arguments["location"] == "Paris"

    follow_up = client.chat.completions.create(
        model="gpt-4o",
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        messages=[*ASK_WEATHER, choice.message, {"role": "tool", "tool_call_id": call.id, "content": "18°C, cloudy"}],
    )
    answer = follow_up.choices[0]
    assert answer.finish_reason == "stop" and answer.message.tool_calls is None
    assert "18°C, cloudy" in (answer.message.content or "")


def test_an_agent_handed_the_conversation_answers_the_user_not_the_transfer(client: openai.OpenAI) -> None:
    """After a handoff (the Agents SDKs' `transfer_to_…` call, made by the agent before), the specialist answers the
    user's message: it calls its own tool for it, or answers it, and never reports the transfer's output."""
    transfer = {
        "id": "call_handoff1",
        "type": "function",
        "function": {"name": "transfer_to_weather_agent", "arguments": "{}"},
    }
    handed: Any = [
        *ASK_WEATHER,
        {"role": "assistant", "content": None, "tool_calls": [transfer]},
        {"role": "tool", "tool_call_id": "call_handoff1", "content": '{"assistant": "Weather agent"}'},
    ]
    specialist = client.chat.completions.create(model="gpt-4o", messages=handed, tools=[WEATHER_TOOL])  # type: ignore[list-item]
    [call] = specialist.choices[0].message.tool_calls or []
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments)["location"] == "Paris"  # type: ignore[union-attr]

    plain = client.chat.completions.create(model="gpt-4o", messages=handed)
    answer = plain.choices[0].message.content or ""
    assert plain.choices[0].finish_reason == "stop" and "Weather agent" not in answer and len(answer.split()) > 3

    offered = {"type": "function", "function": {"name": "transfer_to_weather_agent", "parameters": {"type": "object"}}}
    reported = client.chat.completions.create(model="gpt-4o", messages=handed, tools=[offered])  # type: ignore[list-item]
    assert "Weather agent" in (reported.choices[0].message.content or "")  # its own call's result: reported


SHELL_TOOL: dict[str, Any] = {  # Codex CLI's shell function, trimmed: one required parameter, the rest optional
    "type": "function",
    "function": {
        "name": "exec_command",
        "description": "Runs a command in a PTY, returning output or a session ID for ongoing interaction.",
        "parameters": {
            "type": "object",
            "properties": {
                "cmd": {"type": "string", "description": "Shell command to execute."},
                "workdir": {"type": "string", "description": "Optional working directory to run the command in."},
                "shell": {"type": "string", "description": "Shell binary to launch."},
                "tty": {"type": "boolean", "description": "Whether to allocate a TTY for the command."},
                "yield_time_ms": {"type": "number", "description": "How long to wait (in milliseconds) for output."},
                "max_output_tokens": {"type": "number", "description": "Maximum number of tokens to return."},
                "login": {"type": "boolean", "description": "Whether to run the shell with -l/-i semantics."},
                "sandbox_permissions": {"type": "string", "description": "Sandbox permissions for the command."},
            },
            "required": ["cmd"],
            "additionalProperties": False,
        },
    },
}


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Run the command `cat notes.txt` in the shell.", {"cmd": "cat notes.txt"}),
        (
            "Run the command `ls -la` in the shell with a tty and wait 500 ms.",
            {"cmd": "ls -la", "tty": True, "yield_time_ms": 500},
        ),
    ],
)
def test_a_function_gets_its_required_arguments_and_only_the_optional_ones_asked_for(
    client: openai.OpenAI, prompt: str, expected: dict[str, Any]
) -> None:
    """No invented working directory, shell or wait (a float where Codex wants milliseconds as an integer)."""
    for seed in range(4):
        completion = client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": prompt}],
            tools=[SHELL_TOOL],  # type: ignore[list-item]
            seed=seed,
        )
        (call,) = completion.choices[0].message.tool_calls or []
        assert call.function.name == "exec_command"  # type: ignore[union-attr]
        arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
        assert arguments == expected
        assert all(type(value) is int for key, value in arguments.items() if key == "yield_time_ms")

    strict_tool: Any = {"type": "function", "function": {**SHELL_TOOL["function"], "strict": True}}
    nullable = strict_tool["function"]["parameters"] = json.loads(json.dumps(SHELL_TOOL["function"]["parameters"]))
    for name, schema in nullable["properties"].items():
        schema["type"] = schema["type"] if name == "cmd" else [schema["type"], "null"]
    nullable["required"] = list(nullable["properties"])
    strict = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": prompt}], tools=[strict_tool]
    )
    (call,) = strict.choices[0].message.tool_calls or []
    arguments = json.loads(call.function.arguments)  # type: ignore[union-attr]
    jsonschema.validate(arguments, nullable)
    assert arguments == {name: expected.get(name) for name in nullable["properties"]}  # every one, null if not given


def test_tool_choice_none_required_and_named(client: openai.OpenAI) -> None:
    other = {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "pattern": "^ORD-[0-9]{6}$"}},
                "required": ["order_id"],
            },
        },
    }
    tools: Any = [WEATHER_TOOL, other]
    hello = [{"role": "user", "content": "Hello there"}]
    plain = client.chat.completions.create(model="gpt-4o", messages=hello, tools=tools)
    assert plain.choices[0].finish_reason == "stop"
    assert (
        client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, tools=tools, tool_choice="none")
        .choices[0]
        .message.tool_calls
        is None
    )
    required = client.chat.completions.create(model="gpt-4o", messages=hello, tools=tools, tool_choice="required")
    assert required.choices[0].message.tool_calls
    named = client.chat.completions.create(
        model="gpt-4o",
        messages=ASK_WEATHER,
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "lookup_order"}},
    )
    (call,) = named.choices[0].message.tool_calls  # type: ignore[misc]
    assert call.function.name == "lookup_order"  # type: ignore[union-attr]
    jsonschema.validate(json.loads(call.function.arguments), other["function"]["parameters"])  # type: ignore[union-attr]
    # A call the request named ends as `stop` (the API's way); one the model chose ends as `tool_calls`.
    assert named.choices[0].finish_reason == "stop"
    assert required.choices[0].finish_reason == "tool_calls"


def test_parallel_tool_calls(client: openai.OpenAI) -> None:
    time_tool = {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}},
        },
    }
    messages = [{"role": "user", "content": "What's the weather and the time in Tokyo?"}]
    tools: Any = [WEATHER_TOOL, time_tool]
    both = client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools)
    assert [c.function.name for c in both.choices[0].message.tool_calls] == ["get_weather", "get_time"]  # type: ignore[union-attr]
    one = client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools, parallel_tool_calls=False)
    assert len(one.choices[0].message.tool_calls or []) == 1


def test_legacy_functions_answer_with_function_call(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-3.5-turbo", messages=ASK_WEATHER, functions=[WEATHER_TOOL["function"]]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "function_call"
    assert choice.message.function_call is not None and choice.message.function_call.name == "get_weather"
    jsonschema.validate(json.loads(choice.message.function_call.arguments), WEATHER_TOOL["function"]["parameters"])
    forced = client.chat.completions.create(
        model="gpt-3.5-turbo",
        messages=ASK_WEATHER,
        functions=[WEATHER_TOOL["function"]],
        function_call={"name": "get_weather"},
    )
    assert forced.choices[0].finish_reason == "stop" and forced.choices[0].message.function_call is not None


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_structured_outputs_parse_into_the_pydantic_model(client: openai.OpenAI) -> None:
    completion = client.chat.completions.parse(
        model="gpt-4o-2024-08-06",
        response_format=CalendarEvent,
        messages=[{"role": "user", "content": "Alice and Bob are going to a science fair on Friday."}],
    )
    message = completion.choices[0].message
    assert isinstance(message.parsed, CalendarEvent)
    assert message.refusal is None and message.parsed.participants


def test_json_schema_response_format_validates(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "steps": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/step"}},
            "final_answer": {"type": "string"},
        },
        "required": ["steps", "final_answer"],
        "additionalProperties": False,
        "$defs": {
            "step": {
                "type": "object",
                "properties": {"explanation": {"type": "string"}, "output": {"type": "number", "minimum": 0}},
                "required": ["explanation", "output"],
                "additionalProperties": False,
            }
        },
    }
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Solve 8x + 7 = -23"}],
        response_format={"type": "json_schema", "json_schema": {"name": "math", "schema": schema, "strict": True}},
    )
    jsonschema.validate(json.loads(completion.choices[0].message.content or ""), schema)


def test_json_object_mode(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o",
        response_format={"type": "json_object"},
        messages=[{"role": "user", "content": "List facts about owls as JSON"}],
    )
    assert isinstance(json.loads(completion.choices[0].message.content or ""), dict)
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(
            model="gpt-4o",
            response_format={"type": "json_object"},
            messages=[{"role": "user", "content": "facts about owls"}],
        )
    assert raised.value.body["param"] == "messages"  # type: ignore[index]


def test_logprobs_align_with_the_tokens(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", logprobs=True, top_logprobs=3, messages=[{"role": "user", "content": "Describe the sea."}]
    )
    assert_conforms("POST", "/v1/chat/completions", 200, raw.http_response.json())
    choice = raw.parse().choices[0]
    entries = choice.logprobs.content  # type: ignore[union-attr]
    assert entries is not None
    assert "".join(entry.token for entry in entries) == choice.message.content
    assert len(entries) == tokens.count_tokens(choice.message.content or "")
    for entry in entries:
        assert entry.logprob <= 0 and bytes(entry.bytes or []) == entry.token.encode()
        assert len(entry.top_logprobs) == 3 and entry.top_logprobs[0].token == entry.token


def test_rate_limit_headers_count_tokens(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=ASK_WEATHER)
    used = raw.parse().usage.total_tokens  # type: ignore[union-attr]
    assert int(raw.headers["x-ratelimit-limit-tokens"]) - int(raw.headers["x-ratelimit-remaining-tokens"]) >= used
    assert int(raw.headers["x-ratelimit-remaining-requests"]) < int(raw.headers["x-ratelimit-limit-requests"])


def _error(client: openai.OpenAI, **overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"model": "gpt-4o", "messages": ASK_WEATHER, **overrides}
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(**request)
    assert raised.value.status_code in (400, 404)
    return raised.value.body  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"messages": []}, "messages", "empty_array"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role", "invalid_value"),
        ({"messages": [{"role": "user"}]}, "messages[0].content", "missing_required_parameter"),
        (
            {"messages": [{"role": "user", "content": [{"type": "video", "video": "x"}]}]},
            "messages[0].content[0].type",
            "invalid_value",
        ),
        ({"messages": [{"role": "tool", "content": "x", "tool_call_id": "call_1"}]}, "messages.[0].role", None),
        ({"n": 0}, "n", "integer_below_min_value"),
        ({"n": 129}, "n", "integer_above_max_value"),
        ({"temperature": 2.5}, "temperature", "decimal_above_max_value"),
        ({"top_p": -0.1}, "top_p", "decimal_below_min_value"),
        ({"top_logprobs": 21, "logprobs": True}, "top_logprobs", "integer_above_max_value"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "array_above_max_length"),
        ({"max_tokens": 100_000}, "max_tokens", "invalid_value"),
        ({"tools": [WEATHER_TOOL] * 129}, "tools", "array_above_max_length"),
        ({"tool_choice": "required"}, "tool_choice", None),
        (
            {"tools": [WEATHER_TOOL], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "tool_choice",
            "invalid_value",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "bad name"}}]},
            "tools[0].function.name",
            "invalid_value",
        ),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "objekt"}}}]},
            "tools[0].function.parameters",
            "invalid_function_parameters",
        ),
        (
            {
                "tools": [
                    {
                        "type": "function",
                        "function": {
                            "name": "f",
                            "strict": True,
                            "parameters": {
                                "type": "object",
                                "properties": {"a": {"type": "string"}},
                                "additionalProperties": False,
                            },
                        },
                    }
                ]
            },
            "tools[0].function.parameters",
            "invalid_function_parameters",
        ),
        ({"stream_options": {"include_usage": True}}, "stream_options", "invalid_value"),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "object_above_max_properties"),
        ({"extra_body": {"bogus": 1}}, "bogus", "unknown_parameter"),
        ({"model": "gpt-17"}, "model", "model_not_found"),
        ({"model": "text-embedding-3-small"}, "model", None),
    ],
)
def test_invalid_requests_get_openai_errors(client: openai.OpenAI, overrides: dict, param: str, code: str) -> None:
    error = _error(client, **overrides)
    assert (error["param"], error["code"]) == (param, code), error
    assert error["type"] == "invalid_request_error" and error["message"]


def test_reasoning_models_refuse_max_tokens_and_temperature(client: openai.OpenAI) -> None:
    assert _error(client, model="o1", max_tokens=10)["code"] == "unsupported_parameter"
    assert _error(client, model="o3-mini", temperature=0.2)["param"] == "temperature"


def test_fine_tuned_model_of_the_tenant_is_served(client: openai.OpenAI) -> None:
    from openai_mock.resources import models
    from openai_mock.web.auth import principal_for_key

    model = "ft:gpt-4o-mini-2024-07-18:org-test:bot:Ab12Cd34"
    _error(client, model=model)
    principal = principal_for_key("sk-test")
    models.register_fine_tuned_model(principal.tenant, model, principal.organization_id, 1_740_000_000)
    assert client.chat.completions.create(model=model, messages=ASK_WEATHER).model == model


def test_create_through_the_lambda_handler() -> None:
    lambda_sdk = lambda_client(chat_function.handler, "v1")  # type: ignore[arg-type]
    completion = lambda_sdk.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, max_tokens=5)
    assert completion.choices[0].finish_reason == "length"
    stream = lambda_sdk.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)


@pytest.mark.parametrize(
    ("asked", "served"), [(None, "default"), ("auto", "default"), ("default", "default"), ("flex", "flex")]
)
def test_service_tier_reports_the_tier_that_served(client: openai.OpenAI, asked: str | None, served: str) -> None:
    extra = {} if asked is None else {"service_tier": asked}
    completion = client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, **extra)  # type: ignore[call-overload]
    assert completion.service_tier == served
    stream = client.chat.completions.create(model="gpt-4o", messages=ASK_WEATHER, stream=True, **extra)  # type: ignore[call-overload]
    assert {chunk.service_tier for chunk in stream} == {served}


def test_an_answer_names_its_topic_in_the_letters_it_was_asked_in(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Tell me about élan vital and Kant."}]
    )
    content = completion.choices[0].message.content or ""
    assert "élan vital" in content and " lan vital" not in content
    assert completion.usage is not None and completion.usage.completion_tokens == tokens.count_tokens(
        content, "gpt-4o-mini"
    )


def test_a_poem_asked_for_is_a_poem_streamed_and_cut_like_any_answer(client: openai.OpenAI) -> None:
    ask: Any = [{"role": "user", "content": "Write a short poem about the sea."}]
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=ask, seed=3)
    poem = completion.choices[0].message.content or ""
    assert poem.startswith("**The Sea**\n\n") and poem.count("\n\n") >= 2 and "the sea" in poem
    assert completion.usage is not None and completion.usage.completion_tokens == tokens.count_tokens(
        poem, "gpt-4o-mini"
    )
    chunks = client.chat.completions.create(model="gpt-4o-mini", messages=ask, seed=3, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices) == poem
    cut = client.chat.completions.create(model="gpt-4o-mini", messages=ask, seed=3, max_tokens=8)
    assert cut.choices[0].finish_reason == "length" and poem.startswith(cut.choices[0].message.content or "?")


_USER_SCHEMA = {
    "properties": {"name": {"title": "Name", "type": "string"}, "age": {"title": "Age", "type": "integer"}},
    "required": ["name", "age"],
    "title": "User",
    "type": "object",
}


def test_a_schema_given_in_the_messages_shapes_a_json_answer(client: openai.OpenAI) -> None:
    """Instructor's JSON modes (and many applications) put the schema in a message instead of `response_format`:
    a JSON answer follows it, filled from what the user wrote; asked for JSON without `response_format`, the same
    JSON comes in a ```json fence; a schema only talked about changes nothing."""
    instructions = (
        "Your task is to understand the content and provide the parsed objects in json that match the following "
        f"json_schema:\n\n{json.dumps(_USER_SCHEMA, indent=2)}\n\nReturn an instance of the JSON, not the schema."
    )
    asked: Any = [
        {"role": "system", "content": instructions},
        {"role": "user", "content": "Extract the user: Jason Liu is 25 years old."},
    ]
    as_json = client.chat.completions.create(
        model="gpt-4o-mini", messages=asked, response_format={"type": "json_object"}
    )
    assert json.loads(as_json.choices[0].message.content or "") == {"name": "Jason Liu", "age": 25}

    fenced = client.chat.completions.create(model="gpt-4o-mini", messages=asked).choices[0].message.content or ""
    assert fenced.startswith("```json\n") and fenced.endswith("\n```")
    assert json.loads(fenced.removeprefix("```json\n").removesuffix("\n```")) == {"name": "Jason Liu", "age": 25}

    talked_about: Any = [{"role": "user", "content": f"Explain this JSON schema: {json.dumps(_USER_SCHEMA)}"}]
    prose = client.chat.completions.create(model="gpt-4o-mini", messages=talked_about).choices[0].message.content
    assert not (prose or "").startswith(("```", "{"))

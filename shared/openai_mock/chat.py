"""Chat Completions: request models, the real API's validation, creation (JSON or stream), usage
accounting, and stored completions (`store: true`): list, retrieve, update metadata, delete, messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import StreamingResponse

from openai_mock import catalog, clock, ids, ratelimits
from openai_mock.control.api import scripted
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.generation import chat as builder
from openai_mock.generation import schema_values
from openai_mock.generation.streaming import chat_style, sse_stream
from openai_mock.organization.usage import token_usage
from openai_mock.pagination import ListParams, check_limit, list_object, paginate
from openai_mock.request_checks import (
    chat_model_spec,
    check_enum,
    check_max_items,
    check_metadata,
    check_range,
    stop_sequences,
)
from openai_mock.rng import request_rng
from openai_mock.store import get_store

COLLECTION = "chat.completion"
MESSAGES_COLLECTION = "chat.completion.messages"
FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_ROLES = ("developer", "system", "user", "assistant", "tool", "function")
_PART_TYPES = {
    "developer": ("text",),
    "system": ("text",),
    "tool": ("text",),
    "assistant": ("text", "refusal"),
    "user": ("text", "image_url", "input_audio", "file"),
}
# Fields that change how an answer is delivered, kept or cut, not what it says: left out of the seed, so the
# same question gets the same answer streamed or not, and a `stop`/limit cuts that very answer.
_DELIVERY_FIELDS = frozenset({"stream", "stream_options", "store", "metadata", "user", "service_tier", "stop", "n",
                              "max_tokens", "max_completion_tokens", "logprobs", "top_logprobs"})
_PART_FIELD = {"text": "text", "refusal": "refusal", "image_url": "image_url", "input_audio": "input_audio",
               "file": "file"}


class Message(BaseModel):
    """One message; content shapes are checked by hand to name the offending part like the API does."""

    model_config = ConfigDict(extra="ignore")
    role: Literal["developer", "system", "user", "assistant", "tool", "function"]
    content: Any = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    function_call: dict[str, Any] | None = None
    refusal: str | None = None


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    messages: list[Message]
    store: bool | None = None
    metadata: dict[str, str] | None = None
    reasoning_effort: str | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    logit_bias: dict[str, int] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    n: int | None = None
    modalities: list[str] | None = None
    prediction: dict[str, Any] | None = None
    audio: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    seed: int | None = None
    service_tier: str | None = None
    stop: Any = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    parallel_tool_calls: bool | None = None
    user: str | None = None
    function_call: Any = None
    functions: list[dict[str, Any]] | None = None
    web_search_options: dict[str, Any] | None = None
    # Accepted by today's API (newer than the 2025-03 spec); the SDK sends them when asked to.
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None
    verbosity: str | None = None


class UpdateChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metadata: dict[str, str] | None


# --------------------------------------------------------------------------------------------- validation


def _check_content(message: Message, index: int) -> None:
    param = f"messages[{index}].content"
    content = message.content
    if content is None:
        if message.role in ("assistant", "function"):
            return
        raise invalid_request(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise invalid_request(
            f"Invalid type for '{param}': expected one of a string or array of objects, but got "
            f"{type(content).__name__} instead.", param, "invalid_type")
    if not content:
        raise invalid_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array "
            "instead.", param, "empty_array")
    allowed = _PART_TYPES.get(message.role, ("text",))
    for part_index, part in enumerate(content):
        part_param = f"{param}[{part_index}]"
        if not isinstance(part, dict):
            raise invalid_request(f"Invalid type for '{part_param}': expected an object, but got "
                                  f"{type(part).__name__} instead.", part_param, "invalid_type")
        check_enum(part.get("type"), allowed, f"{part_param}.type")
        field = _PART_FIELD[part["type"]]
        if part.get(field) is None:
            raise invalid_request(f"Missing required parameter: '{part_param}.{field}'.", f"{part_param}.{field}",
                                  "missing_required_parameter")
        if part["type"] == "image_url" and not isinstance(part["image_url"].get("url"), str):
            raise invalid_request(f"Missing required parameter: '{part_param}.image_url.url'.",
                                  f"{part_param}.image_url.url", "missing_required_parameter")


def _check_messages(messages: list[Message]) -> None:
    if not messages:
        raise invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
            "instead.", "messages", "empty_array")
    pending: dict[str, int] = {}  # tool_call ids awaiting their tool message → assistant message index
    for index, message in enumerate(messages):
        _check_content(message, index)
        if message.role != "tool" and pending:
            owner = next(iter(pending.values()))
            raise invalid_request(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                f"{', '.join(pending)}", f"messages.[{owner}].role")
        if message.role == "assistant":
            if message.content is None and not message.tool_calls and not message.function_call:
                raise invalid_request(f"Invalid value for 'messages[{index}].content': expected a string, got null.",
                                      f"messages.[{index}].content")
            for call in message.tool_calls or []:
                pending[str(call.get("id"))] = index
        elif message.role == "tool":
            if message.tool_call_id is None:
                raise invalid_request(f"Missing required parameter: 'messages[{index}].tool_call_id'.",
                                      f"messages[{index}].tool_call_id", "missing_required_parameter")
            if message.tool_call_id not in pending:
                raise invalid_request(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
                    "'tool_calls'.", f"messages.[{index}].role")
            del pending[message.tool_call_id]
        elif message.role == "function" and not message.name:
            raise invalid_request(f"Missing required parameter: 'messages[{index}].name'.",
                                  f"messages[{index}].name", "missing_required_parameter")


def check_function(function: Any, param: str) -> None:
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise invalid_request(f"Missing required parameter: '{param}.name'.", f"{param}.name",
                              "missing_required_parameter")
    name = function["name"]
    if not FUNCTION_NAME.match(name):
        raise invalid_request(
            f"Invalid '{param}.name': string does not match pattern. Expected a string that matches the pattern "
            "'^[a-zA-Z0-9_-]+$'.", f"{param}.name", "invalid_value")
    parameters = function.get("parameters")
    if parameters is None:
        return
    problem = schema_values.schema_problem(parameters)
    if problem is None and not isinstance(parameters, dict):
        problem = f"{parameters!r} is not of type 'object'"
    if problem is None and function.get("strict"):
        problem = schema_values.strict_schema_problem(parameters)
    if problem is not None:
        raise invalid_request(f"Invalid schema for function '{name}': {problem}", f"{param}.parameters",
                              "invalid_function_parameters")


def _check_tools(body: ChatCompletionRequest) -> None:
    tools = body.tools or []
    check_max_items(tools, 128, "tools")
    for index, tool in enumerate(tools):
        check_enum(tool.get("type"), ("function",), f"tools[{index}].type")
        check_function(tool.get("function"), f"tools[{index}].function")
    names = [tool["function"]["name"] for tool in tools]
    choice = body.tool_choice
    if choice is not None:
        if not tools:
            raise invalid_request("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
                                  "specified.", "tool_choice")
        if isinstance(choice, str):
            check_enum(choice, ("none", "auto", "required"), "tool_choice")
        elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
            wanted = choice["function"].get("name")
            if wanted not in names:
                raise invalid_request(f"Invalid value for 'tool_choice': function '{wanted}' is not one of the "
                                      "functions declared in 'tools'.", "tool_choice", "invalid_value")
        else:
            raise invalid_request("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or an object "
                                  "naming a function.", "tool_choice", "invalid_value")
    if body.parallel_tool_calls is not None and not tools:
        raise invalid_request("Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when "
                              "'tools' are specified.", "parallel_tool_calls")
    functions = body.functions
    if functions is not None:
        if not functions:
            raise invalid_request("Invalid 'functions': empty array. Expected an array with minimum length 1, but got "
                                  "an empty array instead.", "functions", "empty_array")
        check_max_items(functions, 128, "functions")
        for index, function in enumerate(functions):
            check_function(function, f"functions[{index}]")
    if body.function_call is not None:
        declared = [function["name"] for function in functions or []]
        if isinstance(body.function_call, str):
            check_enum(body.function_call, ("none", "auto"), "function_call")
        elif not isinstance(body.function_call, dict) or body.function_call.get("name") not in declared:
            raise invalid_request("Invalid value for 'function_call': it must name a function declared in "
                                  "'functions'.", "function_call", "invalid_value")


def _check_response_format(body: ChatCompletionRequest) -> None:
    response_format = body.response_format
    if response_format is None:
        return
    kind = response_format.get("type")
    check_enum(kind, ("text", "json_object", "json_schema"), "response_format.type")
    if kind == "json_object":
        mentions_json = any("json" in builder.content_text(m.content).lower() for m in body.messages)
        if not mentions_json:
            raise invalid_request("'messages' must contain the word 'json' in some form, to use 'response_format' of "
                                  "type 'json_object'.", "messages")
    if kind != "json_schema":
        return
    check_json_schema_format(response_format.get("json_schema"))


def _check_model_rules(body: ChatCompletionRequest, spec: catalog.ModelSpec, prompt_tokens: int) -> None:
    reasoning = spec.kind == "reasoning"
    if reasoning:
        if body.max_tokens is not None:
            raise invalid_request("Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                                  "'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter")
        for name, value in (("temperature", body.temperature), ("top_p", body.top_p)):
            if value is not None and value != 1:
                raise invalid_request(f"Unsupported value: '{name}' does not support {value} with this model. Only "
                                      "the default (1) value is supported.", name, "unsupported_value")
        if body.logprobs:
            raise invalid_request("Unsupported parameter: 'logprobs' is not supported with this model.", "logprobs",
                                  "unsupported_parameter")
    elif body.reasoning_effort is not None:
        raise invalid_request("Unrecognized request argument supplied: reasoning_effort", "reasoning_effort",
                              "unsupported_parameter")
    for name in ("max_completion_tokens", "max_tokens"):
        value = getattr(body, name)
        if value is None:
            continue
        check_range(value, name, minimum=1)
        if value > spec.max_output_tokens:
            raise invalid_request(f"{name} is too large: {value}. This model supports at most "
                                  f"{spec.max_output_tokens} completion tokens, whereas you provided {value}.",
                                  name, "invalid_value")
    if prompt_tokens > spec.context_window:
        raise invalid_request(f"This model's maximum context length is {spec.context_window} tokens. However, your "
                              f"messages resulted in {prompt_tokens} tokens. Please reduce the length of the messages.",
                              "messages", "context_length_exceeded")
    if "audio" in (body.modalities or []):
        if "audio" not in body.model:
            raise invalid_request("This model does not support the 'audio' modality. Use a model such as "
                                  "gpt-4o-audio-preview.", "modalities", "unsupported_value")
        raise invalid_request("Audio output is not supported by this mock yet.", "modalities", "unsupported_value")


def validate(body: ChatCompletionRequest, tenant: str) -> tuple[dict[str, Any], catalog.ModelSpec, int]:
    """Check everything the real API checks; return the request as a plain dict (no nulls), the model and the
    prompt's token count."""
    spec = chat_model_spec(tenant, body.model, "chat")
    _check_messages(body.messages)
    check_range(body.temperature, "temperature", 0, 2, decimal=True)
    check_range(body.top_p, "top_p", 0, 1, decimal=True)
    check_range(body.frequency_penalty, "frequency_penalty", -2, 2, decimal=True)
    check_range(body.presence_penalty, "presence_penalty", -2, 2, decimal=True)
    check_range(body.n, "n", 1, 128)
    check_range(body.top_logprobs, "top_logprobs", 0, 20)
    if body.top_logprobs and not body.logprobs:
        raise invalid_request("Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' "
                              "is specified.", "top_logprobs", "invalid_value")
    stop_sequences(body.stop)
    check_metadata(body.metadata)
    if body.service_tier is not None:
        check_enum(body.service_tier, ("auto", "default", "flex"), "service_tier")
    if body.reasoning_effort is not None:
        check_enum(body.reasoning_effort, ("low", "medium", "high"), "reasoning_effort")
    for modality in body.modalities or []:
        check_enum(modality, ("text", "audio"), "modalities")
    if body.stream_options is not None and not body.stream:
        raise invalid_request("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                              "stream_options", "invalid_value")
    for key, bias in (body.logit_bias or {}).items():
        if not key.isdigit():
            raise invalid_request(f"Invalid key in 'logit_bias': {key}.", "logit_bias", "invalid_value")
        check_range(bias, f"logit_bias.{key}", -100, 100)
    _check_tools(body)
    _check_response_format(body)
    request = body.model_dump(exclude_none=True)
    request["messages"] = [message.model_dump(exclude_none=True) for message in body.messages]
    prompt_tokens = builder.count_prompt_tokens(request)
    _check_model_rules(body, spec, prompt_tokens)
    return request, spec, prompt_tokens


# --------------------------------------------------------------------------------------------- create


def generate(
    body: ChatCompletionRequest, tenant: str, headers: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate and build the completion: the core the endpoint and the Batch API share (no rate-limit
    accounting, nothing stored, never streamed). Returns (completion, the validated request)."""
    request, spec, prompt_tokens = validate(body, tenant)
    material = {key: value for key, value in request.items() if key not in _DELIVERY_FIELDS}
    rng = request_rng(material, headers)
    completion = builder.build_chat_completion(
        request, rng, completion_id=ids.new_id("chat.completion"), created=clock.now_seconds(),
        reasoning=spec.kind == "reasoning", script=scripted(tenant, "chat.completions", request),
        prompt_tokens=prompt_tokens,
    )
    return completion, request


def create(body: ChatCompletionRequest, tenant: str, http_request: Request) -> dict[str, Any] | StreamingResponse:
    completion, request = generate(body, tenant, http_request.headers)
    ratelimits.record_usage(http_request, tenant, body.model, completion["usage"]["total_tokens"], "completions",
                            model=completion["model"], **token_usage(completion["usage"]))
    if body.store:
        store_completion(tenant, completion, request)
    if body.stream:
        include_usage = bool((body.stream_options or {}).get("include_usage"))
        return sse_stream(chat_style(builder.stream_chunks(completion, include_usage)))
    return completion


def _stored_messages(completion_id: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request's messages as the messages endpoint lists them."""
    stored = []
    for index, message in enumerate(messages):
        content = message.get("content")
        item: dict[str, Any] = {
            "id": f"{completion_id}-{index}",
            "role": message["role"],
            "content": builder.content_text(content) if content is not None else None,
            "refusal": message.get("refusal"),
            "name": message.get("name"),
            "content_parts": content if isinstance(content, list) else None,
        }
        if message.get("tool_calls"):
            item["tool_calls"] = message["tool_calls"]
        if message.get("tool_call_id"):
            item["tool_call_id"] = message["tool_call_id"]
        stored.append(item)
    return stored


def store_completion(tenant: str, completion: dict[str, Any], request: dict[str, Any]) -> None:
    """Keep a `store: true` completion and its messages (listed, retrieved, updated, deleted later)."""
    store = get_store()
    # Messages first: a listed completion always has its messages.
    store.create(tenant, MESSAGES_COLLECTION, {"id": completion["id"],
                                               "data": _stored_messages(completion["id"], request["messages"])})
    store.create(tenant, COLLECTION, {**completion, "metadata": request.get("metadata") or {}})


# --------------------------------------------------------------------------------------------- stored completions


def _order(order: str) -> Literal["asc", "desc"]:
    check_enum(order, ("asc", "desc"), "order")
    return "asc" if order == "asc" else "desc"


def list_completions(tenant: str, *, model: str | None, metadata: Mapping[str, str], after: str | None,
                     limit: int, order: str) -> dict[str, Any]:
    def matches(completion: dict[str, Any]) -> bool:
        if model is not None and completion["model"] != model:
            return False
        stored = completion.get("metadata") or {}
        return all(stored.get(key) == value for key, value in metadata.items())

    page = get_store().list(tenant, COLLECTION, limit=check_limit(limit), order=_order(order), after=after or None,
                            where=matches)
    return list_object(page)


def retrieve(tenant: str, completion_id: str) -> dict[str, Any]:
    completion = get_store().get(tenant, COLLECTION, completion_id)
    if completion is None:
        raise _not_found(completion_id)
    return completion


def update(tenant: str, completion_id: str, body: UpdateChatCompletionRequest) -> dict[str, Any]:
    check_metadata(body.metadata)
    updated = get_store().update(tenant, COLLECTION, completion_id,
                                 lambda completion: {**completion, "metadata": body.metadata or {}})
    if updated is None:
        raise _not_found(completion_id)
    return updated


def delete(tenant: str, completion_id: str) -> dict[str, Any]:
    store = get_store()
    if store.delete(tenant, COLLECTION, completion_id) is None:
        raise _not_found(completion_id)
    store.delete(tenant, MESSAGES_COLLECTION, completion_id)
    return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}


def list_messages(tenant: str, completion_id: str, *, after: str | None, limit: int, order: str) -> dict[str, Any]:
    retrieve(tenant, completion_id)
    stored = get_store().get(tenant, MESSAGES_COLLECTION, completion_id) or {"data": []}
    params = ListParams(check_limit(limit), _order(order), after or None, None)
    return list_object(paginate(stored["data"], params))


def _not_found(completion_id: str) -> OpenAIError:
    return not_found("chat completion", completion_id, param="completion_id")


def check_json_schema_format(spec: Any) -> dict[str, Any]:
    """`response_format.json_schema`: a valid name and a usable (and, when strict, strict-mode) schema.
    Shared with the Assistants API, which takes the same response_format."""
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise invalid_request("Missing required parameter: 'response_format.json_schema.name'.",
                              "response_format.json_schema.name", "missing_required_parameter")
    if not FUNCTION_NAME.match(spec["name"]):
        raise invalid_request("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a "
                              "string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                              "response_format.json_schema.name", "invalid_value")
    schema = spec.get("schema")
    problem = None if schema is None else schema_values.schema_problem(schema)
    if problem is None and schema is not None and spec.get("strict"):
        problem = schema_values.strict_schema_problem(schema)
    if problem is not None:
        raise invalid_request(f"Invalid schema for response_format '{spec['name']}': {problem}", "response_format",
                              "invalid_json_schema")
    return spec

"""Chat Completions: request models, the real API's validation, creation (JSON or stream), usage
accounting, and stored completions (`store: true`): list, retrieve, update metadata, delete, messages."""

from __future__ import annotations

import base64
import binascii
import functools
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from pydantic import ConfigDict
from starlette.requests import Request

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_max_items, check_metadata, check_range, stop_sequences
from openai_mock.control.api import scripted
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import Decimal, Integer, RequestModel
from openai_mock.generation import chat as builder
from openai_mock.generation import documents
from openai_mock.generation.audio.voices import CHAT_VOICES
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.resources import input_files, models, prompt_cache, ratelimits
from openai_mock.resources import model_request_options as options
from openai_mock.resources.models import chat_model_spec
from openai_mock.resources.organization import retention
from openai_mock.rng import request_rng
from openai_mock.schema_checks import check_function, check_json_schema_format
from openai_mock.store import get_store

COLLECTION = "chat.completion"
MESSAGES_COLLECTION = "chat.completion.messages"
AUDIO_COLLECTION = "chat.completion.audio"  # spoken answers, referenceable by id until they expire
# The service tiers a request may ask for, as the SDK's `CompletionCreateParams.service_tier` and the spec's
# ServiceTier list them: Chat has no `ultrafast` (a Responses-only tier, and not a value `ChatCompletion` can hold).
SERVICE_TIERS = ("auto", "default", "flex", "scale", "priority", "fast")
# `audio.format`, as `ChatCompletionAudioParam.format` lists them (the voices are the catalogue's CHAT_VOICES).
AUDIO_FORMATS = ("wav", "aac", "mp3", "flac", "opus", "pcm16")
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
_DELIVERY_FIELDS = frozenset(
    {
        "stream",
        "stream_options",
        "store",
        "metadata",
        "user",
        "service_tier",
        "verbosity",
        "stop",
        "n",
        "max_tokens",
        "max_completion_tokens",
        "logprobs",
        "top_logprobs",
        "modalities",
        "audio",
        "moderation",
        "prompt_cache_options",
        "prompt_cache_retention",
    }
)  # the spoken transcript is the text answer
_PART_FIELD = {
    "text": "text",
    "refusal": "refusal",
    "image_url": "image_url",
    "input_audio": "input_audio",
    "file": "file",
}


class Message(RequestModel):
    """One message; content shapes are checked by hand to name the offending part like the API does."""

    model_config = ConfigDict(extra="ignore")
    role: Literal["developer", "system", "user", "assistant", "tool", "function"]
    content: Any = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    function_call: dict[str, Any] | None = None
    refusal: str | None = None
    audio: Any = None  # an assistant message's reference to an earlier spoken answer: {"id": "audio_…"}


class _WebSearchArea(RequestModel):
    model_config = ConfigDict(extra="forbid")
    city: str | None = None
    country: str | None = None  # two letters (ISO 3166-1)
    region: str | None = None
    timezone: str | None = None  # IANA


class _WebSearchLocation(RequestModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["approximate"]
    approximate: _WebSearchArea


class WebSearchOptions(RequestModel):
    """A search model's search: how much of the pages it reads (`search_context_size`) and where the user is."""

    model_config = ConfigDict(extra="forbid")
    search_context_size: Literal["low", "medium", "high"] | None = None
    user_location: _WebSearchLocation | None = None


class ChatCompletionRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    messages: list[Message]
    store: bool | None = None
    metadata: dict[str, str] | None = None
    reasoning_effort: str | None = None
    frequency_penalty: Decimal | None = None
    presence_penalty: Decimal | None = None
    logit_bias: dict[str, Integer] | None = None
    logprobs: bool | None = None
    top_logprobs: Integer | None = None
    max_tokens: Integer | None = None
    max_completion_tokens: Integer | None = None
    n: Integer | None = None
    modalities: list[str] | None = None
    prediction: dict[str, Any] | None = None
    audio: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    seed: Integer | None = None
    service_tier: str | None = None
    stop: Any = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    temperature: Decimal | None = None
    top_p: Decimal | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    parallel_tool_calls: bool | None = None
    user: str | None = None
    function_call: Any = None
    functions: list[dict[str, Any]] | None = None
    web_search_options: WebSearchOptions | None = None
    # Accepted by today's API (newer than the 2025-03 spec); the SDK sends them when asked to.
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None
    verbosity: str | None = None
    # The 2026-08-21 spec's: prompt cache options (resources/prompt_cache.py) and moderation.
    moderation: options.ModerationParam | None = None
    prompt_cache_options: options.PromptCacheOptions | None = None
    prompt_cache_retention: options.PromptCacheRetention | None = None


class UpdateChatCompletionRequest(RequestModel):
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
            f"{type(content).__name__} instead.",
            param,
            "invalid_type",
        )
    if not content:
        raise invalid_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param,
            "empty_array",
        )
    allowed = _PART_TYPES.get(message.role, ("text",))
    for part_index, part in enumerate(content):
        part_param = f"{param}[{part_index}]"
        if not isinstance(part, dict):
            raise invalid_request(
                f"Invalid type for '{part_param}': expected an object, but got {type(part).__name__} instead.",
                part_param,
                "invalid_type",
            )
        check_enum(part.get("type"), allowed, f"{part_param}.type")
        prompt_cache.check_breakpoint(part, part_param)
        field = _PART_FIELD[part["type"]]
        if part.get(field) is None:
            raise invalid_request(
                f"Missing required parameter: '{part_param}.{field}'.",
                f"{part_param}.{field}",
                "missing_required_parameter",
            )
        if part["type"] == "image_url" and not isinstance(part["image_url"].get("url"), str):
            raise invalid_request(
                f"Missing required parameter: '{part_param}.image_url.url'.",
                f"{part_param}.image_url.url",
                "missing_required_parameter",
            )
        if part["type"] == "input_audio":
            _check_input_audio(part["input_audio"], f"{part_param}.input_audio")


def _check_input_audio(value: Any, param: str) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("data"), str):
        raise invalid_request(
            f"Missing required parameter: '{param}.data'.", f"{param}.data", "missing_required_parameter"
        )
    check_enum(value.get("format"), ("wav", "mp3"), f"{param}.format")


def _check_messages(messages: list[Message]) -> bool:
    """The real API's message rules; True when the conversation carries audio (input_audio parts or a
    reference to an earlier spoken answer)."""
    if not messages:
        raise invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "messages",
            "empty_array",
        )
    pending: dict[str, int] = {}  # tool_call ids awaiting their tool message → assistant message index
    hears_audio = False
    for index, message in enumerate(messages):
        _check_content(message, index)
        if message.role == "user" and isinstance(message.content, list):
            hears_audio = hears_audio or any(part["type"] == "input_audio" for part in message.content)
        if message.role != "tool" and pending:
            owner = next(iter(pending.values()))
            raise invalid_request(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                f"{', '.join(pending)}",
                f"messages.[{owner}].role",
            )
        if message.role == "assistant":
            if message.audio is not None:
                _check_audio_reference(message.audio, index)
                hears_audio = True
            if (
                message.content is None
                and not message.tool_calls
                and not message.function_call
                and message.audio is None
            ):
                raise invalid_request(
                    f"Invalid value for 'messages[{index}].content': expected a string, got null.",
                    f"messages.[{index}].content",
                )
            for call in message.tool_calls or []:
                pending[str(call.get("id"))] = index
        elif message.role == "tool":
            if message.tool_call_id is None:
                raise invalid_request(
                    f"Missing required parameter: 'messages[{index}].tool_call_id'.",
                    f"messages[{index}].tool_call_id",
                    "missing_required_parameter",
                )
            if message.tool_call_id not in pending:
                raise invalid_request(
                    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
                    "'tool_calls'.",
                    f"messages.[{index}].role",
                )
            del pending[message.tool_call_id]
        elif message.role == "function" and not message.name:
            raise invalid_request(
                f"Missing required parameter: 'messages[{index}].name'.",
                f"messages[{index}].name",
                "missing_required_parameter",
            )
    return hears_audio


def _check_audio_reference(audio: Any, index: int) -> None:
    param = f"messages[{index}].audio"
    if not isinstance(audio, dict):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(audio).__name__} instead.",
            param,
            "invalid_type",
        )
    if not isinstance(audio.get("id"), str):
        raise invalid_request(f"Missing required parameter: '{param}.id'.", f"{param}.id", "missing_required_parameter")
    unknown = sorted(set(audio) - {"id"})
    if unknown:
        raise invalid_request(
            f"Unknown parameter: '{param}.{unknown[0]}'.", f"{param}.{unknown[0]}", "unknown_parameter"
        )


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
            raise invalid_request(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                "tool_choice",
            )
        if isinstance(choice, str):
            check_enum(choice, ("none", "auto", "required"), "tool_choice")
        elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
            wanted = choice["function"].get("name")
            if wanted not in names:
                raise invalid_request(
                    f"Invalid value for 'tool_choice': function '{wanted}' is not one of the "
                    "functions declared in 'tools'.",
                    "tool_choice",
                    "invalid_value",
                )
        else:
            raise invalid_request(
                "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or an object naming a function.",
                "tool_choice",
                "invalid_value",
            )
    if body.parallel_tool_calls is not None and not tools:
        raise invalid_request(
            "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when "
            "'tools' are specified.",
            "parallel_tool_calls",
        )
    functions = body.functions
    if functions is not None:
        if not functions:
            raise invalid_request(
                "Invalid 'functions': empty array. Expected an array with minimum length 1, but got "
                "an empty array instead.",
                "functions",
                "empty_array",
            )
        check_max_items(functions, 128, "functions")
        for index, function in enumerate(functions):
            check_function(function, f"functions[{index}]")
    if body.function_call is not None:
        declared = [function["name"] for function in functions or []]
        if isinstance(body.function_call, str):
            check_enum(body.function_call, ("none", "auto"), "function_call")
        elif not isinstance(body.function_call, dict) or body.function_call.get("name") not in declared:
            raise invalid_request(
                "Invalid value for 'function_call': it must name a function declared in 'functions'.",
                "function_call",
                "invalid_value",
            )


def _check_response_format(body: ChatCompletionRequest) -> None:
    response_format = body.response_format
    if response_format is None:
        return
    kind = response_format.get("type")
    check_enum(kind, ("text", "json_object", "json_schema"), "response_format.type")
    if kind == "json_object":
        mentions_json = any("json" in builder.content_text(m.content).lower() for m in body.messages)
        if not mentions_json:
            raise invalid_request(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
                "messages",
            )
    if kind != "json_schema":
        return
    check_json_schema_format(response_format.get("json_schema"))


# What a search model refuses: it samples its own way and calls no tools (the API's "Model incompatible request
# argument supplied" 400s).
_SEARCH_REFUSED = (
    "temperature",
    "top_p",
    "n",
    "presence_penalty",
    "frequency_penalty",
    "logprobs",
    "top_logprobs",
    "logit_bias",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "functions",
    "function_call",
)


def _check_web_search(body: ChatCompletionRequest, spec: models.ModelSpec) -> None:
    """`web_search_options` is a search model's alone; a search model refuses sampling parameters and tools."""
    if spec.kind != "search":
        if body.web_search_options is not None:
            raise invalid_request(
                "Unsupported parameter: 'web_search_options' is not supported with this model. Use a search model "
                "such as 'gpt-4o-search-preview'.",
                "web_search_options",
                "unsupported_parameter",
            )
        return
    for name in _SEARCH_REFUSED:
        if getattr(body, name) is not None:
            raise invalid_request(f"Model incompatible request argument supplied: {name}", name)
    location = body.web_search_options.user_location if body.web_search_options is not None else None
    country = location.approximate.country if location is not None else None
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise invalid_request(
            f"Invalid value for 'web_search_options.user_location.approximate.country': '{country}' is not a "
            "two-letter ISO 3166-1 country code.",
            "web_search_options.user_location.approximate.country",
            "invalid_value",
        )


def _check_model_rules(body: ChatCompletionRequest, spec: models.ModelSpec, prompt_tokens: int) -> None:
    _check_web_search(body, spec)
    reasoning = spec.reasoning
    models.check_verbosity(body.verbosity, spec, "verbosity")
    if reasoning:
        models.check_reasoning_effort(body.reasoning_effort, spec, "reasoning_effort")
        if body.max_tokens is not None:
            raise invalid_request(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                "'max_completion_tokens' instead.",
                "max_tokens",
                "unsupported_parameter",
            )
        for name, value in (("temperature", body.temperature), ("top_p", body.top_p)):
            if value is not None and value != 1:
                raise invalid_request(
                    f"Unsupported value: '{name}' does not support {value} with this model. Only "
                    "the default (1) value is supported.",
                    name,
                    "unsupported_value",
                )
        if body.logprobs:
            raise invalid_request(
                "Unsupported parameter: 'logprobs' is not supported with this model.",
                "logprobs",
                "unsupported_parameter",
            )
    elif body.reasoning_effort is not None:
        raise invalid_request(
            "Unrecognized request argument supplied: reasoning_effort", "reasoning_effort", "unsupported_parameter"
        )
    for name in ("max_completion_tokens", "max_tokens"):
        value = getattr(body, name)
        if value is None:
            continue
        check_range(value, name, minimum=1)
        if value > spec.max_output_tokens:
            raise invalid_request(
                f"{name} is too large: {value}. This model supports at most "
                f"{spec.max_output_tokens} completion tokens, whereas you provided {value}.",
                name,
                "invalid_value",
            )
    if prompt_tokens > spec.context_window:
        raise invalid_request(
            f"This model's maximum context length is {spec.context_window} tokens. However, your "
            f"messages resulted in {prompt_tokens} tokens. Please reduce the length of the messages.",
            "messages",
            "context_length_exceeded",
        )


def _check_audio_output(body: ChatCompletionRequest, hears_audio: bool, audio_model: bool) -> bool:
    """`modalities` / `audio` as the real API checks them; True when the answer is to be spoken."""
    speaks = "audio" in (body.modalities or ())
    if speaks and not audio_model:
        raise invalid_request(
            "This model does not support audio output. Use an audio-capable model such as "
            "'gpt-4o-audio-preview' to request the 'audio' modality.",
            "modalities",
            "unsupported_value",
        )
    if body.audio is not None and not speaks:
        raise invalid_request(
            "Invalid value for 'audio': 'audio' is only allowed when 'modalities' includes 'audio'.",
            "audio",
            "invalid_value",
        )
    if audio_model and not (speaks or hears_audio):
        raise invalid_request(
            "This model requires that either input content or output modality contain audio.", "model", "invalid_value"
        )
    if not speaks:
        return False
    if body.audio is None:
        raise invalid_request(
            "Missing required parameter: 'audio'. It is required when 'modalities' includes 'audio'.",
            "audio",
            "missing_required_parameter",
        )
    for name in ("voice", "format"):
        if body.audio.get(name) is None:
            raise invalid_request(
                f"Missing required parameter: 'audio.{name}'.", f"audio.{name}", "missing_required_parameter"
            )
    unknown = sorted(set(body.audio) - {"voice", "format"})
    if unknown:
        raise invalid_request(f"Unknown parameter: 'audio.{unknown[0]}'.", f"audio.{unknown[0]}", "unknown_parameter")
    if not isinstance(body.audio["voice"], dict):  # a custom voice ({"id": "voice_…"}) is the tenant's: validate()
        check_enum(body.audio["voice"], CHAT_VOICES, "audio.voice")
    check_enum(body.audio["format"], AUDIO_FORMATS, "audio.format")
    if body.stream and body.audio["format"] != "pcm16":
        raise invalid_request(
            f"Unsupported value: 'audio.format' does not support '{body.audio['format']}' when "
            "stream=true. Supported values are: 'pcm16'.",
            "audio.format",
            "unsupported_value",
        )
    return True


def _prompt_audio_tokens(body: ChatCompletionRequest, tenant: str) -> int:
    """What the conversation's audio costs: input_audio parts by their duration, and each referenced spoken
    answer as many tokens as it cost when it was generated."""
    total = 0
    for index, message in enumerate(body.messages):
        if message.audio is not None:
            total += _referenced_audio(tenant, message.audio["id"], index)["audio_tokens"]
        if message.role != "user" or not isinstance(message.content, list):
            continue
        for part_index, part in enumerate(message.content):
            if part["type"] == "input_audio":
                seconds = _input_audio_seconds(part["input_audio"], f"messages[{index}].content[{part_index}]")
                total += builder.audio_tokens_for(seconds, builder.AUDIO_INPUT_TOKENS_PER_SECOND)
    return total


def _input_audio_seconds(value: Mapping[str, Any], param: str) -> float:
    from openai_mock.generation.audio.probe import probe_audio  # the audio decoders load only for audio requests

    try:
        data = base64.b64decode(value["data"], validate=True)
        info = probe_audio(data)
    except (binascii.Error, ValueError, struct.error, IndexError):
        raise invalid_request(
            f"Invalid value for '{param}.input_audio.data': the data is not base64-encoded {value['format']} audio.",
            f"{param}.input_audio.data",
            "invalid_value",
        ) from None
    if info.container != value["format"]:
        raise invalid_request(
            f"The audio in '{param}' is not in the declared format '{value['format']}'.",
            f"{param}.input_audio.format",
            "invalid_value",
        )
    return info.duration


def _referenced_audio(tenant: str, audio_id: str, index: int) -> dict[str, Any]:
    """An earlier spoken answer of this tenant, while it lives (an hour, like the API's `expires_at`)."""
    kept = get_store().get(tenant, AUDIO_COLLECTION, audio_id)
    if kept is None or clock.now_seconds() >= kept["expires_at"]:
        raise invalid_request(
            f"Assistant audio {audio_id} not found.", f"content.messages[{index}].audio.id", "audio_not_found"
        )
    return kept


class Validated(NamedTuple):
    request: dict[str, Any]  # the request as a plain dict, without nulls
    spec: models.ModelSpec
    prompt: builder.PromptCount  # audio included in its total
    prompt_audio_tokens: int
    voice_pitch: int | None = None  # a custom `audio.voice`'s, read from its sample
    messages_read: list[dict[str, Any]] | None = None  # the messages as the model reads them (stored files inline)


def _check_stream_options(options: Mapping[str, Any]) -> None:
    for flag in ("include_usage", "include_obfuscation"):
        value = options.get(flag)
        if value is not None and not isinstance(value, bool):
            raise invalid_request(
                f"Invalid type for 'stream_options.{flag}': expected a boolean, but got {type(value).__name__} "
                "instead.",
                f"stream_options.{flag}",
                "invalid_type",
            )


def validate(body: ChatCompletionRequest, tenant: str) -> Validated:
    """Check everything the real API checks, and count the prompt."""
    spec = chat_model_spec(tenant, body.model, "chat")
    hears_audio = _check_messages(body.messages)
    check_range(body.temperature, "temperature", 0, 2, decimal=True)
    check_range(body.top_p, "top_p", 0, 1, decimal=True)
    check_range(body.frequency_penalty, "frequency_penalty", -2, 2, decimal=True)
    check_range(body.presence_penalty, "presence_penalty", -2, 2, decimal=True)
    check_range(body.n, "n", 1, 128)
    check_range(body.top_logprobs, "top_logprobs", 0, 20)
    if body.top_logprobs and not body.logprobs:
        raise invalid_request(
            "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is specified.",
            "top_logprobs",
            "invalid_value",
        )
    stop_sequences(body.stop)
    check_metadata(body.metadata)
    if body.service_tier is not None:
        check_enum(body.service_tier, SERVICE_TIERS, "service_tier")
    for modality in body.modalities or []:
        check_enum(modality, ("text", "audio"), "modalities")
    if body.stream_options is not None and not body.stream:
        raise invalid_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
            "invalid_value",
        )
    _check_stream_options(body.stream_options or {})
    for key, bias in (body.logit_bias or {}).items():
        if not key.isdigit():
            raise invalid_request(f"Invalid key in 'logit_bias': {key}.", "logit_bias", "invalid_value")
        check_range(bias, f"logit_bias.{key}", -100, 100)
    _check_tools(body)
    _check_response_format(body)
    request = body.model_dump(exclude_none=True)
    read = input_files.read_messages(tenant, request["messages"])
    prompt = builder.count_prompt(request)
    prompt = prompt._replace(total=prompt.total + documents.chat_documents_tokens(read, request["model"]))
    _check_model_rules(body, spec, prompt.total)
    audio_tokens, pitch = 0, None
    audio_model = spec.kind == "audio"
    if body.modalities or body.audio is not None or hears_audio or audio_model:
        speaks = _check_audio_output(body, hears_audio, audio_model)
        voice = (body.audio or {}).get("voice") if speaks else None
        if isinstance(voice, dict):
            pitch = _custom_voice_pitch(tenant, voice)
        if hears_audio:
            audio_tokens = _prompt_audio_tokens(body, tenant)
    return Validated(request, spec, prompt._replace(total=prompt.total + audio_tokens), audio_tokens, pitch, read)


def _custom_voice_pitch(tenant: str, voice: Mapping[str, Any]) -> int:
    # imported here: only a custom voice reads the Audio group's store of voices
    from openai_mock.resources.audio import custom_voice_pitch

    return custom_voice_pitch(tenant, voice, "audio.voice")


# --------------------------------------------------------------------------------------------- create


class Generated(NamedTuple):
    completion: dict[str, Any]
    request: dict[str, Any]  # as validated
    spoken: list[builder.SpokenAnswer]  # audio answers, kept so that follow-up requests may refer to them
    content_tokens: list[Sequence[int]]  # each choice's content tokens, as built (a stream cuts the content on them)
    cache: prompt_cache.Lookup | None = None  # the prompt cache read, written once the completion is admitted


def generate(body: ChatCompletionRequest, tenant: str, headers: Mapping[str, str]) -> Generated:
    """Validate and build the completion: the core the endpoint and the Batch API share (no rate-limit
    accounting, nothing stored, never streamed)."""
    request, spec, prompt, prompt_audio_tokens, voice_pitch, messages_read = validate(body, tenant)
    prompt_cache.check_retention(body.model, body.prompt_cache_retention)
    material = {key: value for key, value in request.items() if key not in _DELIVERY_FIELDS}
    _without_search_depth(material)
    rng = request_rng(material, headers)
    cache = prompt_cache.look_up(tenant, request, prompt.total - prompt_audio_tokens, _cache_settings(body))
    cached, written = (cache.use.cached, cache.use.written) if cache is not None else (0, 0)
    content_tokens: list[Sequence[int]] = []
    completion = builder.build_chat_completion(
        {**request, "messages": messages_read},
        rng,
        completion_id=ids.new_id("chat.completion"),
        created=clock.now_seconds(),
        reasoning=spec.reasoning,
        searches=spec.kind == "search",
        script=scripted(tenant, "chat.completions", request),
        prompt=prompt,
        tokens_out=content_tokens,
        cached_tokens=cached,
        cache_write_tokens=written,
    )
    spoken: list[builder.SpokenAnswer] = []
    if prompt_audio_tokens:
        completion["usage"]["prompt_tokens_details"]["audio_tokens"] = prompt_audio_tokens
    if body.moderation is not None:
        for index in _moderate(completion, request, options.moderation_policy(tenant, body.moderation)):
            content_tokens[index] = ()
    if "audio" in request.get("modalities", ()):
        spoken = builder.add_audio(completion, request, voice_pitch)
    return Generated(completion, request, spoken, content_tokens, cache)


def _without_search_depth(material: dict[str, Any]) -> None:
    """How much a search model reads (`search_context_size`) lengthens its answer, it does not change what it says:
    left out of the seed, like the options' absence (the default depth)."""
    options = dict(material.pop("web_search_options", {}))
    options.pop("search_context_size", None)
    if options:
        material["web_search_options"] = options


def _cache_settings(body: ChatCompletionRequest) -> prompt_cache.Settings:
    given = body.prompt_cache_options
    return prompt_cache.Settings(
        body.model,
        body.prompt_cache_key,
        given.mode if given is not None else "implicit",
        given.ttl if given is not None else None,
        body.prompt_cache_retention,
    )


def _user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    texts = []
    for message in messages:
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        else:
            texts.extend(str(part.get("text") or "") for part in content or [] if isinstance(part, Mapping))
    return "\n".join(texts)


def _moderate(
    completion: dict[str, Any], request: Mapping[str, Any], policy: options.ModerationPolicy | None
) -> list[int]:
    """`moderation`: score the user's messages and each choice's answer; a flagged side whose policy blocks
    empties its choices (`finish_reason: content_filter`). The indices of the choices emptied."""
    if policy is None:
        return []
    asked = options.moderation_result(policy, _user_text(request["messages"]))
    answered = [
        options.moderation_result(policy, choice["message"].get("content") or "") for choice in completion["choices"]
    ]
    completion["moderation"] = {
        "input": {"type": "moderation_results", "model": policy.model, "results": [asked]},
        "output": {"type": "moderation_results", "model": policy.model, "results": answered},
    }
    blocked_input = policy.block_input and asked["flagged"]
    if blocked_input:  # nothing is generated for a blocked input
        usage = completion["usage"]
        usage.update(completion_tokens=0, total_tokens=usage["prompt_tokens"])
    blocked = []
    for index, (choice, result) in enumerate(zip(completion["choices"], answered, strict=True)):
        if blocked_input or (policy.block_output and result["flagged"]):
            choice["message"]["content"] = None
            choice["message"].pop("tool_calls", None)
            choice.update(finish_reason="content_filter", logprobs=None)
            blocked.append(index)
    return blocked


def admit(request: Request, body: ChatCompletionRequest, tenant: str, generated: Generated) -> None:
    """Count the completion against its rate limit (the 429 past it); a `store: true` one's messages are stored
    meanwhile, one round trip on DynamoDB (`ratelimits.count_while_keeping`), and taken back when it is refused."""
    completion = generated.completion
    if not body.store:
        ratelimits.record_token_usage(request, tenant, body.model, completion)
    else:
        keep = functools.partial(_store_messages, tenant, completion, generated.request)
        take_back = functools.partial(get_store().delete, tenant, MESSAGES_COLLECTION, completion["id"])
        ratelimits.count_while_keeping(request, tenant, body.model, completion, keep, take_back)
    prompt_cache.remember(tenant, generated.cache)  # only an admitted prompt is cached


def deliver(body: ChatCompletionRequest, tenant: str, generated: Generated) -> dict[str, Any] | Iterator[bytes]:
    """Keep what an admitted completion leaves behind (spoken answers; the completion when `store: true`, its
    messages kept by `admit`), then hand it back as JSON or as its chunk stream."""
    completion, request, spoken, content_tokens, _ = generated
    for answer in spoken:  # kept (without the bytes) so a follow-up may send {"audio": {"id": …}} back
        get_store().create(
            tenant,
            AUDIO_COLLECTION,
            {
                "id": answer.id,
                "transcript": answer.transcript,
                "audio_tokens": answer.audio_tokens,
                "expires_at": answer.expires_at,
            },
        )
    if body.store:
        _store_completion_only(tenant, completion, request)
    if body.stream:
        options = body.stream_options or {}
        obfuscate = options.get("include_obfuscation") is not False  # on unless turned off, as the API's chunks
        return builder.stream_events(completion, bool(options.get("include_usage")), content_tokens, obfuscate)
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
    _store_messages(tenant, completion, request)  # first: a listed completion always has its messages
    _store_completion_only(tenant, completion, request)


def _store_messages(tenant: str, completion: dict[str, Any], request: dict[str, Any]) -> None:
    data = _stored_messages(completion["id"], request["messages"])
    get_store().create(tenant, MESSAGES_COLLECTION, {"id": completion["id"], "data": data})


def _store_completion_only(tenant: str, completion: dict[str, Any], request: dict[str, Any]) -> None:
    stored = {**_without_audio_bytes(completion), "metadata": request.get("metadata") or {}}
    get_store().create(tenant, COLLECTION, stored)


def _without_audio_bytes(completion: dict[str, Any]) -> dict[str, Any]:
    """A stored completion keeps each spoken answer's id, expiry and transcript; its base64 `data` is emptied
    (the bytes belong to the response, and would overflow a DynamoDB item)."""
    if not any("audio" in choice["message"] for choice in completion["choices"]):
        return completion
    choices = [
        {**choice, "message": {**choice["message"], "audio": {**choice["message"]["audio"], "data": ""}}}
        if choice["message"].get("audio")
        else choice
        for choice in completion["choices"]
    ]
    return {**completion, "choices": choices}


# --------------------------------------------------------------------------------------------- stored completions


def list_completions(
    tenant: str, params: ListParams, *, model: str | None, metadata: Mapping[str, str]
) -> dict[str, Any]:
    def matches(completion: dict[str, Any]) -> bool:
        if retention.expired(completion["created"]):
            return False
        if model is not None and completion["model"] != model:
            return False
        stored = completion.get("metadata") or {}
        return all(stored.get(key) == value for key, value in metadata.items())

    page = get_store().list(
        tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after, where=matches
    )
    return list_object(page)


def retrieve(tenant: str, completion_id: str) -> dict[str, Any]:
    completion = get_store().get(tenant, COLLECTION, completion_id)
    if completion is None or retention.expired(completion["created"]):  # kept 30 days (docs/admin.md)
        raise _not_found(completion_id)
    return completion


def update(tenant: str, completion_id: str, body: UpdateChatCompletionRequest) -> dict[str, Any]:
    check_metadata(body.metadata)
    updated = get_store().update(
        tenant, COLLECTION, completion_id, lambda completion: {**completion, "metadata": body.metadata or {}}
    )
    if updated is None:
        raise _not_found(completion_id)
    return updated


def delete(tenant: str, completion_id: str) -> dict[str, Any]:
    store = get_store()
    if store.delete(tenant, COLLECTION, completion_id) is None:
        raise _not_found(completion_id)
    store.delete(tenant, MESSAGES_COLLECTION, completion_id)
    return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}


def list_messages(tenant: str, completion_id: str, params: ListParams) -> dict[str, Any]:
    retrieve(tenant, completion_id)
    stored = get_store().get(tenant, MESSAGES_COLLECTION, completion_id) or {"data": []}
    return list_object(paginate(stored["data"], params))


def _not_found(completion_id: str) -> OpenAIError:
    return not_found("chat completion", completion_id, param="completion_id")

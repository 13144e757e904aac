"""Responses API: request model, the real API's validation, creation (JSON or typed event stream) with
hosted tools, conversation state (`store`, `previous_response_id`), retrieval, deletion and input items.

(`openai_mock.responses` is the JSON response class routes return; this module is the API group.)"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from pydantic import ConfigDict
from starlette.requests import Request

from openai_mock import clock, ids
from openai_mock.checks import check_enum, check_max_items, check_metadata, check_range
from openai_mock.control import webhooks
from openai_mock.control.api import answer_of, script_of
from openai_mock.errors import OpenAIError, invalid_request, missing_parameter
from openai_mock.fields import Decimal, Flag, Integer, RequestModel
from openai_mock.generation import chat as chat_builder
from openai_mock.generation import documents, grammars, programmatic, prompt_prefix, tokens
from openai_mock.generation import responses as builder
from openai_mock.generation.streaming import sse_event
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.resources import (
    conversations,
    input_files,
    models,
    prompt_cache,
    ratelimits,
    response_shell,
    responses_multi_agent,
    responses_options,
    responses_tool_search,
    safety,
)
from openai_mock.resources import model_request_options as options
from openai_mock.resources.models import serving_spec
from openai_mock.resources.organization import retention
from openai_mock.rng import request_rng
from openai_mock.schema_checks import (
    FUNCTION_NAME,
    check_function,
    schema_problem,
    strict_schema_problem,
    unresolved_reference,
)
from openai_mock.store import get_store
from openai_mock.web.access import honour_service_tier
from openai_mock.web.auth import tenant_of

COLLECTION = "response"
INCLUDABLE = conversations.INCLUDABLE  # the spec's IncludeEnum
# What a create (REST, stream, WebSocket) shows unasked: reasoning items' encrypted content is "populated by default
# for reasoning items returned by POST /v1/responses and WebSocket response.create" (the spec's ReasoningItem, the
# SDK's ResponseReasoningItem); a retrieval shows it only when its `include` asks.
CREATE_INCLUDES = ("reasoning.encrypted_content",)
_ITEM_TYPES = (
    "message",
    "function_call_output",
    "function_call",
    "computer_call_output",
    "computer_call",
    "file_search_call",
    "web_search_call",
    "code_interpreter_call",
    "reasoning",
    "item_reference",
    "compaction",
    "custom_tool_call",
    "custom_tool_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "image_generation_call",
    "tool_search_call",
    "tool_search_output",
    # a beta multi-agent response's own items, passed back as they were returned
    "multi_agent_call",
    "multi_agent_call_output",
    "agent_message",
    "program",
    "program_output",
    *response_shell.ITEMS,
)
_TOOL_TYPES = (
    "function",
    "file_search",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "web_search",
    "web_search_2025_08_26",
    "computer_use_preview",
    "code_interpreter",
    "mcp",
    "image_generation",
    "custom",
    "local_shell",
    "shell",
    "apply_patch",
    "namespace",
    "tool_search",
    "programmatic_tool_calling",
)
# No forcing local_shell; a namespace or a tool search is not a tool choice (a namespace's tools are called by name).
_TOOL_CHOICE_TYPES = tuple(kind for kind in _TOOL_TYPES if kind not in ("local_shell", "namespace", "tool_search"))
_ROLES = ("user", "assistant", "system", "developer")
# `service_tier` of a response (the spec's ServiceTierResponses) and of a compaction (ServiceTierEnum).
SERVICE_TIERS = ("auto", "default", "flex", "scale", "priority", "fast", "ultrafast")
# The models Ultrafast Processing serves (the SDK's ServiceTier docstring; the catalogue does not record tiers).
ULTRAFAST_MODELS = ("gpt-5.6-sol",)
COMPACT_SERVICE_TIERS = ("auto", "default", "fast", "flex", "priority")
_PARTS = {
    "assistant": ("output_text", "refusal"),
    "user": ("input_text", "input_image", "input_file"),
    "system": ("input_text", "input_image", "input_file"),
    "developer": ("input_text", "input_image", "input_file"),
}
_PART_FIELD = {"input_text": "text", "output_text": "text", "refusal": "refusal"}
_FILE_SOURCES = ("file_id", "file_data", "file_url")  # an input file's: exactly one
# Fields that change how an answer is delivered or kept, not what it says: left out of the seed.
_DELIVERY_FIELDS = frozenset(
    {
        "stream",
        "store",
        "metadata",
        "user",
        "include",
        "max_output_tokens",
        "previous_response_id",
        "service_tier",
        "truncation",
        "prompt_cache_key",
        "safety_identifier",
        "background",
        "conversation",
        "stream_options",
        "moderation",
        "prompt_cache_options",
        "prompt_cache_retention",
        "top_logprobs",
        "access_programs",
        "background_options",
        "image",
    }
)


class CreateResponseRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str = ""  # may come from a stored `prompt`; required otherwise
    input: Any
    instructions: str | None = None
    include: list[str] | None = None
    max_output_tokens: Integer | None = None
    metadata: dict[str, str] | None = None
    parallel_tool_calls: bool | None = None
    previous_response_id: str | None = None
    reasoning: dict[str, Any] | None = None
    store: bool | None = None
    stream: bool | None = None
    temperature: Decimal | None = None
    text: dict[str, Any] | None = None
    tool_choice: Any = None
    tools: list[dict[str, Any]] | None = None
    top_p: Decimal | None = None
    truncation: str | None = None
    user: str | None = None
    # Accepted by today's API (newer than the 2025-03 spec); they do not change the answer.
    service_tier: str | None = None
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None
    # The 2026 API's: background mode, conversations, stream options, compaction.
    background: Flag | None = None
    conversation: str | dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None
    context_management: list[dict[str, Any]] | None = None
    prompt: dict[str, Any] | None = None  # a stored prompt (control/prompts.py): id, version, variables
    max_tool_calls: Integer | None = None
    # The 2026-08-21 spec's: prompt cache options, moderation, log probabilities' alternatives.
    moderation: options.ModerationParam | None = None
    prompt_cache_options: options.ResponsePromptCacheOptions | None = None
    prompt_cache_retention: options.PromptCacheRetention | None = None
    top_logprobs: Integer | None = None
    # The SDK's (3.63) beyond the 2026-08-21 spec: access programs, background execution windows, image options.
    access_programs: responses_options.AccessPrograms | None = None
    background_options: responses_options.BackgroundOptions | None = None
    image: responses_options.ImageOptions | None = None
    # The beta's (`OpenAI-Beta: responses_multi_agent=v1`): server-hosted subagents (generation/multi_agent.py).
    multi_agent: responses_multi_agent.MultiAgentParam | None = None
    # Neither the spec's nor the SDK's, but what OpenAI's own Codex CLI sends on every turn (its thread, turn and
    # installation ids, as strings): taken, as the API takes it, and not part of the response.
    client_metadata: dict[str, str] | None = None


# --------------------------------------------------------------------------------------------- input items


def _require_string(entry: Mapping[str, Any], key: str, param: str) -> str:
    value = entry.get(key)
    if value is None:
        raise missing_parameter(f"{param}.{key}")
    if not isinstance(value, str):
        raise invalid_request(
            f"Invalid type for '{param}.{key}': expected a string, but got {type(value).__name__} instead.",
            f"{param}.{key}",
            "invalid_type",
        )
    return value


def _part(part: Any, role: str, param: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(part).__name__} instead.",
            param,
            "invalid_type",
        )
    check_enum(part.get("type"), _PARTS[role], f"{param}.type")
    kind = part["type"]
    if kind in _PART_FIELD:
        _require_string(part, _PART_FIELD[kind], param)
        return {"annotations": [], "logprobs": [], **part} if kind == "output_text" else dict(part)
    if kind == "input_image":
        if not part.get("image_url") and not part.get("file_id"):
            raise missing_parameter(f"{param}.image_url")
        check_enum(part.get("detail", "auto"), ("auto", "low", "high"), f"{param}.detail")
        return {"detail": "auto", **part}
    return _file_part(part, param)


def _file_part(part: dict[str, Any], param: str) -> dict[str, Any]:
    """An input file: exactly one of a stored file (`file_id`), its bytes (`file_data`, a data URL, or base64 with
    its `filename`) or an https address (`file_url`)."""
    given = [key for key in _FILE_SOURCES if part.get(key) is not None]
    if not given:
        raise invalid_request(
            f"Missing required parameter: one of '{param}.file_id', '{param}.file_data' or '{param}.file_url'.",
            f"{param}.file_id",
            "missing_required_parameter",
        )
    if len(given) > 1:
        raise invalid_request(
            f"Invalid '{param}': '{given[0]}' and '{given[1]}' cannot both be given: send one of 'file_id', "
            "'file_data' or 'file_url'.",
            f"{param}.{given[1]}",
            "invalid_value",
        )
    source = _require_string(part, given[0], param)
    if part.get("filename") is not None:
        _require_string(part, "filename", param)
    if part.get("detail") is not None:
        check_enum(part["detail"], ("auto", "low", "high"), f"{param}.detail")
    if given[0] == "file_url":
        address = urlsplit(source)
        if address.scheme != "https" or not address.netloc:
            raise invalid_request(
                f"Invalid '{param}.file_url': expected an https URL, but got '{source[:100]}'.",
                f"{param}.file_url",
                "invalid_value",
            )
    elif given[0] == "file_data":
        data = documents.decoded(source)
        if data is None:
            raise invalid_request(
                f"Invalid '{param}.file_data': expected base64-encoded file data or a data URL.",
                f"{param}.file_data",
                "invalid_value",
            )
        if not source.startswith("data:") and part.get("filename") is None:
            raise missing_parameter(f"{param}.filename")  # what the file is: a data URL's type, else its name
        input_files.check_not_image(part.get("filename") or "", data, f"{param}.file_data")
    return dict(part)


def _tool_output(entry: Mapping[str, Any], param: str) -> str | list[dict[str, Any]]:
    """A tool call's `output`: a string, or content parts (text, images, files) checked as a message's are."""
    output = entry.get("output")
    if output is None:
        raise missing_parameter(f"{param}.output")
    if isinstance(output, str):
        return output
    if not isinstance(output, list):
        raise invalid_request(
            f"Invalid type for '{param}.output': expected one of a string or array of objects, but got "
            f"{type(output).__name__} instead.",
            f"{param}.output",
            "invalid_type",
        )
    return [_part(part, "user", f"{param}.output[{index}]") for index, part in enumerate(output)]


def _message(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    check_enum(entry.get("role"), _ROLES, f"{param}.role")
    role, content = entry["role"], entry.get("content")
    if content is None:
        raise missing_parameter(f"{param}.content")
    if isinstance(content, str):
        content = [{"type": "output_text" if role == "assistant" else "input_text", "text": content}]
    elif not isinstance(content, list):
        raise invalid_request(
            f"Invalid type for '{param}.content': expected one of a string or array of objects, "
            f"but got {type(content).__name__} instead.",
            f"{param}.content",
            "invalid_type",
        )
    parts = [_part(part, role, f"{param}.content[{index}]") for index, part in enumerate(content)]
    item_id = entry.get("id") or ids.new_id("message_item")
    return {"id": item_id, "type": "message", "role": role, "content": parts, "status": "completed"}


def _object_item(entry: Any, param: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(entry).__name__} instead.",
            param,
            "invalid_type",
        )
    return entry


def _item(entry: Any, param: str) -> dict[str, Any]:
    entry = _object_item(entry, param)
    kind = entry.get("type", "message")
    check_enum(kind, _ITEM_TYPES, f"{param}.type")
    if kind == "message":
        return _message(entry, param)
    if kind == "item_reference":
        _require_string(entry, "id", param)
        return dict(entry)
    if kind in _OWN_CHECKED_ITEMS:  # the shell tools' items, the tool search items
        return _OWN_CHECKED_ITEMS[kind](entry, param)
    if kind == "function_call_output":
        _require_string(entry, "call_id", param)
        output = _tool_output(entry, param)
        return {"id": entry.get("id") or ids.new_id("function_call"), "status": "completed", **entry, "output": output}
    if kind in ("program", "program_output"):
        return _program_item(entry, param)
    if kind == "function_call":
        for key in ("call_id", "name", "arguments"):
            _require_string(entry, key, param)
        _check_caller(entry.get("caller"), f"{param}.caller")
        return {"id": entry.get("id") or ids.new_id("function_call"), "status": "completed", **entry}
    if kind == "custom_tool_call_output":
        _require_string(entry, "call_id", param)
        output = _tool_output(entry, param)
        return {"id": entry.get("id") or ids.new_id("custom_tool_call"), **entry, "output": output}
    if kind == "custom_tool_call":
        for key in ("call_id", "name", "input"):
            _require_string(entry, key, param)
        return {"id": entry.get("id") or ids.new_id("custom_tool_call"), **entry}
    if kind == "mcp_approval_response":
        _require_string(entry, "approval_request_id", param)
        if not isinstance(entry.get("approve"), bool):
            raise missing_parameter(f"{param}.approve")
        return {"id": entry.get("id") or ids.new_id("mcp_approval_request"), **entry}
    if kind == "computer_call_output":
        _require_string(entry, "call_id", param)
        if not isinstance(entry.get("output"), dict):
            raise missing_parameter(f"{param}.output")
        return {"id": entry.get("id") or ids.new_id("computer_call"), "status": "completed", **entry}
    _require_string(entry, "id", param)  # an earlier output item, passed back as it was returned
    _check_sealed_reasoning(entry, param)
    return dict(entry)


def _program_item(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    """A program (or its output) passed back as it was returned: a program's fingerprint must be the one the mock
    gave its code (the API replays only programs it wrote)."""
    fields = ("id", "call_id", "code", "fingerprint") if entry["type"] == "program" else ("id", "call_id", "result")
    for key in fields:
        _require_string(entry, key, param)
    if entry["type"] == "program_output":
        check_enum(entry.get("status"), ("completed", "incomplete"), f"{param}.status")
    elif entry["fingerprint"] != programmatic.fingerprint(entry["code"]):
        raise invalid_request(
            f"Invalid '{param}.fingerprint': the program fingerprint does not match its code.",
            f"{param}.fingerprint",
            "invalid_value",
        )
    return dict(entry)


def _check_caller(caller: Any, param: str) -> None:
    if caller is None:
        return
    if not isinstance(caller, dict):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(caller).__name__} instead.",
            param,
            "invalid_type",
        )
    check_enum(caller.get("type"), ("direct", "program"), f"{param}.type")
    if caller["type"] == "program":
        _require_string(caller, "caller_id", param)


def _check_sealed_reasoning(entry: Mapping[str, Any], param: str) -> None:
    """A reasoning item passed back with its `encrypted_content` (a stateless turn): only content the mock sealed
    is read again; anything else is refused as the API refuses content it cannot verify (its `param` is null: the
    mock names the item)."""
    if entry.get("type") != "reasoning" or entry.get("encrypted_content") is None:
        return
    content = _require_string(entry, "encrypted_content", param)
    if builder.unsealed_reasoning(entry) is None:
        shown = f"{content[:4]}...{content[-4:]}" if len(content) > 8 else content
        raise invalid_request(
            f"The encrypted content {shown} could not be verified. Reason: Encrypted content could not be decrypted "
            "or parsed.",
            f"{param}.encrypted_content",
            "invalid_encrypted_content",
        )


def _check_reasoning_kept(items: Sequence[Mapping[str, Any]], history: Sequence[Mapping[str, Any]]) -> None:
    """With `store: false`, a reasoning item passed back without its `encrypted_content` names an item nothing
    kept (unless the earlier response this one continues holds it): the API answers 404, as the mock does."""
    known = {item.get("id") for item in history}
    for index, item in enumerate(items):
        if item["type"] == "reasoning" and item.get("encrypted_content") is None and item["id"] not in known:
            raise OpenAIError(
                404,
                f"Item with id '{item['id']}' not found. Items are not persisted when `store` is set to false. "
                "Try again with `store` set to true, or remove this item from your input.",
                param=f"input[{index}]",
            )


def _resolve_references(items: list[dict[str, Any]], history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    known = {item["id"]: item for item in history if "id" in item}
    resolved = []
    for index, item in enumerate(items):
        if item["type"] == "item_reference":
            if item["id"] not in known:
                raise OpenAIError(404, f"Item with id '{item['id']}' not found.", param=f"input[{index}].id")
            item = known[item["id"]]
        resolved.append(item)
    return resolved


def input_items(value: Any) -> list[dict[str, Any]]:
    """`input` as normalised items, each with an id (as input_items lists them)."""
    if isinstance(value, str):
        return [_message({"role": "user", "content": value}, "input")]
    if not isinstance(value, list):
        raise invalid_request(
            f"Invalid type for 'input': expected one of a string or array of objects, but got "
            f"{type(value).__name__} instead.",
            "input",
            "invalid_type",
        )
    if not value:
        raise invalid_request(
            "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            "input",
            "empty_array",
        )
    return normalised_items(value, "input")


def normalised_items(entries: Sequence[Any], param: str) -> list[dict[str, Any]]:
    """Input items (`input`, a conversation's `items`) checked and normalised, each with an id."""
    return [_item(entry, f"{param}[{index}]") for index, entry in enumerate(entries)]


_CALLS = ("function_call", "computer_call", "custom_tool_call", *response_shell.CALLS)
_CALL_OUTPUTS = ("function_call_output", "computer_call_output", "custom_tool_call_output", *response_shell.OUTPUTS)


def _check_call_outputs(conversation: Sequence[Mapping[str, Any]]) -> None:
    """Every tool output answers a call made earlier in the conversation, every approval a request."""
    responses_tool_search.check_search_outputs(conversation)
    calls = {item["call_id"] for item in conversation if item["type"] in _CALLS}
    asked = {item["id"] for item in conversation if item["type"] == "mcp_approval_request"}
    programs = {item["call_id"] for item in conversation if item["type"] == "program"}
    for item in conversation:
        caller_id = (item.get("caller") or {}).get("caller_id") if item["type"] == "function_call" else None
        if caller_id is not None and caller_id not in programs:
            raise invalid_request(f"No program found for function call with caller_id {caller_id}.", "input")
        if item["type"] == "program_output" and item["call_id"] not in programs:
            raise invalid_request(f"No program found for program output with call_id {item['call_id']}.", "input")
        if item["type"] in _CALL_OUTPUTS and item["call_id"] not in calls:
            what = item["type"].replace("_", " ") if item["type"] in response_shell.OUTPUTS else "function call output"
            raise invalid_request(f"No tool call found for {what} with call_id {item['call_id']}.", "input")
        if item["type"] == "mcp_approval_response" and item["approval_request_id"] not in asked:
            raise invalid_request(
                f"No approval request found with id {item['approval_request_id']}.", "input", "invalid_value"
            )


# --------------------------------------------------------------------------------------------- tools, format


def _check_custom_tool(tool: Mapping[str, Any], param: str) -> None:
    name = _require_string(tool, "name", param)
    if not FUNCTION_NAME.fullmatch(name):
        raise invalid_request(
            f"Invalid '{param}.name': string does not match pattern. Expected a string that matches the "
            "pattern '^[a-zA-Z0-9_-]+$'.",
            f"{param}.name",
            "invalid_value",
        )
    _check_custom_format(tool.get("format"), f"{param}.format")


def _check_custom_format(input_format: Any, param: str) -> None:
    """`format`: free text, or a grammar (Lark or regex) whose definition compiles."""
    if input_format is None:
        return
    if not isinstance(input_format, Mapping):
        raise invalid_request(
            f"Invalid type for '{param}': expected an object, but got {type(input_format).__name__} instead.",
            param,
            "invalid_type",
        )
    for key, allowed in (("type", ("text", "grammar")), ("syntax", grammars.SYNTAXES)):
        if input_format.get(key) is None:
            raise missing_parameter(f"{param}.{key}")
        check_enum(input_format[key], allowed, f"{param}.{key}")
        if input_format["type"] == "text":
            return
    definition = _require_string(input_format, "definition", param)
    problem = grammars.format_error(input_format["syntax"], definition)
    if problem is not None:
        raise invalid_request(
            f"Invalid '{param}.definition': the {input_format['syntax']} grammar is not valid: {problem.rstrip('.')}.",
            f"{param}.definition",
            "invalid_value",
        )


def _check_mcp_tool(tool: Mapping[str, Any], param: str) -> None:
    _require_string(tool, "server_label", param)
    if not isinstance(tool.get("server_url") or tool.get("connector_id"), str):
        raise missing_parameter(f"{param}.server_url")
    rule = tool.get("require_approval")
    if isinstance(rule, str) or rule is None:
        check_enum(rule or "always", ("always", "never"), f"{param}.require_approval")
    elif not isinstance(rule, dict):
        raise invalid_request(
            f"Invalid type for '{param}.require_approval': expected one of a string or an object.",
            f"{param}.require_approval",
            "invalid_type",
        )


# The image model the image_generation tool draws with when it names none (the SDK's `ImageGeneration.model` default).
IMAGE_TOOL_MODEL = "gpt-image-2.6-sunburst"


def _check_image_generation_tool(tool: Mapping[str, Any], param: str) -> None:
    from openai_mock.resources import images  # here: the Images API's modules load with the first image tool

    size, model = tool.get("size") or "auto", tool.get("model") or IMAGE_TOOL_MODEL
    if size in images.GPT_IMAGE_SIZES or not isinstance(size, str) or not images.takes_free_size(model):
        check_enum(size, images.GPT_IMAGE_SIZES, f"{param}.size")
    else:
        images.free_size(size, f"{param}.size")  # gpt-image-2 and 2.5: any WIDTHxHEIGHT within their limits
    check_enum(tool.get("output_format") or "png", ("png", "jpeg", "webp"), f"{param}.output_format")
    check_enum(tool.get("quality") or "auto", ("auto", "low", "medium", "high"), f"{param}.quality")
    if tool.get("partial_images") is not None:
        check_range(tool["partial_images"], f"{param}.partial_images", 0, 3)


_TODAYS_TOOL_CHECKS = {
    "custom": _check_custom_tool,
    "mcp": _check_mcp_tool,
    "image_generation": _check_image_generation_tool,
    "namespace": responses_tool_search.check_namespace,
    "tool_search": responses_tool_search.check_tool_search,
    **response_shell.TOOL_CHECKS,
}


def _check_allowed_callers(tools: Sequence[Mapping[str, Any]]) -> None:
    """`allowed_callers` names direct and programmatic callers; a tool only programs may call needs the
    programmatic_tool_calling tool (else nothing could ever call it)."""
    for index, tool in enumerate(tools):
        allowed = tool.get("allowed_callers")
        if allowed is None:
            continue
        param = f"tools[{index}].allowed_callers"
        if not isinstance(allowed, list) or not allowed:
            raise invalid_request(
                f"Invalid '{param}': expected a non-empty array of 'direct' or 'programmatic'.", param, "invalid_value"
            )
        for at, caller in enumerate(allowed):
            check_enum(caller, ("direct", "programmatic"), f"{param}[{at}]")
        if "direct" not in allowed and not programmatic.offered({"tools": tools}):
            raise invalid_request(
                f"Invalid '{param}': a tool only programs may call requires the 'programmatic_tool_calling' tool.",
                param,
                "invalid_value",
            )


def _check_tool(tool: Mapping[str, Any], param: str) -> None:
    check_enum(tool.get("type"), _TOOL_TYPES, f"{param}.type")
    kind = tool["type"]
    if kind == programmatic.TOOL:
        return  # it has nothing to set
    if kind == "function":
        if tool.get("parameters") is None:
            raise missing_parameter(f"{param}.parameters")
        # `strict` left out: the schema is made strict where it can be (builder.effective_strict), so any
        # valid schema is accepted; `strict: true` asks for a strict-mode schema.
        check_function({**tool, "strict": bool(tool.get("strict"))}, param)
    elif kind == "file_search":
        stores = tool.get("vector_store_ids")
        if not isinstance(stores, list) or not all(isinstance(item, str) for item in stores):
            raise missing_parameter(f"{param}.vector_store_ids")
        check_max_items(stores, 2, f"{param}.vector_store_ids")
        check_range(tool.get("max_num_results"), f"{param}.max_num_results", 1, 50)
    elif kind == "code_interpreter":
        from openai_mock.resources import containers  # code_interpreter requests only: not at the cold start

        containers.check_tool_container(tool.get("container"), f"{param}.container")
    elif kind in _TODAYS_TOOL_CHECKS:
        _TODAYS_TOOL_CHECKS[kind](tool, param)
    elif kind == "computer_use_preview":
        for key in ("display_width", "display_height"):
            if not isinstance(tool.get(key), int):
                raise missing_parameter(f"{param}.{key}")
            check_range(tool[key], f"{param}.{key}", 1)
        check_enum(tool.get("environment"), ("mac", "windows", "ubuntu", "browser"), f"{param}.environment")
    else:
        if tool.get("search_context_size") is not None:
            check_enum(tool["search_context_size"], ("low", "medium", "high"), f"{param}.search_context_size")
        domains = (tool.get("filters") or {}).get("allowed_domains")
        if domains is not None and (
            not isinstance(domains, list) or not all(isinstance(domain, str) and domain for domain in domains)
        ):
            raise invalid_request(
                f"Invalid type for '{param}.filters.allowed_domains': expected an array of domain names.",
                f"{param}.filters.allowed_domains",
                "invalid_type",
            )


# Input items whose checks live with their tools (resources/response_shell.py, resources/responses_tool_search.py).
_OWN_CHECKED_ITEMS = {**response_shell.ITEMS, **responses_tool_search.item_checks(_check_tool)}


def _check_tool_choice(choice: Any, tools: Sequence[Mapping[str, Any]]) -> None:
    if choice is None:
        return
    if isinstance(choice, str):
        check_enum(choice, ("none", "auto", "required"), "tool_choice")
        return
    if not isinstance(choice, dict):
        raise invalid_request(
            "Invalid type for 'tool_choice': expected one of a string or an object.", "tool_choice", "invalid_type"
        )
    check_enum(choice.get("type"), _TOOL_CHOICE_TYPES, "tool_choice.type")
    if choice["type"] == programmatic.TOOL:
        if not programmatic.offered({"tools": tools}):
            raise invalid_request(f"Tool choice '{choice['type']}' not found in 'tools' parameter.", "tool_choice")
    elif choice["type"] in ("function", "custom"):
        name = _require_string(choice, "name", "tool_choice")
        if not any(tool["type"] == choice["type"] and tool["name"] == name for tool in tools):
            raise invalid_request(
                f"Tool choice '{choice['type']}' with name '{name}' not found in 'tools' parameter.", "tool_choice"
            )
        responses_tool_search.check_tool_choice(choice, tools)
    elif not any(builder.HOSTED_TOOLS.get(tool["type"]) == builder.HOSTED_TOOLS[choice["type"]] for tool in tools):
        raise invalid_request(f"Tool choice '{choice['type']}' not found in 'tools' parameter.", "tool_choice")


def _check_text(
    text: Mapping[str, Any] | None, conversation: Sequence[Mapping[str, Any]], instructions: str | None
) -> None:
    text_format = (text or {}).get("format")
    if text_format is None:
        return
    check_enum(text_format.get("type"), ("text", "json_schema", "json_object"), "text.format.type")
    if text_format["type"] == "json_object":
        words = (instructions or "") + " ".join(
            builder.message_text(item) for item in conversation if item["type"] == "message"
        )
        if "json" not in words.lower():
            raise invalid_request(
                "Response input messages must contain the word 'json' in some form to use "
                "'text.format' of type 'json_object'.",
                "input",
            )
    if text_format["type"] != "json_schema":
        return
    name = _require_string(text_format, "name", "text.format")
    if not FUNCTION_NAME.match(name):
        raise invalid_request(
            "Invalid 'text.format.name': string does not match pattern. Expected a string that "
            "matches the pattern '^[a-zA-Z0-9_-]+$'.",
            "text.format.name",
            "invalid_value",
        )
    schema = text_format.get("schema")
    if schema is None:
        raise missing_parameter("text.format.schema")
    problem = schema_problem(schema) or unresolved_reference(schema)
    if problem is None and text_format.get("strict"):
        problem = strict_schema_problem(schema)
    if problem is not None:
        raise invalid_request(
            f"Invalid schema for response_format '{name}': {problem}", "text.format.schema", "invalid_json_schema"
        )


def _check_model_rules(body: CreateResponseRequest, spec: models.ModelSpec) -> None:
    if not spec.serves(models.RESPONSES):
        raise invalid_request(
            f"The requested model '{body.model}' is not supported with the Responses API.",
            "model",
            "model_not_supported",
        )
    effort = (body.reasoning or {}).get("effort")
    reasoning = body.reasoning or {}
    for key in ("summary", "generate_summary"):
        if reasoning.get(key) is not None:
            check_enum(reasoning[key], ("auto", "concise", "detailed"), f"reasoning.{key}")
    models.check_verbosity((body.text or {}).get("verbosity"), spec, "text.verbosity")
    if body.service_tier is not None:
        check_enum(body.service_tier, SERVICE_TIERS, "service_tier")
    if spec.reasoning:
        for name, value in (("temperature", body.temperature), ("top_p", body.top_p)):
            if value is not None and value != 1:
                raise invalid_request(
                    f"Unsupported parameter: '{name}' is not supported with this model.", name, "unsupported_parameter"
                )
        models.check_reasoning_effort(effort, spec, "reasoning.effort")
    elif effort is not None:
        raise invalid_request(
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            "reasoning.effort",
            "unsupported_parameter",
        )
    check_range(body.max_output_tokens, "max_output_tokens", minimum=16)
    if body.max_output_tokens is not None and body.max_output_tokens > spec.max_output_tokens:
        raise invalid_request(
            f"max_output_tokens is too large: {body.max_output_tokens}. This model supports at "
            f"most {spec.max_output_tokens} output tokens, whereas you provided "
            f"{body.max_output_tokens}.",
            "max_output_tokens",
            "invalid_value",
        )


def _check_body(body: CreateResponseRequest, spec: models.ModelSpec) -> None:
    _check_model_rules(body, spec)
    check_range(body.temperature, "temperature", 0, 2, decimal=True)
    check_range(body.top_p, "top_p", 0, 1, decimal=True)
    check_metadata(body.metadata)
    if body.truncation is not None:
        check_enum(body.truncation, ("auto", "disabled"), "truncation")
    _check_includes(body.include or [])
    check_range(body.top_logprobs, "top_logprobs", 0, 20)
    tools = body.tools or []
    check_max_items(tools, 128, "tools")
    for index, tool in enumerate(tools):
        _check_tool(tool, f"tools[{index}]")
    responses_tool_search.check_deferred(tools)
    _check_allowed_callers(tools)
    _check_tool_choice(body.tool_choice, tools)


# --------------------------------------------------------------------------------------------- state


def _not_found(response_id: str) -> OpenAIError:
    return OpenAIError(404, f"Response with id '{response_id}' not found.", param="response_id")


def _record(tenant: str, response_id: str) -> dict[str, Any]:
    record = get_store().get(tenant, COLLECTION, response_id)
    if record is None or retention.expired(record["created_at"]):  # kept 30 days (docs/admin.md)
        raise _not_found(response_id)
    return record


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _history(
    tenant: str, previous_response_id: str | None, held: Mapping[str, list[dict[str, Any]]] | None = None
) -> list[dict[str, Any]]:
    """The earlier conversation: a response `held` by the caller's WebSocket connection (its latest unstored ones),
    else the stored one (what the prompt cache holds of it is resources/prompt_cache.py's)."""
    if previous_response_id is None:
        return []
    if held and previous_response_id in held:
        return list(held[previous_response_id])
    previous = get_store().get(tenant, COLLECTION, previous_response_id)
    if previous is None or retention.expired(previous["created_at"]):
        raise OpenAIError(
            404,
            f"Previous response with id '{previous_response_id}' not found.",
            param="previous_response_id",
            code="previous_response_not_found",
        )
    return _conversation(previous)


def _conversation(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored response's whole conversation: what came before it, its input, its output. The input is kept
    once (`_input`, which input_items lists too); records stored before `_history` kept `_conversation`."""
    if "_conversation" in record:
        return list(record["_conversation"])
    return [*record["_history"], *record["_input"], *record["output"]]


def _truncate(turn: builder.Turn, spec: models.ModelSpec) -> None:
    """Fit the context window: `truncation: auto` drops the oldest earlier items, `disabled` refuses."""

    def prompt_tokens() -> int:
        return chat_builder.count_prompt_tokens(builder.chat_request(turn, hosted_call=False))

    if (
        sum(len(builder.message_text(item)) for item in turn.conversation if item["type"] == "message")
        < spec.context_window
    ):
        return  # a token is at least one character: it fits without counting
    while turn.request.get("truncation") == "auto" and turn.history and prompt_tokens() > spec.context_window:
        turn.history.pop(0)
    used = prompt_tokens()
    if used > spec.context_window:
        raise invalid_request(
            f"Your input exceeds the context window of this model ({spec.context_window} tokens, "
            f"got {used}). Please adjust your input and try again.",
            "input",
            "context_length_exceeded",
        )


def _file_search_results(tenant: str, turn: builder.Turn) -> list[dict[str, Any]]:
    """The one call into the vector stores: the results a `file_search_call` reports."""
    # Imported here: only file_search requests need the vector-store code (~10 ms of every cold start).
    from openai_mock.resources.vector_stores.search import search

    tool = next(tool for tool in turn.request["tools"] if tool["type"] == "file_search")
    found = search(
        tenant,
        tool["vector_store_ids"],
        builder.last_user_text(turn.conversation) or "",
        max_num_results=tool.get("max_num_results", 10),
        filters=tool.get("filters"),
        ranking_options=tool.get("ranking_options"),
    )
    return [
        {
            "file_id": result["file_id"],
            "filename": result["filename"],
            "score": result["score"],
            "attributes": result["attributes"],
            "text": result["content"][0]["text"],
        }
        for result in found
    ]


def _run_code(tenant: str, turn: builder.Turn, headers: Mapping[str, str], *, dry: bool) -> dict[str, Any]:
    """The one call into the containers: the code_interpreter tool's container (made for "auto"), the code run
    over its files, and the file the code wrote there. `dry` (token counting): the same code and logs, nothing
    created, touched or written."""
    from openai_mock.generation import code_interpreter  # only code_interpreter turns need it
    from openai_mock.resources import containers

    index, tool = next((i, t) for i, t in enumerate(turn.request["tools"]) if t["type"] == "code_interpreter")
    param = f"tools[{index}].container"
    rng = request_rng({"code_interpreter": _material(turn)}, headers)
    prompt = builder.last_user_text(turn.conversation) or ""
    if dry:
        run = code_interpreter.run(prompt, containers.preview_for_tool(tenant, tool["container"], param), rng)
        written = {"id": "", "path": f"{containers.DATA_DIR}/{run.filename}"}
        container_id = ""
    else:
        container_id = containers.container_for_tool(tenant, tool["container"], param)["id"]
        run = code_interpreter.run(prompt, containers.read_files(tenant, container_id), rng)
        written = containers.write_file(tenant, container_id, run.filename, run.data)
    return {
        "container_id": container_id,
        "code": run.code,
        "logs": run.logs,
        "file_id": written["id"],
        "filename": run.filename,
        "path": written["path"],
    }


def _material(turn: builder.Turn) -> dict[str, Any]:
    """What decides the answer: the request minus delivery fields, and the conversation minus random ids."""
    conversation = [{key: value for key, value in item.items() if key != "id"} for item in turn.conversation]
    request = {key: value for key, value in turn.request.items() if key not in _DELIVERY_FIELDS}
    return {"request": {**request, "input": None}, "conversation": conversation}


# --------------------------------------------------------------------------------------------- operations


class Generated(NamedTuple):
    response: dict[str, Any]
    items: list[dict[str, Any]]  # the turn's input items, as `input_items` lists them
    conversation: list[dict[str, Any]]  # what a later `previous_response_id` continues from
    conversation_id: str | None = None  # the conversation (`conversation`) the turn's items are appended to
    cache: prompt_cache.Lookup | None = None  # the prompt cache read, written once the response is admitted


def _check_state_params(body: CreateResponseRequest) -> str | None:
    """`conversation` xor `previous_response_id`; background needs a stored response. The conversation's id."""
    if body.conversation is not None and body.previous_response_id is not None:
        raise invalid_request(
            "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or "
            "'conversation'.",
            "conversation",
            "mutually_exclusive_parameters",
        )
    if body.background and body.store is False:
        raise invalid_request(
            "Background mode requires 'store' to be true: a background response is polled, so it must be stored.",
            "background",
            "invalid_value",
        )
    if body.stream_options is not None:
        if not body.stream:
            raise invalid_request(
                "Invalid value for 'stream_options': only allowed when 'stream' is true.", "stream_options"
            )
        obfuscation = body.stream_options.get("include_obfuscation")
        if obfuscation is not None and not isinstance(obfuscation, bool):
            raise invalid_request(
                f"Invalid type for 'stream_options.include_obfuscation': expected a boolean, but got "
                f"{type(obfuscation).__name__} instead.",
                "stream_options.include_obfuscation",
                "invalid_type",
            )
    return None if body.conversation is None else conversations.conversation_id_of(body.conversation)


def attributed(tenant: str, body: CreateResponseRequest) -> CreateResponseRequest:
    """The request, with its conversation's safety identifier when it names none of its own: a turn of an end
    user's conversation is that user's (so refused once the identifier is deactivated)."""
    if body.safety_identifier is not None or body.conversation is None:
        return body
    identifier = conversations.safety_identifier_of(tenant, conversations.conversation_id_of(body.conversation))
    return body if identifier is None else body.model_copy(update={"safety_identifier": identifier})


def _with_stored_prompt(tenant: str, body: CreateResponseRequest) -> CreateResponseRequest:
    """The request with its stored prompt expanded: the template's instructions (variables filled in) come before
    the request's own, its model serves when the request names none; `prompt` is echoed with its version."""
    if body.max_tool_calls is not None:
        check_range(body.max_tool_calls, "max_tool_calls", 1)
    if body.prompt is None:
        if not body.model:
            raise missing_parameter("model")
        return body
    from openai_mock.control import prompts  # requests naming a stored prompt only: not at the cold start

    instructions, model, echoed = prompts.expand(tenant, body.prompt)
    joined = "\n\n".join(part for part in (instructions, body.instructions) if part)
    if not (body.model or model):
        raise missing_parameter("model")
    return body.model_copy(update={"instructions": joined, "model": body.model or model, "prompt": echoed})


def held(request: Request, body: CreateResponseRequest) -> CreateResponseRequest:
    """A create's body as its caller's organization holds it before anything is generated: its data retention
    (`store`), a deactivated safety identifier refused (a conversation's own included), its project's service tier
    settings. `POST /v1/responses` and the WebSocket's `response.create` both run it."""
    body = retention.honour_store(request, body)
    body = safety.honour_deactivations(request, attributed(tenant_of(request), body))
    return honour_service_tier(request, body)


def generate(
    body: CreateResponseRequest,
    tenant: str,
    headers: Mapping[str, str],
    *,
    fixtures: bool = True,
    empty_input: bool = False,
    held: Mapping[str, list[dict[str, Any]]] | None = None,
) -> Generated:
    """Validate and build the response; nothing is stored yet (the route accounts for it first).
    `fixtures=False` (token counting): the generator answers, never a fixture; `empty_input`: the context is
    all there is (a conversation or a previous response, counted); `held`: the conversations a WebSocket
    connection holds by response id, which `previous_response_id` may name though they were not stored."""
    body = _with_stored_prompt(tenant, body)
    spec = serving_spec(tenant, body.model)
    _check_body(body, spec)
    prompt_cache.check_retention(body.model, body.prompt_cache_retention)
    conversation_id = _check_state_params(body)
    window = responses_options.check_background_options(
        body.background_options,
        background=bool(body.background),
        stream=bool(body.stream),
        service_tier=body.service_tier,
    )
    authorized = responses_options.authorized_programs(headers)
    programs = responses_options.access_programs(body.access_programs, spec.id, authorized)
    subagent_bound = responses_multi_agent.max_concurrent(body.multi_agent, headers)
    items = [] if empty_input else input_items(body.input)
    prompt_cache.check_items_breakpoints(items, "input")
    if conversation_id is not None:
        history = conversations.history(tenant, conversation_id)
    else:
        history = _history(tenant, body.previous_response_id, held)
    items = _resolve_references(items, history)
    if body.store is False and fixtures:  # token counting asks unstored of its own accord: not the caller's choice
        _check_reasoning_kept(items, history)
    response_shell.link_local_outputs(items, history)
    request = body.model_dump(exclude_none=True)
    moderation = None if body.moderation is None else options.moderation_policy(tenant, body.moderation)
    if conversation_id is not None:
        request["conversation"] = {"id": conversation_id}
    reading = input_files.ReadTurn(tenant)  # stored files inline for the model; kept as sent below
    turn = builder.Turn(request, reading.read(history, None), reading.read(items, "input"))
    request.update(access_programs=programs, image=responses_options.image_policy(body.image, spec, turn.conversation))
    _check_call_outputs(turn.conversation)
    _check_text(body.text, turn.conversation, body.instructions)
    _truncate(turn, spec)
    compaction = _auto_compaction(turn, body.context_management, spec)
    if compaction is not None:
        turn.history.append(compaction)  # the answer reads the compacted context
    answer = (
        answer_of(
            tenant,
            "responses",
            {**builder.chat_request(turn, hosted_call=False), "metadata": body.metadata},
            body=request,
        )
        if fixtures
        else None
    )
    script = script_of(answer) if answer is None or "output" not in answer else chat_builder.Scripted("")
    response_shell.check_skills(tenant, request.get("tools") or [])
    hosted = None if script is not None else builder.hosted_tool(request, turn.conversation)
    if hosted == "file_search":
        turn.search_results = _file_search_results(tenant, turn)
    elif hosted == "code_interpreter":
        turn.code_run = _run_code(tenant, turn, headers, dry=not fixtures)  # counting tokens writes nothing
    elif hosted == "shell":
        turn.shell_container = response_shell.hosted_container(tenant, request["tools"], dry=not fixtures)
    rng = request_rng(_material(turn), headers)
    response = builder.build_response(
        turn,
        rng,
        response_id=ids.new_id("response"),
        created=clock.now_seconds(),
        reasoning=spec.reasoning,
        new_id=ids.new_id,
        script=script,
        ultrafast=spec.id in ULTRAFAST_MODELS,
    )
    # the root agent, and the subagents it delegates to (a fixture's answer stands as it is)
    responses_multi_agent.take_over(response, turn, rng, subagent_bound, scripted=script is not None, spec=spec)
    cache = _read_prompt_cache(tenant, body, turn, response["usage"]["input_tokens"])
    if cache is not None:
        builder.report_cache(response, cache.use)
    comparison_id = body.prompt_cache_options.comparison_response_id if body.prompt_cache_options else None
    if comparison_id is not None:
        compared = get_store().get(tenant, COLLECTION, comparison_id)
        if compared is not None and retention.expired(compared["created_at"]):
            compared = None
        response["prompt_cache_diagnostics"] = prompt_cache.diagnosis(response, compared)
    if answer is not None and "output" in answer:
        builder.give_output(response, answer["output"], ids.new_id, builder.last_user_text(turn.conversation))
    if compaction is not None:
        turn.history.pop()  # the compaction is the response's first output item, after this turn's input
        response["output"] = [compaction, *response["output"]]
    if moderation is not None:
        _moderate(response, turn.conversation, moderation)
    if body.background:
        _schedule(tenant, response, body.background_options, window)
    conversation = reading.as_sent(turn.conversation) + response["output"]
    generated = Generated(response, items, conversation, conversation_id, cache)
    prewarm = body.prompt_cache_options is not None and body.prompt_cache_options.prewarm
    return without_output(generated) if prewarm else generated


def without_output(generated: Generated) -> Generated:
    """The turn kept but nothing generated: its input stands (a later `previous_response_id` continues from it) and
    the prompt cache is written, with no output and 0 output tokens (`prompt_cache_options.prewarm`, and the
    WebSocket's `generate: false`)."""
    response = generated.response
    usage = response["usage"]
    unused = {
        **usage,
        "output_tokens": 0,
        "output_tokens_details": {**usage.get("output_tokens_details", {}), "reasoning_tokens": 0},
        "total_tokens": usage["input_tokens"],
    }
    said = len(response["output"])
    conversation = generated.conversation[: len(generated.conversation) - said]
    return generated._replace(response={**response, "output": [], "usage": unused}, conversation=conversation)


def _read_prompt_cache(
    tenant: str, body: CreateResponseRequest, turn: builder.Turn, input_tokens: int
) -> prompt_cache.Lookup | None:
    """The prompt cache's hit for what the model reads before it answers (tools, instructions, the conversation):
    a continuation hits because its prefix was read before. Nothing at all under 1,024 input tokens."""
    if input_tokens < prompt_prefix.MIN_CACHED_TOKENS:
        return None
    given = body.prompt_cache_options
    settings = prompt_cache.Settings(
        turn.request["model"],
        body.prompt_cache_key,
        given.mode if given is not None else "implicit",
        given.ttl if given is not None else None,
        body.prompt_cache_retention,
    )
    return prompt_cache.look_up(tenant, builder.chat_request(turn, hosted_call=False), input_tokens, settings)


def _schedule(
    tenant: str, response: dict[str, Any], options: responses_options.BackgroundOptions | None, window: str
) -> None:
    """When a background response runs (its completion window; a continued chain first), and how it is billed:
    kept with it (private fields, which no answer shows)."""
    continuing = responses_options.continues(tenant, options)
    response["_queued_seconds"] = responses_options.queued_seconds(window, continuing=continuing)
    response["_background_options"] = {
        "completion_window": window,
        "continuation_id": options.continuation_id if options is not None else None,
    }
    # Marked for the Batch price: the usage hook records it with `batch: true` (docs/responses.md).
    response["_batch_priced"] = window in responses_options.DISCOUNTED_WINDOWS
    if response["completed_at"] is not None:  # it completes when the clock gets there (shown from then on)
        response["completed_at"] = _finishes_at(response)


def _moderate(response: dict[str, Any], context: Sequence[Mapping[str, Any]], policy: options.ModerationPolicy) -> None:
    """`moderation`: score the user's input and the answer's text; a flagged side whose policy blocks leaves
    the response `incomplete` (reason `content_filter`) without output."""
    said = "\n".join(
        builder.message_text(item) for item in context if item.get("type") == "message" and item.get("role") == "user"
    )
    answered = "\n".join(builder.message_text(item) for item in response["output"] if item.get("type") == "message")
    asked, answer = options.moderation_result(policy, said), options.moderation_result(policy, answered)
    response["moderation"] = {"input": asked, "output": answer}
    blocked_input = policy.block_input and asked["flagged"]
    if blocked_input or (policy.block_output and answer["flagged"]):
        response.update(output=[], status="incomplete", incomplete_details={"reason": "content_filter"})
    if blocked_input:  # nothing is generated for a blocked input
        usage = response["usage"]
        usage.update(output_tokens=0, output_tokens_details={"reasoning_tokens": 0}, total_tokens=usage["input_tokens"])


def _check_context_management(entries: Sequence[Mapping[str, Any]] | None) -> int | None:
    """`context_management`: compaction entries; the threshold (input tokens) past which a turn is compacted."""
    if entries is None:
        return None
    if not entries:
        raise invalid_request(
            "Invalid 'context_management': empty array. Expected an array with minimum length 1, but got an "
            "empty array instead.",
            "context_management",
            "empty_array",
        )
    threshold: int | None = None
    for index, entry in enumerate(entries):
        check_enum(entry.get("type"), ("compaction",), f"context_management[{index}].type")
        value = entry.get("compact_threshold")
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise invalid_request(
                    f"Invalid type for 'context_management[{index}].compact_threshold': expected an integer, but "
                    f"got {type(value).__name__} instead.",
                    f"context_management[{index}].compact_threshold",
                    "invalid_type",
                )
            check_range(value, f"context_management[{index}].compact_threshold", 1000)
            threshold = value
    return threshold if threshold is not None else 0


def _auto_compaction(
    turn: builder.Turn, entries: Sequence[Mapping[str, Any]] | None, spec: models.ModelSpec
) -> dict[str, Any] | None:
    """Server-side compaction (`context_management`): past the threshold (default: 80% of the context window)
    the earlier context becomes one compaction item, which the answer reads instead of it."""
    threshold = _check_context_management(entries)
    if threshold is None or not turn.history:
        return None
    limit = threshold or int(spec.context_window * 0.8)
    if chat_builder.count_prompt_tokens(builder.chat_request(turn, hosted_call=False)) <= limit:
        return None
    return builder.compaction_item(ids.new_id("compaction"), builder.compaction_summary_of(turn.history))


def admit(request: Request, tenant: str, generated: Generated) -> None:
    """Count the response against its rate limit (the 429 past it) and store it (`store`): one round trip on
    DynamoDB (`ratelimits.count_while_keeping`); then append its turn to its conversation. What a refused request
    stored (a 429, or a turn its conversation refused: deleted meanwhile) is taken back: it leaves no response."""
    response = generated.response
    if not response["store"]:
        ratelimits.record_token_usage(request, tenant, response["model"], response)
        _append_turn(tenant, generated)
        prompt_cache.remember(tenant, generated.cache)
        return
    take_back = functools.partial(get_store().delete, tenant, COLLECTION, response["id"])
    keep = functools.partial(_store, tenant, generated)
    ratelimits.count_while_keeping(request, tenant, response["model"], response, keep, take_back)
    try:
        _append_turn(tenant, generated)
    except Exception:
        take_back()
        raise
    prompt_cache.remember(tenant, generated.cache)  # only an admitted prompt is cached


def _append_turn(tenant: str, generated: Generated) -> None:
    if generated.conversation_id is not None:
        turn = [*generated.items, *generated.response["output"]]
        conversations.append(tenant, generated.conversation_id, turn)


def _store(tenant: str, generated: Generated) -> None:
    response = generated.response
    # generated.conversation = history + input + output: only the history is new (no input stored twice).
    history = generated.conversation[: len(generated.conversation) - len(generated.items) - len(response["output"])]
    get_store().create(tenant, COLLECTION, {**response, "_input": generated.items, "_history": history})
    continuation_id = (response.get("_background_options") or {}).get("continuation_id")
    if continuation_id is not None:
        responses_options.remember_continuation(tenant, continuation_id, response["id"])


def deliver(body: CreateResponseRequest, tenant: str, generated: Generated) -> dict[str, Any] | Iterator[bytes]:
    """Hand an admitted response back as JSON or as its typed event stream."""
    response = generated.response
    if response["store"] and response.get("background"):  # its webhook fires when it finishes (docs/webhooks.md)
        webhooks.watch(tenant, "response", response["id"], at=_finishes_at(response))
    include = [*(body.include or []), *CREATE_INCLUDES]
    if body.stream:
        return _event_stream(response, include, obfuscate=_obfuscated(body.stream_options))
    return builder.present(_as_of(response, clock.now_seconds()), include)


def _obfuscated(stream_options: Mapping[str, Any] | None) -> bool:
    """Delta events carry `obfuscation` padding unless the request turns it off, as the API's do."""
    return (stream_options or {}).get("include_obfuscation") is not False


def _event_stream(
    response: Mapping[str, Any], include: Sequence[str], *, starting_after: int | None = None, obfuscate: bool = True
) -> Iterator[bytes]:
    events = builder.stream_events(builder.present(_public(response), include), obfuscate=obfuscate)
    return (
        sse_event(event, event=event["type"])
        for event in events
        if starting_after is None or event["sequence_number"] > starting_after
    )


# A background response waits in the queue (1 s; longer in a discounted completion window), then is in progress
# this long, then is finished: derived from the clock (the tenant's, movable with POST /__mock/clock), so every
# Lambda container agrees.
QUEUED_SECONDS = responses_options.QUEUED_SECONDS["soonest"]
IN_PROGRESS_SECONDS = 2


def _queued_for(record: Mapping[str, Any]) -> int:
    return int(record.get("_queued_seconds", QUEUED_SECONDS))


def _finishes_at(record: Mapping[str, Any]) -> int:
    return int(record["created_at"]) + _queued_for(record) + IN_PROGRESS_SECONDS


def _webhook_outcome(tenant: str, response_id: str) -> webhooks.Outcome:
    """Which event a background response ended with (`response.completed|incomplete|failed|cancelled`)."""
    record = get_store().get(tenant, COLLECTION, response_id)
    if record is None or not record.get("background"):
        return None  # deleted meanwhile: nothing to tell
    if record.get("_cancelled"):
        return webhooks.Finished("response.cancelled", record.get("_cancelled_at") or clock.now())
    finished = _finishes_at(record)
    if clock.now() < finished:
        return webhooks.NotYet(finished)
    status = record["status"] if record["status"] in ("completed", "incomplete", "failed") else "completed"
    return webhooks.Finished(f"response.{status}", finished)


webhooks.register_source("response", _webhook_outcome)


def _as_of(record: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A stored response as it stands at `now`: a background one is queued, then in progress, then finished
    (or cancelled); any other was finished when created."""
    response = _public(record)
    if not record.get("background"):
        return response
    elapsed = now - record["created_at"]
    if record.get("_cancelled"):
        status = "cancelled"
    elif elapsed < _queued_for(record):
        status = "queued"
    elif elapsed < _queued_for(record) + IN_PROGRESS_SECONDS:
        status = "in_progress"
    else:
        return response
    pending = {key: value for key, value in response.items() if key != "usage"}
    return {**pending, "status": status, "output": [], "incomplete_details": None, "completed_at": None}


def retrieve(
    tenant: str,
    response_id: str,
    include: Sequence[str],
    *,
    stream: bool = False,
    starting_after: int | None = None,
    include_obfuscation: bool = True,
) -> dict[str, Any] | Iterator[bytes]:
    """The stored response as it stands now; `stream` (a background response) its event stream, resumed after
    event `starting_after`."""
    _check_includes(include)
    record = _record(tenant, response_id)
    if starting_after is not None:
        if not stream:
            raise invalid_request("'starting_after' is only supported when 'stream' is true.", "starting_after")
        check_range(starting_after, "starting_after", 0)
    if stream:
        if not record.get("background"):
            raise invalid_request(
                "This response cannot be streamed because it was not created with background=true.", "stream"
            )
        return _event_stream(record, include, starting_after=starting_after, obfuscate=include_obfuscation)
    return builder.present(_as_of(record, clock.now_seconds()), include)


def cancel(tenant: str, response_id: str) -> dict[str, Any]:
    """Cancel a background response that is not finished yet (idempotent once cancelled)."""
    now = clock.now_seconds()

    def cancelled(record: dict[str, Any]) -> dict[str, Any]:
        if not record.get("background"):
            raise invalid_request("Cannot cancel a synchronous response.", "response_id")
        status = _as_of(record, now)["status"]
        if status not in ("queued", "in_progress", "cancelled"):
            raise invalid_request(f"Cannot cancel a response with status '{status}'.", "response_id")
        if record.get("_cancelled"):
            return record
        return {**record, "_cancelled": True, "_cancelled_at": now}

    updated = get_store().update(tenant, COLLECTION, response_id, cancelled)
    if updated is None:
        raise _not_found(response_id)
    if updated.get("_cancelled_at") == now:  # cancelled by this call: `response.cancelled` now
        webhooks.watch(tenant, "response", response_id, at=now)
    return builder.present(_as_of(updated, now), [])


def delete(tenant: str, response_id: str) -> dict[str, Any]:
    if get_store().delete(tenant, COLLECTION, response_id) is None:
        raise _not_found(response_id)
    return {"id": response_id, "object": "response", "deleted": True}


def list_input_items(tenant: str, response_id: str, params: ListParams, include: Sequence[str] = ()) -> dict[str, Any]:
    """The response's input items, each shown as `include` asks (hosted search results, code outputs, reasoning's
    encrypted content), as a conversation's items are."""
    _check_includes(include)
    items = [conversations.present_item(item, include) for item in _record(tenant, response_id)["_input"]]
    return list_object(paginate(items, params))


def _check_includes(include: Sequence[str]) -> None:
    for index, value in enumerate(include):
        check_enum(value, INCLUDABLE, f"include[{index}]")


# --------------------------------------------------------------------------------------------- token counts


class CountInputTokensRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str | None = None
    input: Any = None
    instructions: str | None = None
    conversation: str | dict[str, Any] | None = None
    previous_response_id: str | None = None
    parallel_tool_calls: bool | None = None
    reasoning: dict[str, Any] | None = None
    text: dict[str, Any] | None = None
    tool_choice: Any = None
    tools: list[dict[str, Any]] | None = None
    truncation: str | None = None
    personality: str | None = None


def count_input_tokens(body: CountInputTokensRequest, tenant: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """Exactly the `usage.input_tokens` a create with the same input, instructions and tools would report:
    the same turn is built, its answer generated (never a fixture), and nothing kept."""
    if body.model is None:
        raise missing_parameter("model")
    if body.input is None and body.conversation is None and body.previous_response_id is None:
        raise missing_parameter("input")
    fields = body.model_dump(exclude_none=True, exclude={"personality"})
    request = CreateResponseRequest(**{"input": [], **fields, "store": False})
    generated = generate(request, tenant, headers, fixtures=False, empty_input=body.input is None)
    return {"object": "response.input_tokens", "input_tokens": generated.response["usage"]["input_tokens"]}


# --------------------------------------------------------------------------------------------- compaction


class CompactRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    input: Any = None
    instructions: str | None = None
    previous_response_id: str | None = None
    prompt_cache_key: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    prompt_cache_retention: str | None = None
    service_tier: str | None = None
    # The SDK's (3.63): image context compression, and the end user's safety identifier (refused once deactivated).
    image: responses_options.ImageOptions | None = None
    safety_identifier: str | None = None


def compact(body: CompactRequest, tenant: str) -> dict[str, Any]:
    """Compact a context (`previous_response_id`'s conversation, then `input`): the user's messages are kept,
    everything else becomes one `compaction` item carrying a short summary; the context counted when the
    output is passed as a later input is that much smaller."""
    spec = serving_spec(tenant, body.model)
    if not spec.serves(models.RESPONSES):
        raise invalid_request(
            f"The requested model '{body.model}' is not supported with the Responses API.",
            "model",
            "model_not_supported",
        )
    if body.service_tier is not None:
        check_enum(body.service_tier, COMPACT_SERVICE_TIERS, "service_tier")
    if body.prompt_cache_key is not None and len(body.prompt_cache_key) > 64:
        raise invalid_request(
            "Invalid 'prompt_cache_key': string too long. Expected a string with maximum length 64, but got a "
            f"string with length {len(body.prompt_cache_key)} instead.",
            "prompt_cache_key",
            "string_above_max_length",
        )
    if body.input is None and body.previous_response_id is None:
        raise missing_parameter("input")
    history = _history(tenant, body.previous_response_id)
    items = [] if body.input is None else _resolve_references(input_items(body.input), history)
    context = [*history, *items]
    image = responses_options.image_policy(body.image, spec, context)
    request = {
        "model": body.model,
        "image": image,
        **({"instructions": body.instructions} if body.instructions else {}),
    }
    counted = chat_builder.count_prompt_tokens(
        builder.chat_request(builder.Turn(request, [], context), hosted_call=False)
    )
    kept = [item for item in context if item["type"] == "message" and item["role"] == "user"]
    summary = builder.compaction_summary_of(context)
    compacted = builder.compaction_item(ids.new_id("compaction"), summary)
    output_tokens = tokens.count_tokens(summary, body.model)
    answer: dict[str, Any] = {
        "id": ids.new_id("response"),
        "object": "response.compaction",
        "created_at": clock.now_seconds(),
        "output": [*kept, compacted],
        "usage": {
            "input_tokens": counted,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": counted + output_tokens,
        },
        "image": image,
    }
    if body.safety_identifier is not None:
        answer["safety_identifier"] = body.safety_identifier
    return answer

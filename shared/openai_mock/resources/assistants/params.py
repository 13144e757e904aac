"""Assistants request bodies (pydantic) and the explicit checks the real API makes, with its wording:
the `OpenAI-Beta` header, models, tools, tool_resources, response formats, message content."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Header
from pydantic import ConfigDict, GetPydanticSchema, JsonValue, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

from openai_mock.checks import check_enum, check_length, check_max_items, check_metadata, check_range
from openai_mock.errors import from_validation_errors, invalid_request
from openai_mock.fields import Decimal, Flag, Integer, RequestModel, Text
from openai_mock.resources import files, models
from openai_mock.resources.models import serving_spec
from openai_mock.schema_checks import check_function, check_json_schema_format

BETA_VERSION = "assistants=v2"
MAX_TOOLS = 128
MAX_CODE_INTERPRETER_FILES = 20
MAX_MESSAGES = 32
MIN_TOKEN_LIMIT = 256  # the smallest max_prompt_tokens / max_completion_tokens a run accepts
DEFAULT_RANKER = "default_2024_08_21"
RANKERS = ("auto", DEFAULT_RANKER)
TOOL_TYPES = ("code_interpreter", "file_search", "function")
FILE_SEARCH_INCLUDE = "step_details.tool_calls[*].file_search.results[*].content"
_CHAT_KINDS = ("chat", "reasoning")
_IMAGE_URL = re.compile(r"^(https?://[A-Za-z0-9.-]+(:\d+)?([/?#]\S*)?|data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+)$")


# --------------------------------------------------------------------------- the beta header


async def require_beta(openai_beta: Annotated[str | None, Header(alias="OpenAI-Beta")] = None) -> None:
    """The Assistants API answers only clients that opt in to v2, as the real one does."""
    versions = [item.strip() for item in (openai_beta or "").split(",")]
    if BETA_VERSION in versions:
        return
    if "assistants=v1" in versions:
        raise invalid_request(
            "The v1 Assistants API has been deprecated. Please try again by setting the header "
            "'OpenAI-Beta: assistants=v2'.",
            code="invalid_beta",
        )
    raise invalid_request(
        "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again "
        "by setting the header 'OpenAI-Beta: assistants=v2'.",
        code="invalid_beta",
    )


BetaHeader = Depends(require_beta)


# --------------------------------------------------------------------------- nested shapes
#
# The objects inside a body, typed as the spec types them, so that a wrong type anywhere is OpenAI's 400 naming
# the param ("Invalid type for 'tool_resources.file_search': expected an object, but got a string instead.")
# rather than an AttributeError deep in a check. Values stay plain dicts (`shaped`): the checks and the store
# work on dicts.


_FORBID = ConfigDict(extra="forbid")


class _RankingOptions(TypedDict, total=False):
    ranker: Text
    score_threshold: Decimal


class _FileSearchOptions(TypedDict, total=False):
    max_num_results: Integer  # not nullable: a stored null would read back invalid
    ranking_options: _RankingOptions


class _Function(TypedDict, total=False):
    name: Text
    description: Text
    parameters: dict[str, JsonValue]
    strict: Flag | None


class _Tool(TypedDict, total=False):
    type: Text
    file_search: _FileSearchOptions | None
    function: _Function


class _StaticChunking(TypedDict, total=False):
    max_chunk_size_tokens: Integer
    chunk_overlap_tokens: Integer


class _ChunkingStrategy(TypedDict, total=False):
    type: Text
    static: _StaticChunking


class _VectorStoreHelper(TypedDict, total=False):
    file_ids: list[Text]
    chunking_strategy: _ChunkingStrategy
    metadata: dict[str, Text]


@with_config(_FORBID)
class _CodeInterpreterResources(TypedDict, total=False):
    file_ids: list[Text]


@with_config(_FORBID)
class _FileSearchResources(TypedDict, total=False):
    vector_store_ids: list[Text]
    vector_stores: list[_VectorStoreHelper] | None


@with_config(_FORBID)
class _ToolResources(TypedDict, total=False):
    code_interpreter: _CodeInterpreterResources | None
    file_search: _FileSearchResources | None


class _AttachmentTool(TypedDict, total=False):
    type: Text


class _Attachment(TypedDict, total=False):
    file_id: Text
    tools: list[_AttachmentTool]


class _TruncationStrategy(TypedDict, total=False):
    type: Text
    last_messages: Integer | None


class _JsonSchemaFormat(TypedDict, total=False):
    name: Text
    description: Text
    schema: dict[str, JsonValue]
    strict: Flag | None


class _ResponseFormat(TypedDict, total=False):
    type: Text
    json_schema: _JsonSchemaFormat


def shaped(shape: type) -> Any:
    """A body field declared `dict[str, Any]` (as the checks read it) but validated against the TypedDict
    `shape` (as the spec types it)."""
    return GetPydanticSchema(lambda _source, handler: handler.generate_schema(shape))


ToolResources = Annotated[dict[str, Any], shaped(_ToolResources)]
Tool = Annotated[dict[str, Any], shaped(_Tool)]
Attachment = Annotated[dict[str, Any], shaped(_Attachment)]
TruncationStrategy = Annotated[dict[str, Any], shaped(_TruncationStrategy)]
_RESPONSE_FORMAT = TypeAdapter(_ResponseFormat)


def _validated(adapter: TypeAdapter[Any], value: Any, param: str) -> Any:
    """`value` checked against a shape, for fields that may also be a string (no pydantic union: its errors
    name union members, not params)."""
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        raise from_validation_errors(
            [{**detail, "loc": (param, *detail["loc"])} for detail in error.errors()]
        ) from None


# --------------------------------------------------------------------------- request bodies


class _Body(RequestModel):
    model_config = _FORBID


class CreateAssistantRequest(_Body):
    model: str
    name: str | None = None
    description: str | None = None
    instructions: str | None = None
    reasoning_effort: str | None = None
    tools: list[Tool] | None = None
    tool_resources: ToolResources | None = None
    metadata: dict[str, str] | None = None
    temperature: Decimal | None = None
    top_p: Decimal | None = None
    response_format: JsonValue = None


class ModifyAssistantRequest(CreateAssistantRequest):
    model: str | None = None  # type: ignore[assignment]


class MessageRequest(_Body):
    role: str
    content: JsonValue
    attachments: list[Attachment] | None = None
    metadata: dict[str, str] | None = None


class CreateThreadRequest(_Body):
    messages: list[MessageRequest] | None = None
    tool_resources: ToolResources | None = None
    metadata: dict[str, str] | None = None


class ModifyThreadRequest(_Body):
    tool_resources: ToolResources | None = None
    metadata: dict[str, str] | None = None


class ModifyRequest(_Body):
    """Modify message / modify run: metadata only."""

    metadata: dict[str, str] | None = None


class _RunOptions(_Body):
    assistant_id: str
    model: str | None = None
    instructions: str | None = None
    tools: list[Tool] | None = None
    metadata: dict[str, str] | None = None
    temperature: Decimal | None = None
    top_p: Decimal | None = None
    stream: bool | None = None
    max_prompt_tokens: Integer | None = None
    max_completion_tokens: Integer | None = None
    truncation_strategy: TruncationStrategy | None = None
    tool_choice: JsonValue = None
    parallel_tool_calls: bool | None = None
    response_format: JsonValue = None


class CreateRunRequest(_RunOptions):
    reasoning_effort: str | None = None
    additional_instructions: str | None = None
    additional_messages: list[MessageRequest] | None = None


class CreateThreadAndRunRequest(_RunOptions):
    thread: CreateThreadRequest | None = None
    tool_resources: ToolResources | None = None


class ToolOutput(_Body):
    tool_call_id: str | None = None
    output: str | None = None


class SubmitToolOutputsRequest(_Body):
    tool_outputs: list[ToolOutput]
    stream: bool | None = None


# --------------------------------------------------------------------------- checks


def check_model(tenant: str, model: str, param: str = "model") -> models.ModelSpec:
    spec = serving_spec(tenant, model)
    if spec.kind not in _CHAT_KINDS:
        raise invalid_request(
            f"The requested model '{model}' cannot be used with the Assistants API.", param, "unsupported_model"
        )
    return spec


def check_sampling(temperature: float | None, top_p: float | None) -> None:
    check_range(temperature, "temperature", 0, 2, decimal=True)
    check_range(top_p, "top_p", 0, 1, decimal=True)


def check_texts(name: str | None, description: str | None, instructions: str | None) -> None:
    for value, param, maximum in (
        (name, "name", 256),
        (description, "description", 512),
        (instructions, "instructions", 256_000),
    ):
        if value is not None:
            check_length(value, param, maximum)


def _file_search_options(options: Any, param: str) -> dict[str, Any]:
    """`file_search: {max_num_results, ranking_options}` with the defaults the real API reports."""
    options = options if isinstance(options, dict) else {}
    ranking = options.get("ranking_options") or {}
    if not isinstance(ranking, dict):
        raise invalid_request(
            f"Invalid type for '{param}.ranking_options': expected an object.",
            f"{param}.ranking_options",
            "invalid_type",
        )
    ranker = ranking.get("ranker", "auto")
    check_enum(ranker, RANKERS, f"{param}.ranking_options.ranker")
    threshold = ranking.get("score_threshold", 0.0)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool):
        raise invalid_request(
            f"Invalid type for '{param}.ranking_options.score_threshold': expected a decimal.",
            f"{param}.ranking_options.score_threshold",
            "invalid_type",
        )
    check_range(threshold, f"{param}.ranking_options.score_threshold", 0, 1, decimal=True)
    normalised: dict[str, Any] = {
        "ranking_options": {
            "ranker": DEFAULT_RANKER if ranker == "auto" else ranker,
            "score_threshold": float(threshold),
        }
    }
    if "max_num_results" in options:
        check_range(options["max_num_results"], f"{param}.max_num_results", 1, 50)
        normalised["max_num_results"] = options["max_num_results"]
    return normalised


def check_tools(tools: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The tools, checked and normalised the way the API echoes them back."""
    tools = tools or []
    check_max_items(tools, MAX_TOOLS, "tools")
    normalised: list[dict[str, Any]] = []
    for index, tool in enumerate(tools):
        param = f"tools[{index}]"
        check_enum(tool.get("type"), TOOL_TYPES, f"{param}.type")
        if tool["type"] == "code_interpreter":
            normalised.append({"type": "code_interpreter"})
        elif tool["type"] == "file_search":
            options = _file_search_options(tool.get("file_search"), f"{param}.file_search")
            normalised.append({"type": "file_search", "file_search": options})
        else:
            check_function(tool.get("function"), f"{param}.function")
            function = tool["function"]
            normalised.append(
                {
                    "type": "function",
                    "function": {
                        "name": function["name"],
                        "description": function.get("description", ""),
                        "parameters": function.get("parameters", {"type": "object", "properties": {}}),
                        "strict": bool(function.get("strict", False)),
                    },
                }
            )
    names = [tool["function"]["name"] for tool in normalised if tool["type"] == "function"]
    for name in names:
        if names.count(name) > 1:
            raise invalid_request(f"Invalid 'tools': duplicate function name '{name}'.", "tools", "invalid_value")
    return normalised


def check_response_format(value: Any) -> Any:
    """ "auto" or {type: text | json_object | json_schema}; json_schema names and schemas are checked."""
    if value is None or value == "auto":
        return "auto"
    if not isinstance(value, dict):
        raise invalid_request(
            "Invalid type for 'response_format': expected 'auto' or an object.", "response_format", "invalid_type"
        )
    value = _validated(_RESPONSE_FORMAT, value, "response_format")
    check_enum(value.get("type"), ("text", "json_object", "json_schema"), "response_format.type")
    if value["type"] != "json_schema":
        return {"type": value["type"]}
    return {"type": "json_schema", "json_schema": check_json_schema_format(value.get("json_schema"))}


def check_tool_choice(choice: Any, tools: list[dict[str, Any]]) -> Any:
    """ "none" | "auto" | "required" | {type: function, function: {name}} | {type: file_search|code_interpreter}."""
    if choice is None:
        return "auto"
    if isinstance(choice, str):
        check_enum(choice, ("none", "auto", "required"), "tool_choice")
        return choice
    if not isinstance(choice, dict):
        raise invalid_request(
            "Invalid type for 'tool_choice': expected a string or an object.", "tool_choice", "invalid_type"
        )
    check_enum(choice.get("type"), TOOL_TYPES, "tool_choice.type")
    kind = choice["type"]
    if kind == "function":
        function = choice.get("function")
        wanted = function.get("name") if isinstance(function, dict) else None
        if not any(tool["type"] == "function" and tool["function"]["name"] == wanted for tool in tools):
            raise invalid_request(
                f"Invalid value for 'tool_choice': function '{wanted}' is not one of the functions "
                "declared in 'tools'.",
                "tool_choice",
                "invalid_value",
            )
        return {"type": "function", "function": {"name": wanted}}
    if not any(tool["type"] == choice["type"] for tool in tools):
        raise invalid_request(
            f"Invalid value for 'tool_choice': the '{choice['type']}' tool is not enabled for this run.",
            "tool_choice",
            "invalid_value",
        )
    return {"type": choice["type"]}


def check_truncation(strategy: dict[str, Any] | None) -> dict[str, Any]:
    if strategy is None:
        return {"type": "auto", "last_messages": None}
    check_enum(strategy.get("type"), ("auto", "last_messages"), "truncation_strategy.type")
    last = strategy.get("last_messages")
    if strategy["type"] == "last_messages":
        if not isinstance(last, int) or isinstance(last, bool):
            raise invalid_request(
                "Missing required parameter: 'truncation_strategy.last_messages'.",
                "truncation_strategy.last_messages",
                "missing_required_parameter",
            )
        check_range(last, "truncation_strategy.last_messages", 1)
    return {"type": strategy["type"], "last_messages": last if strategy["type"] == "last_messages" else None}


def check_token_limits(max_prompt_tokens: int | None, max_completion_tokens: int | None) -> None:
    check_range(max_prompt_tokens, "max_prompt_tokens", MIN_TOKEN_LIMIT)
    check_range(max_completion_tokens, "max_completion_tokens", MIN_TOKEN_LIMIT)


def check_file_ids(tenant: str, file_ids: Any, param: str, maximum: int) -> list[str]:
    if not isinstance(file_ids, list) or not all(isinstance(item, str) for item in file_ids):
        raise invalid_request(f"Invalid type for '{param}': expected an array of strings.", param, "invalid_type")
    check_max_items(file_ids, maximum, param)
    for file_id in file_ids:
        files.get_file(tenant, file_id, param)
    return list(file_ids)


# --------------------------------------------------------------------------- message content


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"value": text, "annotations": []}}


def _content_part(tenant: str, part: Any, param: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise invalid_request(f"Invalid type for '{param}': expected an object.", param, "invalid_type")
    check_enum(part.get("type"), ("image_file", "image_url", "text"), f"{param}.type")
    kind = part["type"]
    if kind == "text":
        if not isinstance(part.get("text"), str):
            raise invalid_request(
                f"Missing required parameter: '{param}.text'.", f"{param}.text", "missing_required_parameter"
            )
        return _text_part(part["text"])
    body = part.get(kind)
    key = "file_id" if kind == "image_file" else "url"
    if not isinstance(body, dict) or not isinstance(body.get(key), str):
        raise invalid_request(
            f"Missing required parameter: '{param}.{kind}.{key}'.",
            f"{param}.{kind}.{key}",
            "missing_required_parameter",
        )
    detail = body.get("detail", "auto")
    check_enum(detail, ("auto", "low", "high"), f"{param}.{kind}.detail")
    if kind == "image_file":
        files.get_file(tenant, body["file_id"], f"{param}.image_file.file_id")
    elif not _IMAGE_URL.match(body["url"]):  # stored as given, it must read back as the spec's `uri`
        raise invalid_request(
            f"Invalid '{param}.image_url.url': Expected a valid URL, but got a value with an invalid format.",
            f"{param}.image_url.url",
            "invalid_value",
        )
    return {"type": kind, kind: {key: body[key], "detail": detail}}


def message_content(tenant: str, content: Any, param: str) -> list[dict[str, Any]]:
    """A message's content as stored: a string becomes one text part."""
    if isinstance(content, str):
        return [_text_part(content)]
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
    return [_content_part(tenant, part, f"{param}[{index}]") for index, part in enumerate(content)]


def attachments(tenant: str, value: list[dict[str, Any]] | None, param: str) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    checked = []
    for index, attachment in enumerate(value):
        where = f"{param}[{index}]"
        if not isinstance(attachment.get("file_id"), str):
            raise invalid_request(
                f"Missing required parameter: '{where}.file_id'.", f"{where}.file_id", "missing_required_parameter"
            )
        files.get_file(tenant, attachment["file_id"], f"{where}.file_id")
        tools = attachment.get("tools") or []
        for tool_index, tool in enumerate(tools):
            check_enum(
                (tool or {}).get("type"), ("code_interpreter", "file_search"), f"{where}.tools[{tool_index}].type"
            )
        checked.append({"file_id": attachment["file_id"], "tools": [{"type": tool["type"]} for tool in tools]})
    return checked


def check_message(tenant: str, message: MessageRequest, prefix: str = "") -> dict[str, Any]:
    """A message request, checked: role, content parts, attachments, metadata. `prefix` names where it sits in
    the body ("", "messages[0].", "additional_messages[1].")."""
    check_enum(message.role, ("user", "assistant"), f"{prefix}role")
    check_metadata(message.metadata)
    return {
        "role": message.role,
        "content": message_content(tenant, message.content, f"{prefix}content"),
        "attachments": attachments(tenant, message.attachments, f"{prefix}attachments"),
        "metadata": message.metadata or {},
    }

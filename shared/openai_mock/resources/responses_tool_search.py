"""Tool search and namespaces in Responses requests (docs/responses.md, "Tool search and namespaces"): the checks of
the `namespace` and `tool_search` tools and of `defer_loading` (a deferred tool needs a tool_search tool to be found),
and the tool search items a client passes back as input (`tool_search_call`, `tool_search_output`). What the model
does with them is generation/responses.py's (`_tool_search_turn`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openai_mock import ids
from openai_mock.checks import check_enum
from openai_mock.errors import invalid_request, invalid_type, missing_parameter
from openai_mock.schema_checks import FUNCTION_NAME, check_function, schema_problem

EXECUTIONS = ("server", "client")
NAMESPACE_MEMBERS = ("function", "custom")
STATUSES = ("in_progress", "completed", "incomplete")
MAX_NAMESPACE_NAME = 64  # the spec's bound on a call's `namespace`
DEFERRABLE = ("function", "custom", "mcp")

ToolCheck = Callable[[Mapping[str, Any], str], None]


def _check_string(tool: Mapping[str, Any], key: str, param: str, *, required: bool) -> None:
    value = tool.get(key)
    if value is None:
        if required:
            raise missing_parameter(f"{param}.{key}")
        return
    if not isinstance(value, str):
        raise invalid_type(f"{param}.{key}", "a string", value)


def _check_defer_loading(tool: Mapping[str, Any], param: str) -> None:
    value = tool.get("defer_loading")
    if value is not None and not isinstance(value, bool):
        raise invalid_type(f"{param}.defer_loading", "a boolean", value)


# --------------------------------------------------------------------------------------------- tools


def check_namespace(tool: Mapping[str, Any], param: str) -> None:
    """A name (as a call's `namespace` spells it), a description, and a non-empty list of function and custom
    tools with names unique within the namespace."""
    _check_string(tool, "name", param, required=True)
    name = tool["name"]
    if not FUNCTION_NAME.fullmatch(name) or len(name) > MAX_NAMESPACE_NAME:
        raise invalid_request(
            f"Invalid '{param}.name': expected a name of 1 to {MAX_NAMESPACE_NAME} letters, digits, underscores or "
            "dashes.",
            f"{param}.name",
            "invalid_value",
        )
    _check_string(tool, "description", param, required=True)
    members = tool.get("tools")
    if members is None:
        raise missing_parameter(f"{param}.tools")
    if not isinstance(members, list):
        raise invalid_type(f"{param}.tools", "an array of objects", members)
    if not members:
        raise invalid_request(
            f"Invalid '{param}.tools': empty array. Expected an array with minimum length 1, but got an empty array "
            "instead.",
            f"{param}.tools",
            "empty_array",
        )
    seen: set[str] = set()
    for index, member in enumerate(members):
        at = f"{param}.tools[{index}]"
        if not isinstance(member, dict):
            raise invalid_type(at, "an object", member)
        check_enum(member.get("type"), NAMESPACE_MEMBERS, f"{at}.type")
        # A namespace's functions may leave `parameters` out (a function of no arguments), unlike top-level ones.
        check_function({**member, "strict": bool(member.get("strict"))}, at)
        _check_defer_loading(member, at)
        if member["name"] in seen:
            raise invalid_request(
                f"Invalid '{at}.name': duplicate tool name '{member['name']}' in namespace '{name}'.",
                f"{at}.name",
                "invalid_value",
            )
        seen.add(member["name"])


def check_tool_search(tool: Mapping[str, Any], param: str) -> None:
    """`execution` server (the default) or client; `description` and `parameters` (a JSON schema) are what a
    client-executed search tool shows the model, so only a client-executed one takes them."""
    execution = tool.get("execution") or "server"
    check_enum(execution, EXECUTIONS, f"{param}.execution")
    _check_string(tool, "description", param, required=False)
    parameters = tool.get("parameters")
    if parameters is not None:
        problem = schema_problem(parameters) if isinstance(parameters, dict) else f"{parameters!r} is not an object"
        if problem is not None:
            raise invalid_request(
                f"Invalid schema for 'tool_search': {problem}", f"{param}.parameters", "invalid_function_parameters"
            )
    for key in ("description", "parameters"):
        if execution == "server" and tool.get(key) is not None:
            raise invalid_request(
                f"Invalid '{param}.{key}': only a client-executed tool search (execution 'client') takes a '{key}'.",
                f"{param}.{key}",
                "invalid_value",
            )


def _deferred(tools: Sequence[Mapping[str, Any]]) -> list[tuple[str, Mapping[str, Any]]]:
    """The deferred tools, each with its param (`tools[2]`, `tools[3].tools[0]`)."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for index, tool in enumerate(tools):
        members = tool.get("tools") if tool.get("type") == "namespace" else None
        for number, member in enumerate(members or []):
            if member.get("defer_loading"):
                found.append((f"tools[{index}].tools[{number}]", member))
        if tool.get("type") in DEFERRABLE and tool.get("defer_loading"):
            found.append((f"tools[{index}]", tool))
    return found


def check_deferred(tools: Sequence[Mapping[str, Any]]) -> None:
    """One tool_search tool at most; a deferred tool only alongside one (nothing else would ever load it)."""
    searches = [index for index, tool in enumerate(tools) if tool.get("type") == "tool_search"]
    if len(searches) > 1:
        raise invalid_request(
            "Invalid 'tools': only one 'tool_search' tool may be given.", f"tools[{searches[1]}].type", "invalid_value"
        )
    for index, tool in enumerate(tools):
        if tool.get("type") in ("function", "custom", "mcp"):
            _check_defer_loading(tool, f"tools[{index}]")
    deferred = _deferred(tools)
    if deferred and not searches:
        param, tool = deferred[0]
        label = tool.get("name") or tool.get("server_label")
        raise invalid_request(
            f"Invalid '{param}.defer_loading': the tool '{label}' is deferred, which needs a 'tool_search' tool in "
            "'tools' to load it.",
            f"{param}.defer_loading",
            "invalid_value",
        )


def check_tool_choice(choice: Mapping[str, Any], tools: Sequence[Mapping[str, Any]]) -> None:
    """A named function or custom tool must be one the model sees: a deferred tool is not, until a search loads it."""
    named = [tool for tool in tools if tool.get("type") == choice["type"] and tool.get("name") == choice.get("name")]
    if named and all(tool.get("defer_loading") for tool in named):
        raise invalid_request(
            f"Tool choice '{choice['type']}' with name '{choice['name']}' names a deferred tool: a deferred tool "
            "cannot be forced, it is loaded through tool search.",
            "tool_choice",
            "invalid_value",
        )


# --------------------------------------------------------------------------------------------- input items


def _check_item_fields(entry: Mapping[str, Any], param: str) -> None:
    if entry.get("execution") is not None:
        check_enum(entry["execution"], EXECUTIONS, f"{param}.execution")
    if entry.get("status") is not None:
        check_enum(entry["status"], STATUSES, f"{param}.status")
    _check_string(entry, "call_id", param, required=False)


def tool_search_call_item(entry: Mapping[str, Any], param: str) -> dict[str, Any]:
    """A tool search call passed back: its arguments (any JSON value), its execution (server unless it says)."""
    if "arguments" not in entry:
        raise missing_parameter(f"{param}.arguments")
    _check_item_fields(entry, param)
    item_id = entry.get("id") or ids.new_id("tool_search_call")
    execution = entry.get("execution") or "server"
    return {"id": item_id, "call_id": None, "status": "completed", **entry, "execution": execution}


def tool_search_output_item(entry: Mapping[str, Any], param: str, check_tool: ToolCheck) -> dict[str, Any]:
    """The tools a search loaded (checked as request tools are); a client's answer to its call names the call."""
    tools = entry.get("tools")
    if tools is None:
        raise missing_parameter(f"{param}.tools")
    if not isinstance(tools, list):
        raise invalid_type(f"{param}.tools", "an array of objects", tools)
    _check_item_fields(entry, param)
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict):
            raise invalid_type(f"{param}.tools[{index}]", "an object", tool)
        check_tool(tool, f"{param}.tools[{index}]")
    item_id = entry.get("id") or ids.new_id("tool_search_output")
    execution = entry.get("execution") or ("client" if entry.get("call_id") else "server")
    return {"id": item_id, "call_id": None, "status": "completed", **entry, "execution": execution}


ItemCheck = Callable[[Mapping[str, Any], str], dict[str, Any]]


def item_checks(check_tool: ToolCheck) -> dict[str, ItemCheck]:
    """The tool search input items' checks by type (a loaded tool is checked as `check_tool` checks request tools)."""
    return {
        "tool_search_call": tool_search_call_item,
        "tool_search_output": lambda entry, param: tool_search_output_item(entry, param, check_tool),
    }


def check_search_outputs(conversation: Sequence[Mapping[str, Any]]) -> None:
    """A client's tool search output answers a client tool search call made earlier in the conversation."""
    calls = {item.get("call_id") for item in conversation if item["type"] == "tool_search_call"}
    for item in conversation:
        if item["type"] == "tool_search_output" and item.get("call_id") and item["call_id"] not in calls:
            raise invalid_request(
                f"No tool search call found for tool search output with call_id {item['call_id']}.", "input"
            )

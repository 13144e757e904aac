"""Reusable agents (`client.beta.agents`, docs/agents.md): a model, instructions, tools and settings, kept per project
and credential-free, that sessions and automations run. What a request omits is resolved when the agent is written
(defaults, the model's reasoning effort), so an agent reads back exactly as a session will run it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import ConfigDict, Discriminator, Field, JsonValue, Tag, create_model

from openai_mock import clock, ids
from openai_mock.checks import check_metadata
from openai_mock.errors import invalid_request, not_found
from openai_mock.fields import Flag, Integer, RequestModel, Text
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import models
from openai_mock.resources.organization.core import project_of, public
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

AGENTS = "agent"
CREDENTIALS = "agent_vault_credential"  # resources/agents/vaults.py's kind: an MCP tool may name one
MAX_TOOLS_BYTES = 3 * 1024 * 1024  # the tool list, as compact UTF-8 JSON
NAME_BYTES = 256
DEFAULT_SUBAGENTS = 6
MAX_SUBAGENTS = 32
DEFAULT_EFFORT = "medium"  # a reasoning model's own effort when the agent names none
SERVICE_TIERS = ("auto", "default", "flex", "priority", "fast", "ultrafast")
# Headers an agent may not keep: it stores no credentials (a vault credential authenticates an MCP server).
SECRET_HEADERS = frozenset(("authorization", "proxy-authorization", "cookie", "x-api-key"))


# --- request shapes ---------------------------------------------------------------------------------------------


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


class _AnyFields(RequestModel):
    model_config = ConfigDict(extra="allow")


def tagged(members: dict[str, type[RequestModel]]) -> Any:
    """A union chosen by its `type`, errors named as the API names them (`tools[0].name`, `tools[0].type`): each
    member tagged the way errors.param_path leaves out of a param, an unknown or missing `type` refused by a
    member that accepts only the known ones."""
    unknown = create_model("UnknownType", __base__=_AnyFields, type=(Literal[tuple(members)], ...))

    def pick(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else None
        return f"literal['{kind}']" if isinstance(kind, str) and kind in members else "literal[?]"

    tagged_members = [Annotated[model, Tag(f"literal['{kind}']")] for kind, model in members.items()]
    return Annotated[Union[(*tagged_members, Annotated[unknown, Tag("literal[?]")])], Discriminator(pick)]


class FunctionTool(_Fields):
    type: Literal["function"]
    name: Annotated[Text, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
    description: Text
    parameters: dict[str, JsonValue]
    defer_loading: Flag = False
    async_: Annotated[Flag | None, Field(alias="async")] = None


class ToolSearchTool(_Fields):
    type: Literal["tool_search"]


class ProgrammaticToolCallingTool(_Fields):
    type: Literal["programmatic_tool_calling"]
    enabled: Flag = True


class HttpTransport(_Fields):
    type: Literal["http"]
    server_url: Text
    headers: dict[str, Text] | None = None


class StdioTransport(_Fields):
    type: Literal["stdio"]
    command: Annotated[Text, Field(min_length=1)]
    cwd: Annotated[Text, Field(min_length=1)]
    args: list[Text] | None = None
    env_vars: list[Text] | None = None


class McpTool(_Fields):
    type: Literal["mcp"]
    server_label: Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    transport: tagged({"http": HttpTransport, "stdio": StdioTransport})  # type: ignore[valid-type]
    allowed_tools: list[Text] | None = None
    connection_origin: Literal["service", "environment"] | None = None
    credential_id: Text | None = None
    request_metadata: dict[str, JsonValue] | None = None
    required: Flag = False


class WebSearchLocation(_Fields):
    city: Text | None = None
    country: Annotated[Text, Field(pattern=r"^[A-Z]{2}$")] | None = None
    region: Text | None = None
    timezone: Text | None = None


class WebSearchTool(_Fields):
    type: Literal["web_search"]
    allowed_domains: list[Text] | None = None
    context_size: Literal["low", "medium", "high"] | None = None
    location: WebSearchLocation | None = None
    mode: Literal["disabled", "cached", "live"] | None = None


class ComputerUseTool(_Fields):
    type: Literal["computer_use"]
    include_screenshots: Flag = False


class AutomationsTool(_Fields):
    type: Literal["automations"]


Tool = tagged(
    {
        "function": FunctionTool,
        "tool_search": ToolSearchTool,
        "programmatic_tool_calling": ProgrammaticToolCallingTool,
        "mcp": McpTool,
        "web_search": WebSearchTool,
        "computer_use": ComputerUseTool,
        "automations": AutomationsTool,
    }
)


class TextFormatText(_Fields):
    type: Literal["text"]


class TextFormatJsonSchema(_Fields):
    type: Literal["json_schema"]
    schema_: Annotated[dict[str, JsonValue], Field(alias="schema")]


class TextParams(_Fields):
    format: tagged({"text": TextFormatText, "json_schema": TextFormatJsonSchema}) | None = None  # type: ignore[valid-type]
    verbosity: Literal["low", "medium", "high"] | None = None


class ReasoningParams(_Fields):
    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = None
    summary: Literal["concise", "detailed", "auto"] | None = None


class MultiAgentParams(_Fields):
    enabled: Flag
    max_concurrent_subagents: Annotated[Integer, Field(ge=1, le=MAX_SUBAGENTS)] | None = None


class CompactionParams(_Fields):
    async_: Annotated[Flag | None, Field(alias="async")] = None  # accepted and ignored: compaction blocks


class ExperimentalParams(_Fields):
    time_awareness: Flag = False


class AgentUpdateParams(_Fields):
    """An update: what it sends (`model_fields_set`) changes, the rest stays; a null resets to the default."""

    model: Annotated[Text, Field(min_length=1)] | None = None
    compaction: CompactionParams | None = None
    experimental: ExperimentalParams = Field(default_factory=ExperimentalParams)  # no null: omit it to keep
    instructions: Text | None = None
    metadata: dict[str, Text] | None = None
    multi_agent: MultiAgentParams | None = None
    name: Text | None = None
    reasoning: ReasoningParams | None = None
    service_tier: Literal["auto", "default", "flex", "priority", "fast", "ultrafast"] | None = None
    text: TextParams | None = None
    tools: list[Tool] | None = None  # type: ignore[valid-type]


class AgentCreateParams(AgentUpdateParams):
    model: Annotated[Text, Field(min_length=1)]


# --- resolving what was sent ------------------------------------------------------------------------------------


def _sent(model: _Fields) -> dict[str, Any]:
    """The fields a flat model was sent with (pydantic's `model_dump` of a deferred nested model fails)."""
    return {name: getattr(model, name) for name in model.model_fields_set}


def _transport(transport: HttpTransport | StdioTransport, param: str) -> dict[str, Any]:
    if isinstance(transport, StdioTransport):
        return {"type": "stdio", "command": transport.command, "cwd": transport.cwd, "args": transport.args or [],
                "env_vars": transport.env_vars or []}  # fmt: skip
    url = urlsplit(transport.server_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise invalid_request(
            f"Invalid '{param}.server_url': expected an http or https URL, but got '{transport.server_url}'.",
            f"{param}.server_url",
            "invalid_url",
        )
    headers = transport.headers or {}
    for name in headers:
        if name.lower() in SECRET_HEADERS:
            raise invalid_request(
                f"Invalid '{param}.headers': '{name}' carries a credential, and agents store none. Keep the secret "
                "in a vault credential and name it with the tool's `credential_id`.",
                f"{param}.headers.{name}",
                "invalid_value",
            )
    return {"type": "http", "server_url": transport.server_url, "headers": dict(headers)}


def _tool(principal: Principal, tool: Any, param: str) -> dict[str, Any]:
    """The tool as the agent keeps it: every setting resolved."""
    if isinstance(tool, FunctionTool):
        return {"type": "function", "name": tool.name, "description": tool.description, "parameters": tool.parameters,
                "defer_loading": tool.defer_loading, "async": bool(tool.async_)}  # fmt: skip
    if isinstance(tool, ProgrammaticToolCallingTool):
        return {"type": tool.type, "enabled": tool.enabled}
    if isinstance(tool, McpTool):
        if tool.credential_id is not None:
            _check_credential(principal, tool.credential_id, f"{param}.credential_id")
        return {
            "type": "mcp",
            "server_label": tool.server_label,
            "transport": _transport(tool.transport, f"{param}.transport"),
            "allowed_tools": None if tool.allowed_tools is None else list(dict.fromkeys(tool.allowed_tools)),
            "connection_origin": tool.connection_origin or "service",
            "credential_id": tool.credential_id,
            "request_metadata": tool.request_metadata or {},
            "required": tool.required,
        }
    if isinstance(tool, WebSearchTool):
        location = (
            None if tool.location is None else {**dict.fromkeys(WebSearchLocation.model_fields), **_sent(tool.location)}
        )
        domains = None if tool.allowed_domains is None else list(dict.fromkeys(tool.allowed_domains))
        return {"type": "web_search", "allowed_domains": domains, "context_size": tool.context_size or "medium",
                "location": location, "mode": tool.mode or "live"}  # fmt: skip
    if isinstance(tool, ComputerUseTool):
        return {"type": tool.type, "include_screenshots": tool.include_screenshots}
    return {"type": tool.type}  # tool_search, automations: nothing to set


def _check_credential(principal: Principal, credential_id: str, param: str) -> None:
    credential = get_store().get(principal.tenant, CREDENTIALS, credential_id)
    if credential is None or credential["_project_id"] != project_of(principal):
        raise not_found("VaultCredential", credential_id, param)


def _tools(principal: Principal, sent: list[Any]) -> list[dict[str, Any]]:
    tools = [_tool(principal, tool, f"tools[{index}]") for index, tool in enumerate(sent)]
    size = len(json.dumps(tools, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_TOOLS_BYTES:
        raise invalid_request(
            f"Invalid 'tools': the tool list is {size} bytes of JSON; the limit is {MAX_TOOLS_BYTES} bytes.",
            "tools",
            "tools_too_large",
        )
    _check_unique(tools, "function", "name")
    _check_unique(tools, "mcp", "server_label")
    singles = ("tool_search", "programmatic_tool_calling", "web_search", "computer_use", "automations")
    for kind in singles:
        _check_unique(tools, kind, "type")
    deferred = any(tool["type"] == "function" and tool["defer_loading"] for tool in tools)
    if deferred and not any(tool["type"] == "tool_search" for tool in tools):
        raise invalid_request(
            "Functions with `defer_loading` are found through tool search: add a `tool_search` tool.",
            "tools",
            "invalid_value",
        )
    return tools


def _check_unique(tools: list[dict[str, Any]], kind: str, key: str) -> None:
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        if tool["type"] != kind:
            continue
        if tool[key] in seen:
            what = f"a second '{kind}' tool" if key == "type" else f"a second {kind} tool with {key} '{tool[key]}'"
            raise invalid_request(f"Invalid 'tools[{index}]': {what}.", f"tools[{index}].{key}", "duplicate_value")
        seen.add(tool[key])


def _spec(principal: Principal, model: str) -> models.ModelSpec:
    spec = models.serving_spec(principal.tenant, model)  # 404 model_not_found for an id nobody serves
    if not spec.serves(models.RESPONSES):
        raise invalid_request(
            f"The requested model '{model}' is not supported with the Agents API.", "model", "model_not_supported"
        )
    return spec


def _reasoning(requested: dict[str, Any], spec: models.ModelSpec) -> dict[str, Any]:
    """The reasoning the agent runs with: the requested effort, else the model's own (none for a model that does
    not reason)."""
    effort = requested.get("effort")
    if effort is not None and not spec.reasoning:
        raise invalid_request(
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            "reasoning.effort",
            "unsupported_parameter",
        )
    models.check_reasoning_effort(effort, spec, "reasoning.effort")
    if effort is None and spec.reasoning:
        effort = DEFAULT_EFFORT
    return {"effort": effort, "summary": requested.get("summary")}


def _text(sent: TextParams | None, spec: models.ModelSpec) -> dict[str, Any]:
    verbosity = (sent and sent.verbosity) or "medium"
    models.check_verbosity(verbosity, spec, "text.verbosity")
    chosen = sent and sent.format
    if isinstance(chosen, TextFormatJsonSchema):
        return {"format": {"type": "json_schema", "schema": chosen.schema_}, "verbosity": verbosity}
    return {"format": {"type": "text"}, "verbosity": verbosity}


def _multi_agent(sent: MultiAgentParams | None) -> dict[str, Any]:
    if sent is None or not sent.enabled:
        return {"enabled": False, "max_concurrent_subagents": None}
    return {"enabled": True, "max_concurrent_subagents": sent.max_concurrent_subagents or DEFAULT_SUBAGENTS}


def _name(name: str | None) -> str | None:
    if name is None:
        return None
    trimmed = name.strip()
    if not trimmed or len(trimmed.encode()) > NAME_BYTES:
        raise invalid_request(
            f"Invalid 'name': expected 1 to {NAME_BYTES} bytes of UTF-8 after trimming, but got "
            f"{len(trimmed.encode())}.",
            "name",
            "invalid_value",
        )
    return trimmed


def applied(principal: Principal, agent: dict[str, Any], sent: AgentUpdateParams) -> dict[str, Any]:
    """The agent with what `sent` sets: each field sent replaces the agent's (a null resets it), the model's
    settings resolved again against the (new) model."""
    given = sent.model_fields_set
    changed = dict(agent)
    if "model" in given:
        if sent.model is None:  # an agent always has a model: it is replaced, never cleared
            raise invalid_request("Invalid type for 'model': expected a string, but got null instead.", "model",
                                  "invalid_type")  # fmt: skip
        changed["model"] = sent.model
    spec = _spec(principal, changed["model"])
    if "name" in given:
        changed["name"] = _name(sent.name)
    if "instructions" in given:
        changed["instructions"] = sent.instructions
    if "metadata" in given:
        check_metadata(sent.metadata)
        changed["metadata"] = dict(sent.metadata or {})
    if "multi_agent" in given:
        changed["multi_agent"] = _multi_agent(sent.multi_agent)
    if "service_tier" in given:
        changed["service_tier"] = sent.service_tier or "auto"
    if "experimental" in given:
        changed["experimental"] = {**changed["experimental"], **_sent(sent.experimental)}
    if "tools" in given:
        changed["tools"] = _tools(principal, sent.tools or [])
    if "reasoning" in given:  # the request, kept: a later change of model resolves the same request again
        changed["_reasoning"] = {} if sent.reasoning is None else _sent(sent.reasoning)
    changed["reasoning"] = _reasoning(changed["_reasoning"], spec)
    if "text" in given:
        changed["text"] = _text(sent.text, spec)
    else:
        models.check_verbosity(changed["text"]["verbosity"], spec, "text.verbosity")
    changed["updated_at"] = clock.now_seconds()
    return changed


# --- operations -------------------------------------------------------------------------------------------------


def stored_agent(principal: Principal, agent_id: str) -> dict[str, Any]:
    """The agent as the API shows it (the SDK's `Agent`): 404 naming `agent_id` unless it is the caller's project's.
    Sessions and automations resolve their `agent_id` with it."""
    return public(_stored(principal, agent_id))


def _stored(principal: Principal, agent_id: str) -> dict[str, Any]:
    agent = get_store().get(principal.tenant, AGENTS, agent_id)
    if agent is None or agent["_project_id"] != project_of(principal):
        raise not_found("Agent", agent_id, "agent_id")
    return agent


def settings_of_new_agent(model: str) -> dict[str, Any]:
    """What an agent is before its request's fields apply (a saved agent's, or a session's inline one)."""
    return {
        "name": None,
        "instructions": None,
        "metadata": {},
        "model": model,
        "multi_agent": _multi_agent(None),
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "auto",
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tools": [],
        "compaction": {"async": False},
        "experimental": {"time_awareness": False},
        "_reasoning": {},
    }


def create_agent(principal: Principal, sent: AgentCreateParams) -> dict[str, Any]:
    now = clock.now_seconds()
    blank: dict[str, Any] = {
        "id": ids.new_id(AGENTS),
        "object": "agent",
        "created_at": now,
        "updated_at": now,
        **settings_of_new_agent(sent.model),
        "_project_id": project_of(principal),
    }
    agent = applied(principal, blank, sent)
    get_store().create(principal.tenant, AGENTS, agent)
    return public(agent)


def update_agent(principal: Principal, agent_id: str, sent: AgentUpdateParams) -> dict[str, Any]:
    _stored(principal, agent_id)
    change: Callable[[dict[str, Any]], dict[str, Any]] = lambda agent: applied(principal, agent, sent)  # noqa: E731
    updated = get_store().update(principal.tenant, AGENTS, agent_id, change)
    if updated is None:  # deleted meanwhile
        raise not_found("Agent", agent_id, "agent_id")
    return public(updated)


def list_agents(principal: Principal, params: ListParams) -> dict[str, Any]:
    project = project_of(principal)
    page = get_store().list(
        principal.tenant,
        AGENTS,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=lambda agent: agent["_project_id"] == project,
    )
    return list_object(page, view=public)


def delete_agent(principal: Principal, agent_id: str) -> dict[str, Any]:
    _stored(principal, agent_id)
    if get_store().delete(principal.tenant, AGENTS, agent_id) is None:
        raise not_found("Agent", agent_id, "agent_id")
    return {"id": agent_id, "object": "agent.deleted", "deleted": True}

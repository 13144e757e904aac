"""Output items of today's Responses tools that the mock answers itself, without a network: remote MCP servers
(their tool list, approval requests and calls), image generation, and custom (free-form input) tools.

Pure builders of (tool, prompt, rng): what the model "does" is derived from the request so the same request
gives the same items. No MCP server is contacted: its tools are the ones the request allows (`allowed_tools`),
or a server's usual pair (search, fetch), and a call's output is text that names what was asked."""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.generation import chat, extract, grammars, shell_tools

DEFAULT_MCP_TOOLS = ("search", "fetch")
CUSTOM_INPUT = "input"  # the one string argument a custom tool is called with, as the chat machinery sees it
IMAGE_WORDS = ("image", "picture", "draw", "drawing", "illustration", "photo", "paint", "sketch", "logo", "poster")


# --------------------------------------------------------------------------------------------- MCP


def mcp_tool_names(tool: Mapping[str, Any]) -> list[str]:
    """The tools a remote MCP server offers: the names `allowed_tools` lists, else a server's usual pair."""
    allowed = tool.get("allowed_tools")
    if isinstance(allowed, Mapping):
        allowed = allowed.get("tool_names")
    return [str(name) for name in allowed] if allowed else list(DEFAULT_MCP_TOOLS)


def _mcp_input_schema(name: str) -> dict[str, Any]:
    argument = "url" if "fetch" in name else "query"
    return {
        "type": "object",
        "properties": {argument: {"type": "string", "description": f"The {argument} to {name.replace('_', ' ')}."}},
        "required": [argument],
        "additionalProperties": False,
    }


def mcp_list_tools(tool: Mapping[str, Any], item_id: str) -> dict[str, Any]:
    label = tool["server_label"]
    tools = [
        {
            "name": name,
            "description": f"{name.replace('_', ' ').capitalize()} on the {label} server.",
            "input_schema": _mcp_input_schema(name),
            "annotations": {"read_only": True},
        }
        for name in mcp_tool_names(tool)
    ]
    return {"type": "mcp_list_tools", "id": item_id, "server_label": label, "tools": tools, "error": None}


def mcp_choice(tool: Mapping[str, Any], prompt: str) -> tuple[str, str]:
    """Which of the server's tools the model calls for `prompt`, and its arguments (JSON text)."""
    names = mcp_tool_names(tool)
    words = set(re.findall(r"[a-z0-9]+", prompt.lower()))
    name = next((n for n in names if set(re.findall(r"[a-z0-9]+", n.lower())) & words), names[0])
    argument = next(iter(_mcp_input_schema(name)["properties"]))
    url = re.search(r"https?://\S+", prompt)
    value = url.group(0).rstrip(".,)") if argument == "url" and url else prompt.strip()[:200]
    return name, json.dumps({argument: value})


def needs_approval(tool: Mapping[str, Any], name: str) -> bool:
    """`require_approval`: "never", "always" (the default), or {"never": {"tool_names": [...]}, "always": …}."""
    rule = tool.get("require_approval", "always")
    if isinstance(rule, Mapping):
        never = (rule.get("never") or {}).get("tool_names") or []
        return name not in never
    return rule != "never"


def mcp_approval_request(tool: Mapping[str, Any], name: str, arguments: str, item_id: str) -> dict[str, Any]:
    return {
        "type": "mcp_approval_request",
        "id": item_id,
        "server_label": tool["server_label"],
        "name": name,
        "arguments": arguments,
    }


def mcp_output(tool: Mapping[str, Any], name: str, arguments: str) -> str:
    """What the server answered: text naming the call, as an MCP text content result reads."""
    values = ", ".join(str(value) for value in json.loads(arguments).values())
    return f"{name} on {tool['server_label']} for {values!r}: 3 results found."


def mcp_call(
    tool: Mapping[str, Any], name: str, arguments: str, item_id: str, approval_request_id: str | None
) -> dict[str, Any]:
    return {
        "type": "mcp_call",
        "id": item_id,
        "server_label": tool["server_label"],
        "name": name,
        "arguments": arguments,
        "output": mcp_output(tool, name, arguments),
        "error": None,
        "status": "completed",
        "approval_request_id": approval_request_id,
    }


# --------------------------------------------------------------------------------------------- images


def wants_image(prompt: str) -> bool:
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    return any(word in words for word in IMAGE_WORDS)


def image_size(tool: Mapping[str, Any]) -> tuple[int, int]:
    size = tool.get("size") or "auto"
    width, height = (1024, 1024) if size == "auto" else (int(part) for part in str(size).split("x"))
    return width, height


def image_generation_call(tool: Mapping[str, Any], prompt: str, rng: random.Random, item_id: str) -> dict[str, Any]:
    """The call and its picture: the prompt's scene (as the Images API draws it) in the tool's format."""
    # Here: the picture's drawing and encoding modules are loaded by the first image a response draws, not at
    # every cold start of the Responses function (bench/README.md, cold starts).
    from openai_mock.generation import raster
    from openai_mock.generation.images import scene_for

    png = scene_for(prompt, rng).render(*image_size(tool))
    picture = raster.encode(png, tool.get("output_format") or "png", tool.get("output_compression"))
    return {
        "type": "image_generation_call",
        "id": item_id,
        "status": "completed",
        "result": base64.b64encode(picture).decode(),
        "revised_prompt": prompt.strip(),
        "size": "{}x{}".format(*image_size(tool)),
        "quality": tool.get("quality") or "high",
        "background": tool.get("background") or "opaque",
        "output_format": tool.get("output_format") or "png",
    }


def partial_images(result_b64: str, count: int) -> list[str]:
    """`partial_images` previews of a streamed image: the final picture stands for each (the mock draws at once)."""
    return [result_b64] * max(0, min(count, 3))


# --------------------------------------------------------------------------------------------- web search

# What makes a model search rather than answer from what it knows: recent or live facts (news, today, prices,
# weather, scores, releases), a site or an address to read, or being asked to search. Searching the code, a file or
# a folder is a shell's job, not the web's.
WEB_WORDS = frozenset(
    (
        "news",
        "headlines",
        "latest",
        "today",
        "tonight",
        "yesterday",
        "recent",
        "recently",
        "upcoming",
        "trending",
        "weather",
        "forecast",
        "price",
        "prices",
        "stock",
        "stocks",
        "scores",
        "released",
        "web",
        "online",
        "internet",
        "website",
        "google",
        "browse",
    )
)
_WEB_PHRASES = re.compile(
    r"\bsearch\b(?!\s+(?:in\s+|through\s+)?(?:the|this|my|our)\s+(?:code\w*|repo\w*|files?|project|director\w*|folder))"
    r"|\blook(?:ing)?\s+(?:\w+\s+)?up\b|\bfind\s+(?:\w+\s+){0,3}online\b|\bwhat(?:'s|’s|\s+is|\s+are)\s+new\b"
    r"|\bthis\s+(?:week|month|year)\b|\bright\s+now\b|\bwho\s+won\b|\bexchange\s+rates?\b|\brelease\s+date\b"
    r"|https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|io|gov|edu|news)\b",
    re.IGNORECASE,
)


def wants_web(prompt: str) -> bool:
    """Whether answering `prompt` needs the web (`WEB_WORDS`, `_WEB_PHRASES`); a model answers the rest itself."""
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    return bool(words & WEB_WORDS) or _WEB_PHRASES.search(prompt) is not None


def keep_wanted_search(declared: Sequence[str], prompt: str) -> list[str]:
    """The declared hosted tools minus a web search the prompt does not need. `tool_choice` forcing the search
    (`required`, `{"type": "web_search"}`) is decided before this."""
    return [kind for kind in declared if kind != "web_search" or wants_web(prompt)]


# --------------------------------------------------------------------------------------------- custom tools


def custom_as_function(tool: Mapping[str, Any]) -> dict[str, Any]:
    """A custom tool as the chat machinery calls it: a function of one string."""
    description = tool.get("description") or f"The {tool['name']} tool."
    parameters = {
        "type": "object",
        "properties": {CUSTOM_INPUT: {"type": "string", "description": description}},
        "required": [CUSTOM_INPUT],
        "additionalProperties": False,
    }
    return {"type": "function", "name": tool["name"], "description": description, "parameters": parameters}


def custom_input(tool: Mapping[str, Any], arguments: str, prompt: str) -> str:
    """The free-form input of a custom tool call. Text format: the prompt's fenced or quoted text, else what the chat
    machinery wrote, else the prompt. Grammar format: that text only if the grammar accepts it, else a sentence of
    the grammar the prompt steers (`grammars.conforming_input`), seeded by the call's draw of the request's rng."""
    grammar = tool.get("format") or {}
    prompt = extract.step_for(prompt, str(tool["name"])) or prompt  # the step of a list that names this tool
    if grammar.get("type") == "grammar" and grammar.get("syntax") in grammars.SYNTAXES:
        syntax, definition = grammar["syntax"], str(grammar.get("definition"))
        rng = random.Random(f"{tool['name']}|{arguments}")
        try:
            patch = _patch_input(prompt, syntax, definition)
            return patch or grammars.conforming_input(syntax, definition, prompt, rng)
        except grammars.GrammarError:  # a tool the request did not declare itself (a tool search loaded it): text
            pass
    quoted = grammars.quoted_texts(prompt)
    if quoted:
        return quoted[0]
    try:
        value = json.loads(arguments).get(CUSTOM_INPUT)
    except (ValueError, AttributeError):
        value = None
    return str(value) if value and str(value).strip() else prompt.strip()


def _patch_input(prompt: str, syntax: str, definition: str) -> str | None:
    """For a patch tool (its grammar takes a `*** Begin Patch` envelope), the patch a model writes for a file edit
    the prompt spells out: the path it names, the lines it gives, the line it says to change. (Other edits are the
    grammar walk's, which the prompt's words steer.)"""
    if shell_tools.patch_path(prompt) is None or not shell_tools.spells_out_edit(prompt):
        return None
    if any(grammars.accepts(syntax, definition, text) for text in grammars.quoted_texts(prompt)):
        return None  # the prompt hands over a patch of its own: that one is sent
    operation = shell_tools.apply_patch_call(prompt, (), "", "")["operation"]
    patch = shell_tools.patch_text(operation)
    return patch if grammars.accepts(syntax, definition, patch) else None


# --------------------------------------------------------------------------------------------- namespaces, tool search

# A namespaced tool as the chat machinery calls it (`crm__get_customer`): one flat name per callable tool.
NAMESPACE_JOINER = "__"
# What a client-executed tool search is called with when its tool gives no `parameters` of its own.
DEFAULT_SEARCH_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "paths": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The namespaces or deferred tools to load.",
        }
    },
    "required": ["paths"],
    "additionalProperties": False,
}


class Offered(NamedTuple):
    """A function or custom tool the model may call: its flat chat name, its namespace (if any), its definition."""

    chat_name: str
    namespace: str | None
    tool: Mapping[str, Any]
    namespace_description: str = ""


def chat_name(namespace: str | None, name: str) -> str:
    """A namespace named as its tool is no namespace: the shape of a call to a deferred top-level tool."""
    return f"{namespace}{NAMESPACE_JOINER}{name}" if namespace and namespace != name else name


def _callables(tools: Sequence[Mapping[str, Any]]) -> Iterator[Offered]:
    """Function and custom tools, top level and inside namespaces."""
    for tool in tools:
        if tool.get("type") in ("function", "custom"):
            yield Offered(str(tool["name"]), None, tool)
        elif tool.get("type") == "namespace":
            space, about = str(tool["name"]), str(tool.get("description") or "")
            for member in tool.get("tools") or []:
                yield Offered(chat_name(space, str(member["name"])), space, member, about)


def loaded_tools(conversation: Sequence[Mapping[str, Any]]) -> list[Offered]:
    """The tools tool searches of the conversation loaded (`tool_search_output` items, the server's or the client's)."""
    loaded: list[Offered] = []
    for item in conversation:
        if item.get("type") == "tool_search_output":
            loaded += (_as_loaded(entry) for entry in _callables(item.get("tools") or []))
    return loaded


def _as_loaded(entry: Offered) -> Offered:
    """A deferred top-level function, once loaded, is called under a namespace of its own name (as the real API
    calls it, and as the Agents SDK finds it: `get_eta` in namespace `get_eta`); a namespace's members keep theirs."""
    if entry.namespace is None and entry.tool.get("defer_loading") and entry.tool.get("type") == "function":
        return entry._replace(namespace=entry.chat_name)
    return entry


def offered_tools(request: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]]) -> list[Offered]:
    """What the model can call this turn: the declared tools that are not deferred, then those searches loaded."""
    offered: dict[str, Offered] = {}
    declared = [entry for entry in _callables(request.get("tools") or []) if not entry.tool.get("defer_loading")]
    for entry in [*declared, *loaded_tools(conversation)]:
        offered.setdefault(entry.chat_name, entry)
    return list(offered.values())


def deferred_tools(request: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]]) -> list[Offered]:
    """The declared deferred tools no search has loaded yet: the model knows only that they can be found."""
    loaded = {entry.chat_name for entry in loaded_tools(conversation)}
    return [
        entry
        for entry in _callables(request.get("tools") or [])
        if entry.tool.get("defer_loading") and entry.chat_name not in loaded
    ]


def chat_function(entry: Offered) -> dict[str, Any]:
    """An offered tool as a chat function under its flat name; a namespace's description tells what it is for."""
    tool = entry.tool if entry.tool.get("type") == "function" else custom_as_function(entry.tool)
    described = " ".join(part for part in (entry.namespace_description, tool.get("description") or "") if part)
    return {**tool, "name": entry.chat_name, **({"description": described} if described else {})}


def search_tool(request: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next((tool for tool in request.get("tools") or [] if tool.get("type") == "tool_search"), None)


def search_execution(tool: Mapping[str, Any]) -> str:
    return str(tool.get("execution") or "server")


class SearchPlan(NamedTuple):
    tool: Mapping[str, Any]  # the request's tool_search tool
    targets: list[Offered]  # the deferred tools the search loads (none: a client search the prompt asked for)


def _answers_user(conversation: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the turn answers a user's message (not a tool's output, nor the tools a search loaded)."""
    said = [item for item in conversation if item.get("type") != "reasoning"]
    return bool(said) and said[-1].get("type") == "message" and said[-1].get("role") == "user"


def search_plan(
    request: Mapping[str, Any], conversation: Sequence[Mapping[str, Any]], prompt: str
) -> SearchPlan | None:
    """Whether the model searches for tools before it answers: the user's words ask for deferred tools (by their
    names and descriptions, as for any tool) at least as much as for any tool already offered. A client-executed
    search is also made when the words ask for what the search tool's own description says it finds."""
    tool = search_tool(request)
    if tool is None or request.get("tool_choice", "auto") == "none" or not _answers_user(conversation):
        return None
    offered = [chat_function(entry) for entry in offered_tools(request, conversation)]
    visible = max((chat.relevance(function, prompt) for function in offered), default=0.0)
    scored = [(chat.relevance(chat_function(entry), prompt), entry) for entry in deferred_tools(request, conversation)]
    best = max((score for score, _ in scored), default=0.0)
    if best >= visible:
        targets = [e for score, e in scored if score >= best / 2 and chat.mentioned(chat_function(e), prompt)]
        if targets:
            return SearchPlan(tool, targets)
    if request.get("tool_choice") == "required" and not offered and scored:  # a tool it must call is still hidden
        return SearchPlan(tool, [max(scored, key=lambda pair: pair[0])[1]])
    if search_execution(tool) == "client" and not any(chat.mentioned(function, prompt) for function in offered):
        itself = {"name": "tool_search", "description": tool.get("description") or ""}
        if chat.mentioned(itself, prompt):
            return SearchPlan(tool, [])
    return None


# Tool search items' id prefixes: their ids are shaped like a function call's (time-sortable), under their own prefix.
def search_paths(targets: Sequence[Offered]) -> list[str]:
    """What a search loads: the namespaces of namespaced tools (a namespace loads as a whole), else the tools."""
    paths: list[str] = []
    for entry in targets:
        path = entry.namespace or entry.chat_name
        if path not in paths:
            paths.append(path)
    return paths

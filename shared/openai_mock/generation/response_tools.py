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
from collections.abc import Mapping, Sequence
from typing import Any

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


def custom_input(arguments: str, prompt: str) -> str:
    """The free-form input of a custom tool call: quoted or fenced text of the prompt, else the prompt itself."""
    fenced = re.search(r"```(?:\w+\n)?(.*?)```", prompt, flags=re.S) or re.search(r"`([^`]+)`", prompt)
    if fenced:
        return fenced.group(1).strip()
    try:
        value = json.loads(arguments).get(CUSTOM_INPUT)
    except (ValueError, AttributeError):
        value = None
    return str(value) if value and str(value).strip() else prompt.strip()


def custom_names(tools: Sequence[Mapping[str, Any]]) -> set[str]:
    return {str(tool["name"]) for tool in tools if tool.get("type") == "custom"}

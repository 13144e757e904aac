"""Responses output items a fixture gives (`response: {"output": [...]}`): checked when the fixture is created
(`check`: the shapes of the spec's OutputMessage, FunctionToolCall, CustomToolCall, ReasoningItem,
WebSearchToolCall and FileSearchToolCall, with shortcuts), completed when it answers (`completed`: ids,
statuses and the fields the spec requires).

Shortcuts: a message's `content` may be a string (one output_text part), a part may omit `annotations` and
`logprobs`; a function call's `arguments` may be an object (sent as its JSON text); a reasoning item's
`summary` may list strings; a web search call's `action` and a file search call's `queries` may be omitted (a
search for the last user message)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

KINDS = ("message", "function_call", "custom_tool_call", "reasoning", "web_search_call", "file_search_call")
_FIELDS = {
    "message": {"type", "id", "role", "content", "status", "phase"},
    "function_call": {"type", "id", "call_id", "name", "arguments", "status"},
    "reasoning": {"type", "id", "summary", "encrypted_content", "status"},
    "web_search_call": {"type", "id", "status", "action"},
    "custom_tool_call": {"type", "id", "call_id", "name", "input"},
    "file_search_call": {"type", "id", "status", "queries", "results"},
}
_RESULT_FIELDS = {"file_id", "filename", "score", "text", "attributes"}
_STATUSES = ("in_progress", "completed", "incomplete")
_SEARCH_STATUSES = ("in_progress", "searching", "completed", "failed")
_FILE_SEARCH_STATUSES = ("in_progress", "searching", "completed", "incomplete", "failed")
_ACTIONS = {"search": ("query",), "open_page": ("url",), "find": ("url", "pattern")}


def _string(item: Mapping[str, Any], name: str, where: str, *, required: bool = False) -> None:
    if name not in item:
        if required:
            raise ValueError(f"{where}.{name} is required")
        return
    if not isinstance(item[name], str):
        raise ValueError(f"{where}.{name} must be a string")


def _check_message(item: Mapping[str, Any], where: str) -> None:
    if item.get("role", "assistant") != "assistant":
        raise ValueError(f"{where}.role must be 'assistant'")
    content = item.get("content")
    if isinstance(content, str):
        return
    if not isinstance(content, list) or not content:
        raise ValueError(f"{where}.content must be a string or a non-empty list of output_text parts")
    for number, part in enumerate(content):
        at = f"{where}.content[{number}]"
        if not isinstance(part, Mapping) or part.get("type") != "output_text":
            raise ValueError(f"{at} must be an object of type 'output_text'")
        unknown = set(part) - {"type", "text", "annotations", "logprobs"}
        if unknown:
            raise ValueError(f"{at} has unknown field {sorted(unknown)[0]!r}")
        _string(part, "text", at, required=True)
        for name in ("annotations", "logprobs"):
            if name in part and not isinstance(part[name], list):
                raise ValueError(f"{at}.{name} must be a list")


def _check_function_call(item: Mapping[str, Any], where: str) -> None:
    _string(item, "name", where, required=True)
    _string(item, "call_id", where)
    if "arguments" in item and not isinstance(item["arguments"], (str, dict)):
        raise ValueError(f"{where}.arguments must be a JSON string or an object")


def _check_reasoning(item: Mapping[str, Any], where: str) -> None:
    summary = item.get("summary", [])
    if not isinstance(summary, list):
        raise ValueError(f"{where}.summary must be a list")
    for number, part in enumerate(summary):
        if isinstance(part, str):
            continue
        if not isinstance(part, Mapping) or part.get("type") != "summary_text" or not isinstance(part.get("text"), str):
            raise ValueError(f"{where}.summary[{number}] must be a string or {{'type': 'summary_text', 'text': …}}")
    _string(item, "encrypted_content", where)


def _check_web_search(item: Mapping[str, Any], where: str) -> None:
    if "status" in item and item["status"] not in _SEARCH_STATUSES:
        raise ValueError(f"{where}.status must be one of {', '.join(_SEARCH_STATUSES)}")
    action = item.get("action")
    if action is None:
        return
    if not isinstance(action, Mapping) or action.get("type") not in _ACTIONS:
        raise ValueError(f"{where}.action must be an object whose type is one of {', '.join(_ACTIONS)}")
    for name in _ACTIONS[action["type"]]:
        _string(action, name, f"{where}.action", required=action["type"] != "search")


def _check_custom_call(item: Mapping[str, Any], where: str) -> None:
    _string(item, "name", where, required=True)
    _string(item, "call_id", where)
    _string(item, "input", where)


def _check_file_search(item: Mapping[str, Any], where: str) -> None:
    if "status" in item and item["status"] not in _FILE_SEARCH_STATUSES:
        raise ValueError(f"{where}.status must be one of {', '.join(_FILE_SEARCH_STATUSES)}")
    queries = item.get("queries", [])
    if not isinstance(queries, list) or not all(isinstance(query, str) for query in queries):
        raise ValueError(f"{where}.queries must be a list of strings")
    results = item.get("results", [])
    if not isinstance(results, list):
        raise ValueError(f"{where}.results must be a list")
    for number, result in enumerate(results):
        at = f"{where}.results[{number}]"
        if not isinstance(result, Mapping) or set(result) - _RESULT_FIELDS:
            raise ValueError(f"{at} must be an object of {', '.join(sorted(_RESULT_FIELDS))}")
        for name in ("file_id", "filename", "text"):
            _string(result, name, at)
        if "score" in result and (isinstance(result["score"], bool) or not isinstance(result["score"], (int, float))):
            raise ValueError(f"{at}.score must be a number")
        if "attributes" in result and not isinstance(result["attributes"], Mapping):
            raise ValueError(f"{at}.attributes must be an object")


_CHECKS: dict[str, Callable[[Mapping[str, Any], str], None]] = {
    "message": _check_message,
    "function_call": _check_function_call,
    "custom_tool_call": _check_custom_call,
    "file_search_call": _check_file_search,
    "reasoning": _check_reasoning,
    "web_search_call": _check_web_search,
}


def check(items: Sequence[Any]) -> None:
    """Raise ValueError naming the item and field (`output[1].content`) a Responses answer cannot carry."""
    for index, item in enumerate(items):
        where = f"output[{index}]"
        if not isinstance(item, Mapping) or item.get("type") not in KINDS:
            raise ValueError(f"{where}.type must be one of {', '.join(KINDS)}")
        unknown = set(item) - _FIELDS[item["type"]]
        if unknown:
            raise ValueError(f"{where} has unknown field {sorted(unknown)[0]!r}")
        _string(item, "id", where)
        if (
            item["type"] not in ("web_search_call", "file_search_call")
            and "status" in item
            and item["status"] not in _STATUSES
        ):
            raise ValueError(f"{where}.status must be one of {', '.join(_STATUSES)}")
        _CHECKS[item["type"]](item, where)


def completed(items: Sequence[Mapping[str, Any]], new_id: Callable[[str], str], query: str) -> list[dict[str, Any]]:
    """The items as a response carries them: every field the spec requires, fresh ids where none is given."""
    done: list[dict[str, Any]] = []
    for item in items:
        kind = item["type"]
        if kind == "message":
            content = item["content"]
            parts = [{"type": "output_text", "text": content}] if isinstance(content, str) else content
            done.append(
                {
                    "type": "message",
                    "id": item.get("id") or new_id("message_item"),
                    "status": item.get("status", "completed"),
                    "role": "assistant",
                    "content": [{"annotations": [], "logprobs": [], **part} for part in parts],
                    **({"phase": item["phase"]} if "phase" in item else {}),
                }
            )
        elif kind == "function_call":
            arguments = item.get("arguments", "{}")
            done.append(
                {
                    "type": "function_call",
                    "id": item.get("id") or new_id("function_call"),
                    "call_id": item.get("call_id") or new_id("call"),
                    "name": item["name"],
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                    "status": item.get("status", "completed"),
                }
            )
        elif kind == "reasoning":
            summary = [
                {"type": "summary_text", "text": part} if isinstance(part, str) else dict(part)
                for part in item.get("summary", [])
            ]
            reasoning = {"type": "reasoning", "id": item.get("id") or new_id("reasoning"), "summary": summary}
            if "encrypted_content" in item:
                reasoning["encrypted_content"] = item["encrypted_content"]
            done.append(reasoning)
        elif kind == "custom_tool_call":
            done.append(
                {
                    "type": "custom_tool_call",
                    "id": item.get("id") or new_id("custom_tool_call"),
                    "call_id": item.get("call_id") or new_id("call"),
                    "name": item["name"],
                    "input": item.get("input", ""),
                }
            )
        elif kind == "file_search_call":
            done.append(
                {
                    "type": "file_search_call",
                    "id": item.get("id") or new_id("file_search_call"),
                    "status": item.get("status", "completed"),
                    "queries": list(item.get("queries") or [query]),
                    "results": [dict(result) for result in item.get("results", [])],
                }
            )
        else:
            action = item.get("action") or {"type": "search", "query": query}
            done.append(
                {
                    "type": "web_search_call",
                    "id": item.get("id") or new_id("web_search_call"),
                    "status": item.get("status", "completed"),
                    "action": dict(action),
                }
            )
    return done


def texts(items: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """The text the model wrote (messages, call arguments) and the text it reasoned (summaries): what usage counts."""
    written, reasoned = [], []
    for item in items:
        if item["type"] == "message":
            written += [part["text"] for part in item["content"]]
        elif item["type"] == "function_call":
            written.append(item["name"] + item["arguments"])
        elif item["type"] == "custom_tool_call":
            written.append(item["name"] + item["input"])
        elif item["type"] == "reasoning":
            reasoned += [part["text"] for part in item["summary"]]
    return "".join(written), "".join(reasoned)

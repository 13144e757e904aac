"""Placeholders in a fixture's answer: `{{ … }}` in its strings (content, strings of `structured`, a tool call's
arguments), replaced when the fixture answers. An explicit substitution, no template engine: the names below
are all there is, and an unknown one is refused when the fixture is created (`check`).

    {{request.model}}                 the model asked for
    {{request.last_user}}             the text of the last user message
    {{request.body.<path>}}           a value of the request body (json_path: messages[-1].content, input, …)
    {{tool_call.arguments.<path>}}    a value of the arguments of the request's last tool call (its JSON)
    {{mock.id}}  {{mock.id "pfx_"}}   a fresh unique id (default prefix "id_")
    {{mock.now}}                      the mock clock, unix seconds
    {{mock.text N}}                   N tokens of the mock's generated text about the last user message

A value that is not a string is written as its JSON text; a path that reads nothing writes nothing."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from openai_mock import clock, rng
from openai_mock.control import json_path
from openai_mock.generation.content import content_text
from openai_mock.settings import get_settings

PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_ID = re.compile(r'mock\.id(?:\s+"([A-Za-z0-9_\-]{0,32})")?')
_TEXT = re.compile(r"mock\.text\s+(\d{1,4})")
MAX_TEXT_TOKENS = 4096
_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BYTE_TO_CHAR = bytes(ord(_ID_ALPHABET[byte % 62]) for byte in range(256))


def check(value: str) -> str | None:
    """Why a string's placeholders cannot be rendered, or None when they all can."""
    for found in PLACEHOLDER.finditer(value):
        expression = found.group(1)
        problem = _problem(expression)
        if problem is not None:
            return f"unknown placeholder {found.group(0)!r}: {problem}"
    return None


def _problem(expression: str) -> str | None:
    if expression in ("request.model", "request.last_user", "mock.now") or _ID.fullmatch(expression):
        return None
    for prefix in ("request.body.", "tool_call.arguments."):
        if expression.startswith(prefix):
            try:
                json_path.parse(expression[len(prefix) :])
            except ValueError as error:
                return str(error)
            return None
    counted = _TEXT.fullmatch(expression)
    if counted is not None:
        return None if 1 <= int(counted.group(1)) <= MAX_TEXT_TOKENS else f"N must be 1 to {MAX_TEXT_TOKENS}"
    return (
        "use request.model, request.last_user, request.body.<path>, tool_call.arguments.<path>, "
        'mock.id, mock.id "prefix", mock.now or mock.text N'
    )


class Context:
    """What placeholders read: the request as sent (`body`), in chat shape (`request`), and a seed for the
    generated text (so the same request to the same fixture answers the same text)."""

    def __init__(self, request: Mapping[str, Any], body: Mapping[str, Any], seed: tuple[object, ...]) -> None:
        self.request = request
        self.body = body
        self.seed = seed

    def value(self, expression: str) -> str:
        if expression == "request.model":
            return str(self.request.get("model") or "")
        if expression == "request.last_user":
            return last_user(self.request.get("messages") or [])
        if expression == "mock.now":
            return str(clock.now_seconds())
        if expression.startswith("request.body."):
            return _written(json_path.read(self.body, expression[len("request.body.") :]))
        if expression.startswith("tool_call.arguments."):
            arguments = last_tool_call_arguments(self.request.get("messages") or [])
            return _written(json_path.read(arguments, expression[len("tool_call.arguments.") :]))
        named = _ID.fullmatch(expression)
        if named is not None:
            return self._new_id(named.group(1))
        counted = _TEXT.fullmatch(expression)
        if counted is not None:
            return self._text(int(counted.group(1)))
        raise ValueError(f"unknown placeholder {expression!r}")  # `check` refused it when it was created

    def _new_id(self, prefix: str | None) -> str:
        # Unique, not reproducible (like the ids of objects the mock creates).
        return (prefix if prefix is not None else "id_") + os.urandom(24).translate(_BYTE_TO_CHAR).decode()

    def _text(self, count: int) -> str:
        from openai_mock.generation import text  # only for `{{mock.text N}}`: every function loads this module

        model = str(self.request.get("model") or "gpt-4o")
        prompt = last_user(self.request.get("messages") or []) or "the request"
        draw = rng.seeded_rng(("fixture-text", *self.seed, prompt, count), get_settings().seed)
        composed = text.compose(draw, topic=text.topic_of(prompt), target_tokens=count + 16, model=model)
        return text.truncate_to_tokens(composed.text, count, model)


def _written(value: Any) -> str:
    if value is json_path.MISSING or value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(value: Any, context: Context) -> Any:
    """`value` with the placeholders of every string in it replaced (lists and objects walked)."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda found: context.value(found.group(1)), value) if "{{" in value else value
    if isinstance(value, list):
        return [render(item, context) for item in value]
    if isinstance(value, Mapping):
        return {key: render(item, context) for key, item in value.items()}
    return value


def walk_strings(value: Any, location: str, visit: Callable[[str, str], None]) -> None:
    """Call `visit(string, where)` for every string in `value` (where: `location` plus keys and [positions])."""
    if isinstance(value, str):
        visit(value, location)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            walk_strings(item, f"{location}[{index}]", visit)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            walk_strings(item, f"{location}.{key}", visit)


def last_user(messages: Sequence[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def last_tool_call_arguments(messages: Sequence[Mapping[str, Any]]) -> Any:
    """The parsed arguments of the last tool call an assistant message of the request made (MISSING if none)."""
    for message in reversed(messages):
        calls = message.get("tool_calls") if message.get("role") == "assistant" else None
        if calls:
            function = calls[-1].get("function") or {}
            try:
                return json.loads(function.get("arguments") or "null")
            except (TypeError, ValueError):
                return json_path.MISSING
    return json_path.MISSING

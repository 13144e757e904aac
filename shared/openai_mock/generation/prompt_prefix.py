"""Prompt caching's arithmetic, pure: the token sequence a chat prompt is read as, the 128-token steps a cache
covers (from 1,024 tokens), the hash of each prefix, and how many tokens a hit or a write covers.

The mock does not build one token sequence for a prompt: it counts (generation/chat.count_prompt). The sequence
here is the same count laid out in reading order, so its length is exactly `usage.prompt_tokens`: the function
definitions first (one block of tokens derived from their JSON, as many as their count), then each message (three
framing tokens, its role, its text's real tokens, then its images' tokens, derived from each image part, then its
name and calls), then the reply's priming. A change anywhere changes every prefix that reaches it."""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from openai_mock.generation import chat, tokens
from openai_mock.generation.content import content_text

MIN_CACHED_TOKENS = 1024  # a shorter prompt is never cached
STEP_TOKENS = 128  # an implicit hit covers a whole number of steps past the minimum
BREAKPOINT_FIELD = "prompt_cache_breakpoint"
# Stand-ins for tokens the count adds without text (framing, priming): any fixed values outside the vocabularies.
_MESSAGE_FRAMING = (-1, -2, -3)
_NAME_MARK = (-4,)
_CALL_FRAMING = (-5, -6, -7)
_REPLY_PRIMING = (-8, -9, -10)


class Breakpoint(NamedTuple):
    """An explicit `prompt_cache_breakpoint`: the prefix ends right after its content block (not rounded)."""

    position: int
    ttl: str | None  # its own `ttl`, else the request's


class PromptSequence(NamedTuple):
    tokens: array[int]
    breakpoints: list[Breakpoint]  # in reading order


class CacheUse(NamedTuple):
    """What the prompt cache did for one request: tokens read from it, tokens newly written (by lifetime class:
    `ttl_30m_tokens`, `ttl_12h_tokens`), and whether the model itemizes its writes (gpt-5.6 and later)."""

    cached: int = 0
    written: int = 0
    written_30m: int = 0
    written_12h: int = 0
    itemized: bool = False


def _stand_ins(material: object, count: int) -> list[int]:
    """`count` tokens standing for something the count prices without encoding it (an image, the tools)."""
    digest = hashlib.blake2b(json.dumps(material, sort_keys=True, default=str).encode(), digest_size=4).digest()
    seed = int.from_bytes(digest, "little", signed=True)
    return [seed ^ index for index in range(count)]


def _content(message: Mapping[str, Any], model: str, out: array[int], marks: list[Breakpoint]) -> None:
    """A message's content: its text's tokens (the parts' text joined, as counted), then its images'."""
    content = message.get("content")
    start = len(out)
    out.extend(tokens.encode(content_text(content), model))
    if not isinstance(content, list):
        return
    text_end, text_so_far = len(out), ""
    for part in content:
        if not isinstance(part, Mapping):
            continue
        text_so_far += str(part.get("text") or part.get("refusal") or "")
        if part.get("type") == "image_url":
            out.extend(_stand_ins(part.get("image_url"), chat._parts_extra_tokens([part])))
        marker = part.get(BREAKPOINT_FIELD)
        if not isinstance(marker, Mapping):
            continue
        # Right after a text part's text; after another part's own tokens (a message's text is read first).
        is_text = part.get("type") == "text"
        end = min(start + len(tokens.encode(text_so_far, model)), text_end) if is_text else len(out)
        marks.append(Breakpoint(end, marker.get("ttl")))


def chat_sequence(request: Mapping[str, Any]) -> PromptSequence:
    """A validated chat request's prompt as one token sequence, and where its explicit breakpoints fall."""
    model = request["model"]
    out: array[int] = array("i")
    marks: list[Breakpoint] = []
    functions = chat.declared_functions(request)
    if functions:
        out.extend(_stand_ins(functions, chat.count_function_tokens(functions, model)))
    for message in request["messages"]:
        out.extend(_MESSAGE_FRAMING)
        out.extend(tokens.encode_constant(message["role"], model))
        _content(message, model, out, marks)
        if message.get("name"):
            out.extend(tokens.encode(message["name"], model))
            out.extend(_NAME_MARK)
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            out.extend(tokens.encode(function.get("name", ""), model))
            out.extend(tokens.encode(function.get("arguments", ""), model))
            out.extend(_CALL_FRAMING)
        if message.get("function_call"):
            call = message["function_call"]
            out.extend(tokens.encode(call.get("name", ""), model))
            out.extend(tokens.encode(call.get("arguments", "")))  # counted with the default encoding: see count
    out.extend(_REPLY_PRIMING)
    return PromptSequence(out, marks)


def cacheable_end(length: int) -> int:
    """Where the implicit breakpoint falls: the last whole step of the prompt (0: too short to cache)."""
    return length // STEP_TOKENS * STEP_TOKENS if length >= MIN_CACHED_TOKENS else 0


def steps(end: int) -> range:
    """The step positions a cached prefix ending at `end` covers (1,024, 1,152, …)."""
    return range(MIN_CACHED_TOKENS, end + 1, STEP_TOKENS)


def prefix_hashes(sequence: array[int], positions: Iterable[int]) -> dict[int, str]:
    """The hash of the prefix ending at each position, one pass over the tokens."""
    hashes: dict[int, str] = {}
    running = hashlib.blake2b(digest_size=8)
    done = 0
    for position in sorted(set(positions)):
        running.update(sequence[done:position].tobytes())
        done = position
        hashes[position] = running.copy().hexdigest()
    return hashes

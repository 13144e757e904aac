"""The one SSE encoder: OpenAI's `text/event-stream` wire format (the response that writes it is `web/sse.py`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from openai_mock.json_bytes import json_bytes

DONE = b"data: [DONE]\n\n"
_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def obfuscation(key: str, content: str) -> str:
    """The `obfuscation` padding of a streamed event (on by default; `stream_options.include_obfuscation: false`
    drops it): random-looking characters that round the event's content up to a multiple of 16, the same for the same
    `key` (the event's place in its stream)."""
    digest = hashlib.sha256(key.encode()).digest()
    return "".join(_PADDING[byte % len(_PADDING)] for byte in digest[: 16 - len(content) % 16])


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One event: `event: <name>` (Responses and Assistants streams) then `data: <json>`."""
    payload = data.encode() if isinstance(data, str) else json_bytes(data)
    head = b"event: " + event.encode() + b"\n" if event else b""
    return head + b"data: " + payload + b"\n\n"


def split_events(body: bytes) -> list[bytes]:
    """A written batch back into its events (each ends with a blank line; JSON payloads hold no raw newline)."""
    *complete, rest = body.split(b"\n\n")
    return [event + b"\n\n" for event in complete] + ([rest] if rest else [])


def chat_style(chunks: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Chat and completions streams: `data: {chunk}` lines, then `data: [DONE]`."""
    for chunk in chunks:
        yield sse_event(chunk)
    yield DONE

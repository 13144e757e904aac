"""The one SSE encoder: OpenAI's `text/event-stream` wire format (the response that writes it is `web/sse.py`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from openai_mock.json_bytes import json_bytes

DONE = b"data: [DONE]\n\n"
_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_AS_LETTERS = bytes.maketrans(bytes(range(256)), bytes(_LETTERS[byte % len(_LETTERS)] for byte in range(256)))
_SLOT = 16  # an event's content and its padding add up to a multiple of this


class Padding:
    """The `obfuscation` strings of one stream's events (on by default; `stream_options.include_obfuscation: false`
    drops them): random-looking letters and digits that round an event's content up to a multiple of 16 characters,
    the same for the same stream `key` and event number. One hash serves the whole stream (SHAKE-256, read as far as
    the stream goes), each event a slice of it: a padded chunk costs little more than a plain one."""

    def __init__(self, key: str) -> None:
        self._hash = hashlib.shake_256(key.encode())
        self._letters = b""

    def of(self, number: int, content: str) -> bytes:
        start = number * _SLOT
        end = start + _SLOT - len(content) % _SLOT
        if end > len(self._letters):
            self._letters = self._hash.digest(max(end, 2 * len(self._letters), 32 * _SLOT)).translate(_AS_LETTERS)
        return self._letters[start:end]

    def text(self, number: int, content: str) -> str:
        return self.of(number, content).decode()


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

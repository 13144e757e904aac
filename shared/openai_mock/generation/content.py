"""What the mock controls read of a chat request and hand to the builders, apart from the builders themselves:
the controls run before every function's routes, and importing generation/chat.py for these two would make every
function's cold start pay for the chat generator (~45 ms of imports)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple


def content_text(content: Any) -> str:
    """The text of a message's content, string or parts (whatever a part holds: journalled bodies were not
    necessarily valid)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "".join(str(part.get("text") or part.get("refusal") or "") for part in content if isinstance(part, Mapping))


class Scripted(NamedTuple):
    """Content and/or tool calls given in advance (a mock-controls fixture): rendered like generated ones,
    fitted to the budget and stop sequences, counted, streamed."""

    content: str | None = None
    tool_calls: tuple[tuple[str, str], ...] = ()  # (function name, arguments JSON)

"""A tiny path reader for fixtures (`match.body`, `{{request.body.…}}`): names joined by dots, list positions
in brackets, negative positions counted from the end.

    messages[-1].content        the last message's content
    tools[0].function.name      the first tool's name
    input                       the whole `input` value
    metadata.case               a key of an object (any name without `.`, `[` or `]`)
    [0]                         a position of a top-level list

`read` returns MISSING when any step is absent (a key not there, a position out of range, a step into a
value of the wrong kind); it never raises on the document, only `parse` raises on a malformed path."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def parse(path: str) -> tuple[str | int, ...]:
    """The steps of `path`: str for a key, int for a list position. ValueError when it is not a path."""
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        found = _STEP.match(path, position)
        if found is None or (found.group(0).startswith(".") and position == 0):
            raise ValueError(f"invalid path {path!r} at character {position + 1}")
        key, index = found.groups()
        if key is not None and steps and not found.group(0).startswith("."):
            raise ValueError(f"invalid path {path!r}: a '.' must come before {key!r}")
        steps.append(key if key is not None else int(index))
        position = found.end()
    if not steps:
        raise ValueError("the path is empty")
    return tuple(steps)


def read(document: Any, path: str | tuple[str | int, ...]) -> Any:
    """The value at `path` in `document`, or MISSING."""
    value = document
    for step in parse(path) if isinstance(path, str) else path:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return MISSING
            value = value[step]
        elif isinstance(value, Mapping) and step in value:
            value = value[step]
        else:
            return MISSING
    return value

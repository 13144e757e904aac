"""JSON text as bytes, for every answer the mock writes (response bodies, stream events).

orjson when it is installed (the `local` extra: `openai-mock serve`), which encodes a response in about a third of
the instructions pydantic-core's `to_json` takes (bench/README.md); pydantic-core otherwise, and for the values
orjson refuses (integers over 64 bits, bytes, sets…). Both write compact, UTF-8 JSON: the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import to_json

_orjson_dumps: Callable[[Any], bytes] | None
try:
    from orjson import dumps as _orjson_dumps
except ImportError:  # pragma: no cover - the layer's own dependencies do not include it
    _orjson_dumps = None  # type: ignore[assignment]


def json_bytes(value: Any) -> bytes:
    if _orjson_dumps is not None:
        try:
            return _orjson_dumps(value)
        except TypeError:
            pass
    return to_json(value)

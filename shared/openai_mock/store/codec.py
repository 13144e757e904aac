"""Objects as JSON text, as the memory and SQLite stores keep them (so what a caller gets can't change what is
stored, as in DynamoDB).

orjson (the `local` extra) writes and reads that text in a fraction of the standard library's time, and every
request writes some (its usage record, its journal entry). What orjson refuses (integers over 64 bits, lone
surrogates) is written by the standard library instead. Bytes are orjson's text and read back by it, exactly; text
is read by the standard library, because text stored earlier may hold what orjson would read inexactly (an integer
over 64 bits becomes a float). NaN and infinities, which JSON has no words for, are written as null."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_orjson_dumps: Callable[..., bytes] | None
try:
    from orjson import OPT_NON_STR_KEYS
    from orjson import dumps as _orjson_dumps
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - the Lambda layer's dependencies do not include it
    _orjson_dumps = None


def encode(obj: Any) -> bytes | str:
    """orjson's bytes when it takes the object, else the standard library's text."""
    if _orjson_dumps is not None:
        try:
            return _orjson_dumps(obj, option=OPT_NON_STR_KEYS)
        except TypeError:
            pass
    return json.dumps(obj)


def decode(body: bytes | str) -> Any:
    return _orjson_loads(body) if isinstance(body, bytes) else json.loads(body)


def text(body: bytes | str) -> str:
    """`encode`'s result as text (a database column)."""
    return body.decode() if isinstance(body, bytes) else body

"""What the middleware and the routes pass each other for one request, in the ASGI scope's `state` dict
(`request.state` reads the same dict through Starlette's `State`, which is built anew on each read: the hot
paths read the dict itself)."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any


def state_of(scope: MutableMapping[str, Any]) -> dict[str, Any]:
    """The request's state dict, made on first use (a request the middleware answered early has none yet)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    return state

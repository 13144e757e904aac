"""Signed webhook deliveries when background work finishes (docs/webhooks.md).

For a resource: `watch(tenant, source, object_id, at=finish)` after `register_source(source, resolve)`, or one
call, `emit(tenant, event_type, object_id, at=finish)`, when the resource knows the outcome in advance. For the
mock controls: `endpoints` (the `/__mock/webhooks` API), `send_test`, `list_attempts`, `clock_moved`. For
whatever wakes pending items: `run_due` (the local server) and `process_message` (the WebhooksFunction).

A resource registers its source at import (sources.py, light); the delivery machinery (delivery.py: endpoints,
signing, targets, dispatch) is imported when one of its names is first used, so a function's cold start does not
pay for it before its first watched object (bench/README.md, cold starts)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from openai_mock.control.webhooks.events import EVENT_TYPES, register_event_type
from openai_mock.control.webhooks.sources import Finished, NotYet, Outcome, register_source

if TYPE_CHECKING:
    from openai_mock.control.webhooks.delivery import (
        MAX_ATTEMPTS,
        clock_moved,
        emit,
        list_attempts,
        process_message,
        retry_delay,
        run_due,
        send_test,
        watch,
    )
    from openai_mock.control.webhooks.dispatch import local_dispatcher

# name → the module that defines it, imported on the name's first use
_ON_FIRST_USE = {
    **dict.fromkeys(
        (
            "MAX_ATTEMPTS",
            "clock_moved",
            "emit",
            "list_attempts",
            "process_message",
            "retry_delay",
            "run_due",
            "send_test",
            "watch",
        ),
        "openai_mock.control.webhooks.delivery",
    ),
    "local_dispatcher": "openai_mock.control.webhooks.dispatch",
}


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        return getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EVENT_TYPES",
    "MAX_ATTEMPTS",
    "Finished",
    "NotYet",
    "Outcome",
    "clock_moved",
    "emit",
    "list_attempts",
    "local_dispatcher",
    "process_message",
    "register_event_type",
    "register_source",
    "retry_delay",
    "run_due",
    "send_test",
    "watch",
]

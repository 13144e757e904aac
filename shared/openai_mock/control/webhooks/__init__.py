"""Signed webhook deliveries when background work finishes (docs/webhooks.md).

For a resource: `watch(tenant, source, object_id, at=finish)` after `register_source(source, resolve)`, or one
call, `emit(tenant, event_type, object_id, at=finish)`, when the resource knows the outcome in advance. For the
mock controls: `endpoints` (the `/__mock/webhooks` API), `send_test`, `list_attempts`, `clock_moved`. For
whatever wakes pending items: `run_due` (the local server) and `process_message` (the WebhooksFunction)."""

from openai_mock.control.webhooks.delivery import (
    MAX_ATTEMPTS,
    Finished,
    NotYet,
    Outcome,
    clock_moved,
    emit,
    list_attempts,
    process_message,
    register_source,
    retry_delay,
    run_due,
    send_test,
    watch,
)
from openai_mock.control.webhooks.dispatch import local_dispatcher
from openai_mock.control.webhooks.events import EVENT_TYPES, register_event_type

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

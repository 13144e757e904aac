"""What wakes a pending webhook item (an event due when its object finishes, a delivery's next attempt) at its
due time on the tenant's clock. Two dispatchers, one interface (`schedule`):

- `LocalDispatcher` (the local server, in-process tests): an in-memory index of due times; the server's
  scheduler task (`openai_mock/local/scheduler.py`) asks it what is due and sleeps until the next one, woken
  early when something is scheduled or a tenant moves its clock.
- `SqsDispatcher` (AWS, `OPENAI_MOCK_WEBHOOKS_QUEUE_URL`): one SQS message per wake-up, delayed until the due
  time (at most 15 minutes: a later item is woken, finds itself not due, and is queued again). The
  WebhooksFunction reads the queue; nothing polls (docs/webhooks.md).

A message carries the item's token; an item whose token changed since (rescheduled, claimed and finished) drops
the message, so a superseded wake-up does nothing."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from openai_mock import clock
from openai_mock.control import tenant_clock
from openai_mock.settings import get_settings

SQS_MAX_DELAY_SECONDS = 900

Wake = tuple[str, str, str]  # (tenant, item id, token)


class Dispatcher(Protocol):
    def schedule(self, tenant: str, item_id: str, token: str, due: float) -> None:
        """Wake the item at `due` (the tenant's clock) with this token."""


class LocalDispatcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: dict[tuple[str, str], tuple[float, str]] = {}
        self._listeners: list[Callable[[], None]] = []

    def schedule(self, tenant: str, item_id: str, token: str, due: float) -> None:
        with self._lock:
            self._due[(tenant, item_id)] = (due, token)
        self.wake()

    def wake(self) -> None:
        for listener in list(self._listeners):
            listener()

    def on_schedule(self, listener: Callable[[], None]) -> None:
        """`listener` is called (from any thread) whenever something is scheduled or a clock moves."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _tenant_times(self) -> dict[str, float]:
        with self._lock:
            tenants = {tenant for tenant, _ in self._due}
        process = clock.process_now()
        return {tenant: process + tenant_clock.offset(tenant) for tenant in tenants}

    def take_due(self) -> list[Wake]:
        """The wake-ups due now (each tenant on its own clock), removed from the index, earliest first."""
        times = self._tenant_times()
        with self._lock:
            due = sorted(
                (when, tenant, item_id, token)
                for (tenant, item_id), (when, token) in self._due.items()
                if tenant in times and when <= times[tenant]
            )
            for _, tenant, item_id, _ in due:
                del self._due[(tenant, item_id)]
        return [(tenant, item_id, token) for _, tenant, item_id, token in due]

    def seconds_until_next(self) -> float | None:
        """Real seconds until the next wake-up is due (None: nothing pending)."""
        times = self._tenant_times()
        with self._lock:
            waits = [when - times.get(tenant, when) for (tenant, _), (when, _) in self._due.items()]
        return max(0.0, min(waits)) if waits else None

    def pending(self) -> int:
        with self._lock:
            return len(self._due)

    def clear(self) -> None:
        with self._lock:
            self._due.clear()


class SqsDispatcher:
    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def schedule(self, tenant: str, item_id: str, token: str, due: float) -> None:
        delay = min(SQS_MAX_DELAY_SECONDS, max(0, math.ceil(due - clock.now())))
        body = json.dumps({"tenant": tenant, "item": item_id, "token": token}, separators=(",", ":"))
        sqs_client().send_message(QueueUrl=self.queue_url, MessageBody=body, DelaySeconds=delay)


@lru_cache(maxsize=1)
def sqs_client():  # type: ignore[no-untyped-def]
    import boto3  # here, not at import: only deployments with webhooks pay for it

    settings = get_settings()
    return boto3.client("sqs", region_name=settings.region, endpoint_url=settings.sqs_endpoint)


_local = LocalDispatcher()


def local_dispatcher() -> LocalDispatcher:
    return _local


@lru_cache(maxsize=1)
def _sqs(queue_url: str) -> SqsDispatcher:
    return SqsDispatcher(queue_url)


def get_dispatcher() -> Dispatcher:
    queue_url = get_settings().webhooks_queue_url
    return _sqs(queue_url) if queue_url else _local


def reset() -> None:
    """Forget scheduled wake-ups and cached clients (tests)."""
    _local.clear()
    _sqs.cache_clear()
    sqs_client.cache_clear()

"""From "this object finishes at T" to signed POSTs: pending items in the store, woken by the dispatcher.

Two kinds of pending item, one collection per tenant (`mock.webhook.pending`):

- an **event** (id = the object's id: a later emission for the same object replaces a pending one, so an
  object has one terminal event). Due when the object finishes on the tenant's clock. When it is due, the
  object's source (registered by its resource: `register_source`) says what happened, doing any work the
  finish entails (a batch's output file, a fine-tuning job's model), or that it finishes later; without a
  source the event emitted is delivered as is. The event then becomes one delivery per subscribed endpoint.
- a **delivery**: one event to one endpoint, attempted when due. A 2xx answer ends it; anything else (another
  status, a timeout, a refused connection) schedules the next attempt after `retry_delay`, up to
  `MAX_ATTEMPTS`; every attempt is recorded (`/__mock/webhooks/{id}/deliveries`). The `webhook-id` is the same
  on every attempt; each attempt is signed anew with its own `webhook-timestamp`.

Work on an item is claimed with a lease (a conditional store update), so two wake-ups of the same item (two
containers, a duplicate SQS message) do not both deliver; a crashed claim is retaken when its lease expires."""

from __future__ import annotations

import contextvars
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from openai_mock import clock, ids
from openai_mock.control import tenant_clock
from openai_mock.control.webhooks import endpoints, events, signing, targets
from openai_mock.control.webhooks.dispatch import get_dispatcher, local_dispatcher, sqs_client
from openai_mock.control.webhooks.sources import SOURCES, Finished, NotYet, Outcome
from openai_mock.errors import invalid_request
from openai_mock.logs import logger
from openai_mock.pagination import ListParams, list_object
from openai_mock.settings import get_settings
from openai_mock.store import ConflictError, get_store

PENDING = "mock.webhook.pending"
ATTEMPTS = "mock.webhook.attempt"  # "/<endpoint id>": one collection of attempts per endpoint

# The retry schedule (docs/webhooks.md): attempt n+1 follows a failed attempt n after
# BASE · FACTOR^(n-1) seconds, stretched by a jitter of 0–10 % drawn from the webhook-id (reproducible).
MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 5.0
RETRY_FACTOR = 4.0
JITTER = 0.10
LEASE_SECONDS = 120.0  # on the process clock: a tenant's time travel must not break a claim
USER_AGENT = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
RECHECK_SECONDS = 1.0  # an object due to finish that is not finished yet (a reader is settling it)
MAX_RUN_ROUNDS = 64  # run_due: an event's deliveries are due at once, so one call runs a few rounds

T = TypeVar("T")


def retry_delay(webhook_id: str, attempt: int) -> float:
    """Seconds between failed attempt `attempt` (1-based) and the next one."""
    digest = hashlib.sha256(f"{webhook_id}|{attempt}".encode()).digest()
    jitter = int.from_bytes(digest[:8], "big") / 2**64 * JITTER
    return RETRY_BASE_SECONDS * RETRY_FACTOR ** (attempt - 1) * (1 + jitter)


# --------------------------------------------------------------------------------------------- scheduling


def _token() -> str:
    return uuid.uuid4().hex


def _dispatch(tenant: str, item: dict[str, Any]) -> None:
    get_dispatcher().schedule(tenant, item["id"], item["token"], item["due"])


def _put(tenant: str, item: dict[str, Any]) -> None:
    """Store a pending item (replacing one with its id) and schedule it."""
    store = get_store()
    while True:
        replaced = store.update(tenant, PENDING, item["id"], lambda _current: item)
        if replaced is not None:
            break
        try:
            store.create(tenant, PENDING, item)
            break
        except ConflictError:  # created meanwhile: replace it
            continue
    _dispatch(tenant, item)


def _pending_event(
    tenant: str,
    object_id: str,
    at: float | None,
    *,
    source: str | None,
    event_type: str | None,
    data: dict[str, Any] | None = None,
) -> bool:
    if not endpoints.any_endpoint(tenant):  # no receiver: nothing is kept, nothing is woken
        return False
    due = clock.now() if at is None else float(at)
    item: dict[str, Any] = {
        "id": object_id,
        "kind": "event",
        "source": source,
        "event_type": event_type,
        "object_id": object_id,
        "due": due,
        "token": _token(),
        "lease_until": None,
    }
    if data is not None:
        item["data"] = data
    _put(tenant, item)
    return True


def emit(
    tenant: str, event_type: str, object_id: str, *, at: float | None = None, data: dict[str, Any] | None = None
) -> bool:
    """Send `event_type` about `object_id` at `at` (the tenant's clock; default now) to every subscribed endpoint
    of the tenant: one call, for a resource that knows when and how its object ends (evals:
    `emit(tenant, "eval.run.succeeded", run["id"], at=finishes_at)`; `emit(..., "eval.run.canceled", ...)` on
    cancel replaces it). `data`: the event's own data, for an event about no stored object (its id then names
    the pending event alone). False when the tenant has no endpoint (nothing is scheduled)."""
    if not events.known(event_type):
        raise ValueError(f"unknown webhook event type {event_type!r}: register_event_type first")
    return _pending_event(tenant, object_id, at, source=None, event_type=event_type, data=data)


def watch(tenant: str, source: str, object_id: str, *, at: float) -> bool:
    """Look at `object_id` of `source` when it is due to finish (`at`, the tenant's clock): its registered
    resolver says which event it ended with (or when to look again). Calling it again (a cancel) replaces the
    pending look."""
    if source not in SOURCES:
        raise ValueError(f"no webhook source {source!r}: register_source first")
    return _pending_event(tenant, object_id, at, source=source, event_type=None)


def clock_moved(tenant: str) -> int:
    """The tenant moved its clock: what it made due must fire now, so every pending item is woken anew (with a
    fresh token: the wake-ups scheduled for the old time are dropped when they arrive). How many items."""
    store, after, count = get_store(), None, 0
    while True:
        page = store.list(tenant, PENDING, limit=100, order="asc", after=after)
        for item in page.items:
            updated = store.update(tenant, PENDING, item["id"], _with_fresh_token)
            if updated is not None:
                _dispatch(tenant, updated)
                count += 1
        if not page.has_more or not page.items:
            break
        after = page.items[-1]["id"]
    local_dispatcher().wake()
    return count


# --------------------------------------------------------------------------------------------- processing


def _with_fresh_token(current: dict[str, Any]) -> dict[str, Any]:
    return {**current, "token": _token()}


class _Skip(Exception):
    """Not this wake-up's work: superseded, not due, or claimed by another."""


def in_tenant_time(tenant: str, work: Callable[[], T]) -> T:
    """Run `work` as a request of `tenant` would: `clock.now()` is the tenant's time."""

    def run() -> T:
        clock.use_tenant_offset(lambda: tenant_clock.offset(tenant))
        return work()

    return contextvars.copy_context().run(run)


def process(tenant: str, item_id: str, token: str) -> None:
    """One wake-up of one pending item (call it in the tenant's time: `in_tenant_time`)."""
    store = get_store()
    item = store.get(tenant, PENDING, item_id)
    if item is None or item["token"] != token:
        return  # done, or superseded by a later wake-up
    if item["due"] > clock.now():
        _dispatch(tenant, item)  # woken early (an SQS delay is at most 15 minutes): again, later
        return
    held = item.get("lease_until")
    if held is not None and held > clock.process_now():
        # Another wake-up is at work on it (or crashed doing so): look again when its lease ends.
        get_dispatcher().schedule(tenant, item_id, token, clock.now() + held - clock.process_now())
        return
    claimed = _claim(tenant, item_id, token)
    if claimed is None:
        return
    if claimed["kind"] == "event":
        _fire(tenant, claimed)
    else:
        _attempt(tenant, claimed)


def _claim(tenant: str, item_id: str, token: str) -> dict[str, Any] | None:
    lease_now = clock.process_now()

    def take(current: dict[str, Any]) -> dict[str, Any]:
        held = current.get("lease_until")
        if current["token"] != token or (held is not None and held > lease_now):
            raise _Skip
        return {**current, "lease_until": lease_now + LEASE_SECONDS}

    try:
        return get_store().update(tenant, PENDING, item_id, take)
    except _Skip:
        return None


def _reschedule(tenant: str, item: dict[str, Any], due: float, **changes: Any) -> None:
    updated = {**item, **changes, "due": due, "token": _token(), "lease_until": None}
    get_store().update(tenant, PENDING, item["id"], lambda _current: updated)
    _dispatch(tenant, updated)


def _fire(tenant: str, item: dict[str, Any]) -> None:
    source = item.get("source")
    if source is not None and source not in SOURCES:  # kept, and looked at again after its lease
        raise LookupError(f"no webhook source {source!r} in this process: import its resource (resources/webhooks.py)")
    outcome: Outcome = (
        SOURCES[source](tenant, item["object_id"]) if source is not None else Finished(item["event_type"], item["due"])
    )
    if isinstance(outcome, NotYet):
        now = clock.now()  # (due already: its end is being worked on by a reader; look again in a moment)
        _reschedule(tenant, item, outcome.due if outcome.due > now else now + RECHECK_SECONDS)
        return
    get_store().delete(tenant, PENDING, item["id"])
    if outcome is None:
        return
    event = events.build_event(outcome.event_type, item["object_id"], int(outcome.at), item.get("data"))
    for endpoint in endpoints.every_endpoint(tenant):
        if endpoints.subscribed(endpoint, outcome.event_type):
            _new_delivery(tenant, endpoint, event)


def _new_delivery(
    tenant: str, endpoint: dict[str, Any], event: dict[str, Any], webhook_id: str | None = None, *, wake: bool = True
) -> dict[str, Any]:
    delivery = {
        "id": ids.new_id("mock.webhook.delivery"),
        "kind": "delivery",
        "endpoint_id": endpoint["id"],
        "event": event,
        "webhook_id": webhook_id or ids.new_id("webhook"),
        "attempts": 0,
        "due": clock.now(),
        "token": _token(),
        "lease_until": None,
    }
    get_store().create(tenant, PENDING, delivery)
    if wake:  # (a test send attempts it at once, in the request)
        _dispatch(tenant, delivery)
    return delivery


@dataclass(frozen=True)
class _Answer:
    status_code: int | None
    error: str | None
    duration_ms: int
    refused: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(url: str, body: bytes, headers: dict[str, str]) -> _Answer:
    import httpx  # here: only processes that deliver pay for it

    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        target = targets.resolve(url)
    except targets.TargetRefused as refused:
        return _Answer(None, f"target_refused: {refused}", elapsed(), refused=True)
    sent = {**headers, "host": target.host_header, "content-type": "application/json", "user-agent": USER_AGENT}
    extensions = {"sni_hostname": target.server_name} if url.lower().startswith("https") else {}
    timeout = get_settings().webhook_timeout_seconds
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as http,
            http.stream("POST", target.url, content=body, headers=sent, extensions=extensions) as response,
        ):
            return _Answer(response.status_code, None, elapsed())
    except httpx.TimeoutException:
        return _Answer(None, f"timeout: no answer within {timeout:g} s", elapsed())
    except httpx.HTTPError as error:
        return _Answer(None, f"connection_error: {type(error).__name__}: {error}"[:300], elapsed())


def body_of(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def _attempt(tenant: str, delivery: dict[str, Any]) -> dict[str, Any] | None:
    """One attempt of a claimed delivery; the attempt's record (None: its endpoint is gone)."""
    endpoint = endpoints.find(tenant, delivery["endpoint_id"])
    if endpoint is None:
        get_store().delete(tenant, PENDING, delivery["id"])
        return None
    now = clock.now()
    number = delivery["attempts"] + 1
    body = body_of(delivery["event"])
    signed = signing.headers(
        delivery["webhook_id"], int(clock.wall_now()), body, endpoints.signing_secrets(endpoint, now)
    )
    answer = _post(endpoint["url"], body, signed)
    final = answer.ok or answer.refused or number >= MAX_ATTEMPTS
    next_at = None if final else now + retry_delay(delivery["webhook_id"], number)
    record = {
        "id": ids.new_id("mock.webhook.attempt"),
        "object": "mock.webhook.attempt",
        "webhook_endpoint_id": endpoint["id"],
        "event_id": delivery["event"]["id"],
        "event_type": delivery["event"]["type"],
        "webhook_id": delivery["webhook_id"],
        "attempt": number,
        "status": "succeeded" if answer.ok else "failed",
        "response_status_code": answer.status_code,
        "error": answer.error,
        "duration_ms": answer.duration_ms,
        "attempted_at": int(now),
        "next_retry_at": None if next_at is None else int(-(-next_at // 1)),
        "final": final,
    }
    get_store().create(tenant, f"{ATTEMPTS}/{endpoint['id']}", record)
    if final:
        get_store().delete(tenant, PENDING, delivery["id"])
        if not answer.ok:
            _dead_letter(tenant, delivery, record)
    else:
        assert next_at is not None
        _reschedule(tenant, delivery, next_at, attempts=number)
    return record


def _dead_letter(tenant: str, delivery: dict[str, Any], record: dict[str, Any]) -> None:
    """A delivery that will not be attempted again: kept on the dead-letter queue where there is one (AWS)."""
    logger.warning(
        "webhook delivery abandoned",
        extra={"webhook_id": delivery["webhook_id"], "attempts": record["attempt"], "error": record["error"]},
    )
    queue_url = get_settings().webhooks_dead_letter_queue_url
    if queue_url:
        message = {"tenant": tenant, "endpoint_id": delivery["endpoint_id"], "event": delivery["event"], "last": record}
        sqs_client().send_message(QueueUrl=queue_url, MessageBody=json.dumps(message, separators=(",", ":")))


def run_due() -> int:
    """Process every wake-up of the local dispatcher that is due (the local server's scheduler, tests); the
    deliveries an event creates are due at once and run in the same call. How many wake-ups ran."""
    dispatcher, ran = local_dispatcher(), 0
    for _ in range(MAX_RUN_ROUNDS):
        due = dispatcher.take_due()
        if not due:
            break
        for tenant, item_id, token in due:
            try:
                process_message(tenant, item_id, token)
            except Exception:  # one broken item must not stop the others: it is looked at again after its lease
                logger.exception("webhook item failed", extra={"item": item_id})
                later = in_tenant_time(tenant, clock.now) + LEASE_SECONDS
                dispatcher.schedule(tenant, item_id, token, later)
            ran += 1
    return ran


# --------------------------------------------------------------------------------------------- the controls


def send_test(tenant: str, endpoint_id: str, event_type: str | None) -> dict[str, Any]:
    """`POST /__mock/webhooks/{id}/test`: a sample event of `event_type` to this endpoint, attempted now (the
    attempt is the answer); a failed attempt is retried on the usual schedule."""
    endpoint = endpoints.retrieve_stored(tenant, endpoint_id)
    name = event_type or "response.completed"
    if not events.known(name):
        raise invalid_request(
            f"Invalid value for 'type': '{name}' is not a webhook event type. Supported types: "
            f"{', '.join(events.EVENT_TYPES)}.",
            "type",
            "invalid_value",
        )
    webhook_id = ids.new_id("webhook")
    event = events.build_event(name, events.sample_object_id(name, webhook_id), clock.now_seconds())
    delivery = _new_delivery(tenant, endpoint, event, webhook_id, wake=False)
    claimed = _claim(tenant, delivery["id"], delivery["token"])
    record = _attempt(tenant, claimed) if claimed is not None else None
    if record is None:  # the endpoint was deleted meanwhile
        raise invalid_request(f"The webhook {endpoint_id} no longer exists.", "webhook_id")
    return {**record, "event": event}


def list_attempts(tenant: str, endpoint_id: str, params: ListParams) -> dict[str, Any]:
    endpoints.retrieve_stored(tenant, endpoint_id)
    page = get_store().list(
        tenant,
        f"{ATTEMPTS}/{endpoint_id}",
        limit=params.limit,
        order=params.order,
        after=params.after,
        before=params.before,
    )
    return list_object(page)


def process_message(tenant: str, item_id: str, token: str) -> None:
    """One SQS message of the WebhooksFunction (AWS)."""
    in_tenant_time(tenant, lambda: process(tenant, item_id, token))

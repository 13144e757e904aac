"""The stored state of vector stores, their files and file batches, shared by the resource modules: collection
names, the lookups of a vector store (404, expired), the tally delta of one file, and the views the API returns.

Processing is modelled with timestamps, not workers: attaching a file extracts, chunks and embeds it at once,
records the outcome (completed, or failed with `last_error`) and the moment it becomes visible
(`_ready_ms`, about `now + vector_store_processing_seconds`). Until then the file reads `in_progress`;
statuses, `file_counts` and `usage_bytes` are computed when read, so time (the clock) alone moves them forward.

Per-file state lives only on the file records (`vector_store.file/<vs_id>`). A vector store, and a file batch,
keep an aggregate `_tally` (see `tally`) whose size does not grow with the number of files. Each attach,
detach or cancellation applies its file's delta to it through `store.update(change)` (optimistic, retried),
exactly once: only the request that created a file record adds it, and only the one whose delete removed
the record subtracts it. Internal fields start with `_` and never leave the layer."""

from __future__ import annotations

import math

from openai_mock import clock
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.resources.organization.usage import record_storage_delta
from openai_mock.resources.vector_stores import tally
from openai_mock.store import get_store
from openai_mock.store.base import Object

COLLECTION = "vector_store"
_DAY = 24 * 3600


def files_collection(vector_store_id: str) -> str:
    return f"vector_store.file/{vector_store_id}"


def batches_collection(vector_store_id: str) -> str:
    return f"vector_store.file_batch/{vector_store_id}"


def public(obj: Object) -> Object:
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def apply_file(obj: Object, record: Object, now: float, sign: int = 1, outcome: str | None = None) -> Object:
    """`obj`'s tally with the file of `record` added (sign 1) or removed (-1), under `outcome` if given."""
    tally.apply(obj["_tally"], record["_ready_ms"], outcome or record["_outcome"], record["_bytes"], now, sign)
    return obj


def record_storage(tenant: str, records: list[Object], sign: int, now: float | None = None) -> None:
    """The organization's vector-store storage usage (a level, kept as signed deltas): a completed file's
    bytes count from its ready time (sign 1, at attach), and stop counting when it leaves (sign -1, at
    `max(now, ready)`: a file leaving before it completed never counted). Call it after the store's update
    succeeded, never inside an update callback (which may be retried). Deltas of one moment are summed."""
    moments: dict[float, int] = {}
    for record in records:
        if record["_outcome"] != "completed" or not record["_bytes"]:
            continue
        ready = record["_ready_ms"] / 1000
        at = ready if sign > 0 or now is None else max(now, ready)
        moments[at] = moments.get(at, 0) + sign * record["_bytes"]
    for at, delta in moments.items():
        record_storage_delta(tenant, delta, at)


# --------------------------------------------------------------------------- views


def _expires_at(obj: Object) -> int | None:
    policy = obj.get("expires_after")
    return None if policy is None else int(obj["last_active_at"]) + policy["days"] * _DAY


def store_view(obj: Object, now: float | None = None) -> Object:
    now = clock.now() if now is None else now
    counts, usage = tally.counts(obj["_tally"], now)
    expires_at = _expires_at(obj)
    if expires_at is not None and expires_at <= now:
        status = "expired"
    else:
        status = "in_progress" if counts["in_progress"] else "completed"
    view: Object = {
        "id": obj["id"],
        "object": "vector_store",
        "created_at": obj["created_at"],
        "name": obj["name"],
        **({"description": obj["description"]} if "description" in obj else {}),  # not in the spec: once given
        "usage_bytes": usage,
        "file_counts": counts,
        "status": status,
    }
    if obj.get("expires_after") is not None:  # not nullable in the spec: absent without a policy
        view["expires_after"] = obj["expires_after"]
    view |= {"expires_at": expires_at, "last_active_at": obj["last_active_at"], "metadata": obj["metadata"]}
    return view


def file_status(record: Object, now: float | None = None) -> str:
    return tally.status(record["_ready_ms"], record["_outcome"], clock.now() if now is None else now)


def file_view(record: Object, now: float | None = None) -> Object:
    status = file_status(record, now)
    view = public(record)
    view["status"] = status
    view["usage_bytes"] = record["_bytes"] if status == "completed" else 0
    view["last_error"] = record["_error"] if status == "failed" else None
    return view


def batch_view(batch: Object, now: float | None = None) -> Object:
    counts, _ = tally.counts(batch["_tally"], clock.now() if now is None else now)
    if counts["in_progress"]:
        status = "in_progress"
    elif batch.get("_cancelled"):
        status = "cancelled"
    elif counts["total"] and counts["failed"] == counts["total"]:
        status = "failed"
    else:
        status = "completed"
    return {**public(batch), "status": status, "file_counts": counts}


def poll_after_ms(ready_ms: int, now: float | None = None) -> int:
    """`openai-poll-after-ms`: how long until the next change, for the SDK's poll helpers."""
    return max(1, math.ceil(ready_ms - (clock.now() if now is None else now) * 1000))


# --------------------------------------------------------------------------- lookups


def store_not_found(vector_store_id: str) -> OpenAIError:
    return OpenAIError(404, f"No vector store found with id '{vector_store_id}'.", param="vector_store_id")


def get_record(tenant: str, vector_store_id: str) -> Object:
    obj = get_store().get(tenant, COLLECTION, vector_store_id)
    if obj is None:
        raise store_not_found(vector_store_id)
    return obj


def get_active_record(tenant: str, vector_store_id: str) -> Object:
    """The vector store, refusing work on an expired one as the real API does."""
    obj = get_record(tenant, vector_store_id)
    expires_at = _expires_at(obj)
    if expires_at is not None and expires_at <= clock.now():
        raise invalid_request(
            f"Vector store {vector_store_id} is expired. Create a new vector store to continue.",
            "vector_store_id",
            "vector_store_expired",
        )
    return obj

"""Vector stores, the files attached to them and file batches: stored state, and the views the API returns.

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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openai_mock import clock
from openai_mock.checks import check_enum, check_metadata
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.ids import new_id
from openai_mock.resources import files
from openai_mock.resources.vector_stores import chunking, index, params, tally
from openai_mock.settings import get_settings
from openai_mock.store import ConflictError, get_store
from openai_mock.store.base import Object, Page

COLLECTION = "vector_store"
STATUSES = tally.STATUSES
_DAY = 24 * 3600


def files_collection(vector_store_id: str) -> str:
    return f"vector_store.file/{vector_store_id}"


def batches_collection(vector_store_id: str) -> str:
    return f"vector_store.file_batch/{vector_store_id}"


def _public(obj: Object) -> Object:
    return {key: value for key, value in obj.items() if not key.startswith("_")}


def _apply(obj: Object, record: Object, now: float, sign: int = 1, outcome: str | None = None) -> Object:
    """`obj`'s tally with the file of `record` added (sign 1) or removed (-1), under `outcome` if given."""
    tally.apply(obj["_tally"], record["_ready_ms"], outcome or record["_outcome"], record["_bytes"], now, sign)
    return obj


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
        "id": obj["id"], "object": "vector_store", "created_at": obj["created_at"], "name": obj["name"],
        "usage_bytes": usage, "file_counts": counts, "status": status,
    }
    if obj.get("expires_after") is not None:  # not nullable in the spec: absent without a policy
        view["expires_after"] = obj["expires_after"]
    view |= {"expires_at": expires_at, "last_active_at": obj["last_active_at"], "metadata": obj["metadata"]}
    return view


def file_status(record: Object, now: float | None = None) -> str:
    return tally.status(record["_ready_ms"], record["_outcome"], clock.now() if now is None else now)


def file_view(record: Object, now: float | None = None) -> Object:
    status = file_status(record, now)
    view = _public(record)
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
    return {**_public(batch), "status": status, "file_counts": counts}


def poll_after_ms(ready_ms: int, now: float | None = None) -> int:
    """`openai-poll-after-ms`: how long until the next change, for the SDK's poll helpers."""
    return max(1, math.ceil(ready_ms - (clock.now() if now is None else now) * 1000))


# --------------------------------------------------------------------------- lookups


def _store_not_found(vector_store_id: str) -> OpenAIError:
    return OpenAIError(404, f"No vector store found with id '{vector_store_id}'.", param="vector_store_id")


def get_record(tenant: str, vector_store_id: str) -> Object:
    obj = get_store().get(tenant, COLLECTION, vector_store_id)
    if obj is None:
        raise _store_not_found(vector_store_id)
    return obj


def get_active_record(tenant: str, vector_store_id: str) -> Object:
    """The vector store, refusing work on an expired one as the real API does."""
    obj = get_record(tenant, vector_store_id)
    expires_at = _expires_at(obj)
    if expires_at is not None and expires_at <= clock.now():
        raise invalid_request(f"Vector store {vector_store_id} is expired. Create a new vector store to continue.",
                              "vector_store_id", "vector_store_expired")
    return obj


def get_file_record(tenant: str, vector_store_id: str, file_id: str) -> Object:
    get_record(tenant, vector_store_id)
    record = get_store().get(tenant, files_collection(vector_store_id), file_id)
    if record is None:
        raise OpenAIError(404, f"No file found with id '{file_id}' in vector store '{vector_store_id}'.",
                          param="file_id")
    return record


def get_batch_record(tenant: str, vector_store_id: str, batch_id: str) -> Object:
    get_record(tenant, vector_store_id)
    batch = get_store().get(tenant, batches_collection(vector_store_id), batch_id)
    if batch is None:
        raise OpenAIError(404, f"No file batch found with id '{batch_id}' in vector store '{vector_store_id}'.",
                          param="batch_id")
    return batch


# --------------------------------------------------------------------------- attaching files


@dataclass(frozen=True)
class _Prepared:
    """A file read and processed, before anything is written."""

    file_id: str
    filename: str
    chunks: list[str]
    usage_bytes: int
    error: dict[str, str] | None


def _prepare(tenant: str, file_id: str, strategy: tuple[int, int], param: str) -> _Prepared:
    file = files.get_file(tenant, file_id, param)
    data = files.read_file_bytes(tenant, file_id, param)
    try:
        text = chunking.extract_text(file["filename"], data)
    except chunking.ProcessingError as failure:
        return _Prepared(file_id, file["filename"], [], 0, {"code": failure.code, "message": failure.message})
    return _Prepared(file_id, file["filename"], chunking.chunk(text, *strategy), len(text.encode()), None)


def _register(tenant: str, vector_store_id: str, records: list[Object]) -> None:
    """Count newly attached files in the store's tally, atomically; 404 if the store went away meanwhile."""
    def change(obj: Object) -> Object:
        now = clock.now()
        for record in records:
            _apply(obj, record, now)
        obj["last_active_at"] = int(now)
        return obj

    if get_store().update(tenant, COLLECTION, vector_store_id, change) is None:
        raise _store_not_found(vector_store_id)


def _attach(tenant: str, vector_store_id: str, prepared: _Prepared, strategy: tuple[int, int],
            attributes: dict[str, Any] | None, batch_id: str | None) -> tuple[Object, bool]:
    """Index the file and store its record; returns the record (the existing one if already attached) and
    whether this call created it (then it alone counts the file)."""
    store = get_store()
    collection = files_collection(vector_store_id)
    existing = store.get(tenant, collection, prepared.file_id)
    if existing is not None:
        return existing, False
    if prepared.error is None:
        index.save(tenant, vector_store_id, prepared.file_id, index.build(prepared.chunks))
    now = clock.now()
    record: Object = {
        "id": prepared.file_id, "object": "vector_store.file", "usage_bytes": 0, "created_at": int(now),
        "vector_store_id": vector_store_id, "status": "in_progress", "last_error": None,
        "chunking_strategy": params.strategy_object(*strategy), "attributes": attributes or {},
        "_ready_ms": tally.ready_ms(now, get_settings().vector_store_processing_seconds),
        "_outcome": "failed" if prepared.error else "completed", "_bytes": prepared.usage_bytes,
        "_error": prepared.error, "_batch_id": batch_id, "_filename": prepared.filename,
    }
    try:
        return store.create(tenant, collection, record), True
    except ConflictError:  # attached concurrently by another request: that attachment wins (and counts)
        return store.get(tenant, collection, prepared.file_id) or record, False


def attach_files(tenant: str, vector_store_id: str, file_ids: list[str], chunking_strategy: Any,
                 attributes: Any, *, param: str = "file_ids", batch_id: str | None = None) -> list[Object]:
    """Validate everything first (nothing is written if one file is unknown), then attach each file."""
    strategy = params.chunking_strategy(chunking_strategy)
    checked = params.attributes(attributes)
    prepared = [_prepare(tenant, file_id, strategy, param) for file_id in file_ids]
    attached = [_attach(tenant, vector_store_id, item, strategy, checked, batch_id) for item in prepared]
    created = [record for record, new in attached if new]
    if created:
        try:
            _register(tenant, vector_store_id, created)
        except OpenAIError:
            for record in created:  # the store was deleted meanwhile (or unreachable): leave nothing behind
                get_store().delete(tenant, files_collection(vector_store_id), record["id"])
                index.remove(tenant, vector_store_id, record["id"])
            raise
    return [record for record, _ in attached]


# --------------------------------------------------------------------------- vector stores


def create_vector_store(tenant: str, body: params.CreateVectorStoreRequest) -> Object:
    check_metadata(body.metadata)
    policy = params.expires_after(body.expires_after)
    ids = params.file_ids(body.file_ids or [])
    params.chunking_strategy(body.chunking_strategy)
    for file_id in ids:  # unknown files are a 404 before anything is stored
        files.get_file(tenant, file_id, "file_ids")
    now = clock.now_seconds()
    obj: Object = {
        "id": new_id("vector_store"), "object": "vector_store", "created_at": now, "name": body.name or "",
        "expires_after": policy, "last_active_at": now, "metadata": body.metadata or {},
        "_tally": tally.empty(),
    }
    get_store().create(tenant, COLLECTION, obj)
    attach_files(tenant, obj["id"], ids, body.chunking_strategy, None)
    return store_view(get_record(tenant, obj["id"]))


def retrieve_vector_store(tenant: str, vector_store_id: str) -> Object:
    return store_view(get_record(tenant, vector_store_id))


def modify_vector_store(tenant: str, vector_store_id: str, body: params.UpdateVectorStoreRequest) -> Object:
    check_metadata(body.metadata)
    given = body.model_fields_set
    policy = params.expires_after(body.expires_after) if "expires_after" in given else None

    def change(obj: Object) -> Object:
        if "name" in given:
            obj["name"] = body.name or ""
        if "metadata" in given:
            obj["metadata"] = body.metadata or {}
        if "expires_after" in given:
            obj["expires_after"] = policy
        obj["last_active_at"] = clock.now_seconds()
        return obj

    updated = get_store().update(tenant, COLLECTION, vector_store_id, change)
    if updated is None:
        raise _store_not_found(vector_store_id)
    return store_view(updated)


def list_vector_stores(tenant: str, list_params: Any) -> Page:
    page = get_store().list(tenant, COLLECTION, limit=list_params.limit, order=list_params.order,
                            after=list_params.after, before=list_params.before)
    now = clock.now()
    return Page([store_view(obj, now) for obj in page.items], page.has_more)


def delete_vector_store(tenant: str, vector_store_id: str) -> Object:
    store = get_store()
    obj = store.delete(tenant, COLLECTION, vector_store_id)
    if obj is None:
        raise _store_not_found(vector_store_id)
    for file_id in _attached_ids(tenant, vector_store_id):
        index.remove(tenant, vector_store_id, file_id)
    store.delete_collection(tenant, files_collection(vector_store_id))
    store.delete_collection(tenant, batches_collection(vector_store_id))
    return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}


def _attached_ids(tenant: str, vector_store_id: str) -> Iterator[str]:
    after = None
    while True:
        page = get_store().list(tenant, files_collection(vector_store_id), limit=100, order="asc", after=after)
        yield from (record["id"] for record in page.items)
        if not page.has_more or not page.items:
            return
        after = page.items[-1]["id"]


# --------------------------------------------------------------------------- vector store files


def create_file(tenant: str, vector_store_id: str, body: params.CreateVectorStoreFileRequest) -> Object:
    get_active_record(tenant, vector_store_id)
    [record] = attach_files(tenant, vector_store_id, [body.file_id], body.chunking_strategy, body.attributes,
                            param="file_id")
    return file_view(record)


def retrieve_file(tenant: str, vector_store_id: str, file_id: str) -> tuple[Object, dict[str, str]]:
    """The file and, while it is in progress, the `openai-poll-after-ms` header."""
    record = get_file_record(tenant, vector_store_id, file_id)
    view = file_view(record)
    headers = {"openai-poll-after-ms": str(poll_after_ms(record["_ready_ms"]))} if view["status"] == "in_progress" \
        else {}
    return view, headers


def check_status_filter(status: str | None) -> str | None:
    if status is not None:
        check_enum(status, STATUSES, "filter")
    return status


def list_files(tenant: str, vector_store_id: str, list_params: Any, status: str | None,
               batch_id: str | None = None) -> Page:
    get_record(tenant, vector_store_id)
    now = clock.now()

    def wanted(record: Object) -> bool:
        return (status is None or file_status(record, now) == status) and (
            batch_id is None or record.get("_batch_id") == batch_id)

    page = get_store().list(tenant, files_collection(vector_store_id), limit=list_params.limit,
                            order=list_params.order, after=list_params.after, before=list_params.before, where=wanted)
    return Page([file_view(record, now) for record in page.items], page.has_more)


def update_file_attributes(tenant: str, vector_store_id: str, file_id: str,
                           body: params.UpdateVectorStoreFileAttributesRequest) -> Object:
    get_file_record(tenant, vector_store_id, file_id)
    attributes = params.attributes(body.attributes) or {}

    def change(record: Object) -> Object:
        record["attributes"] = attributes
        return record

    updated = get_store().update(tenant, files_collection(vector_store_id), file_id, change)
    if updated is None:
        return file_view(get_file_record(tenant, vector_store_id, file_id))  # raises the 404
    return file_view(updated)


def delete_file(tenant: str, vector_store_id: str, file_id: str) -> Object:
    """Detach the file (the File itself remains): its record, its count and its index go. The record's
    delete is atomic, so of two concurrent detaches only one subtracts the file."""
    get_record(tenant, vector_store_id)
    record = get_store().delete(tenant, files_collection(vector_store_id), file_id)
    if record is None:
        get_file_record(tenant, vector_store_id, file_id)  # raises the 404
    else:
        get_store().update(tenant, COLLECTION, vector_store_id, lambda obj: _apply(obj, record, clock.now(), -1))
    index.remove(tenant, vector_store_id, file_id)
    return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}


def file_content(tenant: str, vector_store_id: str, file_id: str) -> Object:
    """The parsed text of an indexed file, chunk by chunk (empty until the file is completed)."""
    record = get_file_record(tenant, vector_store_id, file_id)
    loaded = index.load(tenant, vector_store_id, file_id) if file_status(record) == "completed" else None
    chunks = loaded.chunks if loaded is not None else []
    return {"object": "vector_store.file_content.page", "data": [{"type": "text", "text": text} for text in chunks],
            "has_more": False, "next_page": None}


# --------------------------------------------------------------------------- file batches


def create_file_batch(tenant: str, vector_store_id: str, body: params.CreateVectorStoreFileBatchRequest) -> Object:
    get_active_record(tenant, vector_store_id)
    ids = params.file_ids(body.file_ids, required=True)
    batch_id = new_id("vector_store.file_batch")
    records = attach_files(tenant, vector_store_id, ids, body.chunking_strategy, body.attributes, batch_id=batch_id)
    now = clock.now()
    batch: Object = {
        "id": batch_id, "object": "vector_store.files_batch", "created_at": int(now),
        "vector_store_id": vector_store_id, "status": "in_progress",
        # At most MAX_FILE_IDS (500) ids: what cancelling walks.
        "_file_ids": [record["id"] for record in records], "_tally": tally.empty(), "_cancelled": False,
    }
    for record in records:
        _apply(batch, record, now)
    return batch_view(get_store().create(tenant, batches_collection(vector_store_id), batch))


def retrieve_file_batch(tenant: str, vector_store_id: str, batch_id: str) -> tuple[Object, dict[str, str]]:
    batch = get_batch_record(tenant, vector_store_id, batch_id)
    now = clock.now()
    view = batch_view(batch, now)
    pending = tally.next_ready_ms(batch["_tally"], now)
    if view["status"] != "in_progress" or pending is None:
        return view, {}
    return view, {"openai-poll-after-ms": str(poll_after_ms(pending, now))}


def cancel_file_batch(tenant: str, vector_store_id: str, batch_id: str) -> Object:
    """Files still in progress stop (`cancelled`); finished ones keep their outcome."""
    batch = get_batch_record(tenant, vector_store_id, batch_id)
    now = clock.now()
    status = batch_view(batch, now)["status"]
    if status != "in_progress":
        raise invalid_request(f"Cannot cancel a vector store file batch that is {status}.", "batch_id",
                              "invalid_state")
    stopped = [record for file_id in batch["_file_ids"] if (record := _cancel_file(tenant, vector_store_id, file_id))]

    def recount(obj: Object) -> Object:
        at = clock.now()
        for record in stopped:  # each file moves from its pending outcome to `cancelled`
            _apply(obj, record, at, -1)
            _apply(obj, record, at, 1, "cancelled")
        return obj

    store = get_store()
    store.update(tenant, COLLECTION, vector_store_id, recount)
    updated = store.update(tenant, batches_collection(vector_store_id), batch_id,
                           lambda obj: {**recount(obj), "_cancelled": True})
    return batch_view(updated or batch, now)


def _cancel_file(tenant: str, vector_store_id: str, file_id: str) -> Object | None:
    """Cancel the file if it is still processing; returns its record as it was before, if this call did."""
    before: list[Object] = []

    def cancel(record: Object) -> Object:
        before.clear()  # a retried update starts over from a fresh read
        if file_status(record) == "in_progress":
            before.append(dict(record))
            record["_outcome"] = "cancelled"
        return record

    get_store().update(tenant, files_collection(vector_store_id), file_id, cancel)
    if before:
        index.remove(tenant, vector_store_id, file_id)
    return before[0] if before else None

"""Vector store file batches: create (attach many files at once), retrieve (with the poll hint), cancel (files
still in progress stop)."""

from __future__ import annotations

from openai_mock import clock
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.ids import new_id
from openai_mock.resources.vector_stores import index, params, tally
from openai_mock.resources.vector_stores.files import attach_files
from openai_mock.resources.vector_stores.records import (
    COLLECTION,
    apply_file,
    batch_view,
    batches_collection,
    file_status,
    files_collection,
    get_active_record,
    get_record,
    poll_after_ms,
    record_storage,
)
from openai_mock.store import get_store
from openai_mock.store.base import Object


def get_batch_record(tenant: str, vector_store_id: str, batch_id: str) -> Object:
    get_record(tenant, vector_store_id)
    batch = get_store().get(tenant, batches_collection(vector_store_id), batch_id)
    if batch is None:
        raise OpenAIError(
            404, f"No file batch found with id '{batch_id}' in vector store '{vector_store_id}'.", param="batch_id"
        )
    return batch


def create_file_batch(tenant: str, vector_store_id: str, body: params.CreateVectorStoreFileBatchRequest) -> Object:
    get_active_record(tenant, vector_store_id)
    ids = params.file_ids(body.file_ids, required=True)
    batch_id = new_id("vector_store.file_batch")
    records = attach_files(tenant, vector_store_id, ids, body.chunking_strategy, body.attributes, batch_id=batch_id)
    now = clock.now()
    batch: Object = {
        "id": batch_id,
        "object": "vector_store.files_batch",
        "created_at": int(now),
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        # At most MAX_FILE_IDS (500) ids: what cancelling walks.
        "_file_ids": [record["id"] for record in records],
        "_tally": tally.empty(),
        "_cancelled": False,
    }
    for record in records:
        apply_file(batch, record, now)
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
        raise invalid_request(f"Cannot cancel a vector store file batch that is {status}.", "batch_id", "invalid_state")
    stopped = [record for file_id in batch["_file_ids"] if (record := _cancel_file(tenant, vector_store_id, file_id))]

    def recount(obj: Object) -> Object:
        at = clock.now()
        for record in stopped:  # each file moves from its pending outcome to `cancelled`
            apply_file(obj, record, at, -1)
            apply_file(obj, record, at, 1, "cancelled")
        return obj

    store = get_store()
    if store.update(tenant, COLLECTION, vector_store_id, recount) is not None:
        record_storage(tenant, stopped, -1)  # a stopped file never completes: its future bytes are taken back
    updated = store.update(
        tenant, batches_collection(vector_store_id), batch_id, lambda obj: {**recount(obj), "_cancelled": True}
    )
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

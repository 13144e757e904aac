"""Vector store file batches: create (attach many files at once), retrieve (with the poll hint), cancel (files
still in progress stop)."""

from __future__ import annotations

from openai_mock import clock
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.ids import new_id
from openai_mock.resources.vector_stores import index, params, tally
from openai_mock.resources.vector_stores.files import FileSpec, attach_each
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


def _file_specs(body: params.CreateVectorStoreFileBatchRequest) -> list[FileSpec]:
    """The files to attach: `file_ids` with the batch's chunking strategy and attributes, or `files`, each with
    its own (the batch's are ignored then, as on the real API). A file named twice is attached once."""
    if body.file_ids is not None and body.files is not None:
        raise invalid_request(
            "'file_ids' and 'files' are mutually exclusive: send one of them.", "files", "mutually_exclusive_parameters"
        )
    if body.files is None:
        if body.file_ids is None:
            raise invalid_request(
                "Missing required parameter: 'file_ids' (or 'files').", "file_ids", "missing_required_parameter"
            )
        strategy = params.chunking_strategy(body.chunking_strategy)
        attributes = params.attributes(body.attributes)
        ids = params.file_ids(body.file_ids, required=True)
        return [FileSpec(file_id, strategy, attributes, "file_ids") for file_id in ids]
    params.file_ids([item.file_id for item in body.files], "files", required=True)  # its length
    specs: dict[str, FileSpec] = {}
    for position, item in enumerate(body.files):
        where = f"files[{position}]"
        strategy = params.chunking_strategy(item.chunking_strategy, f"{where}.chunking_strategy")
        attributes = params.attributes(item.attributes, f"{where}.attributes")
        specs.setdefault(item.file_id, FileSpec(item.file_id, strategy, attributes, f"{where}.file_id"))
    return list(specs.values())


def create_file_batch(tenant: str, vector_store_id: str, body: params.CreateVectorStoreFileBatchRequest) -> Object:
    get_active_record(tenant, vector_store_id)
    specs = _file_specs(body)
    batch_id = new_id("vector_store.file_batch")
    records = attach_each(tenant, vector_store_id, specs, batch_id=batch_id)
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

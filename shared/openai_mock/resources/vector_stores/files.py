"""Vector store files: attaching files (read, extract, chunk, embed and count each one once; shared with
`vector_stores` and `file_batches`), and the file operations: create, retrieve, list, update attributes, delete,
content."""

from __future__ import annotations

from typing import Any, NamedTuple

from openai_mock import clock
from openai_mock.checks import check_enum
from openai_mock.errors import OpenAIError
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import files
from openai_mock.resources.vector_stores import chunking, index, params, tally
from openai_mock.resources.vector_stores.records import (
    COLLECTION,
    apply_file,
    file_status,
    file_view,
    files_collection,
    get_active_record,
    get_record,
    poll_after_ms,
    record_storage,
    store_not_found,
)
from openai_mock.settings import get_settings
from openai_mock.store import ConflictError, get_store
from openai_mock.store.base import Object

STATUSES = tally.STATUSES


def get_file_record(tenant: str, vector_store_id: str, file_id: str) -> Object:
    """The file's record, read with its vector store's in one batch (one round trip on AWS): a 404 for either."""
    keys = [(COLLECTION, vector_store_id), (files_collection(vector_store_id), file_id)]
    vector_store, record = get_store().get_many(tenant, keys)
    if vector_store is None:
        raise store_not_found(vector_store_id)
    if record is None:
        raise OpenAIError(
            404, f"No file found with id '{file_id}' in vector store '{vector_store_id}'.", param="file_id"
        )
    return record


# --------------------------------------------------------------------------- attaching files


class _Prepared(NamedTuple):
    """A file read and processed, before anything is written."""

    file_id: str
    filename: str
    chunks: list[str]
    usage_bytes: int
    error: dict[str, str] | None


def _read(tenant: str, vector_store_id: str, file_ids: list[str]) -> tuple[list[Object | None], list[Object | None]]:
    """The File objects and their attachments to the store (None: none), in one read (one round trip on AWS)."""
    collection = files_collection(vector_store_id)
    keys = [(files.COLLECTION, file_id) for file_id in file_ids] + [(collection, file_id) for file_id in file_ids]
    found = get_store().get_many(tenant, keys)
    return found[: len(file_ids)], found[len(file_ids) :]


def _prepare(tenant: str, file_id: str, found: Object | None, strategy: tuple[int, int], param: str) -> _Prepared:
    file = files.usable_file(found, file_id, param)
    data = files.file_bytes(tenant, file, param)
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
            apply_file(obj, record, now)
        obj["last_active_at"] = int(now)
        return obj

    if get_store().update(tenant, COLLECTION, vector_store_id, change) is None:
        raise store_not_found(vector_store_id)


def _attach(
    tenant: str,
    vector_store_id: str,
    prepared: _Prepared,
    existing: Object | None,
    strategy: tuple[int, int],
    attributes: dict[str, Any] | None,
    batch_id: str | None,
) -> tuple[Object, bool]:
    """Index the file and store its record; returns the record (the existing one if already attached) and
    whether this call created it (then it alone counts the file)."""
    store = get_store()
    collection = files_collection(vector_store_id)
    if existing is not None:
        return existing, False
    if prepared.error is None:
        index.save(tenant, vector_store_id, prepared.file_id, index.build(prepared.chunks))
    now = clock.now()
    record: Object = {
        "id": prepared.file_id,
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": int(now),
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": params.strategy_object(*strategy),
        "attributes": attributes or {},
        "_ready_ms": tally.ready_ms(now, _processing_seconds()),
        "_outcome": "failed" if prepared.error else "completed",
        "_bytes": prepared.usage_bytes,
        "_error": prepared.error,
        "_batch_id": batch_id,
        "_filename": prepared.filename,
    }
    try:
        return store.create(tenant, collection, record), True
    except ConflictError:  # attached concurrently by another request: that attachment wins (and counts)
        return store.get(tenant, collection, prepared.file_id) or record, False


class FileSpec(NamedTuple):
    """A file to attach, with its checked chunking strategy and attributes, and the param naming it in errors."""

    file_id: str
    strategy: tuple[int, int]
    attributes: dict[str, Any] | None
    param: str


def attach_files(
    tenant: str,
    vector_store_id: str,
    file_ids: list[str],
    chunking_strategy: Any,
    attributes: Any,
    *,
    param: str = "file_ids",
    batch_id: str | None = None,
) -> list[Object]:
    """Attach the files, all with the same chunking strategy and attributes (see `attach_each`)."""
    strategy = params.chunking_strategy(chunking_strategy)
    checked = params.attributes(attributes)
    specs = [FileSpec(file_id, strategy, checked, param) for file_id in file_ids]
    return attach_each(tenant, vector_store_id, specs, batch_id=batch_id)


def attach_each(
    tenant: str, vector_store_id: str, specs: list[FileSpec], *, batch_id: str | None = None
) -> list[Object]:
    """Validate everything first (nothing is written if one file is unknown), then attach each file with its own
    chunking strategy and attributes."""
    found, attachments = _read(tenant, vector_store_id, [spec.file_id for spec in specs])
    prepared = [
        _prepare(tenant, spec.file_id, file, spec.strategy, spec.param) for spec, file in zip(specs, found, strict=True)
    ]
    attached = [
        _attach(tenant, vector_store_id, item, existing, spec.strategy, spec.attributes, batch_id)
        for spec, item, existing in zip(specs, prepared, attachments, strict=True)
    ]
    created = [record for record, new in attached if new]
    if created:
        try:
            _register(tenant, vector_store_id, created)
        except OpenAIError:
            for record in created:  # the store was deleted meanwhile (or unreachable): leave nothing behind
                get_store().delete(tenant, files_collection(vector_store_id), record["id"])
                index.remove(tenant, vector_store_id, record["id"])
            raise
        record_storage(tenant, created, 1)
    return [record for record, _ in attached]


# --------------------------------------------------------------------------- vector store files


def create_file(tenant: str, vector_store_id: str, body: params.CreateVectorStoreFileRequest) -> Object:
    get_active_record(tenant, vector_store_id)
    [record] = attach_files(
        tenant, vector_store_id, [body.file_id], body.chunking_strategy, body.attributes, param="file_id"
    )
    return file_view(record)


def retrieve_file(tenant: str, vector_store_id: str, file_id: str) -> tuple[Object, dict[str, str]]:
    """The file and, while it is in progress, the `openai-poll-after-ms` header."""
    record = get_file_record(tenant, vector_store_id, file_id)
    view = file_view(record)
    headers = (
        {"openai-poll-after-ms": str(poll_after_ms(record["_ready_ms"]))} if view["status"] == "in_progress" else {}
    )
    return view, headers


def check_status_filter(status: str | None) -> str | None:
    if status is not None:
        check_enum(status, STATUSES, "filter")
    return status


def list_files(
    tenant: str, vector_store_id: str, list_params: ListParams, status: str | None, batch_id: str | None = None
) -> Object:
    get_record(tenant, vector_store_id)
    now = clock.now()

    def wanted(record: Object) -> bool:
        return (status is None or file_status(record, now) == status) and (
            batch_id is None or record.get("_batch_id") == batch_id
        )

    page = get_store().list(
        tenant,
        files_collection(vector_store_id),
        limit=list_params.limit,
        order=list_params.order,
        after=list_params.after,
        before=list_params.before,
        where=wanted,
    )
    return list_object(page, view=lambda record: file_view(record, now))


def update_file_attributes(
    tenant: str, vector_store_id: str, file_id: str, body: params.UpdateVectorStoreFileAttributesRequest
) -> Object:
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
        now = clock.now()
        if get_store().update(tenant, COLLECTION, vector_store_id, lambda obj: apply_file(obj, record, now, -1)):
            record_storage(tenant, [record], -1, now)
    index.remove(tenant, vector_store_id, file_id)
    return {"id": file_id, "object": "vector_store.file.deleted", "deleted": True}


def file_content(tenant: str, vector_store_id: str, file_id: str) -> Object:
    """The parsed text of an indexed file, chunk by chunk (empty until the file is completed)."""
    record = get_file_record(tenant, vector_store_id, file_id)
    loaded = index.load(tenant, vector_store_id, file_id) if file_status(record) == "completed" else None
    chunks = loaded.chunks if loaded is not None else []
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": text} for text in chunks],
        "has_more": False,
        "next_page": None,
    }


def _processing_seconds() -> float:
    settings = get_settings()
    return settings.scaled(settings.vector_store_processing_seconds)

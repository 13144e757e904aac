"""Vector stores themselves: create (attaching the given files), retrieve, modify, list, delete (with their
file records, file batches and index)."""

from __future__ import annotations

from collections.abc import Iterator

from openai_mock import clock
from openai_mock.checks import check_metadata
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources import files
from openai_mock.resources.vector_stores import index, params, tally
from openai_mock.resources.vector_stores.files import attach_files
from openai_mock.resources.vector_stores.records import (
    COLLECTION,
    batches_collection,
    files_collection,
    get_record,
    record_storage,
    store_not_found,
    store_view,
)
from openai_mock.store import get_store
from openai_mock.store.base import Object


def create_vector_store(tenant: str, body: params.CreateVectorStoreRequest) -> Object:
    check_metadata(body.metadata)
    policy = params.expires_after(body.expires_after)
    ids = params.file_ids(body.file_ids or [])
    params.chunking_strategy(body.chunking_strategy)
    for file_id in ids:  # unknown files are a 404 before anything is stored
        files.get_file(tenant, file_id, "file_ids")
    now = clock.now_seconds()
    obj: Object = {
        "id": new_id("vector_store"),
        "object": "vector_store",
        "created_at": now,
        "name": body.name or "",
        "expires_after": policy,
        "last_active_at": now,
        "metadata": body.metadata or {},
        "_tally": tally.empty(),
    }
    if body.description is not None:
        obj["description"] = body.description
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
        raise store_not_found(vector_store_id)
    return store_view(updated)


def list_vector_stores(tenant: str, list_params: ListParams) -> Object:
    page = get_store().list(
        tenant,
        COLLECTION,
        limit=list_params.limit,
        order=list_params.order,
        after=list_params.after,
        before=list_params.before,
    )
    now = clock.now()
    return list_object(page, view=lambda obj: store_view(obj, now))


def delete_vector_store(tenant: str, vector_store_id: str) -> Object:
    store = get_store()
    obj = store.delete(tenant, COLLECTION, vector_store_id)
    if obj is None:
        raise store_not_found(vector_store_id)
    attached = list(_attached(tenant, vector_store_id))
    for record in attached:
        index.remove(tenant, vector_store_id, record["id"])
    record_storage(tenant, attached, -1, clock.now())
    store.delete_collection(tenant, files_collection(vector_store_id))
    store.delete_collection(tenant, batches_collection(vector_store_id))
    return {"id": vector_store_id, "object": "vector_store.deleted", "deleted": True}


def _attached(tenant: str, vector_store_id: str) -> Iterator[Object]:
    after = None
    while True:
        page = get_store().list(tenant, files_collection(vector_store_id), limit=100, order="asc", after=after)
        yield from page.items
        if not page.has_more or not page.items:
            return
        after = page.items[-1]["id"]

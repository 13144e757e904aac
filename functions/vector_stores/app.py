"""Vector stores: stores, the files attached to them, file batches, file content and search."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.resources.vector_stores import file_batches, files, params, records, vector_stores
from openai_mock.resources.vector_stores.search import search_page
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import Pagination
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/vector_stores")

StatusFilter = Annotated[str | None, Query(alias="filter")]


@router.post("", operation_id="createVectorStore")
async def create_vector_store(request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreRequest)
    return JSONObject(vector_stores.create_vector_store(tenant_of(request), body))


@router.get("", operation_id="listVectorStores")
async def list_vector_stores(request: Request, page: Pagination) -> JSONObject:
    return JSONObject(vector_stores.list_vector_stores(tenant_of(request), page))


@router.get("/{vector_store_id}", operation_id="getVectorStore")
async def retrieve_vector_store(vector_store_id: str, request: Request) -> JSONObject:
    return JSONObject(vector_stores.retrieve_vector_store(tenant_of(request), vector_store_id))


@router.post("/{vector_store_id}", operation_id="modifyVectorStore")
async def update_vector_store(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.UpdateVectorStoreRequest)
    return JSONObject(vector_stores.modify_vector_store(tenant_of(request), vector_store_id, body))


@router.delete("/{vector_store_id}", operation_id="deleteVectorStore")
async def delete_vector_store(vector_store_id: str, request: Request) -> JSONObject:
    return JSONObject(vector_stores.delete_vector_store(tenant_of(request), vector_store_id))


@router.post("/{vector_store_id}/search", operation_id="searchVectorStore")
async def search_vector_store(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.VectorStoreSearchRequest)
    return JSONObject(search_page(tenant_of(request), vector_store_id, body))


# --------------------------------------------------------------------------- files


@router.post("/{vector_store_id}/files", operation_id="createVectorStoreFile")
async def create_vector_store_file(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreFileRequest)
    return JSONObject(files.create_file(tenant_of(request), vector_store_id, body))


@router.get("/{vector_store_id}/files", operation_id="listVectorStoreFiles")
async def list_vector_store_files(
    vector_store_id: str, request: Request, page: Pagination, status: StatusFilter = None
) -> JSONObject:
    return JSONObject(files.list_files(tenant_of(request), vector_store_id, page, files.check_status_filter(status)))


@router.get("/{vector_store_id}/files/{file_id}", operation_id="getVectorStoreFile")
async def retrieve_vector_store_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    view, headers = files.retrieve_file(tenant_of(request), vector_store_id, file_id)
    return JSONObject(view, headers=headers)


@router.post("/{vector_store_id}/files/{file_id}", operation_id="updateVectorStoreFileAttributes")
async def update_vector_store_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.UpdateVectorStoreFileAttributesRequest)
    return JSONObject(files.update_file_attributes(tenant_of(request), vector_store_id, file_id, body))


@router.delete("/{vector_store_id}/files/{file_id}", operation_id="deleteVectorStoreFile")
async def delete_vector_store_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(files.delete_file(tenant_of(request), vector_store_id, file_id))


@router.get("/{vector_store_id}/files/{file_id}/content", operation_id="retrieveVectorStoreFileContent")
async def retrieve_vector_store_file_content(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(files.file_content(tenant_of(request), vector_store_id, file_id))


# --------------------------------------------------------------------------- file batches


@router.post("/{vector_store_id}/file_batches", operation_id="createVectorStoreFileBatch")
async def create_vector_store_file_batch(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreFileBatchRequest)
    return JSONObject(file_batches.create_file_batch(tenant_of(request), vector_store_id, body))


@router.get("/{vector_store_id}/file_batches/{batch_id}", operation_id="getVectorStoreFileBatch")
async def retrieve_vector_store_file_batch(vector_store_id: str, batch_id: str, request: Request) -> JSONObject:
    view, headers = file_batches.retrieve_file_batch(tenant_of(request), vector_store_id, batch_id)
    return JSONObject(view, headers=headers)


@router.post("/{vector_store_id}/file_batches/{batch_id}/cancel", operation_id="cancelVectorStoreFileBatch")
async def cancel_vector_store_file_batch(vector_store_id: str, batch_id: str, request: Request) -> JSONObject:
    return JSONObject(file_batches.cancel_file_batch(tenant_of(request), vector_store_id, batch_id))


@router.get("/{vector_store_id}/file_batches/{batch_id}/files", operation_id="listFilesInVectorStoreBatch")
async def list_vector_store_file_batch_files(
    vector_store_id: str, batch_id: str, request: Request, page: Pagination, status: StatusFilter = None
) -> JSONObject:
    tenant = tenant_of(request)
    file_batches.get_batch_record(tenant, vector_store_id, batch_id)
    return JSONObject(
        files.list_files(tenant, vector_store_id, page, files.check_status_filter(status), batch_id=batch_id)
    )


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_STORE = [(records.COLLECTION, "vector_store_id")]
_FILE = [*_STORE, (records.files_collection("{vector_store_id}"), "file_id")]
PATH_OBJECTS = {
    "/v1/vector_stores/{vector_store_id}": _STORE,
    "/v1/vector_stores/{vector_store_id}/{action}": _STORE,  # search, files (create, list), file_batches
    "/v1/vector_stores/{vector_store_id}/files/{file_id}": _FILE,
    "/v1/vector_stores/{vector_store_id}/files/{file_id}/content": _FILE,
}
app = create_app(router, title="openai-mock vector stores", path_objects=PATH_OBJECTS)
handler = make_handler(app)

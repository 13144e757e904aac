"""Vector stores: stores, the files attached to them, file batches, file content and search."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.pagination import Pagination, list_object
from openai_mock.resources.vector_stores import objects, params
from openai_mock.resources.vector_stores.search import search_page
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/vector_stores")

StatusFilter = Annotated[str | None, Query(alias="filter")]


@router.post("", operation_id="createVectorStore")
async def create(request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreRequest)
    return JSONObject(objects.create_vector_store(tenant_of(request), body))


@router.get("", operation_id="listVectorStores")
async def list_vector_stores(request: Request, page: Pagination) -> JSONObject:
    return JSONObject(list_object(objects.list_vector_stores(tenant_of(request), page)))


@router.get("/{vector_store_id}", operation_id="getVectorStore")
async def retrieve(vector_store_id: str, request: Request) -> JSONObject:
    return JSONObject(objects.retrieve_vector_store(tenant_of(request), vector_store_id))


@router.post("/{vector_store_id}", operation_id="modifyVectorStore")
async def update(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.UpdateVectorStoreRequest)
    return JSONObject(objects.modify_vector_store(tenant_of(request), vector_store_id, body))


@router.delete("/{vector_store_id}", operation_id="deleteVectorStore")
async def delete(vector_store_id: str, request: Request) -> JSONObject:
    return JSONObject(objects.delete_vector_store(tenant_of(request), vector_store_id))


@router.post("/{vector_store_id}/search", operation_id="searchVectorStore")
async def search(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.VectorStoreSearchRequest)
    return JSONObject(search_page(tenant_of(request), vector_store_id, body))


# --------------------------------------------------------------------------- files


@router.post("/{vector_store_id}/files", operation_id="createVectorStoreFile")
async def create_file(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreFileRequest)
    return JSONObject(objects.create_file(tenant_of(request), vector_store_id, body))


@router.get("/{vector_store_id}/files", operation_id="listVectorStoreFiles")
async def list_files(vector_store_id: str, request: Request, page: Pagination,
                     status: StatusFilter = None) -> JSONObject:
    found = objects.list_files(tenant_of(request), vector_store_id, page, objects.check_status_filter(status))
    return JSONObject(list_object(found))


@router.get("/{vector_store_id}/files/{file_id}", operation_id="getVectorStoreFile")
async def retrieve_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    view, headers = objects.retrieve_file(tenant_of(request), vector_store_id, file_id)
    return JSONObject(view, headers=headers)


@router.post("/{vector_store_id}/files/{file_id}", operation_id="updateVectorStoreFileAttributes")
async def update_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.UpdateVectorStoreFileAttributesRequest)
    return JSONObject(objects.update_file_attributes(tenant_of(request), vector_store_id, file_id, body))


@router.delete("/{vector_store_id}/files/{file_id}", operation_id="deleteVectorStoreFile")
async def delete_file(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(objects.delete_file(tenant_of(request), vector_store_id, file_id))


@router.get("/{vector_store_id}/files/{file_id}/content", operation_id="retrieveVectorStoreFileContent")
async def file_content(vector_store_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(objects.file_content(tenant_of(request), vector_store_id, file_id))


# --------------------------------------------------------------------------- file batches


@router.post("/{vector_store_id}/file_batches", operation_id="createVectorStoreFileBatch")
async def create_file_batch(vector_store_id: str, request: Request) -> JSONObject:
    body = await json_body(request, params.CreateVectorStoreFileBatchRequest)
    return JSONObject(objects.create_file_batch(tenant_of(request), vector_store_id, body))


@router.get("/{vector_store_id}/file_batches/{batch_id}", operation_id="getVectorStoreFileBatch")
async def retrieve_file_batch(vector_store_id: str, batch_id: str, request: Request) -> JSONObject:
    view, headers = objects.retrieve_file_batch(tenant_of(request), vector_store_id, batch_id)
    return JSONObject(view, headers=headers)


@router.post("/{vector_store_id}/file_batches/{batch_id}/cancel", operation_id="cancelVectorStoreFileBatch")
async def cancel_file_batch(vector_store_id: str, batch_id: str, request: Request) -> JSONObject:
    return JSONObject(objects.cancel_file_batch(tenant_of(request), vector_store_id, batch_id))


@router.get("/{vector_store_id}/file_batches/{batch_id}/files", operation_id="listFilesInVectorStoreBatch")
async def list_files_in_batch(vector_store_id: str, batch_id: str, request: Request, page: Pagination,
                              status: StatusFilter = None) -> JSONObject:
    tenant = tenant_of(request)
    objects.get_batch_record(tenant, vector_store_id, batch_id)
    found = objects.list_files(tenant, vector_store_id, page, objects.check_status_filter(status), batch_id=batch_id)
    return JSONObject(list_object(found))


app = create_app(router, title="openai-mock vector stores")
handler = make_handler(app)

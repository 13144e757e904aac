"""Containers: create, list, retrieve and delete containers; add (upload or copy), list, retrieve, delete and
download the files in them."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from openai_mock.pagination import ListParams
from openai_mock.resources import containers
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.multipart import is_multipart, read_form
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/containers")
ContainerPagination = Annotated[ListParams, list_query(before=False)]


@router.get("", operation_id="ListContainers")
async def list_containers(
    request: Request, params: ContainerPagination, name: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(containers.list_containers(tenant_of(request), params, name))


@router.post("", operation_id="CreateContainer")
async def create_container(request: Request) -> JSONObject:
    body = await json_body(request, containers.CreateContainerRequest)
    return JSONObject(containers.create(tenant_of(request), body))


@router.get("/{container_id}", operation_id="RetrieveContainer")
async def retrieve_container(container_id: str, request: Request) -> JSONObject:
    return JSONObject(containers.retrieve(tenant_of(request), container_id))


@router.delete("/{container_id}", operation_id="DeleteContainer")
async def delete_container(container_id: str, request: Request) -> JSONObject:
    return JSONObject(containers.delete(tenant_of(request), container_id))


@router.post("/{container_id}/files", operation_id="CreateContainerFile")
async def create_container_file(container_id: str, request: Request) -> JSONObject:
    # Multipart with the raw `file`, or JSON with a stored `file_id` (the SDK picks by what it is given).
    if is_multipart(request):
        form = await read_form(request)
        uploads = form.files_named("file")
        upload = uploads[0] if uploads else None
        file_id = form.fields.get("file_id")
    else:
        body = await json_body(request, containers.CreateContainerFileRequest)
        upload, file_id = None, body.file_id
    return JSONObject(containers.create_file(tenant_of(request), container_id, upload=upload, file_id=file_id))


@router.get("/{container_id}/files", operation_id="ListContainerFiles")
async def list_container_files(container_id: str, request: Request, params: ContainerPagination) -> JSONObject:
    return JSONObject(containers.list_files(tenant_of(request), container_id, params))


@router.get("/{container_id}/files/{file_id}", operation_id="RetrieveContainerFile")
async def retrieve_container_file(container_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(containers.retrieve_file(tenant_of(request), container_id, file_id))


@router.delete("/{container_id}/files/{file_id}", operation_id="DeleteContainerFile")
async def delete_container_file(container_id: str, file_id: str, request: Request) -> JSONObject:
    return JSONObject(containers.delete_file(tenant_of(request), container_id, file_id))


@router.get("/{container_id}/files/{file_id}/content", operation_id="RetrieveContainerFileContent")
async def retrieve_container_file_content(container_id: str, file_id: str, request: Request) -> Response:
    filename, data = containers.file_content(tenant_of(request), container_id, file_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_CONTAINER = [(containers.COLLECTION, "container_id")]
_FILE = [*_CONTAINER, (containers.files_collection("{container_id}"), "file_id")]
PATH_OBJECTS = {
    "/v1/containers/{container_id}": _CONTAINER,
    "/v1/containers/{container_id}/files": _CONTAINER,
    "/v1/containers/{container_id}/files/{file_id}": _FILE,
    "/v1/containers/{container_id}/files/{file_id}/content": _FILE,
}
app = create_app(router, title="openai-mock containers", path_objects=PATH_OBJECTS)
handler = make_handler(app)

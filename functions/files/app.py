"""Files: upload (multipart), list, retrieve, delete, and download the exact bytes."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from openai_mock import clock
from openai_mock.pagination import ListParams
from openai_mock.resources import files
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query

router = APIRouter(prefix="/v1/files")

MAX_LIST_LIMIT = 10_000  # this list's range in the spec (its default too)
FilePagination = Annotated[ListParams, list_query(default_limit=MAX_LIST_LIMIT, maximum=MAX_LIST_LIMIT, before=False)]


@router.post("", operation_id="createFile")
async def create_file(
    request: Request,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[str, Form()],
    # The SDK sends the `expires_after` object as bracketed form fields.
    anchor: Annotated[str | None, Form(alias="expires_after[anchor]")] = None,
    seconds: Annotated[str | None, Form(alias="expires_after[seconds]")] = None,
) -> JSONObject:
    files.check_purpose(purpose)
    expires_after = None if anchor is None and seconds is None else {"anchor": anchor, "seconds": seconds}
    expires_at = files.expiry_from(expires_after, clock.now_seconds())
    data = await file.read()
    created = files.create_file(tenant_of(request), file.filename or "upload", purpose, data, expires_at=expires_at)
    return JSONObject(created)


@router.get("", operation_id="listFiles")
async def list_files(
    request: Request,
    params: FilePagination,
    purpose: Annotated[str | None, Query()] = None,
) -> JSONObject:
    return JSONObject(files.list_files(tenant_of(request), params, purpose=purpose or None))


@router.get("/{file_id}", operation_id="retrieveFile")
async def retrieve_file(file_id: str, request: Request) -> JSONObject:
    return JSONObject(files.get_file(tenant_of(request), file_id))


@router.delete("/{file_id}", operation_id="deleteFile")
async def delete_file(file_id: str, request: Request) -> JSONObject:
    return JSONObject(files.delete_file(tenant_of(request), file_id))


@router.get("/{file_id}/content", operation_id="downloadFile")
async def file_content(file_id: str, request: Request) -> Response:
    tenant = tenant_of(request)
    file = files.get_file(tenant, file_id)
    data, filename = files.file_bytes(tenant, file), quote(file["filename"])
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_FILE = [(files.COLLECTION, "file_id")]
PATH_OBJECTS = {"/v1/files/{file_id}": _FILE, "/v1/files/{file_id}/content": _FILE}
app = create_app(router, title="openai-mock files", path_objects=PATH_OBJECTS)
handler = make_handler(app)

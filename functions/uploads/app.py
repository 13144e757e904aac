"""Uploads: create a pending Upload, add Parts (multipart), complete into a File, cancel."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Request, UploadFile
from pydantic import BaseModel, ConfigDict, StrictInt

from openai_mock.resources import uploads
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/uploads")


class ExpiresAfter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    anchor: Literal["created_at"]
    seconds: StrictInt


class CreateUploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str
    purpose: str
    bytes: StrictInt
    mime_type: str
    expires_after: ExpiresAfter | None = None


class CompleteUploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    part_ids: list[str]
    md5: str | None = None


@router.post("", operation_id="createUpload")
async def create_upload(request: Request) -> JSONObject:
    body = await json_body(request, CreateUploadRequest)
    expires_after = body.expires_after.model_dump() if body.expires_after else None
    upload = uploads.create_upload(
        tenant_of(request),
        filename=body.filename,
        purpose=body.purpose,
        size=body.bytes,
        mime_type=body.mime_type,
        expires_after=expires_after,
    )
    return JSONObject(upload)


@router.post("/{upload_id}/parts", operation_id="addUploadPart")
async def create_upload_part(upload_id: str, request: Request, data: Annotated[UploadFile, File()]) -> JSONObject:
    return JSONObject(uploads.add_part(tenant_of(request), upload_id, await data.read()))


@router.post("/{upload_id}/complete", operation_id="completeUpload")
async def complete_upload(upload_id: str, request: Request) -> JSONObject:
    body = await json_body(request, CompleteUploadRequest)
    return JSONObject(uploads.complete_upload(tenant_of(request), upload_id, body.part_ids, body.md5))


@router.post("/{upload_id}/cancel", operation_id="cancelUpload")
async def cancel_upload(upload_id: str, request: Request) -> JSONObject:
    return JSONObject(uploads.cancel_upload(tenant_of(request), upload_id))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
PATH_OBJECTS = {"/v1/uploads/{upload_id}/{action}": [(uploads.COLLECTION, "upload_id")]}  # parts, complete, cancel
app = create_app(router, title="openai-mock uploads", path_objects=PATH_OBJECTS)
handler = make_handler(app)

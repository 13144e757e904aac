"""Batches: create from a JSONL file of requests, list, retrieve, cancel. Reads run the work time has made
due (executing the lines, writing the output files), so they are plain `def` routes: FastAPI runs them in
its thread pool instead of blocking the event loop while a batch executes."""

from typing import Annotated

from fastapi import APIRouter, Request

from openai_mock.pagination import ListParams
from openai_mock.resources import batches, files
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body
from openai_mock.web.request_reads import ids_in_body

router = APIRouter(prefix="/v1/batches")
NewestFirst = Annotated[ListParams, list_query(ordered=False, before=False)]


@router.post("", operation_id="createBatch")
async def create_batch(request: Request) -> JSONObject:
    body = await json_body(request, batches.CreateBatchRequest)
    return JSONObject(batches.create_batch(tenant_of(request), body, request.headers, principal_of(request)))


@router.get("", operation_id="listBatches")
def list_batches(request: Request, params: NewestFirst) -> JSONObject:
    return JSONObject(batches.list_batches(tenant_of(request), params))


@router.get("/{batch_id}", operation_id="retrieveBatch")
def retrieve_batch(batch_id: str, request: Request) -> JSONObject:
    return JSONObject(batches.retrieve_batch(tenant_of(request), batch_id))


@router.post("/{batch_id}/cancel", operation_id="cancelBatch")
def cancel_batch(batch_id: str, request: Request) -> JSONObject:
    return JSONObject(batches.cancel_batch(tenant_of(request), batch_id))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_BATCH = [(batches.COLLECTION, "batch_id")]
PATH_OBJECTS = {"/v1/batches/{batch_id}": _BATCH, "/v1/batches/{batch_id}/cancel": _BATCH}
BODY_OBJECTS = {"/v1/batches": ids_in_body({"input_file_id": files.COLLECTION})}
app = create_app(router, title="openai-mock batches", path_objects=PATH_OBJECTS, body_objects=BODY_OBJECTS)
handler = make_handler(app)

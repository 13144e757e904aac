"""Evals: create, list, retrieve, update and delete evals; create, list, retrieve, cancel and delete their runs;
list and retrieve a run's output items. Past the API's shut-down (the `as_of` setting) every route is gone."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from openai_mock.as_of import EVALS_SHUTDOWN
from openai_mock.pagination import ListParams
from openai_mock.resources import evals
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body
from openai_mock.web.shutdowns import served_until

router = APIRouter(prefix="/v1/evals", dependencies=[Depends(served_until(EVALS_SHUTDOWN))])
OldestFirst = Annotated[ListParams, list_query(default_order="asc", before=False)]


@router.post("", operation_id="createEval", status_code=201)
async def create_eval(request: Request) -> JSONObject:
    body = await json_body(request, evals.CreateEvalRequest)
    return JSONObject(evals.create_eval(tenant_of(request), body), status_code=201)


@router.get("", operation_id="listEvals")
async def list_evals(
    request: Request, params: OldestFirst, order_by: Annotated[str, Query()] = "created_at"
) -> JSONObject:
    return JSONObject(evals.list_evals(tenant_of(request), params, order_by))


@router.get("/{eval_id}", operation_id="getEval")
async def retrieve_eval(eval_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.retrieve_eval(tenant_of(request), eval_id))


@router.post("/{eval_id}", operation_id="updateEval")
async def update_eval(eval_id: str, request: Request) -> JSONObject:
    body = await json_body(request, evals.UpdateEvalRequest)
    return JSONObject(evals.update_eval(tenant_of(request), eval_id, body))


@router.delete("/{eval_id}", operation_id="deleteEval")
async def delete_eval(eval_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.delete_eval(tenant_of(request), eval_id))


@router.post("/{eval_id}/runs", operation_id="createEvalRun", status_code=201)
async def create_eval_run(eval_id: str, request: Request) -> JSONObject:
    body = await json_body(request, evals.CreateRunRequest)
    return JSONObject(evals.create_run(tenant_of(request), eval_id, body), status_code=201)


@router.get("/{eval_id}/runs", operation_id="getEvalRuns")
async def list_eval_runs(
    eval_id: str, request: Request, params: OldestFirst, status: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(evals.list_runs(tenant_of(request), eval_id, params, status))


@router.get("/{eval_id}/runs/{run_id}", operation_id="getEvalRun")
async def retrieve_eval_run(eval_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.retrieve_run(tenant_of(request), eval_id, run_id))


@router.post("/{eval_id}/runs/{run_id}", operation_id="cancelEvalRun")
async def cancel_eval_run(eval_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.cancel_run(tenant_of(request), eval_id, run_id))


# The official SDK (`client.evals.runs.cancel`) posts to `…/cancel`, a path the spec writes without it.
@router.post("/{eval_id}/runs/{run_id}/cancel", operation_id="cancelEvalRunSdkPath")
async def cancel_eval_run_sdk_path(eval_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.cancel_run(tenant_of(request), eval_id, run_id))


@router.delete("/{eval_id}/runs/{run_id}", operation_id="deleteEvalRun")
async def delete_eval_run(eval_id: str, run_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.delete_run(tenant_of(request), eval_id, run_id))


@router.get("/{eval_id}/runs/{run_id}/output_items", operation_id="getEvalRunOutputItems")
async def list_eval_run_output_items(
    eval_id: str,
    run_id: str,
    request: Request,
    params: OldestFirst,
    status: Annotated[str | None, Query()] = None,
) -> JSONObject:
    return JSONObject(evals.list_output_items(tenant_of(request), eval_id, run_id, params, status))


@router.get("/{eval_id}/runs/{run_id}/output_items/{output_item_id}", operation_id="getEvalRunOutputItem")
async def retrieve_eval_run_output_item(eval_id: str, run_id: str, output_item_id: str, request: Request) -> JSONObject:
    return JSONObject(evals.retrieve_output_item(tenant_of(request), eval_id, run_id, output_item_id))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_RUN = [(evals.COLLECTION, "eval_id"), (evals.RUNS + "/{eval_id}", "run_id")]
PATH_OBJECTS = {
    "/v1/evals/{eval_id}": [(evals.COLLECTION, "eval_id")],
    "/v1/evals/{eval_id}/runs": [(evals.COLLECTION, "eval_id")],
    "/v1/evals/{eval_id}/runs/{run_id}": _RUN,
    "/v1/evals/{eval_id}/runs/{run_id}/cancel": _RUN,
    "/v1/evals/{eval_id}/runs/{run_id}/output_items": _RUN,
    "/v1/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}": _RUN,
}
app = create_app(router, title="openai-mock evals", path_objects=PATH_OBJECTS)
handler = make_handler(app)

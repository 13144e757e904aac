"""Fine-tuning: create, list, retrieve and cancel jobs; a job's events and checkpoints."""

from typing import Annotated

from fastapi import APIRouter, Request

from openai_mock.pagination import ListParams
from openai_mock.resources import fine_tuning
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import MetadataFilter, list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/fine_tuning/jobs")
NewestFirst = Annotated[ListParams, list_query(ordered=False, before=False)]


@router.post("", operation_id="createFineTuningJob")
async def create_fine_tuning_job(request: Request) -> JSONObject:
    body = await json_body(request, fine_tuning.CreateFineTuningJobRequest)
    principal = principal_of(request)
    return JSONObject(fine_tuning.create_job(principal.tenant, principal.organization_id, body, request.headers))


@router.get("", operation_id="listPaginatedFineTuningJobs")
async def list_fine_tuning_jobs(
    request: Request,
    metadata: MetadataFilter,
    params: NewestFirst,
) -> JSONObject:
    # `metadata=null` asks for jobs without any metadata.
    return JSONObject(
        fine_tuning.list_jobs(
            tenant_of(request), params, metadata=metadata, no_metadata=request.query_params.get("metadata") == "null"
        )
    )


@router.get("/{fine_tuning_job_id}", operation_id="retrieveFineTuningJob")
async def retrieve_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.retrieve_job(tenant_of(request), fine_tuning_job_id))


@router.post("/{fine_tuning_job_id}/cancel", operation_id="cancelFineTuningJob")
async def cancel_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.cancel_job(tenant_of(request), fine_tuning_job_id))


@router.get("/{fine_tuning_job_id}/events", operation_id="listFineTuningEvents")
async def list_fine_tuning_events(
    fine_tuning_job_id: str,
    request: Request,
    params: NewestFirst,
) -> JSONObject:
    return JSONObject(fine_tuning.list_events(tenant_of(request), fine_tuning_job_id, params))


@router.get("/{fine_tuning_job_id}/checkpoints", operation_id="listFineTuningJobCheckpoints")
async def list_fine_tuning_checkpoints(
    fine_tuning_job_id: str,
    request: Request,
    params: Annotated[ListParams, list_query(default_limit=10, ordered=False, before=False)],
) -> JSONObject:
    return JSONObject(fine_tuning.list_checkpoints(tenant_of(request), fine_tuning_job_id, params))


app = create_app(router, title="openai-mock fine-tuning")
handler = make_handler(app)

"""Fine-tuning: create, list, retrieve, cancel, pause and resume jobs; a job's events and checkpoints; checkpoint
permissions (admin key); graders run and validated (alpha)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from openai_mock.pagination import ListParams
from openai_mock.resources import files, fine_tuning, graders
from openai_mock.resources.organization.core import organization
from openai_mock.rng import request_seed
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal, principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import MetadataFilter, list_query
from openai_mock.web.request_body import json_body
from openai_mock.web.request_reads import ids_in_body

router = APIRouter(prefix="/v1/fine_tuning")
NewestFirst = Annotated[ListParams, list_query(ordered=False, before=False)]


@router.post("/jobs", operation_id="createFineTuningJob")
async def create_fine_tuning_job(request: Request) -> JSONObject:
    body = await json_body(request, fine_tuning.CreateFineTuningJobRequest)
    principal = principal_of(request)
    return JSONObject(fine_tuning.create_job(principal.tenant, principal.organization_id, body, request.headers))


@router.get("/jobs", operation_id="listPaginatedFineTuningJobs")
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


@router.get("/jobs/{fine_tuning_job_id}", operation_id="retrieveFineTuningJob")
async def retrieve_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.retrieve_job(tenant_of(request), fine_tuning_job_id))


@router.post("/jobs/{fine_tuning_job_id}/cancel", operation_id="cancelFineTuningJob")
async def cancel_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.cancel_job(tenant_of(request), fine_tuning_job_id))


@router.get("/jobs/{fine_tuning_job_id}/events", operation_id="listFineTuningEvents")
async def list_fine_tuning_events(
    fine_tuning_job_id: str,
    request: Request,
    params: NewestFirst,
) -> JSONObject:
    return JSONObject(fine_tuning.list_events(tenant_of(request), fine_tuning_job_id, params))


@router.get("/jobs/{fine_tuning_job_id}/checkpoints", operation_id="listFineTuningJobCheckpoints")
async def list_fine_tuning_checkpoints(
    fine_tuning_job_id: str,
    request: Request,
    params: Annotated[ListParams, list_query(default_limit=10, ordered=False, before=False)],
) -> JSONObject:
    return JSONObject(fine_tuning.list_checkpoints(tenant_of(request), fine_tuning_job_id, params))


@router.post("/jobs/{fine_tuning_job_id}/pause", operation_id="pauseFineTuningJob")
async def pause_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.pause_job(tenant_of(request), fine_tuning_job_id))


@router.post("/jobs/{fine_tuning_job_id}/resume", operation_id="resumeFineTuningJob")
async def resume_fine_tuning_job(fine_tuning_job_id: str, request: Request) -> JSONObject:
    return JSONObject(fine_tuning.resume_job(tenant_of(request), fine_tuning_job_id))


@router.post(
    "/checkpoints/{fine_tuned_model_checkpoint}/permissions", operation_id="createFineTuningCheckpointPermission"
)
async def create_checkpoint_permission(
    fine_tuned_model_checkpoint: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await json_body(request, fine_tuning.CreatePermissionRequest)
    return JSONObject(fine_tuning.create_permissions(organization(principal), fine_tuned_model_checkpoint, body))


@router.get(
    "/checkpoints/{fine_tuned_model_checkpoint}/permissions", operation_id="listFineTuningCheckpointPermissions"
)
async def list_checkpoint_permissions(
    fine_tuned_model_checkpoint: str,
    principal: AdminPrincipal,
    project_id: Annotated[str | None, Query()] = None,
    after: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query()] = 10,
    order: Annotated[str, Query()] = "descending",
) -> JSONObject:
    return JSONObject(
        fine_tuning.list_permissions(
            organization(principal),
            fine_tuned_model_checkpoint,
            project_id=project_id,
            after=after,
            limit=limit,
            order=order,
        )
    )


@router.delete(
    "/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}",
    operation_id="deleteFineTuningCheckpointPermission",
)
async def delete_checkpoint_permission(
    fine_tuned_model_checkpoint: str, permission_id: str, principal: AdminPrincipal
) -> JSONObject:
    return JSONObject(
        fine_tuning.delete_permission(organization(principal), fine_tuned_model_checkpoint, permission_id)
    )


@router.post("/alpha/graders/run", operation_id="runGrader")
async def run_grader(request: Request) -> JSONObject:
    body = await json_body(request, graders.RunGraderRequest)
    return JSONObject(graders.run_grader(tenant_of(request), body, request_seed(request.headers)))


@router.post("/alpha/graders/validate", operation_id="validateGrader")
async def validate_grader(request: Request) -> JSONObject:
    body = await json_body(request, graders.ValidateGraderRequest)
    return JSONObject(graders.validate_grader(tenant_of(request), body))


# The objects these paths name, read with the request's first reads on AWS (web/request_reads.NamedObjects).
_JOB = [(fine_tuning.COLLECTION, "fine_tuning_job_id")]
PATH_OBJECTS = {
    "/v1/fine_tuning/jobs/{fine_tuning_job_id}": _JOB,
    "/v1/fine_tuning/jobs/{fine_tuning_job_id}/{action}": _JOB,  # cancel, events, checkpoints, pause, resume
}
BODY_OBJECTS = {
    "/v1/fine_tuning/jobs": ids_in_body({"training_file": files.COLLECTION, "validation_file": files.COLLECTION})
}
app = create_app(router, title="openai-mock fine-tuning", path_objects=PATH_OBJECTS, body_objects=BODY_OBJECTS)
handler = make_handler(app)

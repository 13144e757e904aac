"""Audit logs: every mutating Administration API call, newest first, filtered and paged."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from openai_mock.resources.organization import audit_logs, caller_objects, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import AdminPagination, optional_int, query_array

router = APIRouter(prefix="/v1/organization/audit_logs")


async def audit_filter(
    request: Request,
    project_ids: Annotated[list[str], Depends(query_array("project_ids"))],
    event_types: Annotated[list[str], Depends(query_array("event_types"))],
    actor_ids: Annotated[list[str], Depends(query_array("actor_ids"))],
    actor_emails: Annotated[list[str], Depends(query_array("actor_emails"))],
    resource_ids: Annotated[list[str], Depends(query_array("resource_ids"))],
) -> audit_logs.AuditFilter:
    bounds = {op: optional_int(request, f"effective_at[{op}]") for op in ("gt", "gte", "lt", "lte")}
    return audit_logs.AuditFilter(
        **bounds,
        project_ids=project_ids,
        event_types=event_types,
        actor_ids=actor_ids,
        actor_emails=actor_emails,
        resource_ids=resource_ids,
    )


@router.get("", operation_id="list-audit-logs")
async def list_audit_logs(
    principal: AdminPrincipal, params: AdminPagination, where: Annotated[audit_logs.AuditFilter, Depends(audit_filter)]
) -> JSONObject:
    return JSONObject(audit_logs.list_audit_logs(organization(principal), params, where))


app = create_app(router, title="openai-mock audit logs", caller_objects=caller_objects)
handler = make_handler(app)

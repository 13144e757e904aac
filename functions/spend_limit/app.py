"""Hard spend limits of the organization and of its projects (retrieve, create or replace, delete): past
one, the scope's model requests answer 429 `insufficient_quota` until the month ends or the limit is lifted."""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.resources.organization import caller_objects, organization, spend
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization")


class SpendLimitParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold_amount: int
    currency: str
    interval: str
    notification_channel: dict[str, Any] | None = None  # sent by the SDK; notifications are not modelled


@router.get("/spend_limit", operation_id="Getorganizationspendlimit")
async def retrieve_spend_limit(principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.retrieve_spend_limit(organization(principal)))


@router.post("/spend_limit", operation_id="Updateorganizationspendlimit")
async def update_spend_limit(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, SpendLimitParams)
    org = organization(principal)
    return JSONObject(spend.update_spend_limit(org, principal, body.threshold_amount, body.currency, body.interval))


@router.delete("/spend_limit", operation_id="Deleteorganizationspendlimit")
async def delete_spend_limit(principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.delete_spend_limit(organization(principal), principal))


@router.get("/projects/{project_id}/spend_limit", operation_id="Getprojectspendlimit")
async def retrieve_project_spend_limit(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.retrieve_spend_limit(organization(principal), project_id))


@router.post("/projects/{project_id}/spend_limit", operation_id="Updateprojectspendlimit")
async def update_project_spend_limit(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, SpendLimitParams)
    org = organization(principal)
    return JSONObject(
        spend.update_spend_limit(org, principal, body.threshold_amount, body.currency, body.interval, project_id)
    )


@router.delete("/projects/{project_id}/spend_limit", operation_id="Deleteprojectspendlimit")
async def delete_project_spend_limit(project_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.delete_spend_limit(organization(principal), principal, project_id))


app = create_app(router, title="openai-mock spend limits", caller_objects=caller_objects)
handler = make_handler(app)

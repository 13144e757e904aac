"""Spend alerts of the organization and of its projects: a notification when the month's spend crosses a
threshold (create, list, retrieve, update, delete)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, organization, spend
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization")
AlertPagination = Annotated[ListParams, list_query(default_order="asc")]


class NotificationChannel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["email"]
    recipients: list[str]
    subject_prefix: str | None = None


class SpendAlertParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold_amount: int
    currency: str
    interval: str
    notification_channel: NotificationChannel


async def _alert_body(request: Request) -> dict[str, object]:
    return (await json_body(request, SpendAlertParams)).model_dump(exclude_unset=True)


# --- organization ---------------------------------------------------------------------------------


@router.get("/spend_alerts", operation_id="list-organization-spend-alerts")
async def list_spend_alerts(principal: AdminPrincipal, params: AlertPagination) -> JSONObject:
    return JSONObject(spend.list_spend_alerts(organization(principal), params))


@router.post("/spend_alerts", operation_id="create-organization-spend-alert")
async def create_spend_alert(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await _alert_body(request)
    return JSONObject(spend.create_spend_alert(organization(principal), principal, body))


@router.get("/spend_alerts/{alert_id}", operation_id="retrieve-organization-spend-alert")
async def retrieve_spend_alert(alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.retrieve_spend_alert(organization(principal), alert_id))


@router.post("/spend_alerts/{alert_id}", operation_id="update-organization-spend-alert")
async def update_spend_alert(alert_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await _alert_body(request)
    return JSONObject(spend.update_spend_alert(organization(principal), principal, alert_id, body))


@router.delete("/spend_alerts/{alert_id}", operation_id="delete-organization-spend-alert")
async def delete_spend_alert(alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.delete_spend_alert(organization(principal), principal, alert_id))


# --- projects -------------------------------------------------------------------------------------


@router.get("/projects/{project_id}/spend_alerts", operation_id="list-project-spend-alerts")
async def list_project_spend_alerts(project_id: str, principal: AdminPrincipal, params: AlertPagination) -> JSONObject:
    return JSONObject(spend.list_spend_alerts(organization(principal), params, project_id))


@router.post("/projects/{project_id}/spend_alerts", operation_id="create-project-spend-alert")
async def create_project_spend_alert(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await _alert_body(request)
    return JSONObject(spend.create_spend_alert(organization(principal), principal, body, project_id))


@router.get("/projects/{project_id}/spend_alerts/{alert_id}", operation_id="retrieve-project-spend-alert")
async def retrieve_project_spend_alert(project_id: str, alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.retrieve_spend_alert(organization(principal), alert_id, project_id))


@router.post("/projects/{project_id}/spend_alerts/{alert_id}", operation_id="update-project-spend-alert")
async def update_project_spend_alert(
    project_id: str, alert_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    body = await _alert_body(request)
    return JSONObject(spend.update_spend_alert(organization(principal), principal, alert_id, body, project_id))


@router.delete("/projects/{project_id}/spend_alerts/{alert_id}", operation_id="delete-project-spend-alert")
async def delete_project_spend_alert(project_id: str, alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(spend.delete_spend_alert(organization(principal), principal, alert_id, project_id))


app = create_app(router, title="openai-mock spend alerts", caller_objects=caller_objects)
handler = make_handler(app)

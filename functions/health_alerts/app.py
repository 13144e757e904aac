"""Health alerts (operations the API gained after the 2026-08-21 spec, as the official SDK calls them): alert rules
of the organization and of its projects on their API traffic (error rate, prompt cache hit rate, rate-limit
utilization, service tier fallback rate), and the alerts they raise, which reach the organization's webhook
endpoints as `health.alert.triggered` / `health.alert.resolved` events (docs/health-alerts.md)."""

from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Query, Request

from openai_mock.resources.organization import caller_objects, organization
from openai_mock.resources.organization import health_alerts as health
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization")
ORG_RULES = "/health/alert_rules"
PROJECT_RULES = "/projects/{project_id}/health/alert_rules"


class ListQuery(NamedTuple):
    limit: int
    page: str | None
    enabled: bool | None
    type: str | None


async def _list_query(
    limit: Annotated[int, Query()] = 20,
    page: Annotated[str | None, Query()] = None,
    enabled: Annotated[bool | None, Query()] = None,
    type: Annotated[str | None, Query()] = None,
) -> ListQuery:
    return ListQuery(limit, page, enabled, type)


RuleList = Annotated[ListQuery, Depends(_list_query)]
ExpectedVersion = Annotated[int, Query()]


def _listed(principal: AdminPrincipal, query: ListQuery, project_id: str | None = None) -> JSONObject:
    return JSONObject(
        health.list_rules(
            organization(principal),
            limit=query.limit,
            page=query.page,
            enabled=query.enabled,
            condition_type=query.type,
            project_id=project_id,
        )
    )


# --- the organization's rules and alerts --------------------------------------------------------------------------


@router.post(ORG_RULES, operation_id="create-health-alert-rule")
async def create_alert_rule(request: Request, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(health.create_rule(organization(principal), await json_body(request, health.RuleCreateParams)))


@router.get(ORG_RULES, operation_id="list-health-alert-rules")
async def list_alert_rules(principal: AdminPrincipal, query: RuleList) -> JSONObject:
    return _listed(principal, query)


@router.get(ORG_RULES + "/{alert_rule_id}", operation_id="retrieve-health-alert-rule")
async def retrieve_alert_rule(alert_rule_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(health.retrieve_rule(organization(principal), alert_rule_id))


@router.post(ORG_RULES + "/{alert_rule_id}", operation_id="update-health-alert-rule")
async def update_alert_rule(alert_rule_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    changes = await json_body(request, health.RuleUpdateParams)
    return JSONObject(health.update_rule(organization(principal), alert_rule_id, changes))


@router.delete(ORG_RULES + "/{alert_rule_id}", operation_id="delete-health-alert-rule")
async def delete_alert_rule(
    alert_rule_id: str, principal: AdminPrincipal, expected_version: ExpectedVersion
) -> JSONObject:
    return JSONObject(health.delete_rule(organization(principal), alert_rule_id, expected_version))


@router.get("/health/alerts/{alert_id}", operation_id="retrieve-health-alert")
async def retrieve_alert(alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(health.retrieve_alert(organization(principal), alert_id))


# --- a project's rules and alerts ---------------------------------------------------------------------------------


@router.post(PROJECT_RULES, operation_id="create-project-health-alert-rule")
async def create_project_alert_rule(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, health.RuleCreateParams)
    return JSONObject(health.create_rule(organization(principal), body, project_id))


@router.get(PROJECT_RULES, operation_id="list-project-health-alert-rules")
async def list_project_alert_rules(project_id: str, principal: AdminPrincipal, query: RuleList) -> JSONObject:
    return _listed(principal, query, project_id)


@router.get(PROJECT_RULES + "/{alert_rule_id}", operation_id="retrieve-project-health-alert-rule")
async def retrieve_project_alert_rule(project_id: str, alert_rule_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(health.retrieve_rule(organization(principal), alert_rule_id, project_id))


@router.post(PROJECT_RULES + "/{alert_rule_id}", operation_id="update-project-health-alert-rule")
async def update_project_alert_rule(
    project_id: str, alert_rule_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    changes = await json_body(request, health.RuleUpdateParams)
    return JSONObject(health.update_rule(organization(principal), alert_rule_id, changes, project_id))


@router.delete(PROJECT_RULES + "/{alert_rule_id}", operation_id="delete-project-health-alert-rule")
async def delete_project_alert_rule(
    project_id: str, alert_rule_id: str, principal: AdminPrincipal, expected_version: ExpectedVersion
) -> JSONObject:
    org = organization(principal)
    return JSONObject(health.delete_rule(org, alert_rule_id, expected_version, project_id))


@router.get("/projects/{project_id}/health/alerts/{alert_id}", operation_id="retrieve-project-health-alert")
async def retrieve_project_alert(project_id: str, alert_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(health.retrieve_alert(organization(principal), alert_id, project_id))


app = create_app(router, title="openai-mock health alerts", caller_objects=caller_objects)
handler = make_handler(app)

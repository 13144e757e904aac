"""Workload identity federation (operations the API gained after the 2026-08-21 spec, as the official SDK calls
them): identity providers and their federation rules, and the token exchange a workload calls with no key
(`POST /oauth/token`) to trade its platform's identity token for a service account's access token."""

from contextvars import copy_context
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, JsonValue, StrictBool, StrictFloat, StrictInt, StrictStr
from starlette.concurrency import run_in_threadpool

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import organization
from openai_mock.resources.organization import workload_identity as wif
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/workload_identity_providers")
token_router = APIRouter()
Pagination = Annotated[ListParams, list_query(default_order="desc", before=False)]
TOKEN_PATH = "/oauth/token"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Transformation(_Body):
    attribute: str
    expression: str


class Discovery(_Body):
    type: Literal["discovery"]
    discovery_url: str | None


class UploadedJwks(_Body):
    type: Literal["uploaded_jwks"]
    jwks: dict[str, JsonValue]


class ProviderParams(_Body):
    # Read with `exclude_unset`: an update changes what it sends.
    name: str = ""
    type: Literal["oidc"] = "oidc"
    issuer: str = ""
    audience: str = ""
    description: str | None = None
    enabled: bool = True
    attribute_transformations: list[Transformation] = []
    verification: Discovery | UploadedJwks | None = None


class ProviderCreateParams(ProviderParams):
    name: str
    type: Literal["oidc"]
    issuer: str
    audience: str


class Permissions(_Body):
    type: Literal["service_account_default", "restricted"]
    scopes: list[str] | None = None


Matcher = StrictStr | StrictBool | StrictInt | StrictFloat


class RuleParams(_Body):
    name: str | None = None
    description: str | None = None
    enabled: bool = True
    attribute_matchers: dict[str, Matcher] = {}
    permissions: Permissions | None = None


class RuleCreateParams(RuleParams):
    project_id: str
    service_account_id: str
    attribute_matchers: dict[str, Matcher]


def _sent(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


# --- providers ------------------------------------------------------------------------------------


@router.post("", operation_id="create-workload-identity-provider")
async def create_provider(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = _sent(await json_body(request, ProviderCreateParams))
    return JSONObject(wif.create_provider(organization(principal), body))


@router.get("", operation_id="list-workload-identity-providers")
async def list_providers(principal: AdminPrincipal, params: Pagination) -> JSONObject:
    return JSONObject(wif.list_providers(organization(principal), params))


@router.get("/{workload_identity_provider_id}", operation_id="retrieve-workload-identity-provider")
async def retrieve_provider(workload_identity_provider_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(wif.retrieve_provider(organization(principal), workload_identity_provider_id))


@router.post("/{workload_identity_provider_id}", operation_id="update-workload-identity-provider")
async def update_provider(
    workload_identity_provider_id: str, request: Request, principal: AdminPrincipal
) -> JSONObject:
    changes = _sent(await json_body(request, ProviderParams))
    return JSONObject(wif.update_provider(organization(principal), workload_identity_provider_id, changes))


@router.delete("/{workload_identity_provider_id}", operation_id="delete-workload-identity-provider")
async def delete_provider(workload_identity_provider_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(wif.delete_provider(organization(principal), workload_identity_provider_id))


# --- federation rules -------------------------------------------------------------------------------

RULES = "/{workload_identity_provider_id}/federation_rules"
RULE = RULES + "/{workload_identity_federation_rule_id}"


@router.post(RULES, operation_id="create-workload-identity-federation-rule")
async def create_rule(workload_identity_provider_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = _sent(await json_body(request, RuleCreateParams))
    return JSONObject(wif.create_rule(organization(principal), workload_identity_provider_id, body))


@router.get(RULES, operation_id="list-workload-identity-federation-rules")
async def list_rules(
    workload_identity_provider_id: str,
    principal: AdminPrincipal,
    params: Pagination,
    service_account_id: Annotated[str | None, Query()] = None,
) -> JSONObject:
    org = organization(principal)
    return JSONObject(wif.list_rules(org, workload_identity_provider_id, params, service_account_id))


@router.get(RULE, operation_id="retrieve-workload-identity-federation-rule")
async def retrieve_rule(
    workload_identity_provider_id: str, workload_identity_federation_rule_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(wif.retrieve_rule(org, workload_identity_provider_id, workload_identity_federation_rule_id))


@router.post(RULE, operation_id="update-workload-identity-federation-rule")
async def update_rule(
    workload_identity_provider_id: str,
    workload_identity_federation_rule_id: str,
    request: Request,
    principal: AdminPrincipal,
) -> JSONObject:
    changes = _sent(await json_body(request, RuleParams))
    org = organization(principal)
    return JSONObject(
        wif.update_rule(org, workload_identity_provider_id, workload_identity_federation_rule_id, changes)
    )


@router.delete(RULE, operation_id="delete-workload-identity-federation-rule")
async def delete_rule(
    workload_identity_provider_id: str, workload_identity_federation_rule_id: str, principal: AdminPrincipal
) -> JSONObject:
    org = organization(principal)
    return JSONObject(wif.delete_rule(org, workload_identity_provider_id, workload_identity_federation_rule_id))


# --- the token exchange (no key: the identity token is the credential) ---------------------------------


@token_router.post(TOKEN_PATH, operation_id="exchange-workload-identity-token")
async def exchange_token(request: Request) -> JSONResponse:
    try:
        fields = await request.json()
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        error = wif.OAuthError(400, "invalid_request", "The request body must be a JSON object.")
        return JSONResponse(error.body(), status_code=error.status)
    try:
        # In a worker thread: a discovery provider's keys are fetched from its issuer, which must not hold up the
        # other requests meanwhile.
        granted = await run_in_threadpool(copy_context().run, wif.exchange, fields)
        return JSONResponse(granted, headers={"cache-control": "no-store"})
    except wif.OAuthError as error:
        return JSONResponse(error.body(), status_code=error.status, headers={"cache-control": "no-store"})


app = create_app(router, token_router, title="openai-mock workload identity", keyless=frozenset({("POST", TOKEN_PATH)}))
handler = make_handler(app)

"""Mock controls under the reserved `/__mock` prefix (docs/controls.md): fixtures, the request journal,
per-tenant quotas, the tenant's clock, webhook endpoints (docs/webhooks.md), accepting an organization invite and
reset. Authenticated like the rest: everything here belongs to the caller's tenant.
The console's static files (docs/console.md) are the exception: they hold no secret and answer without a key."""

from contextvars import copy_context
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openai_mock.control import (
    api,
    console,
    fixtures,
    journal_export,
    prompts,
    quotas,
    tenant_clock,
    verification,
    webhooks,
)
from openai_mock.control.fixture_models import FixtureRequest
from openai_mock.control.runtime import JournalFilter
from openai_mock.control.webhooks import endpoints
from openai_mock.errors import invalid_url
from openai_mock.fields import Decimal, Integer
from openai_mock.resources import ratelimits
from openai_mock.resources.organization import invites, organization, projects
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal, principal_of, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import Pagination
from openai_mock.web.request_body import json_body, optional_json_body

router = APIRouter(prefix="/__mock")


class QuotaRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests_per_minute: Integer | None = Field(default=None, ge=1)
    tokens_per_minute: Integer | None = Field(default=None, ge=1)


class ClockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advance_seconds: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    offset_seconds: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)


class UserProjectKeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: str
    user_id: str
    name: str = "Secret Key"


@router.post("/fixtures", operation_id="createFixture")
async def create_fixture(request: Request) -> JSONObject:
    body = await json_body(request, FixtureRequest)
    return JSONObject(fixtures.create(tenant_of(request), body))


@router.get("/fixtures", operation_id="listFixtures")
async def list_fixtures(request: Request, params: Pagination) -> JSONObject:
    return JSONObject(fixtures.list_fixtures(tenant_of(request), params))


@router.delete("/fixtures", operation_id="deleteFixtures")
async def delete_fixtures(request: Request) -> JSONObject:
    return JSONObject(fixtures.delete_all(tenant_of(request)))


@router.get("/fixtures/{fixture_id}", operation_id="retrieveFixture")
async def retrieve_fixture(fixture_id: str, request: Request) -> JSONObject:
    """The fixture, with `matches`: the journalled requests it answered (count, ids and times)."""
    return JSONObject(verification.retrieve_with_matches(tenant_of(request), fixture_id))


@router.delete("/fixtures/{fixture_id}", operation_id="deleteFixture")
async def delete_fixture(fixture_id: str, request: Request) -> JSONObject:
    return JSONObject(fixtures.delete(tenant_of(request), fixture_id))


@router.post("/prompts", operation_id="createPrompt")
async def create_prompt(request: Request) -> JSONObject:
    body = await json_body(request, prompts.PromptRequest)
    return JSONObject(prompts.create(tenant_of(request), body))


@router.get("/prompts", operation_id="listPrompts")
async def list_prompts(request: Request, params: Pagination) -> JSONObject:
    return JSONObject(prompts.list_prompts(tenant_of(request), params))


@router.get("/prompts/{prompt_id}", operation_id="retrievePrompt")
async def retrieve_prompt(prompt_id: str, request: Request) -> JSONObject:
    return JSONObject(prompts.retrieve(tenant_of(request), prompt_id))


@router.delete("/prompts/{prompt_id}", operation_id="deletePrompt")
async def delete_prompt(prompt_id: str, request: Request) -> JSONObject:
    return JSONObject(prompts.delete(tenant_of(request), prompt_id))


def _journal_filter(
    method: str | None = None,
    path: str | None = None,
    status: str | None = None,
    model: str | None = None,
    fixture: str | None = None,
) -> JournalFilter:
    """The journal's filters (docs/controls.md, "Journal"): `path` a prefix or a glob, `status` 429 or 4xx."""
    return JournalFilter(method, path, status, model, fixture)


JournalFilters = Annotated[JournalFilter, Depends(_journal_filter)]


@router.get("/requests", operation_id="listRequests")
async def list_requests(request: Request, params: Pagination, chosen: JournalFilters) -> JSONObject:
    return JSONObject(api.journal(tenant_of(request), params, chosen))


@router.get("/requests/export", operation_id="exportRequests")
async def export_requests(
    request: Request, chosen: JournalFilters, format: journal_export.Format = "fixtures"
) -> JSONObject:
    """The journal (filtered like the list) as a fixture file, oldest first: `fixtures` or `exchanges`."""
    return JSONObject(journal_export.export(tenant_of(request), chosen, format))


@router.post("/verify", operation_id="verify")
async def verify(request: Request) -> JSONObject:
    """200 `mock.verification` when every expectation holds; 409 with the diff otherwise."""
    body = await json_body(request, verification.VerifyRequest)
    ok, answer = verification.verify(tenant_of(request), body)
    return JSONObject(answer, status_code=200 if ok else 409)


@router.delete("/requests", operation_id="clearRequests")
async def clear_requests(request: Request) -> JSONObject:
    return JSONObject(api.clear_journal(tenant_of(request)))


@router.get("/quotas", operation_id="retrieveQuotas")
async def retrieve_quotas(request: Request) -> JSONObject:
    return JSONObject(quotas.quota(tenant_of(request)))


@router.post("/quotas", operation_id="updateQuotas")
async def update_quotas(request: Request) -> JSONObject:
    body = await json_body(request, QuotaRequest)
    return JSONObject(quotas.set_quota(tenant_of(request), body.requests_per_minute, body.tokens_per_minute))


@router.get("/clock", operation_id="retrieveClock")
async def retrieve_clock(request: Request) -> JSONObject:
    return JSONObject(tenant_clock.view(tenant_of(request)))


@router.post("/clock", operation_id="moveClock")
async def move_clock(request: Request) -> JSONObject:
    body = await json_body(request, ClockRequest)
    tenant = tenant_of(request)
    moved = tenant_clock.move(tenant, body.advance_seconds, body.offset_seconds)
    webhooks.clock_moved(tenant)  # what the move made due (objects finishing, retries) fires now
    return JSONObject(moved)


class WebhookTestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str | None = None


@router.post("/webhooks", operation_id="createWebhook")
async def create_webhook(request: Request) -> JSONObject:
    body = await json_body(request, endpoints.CreateWebhookRequest)
    return JSONObject(endpoints.create(tenant_of(request), body))


@router.get("/webhooks", operation_id="listWebhooks")
async def list_webhooks(request: Request, params: Pagination) -> JSONObject:
    return JSONObject(endpoints.list_endpoints(tenant_of(request), params))


@router.get("/webhooks/{webhook_id}", operation_id="retrieveWebhook")
async def retrieve_webhook(webhook_id: str, request: Request) -> JSONObject:
    return JSONObject(endpoints.retrieve(tenant_of(request), webhook_id))


@router.delete("/webhooks/{webhook_id}", operation_id="deleteWebhook")
async def delete_webhook(webhook_id: str, request: Request) -> JSONObject:
    return JSONObject(endpoints.delete(tenant_of(request), webhook_id))


@router.post("/webhooks/{webhook_id}/rotate", operation_id="rotateWebhookSecret")
async def rotate_webhook_secret(webhook_id: str, request: Request) -> JSONObject:
    body = await optional_json_body(request, endpoints.RotateWebhookRequest) or endpoints.RotateWebhookRequest()
    return JSONObject(endpoints.rotate(tenant_of(request), webhook_id, body))


@router.get("/webhooks/{webhook_id}/deliveries", operation_id="listWebhookDeliveries")
async def list_webhook_deliveries(webhook_id: str, request: Request, params: Pagination) -> JSONObject:
    return JSONObject(webhooks.list_attempts(tenant_of(request), webhook_id, params))


@router.post("/webhooks/{webhook_id}/test", operation_id="testWebhook")
async def test_webhook(webhook_id: str, request: Request) -> JSONObject:
    body = await optional_json_body(request, WebhookTestRequest) or WebhookTestRequest()
    tenant = tenant_of(request)
    # The attempt is an HTTP call to the receiver: off the event loop, so a receiver served by this very
    # process (or a slow one) does not stall every other request.
    attempt = await run_in_threadpool(copy_context().run, webhooks.send_test, tenant, webhook_id, body.type)
    return JSONObject(attempt)


class AcceptInviteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1)


@router.post("/invites/{invite_id}/accept", operation_id="acceptInvite")
async def accept_invite(invite_id: str, request: Request) -> JSONObject:
    """What the invitee does by following the invite's link: the organization gains the user (docs/admin.md)."""
    body = await json_body(request, AcceptInviteRequest)
    principal = principal_of(request)
    return JSONObject(invites.accept_invite(organization(principal), principal, invite_id, body.name))


@router.post("/reset", operation_id="reset")
async def reset(request: Request) -> JSONObject:
    tenant = tenant_of(request)
    ratelimits.reset(tenant)
    return JSONObject(api.reset_tenant(tenant))


@router.post("/project_api_keys", operation_id="createUserProjectApiKey")
async def create_user_project_api_key(request: Request, principal: AdminPrincipal) -> JSONObject:
    """A project user's own API key (`sk-proj-…`, bound by their project roles), as the dashboard makes one."""
    body = await json_body(request, UserProjectKeyRequest)
    org = organization(principal)
    return JSONObject(projects.create_user_project_key(org, principal, body.project_id, body.user_id, body.name))


def _asset(request: Request, path: str) -> Response:
    asset = console.asset(path)
    headers = asset.headers()
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers={k: v for k, v in headers.items() if k != "content-type"})
    return Response(asset.body, headers=headers)


@router.get("/console", operation_id="console")
async def console_page(request: Request) -> Response:
    return _asset(request, console.PREFIX)


@router.get("/console/console.js", operation_id="consoleScript")
async def console_script(request: Request) -> Response:
    return _asset(request, f"{console.PREFIX}/console.js")


@router.get("/console/console.css", operation_id="consoleStyles")
async def console_styles(request: Request) -> Response:
    return _asset(request, f"{console.PREFIX}/console.css")


# Every path no other route claims (API Gateway's `/{proxy+}`, any method) answers like OpenAI: 404 "Invalid URL
# (GET /v1/…)", not API Gateway's 403 "Missing Authentication Token". Locally, the server answers so itself.
unknown_routes = APIRouter()
CATCH_ALL = ("ANY", "/{proxy+}")  # as template.yaml declares it


@unknown_routes.api_route(
    "/{proxy:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], operation_id="unknownRoute"
)
async def unknown_route(proxy: str, request: Request) -> JSONObject:  # noqa: ARG001 (the path, read whole below)
    raise invalid_url(request.method, request.url.path)


app = create_app(router, title="openai-mock mock controls", public=console.PUBLIC_PATHS)
app.router.routes.extend(unknown_routes.routes)  # last: every other route is tried first
app.state.served_routes = app.state.served_routes | {CATCH_ALL}
handler = make_handler(app)

"""Mock controls under the reserved `/__mock` prefix (docs/controls.md): fixtures, the request journal,
per-tenant quotas, the tenant's clock and reset. Authenticated like the rest: everything here belongs to the
caller's tenant.
The console's static files (docs/console.md) are the exception: they hold no secret and answer without a key."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from openai_mock.control import api, console, fixtures, tenant_clock
from openai_mock.control.fixture_models import FixtureRequest
from openai_mock.errors import invalid_url
from openai_mock.resources import ratelimits
from openai_mock.resources.organization import organization, projects
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal, tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import Pagination
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/__mock")


class QuotaRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)


class ClockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    advance_seconds: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    offset_seconds: float | None = Field(default=None, ge=0, allow_inf_nan=False)


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
    return JSONObject(fixtures.retrieve(tenant_of(request), fixture_id))


@router.delete("/fixtures/{fixture_id}", operation_id="deleteFixture")
async def delete_fixture(fixture_id: str, request: Request) -> JSONObject:
    return JSONObject(fixtures.delete(tenant_of(request), fixture_id))


@router.get("/requests", operation_id="listRequests")
async def list_requests(request: Request, params: Pagination, path: str | None = None) -> JSONObject:
    return JSONObject(api.journal(tenant_of(request), params, path))


@router.delete("/requests", operation_id="clearRequests")
async def clear_requests(request: Request) -> JSONObject:
    return JSONObject(api.clear_journal(tenant_of(request)))


@router.get("/quotas", operation_id="retrieveQuotas")
async def retrieve_quotas(request: Request) -> JSONObject:
    return JSONObject(ratelimits.quota(tenant_of(request)))


@router.post("/quotas", operation_id="updateQuotas")
async def update_quotas(request: Request) -> JSONObject:
    body = await json_body(request, QuotaRequest)
    return JSONObject(ratelimits.set_quota(tenant_of(request), body.requests_per_minute, body.tokens_per_minute))


@router.get("/clock", operation_id="retrieveClock")
async def retrieve_clock(request: Request) -> JSONObject:
    return JSONObject(tenant_clock.view(tenant_of(request)))


@router.post("/clock", operation_id="moveClock")
async def move_clock(request: Request) -> JSONObject:
    body = await json_body(request, ClockRequest)
    return JSONObject(tenant_clock.move(tenant_of(request), body.advance_seconds, body.offset_seconds))


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

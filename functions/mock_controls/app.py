"""Mock controls under the reserved `/__mock` prefix (docs/controls.md): fixtures, the request journal,
per-tenant quotas and reset. Authenticated like the rest: everything here belongs to the caller's tenant."""

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from openai_mock import ratelimits
from openai_mock.app_factory import create_app, make_handler
from openai_mock.auth import CurrentPrincipal
from openai_mock.control import api, fixtures
from openai_mock.control.fixture_models import FixtureRequest
from openai_mock.pagination import Pagination
from openai_mock.responses import JSONObject

router = APIRouter(prefix="/__mock")


class QuotaRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)


@router.post("/fixtures", operation_id="createFixture")
async def create_fixture(body: FixtureRequest, principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(fixtures.create(principal.tenant, body))


@router.get("/fixtures", operation_id="listFixtures")
async def list_fixtures(principal: CurrentPrincipal, params: Pagination) -> JSONObject:
    return JSONObject(fixtures.list_fixtures(principal.tenant, params))


@router.delete("/fixtures", operation_id="deleteFixtures")
async def delete_fixtures(principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(fixtures.delete_all(principal.tenant))


@router.get("/fixtures/{fixture_id}", operation_id="retrieveFixture")
async def retrieve_fixture(fixture_id: str, principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(fixtures.retrieve(principal.tenant, fixture_id))


@router.delete("/fixtures/{fixture_id}", operation_id="deleteFixture")
async def delete_fixture(fixture_id: str, principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(fixtures.delete(principal.tenant, fixture_id))


@router.get("/requests", operation_id="listRequests")
async def list_requests(principal: CurrentPrincipal, params: Pagination, path: str | None = None) -> JSONObject:
    return JSONObject(api.journal(principal.tenant, params, path))


@router.delete("/requests", operation_id="clearRequests")
async def clear_requests(principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(api.clear_journal(principal.tenant))


@router.get("/quotas", operation_id="retrieveQuotas")
async def retrieve_quotas(principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(ratelimits.quota(principal.tenant))


@router.post("/quotas", operation_id="updateQuotas")
async def update_quotas(body: QuotaRequest, principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(ratelimits.set_quota(principal.tenant, body.requests_per_minute, body.tokens_per_minute))


@router.post("/reset", operation_id="reset")
async def reset(principal: CurrentPrincipal) -> JSONObject:
    return JSONObject(api.reset_tenant(principal.tenant))


app = create_app(router, title="openai-mock mock controls")
handler = make_handler(app)

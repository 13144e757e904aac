"""External storage (operations the API gained after the 2026-08-21 spec, as the official SDK calls them): a
project's stored data kept in the customer's own S3, Cloud Storage, Azure Storage or OCI Object Storage bucket —
configurations registered, read, listed by project, deleted and validated."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, external_storage, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/external_storage")
Pagination = Annotated[ListParams, list_query(default_order="desc", before=False)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provider(_Body):
    """Every provider's fields: which of them a type requires (and accepts) is external_storage.FIELDS's to say."""

    type: Literal["aws", "azure", "gcp", "oci"]
    bucket: str | None = None
    role_arn: str | None = None
    account_name: str | None = None
    container: str | None = None
    resource_group: str | None = None
    subscription_id: str | None = None
    tenant_id: str | None = None
    workload_identity_pool_id: str | None = None
    workload_identity_project_number: str | None = None
    workload_identity_provider_id: str | None = None
    region: str | None = None
    tenancy_ocid: str | None = None


class ExternalStorageCreateParams(_Body):
    project_id: str
    provider: Provider


def _sent(provider: Provider) -> dict[str, Any]:
    """What the provider carries (a null is no value)."""
    return {name: value for name, value in provider.model_dump(exclude_unset=True).items() if value is not None}


@router.post("", operation_id="create-external-storage")
async def create_external_storage(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ExternalStorageCreateParams)
    org = organization(principal)
    return JSONObject(external_storage.create_configuration(org, principal, body.project_id, _sent(body.provider)))


@router.get("", operation_id="list-external-storage")
async def list_external_storage(
    principal: AdminPrincipal, params: Pagination, project_id: Annotated[str | None, Query()] = None
) -> JSONObject:
    return JSONObject(external_storage.list_configurations(organization(principal), params, project_id or None))


@router.get("/{external_storage_id}", operation_id="retrieve-external-storage")
async def retrieve_external_storage(external_storage_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(external_storage.retrieve_configuration(organization(principal), external_storage_id))


@router.delete("/{external_storage_id}", operation_id="delete-external-storage")
async def delete_external_storage(external_storage_id: str, principal: AdminPrincipal) -> JSONObject:
    org = organization(principal)
    return JSONObject(external_storage.delete_configuration(org, principal, external_storage_id))


@router.post("/{external_storage_id}/validate", operation_id="validate-external-storage")
async def validate_external_storage(external_storage_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(external_storage.validate_configuration(organization(principal), external_storage_id))


app = create_app(router, title="openai-mock external storage", caller_objects=caller_objects)
handler = make_handler(app)

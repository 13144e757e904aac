"""External keys (operations the API gained after the 2026-08-21 spec, as the official SDK calls them): the
organization's customer-managed master keys in AWS KMS, Google Cloud KMS, Azure Key Vault or OCI Vault —
registered, read, listed by purpose, deleted and validated."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, external_keys, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization/external_keys")
Pagination = Annotated[ListParams, list_query(default_order="desc", before=False)]
Purpose = Literal["ekm", "psp_decryption"]


class ExternalKeyCreateParams(BaseModel):
    """Every type's fields: which of them a type requires (and accepts) is external_keys.FIELDS's to say."""

    model_config = ConfigDict(extra="forbid")

    name: str
    type: Literal["aws", "gcp", "azure", "oci"]
    purpose: Purpose | None = None
    external_id: str | None = None
    kms_arn: str | None = None
    role_arn: str | None = None
    audience: str | None = None
    kms_key_location: str | None = None
    kms_key_name: str | None = None
    kms_key_ring_name: str | None = None
    kms_project_id: str | None = None
    workload_identity_pool_id: str | None = None
    workload_identity_project_number: str | None = None
    workload_identity_provider_id: str | None = None
    kms_key_version: str | None = None
    key_name: str | None = None
    tenant_id: str | None = None
    vault_uri: str | None = None
    key_version: str | None = None
    key_ocid: str | None = None
    region: str | None = None
    vault_ocid: str | None = None
    key_version_ocid: str | None = None


def _sent(body: BaseModel) -> dict[str, Any]:
    """What the body carries (a null is no value)."""
    return {name: value for name, value in body.model_dump(exclude_unset=True).items() if value is not None}


@router.post("", operation_id="create-external-key")
async def create_external_key(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = _sent(await json_body(request, ExternalKeyCreateParams))
    return JSONObject(external_keys.create_key(organization(principal), principal, body))


@router.get("", operation_id="list-external-keys")
async def list_external_keys(
    principal: AdminPrincipal, params: Pagination, purpose: Annotated[Purpose | None, Query()] = None
) -> JSONObject:
    return JSONObject(external_keys.list_keys(organization(principal), params, purpose))


@router.get("/{external_key_id}", operation_id="retrieve-external-key")
async def retrieve_external_key(external_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(external_keys.retrieve_key(organization(principal), external_key_id))


@router.delete("/{external_key_id}", operation_id="delete-external-key")
async def delete_external_key(external_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(external_keys.delete_key(organization(principal), principal, external_key_id))


@router.post("/{external_key_id}/validate", operation_id="validate-external-key")
async def validate_external_key(external_key_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(external_keys.validate_key(organization(principal), external_key_id))


app = create_app(router, title="openai-mock external keys", caller_objects=caller_objects)
handler = make_handler(app)

"""Vaults and their credentials (the Agents API beta, after the 2026-08-21 spec, as the official SDK calls it:
`client.beta.agents.vaults[.credentials]`): a project's write-only secrets for MCP servers and hosted environments
(docs/agents.md)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from openai_mock.pagination import ListParams
from openai_mock.resources.agents import vaults
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import principal_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import MetadataFilter, list_query, query_array
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/vaults")
Pagination = Annotated[ListParams, list_query(before=False)]  # newest first, `after` only
Statuses = Annotated[list[str], Depends(query_array("status"))]


@router.post("", operation_id="createVault")
async def create_vault(request: Request) -> JSONObject:
    body = await json_body(request, vaults.VaultCreateParams)
    return JSONObject(vaults.create_vault(principal_of(request), body))


@router.get("", operation_id="listVaults")
async def list_vaults(request: Request, params: Pagination, status: Statuses, metadata: MetadataFilter) -> JSONObject:
    return JSONObject(vaults.list_vaults(principal_of(request), params, status, metadata))


@router.get("/{vault_id}", operation_id="retrieveVault")
async def retrieve_vault(vault_id: str, request: Request) -> JSONObject:
    return JSONObject(vaults.stored_vault(principal_of(request), vault_id))


@router.post("/{vault_id}", operation_id="updateVault")
async def update_vault(vault_id: str, request: Request) -> JSONObject:
    body = await json_body(request, vaults.VaultUpdateParams)
    return JSONObject(vaults.update_vault(principal_of(request), vault_id, body))


@router.delete("/{vault_id}", operation_id="deleteVault")
async def delete_vault(vault_id: str, request: Request) -> JSONObject:
    return JSONObject(vaults.delete_vault(principal_of(request), vault_id))


@router.post("/{vault_id}/credentials", operation_id="createVaultCredential")
async def create_vault_credential(vault_id: str, request: Request) -> JSONObject:
    body = await json_body(request, vaults.CredentialCreateParams)
    return JSONObject(vaults.create_credential(principal_of(request), vault_id, body))


@router.get("/{vault_id}/credentials", operation_id="listVaultCredentials")
async def list_vault_credentials(
    vault_id: str, request: Request, params: Pagination, status: Statuses, metadata: MetadataFilter
) -> JSONObject:
    return JSONObject(vaults.list_credentials(principal_of(request), vault_id, params, status, metadata))


@router.get("/{vault_id}/credentials/{credential_id}", operation_id="retrieveVaultCredential")
async def retrieve_vault_credential(vault_id: str, credential_id: str, request: Request) -> JSONObject:
    return JSONObject(vaults.retrieve_credential(principal_of(request), vault_id, credential_id))


@router.post("/{vault_id}/credentials/{credential_id}", operation_id="updateVaultCredential")
async def update_vault_credential(vault_id: str, credential_id: str, request: Request) -> JSONObject:
    body = await json_body(request, vaults.CredentialUpdateParams)
    return JSONObject(vaults.update_credential(principal_of(request), vault_id, credential_id, body))


@router.delete("/{vault_id}/credentials/{credential_id}", operation_id="deleteVaultCredential")
async def delete_vault_credential(vault_id: str, credential_id: str, request: Request) -> JSONObject:
    return JSONObject(vaults.delete_credential(principal_of(request), vault_id, credential_id))


app = create_app(router, title="openai-mock agent vaults")
handler = make_handler(app)

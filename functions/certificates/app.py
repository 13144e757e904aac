"""Certificates (mutual TLS): upload, list, retrieve, rename, delete, and activate or deactivate them for
the organization or for one project."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from openai_mock.pagination import ListParams
from openai_mock.resources.organization import caller_objects, certificates, organization
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import AdminPrincipal
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query, query_array
from openai_mock.web.request_body import json_body

router = APIRouter(prefix="/v1/organization")
CertificatePagination = Annotated[ListParams, list_query(default_order="desc", before=False)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UploadCertificateParams(_Body):
    certificate: str
    name: str | None = None


class ModifyCertificateParams(_Body):
    name: str | None = None


class ToggleCertificatesParams(_Body):
    certificate_ids: list[str]


# --- organization ---------------------------------------------------------------------------------


@router.get("/certificates", operation_id="listOrganizationCertificates")
async def list_certificates(principal: AdminPrincipal, params: CertificatePagination) -> JSONObject:
    return JSONObject(certificates.list_certificates(organization(principal), params))


@router.post("/certificates", operation_id="uploadCertificate")
async def create_certificate(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, UploadCertificateParams)
    org = organization(principal)
    return JSONObject(certificates.upload_certificate(org, principal, body.certificate, body.name))


@router.post("/certificates/activate", operation_id="activateOrganizationCertificates")
async def activate_certificates(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ToggleCertificatesParams)
    return JSONObject(certificates.toggle_organization(organization(principal), principal, body.certificate_ids, True))


@router.post("/certificates/deactivate", operation_id="deactivateOrganizationCertificates")
async def deactivate_certificates(request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ToggleCertificatesParams)
    org = organization(principal)
    return JSONObject(certificates.toggle_organization(org, principal, body.certificate_ids, False))


@router.get("/certificates/{certificate_id}", operation_id="getCertificate")
async def retrieve_certificate(
    certificate_id: str, principal: AdminPrincipal, include: Annotated[list[str], Depends(query_array("include"))]
) -> JSONObject:
    return JSONObject(certificates.retrieve_certificate(organization(principal), certificate_id, include))


@router.post("/certificates/{certificate_id}", operation_id="modifyCertificate")
async def update_certificate(certificate_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ModifyCertificateParams)
    return JSONObject(certificates.modify_certificate(organization(principal), principal, certificate_id, body.name))


@router.delete("/certificates/{certificate_id}", operation_id="deleteCertificate")
async def delete_certificate(certificate_id: str, principal: AdminPrincipal) -> JSONObject:
    return JSONObject(certificates.delete_certificate(organization(principal), principal, certificate_id))


# --- projects -------------------------------------------------------------------------------------


@router.get("/projects/{project_id}/certificates", operation_id="listProjectCertificates")
async def list_project_certificates(
    project_id: str, principal: AdminPrincipal, params: CertificatePagination
) -> JSONObject:
    return JSONObject(certificates.list_project_certificates(organization(principal), project_id, params))


@router.post("/projects/{project_id}/certificates/activate", operation_id="activateProjectCertificates")
async def activate_project_certificates(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ToggleCertificatesParams)
    org = organization(principal)
    return JSONObject(certificates.toggle_project(org, principal, project_id, body.certificate_ids, True))


@router.post("/projects/{project_id}/certificates/deactivate", operation_id="deactivateProjectCertificates")
async def deactivate_project_certificates(project_id: str, request: Request, principal: AdminPrincipal) -> JSONObject:
    body = await json_body(request, ToggleCertificatesParams)
    org = organization(principal)
    return JSONObject(certificates.toggle_project(org, principal, project_id, body.certificate_ids, False))


app = create_app(router, title="openai-mock certificates", caller_objects=caller_objects)
handler = make_handler(app)

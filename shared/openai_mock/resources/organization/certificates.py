"""Certificates for mutual TLS: an organization uploads PEM certificates (parsed with `cryptography`: the
subject, the validity window and the SHA-256 fingerprint are read from the certificate itself), then
activates them for the whole organization or for single projects. Uploading does not activate; a
malformed, expired or duplicate certificate is refused; a certificate still active anywhere cannot be
deleted. One stored record per certificate carries where it is active (`active`, `_projects`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from openai_mock import clock, ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import (
    CERTIFICATES,
    Organization,
    all_items,
    get_project,
    writable_project,
)
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

if TYPE_CHECKING:
    from cryptography import x509

MAX_CERTIFICATES = 50  # "Organizations can upload up to 50 certificates."
MAX_TOGGLE = 10


def _parse(pem: str) -> x509.Certificate:
    text = pem.strip()
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise invalid_request(
            "Invalid 'certificate': expected a PEM-encoded X.509 certificate "
            "('-----BEGIN CERTIFICATE-----' … '-----END CERTIFICATE-----').",
            "certificate",
            "invalid_value",
        )
    if "PRIVATE KEY" in text:
        raise invalid_request(
            "Invalid 'certificate': the PEM holds a private key. Upload the certificate only.",
            "certificate",
            "invalid_value",
        )
    if text.count("-----BEGIN CERTIFICATE-----") > 1:
        raise invalid_request(
            "Invalid 'certificate': expected exactly one certificate, but the PEM holds a chain.",
            "certificate",
            "invalid_value",
        )
    from cryptography import x509  # ~160 M instructions: paid by the first upload, not by every cold start

    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError:
        raise invalid_request(
            "Invalid 'certificate': the PEM data could not be parsed as an X.509 certificate.",
            "certificate",
            "invalid_value",
        ) from None


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _view(certificate: dict[str, Any], object_type: str, active: bool | None, content: bool = False) -> dict[str, Any]:
    details = dict(certificate["certificate_details"])
    if content:
        details["content"] = certificate["_content"]
    view: dict[str, Any] = {
        "object": object_type,
        "id": certificate["id"],
        "name": certificate["name"],
        "created_at": certificate["created_at"],
        "certificate_details": details,
    }
    if active is not None:
        view["active"] = active
    return view


def organization_view(certificate: dict[str, Any]) -> dict[str, Any]:
    return _view(certificate, "organization.certificate", certificate["active"])


def _project_view(project_id: str) -> Any:
    def view(certificate: dict[str, Any]) -> dict[str, Any]:
        return _view(certificate, "organization.project.certificate", project_id in certificate["_projects"])

    return view


def _get(org: Organization, certificate_id: str, param: str = "certificate_id") -> dict[str, Any]:
    certificate = get_store().get(org.tenant, CERTIFICATES, certificate_id)
    if certificate is None:
        raise not_found("Certificate", certificate_id, param)
    return certificate


# --- organization certificates --------------------------------------------------------------------


def upload_certificate(org: Organization, principal: Principal, pem: str, name: str | None) -> dict[str, Any]:
    parsed = _parse(pem)
    now = clock.now_seconds()
    valid_at, expires_at = _epoch(parsed.not_valid_before_utc), _epoch(parsed.not_valid_after_utc)
    if expires_at <= now:
        raise invalid_request(
            f"Invalid 'certificate': the certificate expired at {parsed.not_valid_after_utc.isoformat()}.",
            "certificate",
            "certificate_expired",
        )
    from cryptography.hazmat.primitives import hashes

    fingerprint = parsed.fingerprint(hashes.SHA256()).hex()
    existing = all_items(org.tenant, CERTIFICATES)
    if any(item["_fingerprint"] == fingerprint for item in existing):
        raise invalid_request(
            "Invalid 'certificate': this certificate has already been uploaded to the organization.",
            "certificate",
            "duplicate_certificate",
        )
    if len(existing) >= MAX_CERTIFICATES:
        raise invalid_request(
            f"Organizations can upload up to {MAX_CERTIFICATES} certificates. Delete one before uploading another.",
            "certificate",
        )
    certificate: dict[str, Any] = {
        "id": ids.new_id("organization.certificate"),
        "name": name,
        "created_at": now,
        "certificate_details": {"valid_at": valid_at, "expires_at": expires_at},
        "active": False,
        "_projects": [],
        "_content": pem.strip(),
        "_subject": parsed.subject.rfc4514_string(),
        "_fingerprint": fingerprint,
    }
    get_store().create(org.tenant, CERTIFICATES, certificate)
    audit_logs.record(
        org, principal, "certificate.created", {"id": certificate["id"], "name": name or certificate["_subject"]}
    )
    return _view(certificate, "certificate", None)


def list_certificates(org: Organization, params: ListParams) -> dict[str, Any]:
    page = get_store().list(org.tenant, CERTIFICATES, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=organization_view)


def retrieve_certificate(org: Organization, certificate_id: str, include: list[str]) -> dict[str, Any]:
    for index, item in enumerate(include):
        if item != "content":
            raise invalid_request(
                f"Invalid value: '{item}'. Supported values are: 'content'.", f"include[{index}]", "invalid_value"
            )
    return _view(_get(org, certificate_id), "certificate", None, content="content" in include)


def modify_certificate(
    org: Organization, principal: Principal, certificate_id: str, name: str | None
) -> dict[str, Any]:
    _get(org, certificate_id)
    updated = get_store().update(org.tenant, CERTIFICATES, certificate_id, lambda current: {**current, "name": name})
    if updated is None:
        raise not_found("Certificate", certificate_id, "certificate_id")
    audit_logs.record(org, principal, "certificate.updated", {"id": certificate_id, "name": name})
    return _view(updated, "certificate", None)


def delete_certificate(org: Organization, principal: Principal, certificate_id: str) -> dict[str, Any]:
    certificate = _get(org, certificate_id)
    if certificate["active"] or certificate["_projects"]:
        where = ["the organization"] if certificate["active"] else []
        where += [f"project {project_id}" for project_id in certificate["_projects"]]
        raise invalid_request(
            f"Certificate {certificate_id} is active for {', '.join(where)}. "
            "Deactivate it everywhere before deleting it.",
            "certificate_id",
        )
    get_store().delete(org.tenant, CERTIFICATES, certificate_id)
    audit_logs.record(
        org,
        principal,
        "certificate.deleted",
        {"id": certificate_id, "name": certificate["name"] or "", "certificate": certificate["_content"]},
    )
    return {"object": "certificate.deleted", "id": certificate_id}


# --- activation -----------------------------------------------------------------------------------


def _checked_ids(org: Organization, certificate_ids: list[str], activating: bool) -> list[dict[str, Any]]:
    """All or nothing: every id must name a certificate (and, to activate, one not expired)."""
    if not certificate_ids:
        raise invalid_request(
            "Invalid 'certificate_ids': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            "certificate_ids",
            "empty_array",
        )
    if len(certificate_ids) > MAX_TOGGLE:
        raise invalid_request(
            f"Invalid 'certificate_ids': array too long. Expected an array with maximum length {MAX_TOGGLE}, "
            f"but got an array with length {len(certificate_ids)} instead.",
            "certificate_ids",
            "array_above_max_length",
        )
    found = []
    now = clock.now_seconds()
    for index, certificate_id in enumerate(dict.fromkeys(certificate_ids)):
        certificate = _get(org, certificate_id, f"certificate_ids[{index}]")
        if activating and certificate["certificate_details"]["expires_at"] <= now:
            raise invalid_request(
                f"Certificate {certificate_id} has expired and cannot be activated.",
                f"certificate_ids[{index}]",
                "certificate_expired",
            )
        found.append(certificate)
    return found


def toggle_organization(
    org: Organization, principal: Principal, certificate_ids: list[str], active: bool
) -> dict[str, Any]:
    updated = []
    for certificate in _checked_ids(org, certificate_ids, active):
        changed = get_store().update(
            org.tenant, CERTIFICATES, certificate["id"], lambda current: {**current, "active": active}
        )
        updated.append(changed or certificate)
    event = "certificates.activated" if active else "certificates.deactivated"
    audit_logs.record(org, principal, event, {"certificates": [{"id": c["id"], "name": c["name"]} for c in updated]})
    verb = "activation" if active else "deactivation"
    return {"object": f"organization.certificate.{verb}", "data": [organization_view(c) for c in updated]}


def toggle_project(
    org: Organization, principal: Principal, project_id: str, certificate_ids: list[str], active: bool
) -> dict[str, Any]:
    project = writable_project(org, project_id)
    updated = []
    for certificate in _checked_ids(org, certificate_ids, active):

        def change(current: dict[str, Any]) -> dict[str, Any]:
            others = [pid for pid in current["_projects"] if pid != project_id]
            return {**current, "_projects": [*others, project_id] if active else others}

        updated.append(get_store().update(org.tenant, CERTIFICATES, certificate["id"], change) or certificate)
    event = "certificates.activated" if active else "certificates.deactivated"
    audit_logs.record(
        org, principal, event, {"certificates": [{"id": c["id"], "name": c["name"]} for c in updated]}, project
    )
    verb = "activation" if active else "deactivation"
    view = _project_view(project_id)
    return {"object": f"organization.project.certificate.{verb}", "data": [view(c) for c in updated]}


def list_project_certificates(org: Organization, project_id: str, params: ListParams) -> dict[str, Any]:
    """The organization's certificates, each `active` as it is for this project."""
    get_project(org, project_id)
    page = get_store().list(org.tenant, CERTIFICATES, limit=params.limit, order=params.order, after=params.after)
    return list_object(page, view=_project_view(project_id))

"""Certificates through the official SDK (`admin.organization.certificates`, `…projects.certificates`): a PEM
is parsed for real (validity from the certificate), uploading does not activate, activation at organization
and project level, an active certificate cannot be deleted, bad PEMs and expired certificates are refused
naming `certificate`, every change is in the audit log. Every answer is checked against the 2026-08-21 spec."""

from __future__ import annotations

import datetime as dt
from typing import Any

import openai
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from functions.certificates import app as certificates_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.spec import assert_conforms

C = "/v1/organization/certificates"
NOW = 1_780_000_000  # 2026-05-28
SPEC = "2026-08-21"


def make_pem(common_name: str, not_before: dt.datetime, not_after: dt.datetime) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


VALID_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


def _json(raw: Any) -> dict[str, Any]:
    return raw.http_response.json()  # type: ignore[no-any-return]


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    return raised.value.body  # type: ignore[return-value]


def test_upload_reads_the_certificate_and_does_not_activate_it(admin: openai.OpenAI) -> None:
    certs = admin.admin.organization.certificates
    pem = make_pem("api.example.com", VALID_FROM, VALID_UNTIL)
    uploaded = _json(certs.with_raw_response.create(certificate=pem, name="Gateway"))
    assert_conforms("POST", C, 200, uploaded, spec=SPEC)
    assert uploaded["object"] == "certificate" and uploaded["id"].startswith("cert_")
    assert uploaded["name"] == "Gateway" and uploaded["created_at"] == NOW
    assert uploaded["certificate_details"] == {
        "valid_at": int(VALID_FROM.timestamp()),
        "expires_at": int(VALID_UNTIL.timestamp()),
    }

    got = _json(certs.with_raw_response.retrieve(uploaded["id"], include=["content"]))
    assert_conforms("GET", f"{C}/{uploaded['id']}", 200, got, spec=SPEC)
    assert got["certificate_details"]["content"] == pem.strip()
    assert "content" not in certs.retrieve(uploaded["id"]).certificate_details.to_dict()

    listed = _json(certs.with_raw_response.list())
    assert_conforms("GET", C, 200, listed, spec=SPEC)
    [entry] = listed["data"]
    assert (entry["object"], entry["id"], entry["active"]) == ("organization.certificate", uploaded["id"], False)


def test_rename_list_order_and_delete(admin: openai.OpenAI) -> None:
    certs = admin.admin.organization.certificates
    first = certs.create(certificate=make_pem("a.example.com", VALID_FROM, VALID_UNTIL))
    clock.advance(5)
    second = certs.create(certificate=make_pem("b.example.com", VALID_FROM, VALID_UNTIL), name="B")
    assert first.name is None
    assert [c.id for c in certs.list()] == [second.id, first.id]  # newest first by default
    assert [c.id for c in certs.list(order="asc", limit=1).data] == [first.id]

    renamed = _json(certs.with_raw_response.update(first.id, name="Renamed"))
    assert_conforms("POST", f"{C}/{first.id}", 200, renamed, spec=SPEC)
    assert certs.retrieve(first.id).name == "Renamed"

    deleted = _json(certs.with_raw_response.delete(first.id))
    assert_conforms("DELETE", f"{C}/{first.id}", 200, deleted, spec=SPEC)
    assert deleted == {"object": "certificate.deleted", "id": first.id}
    with pytest.raises(openai.NotFoundError) as missing:
        certs.retrieve(first.id)
    assert _error(missing)["message"] == f"No such Certificate object: {first.id}"


def test_activation_at_organization_and_project_level(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    one = org.certificates.create(certificate=make_pem("one.example.com", VALID_FROM, VALID_UNTIL))
    two = org.certificates.create(certificate=make_pem("two.example.com", VALID_FROM, VALID_UNTIL))

    activated = _json(org.certificates.with_raw_response.activate(certificate_ids=[one.id, two.id]))
    assert_conforms("POST", f"{C}/activate", 200, activated, spec=SPEC)
    assert activated["object"] == "organization.certificate.activation"
    assert [(c["id"], c["active"]) for c in activated["data"]] == [(one.id, True), (two.id, True)]
    again = org.certificates.activate(certificate_ids=[one.id])  # idempotent
    assert [c.active for c in again.data] == [True]

    deactivated = _json(org.certificates.with_raw_response.deactivate(certificate_ids=[two.id]))
    assert_conforms("POST", f"{C}/deactivate", 200, deactivated, spec=SPEC)
    assert deactivated["object"] == "organization.certificate.deactivation"
    assert {c.id: c.active for c in org.certificates.list()} == {one.id: True, two.id: False}

    project = org.projects.create(name="mTLS project")
    P = f"/v1/organization/projects/{project.id}/certificates"
    on = _json(org.projects.certificates.with_raw_response.activate(project.id, certificate_ids=[two.id]))
    assert_conforms("POST", f"{P}/activate", 200, on, spec=SPEC)
    assert on["object"] == "organization.project.certificate.activation"
    assert [(c["object"], c["id"], c["active"]) for c in on["data"]] == [
        ("organization.project.certificate", two.id, True)
    ]
    listed = _json(org.projects.certificates.with_raw_response.list(project.id))
    assert_conforms("GET", P, 200, listed, spec=SPEC)
    assert {c["id"]: c["active"] for c in listed["data"]} == {one.id: False, two.id: True}

    # Active in a project: it cannot be deleted until deactivated there too.
    with pytest.raises(openai.BadRequestError) as refused:
        org.certificates.delete(two.id)
    assert _error(refused)["param"] == "certificate_id" and project.id in refused.value.message
    off = _json(org.projects.certificates.with_raw_response.deactivate(project.id, certificate_ids=[two.id]))
    assert_conforms("POST", f"{P}/deactivate", 200, off, spec=SPEC)
    assert off["object"] == "organization.project.certificate.deactivation" and not off["data"][0]["active"]
    assert org.certificates.delete(two.id).id == two.id

    with pytest.raises(openai.BadRequestError):
        org.certificates.delete(one.id)  # still active for the organization


def test_activation_is_all_or_nothing(admin: openai.OpenAI) -> None:
    certs = admin.admin.organization.certificates
    real = certs.create(certificate=make_pem("real.example.com", VALID_FROM, VALID_UNTIL))
    with pytest.raises(openai.NotFoundError) as missing:
        certs.activate(certificate_ids=[real.id, "cert_missing"])
    assert _error(missing)["param"] == "certificate_ids[1]"
    assert certs.list().data[0].active is False
    with pytest.raises(openai.BadRequestError) as empty:
        certs.activate(certificate_ids=[])
    assert _error(empty)["param"] == "certificate_ids"
    with pytest.raises(openai.BadRequestError) as too_many:
        certs.activate(certificate_ids=[real.id] * 11)
    assert _error(too_many)["param"] == "certificate_ids"


@pytest.mark.parametrize(
    ("pem", "fragment"),
    [
        ("not a certificate", "PEM-encoded"),
        ("-----BEGIN CERTIFICATE-----\nTUlJRGVUQ0NBbUdn\n-----END CERTIFICATE-----\n", "could not be parsed"),
        (
            make_pem("a.example.com", VALID_FROM, VALID_UNTIL) + make_pem("b.example.com", VALID_FROM, VALID_UNTIL),
            "chain",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"
            + make_pem("c.example.com", VALID_FROM, VALID_UNTIL),
            "private key",
        ),
    ],
    ids=["not-pem", "garbage-body", "chain", "private-key"],
)
def test_malformed_pem_is_a_400_naming_certificate(admin: openai.OpenAI, pem: str, fragment: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.admin.organization.certificates.create(certificate=pem)
    body = _error(refused)
    assert body["param"] == "certificate" and body["type"] == "invalid_request_error"
    assert fragment in body["message"]
    assert admin.admin.organization.certificates.list().data == []


def test_expired_and_duplicate_certificates_are_refused(admin: openai.OpenAI) -> None:
    certs = admin.admin.organization.certificates
    expired = make_pem(
        "old.example.com", dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(openai.BadRequestError) as refused:
        certs.create(certificate=expired)
    assert (_error(refused)["param"], _error(refused)["code"]) == ("certificate", "certificate_expired")

    soon = dt.datetime.fromtimestamp(NOW + 3_600, dt.UTC)
    pem = make_pem("dup.example.com", VALID_FROM, soon)
    kept = certs.create(certificate=pem)
    with pytest.raises(openai.BadRequestError) as duplicate:
        certs.create(certificate=pem)
    assert _error(duplicate)["code"] == "duplicate_certificate"

    # Time passes (the mock clock): an expired certificate can no longer be activated.
    clock.advance(3_601)
    with pytest.raises(openai.BadRequestError) as late:
        certs.activate(certificate_ids=[kept.id])
    assert _error(late)["param"] == "certificate_ids[0]"


def test_every_change_is_audited_with_the_real_event_types(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    cert = org.certificates.create(certificate=make_pem("audit.example.com", VALID_FROM, VALID_UNTIL), name="Audit")
    org.certificates.update(cert.id, name="Audited")
    org.certificates.activate(certificate_ids=[cert.id])
    org.certificates.deactivate(certificate_ids=[cert.id])
    org.certificates.delete(cert.id)
    events = org.audit_logs.list(
        event_types=[
            "certificate.created",
            "certificate.updated",
            "certificates.activated",
            "certificates.deactivated",
            "certificate.deleted",
        ]
    )
    raw = [event.to_dict() for event in events.data]
    assert [event["type"] for event in raw] == [
        "certificate.deleted",
        "certificates.deactivated",
        "certificates.activated",
        "certificate.updated",
        "certificate.created",
    ]
    assert raw[4]["certificate.created"] == {"id": cert.id, "name": "Audit"}
    assert raw[2]["certificates.activated"] == {"certificates": [{"id": cert.id, "name": "Audited"}]}
    listed = _json(org.audit_logs.with_raw_response.list())
    assert_conforms("GET", "/v1/organization/audit_logs", 200, listed, spec=SPEC)


def test_ordinary_keys_are_refused(mock_app: TemplateRouter) -> None:
    with pytest.raises(openai.PermissionDeniedError):
        org_client(mock_app, "sk-test-ordinary").admin.organization.certificates.create(certificate="x")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(certificates_function.handler, version, "sk-admin-lambda-certs")  # type: ignore[arg-type]
    uploaded = sdk.admin.organization.certificates.create(
        certificate=make_pem("lambda.example.com", VALID_FROM, dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    )
    assert [c.id for c in sdk.admin.organization.certificates.list()] == [uploaded.id]

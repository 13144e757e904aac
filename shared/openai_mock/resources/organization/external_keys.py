"""External keys (customer-managed encryption keys): the organization registers a master key it keeps in its own
cloud's key management service — AWS KMS, Google Cloud KMS, Azure Key Vault or OCI Vault — that OpenAI calls to
wrap the keys of the organization's data (`purpose: "ekm"`, the default) or to decrypt payment data
(`"psp_decryption"`, which names an exact key version). Operations the API gained after the 2026-08-21 spec,
served as the official SDK calls them (`client.admin.organization.external_keys`): create, retrieve, list (by
`purpose`), delete (which answers the key as it was), validate.

Every field is checked for its syntax when the key is registered (ARNs, OCIDs, vault URIs, tenant UUIDs, GCP
names); the identity OpenAI presents to the customer's cloud (`external_id` on AWS, `audience` on GCP) must be the
organization's id or one of its projects' ids. The mock reaches no cloud: `validate` answers `valid` for every
registered key (a route fixture, docs/controls.md, can answer otherwise)."""

from __future__ import annotations

import re
from typing import Any

from openai_mock import clock, ids
from openai_mock.checks import check_length
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import PROJECTS, Organization
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

KEYS = "organization.external_key"
PURPOSES = ("ekm", "psp_decryption")
# A key's fields by type: (required, its version field: required for psp_decryption, refused for ekm).
FIELDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "aws": (("external_id", "kms_arn", "role_arn"), None),
    "gcp": (
        (
            "audience",
            "kms_key_location",
            "kms_key_name",
            "kms_key_ring_name",
            "kms_project_id",
            "workload_identity_pool_id",
            "workload_identity_project_number",
            "workload_identity_provider_id",
        ),
        "kms_key_version",
    ),
    "azure": (("key_name", "tenant_id", "vault_uri"), "key_version"),
    "oci": (("key_ocid", "region", "vault_ocid"), "key_version_ocid"),
}

_ARN_PARTITION = r"arn:aws(?:-cn|-us-gov|-iso|-iso-b)?"
_AWS_REGION = r"[a-z]{2}(?:-gov|-iso|-isob)?-[a-z]+-\d"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_AZURE_VAULT_HOSTS = (
    "vault.azure.net",
    "managedhsm.azure.net",
    "vault.azure.cn",
    "vault.usgovcloudapi.net",
    "vault.microsoftazure.de",
)
# What each field must look like, and how the API would describe it.
PATTERNS: dict[str, tuple[str, str]] = {
    "kms_arn": (
        rf"^{_ARN_PARTITION}:kms:{_AWS_REGION}:\d{{12}}:(?:key/(?:{_UUID}|mrk-[0-9a-f]{{32}})|alias/[A-Za-z0-9/_-]{{1,250}})$",
        "an AWS KMS key ARN (arn:aws:kms:<region>:<account id>:key/<key id>, or an alias ARN)",
    ),
    "role_arn": (
        rf"^{_ARN_PARTITION}:iam::\d{{12}}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{{1,64}}$",
        "an AWS IAM role ARN (arn:aws:iam::<account id>:role/<name>)",
    ),
    "kms_key_location": (r"^[a-z][a-z0-9-]{1,62}$", "a Cloud KMS location such as 'global' or 'us-central1'"),
    "kms_key_name": (r"^[A-Za-z0-9_-]{1,63}$", "a Cloud KMS key name (letters, digits, '_' and '-')"),
    "kms_key_ring_name": (r"^[A-Za-z0-9_-]{1,63}$", "a Cloud KMS key ring name (letters, digits, '_' and '-')"),
    "kms_project_id": (r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$", "a GCP project id (6-30 lowercase letters, digits, '-')"),
    "workload_identity_pool_id": (r"^(?!gcp-)[a-z0-9-]{4,32}$", "a workload identity pool id (4-32 of a-z, 0-9, -)"),
    "workload_identity_project_number": (r"^[1-9]\d{0,18}$", "a GCP project number"),
    "workload_identity_provider_id": (r"^(?!gcp-)[a-z0-9-]{4,32}$", "a workload identity provider id"),
    "kms_key_version": (r"^[1-9]\d{0,9}$", "a CryptoKeyVersion number such as '1'"),
    "key_name": (r"^[A-Za-z0-9-]{1,127}$", "a Key Vault key name (letters, digits and '-')"),
    "tenant_id": (rf"^{_UUID}$", "an Azure tenant id (a UUID)"),
    "vault_uri": (
        r"^https://[a-z0-9-]{3,24}\.(?:" + "|".join(re.escape(host) for host in _AZURE_VAULT_HOSTS) + r")/?$",
        "an Azure Key Vault URI such as 'https://<vault>.vault.azure.net/'",
    ),
    "key_version": (r"^[0-9a-fA-F]{32}$", "a Key Vault key version (32 hexadecimal characters)"),
    "key_ocid": (r"^ocid1\.key\.oc\d+\.[a-z0-9-]*(?:\.[a-z0-9-]+)?\.[a-z0-9]+$", "an OCI key OCID (ocid1.key.…)"),
    "vault_ocid": (
        r"^ocid1\.vault\.oc\d+\.[a-z0-9-]*(?:\.[a-z0-9-]+)?\.[a-z0-9]+$",
        "an OCI vault OCID (ocid1.vault.…)",
    ),
    "key_version_ocid": (
        r"^ocid1\.keyversion\.oc\d+\.[a-z0-9-]*(?:\.[a-z0-9-]+)?\.[a-z0-9]+$",
        "an OCI key version OCID (ocid1.keyversion.…)",
    ),
    "region": (r"^[a-z]{2,}-[a-z]+-\d+$", "an OCI region identifier such as 'us-ashburn-1'"),
}


def check_pattern(value: str, name: str, param: str | None = None) -> None:
    """400 naming the param when `value` is not shaped like PATTERNS[name] says."""
    pattern, description = PATTERNS[name]
    if not re.match(pattern, value):
        raise invalid_request(
            f"Invalid '{param or name}': '{value}' is not {description}.", param or name, "invalid_value"
        )


def _check_identity(org: Organization, value: str, param: str) -> None:
    """The identity OpenAI presents to the customer's cloud: the organization's id or one of its projects'."""
    if value == org.id:
        return
    project = get_store().get(org.tenant, PROJECTS, value) if value.startswith("proj_") else None
    if project is None or project["status"] != "active":
        raise invalid_request(
            f"Invalid '{param}': '{value}' must be this organization's id ({org.id}) or the id of one of its "
            "active projects.",
            param,
            "invalid_value",
        )


def _check(org: Organization, fields: dict[str, Any]) -> None:
    kind = fields["type"]
    required, version = FIELDS[kind]
    allowed = {"name", "type", "purpose", *required, *([version] if version else [])}
    for name in fields:
        if name not in allowed:
            raise invalid_request(
                f"Unrecognized request argument supplied: {name} (not a field of a '{kind}' key).",
                name,
                "unknown_parameter",
            )
    check_length(fields["name"].strip(), "name", 256, minimum=1)
    for name in required:
        if not fields.get(name):
            raise invalid_request(
                f"Missing required parameter: '{name}' (required for a '{kind}' key).",
                name,
                "missing_required_parameter",
            )
    if version is not None:
        if fields["purpose"] == "psp_decryption" and not fields.get(version):
            raise invalid_request(
                f"Missing required parameter: '{version}' (a 'psp_decryption' key names its exact version).",
                version,
                "missing_required_parameter",
            )
        if fields["purpose"] == "ekm" and version in fields:
            raise invalid_request(
                f"Invalid '{version}': not accepted for an 'ekm' key, which always uses the key's current version.",
                version,
                "invalid_value",
            )
    for name, value in fields.items():
        if name in PATTERNS:
            check_pattern(value, name)
    for name in ("external_id", "audience"):
        if name in fields:
            _check_identity(org, fields[name], name)


def _view(fields: dict[str, Any], org: Organization, key_id: str, now: int) -> dict[str, Any]:
    """The key as the API shows it: the common fields, then its type's (its version field null when not given)."""
    required, version = FIELDS[fields["type"]]
    identity = fields.get("external_id") or fields.get("audience")
    key: dict[str, Any] = {
        "id": key_id,
        "object": KEYS,
        "type": fields["type"],
        "name": fields["name"],
        "purpose": fields["purpose"],
        "created_at": now,
        "workspace_id": org.id,
        # The project whose identity the key's cloud trusts, when it names one (else the organization's key).
        "api_project_ids": [identity] if identity and identity != org.id else [],
    }
    key.update({name: fields[name] for name in required})
    if version is not None:
        key[version] = fields.get(version)
    return key


def create_key(org: Organization, principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    fields = {"purpose": "ekm", **fields}
    _check(org, fields)
    key = _view(fields, org, ids.new_id(KEYS), clock.now_seconds())
    get_store().create(org.tenant, KEYS, key)
    data = {name: value for name, value in key.items() if name not in ("id", "object", "created_at")}
    audit_logs.record(org, principal, "external_key.registered", {"id": key["id"], "data": data})
    return key


def retrieve_key(org: Organization, key_id: str) -> dict[str, Any]:
    key = get_store().get(org.tenant, KEYS, key_id)
    if key is None:
        raise not_found("ExternalKey", key_id, "external_key_id")
    return key


def list_keys(org: Organization, params: ListParams, purpose: str | None) -> dict[str, Any]:
    page = get_store().list(
        org.tenant,
        KEYS,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=None if purpose is None else (lambda key: key["purpose"] == purpose),
    )
    return list_object(page)


def delete_key(org: Organization, principal: Principal, key_id: str) -> dict[str, Any]:
    """The key as it was, gone from the organization."""
    key = retrieve_key(org, key_id)
    get_store().delete(org.tenant, KEYS, key_id)
    audit_logs.record(org, principal, "external_key.removed", {"id": key_id})
    return key


def validate_key(org: Organization, key_id: str) -> dict[str, Any]:
    """Whether OpenAI can use the key: the mock reaches no cloud, and every registered key was checked already."""
    retrieve_key(org, key_id)
    return {"status": "valid"}

"""External keys through the official SDK (`client.admin.organization.external_keys`, operations the API gained
after the 2026-08-21 spec, every answer held strictly to the SDK's models): a key of each of the four clouds
registered and read back, listed by purpose and page, deleted (answering the key as it was), validated; bad fields
refused with OpenAI's 400 naming them, the identity OpenAI presents held to the organization and its projects,
every registration and removal in the audit log."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization.external_key import ExternalKey
from openai.types.admin.organization.external_key_validate_response import ExternalKeyValidateResponse

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client
from tests.support.sdk import held

NOW = 1_780_000_000
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = "arn:aws:iam::123456789012:role/OpenAIKeyAccess"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KEY_OCID = "ocid1.key.oc1.iad.bbpxq2rxaaeuk.abuwcljsx4vgmhqyvlzyruxfw6ft6n5wvrwpvkgcxcgxx3zv3tbdwnq4fq4q"
VAULT_OCID = "ocid1.vault.oc1.iad.bbpxq2rxaaeuk.abuwcljrf5ypvpazb5ifx3hxgl2mwpcnf5nbgnkrdmwuosjtqpz2bwmfilhq"
VERSION_OCID = "ocid1.keyversion.oc1.iad.bbpxq2rxaaeuk.abuwcljtb5obbqeiuouvltfdyruasixqguxvmj5rmnlhd6yxb2o3jgozsmsa"


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


@pytest.fixture
def org_id(admin: openai.OpenAI) -> str:
    return admin.admin.organization.projects.with_raw_response.list().headers["openai-organization"]


def _gcp(audience: str, **more: Any) -> dict[str, Any]:
    return {
        "type": "gcp", "name": "Cloud KMS", "audience": audience, "kms_key_location": "europe-west4",
        "kms_key_name": "openai-master", "kms_key_ring_name": "openai-ring", "kms_project_id": "acme-security",
        "workload_identity_pool_id": "openai-pool", "workload_identity_project_number": "123456789012",
        "workload_identity_provider_id": "openai-provider", **more,
    }  # fmt: skip


def _azure(**more: Any) -> dict[str, Any]:
    return {
        "type": "azure", "name": "Key Vault", "key_name": "openai-master", "tenant_id": TENANT,
        "vault_uri": "https://acme-keys.vault.azure.net/", **more,
    }  # fmt: skip


def _oci(**more: Any) -> dict[str, Any]:
    return {
        "type": "oci", "name": "OCI Vault", "key_ocid": KEY_OCID, "vault_ocid": VAULT_OCID,
        "region": "us-ashburn-1", **more,
    }  # fmt: skip


def _aws(external_id: str, **more: Any) -> dict[str, Any]:
    return {"type": "aws", "name": "KMS", "external_id": external_id, "kms_arn": KMS_ARN, "role_arn": ROLE_ARN, **more}


def test_a_key_of_each_cloud_is_registered_and_read_back(admin: openai.OpenAI, org_id: str) -> None:
    keys = admin.admin.organization.external_keys
    project = admin.admin.organization.projects.create(name="Payments")
    aws = held(ExternalKey, keys.with_raw_response.create(**_aws(org_id)))
    assert aws["id"].startswith("extkey_") and aws["object"] == "organization.external_key"
    assert (aws["type"], aws["purpose"], aws["created_at"], aws["workspace_id"]) == ("aws", "ekm", NOW, org_id)
    assert (aws["kms_arn"], aws["role_arn"], aws["external_id"]) == (KMS_ARN, ROLE_ARN, org_id)
    assert aws["api_project_ids"] == []  # the organization's own identity: no one project's key
    assert "vault_uri" not in aws  # only its type's fields

    gcp = held(
        ExternalKey, keys.with_raw_response.create(**_gcp(project.id, purpose="psp_decryption", kms_key_version="3"))
    )
    assert (gcp["purpose"], gcp["kms_key_version"], gcp["audience"]) == ("psp_decryption", "3", project.id)
    assert gcp["api_project_ids"] == [project.id]
    assert gcp["kms_key_location"] == "europe-west4" and gcp["workload_identity_project_number"] == "123456789012"

    azure = held(ExternalKey, keys.with_raw_response.create(**_azure()))
    assert (azure["tenant_id"], azure["key_version"], azure["purpose"]) == (TENANT, None, "ekm")
    oci = held(
        ExternalKey, keys.with_raw_response.create(**_oci(purpose="psp_decryption", key_version_ocid=VERSION_OCID))
    )
    assert (oci["region"], oci["key_version_ocid"], oci["vault_ocid"]) == ("us-ashburn-1", VERSION_OCID, VAULT_OCID)

    for created in (aws, gcp, azure, oci):
        assert held(ExternalKey, keys.with_raw_response.retrieve(created["id"])) == created


def test_keys_are_listed_by_purpose_order_and_page(admin: openai.OpenAI, org_id: str) -> None:
    keys = admin.admin.organization.external_keys
    made = [keys.create(**_aws(org_id)) for _ in range(2)]
    clock.advance(1)
    made.append(keys.create(**_azure(purpose="psp_decryption", key_version="0123456789abcdef0123456789abcdef")))
    raw = keys.with_raw_response.list()
    listed = raw.http_response.json()
    for item in listed["data"]:
        ExternalKey.model_validate(item, strict=True)
    assert [item["id"] for item in listed["data"]] == [key.id for key in reversed(made)]  # newest first
    assert [key.id for key in keys.list(order="asc").data] == [key.id for key in made]
    assert [key.id for key in keys.list(purpose="psp_decryption").data] == [made[2].id]
    assert [key.id for key in keys.list(purpose="ekm", order="asc").data] == [made[0].id, made[1].id]
    first = keys.list(order="asc", limit=2)
    assert first.has_more and [key.id for key in first.data] == [made[0].id, made[1].id]
    rest = keys.list(order="asc", limit=2, after=made[1].id)
    assert not rest.has_more and [key.id for key in rest.data] == [made[2].id]
    with pytest.raises(openai.BadRequestError) as bad:
        keys.list(purpose="archive")  # type: ignore[arg-type]
    assert bad.value.body["param"] == "purpose"  # type: ignore[index]


def test_delete_answers_the_key_and_forgets_it(admin: openai.OpenAI) -> None:
    keys = admin.admin.organization.external_keys
    key = keys.create(**_oci())
    validated = held(ExternalKeyValidateResponse, keys.with_raw_response.validate(key.id))
    assert validated == {"status": "valid"}
    deleted = held(ExternalKey, keys.with_raw_response.delete(key.id))
    assert deleted["id"] == key.id and deleted["key_ocid"] == KEY_OCID and deleted["name"] == "OCI Vault"
    assert keys.list().data == []
    for call in (keys.retrieve, keys.delete, keys.validate):
        with pytest.raises(openai.NotFoundError) as missing:
            call(key.id)
        assert missing.value.body["param"] == "external_key_id"  # type: ignore[index]
        assert key.id in missing.value.body["message"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("fields_of", "param"),
    [
        (lambda org: {k: v for k, v in _aws(org).items() if k != "role_arn"}, "role_arn"),
        (lambda org: _aws(org, kms_arn="arn:aws:kms:us-east-1:1234:key/abc"), "kms_arn"),
        (lambda org: _aws(org, kms_arn="arn:aws:kms:us-east-1:123456789012:key/not-a-key-id"), "kms_arn"),
        (lambda org: _aws(org, role_arn="arn:aws:iam::123456789012:user/alice"), "role_arn"),
        (lambda _org: _aws("org-someoneelse000000000000"), "external_id"),
        (lambda _org: _aws("proj_doesnotexist0000000000"), "external_id"),
        (lambda org: _aws(org, vault_uri="https://acme.vault.azure.net/"), "vault_uri"),  # not an AWS field
        (lambda org: _gcp(org, kms_key_version="2"), "kms_key_version"),  # refused for ekm
        (lambda org: _gcp(org, purpose="psp_decryption"), "kms_key_version"),  # required for psp_decryption
        (lambda org: _gcp(org, kms_project_id="Acme Security"), "kms_project_id"),
        (lambda org: _gcp(org, workload_identity_project_number="12ab"), "workload_identity_project_number"),
        (lambda _org: _gcp("https://api.openai.com"), "audience"),
        (lambda _org: _azure(tenant_id="not-a-uuid"), "tenant_id"),
        (lambda _org: _azure(vault_uri="https://acme.example.com/"), "vault_uri"),
        (lambda _org: _azure(purpose="psp_decryption", key_version="v1"), "key_version"),
        (lambda _org: _azure(purpose="psp_decryption"), "key_version"),
        (lambda _org: _oci(key_ocid="ocid1.vault.oc1.iad.aaaa.bbbb"), "key_ocid"),
        (lambda _org: _oci(region="Ashburn"), "region"),
        (lambda _org: _oci(purpose="psp_decryption"), "key_version_ocid"),
        (lambda _org: _oci(key_version_ocid=VERSION_OCID), "key_version_ocid"),  # refused for ekm
        (lambda _org: _oci(name=" "), "name"),
        (lambda _org: _oci(purpose="archive"), "purpose"),
        (lambda _org: _oci(type="ibm"), "type"),
    ],
)
def test_bad_keys_are_refused_naming_the_param(admin: openai.OpenAI, org_id: str, fields_of: Any, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post("/organization/external_keys", body=fields_of(org_id), cast_to=object)
    assert refused.value.status_code == 400
    assert refused.value.body["param"] == param, refused.value.body  # type: ignore[index]
    assert admin.admin.organization.external_keys.list().data == []


def test_unknown_fields_and_archived_projects_are_refused(admin: openai.OpenAI) -> None:
    keys = admin.admin.organization.external_keys
    with pytest.raises(openai.BadRequestError) as unknown:
        keys.create(**_azure(), extra_body={"rotation": "daily"})  # type: ignore[arg-type]
    assert unknown.value.body["param"] == "rotation"  # type: ignore[index]
    project = admin.admin.organization.projects.create(name="Old")
    admin.admin.organization.projects.archive(project.id)
    with pytest.raises(openai.BadRequestError) as archived:
        keys.create(**_gcp(project.id))  # type: ignore[arg-type]
    assert archived.value.body["param"] == "audience"  # type: ignore[index]


def test_registrations_and_removals_are_audited(admin: openai.OpenAI, org_id: str) -> None:
    keys = admin.admin.organization.external_keys
    key = keys.create(**_aws(org_id))
    keys.delete(key.id)
    logs = admin.admin.organization.audit_logs
    registered = logs.with_raw_response.list(event_types=["external_key.registered"]).http_response.json()["data"]
    assert [event["external_key.registered"]["id"] for event in registered] == [key.id]
    assert registered[0]["external_key.registered"]["data"]["kms_arn"] == KMS_ARN
    removed = logs.list(event_types=["external_key.removed"]).data
    assert [event.external_key_removed.id for event in removed] == [key.id]  # type: ignore[union-attr]


def test_only_admin_keys_manage_external_keys(mock_app: TemplateRouter) -> None:
    with pytest.raises(openai.PermissionDeniedError):
        org_client(mock_app, "sk-test-ordinary").admin.organization.external_keys.list()

"""External storage through the official SDK (`client.admin.organization.external_storage`, operations the API
gained after the 2026-08-21 spec, every answer held strictly to the SDK's models): a configuration of each of the
four clouds registered for a project, with what OpenAI derives (AWS account and external id, GCP audience, the
bucket's region and its geography), `pending` until validated, listed by project and page, deleted (and deleted
again, as the SDK says a repeated deletion may be); bad input refused with OpenAI's 400 naming the field, an
unknown project with a 404 naming `project_id`, registrations and removals in the audit log."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization.external_storage_configuration import ExternalStorageConfiguration
from openai.types.admin.organization.external_storage_deleted import ExternalStorageDeleted

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client
from tests.support.sdk import held

NOW = 1_780_000_000
ROLE_ARN = "arn:aws:iam::210987654321:role/OpenAIStorage"
SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vqstifsfdsq"


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


@pytest.fixture
def project_id(admin: openai.OpenAI) -> str:
    return admin.admin.organization.projects.create(name="Data").id


AWS = {"type": "aws", "bucket": "acme-openai-data", "role_arn": ROLE_ARN}
GCP = {
    "type": "gcp", "bucket": "acme-openai-europe-west4", "workload_identity_pool_id": "openai-pool",
    "workload_identity_project_number": "123456789012", "workload_identity_provider_id": "openai-provider",
}  # fmt: skip
AZURE = {
    "type": "azure", "account_name": "acmeopenai", "container": "openai-data", "resource_group": "rg-uksouth-data",
    "subscription_id": SUBSCRIPTION, "tenant_id": TENANT,
}  # fmt: skip
OCI = {"type": "oci", "bucket": "openai-data", "region": "ap-tokyo-1", "tenancy_ocid": TENANCY}


def test_a_configuration_of_each_cloud_answers_what_openai_derives(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    aws = held(ExternalStorageConfiguration, storage.with_raw_response.create(project_id=project_id, provider=AWS))
    assert aws["id"].startswith("extstor_") and aws["object"] == "organization.external_storage"
    assert (aws["project_id"], aws["created_at"], aws["status"]) == (project_id, NOW, "pending")
    assert aws["provider"] == {
        **AWS, "account_id": "210987654321", "external_id": project_id, "region": "us-east-1",
    }  # fmt: skip
    assert aws["geography"] == "US"

    gcp = held(ExternalStorageConfiguration, storage.with_raw_response.create(project_id=project_id, provider=GCP))
    assert gcp["provider"]["audience"] == (
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/openai-pool/"
        "providers/openai-provider"
    )
    assert (gcp["provider"]["region"], gcp["geography"]) == ("europe-west4", "EU")  # read from the bucket's name

    azure = held(ExternalStorageConfiguration, storage.with_raw_response.create(project_id=project_id, provider=AZURE))
    assert azure["provider"] == {**AZURE, "region": "uksouth"} and azure["geography"] == "GB"
    oci = held(ExternalStorageConfiguration, storage.with_raw_response.create(project_id=project_id, provider=OCI))
    assert oci["provider"] == OCI and oci["geography"] == "JP"

    for created in (aws, gcp, azure, oci):
        assert held(ExternalStorageConfiguration, storage.with_raw_response.retrieve(created["id"])) == created


def test_region_defaults_and_unknown_regions(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    in_eu = storage.create(project_id=project_id, provider={**AWS, "bucket": "acme-logs-eu-central-1"})
    assert (in_eu.provider.region, in_eu.geography) == ("eu-central-1", "EU")
    gov = storage.create(
        project_id=project_id,
        provider={**AWS, "bucket": "acme-gov", "role_arn": "arn:aws-us-gov:iam::210987654321:role/OpenAI"},
    )
    assert (gov.provider.region, gov.geography) == ("us-gov-west-1", "US")
    plain_gcp = storage.create(project_id=project_id, provider={**GCP, "bucket": "acme-plain"})
    assert (plain_gcp.provider.region, plain_gcp.geography) == ("us", "US")
    with pytest.raises(openai.BadRequestError) as nowhere:
        storage.create(project_id=project_id, provider={**OCI, "region": "sa-saopaulo-1"})
    assert nowhere.value.body["param"] == "provider.region"  # type: ignore[index]


def test_validate_moves_pending_to_validated(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    created = storage.create(project_id=project_id, provider=OCI)
    assert created.status == "pending"
    validated = held(ExternalStorageConfiguration, storage.with_raw_response.validate(created.id))
    assert validated["status"] == "validated" and validated["provider"] == OCI
    assert storage.retrieve(created.id).status == "validated"
    assert storage.validate(created.id).status == "validated"  # again: still validated


def test_configurations_are_listed_by_project_order_and_page(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    other = admin.admin.organization.projects.create(name="Other").id
    mine = [storage.create(project_id=project_id, provider=provider) for provider in (AWS, GCP)]
    theirs = storage.create(project_id=other, provider=AWS)  # the same bucket in another project is allowed
    listed = storage.with_raw_response.list().http_response.json()
    for item in listed["data"]:
        ExternalStorageConfiguration.model_validate(item, strict=True)
    assert [item["id"] for item in listed["data"]] == [theirs.id, mine[1].id, mine[0].id]  # newest first
    assert [item.id for item in storage.list(project_id=project_id, order="asc").data] == [c.id for c in mine]
    assert [item.id for item in storage.list(project_id=other).data] == [theirs.id]
    page = storage.list(order="asc", limit=1)
    assert page.has_more and [item.id for item in page.data] == [mine[0].id]
    following = storage.list(order="asc", limit=2, after=mine[0].id)
    assert not following.has_more and [item.id for item in following.data] == [mine[1].id, theirs.id]


def test_delete_disconnects_and_a_repeated_delete_answers_the_same(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    created = storage.create(project_id=project_id, provider=AZURE)
    deleted = held(ExternalStorageDeleted, storage.with_raw_response.delete(created.id))
    assert deleted == {"object": "organization.external_storage.deleted", "id": created.id, "deleted": True}
    assert held(ExternalStorageDeleted, storage.with_raw_response.delete(created.id)) == deleted
    assert storage.list().data == []
    for call in (storage.retrieve, storage.validate):
        with pytest.raises(openai.NotFoundError) as missing:
            call(created.id)
        assert missing.value.body["param"] == "external_storage_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        storage.delete("extstor_neverexisted0000000000")
    # The bucket may be configured again once disconnected.
    assert storage.create(project_id=project_id, provider=AZURE).status == "pending"


@pytest.mark.parametrize(
    ("provider", "param"),
    [
        ({"type": "aws", "bucket": "acme-openai-data"}, "provider.role_arn"),
        ({**AWS, "bucket": "Acme_Data"}, "provider.bucket"),
        ({**AWS, "bucket": "192.168.1.10"}, "provider.bucket"),
        ({**AWS, "role_arn": "arn:aws:iam::2109876543:role/OpenAI"}, "provider.role_arn"),
        ({**AWS, "region": "us-east-1"}, "provider.region"),  # not an AWS field: derived
        ({**GCP, "workload_identity_project_number": "abc"}, "provider.workload_identity_project_number"),
        ({**GCP, "workload_identity_pool_id": "gcp-reserved"}, "provider.workload_identity_pool_id"),
        ({**AZURE, "account_name": "Acme-Storage"}, "provider.account_name"),
        ({**AZURE, "container": "a--b"}, "provider.container"),
        ({**AZURE, "subscription_id": "12345"}, "provider.subscription_id"),
        ({**AZURE, "tenant_id": "tenant"}, "provider.tenant_id"),
        ({**OCI, "tenancy_ocid": "ocid1.user.oc1..aaaa"}, "provider.tenancy_ocid"),
        ({**OCI, "region": "tokyo"}, "provider.region"),
        ({**OCI, "type": "ibm"}, "provider.type"),
        ({"bucket": "x"}, "provider.type"),
    ],
)
def test_bad_providers_are_refused_naming_the_field(
    admin: openai.OpenAI, project_id: str, provider: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post(
            "/organization/external_storage", body={"project_id": project_id, "provider": provider}, cast_to=object
        )
    assert refused.value.body["param"] == param, refused.value.body  # type: ignore[index]
    assert admin.admin.organization.external_storage.list().data == []


def test_the_project_must_exist_be_active_and_not_hold_the_bucket_twice(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    with pytest.raises(openai.NotFoundError) as missing:
        storage.create(project_id="proj_doesnotexist0000000000", provider=AWS)  # type: ignore[arg-type]
    assert missing.value.body["param"] == "project_id"  # type: ignore[index]
    assert "proj_doesnotexist0000000000" in missing.value.body["message"]  # type: ignore[index]
    storage.create(project_id=project_id, provider=AWS)  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError) as twice:
        storage.create(project_id=project_id, provider=AWS)  # type: ignore[arg-type]
    assert twice.value.body["param"] == "provider"  # type: ignore[index]
    archived = admin.admin.organization.projects.create(name="Gone").id
    admin.admin.organization.projects.archive(archived)
    with pytest.raises(openai.BadRequestError) as refused:
        storage.create(project_id=archived, provider=AWS)  # type: ignore[arg-type]
    assert refused.value.body["param"] == "project_id"  # type: ignore[index]


def test_registrations_and_removals_are_audited(admin: openai.OpenAI, project_id: str) -> None:
    storage = admin.admin.organization.external_storage
    created = storage.create(project_id=project_id, provider=OCI)
    storage.delete(created.id)
    storage.delete(created.id)  # a repeated deletion removes nothing more
    logs = admin.admin.organization.audit_logs
    registered = logs.list(event_types=["external_storage.registered"]).data
    assert len(registered) == 1 and registered[0].project and registered[0].project.id == project_id
    details = registered[0].external_storage_registered
    assert details and details.id == created.id and details.data and details.data.geography == "JP"
    assert details.data.provider and details.data.provider.type == "oci"
    removed = logs.list(event_types=["external_storage.removed"]).data
    assert [event.external_storage_removed.id for event in removed] == [created.id]  # type: ignore[union-attr]


def test_only_admin_keys_manage_external_storage(mock_app: TemplateRouter) -> None:
    with pytest.raises(openai.PermissionDeniedError):
        org_client(mock_app, "sk-test-ordinary").admin.organization.external_storage.list()

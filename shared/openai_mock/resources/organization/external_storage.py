"""External storage: a project keeps its stored data in the customer's own bucket — an S3 bucket, a Google Cloud
Storage bucket, an Azure Storage container or an OCI Object Storage bucket — that OpenAI reaches through an identity
the customer trusts (an IAM role, workload identity federation, an Entra tenant, an OCI tenancy). Operations the
API gained after the 2026-08-21 spec, served as the official SDK calls them
(`client.admin.organization.external_storage`): create, retrieve, list (by `project_id`), delete, validate.

A configuration answers what OpenAI derives from what was sent: on AWS the `account_id` of the role ARN and the
`external_id` it passes to AssumeRole (the project's id), on GCP the `audience` of its token exchange (the
workload identity provider's full resource name), everywhere the bucket's `region` and the OpenAI `geography`
that region lies in. The mock reaches no cloud, so where a region is not sent (AWS, GCP, Azure) it is read from
the bucket's names when one of them holds a region's name (`acme-logs-eu-west-1`), else it is the provider's
home region. A configuration is `pending` until `validate` makes it `validated` (the mock reaches no bucket: every
configuration validates). Deleting is idempotent: deleting a deleted configuration answers the same again."""

from __future__ import annotations

import re
from typing import Any

from openai_mock import clock, ids
from openai_mock.errors import invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import PROJECTS, Organization, all_items
from openai_mock.resources.organization.external_keys import check_pattern
from openai_mock.store import ConflictError, get_store
from openai_mock.web.auth import Principal

CONFIGURATIONS = "organization.external_storage"
_DELETED = "organization.external_storage.deleted"  # what was deleted: a repeated deletion answers it again
FIELDS: dict[str, tuple[str, ...]] = {
    "aws": ("bucket", "role_arn"),
    "azure": ("account_name", "container", "resource_group", "subscription_id", "tenant_id"),
    "gcp": ("bucket", "workload_identity_pool_id", "workload_identity_project_number", "workload_identity_provider_id"),
    "oci": ("bucket", "region", "tenancy_ocid"),
}
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# What each provider field must look like (the cloud's own naming rules), and how the API would describe it.
_PATTERNS: dict[tuple[str, str], tuple[str, str]] = {
    ("aws", "bucket"): (
        r"^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        "an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')",
    ),
    ("gcp", "bucket"): (
        r"^(?!goog)[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$",
        "a Cloud Storage bucket name (3-63 lowercase letters, digits, '.', '_' and '-')",
    ),
    ("oci", "bucket"): (r"^[A-Za-z0-9._-]{1,256}$", "an Object Storage bucket name (letters, digits, '.', '_', '-')"),
    ("azure", "account_name"): (r"^[a-z0-9]{3,24}$", "a storage account name (3-24 lowercase letters and digits)"),
    ("azure", "container"): (
        r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
        "a container name (3-63 lowercase letters, digits and single '-')",
    ),
    ("azure", "resource_group"): (r"^[\w.()-]{0,89}[\w()-]$", "a resource group name (1-90 characters)"),
    ("azure", "subscription_id"): (_UUID, "an Azure subscription id (a UUID)"),
    ("azure", "tenant_id"): (_UUID, "an Azure tenant id (a UUID)"),
    ("oci", "tenancy_ocid"): (
        r"^ocid1\.tenancy\.oc\d+\.[a-z0-9-]*(?:\.[a-z0-9-]+)?\.[a-z0-9]+$",
        "an OCI tenancy OCID (ocid1.tenancy.…)",
    ),
}
# Fields shaped as an external key's are (external_keys.PATTERNS).
_SHARED_PATTERNS = frozenset(
    {"role_arn", "workload_identity_pool_id", "workload_identity_project_number", "workload_identity_provider_id",
     "region"}
)  # fmt: skip
# The regions each provider stores in, by the OpenAI geography they lie in (data residency's regions).
_GEOGRAPHIES: dict[str, dict[str, str]] = {
    "aws": {
        "US": "us-east-1 us-east-2 us-west-1 us-west-2 us-gov-west-1 us-gov-east-1",
        "EU": "eu-west-1 eu-west-3 eu-central-1 eu-central-2 eu-north-1 eu-south-1 eu-south-2",
        "GB": "eu-west-2",
        "CA": "ca-central-1 ca-west-1",
        "JP": "ap-northeast-1 ap-northeast-3",
        "KR": "ap-northeast-2",
        "SG": "ap-southeast-1",
        "AU": "ap-southeast-2 ap-southeast-4",
        "IN": "ap-south-1 ap-south-2",
        "AE": "me-central-1",
    },
    "gcp": {
        "US": "us us-central1 us-east1 us-east4 us-east5 us-south1 us-west1 us-west2 us-west3 us-west4",
        "EU": "eu europe-west1 europe-west3 europe-west4 europe-west8 europe-west9 europe-north1 europe-central2 "
        "europe-southwest1",
        "GB": "europe-west2",
        "CA": "northamerica-northeast1 northamerica-northeast2",
        "JP": "asia-northeast1 asia-northeast2",
        "KR": "asia-northeast3",
        "SG": "asia-southeast1",
        "AU": "australia-southeast1 australia-southeast2",
        "IN": "asia-south1 asia-south2",
    },
    "azure": {
        "US": "eastus eastus2 westus westus2 westus3 centralus northcentralus southcentralus westcentralus",
        "EU": "westeurope northeurope francecentral germanywestcentral swedencentral italynorth polandcentral "
        "spaincentral",
        "GB": "uksouth ukwest",
        "CA": "canadacentral canadaeast",
        "JP": "japaneast japanwest",
        "KR": "koreacentral koreasouth",
        "SG": "southeastasia",
        "AU": "australiaeast australiasoutheast",
        "IN": "centralindia southindia",
        "AE": "uaenorth",
    },
    "oci": {
        "US": "us-ashburn-1 us-phoenix-1 us-chicago-1 us-sanjose-1",
        "EU": "eu-frankfurt-1 eu-amsterdam-1 eu-madrid-1 eu-marseille-1 eu-milan-1 eu-paris-1 eu-stockholm-1",
        "GB": "uk-london-1 uk-cardiff-1",
        "CA": "ca-toronto-1 ca-montreal-1",
        "JP": "ap-tokyo-1 ap-osaka-1",
        "KR": "ap-seoul-1 ap-chuncheon-1",
        "SG": "ap-singapore-1",
        "AU": "ap-sydney-1 ap-melbourne-1",
        "IN": "ap-mumbai-1 ap-hyderabad-1",
        "AE": "me-dubai-1 me-abudhabi-1",
    },
}
# Region → geography per provider; a region's name is looked for in bucket names longest first (`eu-west-1` is
# not read as `eu`).
_REGIONS = {
    kind: {region: geography for geography, regions in by_geography.items() for region in regions.split()}
    for kind, by_geography in _GEOGRAPHIES.items()
}
_BY_LENGTH = {kind: sorted(regions, key=len, reverse=True) for kind, regions in _REGIONS.items()}
_HOME_REGIONS = {"aws": "us-east-1", "gcp": "us", "azure": "eastus"}
# The names a region is read from, when the provider is not sent one.
_REGION_HINTS = {"aws": ("bucket",), "gcp": ("bucket",), "azure": ("resource_group", "container")}
_ARN_HOME_REGIONS = {"aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def _geography(kind: str, region: str) -> str | None:
    return _REGIONS[kind].get(region)


def _region(kind: str, provider: dict[str, Any]) -> str:
    """The bucket's region: sent (OCI), or a region named in the bucket's names (the longest such), or the
    provider's home region (on AWS the home region of the role ARN's partition)."""
    if kind == "oci":
        return str(provider["region"])
    for field in _REGION_HINTS[kind]:
        words = provider[field].lower()
        for region in _BY_LENGTH[kind]:
            if re.search(rf"(?<![a-z0-9]){re.escape(region)}(?![a-z0-9])", words):
                return region
    if kind == "aws":
        return _ARN_HOME_REGIONS.get(provider["role_arn"].split(":")[1], _HOME_REGIONS["aws"])
    return _HOME_REGIONS[kind]


def _checked_provider(provider: dict[str, Any]) -> dict[str, Any]:
    kind = provider["type"]
    for name in provider:
        if name != "type" and name not in FIELDS[kind]:
            raise invalid_request(
                f"Unrecognized request argument supplied: provider.{name} (not a field of a '{kind}' provider).",
                f"provider.{name}",
                "unknown_parameter",
            )
    for name in FIELDS[kind]:
        param = f"provider.{name}"
        value = provider.get(name)
        if not value:
            raise invalid_request(
                f"Missing required parameter: '{param}' (required for a '{kind}' provider).",
                param,
                "missing_required_parameter",
            )
        if (kind, name) in _PATTERNS:
            pattern, description = _PATTERNS[kind, name]
            if not re.match(pattern, value):
                raise invalid_request(f"Invalid '{param}': '{value}' is not {description}.", param, "invalid_value")
        elif name in _SHARED_PATTERNS:
            check_pattern(value, name, param)
    return {"type": kind, **{name: provider[name] for name in FIELDS[kind]}}


def _derived(kind: str, provider: dict[str, Any], project_id: str) -> dict[str, Any]:
    """The provider as the API answers it: what was sent, and what OpenAI derives from it."""
    answered = dict(provider)
    if kind == "aws":
        answered["account_id"] = provider["role_arn"].split(":")[4]
        answered["external_id"] = project_id
    if kind == "gcp":
        answered["audience"] = (
            f"//iam.googleapis.com/projects/{provider['workload_identity_project_number']}/locations/global/"
            f"workloadIdentityPools/{provider['workload_identity_pool_id']}/providers/"
            f"{provider['workload_identity_provider_id']}"
        )
    answered["region"] = _region(kind, provider)
    return answered


def _bucket(provider: dict[str, Any]) -> tuple[str, ...]:
    """What names one bucket of a provider: a second configuration of it in a project is refused."""
    if provider["type"] == "azure":
        return ("azure", provider["account_name"], provider["container"])
    return (provider["type"], provider["bucket"])


def create_configuration(
    org: Organization, principal: Principal, project_id: str, provider: dict[str, Any]
) -> dict[str, Any]:
    project = get_store().get(org.tenant, PROJECTS, project_id)
    if project is None:
        raise not_found("Project", project_id, "project_id")
    if project["status"] != "active":
        raise invalid_request(f"Project {project_id} is archived and cannot be modified.", "project_id")
    kind = provider["type"]
    answered = _derived(kind, _checked_provider(provider), project_id)
    geography = _geography(kind, answered["region"])
    if geography is None:
        raise invalid_request(
            f"Invalid 'provider.region': '{answered['region']}' is in no geography OpenAI stores data in.",
            "provider.region",
            "invalid_value",
        )
    for existing in _project_configurations(org, project_id):
        if _bucket(existing["provider"]) == _bucket(answered):
            raise invalid_request(
                f"Project {project_id} already stores in this bucket ({existing['id']}).",
                "provider",
                "duplicate_external_storage",
            )
    configuration = {
        "id": ids.new_id(CONFIGURATIONS),
        "object": CONFIGURATIONS,
        "created_at": clock.now_seconds(),
        "project_id": project_id,
        "provider": answered,
        "geography": geography,
        "status": "pending",
    }
    get_store().create(org.tenant, CONFIGURATIONS, configuration)
    audit_logs.record(
        org,
        principal,
        "external_storage.registered",
        {"id": configuration["id"], "data": {"geography": geography, "provider": answered}},
        project,
    )
    return configuration


def _project_configurations(org: Organization, project_id: str) -> list[dict[str, Any]]:
    return all_items(org.tenant, CONFIGURATIONS, where=lambda item: item["project_id"] == project_id)


def retrieve_configuration(org: Organization, configuration_id: str) -> dict[str, Any]:
    configuration = get_store().get(org.tenant, CONFIGURATIONS, configuration_id)
    if configuration is None:
        raise not_found("ExternalStorage", configuration_id, "external_storage_id")
    return configuration


def list_configurations(org: Organization, params: ListParams, project_id: str | None) -> dict[str, Any]:
    page = get_store().list(
        org.tenant,
        CONFIGURATIONS,
        limit=params.limit,
        order=params.order,
        after=params.after,
        where=None if project_id is None else (lambda item: item["project_id"] == project_id),
    )
    return list_object(page)


def delete_configuration(org: Organization, principal: Principal, configuration_id: str) -> dict[str, Any]:
    """The configuration disconnected (the bucket is left as it is). A deletion repeated answers the same.
    Removing a project's last configuration would restore the organization's default retention where
    customer-managed retention was active: the mock's retention settings (retention.py) have no such setting, so
    there is nothing to restore."""
    answer = {"object": f"{CONFIGURATIONS}.deleted", "id": configuration_id, "deleted": True}
    configuration = get_store().get(org.tenant, CONFIGURATIONS, configuration_id)
    if configuration is None:
        if get_store().get(org.tenant, _DELETED, configuration_id) is None:
            raise not_found("ExternalStorage", configuration_id, "external_storage_id")
        return answer
    try:
        get_store().create(org.tenant, _DELETED, {"id": configuration_id, "project_id": configuration["project_id"]})
    except ConflictError:  # a deletion at the same moment recorded it
        return answer
    get_store().delete(org.tenant, CONFIGURATIONS, configuration_id)
    project = get_store().get(org.tenant, PROJECTS, configuration["project_id"])
    audit_logs.record(org, principal, "external_storage.removed", {"id": configuration_id}, project)
    return answer


def validate_configuration(org: Organization, configuration_id: str) -> dict[str, Any]:
    """The configuration checked: the mock reaches no bucket, so it is `validated`."""
    retrieve_configuration(org, configuration_id)
    updated = get_store().update(
        org.tenant, CONFIGURATIONS, configuration_id, lambda current: {**current, "status": "validated"}
    )
    if updated is None:  # deleted meanwhile
        raise not_found("ExternalStorage", configuration_id, "external_storage_id")
    return updated

"""External keys and external storage on DynamoDB Local, as Lambda with EnablePersistence=true runs it: what one
container registers, another reads, lists, validates and deletes, and a third sees deleted (a repeated deletion
of a storage configuration answering as the first did)."""

from __future__ import annotations

import openai
import pytest

from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.org_sdk import org_client

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_keys_and_storage_across_containers(on_dynamodb_local: str, mock_app: TemplateRouter) -> None:
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Residency")
    key = admin.admin.organization.external_keys.create(
        type="azure", name="Key Vault", key_name="openai-master", tenant_id=TENANT_ID,
        vault_uri="https://acme-keys.vault.azure.net/", purpose="psp_decryption",
        key_version="0123456789abcdef0123456789abcdef",
    )  # fmt: skip
    configuration = admin.admin.organization.external_storage.create(
        project_id=project.id,
        provider={"type": "aws", "bucket": "acme-eu-west-1-data", "role_arn": "arn:aws:iam::210987654321:role/S"},
    )
    assert isinstance(get_store(), DynamoDBStore)

    reset_stores()  # another container
    keys, storage = admin.admin.organization.external_keys, admin.admin.organization.external_storage
    assert keys.retrieve(key.id).key_version == "0123456789abcdef0123456789abcdef"
    assert [item.id for item in keys.list(purpose="psp_decryption").data] == [key.id]
    assert keys.validate(key.id).status == "valid"
    assert storage.retrieve(configuration.id).geography == "EU"
    assert storage.validate(configuration.id).status == "validated"
    assert [item.id for item in storage.list(project_id=project.id).data] == [configuration.id]
    assert keys.delete(key.id).id == key.id
    first = storage.delete(configuration.id)

    reset_stores()  # a third
    with pytest.raises(openai.NotFoundError):
        keys.retrieve(key.id)
    with pytest.raises(openai.NotFoundError):
        storage.retrieve(configuration.id)
    assert storage.delete(configuration.id) == first and first.deleted
    removed = admin.admin.organization.audit_logs.list(event_types=["external_storage.removed"]).data
    assert len(removed) == 1

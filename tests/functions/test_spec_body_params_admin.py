"""Request properties the 2026-08-21 spec allows that the mock used to refuse as unrecognized, each sent through
the official SDK where it can send it: admin keys that expire, batch output files that expire, a project's external
key and residency, project members by email, service accounts without a key, users' profile fields and roles,
a vector store's description and file batches whose files each carry their own attributes and chunking. Every
answer is held to the spec and shows the effect; bad values are OpenAI's 400 naming the param."""

from __future__ import annotations

import io
import json
from typing import Any

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

NOW = 1_780_000_000
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE_ARN = "arn:aws:iam::123456789012:role/OpenAIKeyAccess"
AZURE_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
PROJECTS = "/v1/organization/projects"


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(NOW)


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _refused(error: openai.APIStatusError, status: int, param: str) -> dict[str, Any]:
    assert error.status_code == status
    body: dict[str, Any] = error.response.json()["error"]
    assert body["param"] == param, body
    assert body["type"] == "invalid_request_error"
    return body


# --------------------------------------------------------------------------- admin keys: expires_in_seconds


def test_an_admin_key_with_expires_in_seconds_shows_its_expiry_and_stops_working_then(
    admin: openai.OpenAI, mock_app: TemplateRouter
) -> None:
    keys = admin.admin.organization.admin_api_keys
    created = keys.with_raw_response.create(name="one hour", expires_in_seconds=3600).http_response.json()
    assert_conforms("POST", "/v1/organization/admin_api_keys", 200, created)
    assert (created["created_at"], created["expires_at"]) == (NOW, NOW + 3600)
    retrieved = keys.with_raw_response.retrieve(created["id"]).http_response.json()
    assert_conforms("GET", f"/v1/organization/admin_api_keys/{created['id']}", 200, retrieved)
    assert retrieved["expires_at"] == NOW + 3600

    temporary = org_client(mock_app, created["value"])
    clock.advance(3599)
    assert temporary.admin.organization.projects.list().data  # still an admin key of the organization
    clock.advance(1)
    with pytest.raises(openai.AuthenticationError) as refused:
        temporary.admin.organization.projects.list()
    assert refused.value.response.json()["error"]["code"] == "invalid_api_key"
    assert keys.retrieve(created["id"]).expires_at == NOW + 3600  # the key itself is still listed


def test_an_admin_key_without_expires_in_seconds_never_expires(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    created = admin.admin.organization.admin_api_keys.create(name="forever")
    assert created.expires_at is None
    clock.advance(10 * 365 * 86_400)
    assert created.value is not None
    assert org_client(mock_app, created.value).admin.organization.projects.list().data


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        (0, "integer_below_min_value"),
        (31_536_001, "integer_above_max_value"),
        ("soon", "invalid_type"),
        (True, "invalid_type"),
    ],
)
def test_admin_key_expires_in_seconds_out_of_range_is_refused(admin: openai.OpenAI, seconds: Any, code: str) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.admin.organization.admin_api_keys.create(name="bad", expires_in_seconds=seconds)
    assert _refused(refused.value, 400, "expires_in_seconds")["code"] == code
    assert admin.admin.organization.admin_api_keys.list().data == []


# --------------------------------------------------------------------------- batches: output_expires_after


def _chat_line(custom_id: str, model: str = "gpt-4o-mini") -> dict[str, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": "Hello"}]}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def _batch_input(client: openai.OpenAI) -> str:
    lines = [_chat_line("ok"), _chat_line("unknown-model", model="gpt-17")]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    return client.files.create(file=("requests.jsonl", data), purpose="batch").id


def test_batch_output_expires_after_sets_the_output_and_error_files_expiry(client: openai.OpenAI) -> None:
    raw = client.batches.with_raw_response.create(
        input_file_id=_batch_input(client),
        endpoint="/v1/chat/completions",
        completion_window="24h",
        output_expires_after={"anchor": "created_at", "seconds": 7200},
    )
    assert_conforms("POST", "/v1/batches", 200, raw.http_response.json())
    clock.advance(10)
    batch = client.batches.retrieve(raw.parse().id)
    assert batch.status == "completed" and batch.output_file_id and batch.error_file_id
    for file_id in (batch.output_file_id, batch.error_file_id):
        shown = client.files.with_raw_response.retrieve(file_id).http_response.json()
        assert_conforms("GET", f"/v1/files/{file_id}", 200, shown)
        assert shown["purpose"] == "batch_output"
        assert shown["expires_at"] == shown["created_at"] + 7200
    clock.advance(7200)
    with pytest.raises(openai.NotFoundError):  # expired files are gone, as on the real API
        client.files.retrieve(batch.output_file_id)
    assert client.batches.retrieve(batch.id).input_file_id  # the batch itself stays


def test_batch_output_files_without_a_policy_do_not_expire(client: openai.OpenAI) -> None:
    created = client.batches.create(
        input_file_id=_batch_input(client), endpoint="/v1/chat/completions", completion_window="24h"
    )
    clock.advance(10)
    output_file_id = client.batches.retrieve(created.id).output_file_id
    assert output_file_id is not None
    assert "expires_at" not in client.files.with_raw_response.retrieve(output_file_id).http_response.json()


@pytest.mark.parametrize(
    ("policy", "param"),
    [
        ({"anchor": "created_at", "seconds": 3599}, "output_expires_after.seconds"),
        ({"anchor": "created_at", "seconds": 2_592_001}, "output_expires_after.seconds"),
        ({"anchor": "last_active_at", "seconds": 7200}, "output_expires_after.anchor"),
        ({"anchor": "created_at"}, "output_expires_after.seconds"),
        ({"seconds": 7200}, "output_expires_after.anchor"),
        ({"anchor": "created_at", "seconds": True}, "output_expires_after.seconds"),
    ],
)
def test_bad_batch_output_expires_after_is_refused(client: openai.OpenAI, policy: Any, param: str) -> None:
    input_file_id = _batch_input(client)
    with pytest.raises(openai.BadRequestError) as refused:
        client.batches.create(
            input_file_id=input_file_id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            output_expires_after=policy,
        )
    _refused(refused.value, 400, param)
    assert client.batches.list().data == []


# --------------------------------------------------------------------------- projects: external_key_id, residency


def _org_id(admin: openai.OpenAI) -> str:
    return admin.admin.organization.projects.with_raw_response.list().headers["openai-organization"]


def _ekm_key(admin: openai.OpenAI) -> str:
    fields = {"type": "aws", "name": "KMS", "external_id": _org_id(admin), "kms_arn": KMS_ARN, "role_arn": ROLE_ARN}
    return admin.admin.organization.external_keys.create(**fields).id  # type: ignore[arg-type]


def test_a_project_created_with_an_external_key_and_residency_shows_both(admin: openai.OpenAI) -> None:
    key_id = _ekm_key(admin)
    raw = admin.admin.organization.projects.with_raw_response.create(
        name="EU payments", external_key_id=key_id, residency="EU_STORAGE_PROCESSING"
    )
    created = raw.http_response.json()
    assert_conforms("POST", PROJECTS, 200, created)
    assert (created["external_key_id"], created["residency"]) == (key_id, "EU_STORAGE_PROCESSING")
    shown = admin.admin.organization.projects.with_raw_response.retrieve(created["id"]).http_response.json()
    assert_conforms("GET", f"{PROJECTS}/{created['id']}", 200, shown)
    assert (shown["external_key_id"], shown["residency"], shown["name"]) == (
        key_id,
        "EU_STORAGE_PROCESSING",
        "EU payments",
    )
    listed = admin.admin.organization.projects.with_raw_response.list().http_response.json()
    assert [p["residency"] for p in listed["data"] if p["id"] == created["id"]] == ["EU_STORAGE_PROCESSING"]


def test_a_project_external_key_is_set_and_cleared_by_update(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Plain")
    key_id = _ekm_key(admin)
    raw = admin.admin.organization.projects.with_raw_response.update(project.id, external_key_id=key_id)
    updated = raw.http_response.json()
    assert_conforms("POST", f"{PROJECTS}/{project.id}", 200, updated)
    assert (updated["external_key_id"], updated["name"]) == (key_id, "Plain")  # the name stays
    cleared = admin.admin.organization.projects.with_raw_response.update(project.id, external_key_id=None)
    assert cleared.http_response.json()["external_key_id"] is None
    renamed = admin.admin.organization.projects.update(project.id, name="Renamed")
    assert renamed.name == "Renamed"


def test_an_unknown_external_key_is_404_naming_it(admin: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as refused:
        admin.admin.organization.projects.create(name="Nope", external_key_id="extkey_missing")
    _refused(refused.value, 404, "external_key_id")
    project = admin.admin.organization.projects.create(name="Exists")
    with pytest.raises(openai.NotFoundError) as refused_update:
        admin.admin.organization.projects.update(project.id, external_key_id="extkey_missing")
    _refused(refused_update.value, 404, "external_key_id")
    assert [p.name for p in admin.admin.organization.projects.list()] == ["Default Project", "Exists"]


def test_a_payment_decryption_key_cannot_encrypt_a_project(admin: openai.OpenAI) -> None:
    psp = admin.admin.organization.external_keys.create(
        type="azure",
        name="Payments",
        purpose="psp_decryption",
        key_name="payments",
        tenant_id=AZURE_TENANT,
        vault_uri="https://acme-keys.vault.azure.net/",
        key_version="0123456789abcdef0123456789abcdef",
    )  # type: ignore[call-arg]
    with pytest.raises(openai.BadRequestError) as refused:
        admin.admin.organization.projects.create(name="Nope", external_key_id=psp.id)
    assert _refused(refused.value, 400, "external_key_id")["code"] == "invalid_value"


def test_an_unknown_residency_is_refused(admin: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.admin.organization.projects.create(name="Mars", residency="MARS_STORAGE")  # type: ignore[arg-type]
    assert _refused(refused.value, 400, "residency")["code"] == "invalid_value"


# --------------------------------------------------------------------------- project users by email


def _colleague(admin: openai.OpenAI) -> dict[str, Any]:
    users = admin.admin.organization.users.list().data
    return next(user.model_dump() for user in users if user.email == "elena.petrova@example.com")


def test_a_project_member_is_added_by_email(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="By email")
    elena = _colleague(admin)
    raw = admin.admin.organization.projects.users.with_raw_response.create(
        project.id, role="member", email="Elena.Petrova@example.com"
    )
    member = raw.http_response.json()
    assert_conforms("POST", f"{PROJECTS}/{project.id}/users", 200, member)
    assert (member["id"], member["email"], member["role"]) == (elena["id"], elena["email"], "member")
    assert [u.id for u in admin.admin.organization.projects.users.list(project.id)] == [elena["id"]]


@pytest.mark.parametrize(
    ("fields", "status", "param", "code"),
    [
        ({"email": "nobody@example.com"}, 404, "email", None),
        ({"email": "elena.petrova@example.com", "user_id": "user-x"}, 400, "email", "invalid_value"),
        ({}, 400, "user_id", "missing_required_parameter"),
        ({"email": ""}, 400, "email", "string_below_min_length"),
    ],
)
def test_project_member_by_bad_email_is_refused(
    admin: openai.OpenAI, fields: dict[str, Any], status: int, param: str, code: str | None
) -> None:
    project = admin.admin.organization.projects.create(name="Refusals")
    with pytest.raises(openai.APIStatusError) as refused:
        admin.admin.organization.projects.users.create(project.id, role="member", **fields)
    assert _refused(refused.value, status, param)["code"] == code
    assert admin.admin.organization.projects.users.list(project.id).data == []


# --------------------------------------------------------------------------- service accounts without a key


def test_a_service_account_created_alone_has_no_api_key(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Robots")
    accounts = admin.admin.organization.projects.service_accounts
    raw = accounts.with_raw_response.create(project.id, name="deployer", create_service_account_only=True)
    created = raw.http_response.json()
    assert_conforms("POST", f"{PROJECTS}/{project.id}/service_accounts", 200, created)
    assert created["api_key"] is None and created["name"] == "deployer"
    assert accounts.retrieve(created["id"], project_id=project.id).name == "deployer"
    assert admin.admin.organization.projects.api_keys.list(project.id).data == []

    with_key = accounts.create(project.id, name="worker", create_service_account_only=False)
    assert with_key.api_key is not None and with_key.api_key.value
    assert [k.id for k in admin.admin.organization.projects.api_keys.list(project.id)] == [with_key.api_key.id]


def test_create_service_account_only_must_be_a_boolean(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Strict robots")
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post(
            f"/organization/projects/{project.id}/service_accounts",
            body={"name": "x", "create_service_account_only": "yes"},
            cast_to=object,
        )
    assert _refused(refused.value, 400, "create_service_account_only")["code"] == "invalid_type"
    assert admin.admin.organization.projects.service_accounts.list(project.id).data == []


# --------------------------------------------------------------------------- users: profile fields and role_id


def test_a_users_profile_fields_are_stored_and_shown(admin: openai.OpenAI) -> None:
    elena = _colleague(admin)
    users = admin.admin.organization.users
    raw = users.with_raw_response.update(elena["id"], developer_persona="backend", technical_level="expert")
    updated = raw.http_response.json()
    assert_conforms("POST", f"/v1/organization/users/{elena['id']}", 200, updated)
    assert (updated["developer_persona"], updated["technical_level"], updated["role"]) == (
        "backend",
        "expert",
        "reader",
    )
    shown = users.with_raw_response.retrieve(elena["id"]).http_response.json()
    assert_conforms("GET", f"/v1/organization/users/{elena['id']}", 200, shown)
    assert (shown["developer_persona"], shown["technical_level"]) == ("backend", "expert")
    cleared = users.with_raw_response.update(elena["id"], technical_level=None).http_response.json()
    assert (cleared["developer_persona"], cleared["technical_level"]) == ("backend", None)


def test_role_id_of_a_predefined_role_sets_the_users_role(admin: openai.OpenAI) -> None:
    elena = _colleague(admin)
    owner_role = next(role for role in admin.admin.organization.roles.list() if role.name == "Owner")
    updated = admin.admin.organization.users.update(elena["id"], role_id=owner_role.id)
    assert updated.role == "owner"
    held = [role.id for role in admin.admin.organization.users.roles.list(elena["id"])]
    assert owner_role.id in held


def test_role_id_of_a_custom_role_is_assigned_to_the_user(admin: openai.OpenAI) -> None:
    elena = _colleague(admin)
    custom = admin.admin.organization.roles.create(role_name="Group Admin", permissions=["api.groups.read"])
    updated = admin.admin.organization.users.update(elena["id"], role_id=custom.id)
    assert updated.role == "reader"  # a custom role comes besides the user's own
    held = admin.admin.organization.users.roles.retrieve(custom.id, user_id=elena["id"])
    assert held.id == custom.id


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"role_id": "role_missing"}, "role_id", "invalid_role"),
        ({"developer_persona": 7}, "developer_persona", "invalid_type"),
        ({}, "role", "missing_required_parameter"),
        ({"role": "admin"}, "role", "invalid_value"),
    ],
)
def test_bad_user_updates_are_refused(admin: openai.OpenAI, fields: dict[str, Any], param: str, code: str) -> None:
    elena = _colleague(admin)
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post(f"/organization/users/{elena['id']}", body=fields, cast_to=object)
    assert _refused(refused.value, 400, param)["code"] == code
    assert admin.admin.organization.users.retrieve(elena["id"]).role == "reader"


# --------------------------------------------------------------------------- vector stores


def _upload(client: openai.OpenAI, name: str, text: str) -> str:
    return client.files.create(file=(name, io.BytesIO(text.encode())), purpose="assistants").id


def test_a_vector_stores_description_is_stored_and_shown(client: openai.OpenAI) -> None:
    raw = client.vector_stores.with_raw_response.create(name="Docs", description="Product manuals, 2026 edition")
    created = raw.http_response.json()
    assert_conforms("POST", "/v1/vector_stores", 200, created)
    assert created["description"] == "Product manuals, 2026 edition"
    shown = client.vector_stores.with_raw_response.retrieve(created["id"]).http_response.json()
    assert shown["description"] == "Product manuals, 2026 edition"
    listed = client.vector_stores.with_raw_response.list().http_response.json()
    assert [store["description"] for store in listed["data"]] == ["Product manuals, 2026 edition"]


def test_a_file_batch_attaches_each_file_with_its_own_attributes_and_chunking(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="Mixed")
    english = _upload(client, "en.txt", "Cats sleep most of the day. " * 40)
    french = _upload(client, "fr.txt", "Les chats dorment beaucoup. " * 40)
    static = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}}
    raw = client.vector_stores.file_batches.with_raw_response.create(
        store.id,
        files=[
            {"file_id": english, "attributes": {"lang": "en", "pages": 3}, "chunking_strategy": static},
            {"file_id": french, "attributes": {"lang": "fr"}},
        ],
        attributes={"ignored": True},
    )
    batch = raw.http_response.json()
    assert_conforms("POST", f"/v1/vector_stores/{store.id}/file_batches", 200, batch)
    assert batch["file_counts"]["total"] == 2
    attached = {
        record["id"]: record
        for record in client.vector_stores.files.with_raw_response.list(store.id).http_response.json()["data"]
    }
    assert attached[english]["attributes"] == {"lang": "en", "pages": 3}
    assert attached[english]["chunking_strategy"] == static
    assert attached[french]["attributes"] == {"lang": "fr"}
    assert attached[french]["chunking_strategy"]["static"]["max_chunk_size_tokens"] == 800  # auto's
    in_batch = client.vector_stores.file_batches.list_files(batch["id"], vector_store_id=store.id)
    assert sorted(f.id for f in in_batch) == sorted([english, french])


@pytest.mark.parametrize(
    ("body", "status", "param", "code"),
    [
        ({"files": []}, 400, "files", "empty_array"),
        ({"files": [{"file_id": "FILE"}], "file_ids": ["FILE"]}, 400, "files", "mutually_exclusive_parameters"),
        ({"files": [{"file_id": "FILE"}, {"file_id": "file-missing"}]}, 404, "files[1].file_id", None),
        (
            {"files": [{"file_id": "FILE", "chunking_strategy": {"type": "static"}}]},
            400,
            "files[0].chunking_strategy.static",
            "missing_required_parameter",
        ),
        ({"files": [{"file_id": "FILE", "attributes": {"k": ["list"]}}]}, 400, "files[0].attributes.k", None),
        ({"files": [{"attributes": {}}]}, 400, "files[0].file_id", "missing_required_parameter"),
        ({}, 400, "file_ids", "missing_required_parameter"),
    ],
)
def test_bad_file_batch_files_are_refused_naming_the_param(
    mock_app: TemplateRouter, body: dict[str, Any], status: int, param: str, code: str | None
) -> None:
    client = asgi_client(mock_app)
    store = client.vector_stores.create(name="Strict")
    file_id = _upload(client, "a.txt", "Some text.")
    filled = json.loads(json.dumps(body).replace('"FILE"', json.dumps(file_id)))
    with pytest.raises(openai.APIStatusError) as refused:
        client.post(f"/vector_stores/{store.id}/file_batches", body=filled, cast_to=object)
    error = refused.value.response.json()["error"]
    assert (refused.value.status_code, error["param"]) == (status, param), error
    if code is not None:
        assert error["code"] == code
    assert client.vector_stores.files.list(store.id).data == []  # nothing attached

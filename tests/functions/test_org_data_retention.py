"""Data retention through the official SDK (`admin.organization.data_retention`,
`…projects.data_retention`), and honoured by the model endpoints: under zero data retention `store: true`
is ignored (nothing is kept, nothing can be retrieved or continued) and background mode is refused; under the
other settings stored responses and chat completions expire after 30 days of the tenant's clock."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from functions.data_retention import app as data_retention_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from tests.support.org_sdk import ADMIN_KEY, org_client, org_lambda_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
ORG = "/v1/organization"
NOW = 1_780_000_000
DAY = 86_400


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(NOW)
    return org_client(mock_app)


@pytest.fixture
def project_app(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, openai.OpenAI]:
    project = admin.admin.organization.projects.create(name="Retention")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    return project.id, asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]


def _json(raw: Any) -> dict[str, Any]:
    return raw.http_response.json()  # type: ignore[no-any-return]


def _ask(app: openai.OpenAI, **options: Any) -> Any:
    return app.responses.create(model="gpt-4o-mini", input="Name a colour.", **options)


def test_organization_and_project_settings(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    got = _json(org.data_retention.with_raw_response.retrieve())
    assert_conforms("GET", f"{ORG}/data_retention", 200, got, spec=SPEC)
    assert got == {"object": "organization.data_retention", "type": "modified_abuse_monitoring"}
    updated = _json(org.data_retention.with_raw_response.update(retention_type="zero_data_retention"))
    assert_conforms("POST", f"{ORG}/data_retention", 200, updated, spec=SPEC)
    assert org.data_retention.retrieve().type == "zero_data_retention"

    project = org.projects.create(name="Own setting")
    P = f"{ORG}/projects/{project.id}/data_retention"
    default = _json(org.projects.data_retention.with_raw_response.retrieve(project.id))
    assert_conforms("GET", P, 200, default, spec=SPEC)
    assert default == {"object": "project.data_retention", "type": "organization_default"}
    own = _json(org.projects.data_retention.with_raw_response.update(project.id, retention_type="none"))
    assert_conforms("POST", P, 200, own, spec=SPEC)
    assert org.projects.data_retention.retrieve(project.id).type == "none"

    events = [e.to_dict() for e in org.audit_logs.list(event_types=["organization.updated", "project.updated"]).data]
    assert events[0]["project.updated"] == {"id": project.id, "changes_requested": {"data_retention": "none"}}
    assert events[0]["project"]["id"] == project.id
    assert events[-1]["organization.updated"]["changes_requested"] == {"data_retention": "zero_data_retention"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/organization/data_retention", {"retention_type": "none"}),  # a project-only value
        ("/organization/data_retention", {"retention_type": "forever"}),
        ("/organization/data_retention", {}),
        ("/organization/data_retention", {"retention_type": 30}),
    ],
)
def test_bad_settings_are_400_naming_retention_type(admin: openai.OpenAI, path: str, body: dict[str, Any]) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        admin.post(path, body=body, cast_to=object)
    assert refused.value.body["param"] == "retention_type"  # type: ignore[index]
    assert admin.admin.organization.data_retention.retrieve().type == "modified_abuse_monitoring"


def test_unknown_and_archived_projects(admin: openai.OpenAI) -> None:
    org = admin.admin.organization
    with pytest.raises(openai.NotFoundError):
        org.projects.data_retention.retrieve("proj_missing")
    project = org.projects.create(name="Old")
    org.projects.archive(project.id)
    with pytest.raises(openai.BadRequestError):
        org.projects.data_retention.update(project.id, retention_type="zero_data_retention")


def test_zero_retention_ignores_store_and_refuses_background(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI]
) -> None:
    _, app = project_app
    kept = _ask(app)
    assert kept.store is True and app.responses.retrieve(kept.id).id == kept.id  # before: stored as usual

    admin.admin.organization.data_retention.update(retention_type="zero_data_retention")
    answer = _ask(app, store=True)
    assert answer.store is False and answer.output_text
    with pytest.raises(openai.NotFoundError):
        app.responses.retrieve(answer.id)
    with pytest.raises(openai.NotFoundError) as continued:
        _ask(app, previous_response_id=answer.id)
    assert continued.value.body["param"] == "previous_response_id"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as background:
        _ask(app, background=True)
    assert background.value.body["param"] == "background"  # type: ignore[index]

    completion = app.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}], store=True
    )
    assert completion.choices[0].message.content
    with pytest.raises(openai.NotFoundError):
        app.chat.completions.retrieve(completion.id)
    assert app.chat.completions.list().data == []


def test_a_project_setting_overrides_the_organizations(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI]
) -> None:
    project_id, app = project_app
    org = admin.admin.organization
    org.data_retention.update(retention_type="enhanced_zero_data_retention")
    org.projects.data_retention.update(project_id, retention_type="none")
    answer = _ask(app)
    assert answer.store is True and app.responses.retrieve(answer.id).id == answer.id
    org.projects.data_retention.update(project_id, retention_type="zero_data_retention")
    org.data_retention.update(retention_type="modified_abuse_monitoring")
    assert _ask(app).store is False  # the project's own zero retention wins


def test_stored_objects_expire_after_30_days_of_the_tenants_clock(
    admin: openai.OpenAI, project_app: tuple[str, openai.OpenAI], mock_app: TemplateRouter
) -> None:
    _, app = project_app
    answer = _ask(app)
    completion = app.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Keep me"}], store=True
    )
    controls = TestClient(mock_app, base_url="http://testserver")
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}  # the organization's tenant: its clock is the project's
    assert controls.post("/__mock/clock", json={"advance_seconds": 29 * DAY}, headers=headers).status_code == 200
    assert app.responses.retrieve(answer.id).id == answer.id
    assert app.chat.completions.retrieve(completion.id).id == completion.id
    assert controls.post("/__mock/clock", json={"advance_seconds": DAY}, headers=headers).status_code == 200
    with pytest.raises(openai.NotFoundError):
        app.responses.retrieve(answer.id)
    with pytest.raises(openai.NotFoundError):
        app.chat.completions.retrieve(completion.id)
    assert app.chat.completions.list().data == []


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(data_retention_function.handler, version, "sk-admin-lambda-retention")  # type: ignore[arg-type]
    assert sdk.admin.organization.data_retention.update(retention_type="zero_data_retention").type == (
        "zero_data_retention"
    )
    assert sdk.admin.organization.data_retention.retrieve().type == "zero_data_retention"

"""What openai 3.63 sends to the Administration API and to Realtime transcription sessions beyond the 2026-08-21
spec, through the official SDK: a project's deprecated `geography` (the residency it stands for, restated but never
changed by an update), a new service account's first key with `expires_in_seconds` and `spend_limit`, the
`owner_project_access` filter of a project's key list, and a transcription session's `modalities`. Answers are
held to the SDK's models (strict) and to the spec where it has the operation."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.admin.organization.project import Project
from openai.types.admin.organization.projects.project_api_key import ProjectAPIKey
from openai.types.admin.organization.projects.service_account_create_response import ServiceAccountCreateResponse
from openai.types.beta.realtime.transcription_session import TranscriptionSession
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.functions.test_org_roles import new_user
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.sdk import asgi_client, held
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
P = "/v1/organization/projects"
MAY_20 = 1_779_235_200  # 2026-05-20T00:00:00Z
LIMIT = {"threshold_amount": 1, "currency": "USD", "interval": "month"}  # one cent
CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(MAY_20)
    ratelimits.reset()
    return org_client(mock_app)


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    return raised.value.body  # type: ignore[return-value]


def _audit(admin: openai.OpenAI, event_type: str) -> dict[str, Any]:
    [event] = admin.admin.organization.audit_logs.list(event_types=[event_type], limit=1).data  # type: ignore[list-item]
    details = event.to_dict()[event_type]
    assert isinstance(details, dict)
    return details


# --- a project's geography ---------------------------------------------------------------------------


def test_a_project_created_in_a_geography_resides_there(admin: openai.OpenAI) -> None:
    projects = admin.admin.organization.projects
    created = held(Project, projects.with_raw_response.create(name="EU payments", geography="EU"))
    assert_conforms("POST", P, 200, created, spec=SPEC)
    assert (created["name"], created["residency"]) == ("EU payments", "EU_STORAGE_PROCESSING")
    assert projects.retrieve(created["id"]).residency == "EU_STORAGE_PROCESSING"
    tokyo = projects.create(name="Tokyo", geography="JP")
    assert tokyo.residency == "JP_STORAGE"  # Japan stores there; processing is not regional
    assert _audit(admin, "project.created") == {
        "id": tokyo.id,
        "data": {"name": "Tokyo", "title": "Tokyo", "residency": "JP_STORAGE", "geography": "JP"},
    }

    with pytest.raises(openai.BadRequestError) as both:
        projects.create(name="Both", geography="EU", residency="EU_STORAGE_PROCESSING")
    assert (_error(both)["param"], _error(both)["type"]) == ("geography", "invalid_request_error")
    with pytest.raises(openai.BadRequestError) as unknown:
        projects.create(name="Moon base", geography="MOON")
    assert _error(unknown)["param"] == "geography" and "'MOON'" in _error(unknown)["message"]
    assert "Moon base" not in {project.name for project in projects.list()}


def test_a_projects_geography_is_restated_never_changed(admin: openai.OpenAI) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Frankfurt", geography="EU")
    renamed = held(Project, projects.with_raw_response.update(project.id, name="Frankfurt 2", geography="EU"))
    assert_conforms("POST", f"{P}/{project.id}", 200, renamed, spec=SPEC)
    assert (renamed["name"], renamed["residency"]) == ("Frankfurt 2", "EU_STORAGE_PROCESSING")
    assert "geography" not in renamed  # the project shows its residency, as the SDK's Project does
    assert _audit(admin, "project.updated") == {
        "id": project.id,
        "changes_requested": {"title": "Frankfurt 2", "geography": "EU"},
    }

    with pytest.raises(openai.BadRequestError) as moved:
        projects.update(project.id, name="Virginia", geography="US")
    assert _error(moved)["param"] == "geography" and "'EU'" in _error(moved)["message"]
    assert projects.retrieve(project.id).name == "Frankfurt 2"  # nothing of a refused update is applied
    plain = projects.create(name="Anywhere")
    with pytest.raises(openai.BadRequestError) as later:
        projects.update(plain.id, geography="US")  # residency is chosen when a project is created
    assert _error(later)["param"] == "geography" and "without data residency" in _error(later)["message"]
    with pytest.raises(openai.BadRequestError) as unknown:
        projects.update(project.id, geography="eu")
    assert _error(unknown)["param"] == "geography"
    kept = projects.update(project.id, geography=None)  # null: nothing to restate
    assert (kept.name, kept.residency) == ("Frankfurt 2", "EU_STORAGE_PROCESSING")


# --- a new service account's first key ---------------------------------------------------------------


def test_a_service_accounts_first_key_expires(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Nightly")
    created = held(
        ServiceAccountCreateResponse,
        projects.service_accounts.with_raw_response.create(project.id, name="ci", expires_in_seconds=3_600),
    )
    assert_conforms("POST", f"{P}/{project.id}/service_accounts", 200, created, spec=SPEC)
    key = created["api_key"]
    assert (key["expires_at"], key["spend_limit"]) == (MAY_20 + 3_600, None)
    [listed] = projects.api_keys.list(project.id).data
    assert (listed.id, listed.expires_at) == (key["id"], MAY_20 + 3_600)
    app = asgi_client(mock_app, api_key=key["value"])
    assert app.models.list().data
    clock.advance(3_600)
    with pytest.raises(openai.AuthenticationError):
        app.models.list()

    plain = projects.service_accounts.create(project.id, name="forever")
    assert plain.api_key is not None and plain.api_key.expires_at is None


def test_a_service_accounts_first_key_has_its_spend_limit(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Metered")
    created = held(
        ServiceAccountCreateResponse,
        projects.service_accounts.with_raw_response.create(project.id, name="app", spend_limit=LIMIT),  # type: ignore[arg-type]
    )
    key = created["api_key"]
    assert (key["expires_at"], key["spend_limit"]) == (None, {**LIMIT, "enforcement": {"status": "inactive"}})
    app = asgi_client(mock_app, api_key=key["value"])
    # One DALL·E 3 image costs 4 cents at list price: past the key's one cent, its model requests are refused.
    app.images.generate(model="dall-e-3", prompt="A lighthouse", size="1024x1024", response_format="b64_json")
    with pytest.raises(openai.RateLimitError) as blocked:
        app.chat.completions.create(**CHAT)
    assert _error(blocked)["code"] == "insufficient_quota"
    shown = projects.api_keys.retrieve(key["id"], project_id=project.id).spend_limit
    assert shown is not None and (shown.threshold_amount, shown.enforcement.status) == (1, "enforcing")
    other = projects.service_accounts.create(project.id, name="other").api_key
    assert other is not None and other.spend_limit is None
    assert asgi_client(mock_app, api_key=other.value).chat.completions.create(**CHAT).choices  # not its limit


def test_a_first_keys_options_need_a_first_key(admin: openai.OpenAI) -> None:
    accounts = admin.admin.organization.projects.service_accounts
    project_id = admin.admin.organization.projects.create(name="Checked").id
    cases: list[tuple[dict[str, Any], str]] = [
        ({"create_service_account_only": True, "expires_in_seconds": 60}, "expires_in_seconds"),
        ({"create_service_account_only": True, "spend_limit": LIMIT}, "spend_limit"),
        ({"expires_in_seconds": 0}, "expires_in_seconds"),
        ({"spend_limit": {**LIMIT, "threshold_amount": 0}}, "spend_limit.threshold_amount"),
        ({"spend_limit": {**LIMIT, "currency": "EUR"}}, "spend_limit.currency"),
        ({"spend_limit": {**LIMIT, "interval": "week"}}, "spend_limit.interval"),
    ]
    for options, param in cases:
        with pytest.raises(openai.BadRequestError) as bad:
            accounts.create(project_id, name="bot", **options)
        assert (_error(bad)["param"], _error(bad)["type"]) == (param, "invalid_request_error"), options
    assert accounts.list(project_id).data == []  # a refused creation leaves no account behind
    only = accounts.create(project_id, name="bare", create_service_account_only=True, expires_in_seconds=None)
    assert only.api_key is None


# --- owner_project_access ----------------------------------------------------------------------------


def _user_key(http: TestClient, project_id: str, user_id: str) -> tuple[str, str]:
    """A project user's own key (the mock control for the dashboard's "Create new secret key")."""
    answer = http.post(
        "/__mock/project_api_keys",
        json={"project_id": project_id, "user_id": user_id},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["id"], answer.json()["value"]


def test_owner_project_access_filters_a_projects_keys(
    admin: openai.OpenAI, mock_app: TemplateRouter, http: TestClient
) -> None:
    projects = admin.admin.organization.projects
    project = projects.create(name="Team")
    account = projects.service_accounts.create(project.id, name="bot").api_key
    assert account is not None
    stays, leaves, regroups = (new_user(admin, f"{name}@example.org") for name in ("ana", "ben", "cho"))
    for user_id in (stays, leaves, regroups):
        projects.users.create(project.id, user_id=user_id, role="member")
    stays_key, _ = _user_key(http, project.id, stays)
    leaves_key, leaves_secret = _user_key(http, project.id, leaves)
    regroups_key, regroups_secret = _user_key(http, project.id, regroups)
    # Ben leaves the project; Cho leaves it too but keeps access through a group added to it.
    projects.users.delete(leaves, project_id=project.id)
    group = admin.admin.organization.groups.create(name="Builders")
    admin.admin.organization.groups.users.create(group.id, user_id=regroups)
    projects.groups.create(project.id, group_id=group.id, role="member")
    projects.users.delete(regroups, project_id=project.id)

    def listed(**query: Any) -> dict[str, str]:
        raw = projects.api_keys.with_raw_response.list(project.id, **query)
        body: dict[str, Any] = raw.http_response.json()
        assert_conforms("GET", f"{P}/{project.id}/api_keys", 200, body, spec=SPEC)
        for key in body["data"]:
            ProjectAPIKey.model_validate(key, strict=True)
        return {key["id"]: key["owner_project_access"] for key in body["data"]}

    everyone = {account.id: "active", stays_key: "active", leaves_key: "inactive", regroups_key: "active"}
    assert listed(owner_project_access="any") == everyone
    assert listed(owner_project_access="active") == {k: v for k, v in everyone.items() if v == "active"}
    assert listed(owner_project_access="inactive") == {leaves_key: "inactive"}
    assert listed() == {account.id: "active", stays_key: "active"}  # the project's own members' keys
    assert projects.api_keys.retrieve(leaves_key, project_id=project.id).owner_project_access == "inactive"
    # What the field says is what the keys can do.
    with pytest.raises(openai.PermissionDeniedError):
        asgi_client(mock_app, api_key=leaves_secret).chat.completions.create(**CHAT)
    assert asgi_client(mock_app, api_key=regroups_secret).chat.completions.create(**CHAT).choices
    # Back in the project: active again.
    projects.users.create(project.id, user_id=leaves, role="member")
    assert listed(owner_project_access="inactive") == {}

    with pytest.raises(openai.BadRequestError) as bad:
        projects.api_keys.list(project.id, owner_project_access="all")  # type: ignore[arg-type]
    assert _error(bad)["param"] == "owner_project_access"


# --- a transcription session's modalities -----------------------------------------------------------


def test_a_transcription_session_shows_its_modalities(client: openai.OpenAI) -> None:
    sessions = client.beta.realtime.transcription_sessions
    both = held(TranscriptionSession, sessions.with_raw_response.create(modalities=["audio", "text"]))
    assert_conforms("POST", "/v1/realtime/transcription_sessions", 200, both, spec=SPEC)
    assert both["modalities"] == ["audio", "text"] and both["client_secret"]["value"].startswith("ek_")
    assert sessions.create(modalities=["text"]).modalities == ["text"]
    assert sessions.create().modalities == ["text"]  # text unless told otherwise
    for modalities, param in ((["audio"], "modalities"), (["text", "video"], "modalities[1]")):
        with pytest.raises(openai.BadRequestError) as bad:
            sessions.create(modalities=modalities)  # type: ignore[arg-type]
        assert _error(bad)["param"] == param, json.dumps(modalities)

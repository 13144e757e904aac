"""Service tiers: a project's service tier settings through the official SDK
(`admin.organization.projects.service_tier_settings`, operations the API gained after the 2026-08-21 spec, held
to the SDK's model), and the tier a request runs in: every `service_tier` the spec offers is taken (Fast mode shows
as `priority`), `auto` is the project's default, and an optional tier the project has not enabled is served in the
default one."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization.projects.project_service_tier_settings import ProjectServiceTierSettings

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

MESSAGES: Any = [{"role": "user", "content": "Hi there."}]


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    ratelimits.reset()
    return org_client(mock_app)


def _settings(raw: Any) -> dict[str, Any]:
    body: dict[str, Any] = raw.http_response.json()
    ProjectServiceTierSettings.model_validate(body, strict=True)
    return body


def _project_app(admin: openai.OpenAI, mock_app: TemplateRouter) -> tuple[str, openai.OpenAI]:
    project = admin.admin.organization.projects.create(name="Tiers")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    return project.id, asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]


def _chat_tier(app: openai.OpenAI, **options: Any) -> str | None:
    raw = app.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MESSAGES, **options)
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/chat/completions", 200, body, spec="2026-08-21")
    return body["service_tier"]  # type: ignore[no-any-return]


def _response_tier(app: openai.OpenAI, **options: Any) -> str | None:
    raw = app.responses.with_raw_response.create(model="gpt-4o-mini", input="Hi there.", **options)
    body = raw.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, body, spec="2026-08-21")
    return body["service_tier"]  # type: ignore[no-any-return]


def test_every_tier_the_spec_offers_is_taken(client: openai.OpenAI) -> None:
    served = {
        tier: _chat_tier(client, service_tier=tier) for tier in ("auto", "default", "flex", "scale", "priority", "fast")
    }
    assert served == {
        "auto": "default",
        "default": "default",
        "flex": "flex",
        "scale": "default",  # no Scale Tier units: the default tier
        "priority": "priority",
        "fast": "priority",  # Fast mode shows as priority
    }
    assert _chat_tier(client) == "default"
    assert _response_tier(client, service_tier="fast") == "priority"
    assert _response_tier(client, service_tier="ultrafast") == "default"  # access-controlled
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, service_tier="ultrafast")  # type: ignore[arg-type]
    assert bad.value.body["param"] == "service_tier"  # type: ignore[index]


def test_settings_start_standard_with_every_tier_and_change(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _ = _project_app(admin, mock_app)
    settings = admin.admin.organization.projects.service_tier_settings
    assert _settings(settings.with_raw_response.retrieve(project_id)) == {
        "object": "project.service_tier_settings",
        "default": "standard",
        "enabled_tiers": "all",
    }
    changed = _settings(settings.with_raw_response.update(project_id, default="fast"))
    assert (changed["default"], changed["enabled_tiers"]) == ("fast", "all")
    narrowed = _settings(settings.with_raw_response.update(project_id, enabled_tiers=["flex", "flex"]))
    assert (narrowed["default"], narrowed["enabled_tiers"]) == ("fast", ["flex"])  # what is not sent stays
    assert settings.retrieve(project_id).enabled_tiers == ["flex"]

    [event] = admin.admin.organization.audit_logs.list(event_types=["project.updated"], limit=1).data
    assert event.to_dict()["project.updated"] == {
        "id": project_id,
        "changes_requested": {"service_tier_settings": {"enabled_tiers": ["flex"]}},
    }


def test_a_project_key_runs_in_its_projects_tiers(
    admin: openai.OpenAI, mock_app: TemplateRouter, client: openai.OpenAI
) -> None:
    project_id, app = _project_app(admin, mock_app)
    settings = admin.admin.organization.projects.service_tier_settings
    settings.update(project_id, default="fast")
    assert _chat_tier(app) == "priority"  # no service_tier: the project's default
    assert _chat_tier(app, service_tier="auto") == "priority"
    assert _response_tier(app) == "priority"
    assert _chat_tier(app, service_tier="default") == "default"  # asked for: served
    assert _chat_tier(client) == "default"  # a key outside the project is not bound

    settings.update(project_id, enabled_tiers=["flex"])  # fast no longer enabled: its default falls back
    assert _chat_tier(app) == "default"
    assert _chat_tier(app, service_tier="priority") == "default"
    assert _chat_tier(app, service_tier="flex") == "flex"
    settings.update(project_id, enabled_tiers=[], default="standard")  # Standard only
    assert _response_tier(app, service_tier="flex") == "default"
    settings.update(project_id, enabled_tiers="all")
    assert _response_tier(app, service_tier="flex") == "flex"


def test_bad_settings_name_their_parameter(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _ = _project_app(admin, mock_app)
    path = f"/organization/projects/{project_id}/service_tier_settings"
    cases = [
        ({"default": "turbo"}, "default"),
        ({"default": "flex"}, "default"),  # an optional tier is no default
        ({"enabled_tiers": "some"}, "enabled_tiers"),
        ({"enabled_tiers": ["flex", "standard"]}, "enabled_tiers[1]"),
        ({"tiers": "all"}, "tiers"),
    ]
    for body, param in cases:
        with pytest.raises(openai.BadRequestError) as bad:
            admin.post(path, body=body, cast_to=object)
        assert bad.value.body["param"] == param, body  # type: ignore[index]
    assert admin.admin.organization.projects.service_tier_settings.retrieve(project_id).default == "standard"
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.projects.service_tier_settings.retrieve("proj_missing")


def test_completions_usage_groups_by_the_tier_that_served(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    clock.freeze(1_780_000_000)
    _, app = _project_app(admin, mock_app)
    _chat_tier(app, service_tier="flex")
    _chat_tier(app, service_tier="fast")
    _chat_tier(app)
    _response_tier(app)
    raw = admin.admin.organization.usage.with_raw_response.completions(
        start_time=1_780_000_000 - 3_600, group_by=["service_tier", "api_source"]
    )
    page = raw.http_response.json()
    assert_conforms("GET", "/v1/organization/usage/completions", 200, page, spec="2026-08-21")
    by_tier = {
        (result["service_tier"], result["api_source"]): result["num_model_requests"]
        for bucket in page["data"]
        for result in bucket["results"]
    }
    assert by_tier == {("flex", "unlabeled"): 1, ("priority", "unlabeled"): 1, ("default", "unlabeled"): 2}

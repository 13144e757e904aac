"""Updating a project API key through the official SDK (`admin.organization.projects.api_keys.update`), an
operation the API gained after the 2026-08-21 spec: its scopes (a restricted key is refused what they do not
grant, at once), its expiry (from the update on) and its monthly hard spend limit (the key's own model requests
answer 429 `insufficient_quota` once its month's spend reaches it; the project's other keys go on). Answers are
held to the SDK's model of a key (strict) and, for the spec's part of it, to the 2026-08-21 spec."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types.admin.organization.projects.project_api_key import ProjectAPIKey

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
P = "/v1/organization/projects"
MAY_20 = 1_779_235_200  # 2026-05-20T00:00:00Z
LIMIT = {"threshold_amount": 10, "currency": "USD", "interval": "month"}  # 10 cents


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(MAY_20)
    ratelimits.reset()
    return org_client(mock_app)


@pytest.fixture
def project(admin: openai.OpenAI) -> str:
    return admin.admin.organization.projects.create(name="Restricted").id


def _new_key(admin: openai.OpenAI, project_id: str, **options: Any) -> tuple[str, str]:
    """A new service account's extra key in the project: (its id, its secret)."""
    account = admin.admin.organization.projects.service_accounts.create(project_id, name="app")
    key = admin.admin.organization.projects.service_accounts.api_keys.create(
        account.id, project_id=project_id, **options
    )
    return key.id, key.value


def _update(admin: openai.OpenAI, project_id: str, key_id: str, **changes: Any) -> dict[str, Any]:
    raw = admin.admin.organization.projects.api_keys.with_raw_response.update(key_id, project_id=project_id, **changes)
    body: dict[str, Any] = raw.http_response.json()
    ProjectAPIKey.model_validate(body, strict=True)
    assert_conforms("GET", f"{P}/{project_id}/api_keys/{key_id}", 200, body, spec=SPEC)  # the key's spec shape
    return body


def _chat(app: openai.OpenAI) -> str:
    reply = app.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi there."}])
    return reply.choices[0].message.content or ""


def _spend_4_cents(app: openai.OpenAI) -> None:
    """One DALL·E 3 image at 1024x1024 costs $0.04 at list price."""
    app.images.generate(model="dall-e-3", prompt="A lighthouse at dusk", size="1024x1024", response_format="b64_json")


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    return raised.value.body  # type: ignore[return-value]


def test_scopes_restrict_the_key_from_its_next_request(
    admin: openai.OpenAI, project: str, mock_app: TemplateRouter
) -> None:
    key_id, secret = _new_key(admin, project)
    app = asgi_client(mock_app, api_key=secret)
    assert _chat(app) and app.files.list() is not None

    updated = _update(admin, project, key_id, scopes=["api.all.read"])
    assert (updated["id"], updated["object"], updated["spend_limit"], updated["expires_at"]) == (
        key_id,
        "organization.project.api_key",
        None,
        None,
    )
    assert "value" not in updated and updated["redacted_value"].startswith("sk-svcacct...")
    assert app.models.list().data and app.files.list() is not None  # reading is in scope
    with pytest.raises(openai.PermissionDeniedError) as refused:
        _chat(app)
    assert "Missing scopes: api.model.request" in _error(refused)["message"]

    _update(admin, project, key_id, scopes=["api.model.request", "api.files.write"])
    assert _chat(app)
    assert app.files.list() is not None  # a write scope includes its family's read
    with pytest.raises(openai.PermissionDeniedError) as no_models:
        app.models.list()
    assert "Missing scopes: api.model.read" in _error(no_models)["message"]

    _update(admin, project, key_id, scopes=[])  # all its owner may do again
    assert app.models.list().data and _chat(app)

    [event] = admin.admin.organization.audit_logs.list(event_types=["api_key.updated"], limit=1).data
    assert event.to_dict()["api_key.updated"] == {"id": key_id, "changes_requested": {"scopes": []}}


def test_scopes_given_at_creation_restrict_the_key(
    admin: openai.OpenAI, project: str, mock_app: TemplateRouter
) -> None:
    _, secret = _new_key(admin, project, scopes=["api.model.read"])
    app = asgi_client(mock_app, api_key=secret)
    assert app.models.list().data
    with pytest.raises(openai.PermissionDeniedError):
        _chat(app)
    _, unrestricted = _new_key(admin, project, scopes=["/v1/*"])
    assert _chat(asgi_client(mock_app, api_key=unrestricted))


def test_expiry_is_set_from_the_update_and_an_expired_key_cannot_change(
    admin: openai.OpenAI, project: str, mock_app: TemplateRouter
) -> None:
    key_id, secret = _new_key(admin, project, expires_in_seconds=60)
    app = asgi_client(mock_app, api_key=secret)
    clock.advance(30)
    updated = _update(admin, project, key_id, expires_in_seconds=3_600)
    assert updated["expires_at"] == MAY_20 + 30 + 3_600
    assert (
        admin.admin.organization.projects.api_keys.retrieve(key_id, project_id=project).expires_at
        == updated["expires_at"]
    )
    clock.advance(600)  # past the expiry it was created with: still working
    assert app.models.list().data
    clock.advance(3_000)
    with pytest.raises(openai.AuthenticationError):
        app.models.list()
    with pytest.raises(openai.BadRequestError) as expired:
        admin.admin.organization.projects.api_keys.update(key_id, project_id=project, scopes=[])
    assert _error(expired)["code"] == "api_key_expired"


def test_a_key_spend_limit_blocks_that_key_only(admin: openai.OpenAI, project: str, mock_app: TemplateRouter) -> None:
    key_id, secret = _new_key(admin, project)
    app = asgi_client(mock_app, api_key=secret)
    _, other_secret = _new_key(admin, project)
    other = asgi_client(mock_app, api_key=other_secret)

    updated = _update(admin, project, key_id, spend_limit=LIMIT)
    assert updated["spend_limit"] == {**LIMIT, "enforcement": {"status": "inactive"}}
    _spend_4_cents(app)
    _spend_4_cents(app)
    _spend_4_cents(app)  # 12 cents: past its 10
    with pytest.raises(openai.RateLimitError) as blocked:
        _chat(app)
    assert _error(blocked)["code"] == "insufficient_quota"
    assert app.models.list().data  # only model requests are billed
    assert _chat(other)  # the project's other key is not this key's limit
    listed = {key.id: key for key in admin.admin.organization.projects.api_keys.list(project).data}
    assert listed[key_id].spend_limit is not None and listed[key_id].spend_limit.enforcement.status == "enforcing"

    raised = _update(admin, project, key_id, spend_limit={**LIMIT, "threshold_amount": 20})
    assert raised["spend_limit"]["enforcement"] == {"status": "inactive"}
    assert _chat(app)
    assert _update(admin, project, key_id, spend_limit=LIMIT)["spend_limit"]["enforcement"]["status"] == "enforcing"
    removed = _update(admin, project, key_id, spend_limit=None)
    assert removed["spend_limit"] is None
    assert _chat(app)


def test_a_limit_set_below_what_the_key_spent_this_month_blocks_at_once(
    admin: openai.OpenAI, project: str, mock_app: TemplateRouter
) -> None:
    key_id, secret = _new_key(admin, project)
    app = asgi_client(mock_app, api_key=secret)
    _spend_4_cents(app)
    _spend_4_cents(app)
    updated = _update(admin, project, key_id, spend_limit={**LIMIT, "threshold_amount": 5})
    assert updated["spend_limit"]["enforcement"] == {"status": "enforcing"}
    with pytest.raises(openai.RateLimitError):
        _spend_4_cents(app)
    # Created with a limit: in force from its first request.
    _, limited = _new_key(admin, project, spend_limit={**LIMIT, "threshold_amount": 1})
    limited_app = asgi_client(mock_app, api_key=limited)
    _spend_4_cents(limited_app)
    with pytest.raises(openai.RateLimitError):
        _chat(limited_app)


def test_bad_updates_name_their_parameter(admin: openai.OpenAI, project: str) -> None:
    key_id, _ = _new_key(admin, project)
    keys = admin.admin.organization.projects.api_keys
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({}, None),
        ({"scopes": ["api.all.read", "api.everything"]}, "scopes[1]"),
        ({"expires_in_seconds": 0}, "expires_in_seconds"),
        ({"spend_limit": {**LIMIT, "threshold_amount": 0}}, "spend_limit.threshold_amount"),
        ({"spend_limit": {**LIMIT, "currency": "EUR"}}, "spend_limit.currency"),
        ({"spend_limit": {**LIMIT, "interval": "week"}}, "spend_limit.interval"),
    ]
    for changes, param in cases:
        with pytest.raises(openai.BadRequestError) as bad:
            keys.update(key_id, project_id=project, **changes)
        assert (_error(bad)["param"], _error(bad)["type"]) == (param, "invalid_request_error"), changes
    with pytest.raises(openai.BadRequestError) as unknown:
        admin.post(f"/organization/projects/{project}/api_keys/{key_id}", body={"name": "x"}, cast_to=object)
    assert _error(unknown)["param"] == "name"
    with pytest.raises(openai.NotFoundError) as missing:
        keys.update("key_missing", project_id=project, scopes=[])
    assert _error(missing)["param"] == "api_key_id"
    with pytest.raises(openai.BadRequestError) as bad_create:
        account = admin.admin.organization.projects.service_accounts.create(project, name="x")
        admin.admin.organization.projects.service_accounts.api_keys.create(
            account.id, project_id=project, scopes=["everything"]
        )
    assert _error(bad_create)["param"] == "scopes[0]"

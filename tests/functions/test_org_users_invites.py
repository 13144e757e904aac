"""Users and invites through the official SDK: the owner, role changes, the last-owner rule, invites
that stay pending, expire with time, and become users when accepted (a mock control)."""

from __future__ import annotations

import openai
import pytest

from functions.users import app as users_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization import invites, organization
from openai_mock.settings import reset_settings
from openai_mock.store import reset_stores
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client, org_lambda_client
from tests.support.spec import assert_conforms

U = "/v1/organization/users"
I = "/v1/organization/invites"  # noqa: E741


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _json(raw: object) -> dict:
    return raw.http_response.json()  # type: ignore[attr-defined,no-any-return]


def _accept(invite_id: str, name: str) -> dict:
    principal = principal_for_key(ADMIN_KEY)
    return invites.accept_invite(organization(principal), principal, invite_id, name)


def test_invite_is_pending_retrievable_and_deletable(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.list().data[0]
    created = _json(
        admin.admin.organization.invites.with_raw_response.create(
            email="sam@example.org", role="reader", projects=[{"id": project.id, "role": "member"}]
        )
    )
    assert_conforms("POST", I, 200, created)
    assert created["status"] == "pending" and created["expires_at"] == created["invited_at"] + 7 * 86_400
    assert created["projects"] == [{"id": project.id, "role": "member"}]
    listed = _json(admin.admin.organization.invites.with_raw_response.list())
    assert_conforms("GET", I, 200, listed)
    got = _json(admin.admin.organization.invites.with_raw_response.retrieve(created["id"]))
    assert_conforms("GET", f"{I}/{created['id']}", 200, got)
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.invites.create(email="sam@example.org", role="reader")
    deleted = _json(admin.admin.organization.invites.with_raw_response.delete(created["id"]))
    assert_conforms("DELETE", f"{I}/{created['id']}", 200, deleted)
    assert deleted == {"object": "organization.invite.deleted", "id": created["id"], "deleted": True}
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.invites.retrieve(created["id"])


def test_invite_validation(admin: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as role:
        admin.admin.organization.invites.create(email="a@example.org", role="admin")  # type: ignore[arg-type]
    assert role.value.body["param"] == "role"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as email:
        admin.admin.organization.invites.create(email="not-an-email", role="reader")
    assert email.value.body["param"] == "email"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.invites.create(
            email="b@example.org", role="reader", projects=[{"id": "proj_missing", "role": "member"}]
        )
    owner = admin.admin.organization.users.list().data[0]
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.invites.create(email=owner.email, role="reader")


def test_invite_expires_as_time_passes(admin: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_MOCK_TTL_SECONDS", "0")  # the store's own 7-day TTL would drop the invite
    reset_settings()
    reset_stores()
    clock.freeze()
    invite = admin.admin.organization.invites.create(email="late@example.org", role="reader")
    clock.advance(7 * 86_400 + 1)
    assert admin.admin.organization.invites.retrieve(invite.id).status == "expired"


def test_accepted_invite_becomes_a_user_and_cannot_be_deleted(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Onboarding")
    invite = admin.admin.organization.invites.create(
        email="new@example.org", role="reader", projects=[{"id": project.id, "role": "owner"}]
    )
    user = _accept(invite.id, "New Person")
    assert admin.admin.organization.invites.retrieve(invite.id).status == "accepted"
    assert admin.admin.organization.users.retrieve(user["id"]).email == "new@example.org"
    assert admin.admin.organization.projects.users.retrieve(user["id"], project_id=project.id).role == "owner"
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.invites.delete(invite.id)


def test_users_list_filter_modify_delete(admin: openai.OpenAI) -> None:
    listed = _json(admin.admin.organization.users.with_raw_response.list())
    assert_conforms("GET", U, 200, listed)
    # A realistic organization from the start: its owner, a second owner and three readers, oldest first.
    assert [user["role"] for user in listed["data"]] == ["owner", "owner", "reader", "reader", "reader"]
    owner = listed["data"][0]
    invite = admin.admin.organization.invites.create(email="reader@example.org", role="reader")
    reader = _accept(invite.id, "Rita Reader")
    filtered = admin.admin.organization.users.list(emails=["reader@example.org"])
    assert [user.id for user in filtered.data] == [reader["id"]]

    got = _json(admin.admin.organization.users.with_raw_response.retrieve(reader["id"]))
    assert_conforms("GET", f"{U}/{reader['id']}", 200, got)
    promoted = _json(admin.admin.organization.users.with_raw_response.update(reader["id"], role="owner"))
    assert_conforms("POST", f"{U}/{reader['id']}", 200, promoted)
    assert promoted["role"] == "owner"
    deleted = _json(admin.admin.organization.users.with_raw_response.delete(owner["id"]))
    assert_conforms("DELETE", f"{U}/{owner['id']}", 200, deleted)
    assert deleted == {"object": "organization.user.deleted", "id": owner["id"], "deleted": True}
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.users.retrieve(owner["id"])


def test_a_seeded_reader_can_be_removed_without_setup(admin: openai.OpenAI) -> None:
    reader = next(user for user in admin.admin.organization.users.list() if user.role == "reader")
    assert admin.admin.organization.users.delete(reader.id).deleted is True
    assert reader.id not in [user.id for user in admin.admin.organization.users.list()]


def test_the_last_owner_cannot_leave_or_be_demoted(admin: openai.OpenAI) -> None:
    owner, co_owner = [user for user in admin.admin.organization.users.list() if user.role == "owner"]
    admin.admin.organization.users.update(co_owner.id, role="reader")  # the other owner steps down: one is left
    with pytest.raises(openai.BadRequestError) as demote:
        admin.admin.organization.users.update(owner.id, role="reader")
    assert demote.value.body["param"] == "user_id"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.users.delete(owner.id)
    assert admin.admin.organization.users.retrieve(owner.id).role == "owner"


def test_organizations_are_isolated(mock_app: TemplateRouter) -> None:
    first = org_client(mock_app, "sk-admin-first").admin.organization.users.list().data[0]
    with pytest.raises(openai.NotFoundError):
        org_client(mock_app, "sk-admin-second").admin.organization.users.retrieve(first.id)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(users_function.handler, version, "sk-admin-lambda-users")  # type: ignore[arg-type]
    owner = sdk.admin.organization.users.list().data[0]
    assert sdk.admin.organization.users.retrieve(owner.id).role == "owner"


def test_accepting_an_invite_over_http(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    """The mock control `POST /__mock/invites/{invite_id}/accept` (docs/controls.md) does what the invitee's
    click does: the organization gains the user, with the invite's role and projects."""
    from starlette.testclient import TestClient

    project = admin.admin.organization.projects.create(name="Invited into")
    invite = admin.admin.organization.invites.create(
        email="grace.hopper@example.org", role="reader", projects=[{"id": project.id, "role": "member"}]
    )
    controls = TestClient(mock_app, base_url="http://testserver")
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    accepted = controls.post(f"/__mock/invites/{invite.id}/accept", json={}, headers=headers)
    assert accepted.status_code == 200
    user = accepted.json()
    assert_conforms("GET", f"{U}/{user['id']}", 200, user, spec="2026-08-21")
    assert (user["name"], user["email"], user["role"]) == ("Grace Hopper", "grace.hopper@example.org", "reader")
    assert admin.admin.organization.users.retrieve(user["id"]).email == "grace.hopper@example.org"
    assert admin.admin.organization.projects.users.retrieve(user["id"], project_id=project.id).role == "member"
    assert admin.admin.organization.invites.retrieve(invite.id).status == "accepted"
    types = [event.type for event in admin.admin.organization.audit_logs.list(limit=2).data]
    assert types == ["user.added", "invite.accepted"]

    again = controls.post(f"/__mock/invites/{invite.id}/accept", json={"name": "Twice"}, headers=headers)
    assert again.status_code == 400 and again.json()["error"]["param"] == "invite_id"
    missing = controls.post("/__mock/invites/invite-missing/accept", json={}, headers=headers)
    assert missing.status_code == 404 and set(missing.json()["error"]) == {"message", "type", "param", "code"}
    bad = controls.post(f"/__mock/invites/{invite.id}/accept", json={"name": ""}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "name"

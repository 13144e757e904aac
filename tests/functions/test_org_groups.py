"""Groups through the official SDK: create, list (`next` cursor), retrieve, rename, delete; their users; the
projects they are added to; a project's model permissions and hosted tool permissions; the audit log."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from openai_mock.local.server import TemplateRouter
from tests.functions.test_org_roles import new_user
from tests.support.org_sdk import org_client, org_lambda_client
from tests.support.spec import assert_conforms

G = "/v1/organization/groups"
P = "/v1/organization/projects"


def conforms(method: str, path: str, status: int, body: Any) -> None:
    assert_conforms(method, path, status, body, spec="2026-08-21")


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _json(raw: object) -> Any:
    return raw.http_response.json()  # type: ignore[attr-defined]


def _events(admin: openai.OpenAI, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the audit log's events of one type, newest first."""
    logs = _json(admin.admin.organization.audit_logs.with_raw_response.list(event_types=[event_type]))  # type: ignore[list-item]
    conforms("GET", "/v1/organization/audit_logs", 200, logs)
    return [event[event_type] for event in logs["data"]]


def _event(admin: openai.OpenAI, event_type: str) -> dict[str, Any]:
    [event] = _events(admin, event_type)
    return event


def test_group_lifecycle(admin: openai.OpenAI) -> None:
    groups = admin.admin.organization.groups
    created = _json(groups.with_raw_response.create(name="Support Team"))
    conforms("POST", G, 200, created)
    assert created["id"].startswith("group_")
    assert (created["name"], created["is_scim_managed"], created["group_type"]) == ("Support Team", False, "group")
    second = groups.create(name="Escalations")
    listed = _json(groups.with_raw_response.list(limit=1))
    conforms("GET", G, 200, listed)
    assert [g["id"] for g in listed["data"]] == [created["id"]]
    assert listed["has_more"] is True and listed["next"] == created["id"]
    assert [g.id for g in groups.list()] == [created["id"], second.id]  # the SDK follows `next`
    assert [g.id for g in groups.list(order="desc")] == [second.id, created["id"]]
    retrieved = _json(groups.with_raw_response.retrieve(created["id"]))
    conforms("GET", f"{G}/{created['id']}", 200, retrieved)
    renamed = _json(groups.with_raw_response.update(created["id"], name="Customer Support"))
    conforms("POST", f"{G}/{created['id']}", 200, renamed)
    assert renamed["name"] == "Customer Support" and groups.retrieve(created["id"]).name == "Customer Support"
    deleted = _json(groups.with_raw_response.delete(created["id"]))
    conforms("DELETE", f"{G}/{created['id']}", 200, deleted)
    assert deleted == {"object": "group.deleted", "id": created["id"], "deleted": True}
    with pytest.raises(openai.NotFoundError) as gone:
        groups.retrieve(created["id"])
    assert gone.value.body["message"] == f"No such Group object: {created['id']}"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as empty:
        groups.create(name=" ")
    assert empty.value.body["param"] == "name"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as long_name:
        groups.create(name="x" * 256)
    assert long_name.value.body["param"] == "name"  # type: ignore[index]
    assert _events(admin, "group.created") == [
        {"id": second.id, "data": {"group_name": "Escalations"}},
        {"id": created["id"], "data": {"group_name": "Support Team"}},
    ]
    assert _event(admin, "group.updated") == {
        "id": created["id"],
        "changes_requested": {"group_name": "Customer Support"},
    }
    assert _event(admin, "group.deleted") == {"id": created["id"]}


def test_group_users(admin: openai.OpenAI) -> None:
    group = admin.admin.organization.groups.create(name="Data")
    first, second = new_user(admin, "ana@example.org", name="Ana Lima"), new_user(admin, "bo@example.org")
    users = admin.admin.organization.groups.users
    added = _json(users.with_raw_response.create(group.id, user_id=first))
    conforms("POST", f"{G}/{group.id}/users", 200, added)
    assert added == {"object": "group.user", "user_id": first, "group_id": group.id}
    users.create(group.id, user_id=second)
    users.create(group.id, user_id=second)  # adding twice changes nothing
    listed = _json(users.with_raw_response.list(group.id))
    conforms("GET", f"{G}/{group.id}/users", 200, listed)
    assert [u["id"] for u in listed["data"]] == [second, first]  # newest first by default
    assert listed["data"][1] == {"id": first, "name": "Ana Lima", "email": "ana@example.org"}
    retrieved = _json(users.with_raw_response.retrieve(first, group_id=group.id))
    conforms("GET", f"{G}/{group.id}/users/{first}", 200, retrieved)
    assert (retrieved["user_type"], retrieved["is_service_account"], retrieved["picture"]) == ("user", False, None)
    removed = _json(users.with_raw_response.delete(first, group_id=group.id))
    conforms("DELETE", f"{G}/{group.id}/users/{first}", 200, removed)
    assert removed == {"object": "group.user.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        users.retrieve(first, group_id=group.id)
    with pytest.raises(openai.NotFoundError):
        users.create(group.id, user_id="user-missing")
    with pytest.raises(openai.NotFoundError):
        users.list("group_missing")
    # Leaving the organization leaves its groups.
    admin.admin.organization.users.delete(second)
    assert users.list(group.id).data == []
    assert _event(admin, "tenant.group.member.removed") == {"id": group.id, "user_id": first}


def test_project_groups(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Support bot")
    group = admin.admin.organization.groups.create(name="Support Team")
    project_groups = admin.admin.organization.projects.groups
    PG = f"{P}/{project.id}/groups"
    added = _json(project_groups.with_raw_response.create(project.id, group_id=group.id, role="member"))
    conforms("POST", PG, 200, added)
    assert (added["object"], added["project_id"], added["group_id"], added["group_name"]) == (
        "project.group",
        project.id,
        group.id,
        "Support Team",
    )
    listed = _json(project_groups.with_raw_response.list(project.id))
    conforms("GET", PG, 200, listed)
    assert [g["group_id"] for g in listed["data"]] == [group.id] and listed["next"] is None
    admin.admin.organization.groups.update(group.id, name="Support")
    retrieved = _json(project_groups.with_raw_response.retrieve(group.id, project_id=project.id))
    conforms("GET", f"{PG}/{group.id}", 200, retrieved)
    assert retrieved["group_name"] == "Support"
    with pytest.raises(openai.NotFoundError):
        project_groups.retrieve(group.id, project_id=project.id, group_type="tenant_group")
    with pytest.raises(openai.BadRequestError) as twice:
        project_groups.create(project.id, group_id=group.id, role="member")
    assert twice.value.body["param"] == "group_id"  # type: ignore[index]
    other = admin.admin.organization.groups.create(name="Other")
    with pytest.raises(openai.BadRequestError) as bad_role:
        project_groups.create(project.id, group_id=other.id, role="role_unknown")
    assert bad_role.value.body["param"] == "role"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        project_groups.create(project.id, group_id="group_missing", role="member")
    removed = _json(project_groups.with_raw_response.delete(group.id, project_id=project.id))
    conforms("DELETE", f"{PG}/{group.id}", 200, removed)
    assert removed == {"object": "project.group.deleted", "deleted": True}
    assert project_groups.list(project.id).data == []
    created, deleted = _event(admin, "role.assignment.created"), _event(admin, "role.assignment.deleted")
    assert (created["principal_type"], created["principal_id"], created["resource_id"]) == (
        "group",
        group.id,
        project.id,
    )
    assert deleted["principal_id"] == group.id


def test_model_permissions(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Models")
    permissions = admin.admin.organization.projects.model_permissions
    M = f"{P}/{project.id}/model_permissions"
    initial = _json(permissions.with_raw_response.retrieve(project.id))
    conforms("GET", M, 200, initial)
    assert initial == {"object": "project.model_permissions", "mode": "deny_list", "model_ids": []}
    updated = _json(permissions.with_raw_response.update(project.id, mode="allow_list", model_ids=["gpt-4.1", "o3"]))
    conforms("POST", M, 200, updated)
    assert (updated["mode"], updated["model_ids"]) == ("allow_list", ["gpt-4.1", "o3"])
    assert permissions.retrieve(project.id).api_model_ids == ["gpt-4.1", "o3"]
    with pytest.raises(openai.BadRequestError) as unknown:
        permissions.update(project.id, mode="deny_list", model_ids=["gpt-4o", "gpt-9-ultra"])
    assert unknown.value.body["param"] == "model_ids[1]"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as bad_mode:
        permissions.update(project.id, mode="block_list", model_ids=[])  # type: ignore[arg-type]
    assert bad_mode.value.body["param"] == "mode"  # type: ignore[index]
    deleted = _json(permissions.with_raw_response.delete(project.id))
    conforms("DELETE", M, 200, deleted)
    assert deleted == {"object": "project.model_permissions.deleted", "deleted": True}
    assert permissions.retrieve(project.id).api_model_ids == []
    with pytest.raises(openai.NotFoundError):
        permissions.retrieve("proj_missing")
    events = admin.admin.organization.audit_logs.list(event_types=["project.updated"]).data
    assert len(events) == 2 and {event.project.id for event in events} == {project.id}  # type: ignore[union-attr]


def test_hosted_tool_permissions(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Tools")
    tools = admin.admin.organization.projects.hosted_tool_permissions
    H = f"{P}/{project.id}/hosted_tool_permissions"
    initial = _json(tools.with_raw_response.retrieve(project.id))
    conforms("GET", H, 200, initial)
    assert {tool: setting["enabled"] for tool, setting in initial.items()} == dict.fromkeys(
        ["file_search", "web_search", "image_generation", "mcp", "code_interpreter"], True
    )
    updated = _json(
        tools.with_raw_response.update(project.id, image_generation={"enabled": False}, web_search={"enabled": False})
    )
    conforms("POST", H, 200, updated)
    assert updated["image_generation"] == {"enabled": False} and updated["file_search"] == {"enabled": True}
    again = tools.update(project.id, web_search={"enabled": True})
    assert (again.web_search.enabled, again.image_generation.enabled) == (True, False)  # others keep theirs
    with pytest.raises(openai.BadRequestError) as bad:
        tools.update(project.id, extra_body={"shell": {"enabled": False}})
    assert bad.value.body["param"] == "shell"  # type: ignore[index]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    from functions.groups import app as groups_function

    admin = org_lambda_client(groups_function.handler, version)  # type: ignore[arg-type]
    created = admin.admin.organization.groups.create(name="Lambda people")
    assert admin.admin.organization.groups.retrieve(created.id).name == "Lambda people"

"""Roles and role assignments through the official SDK: predefined and custom roles of the organization and of
projects; users' and groups' organization roles, project users' and project groups' roles; effective roles
with their sources; the last owner; bad input; the audit log."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization import invites, organization
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client, org_lambda_client
from tests.support.spec import assert_conforms

R = "/v1/organization/roles"


def conforms(method: str, path: str, status: int, body: Any) -> None:
    assert_conforms(method, path, status, body, spec="2026-08-21")


U = "/v1/organization/users"


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _json(raw: object) -> Any:
    return raw.http_response.json()  # type: ignore[attr-defined]


def new_user(admin: openai.OpenAI, email: str, role: str = "reader", name: str = "Ada Lovelace") -> str:
    """A user of the organization: invited, then the invite accepted (the mock's control for it)."""
    invite = admin.admin.organization.invites.create(email=email, role=role)  # type: ignore[arg-type]
    principal = principal_for_key(ADMIN_KEY)
    user = invites.accept_invite(organization(principal), principal, invite.id, name)
    return str(user["id"])


def _predefined(admin: openai.OpenAI, name: str, project_id: str | None = None) -> str:
    listed = (
        admin.admin.organization.roles.list()
        if project_id is None
        else admin.admin.organization.projects.roles.list(project_id)
    )
    [role] = [role for role in listed.data if role.name == name and role.predefined_role]
    return role.id


def _events(admin: openai.OpenAI, *types: str) -> list[dict[str, Any]]:
    audit_logs = admin.admin.organization.audit_logs
    logs = _json(audit_logs.with_raw_response.list(event_types=list(types), limit=100))  # type: ignore[arg-type]
    conforms("GET", "/v1/organization/audit_logs", 200, logs)
    return logs["data"]  # type: ignore[no-any-return]


def test_predefined_roles_are_listed_and_read_only(admin: openai.OpenAI) -> None:
    listed = _json(admin.admin.organization.roles.with_raw_response.list())
    conforms("GET", R, 200, listed)
    assert [(r["name"], r["resource_type"], r["predefined_role"]) for r in listed["data"]] == [
        ("Owner", "api.organization", True),
        ("Reader", "api.organization", True),
    ]
    assert listed["has_more"] is False and listed["next"] is None
    reader = listed["data"][1]
    assert "api.groups.read" in reader["permissions"] and "api.groups.write" not in reader["permissions"]
    retrieved = _json(admin.admin.organization.roles.with_raw_response.retrieve(reader["id"]))
    conforms("GET", f"{R}/{reader['id']}", 200, retrieved)
    assert retrieved == reader
    with pytest.raises(openai.BadRequestError) as changed:
        admin.admin.organization.roles.update(reader["id"], role_name="Watcher")
    assert changed.value.body["param"] == "role_id"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.roles.delete(reader["id"])


def test_custom_organization_role_lifecycle_and_audit(admin: openai.OpenAI) -> None:
    roles = admin.admin.organization.roles
    created = _json(
        roles.with_raw_response.create(
            role_name="API Group Manager",
            permissions=["api.groups.read", "api.groups.write"],
            description="Allows managing organization groups",
        )
    )
    conforms("POST", R, 200, created)
    assert created["id"].startswith("role_") and created["predefined_role"] is False
    assert (created["resource_type"], created["permissions"]) == (
        "api.organization",
        ["api.groups.read", "api.groups.write"],
    )
    updated = _json(roles.with_raw_response.update(created["id"], permissions=["api.groups.read"], role_name="Groups"))
    conforms("POST", f"{R}/{created['id']}", 200, updated)
    assert (updated["name"], updated["permissions"], updated["description"]) == (
        "Groups",
        ["api.groups.read"],
        "Allows managing organization groups",
    )
    assert roles.retrieve(created["id"]).name == "Groups"
    assert [role.name for role in roles.list()] == ["Owner", "Reader", "Groups"]
    page = roles.list(limit=2)
    assert page.has_more is True and page.next == page.data[-1].id
    assert [role.name for role in roles.list(after=page.next)] == ["Groups"]

    deleted = _json(roles.with_raw_response.delete(created["id"]))
    conforms("DELETE", f"{R}/{created['id']}", 200, deleted)
    assert deleted == {"object": "role.deleted", "id": created["id"], "deleted": True}
    with pytest.raises(openai.NotFoundError) as gone:
        roles.retrieve(created["id"])
    assert gone.value.body["message"] == f"No such Role object: {created['id']}"  # type: ignore[index]

    [deleted_event] = _events(admin, "role.deleted")
    [updated_event] = _events(admin, "role.updated")
    [created_event] = _events(admin, "role.created")
    assert created_event["role.created"]["role_name"] == "API Group Manager"
    assert updated_event["role.updated"]["changes_requested"]["permissions_removed"] == ["api.groups.write"]
    assert deleted_event["role.deleted"] == {"id": created["id"]}


def test_role_bad_input_names_the_param(admin: openai.OpenAI) -> None:
    roles = admin.admin.organization.roles
    with pytest.raises(openai.BadRequestError) as unknown:
        roles.create(role_name="Oops", permissions=["api.groups.read", "api.everything.write"])
    assert unknown.value.body["param"] == "permissions[1]"  # type: ignore[index]
    assert "api.everything.write" in unknown.value.message
    with pytest.raises(openai.BadRequestError) as wrong_level:
        roles.create(role_name="Inference", permissions=["api.model.request"])
    assert wrong_level.value.body["param"] == "permissions[0]"  # type: ignore[index]
    assert "project permission" in wrong_level.value.message
    with pytest.raises(openai.BadRequestError) as empty:
        roles.create(role_name="Nothing", permissions=[])
    assert empty.value.body["param"] == "permissions"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as taken:
        roles.create(role_name="owner", permissions=["api.groups.read"])
    assert taken.value.body["param"] == "role_name"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        roles.update("role_missing", description="x")
    assert _events(admin, "role.created") == []


def test_project_roles(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Keys")
    project_roles = admin.admin.organization.projects.roles
    P = f"/v1/projects/{project.id}/roles"
    listed = _json(project_roles.with_raw_response.list(project.id))
    conforms("GET", P, 200, listed)
    assert [role["name"] for role in listed["data"]] == ["Owner", "Member", "Viewer"]
    assert {role["resource_type"] for role in listed["data"]} == {"api.project"}
    viewer = listed["data"][2]
    assert "api.model.request" not in viewer["permissions"] and "api.files.read" in viewer["permissions"]

    created = _json(
        project_roles.with_raw_response.create(
            project.id,
            role_name="API Project Key Manager",
            permissions=["api.organization.projects.api_keys.read", "api.organization.projects.api_keys.write"],
        )
    )
    conforms("POST", P, 200, created)
    assert created["resource_type"] == "api.project" and created["description"] is None
    role_id = created["id"]
    retrieved = _json(project_roles.with_raw_response.retrieve(role_id, project_id=project.id))
    conforms("GET", f"{P}/{role_id}", 200, retrieved)
    updated = _json(project_roles.with_raw_response.update(role_id, project_id=project.id, description="Keys only"))
    conforms("POST", f"{P}/{role_id}", 200, updated)
    assert updated["description"] == "Keys only"
    # A project's custom role is that project's alone.
    other = admin.admin.organization.projects.create(name="Other")
    with pytest.raises(openai.NotFoundError):
        project_roles.retrieve(role_id, project_id=other.id)
    with pytest.raises(openai.BadRequestError) as org_permission:
        project_roles.create(project.id, role_name="Groups", permissions=["api.groups.write"])
    assert org_permission.value.body["param"] == "permissions[0]"  # type: ignore[index]
    deleted = _json(project_roles.with_raw_response.delete(role_id, project_id=project.id))
    conforms("DELETE", f"{P}/{role_id}", 200, deleted)
    assert deleted["deleted"] is True
    with pytest.raises(openai.NotFoundError):
        project_roles.list("proj_missing")
    [event] = _events(admin, "role.created")
    assert event["project"]["id"] == project.id and event["role.created"]["resource_type"] == "api.project"


def test_user_organization_roles_direct_and_through_groups(admin: openai.OpenAI) -> None:
    user_id = new_user(admin, "grace@example.org")
    user_roles = admin.admin.organization.users.roles
    reader = _predefined(admin, "Reader")
    listed = _json(user_roles.with_raw_response.list(user_id))
    conforms("GET", f"{U}/{user_id}/roles", 200, listed)
    [held] = listed["data"]
    assert held["id"] == reader
    assert held["assignment_sources"] == [{"principal_type": "user", "principal_id": user_id}]

    custom = admin.admin.organization.roles.create(
        role_name="Auditor", permissions=["api.organization.audit_logs.read"]
    )
    assigned = _json(user_roles.with_raw_response.create(user_id, role_id=custom.id))
    conforms("POST", f"{U}/{user_id}/roles", 200, assigned)
    assert (assigned["object"], assigned["user"]["id"], assigned["role"]["id"]) == ("user.role", user_id, custom.id)
    retrieved = _json(user_roles.with_raw_response.retrieve(custom.id, user_id=user_id))
    conforms("GET", f"{U}/{user_id}/roles/{custom.id}", 200, retrieved)
    assert retrieved["created_by_user_obj"]["id"] == retrieved["created_by"]

    # A group's roles are its members' roles, with the group as their source.
    group = admin.admin.organization.groups.create(name="Billing")
    admin.admin.organization.groups.users.create(group.id, user_id=user_id)
    billing = admin.admin.organization.roles.create(role_name="Billing", permissions=["api.organization.billing.read"])
    admin.admin.organization.groups.roles.create(group.id, role_id=billing.id)
    held_roles = {role.id: role for role in user_roles.list(user_id)}
    assert set(held_roles) == {reader, custom.id, billing.id}
    sources = _json(user_roles.with_raw_response.retrieve(billing.id, user_id=user_id))["assignment_sources"]
    assert sources == [{"principal_type": "group", "principal_id": group.id}]
    with pytest.raises(openai.NotFoundError):  # held through the group only: leave the group to lose it
        user_roles.delete(billing.id, user_id=user_id)

    removed = _json(user_roles.with_raw_response.delete(custom.id, user_id=user_id))
    conforms("DELETE", f"{U}/{user_id}/roles/{custom.id}", 200, removed)
    assert removed == {"object": "user.role.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        user_roles.retrieve(custom.id, user_id=user_id)
    created, deleted = _events(admin, "role.assignment.created"), _events(admin, "role.assignment.deleted")
    assert {event["role.assignment.created"]["principal_type"] for event in created} == {"user", "group"}
    assert deleted[0]["role.assignment.deleted"] == {
        "id": custom.id,
        "principal_id": user_id,
        "principal_type": "user",
        "resource_id": deleted[0]["role.assignment.deleted"]["resource_id"],
        "resource_type": "api.organization",
    }
    assert deleted[0]["role.assignment.deleted"]["resource_id"].startswith("org-")


def test_group_organization_roles(admin: openai.OpenAI) -> None:
    group = admin.admin.organization.groups.create(name="Managers")
    group_roles = admin.admin.organization.groups.roles
    GR = f"/v1/organization/groups/{group.id}/roles"
    listed = _json(group_roles.with_raw_response.list(group.id))
    conforms("GET", GR, 200, listed)
    assert listed == {"object": "list", "data": [], "has_more": False, "next": None}
    managers = admin.admin.organization.roles.create(role_name="Group managers", permissions=["api.groups.write"])
    assigned = _json(group_roles.with_raw_response.create(group.id, role_id=managers.id))
    conforms("POST", GR, 200, assigned)
    assert (assigned["object"], assigned["group"]["name"], assigned["role"]["name"]) == (
        "group.role",
        "Managers",
        "Group managers",
    )
    group_roles.create(group.id, role_id=managers.id)  # twice: nothing changes
    retrieved = _json(group_roles.with_raw_response.retrieve(managers.id, group_id=group.id))
    conforms("GET", f"{GR}/{managers.id}", 200, retrieved)
    assert retrieved["assignment_sources"] == [{"principal_type": "group", "principal_id": group.id}]
    assert [role.id for role in group_roles.list(group.id)] == [managers.id]
    removed = _json(group_roles.with_raw_response.delete(managers.id, group_id=group.id))
    conforms("DELETE", f"{GR}/{managers.id}", 200, removed)
    assert removed == {"object": "group.role.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        group_roles.retrieve(managers.id, group_id=group.id)
    with pytest.raises(openai.NotFoundError):
        group_roles.delete(managers.id, group_id=group.id)
    with pytest.raises(openai.BadRequestError) as unknown:
        group_roles.create(group.id, role_id="role_unknown")
    assert unknown.value.body["param"] == "role_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        group_roles.list("group_missing")
    assert len(_events(admin, "role.assignment.created")) == 1  # the second assignment changed nothing
    assert len(_events(admin, "role.assignment.deleted")) == 1


def test_assignment_bad_input(admin: openai.OpenAI) -> None:
    owner = admin.admin.organization.users.list().data[0]
    with pytest.raises(openai.BadRequestError) as unknown:
        admin.admin.organization.users.roles.create(owner.id, role_id="role_doesnotexist")
    assert unknown.value.body["param"] == "role_id"  # type: ignore[index]
    project_viewer = _predefined(admin, "Viewer", admin.admin.organization.projects.list().data[0].id)
    with pytest.raises(openai.BadRequestError) as project_role:
        admin.admin.organization.users.roles.create(owner.id, role_id=project_viewer)
    assert project_role.value.body["param"] == "role_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError):
        admin.admin.organization.users.roles.list("user-missing")


def test_the_last_owner_keeps_the_owner_role(admin: openai.OpenAI) -> None:
    users = admin.admin.organization.users.list().data
    owner = users[0]
    for seeded_owner in [user for user in users[1:] if user.role == "owner"]:
        admin.admin.organization.users.delete(seeded_owner.id)  # the seeded organization's second owner
    owner_role = _predefined(admin, "Owner")
    with pytest.raises(openai.BadRequestError) as refused:
        admin.admin.organization.users.roles.delete(owner_role, user_id=owner.id)
    assert refused.value.body["code"] == "last_owner"  # type: ignore[index]
    # Another owner through a group: now the first may give the role up, but that group's last member may not
    # leave it, nor may the group be deleted or lose the role.
    other = new_user(admin, "lin@example.org")
    group = admin.admin.organization.groups.create(name="Admins")
    admin.admin.organization.groups.users.create(group.id, user_id=other)
    admin.admin.organization.groups.roles.create(group.id, role_id=owner_role)
    admin.admin.organization.users.roles.delete(owner_role, user_id=owner.id)
    assert owner_role not in [role.id for role in admin.admin.organization.users.roles.list(owner.id)]
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.groups.users.delete(other, group_id=group.id)
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.groups.roles.delete(owner_role, group_id=group.id)
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.groups.delete(group.id)
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.users.delete(other)
    admin.admin.organization.users.roles.create(owner.id, role_id=owner_role)
    admin.admin.organization.groups.delete(group.id)  # the first owner is an owner again


def test_project_user_and_group_roles(admin: openai.OpenAI) -> None:
    project = admin.admin.organization.projects.create(name="Search")
    user_id = new_user(admin, "ken@example.org")
    admin.admin.organization.projects.users.create(project.id, user_id=user_id, role="member")
    member, viewer = _predefined(admin, "Member", project.id), _predefined(admin, "Viewer", project.id)
    roles = admin.admin.organization.projects.users.roles
    P = f"/v1/projects/{project.id}/users/{user_id}/roles"
    listed = _json(roles.with_raw_response.list(user_id, project_id=project.id))
    conforms("GET", P, 200, listed)
    assert [role["id"] for role in listed["data"]] == [member]  # the `role` field's predefined role
    assigned = _json(roles.with_raw_response.create(user_id, project_id=project.id, role_id=viewer))
    conforms("POST", P, 200, assigned)
    assert assigned["role"]["name"] == "Viewer"
    retrieved = _json(roles.with_raw_response.retrieve(viewer, project_id=project.id, user_id=user_id))
    conforms("GET", f"{P}/{viewer}", 200, retrieved)
    removed = _json(roles.with_raw_response.delete(member, project_id=project.id, user_id=user_id))
    conforms("DELETE", f"{P}/{member}", 200, removed)
    assert [role.id for role in roles.list(user_id, project_id=project.id)] == [viewer]
    # Changing the `role` field swaps the predefined role it stands for.
    admin.admin.organization.projects.users.update(user_id, project_id=project.id, role="owner")
    owner = _predefined(admin, "Owner", project.id)
    assert {role.id for role in roles.list(user_id, project_id=project.id)} == {viewer, owner}
    with pytest.raises(openai.NotFoundError):  # not a member of that project
        roles.list(user_id, project_id=admin.admin.organization.projects.create(name="Elsewhere").id)

    group = admin.admin.organization.groups.create(name="Researchers")
    admin.admin.organization.projects.groups.create(project.id, group_id=group.id, role=viewer)
    group_roles = admin.admin.organization.projects.groups.roles
    G = f"/v1/projects/{project.id}/groups/{group.id}/roles"
    listed = _json(group_roles.with_raw_response.list(group.id, project_id=project.id))
    conforms("GET", G, 200, listed)
    assert [role["id"] for role in listed["data"]] == [viewer]
    assigned = _json(group_roles.with_raw_response.create(group.id, project_id=project.id, role_id=member))
    conforms("POST", G, 200, assigned)
    assert (assigned["object"], assigned["group"]["id"], assigned["group"]["scim_managed"]) == (
        "group.role",
        group.id,
        False,
    )
    retrieved = _json(group_roles.with_raw_response.retrieve(member, project_id=project.id, group_id=group.id))
    conforms("GET", f"{G}/{member}", 200, retrieved)
    removed = _json(group_roles.with_raw_response.delete(member, project_id=project.id, group_id=group.id))
    conforms("DELETE", f"{G}/{member}", 200, removed)
    assert removed == {"object": "group.role.deleted", "deleted": True}
    with pytest.raises(openai.BadRequestError) as unknown:
        group_roles.create(group.id, project_id=project.id, role_id="role_nope")
    assert unknown.value.body["param"] == "role_id"  # type: ignore[index]
    other_group = admin.admin.organization.groups.create(name="Not in the project")
    with pytest.raises(openai.NotFoundError):
        group_roles.list(other_group.id, project_id=project.id)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    from functions.roles import app as roles_function

    admin = org_lambda_client(roles_function.handler, version)  # type: ignore[arg-type]
    created = admin.admin.organization.roles.create(role_name="Readers", permissions=["api.groups.read"])
    assert admin.admin.organization.roles.retrieve(created.id).permissions == ["api.groups.read"]

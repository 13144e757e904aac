"""What the organization's settings do to a project's API keys, through the official SDK: a key can do what its
owner's project roles allow (own roles ∪ their groups' roles), nothing more; a blocked model and a disabled
hosted tool are refused; admin keys and ordinary keys are not bound by any of it."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock.local.server import TemplateRouter
from tests.functions.test_org_roles import new_user
from tests.support.org_sdk import ADMIN_KEY, org_client
from tests.support.sdk import asgi_client

CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    return org_client(mock_app)


def _role(admin: openai.OpenAI, project_id: str, name: str) -> str:
    [role] = [role for role in admin.admin.organization.projects.roles.list(project_id) if role.name == name]
    return role.id


def _service_account(admin: openai.OpenAI, mock_app: TemplateRouter, name: str = "Bot") -> tuple[str, str, Any]:
    project = admin.admin.organization.projects.create(name=f"{name} project")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name=name)
    assert account.api_key is not None and account.api_key.value is not None
    return project.id, account.id, asgi_client(mock_app, api_key=account.api_key.value)


def _refused(error: openai.APIStatusError, code: str) -> dict[str, Any]:
    assert error.status_code == 403
    body: dict[str, Any] = error.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"} and body["error"]["code"] == code
    return body["error"]


def test_a_restricted_service_account_key_is_refused_then_allowed_after_a_role_change(
    admin: openai.OpenAI, mock_app: TemplateRouter
) -> None:
    project_id, account_id, key = _service_account(admin, mock_app)
    assert key.chat.completions.create(**CHAT).choices[0].message.content  # a Member may do anything
    roles = admin.admin.organization.projects.users.roles
    roles.create(account_id, project_id=project_id, role_id=_role(admin, project_id, "Viewer"))
    roles.delete(_role(admin, project_id, "Member"), project_id=project_id, user_id=account_id)

    with pytest.raises(openai.PermissionDeniedError) as refused:
        key.chat.completions.create(**CHAT)
    error = _refused(refused.value, "insufficient_permissions")
    assert "Missing scopes: api.model.request" in error["message"] and error["type"] == "invalid_request_error"
    with pytest.raises(openai.PermissionDeniedError) as upload:
        key.files.create(file=("notes.txt", b"hello"), purpose="assistants")
    assert "api.files.write" in upload.value.message
    assert key.models.list().data  # a Viewer may read
    assert key.files.list().data == []

    inference = admin.admin.organization.projects.roles.create(
        project_id, role_name="Inference", permissions=["api.model.request"]
    )
    roles.create(account_id, project_id=project_id, role_id=inference.id)
    assert key.chat.completions.create(**CHAT).choices[0].message.content  # allowed now
    with pytest.raises(openai.PermissionDeniedError):
        key.files.create(file=("notes.txt", b"hello"), purpose="assistants")

    # A custom role's permissions bind as they change; deleting it takes it from everyone.
    admin.admin.organization.projects.roles.update(inference.id, project_id=project_id, permissions=["api.files.write"])
    assert key.files.create(file=("notes.txt", b"hello"), purpose="assistants").id.startswith("file-")
    with pytest.raises(openai.PermissionDeniedError):
        key.chat.completions.create(**CHAT)
    admin.admin.organization.projects.roles.delete(inference.id, project_id=project_id)
    with pytest.raises(openai.PermissionDeniedError):
        key.files.create(file=("notes.txt", b"hello"), purpose="assistants")


def test_a_users_key_holds_its_groups_project_roles(
    admin: openai.OpenAI, mock_app: TemplateRouter, http: TestClient
) -> None:
    project = admin.admin.organization.projects.create(name="Shared")
    user_id = new_user(admin, "mei@example.org")
    admin.admin.organization.projects.users.create(project.id, user_id=user_id, role="member")
    # The mock control that stands for the dashboard's "Create new secret key" (docs/controls.md).
    wanted = {"project_id": project.id, "user_id": user_id, "name": "Mei's laptop"}
    answer = http.post("/__mock/project_api_keys", json=wanted, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert answer.status_code == 200, answer.text
    minted = answer.json()
    assert minted["value"].startswith("sk-proj-") and minted["owner"]["type"] == "user"
    assert minted["redacted_value"].startswith("sk-proj...") and minted["name"] == "Mei's laptop"
    not_admin = http.post("/__mock/project_api_keys", json=wanted, headers={"Authorization": "Bearer sk-test"})
    assert not_admin.status_code == 403
    stranger = {**wanted, "user_id": admin.admin.organization.users.list().data[0].id}
    missing = http.post("/__mock/project_api_keys", json=stranger, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "user_id"
    key = asgi_client(mock_app, api_key=minted["value"])
    assert key.chat.completions.create(**CHAT).id.startswith("chatcmpl-")
    listed = admin.admin.organization.projects.api_keys.list(project.id)
    assert [k.id for k in listed.data] == [minted["id"]]

    # Down to Viewer in the project: refused; through a group that has Member there: allowed again.
    roles = admin.admin.organization.projects.users.roles
    roles.create(user_id, project_id=project.id, role_id=_role(admin, project.id, "Viewer"))
    roles.delete(_role(admin, project.id, "Member"), project_id=project.id, user_id=user_id)
    with pytest.raises(openai.PermissionDeniedError):
        key.chat.completions.create(**CHAT)
    group = admin.admin.organization.groups.create(name="Builders")
    admin.admin.organization.projects.groups.create(project.id, group_id=group.id, role="member")
    with pytest.raises(openai.PermissionDeniedError):  # not in the group yet
        key.chat.completions.create(**CHAT)
    admin.admin.organization.groups.users.create(group.id, user_id=user_id)
    assert key.chat.completions.create(**CHAT).choices
    admin.admin.organization.groups.users.delete(user_id, group_id=group.id)
    with pytest.raises(openai.PermissionDeniedError):
        key.chat.completions.create(**CHAT)
    # An organization Owner holds every permission in every project.
    admin.admin.organization.users.roles.create(user_id, role_id=_owner(admin))
    assert key.chat.completions.create(**CHAT).choices
    # Removed from the project: the key can do nothing there.
    admin.admin.organization.users.roles.delete(_owner(admin), user_id=user_id)
    admin.admin.organization.projects.users.delete(user_id, project_id=project.id)
    with pytest.raises(openai.PermissionDeniedError):
        key.models.list()


def _owner(admin: openai.OpenAI) -> str:
    [owner] = [role.id for role in admin.admin.organization.roles.list() if role.name == "Owner"]
    return owner


def test_a_blocked_model_is_refused(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _account, key = _service_account(admin, mock_app)
    permissions = admin.admin.organization.projects.model_permissions
    permissions.update(project_id, mode="allow_list", model_ids=["gpt-4o-mini"])
    assert key.chat.completions.create(**CHAT).model.startswith("gpt-4o-mini")
    assert key.chat.completions.create(**{**CHAT, "model": "gpt-4o-mini-2024-07-18"}).choices  # its snapshot
    with pytest.raises(openai.PermissionDeniedError) as refused:
        key.chat.completions.create(**{**CHAT, "model": "gpt-4o"})
    error = _refused(refused.value, "model_not_found")
    assert error["message"] == f"Project `{project_id}` does not have access to model `gpt-4o`"

    permissions.update(project_id, mode="deny_list", model_ids=["text-embedding-3-small"])
    with pytest.raises(openai.PermissionDeniedError):
        key.embeddings.create(model="text-embedding-3-small", input="hello")
    assert key.embeddings.create(model="text-embedding-3-large", input="hello").data
    assert key.chat.completions.create(**{**CHAT, "model": "gpt-4o"}).choices

    permissions.delete(project_id)
    assert key.embeddings.create(model="text-embedding-3-small", input="hello").data
    # Keys outside the project are not bound by it.
    permissions.update(project_id, mode="allow_list", model_ids=["gpt-4o-mini"])
    outsider = asgi_client(mock_app, api_key="sk-test-outsider")
    assert outsider.chat.completions.create(**{**CHAT, "model": "gpt-4o"}).choices


def test_a_blocked_model_in_a_form_body_is_refused(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    """Multipart bodies (audio, image edits) are not read by json_body: the accounting step checks their model."""
    project_id, _account, key = _service_account(admin, mock_app)
    wav = key.audio.speech.create(model="tts-1", voice="alloy", input="Hello there.", response_format="wav").read()
    admin.admin.organization.projects.model_permissions.update(project_id, mode="deny_list", model_ids=["whisper-1"])
    with pytest.raises(openai.PermissionDeniedError) as refused:
        key.audio.transcriptions.create(file=("hello.wav", wav), model="whisper-1")
    assert _refused(refused.value, "model_not_found")["message"].endswith("model `whisper-1`")
    assert key.audio.transcriptions.create(file=("hello.wav", wav), model="gpt-4o-transcribe").text


def test_a_disabled_hosted_tool_is_refused(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _account, key = _service_account(admin, mock_app)
    tools = admin.admin.organization.projects.hosted_tool_permissions
    search = {"model": "gpt-4o", "input": "Search the web for the latest Mars rover news."}
    assert key.responses.create(**search, tools=[{"type": "web_search"}]).output
    tools.update(project_id, web_search={"enabled": False}, code_interpreter={"enabled": False})

    with pytest.raises(openai.PermissionDeniedError) as refused:
        key.responses.create(**search, tools=[{"type": "web_search_preview"}])
    error = _refused(refused.value, "hosted_tool_disabled")
    assert error["param"] == "tools[0]" and "'web_search'" in error["message"]
    with pytest.raises(openai.PermissionDeniedError) as second_tool:
        key.responses.create(
            **search,
            tools=[
                {"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {}}},
                {"type": "code_interpreter", "container": {"type": "auto"}},
            ],
        )
    assert second_tool.value.body["param"] == "tools[1]"  # type: ignore[index]
    with pytest.raises(openai.PermissionDeniedError) as chat_search:
        key.chat.completions.create(model="gpt-4o-search-preview", messages=CHAT["messages"], web_search_options={})
    assert chat_search.value.body["param"] == "web_search_options"  # type: ignore[index]
    assert key.responses.create(**search).output  # no hosted tool: fine

    tools.update(project_id, web_search={"enabled": True})
    assert key.responses.create(**search, tools=[{"type": "web_search"}]).output


def test_admin_keys_are_not_bound(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project_id, _account, _key = _service_account(admin, mock_app)
    admin.admin.organization.projects.model_permissions.update(project_id, mode="allow_list", model_ids=["o3"])
    assert admin.chat.completions.create(**CHAT).choices


def test_enforced_on_dynamodb(admin: openai.OpenAI, mock_app: TemplateRouter, moto_persistence: None) -> None:
    """With persistence on, the policy is an item of the table that every function reads."""
    project_id, account_id, key = _service_account(admin, mock_app)
    roles = admin.admin.organization.projects.users.roles
    roles.delete(_role(admin, project_id, "Member"), project_id=project_id, user_id=account_id)
    with pytest.raises(openai.PermissionDeniedError):
        key.models.list()
    roles.create(account_id, project_id=project_id, role_id=_role(admin, project_id, "Viewer"))
    assert key.models.list().data
    group = admin.admin.organization.groups.create(name="On DynamoDB")
    assert [g.id for g in admin.admin.organization.groups.list()] == [group.id]

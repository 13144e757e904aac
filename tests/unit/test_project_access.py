"""The web tier's project-key checks (web/access.py, web/permissions.py): which permission each request needs,
that only project keys cost a store read, and how model and tool policies match."""

from __future__ import annotations

from typing import Any

import pytest

from openai_mock.errors import OpenAIError
from openai_mock.web import access, auth
from openai_mock.web.permissions import (
    ORGANIZATION_PERMISSIONS,
    PROJECT_PERMISSIONS,
    PROJECT_READ_PERMISSIONS,
    required_permission,
)


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("POST", "/v1/chat/completions", "api.model.request"),
        ("GET", "/v1/chat/completions", "api.chat.completions.read"),
        ("POST", "/v1/chat/completions/chatcmpl-1", "api.chat.completions.write"),
        ("POST", "/v1/embeddings", "api.model.request"),
        ("POST", "/v1/audio/transcriptions", "api.model.request"),
        ("GET", "/v1/models", "api.model.read"),
        ("DELETE", "/v1/models/ft:gpt-4o-mini:org::abc", "api.model.write"),
        ("POST", "/v1/responses", "api.responses.write"),
        ("GET", "/v1/responses/resp_1", "api.responses.read"),
        ("POST", "/v1/uploads", "api.files.write"),
        ("GET", "/v1/vector_stores", "api.vector_stores.read"),
        ("POST", "/v1/threads/thread_1/runs", "api.threads.write"),
        ("GET", "/v1/organization/projects", None),  # admin keys only, whatever a project role says
        ("GET", "/__mock/requests", None),
        ("GET", "/v1/somewhere_new", None),
    ],
)
def test_required_permission(method: str, path: str, needed: str | None) -> None:
    assert required_permission(method, path) == needed
    if needed is not None:
        assert needed in PROJECT_PERMISSIONS


def test_catalogue_is_consistent() -> None:
    assert not set(PROJECT_PERMISSIONS) & set(ORGANIZATION_PERMISSIONS)
    assert all(name.endswith(".read") for name in PROJECT_READ_PERMISSIONS)
    assert "api.model.request" not in PROJECT_READ_PERMISSIONS


class _NoStore:
    def get(self, *args: Any) -> None:
        raise AssertionError("an ordinary key must not cost a store read")


def test_ordinary_keys_cost_no_store_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "get_store", lambda: _NoStore())
    monkeypatch.setattr(access, "get_store", lambda: _NoStore())
    for key in ("sk-test", "sk-proj-" + "a" * 40, "sk-None-" + "c" * 40):
        principal = auth.principal_for_key(key)
        assert access.enforce_project_access(principal, "POST", "/v1/chat/completions") is None


def test_minted_user_project_keys_are_told_apart_by_their_seal() -> None:
    minted = auth.seal_project_key("sk-proj-" + "b" * 60)
    assert minted.startswith("sk-proj-") and auth._minted_project_key(minted)
    assert not auth._minted_project_key(minted[:-1] + ("0" if minted[-1] != "0" else "1"))
    assert not auth._minted_project_key("sk-proj-" + "b" * 66)


def _policy(monkeypatch: pytest.MonkeyPatch, policy: dict[str, Any]) -> auth.Principal:
    class _Store:
        def get(self, tenant: str, collection: str, object_id: str) -> dict[str, Any] | None:
            assert (collection, object_id) == (access.POLICY_COLLECTION, "proj_1")
            return policy

    monkeypatch.setattr(access, "get_store", lambda: _Store())
    return auth.Principal("t_1", "org-1", False, project_id="proj_1", api_key_id="key_1", owner_id="svc_acct_1")


def test_a_project_key_needs_its_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {"id": "proj_1", "members": {"svc_acct_1": ["api.model.read"]}, "model_permissions": None}
    principal = _policy(monkeypatch, policy)
    assert access.enforce_project_access(principal, "GET", "/v1/models") == policy
    with pytest.raises(OpenAIError) as refused:
        access.enforce_project_access(principal, "POST", "/v1/chat/completions")
    assert (refused.value.status, refused.value.code) == (403, "insufficient_permissions")
    assert "Missing scopes: api.model.request." in refused.value.message
    stranger = auth.Principal("t_1", "org-1", False, project_id="proj_1", api_key_id="key_2", owner_id="user-gone")
    with pytest.raises(OpenAIError):
        access.enforce_project_access(stranger, "GET", "/v1/models")


@pytest.mark.parametrize(
    ("mode", "listed", "model", "allowed"),
    [
        ("allow_list", ["gpt-4o"], "gpt-4o", True),
        ("allow_list", ["gpt-4o"], "gpt-4o-2024-08-06", True),  # a snapshot of a listed model
        ("allow_list", ["gpt-4o"], "gpt-4o-mini", False),  # another model, not a snapshot
        ("allow_list", ["gpt-4o-mini"], "ft:gpt-4o-mini:org::abc123", True),  # a fine-tune of a listed base
        ("deny_list", ["o3"], "o3", False),
        ("deny_list", ["o3"], "o3-mini", True),
        ("deny_list", [], "gpt-4o", True),
    ],
)
def test_model_matching(mode: str, listed: list[str], model: str, allowed: bool) -> None:
    assert access.model_allowed({"mode": mode, "model_ids": listed}, model) is allowed

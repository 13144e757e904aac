"""Tenant isolation: every object key A creates is invisible and unusable with key B — retrieve, list,
modify, delete, and use as a reference — on the memory store and on DynamoDB + S3 (moto).
Organization objects are isolated by admin key the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.local.server import TemplateRouter

A, B = {"Authorization": "Bearer sk-tenant-a"}, {"Authorization": "Bearer sk-tenant-b"}
ADMIN_A, ADMIN_B = {"Authorization": "Bearer sk-admin-org-a"}, {"Authorization": "Bearer sk-admin-org-b"}
TRAINING = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}\n' * 10


@dataclass
class Objects:
    """One object of each kind, all created with key A (user) or admin key A (organization)."""

    file: str
    training_file: str
    vector_store: str
    batch: str
    upload: str
    job: str
    model: str
    completion: str
    project: str
    invite: str
    admin_key: str
    service_account: str
    user: str


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _create_everything(http: TestClient) -> Objects:
    clock.freeze()
    file = _ok(
        http.post(
            "/v1/files",
            headers=A,
            data={"purpose": "assistants"},
            files={"file": ("a.txt", b"Tenant A's secret notes.", "text/plain")},
        )
    )["id"]
    training = _ok(
        http.post(
            "/v1/files",
            headers=A,
            data={"purpose": "fine-tune"},
            files={"file": ("t.jsonl", TRAINING, "application/jsonl")},
        )
    )["id"]
    store = _ok(http.post("/v1/vector_stores", headers=A, json={"name": "A", "file_ids": [file]}))["id"]
    batch = _ok(http.post(f"/v1/vector_stores/{store}/file_batches", headers=A, json={"file_ids": [file]}))["id"]
    job = _ok(http.post("/v1/fine_tuning/jobs", headers=A, json={"model": "gpt-4o-mini", "training_file": training}))
    clock.advance(24 * 3600)
    model = _ok(http.get(f"/v1/fine_tuning/jobs/{job['id']}", headers=A))["fine_tuned_model"]
    assert model, "the fine-tuning job should have finished a day later"
    # Created after the clock moved: an upload expires an hour after its creation.
    upload = _ok(
        http.post(
            "/v1/uploads",
            headers=A,
            json={"purpose": "assistants", "filename": "u.txt", "bytes": 3, "mime_type": "text/plain"},
        )
    )["id"]
    completion = _ok(
        http.post(
            "/v1/chat/completions",
            headers=A,
            json={"model": "gpt-4o-mini", "store": True, "messages": [{"role": "user", "content": "A's question"}]},
        )
    )["id"]
    project = _ok(http.post("/v1/organization/projects", headers=ADMIN_A, json={"name": "A's project"}))["id"]
    invite = _ok(
        http.post("/v1/organization/invites", headers=ADMIN_A, json={"email": "a@example.org", "role": "reader"})
    )["id"]
    admin_key = _ok(http.post("/v1/organization/admin_api_keys", headers=ADMIN_A, json={"name": "A"}))["id"]
    account = _ok(
        http.post(f"/v1/organization/projects/{project}/service_accounts", headers=ADMIN_A, json={"name": "A-bot"})
    )["id"]
    user = _ok(http.get("/v1/organization/users", headers=ADMIN_A))["data"][0]["id"]
    _ok(
        http.post(
            f"/v1/organization/projects/{project}/users", headers=ADMIN_A, json={"user_id": user, "role": "member"}
        )
    )
    return Objects(
        file, training, store, batch, upload, job["id"], model, completion, project, invite, admin_key, account, user
    )


# (method, path, json body or None) that B tries against A's objects; each must be a 404.
Attempt = tuple[str, str, dict[str, Any] | None]


def _user_attempts(o: Objects) -> list[Attempt]:
    vs = f"/v1/vector_stores/{o.vector_store}"
    return [
        ("GET", f"/v1/files/{o.file}", None),
        ("GET", f"/v1/files/{o.file}/content", None),
        ("DELETE", f"/v1/files/{o.file}", None),
        ("GET", vs, None),
        ("POST", vs, {"name": "stolen"}),
        ("POST", f"{vs}/search", {"query": "secret"}),
        ("GET", f"{vs}/files", None),
        ("POST", f"{vs}/files", {"file_id": o.file}),
        ("GET", f"{vs}/files/{o.file}", None),
        ("POST", f"{vs}/files/{o.file}", {"attributes": {"k": "v"}}),
        ("GET", f"{vs}/files/{o.file}/content", None),
        ("DELETE", f"{vs}/files/{o.file}", None),
        ("POST", f"{vs}/file_batches", {"file_ids": [o.file]}),
        ("GET", f"{vs}/file_batches/{o.batch}", None),
        ("GET", f"{vs}/file_batches/{o.batch}/files", None),
        ("POST", f"{vs}/file_batches/{o.batch}/cancel", None),
        ("DELETE", vs, None),
        ("POST", f"/v1/uploads/{o.upload}/cancel", None),
        ("POST", f"/v1/uploads/{o.upload}/complete", {"part_ids": []}),
        ("GET", f"/v1/fine_tuning/jobs/{o.job}", None),
        ("GET", f"/v1/fine_tuning/jobs/{o.job}/events", None),
        ("GET", f"/v1/fine_tuning/jobs/{o.job}/checkpoints", None),
        ("POST", f"/v1/fine_tuning/jobs/{o.job}/cancel", None),
        ("GET", f"/v1/models/{o.model}", None),
        ("DELETE", f"/v1/models/{o.model}", None),
        ("GET", f"/v1/chat/completions/{o.completion}", None),
        ("GET", f"/v1/chat/completions/{o.completion}/messages", None),
        ("POST", f"/v1/chat/completions/{o.completion}", {"metadata": {"k": "v"}}),
        ("DELETE", f"/v1/chat/completions/{o.completion}", None),
    ]


def _admin_attempts(o: Objects) -> list[Attempt]:
    p = f"/v1/organization/projects/{o.project}"
    return [
        ("GET", p, None),
        ("POST", p, {"name": "stolen"}),
        ("POST", f"{p}/archive", None),
        ("GET", f"{p}/users", None),
        ("GET", f"{p}/users/{o.user}", None),
        ("GET", f"{p}/service_accounts", None),
        ("GET", f"{p}/service_accounts/{o.service_account}", None),
        ("DELETE", f"{p}/service_accounts/{o.service_account}", None),
        ("GET", f"{p}/api_keys", None),
        ("GET", f"{p}/rate_limits", None),
        ("GET", f"/v1/organization/invites/{o.invite}", None),
        ("DELETE", f"/v1/organization/invites/{o.invite}", None),
        ("GET", f"/v1/organization/admin_api_keys/{o.admin_key}", None),
        ("DELETE", f"/v1/organization/admin_api_keys/{o.admin_key}", None),
        ("GET", f"/v1/organization/users/{o.user}", None),
        ("POST", f"/v1/organization/users/{o.user}", {"role": "reader"}),
        ("DELETE", f"/v1/organization/users/{o.user}", None),
    ]


def _attempt(http: TestClient, headers: dict[str, str], attempt: Attempt) -> int:
    method, path, body = attempt
    response = http.request(method, path, headers=headers, json=body)
    assert "error" in response.json(), f"{method} {path}: {response.text[:200]}"
    return response.status_code


def _ids(http: TestClient, headers: dict[str, str], path: str) -> set[str]:
    return {item["id"] for item in _ok(http.get(path, headers=headers))["data"]}


def test_user_objects_are_invisible_and_unusable_to_another_key(backend: str, mock_app: TemplateRouter) -> None:
    http = TestClient(mock_app)
    o = _create_everything(http)
    for attempt in _user_attempts(o):
        assert _attempt(http, B, attempt) == 404, attempt

    # B's lists hold none of A's objects.
    for path in ("/v1/files", "/v1/vector_stores", "/v1/fine_tuning/jobs", "/v1/chat/completions", "/v1/models"):
        assert not _ids(http, B, path) & {o.file, o.training_file, o.vector_store, o.job, o.completion, o.model}

    # A's objects cannot be used as references inside B's own requests.
    mine = _ok(http.post("/v1/vector_stores", headers=B, json={"name": "B"}))["id"]
    refs: list[tuple[str, dict[str, Any]]] = [
        (f"/v1/vector_stores/{mine}/files", {"file_id": o.file}),
        (f"/v1/vector_stores/{mine}/file_batches", {"file_ids": [o.file]}),
        ("/v1/vector_stores", {"name": "B2", "file_ids": [o.file]}),
        ("/v1/fine_tuning/jobs", {"model": "gpt-4o-mini", "training_file": o.training_file}),
        ("/v1/fine_tuning/jobs", {"model": o.model, "training_file": o.training_file}),
        ("/v1/chat/completions", {"model": o.model, "messages": [{"role": "user", "content": "hi"}]}),
    ]
    for path, body in refs:
        status = _attempt(http, B, ("POST", path, body))
        assert status in (400, 404), (path, body, status)
    assert _ok(http.get(f"/v1/vector_stores/{mine}", headers=B))["file_counts"]["total"] == 0
    assert _ids(http, B, "/v1/vector_stores") == {mine}
    assert _ids(http, B, "/v1/fine_tuning/jobs") == set()

    # Nothing B tried changed A's objects.
    assert http.get(f"/v1/files/{o.file}/content", headers=A).content == b"Tenant A's secret notes."
    store = _ok(http.get(f"/v1/vector_stores/{o.vector_store}", headers=A))
    assert store["name"] == "A" and store["file_counts"]["total"] == 1
    assert _ok(http.get(f"/v1/chat/completions/{o.completion}", headers=A)).get("metadata") in (None, {})
    assert _ok(http.get(f"/v1/models/{o.model}", headers=A))["id"] == o.model
    assert _ok(http.get(f"/v1/fine_tuning/jobs/{o.job}", headers=A))["status"] == "succeeded"
    assert _ok(http.post(f"/v1/uploads/{o.upload}/cancel", headers=A))["status"] == "cancelled"


def test_organization_objects_are_invisible_to_another_organization(backend: str, mock_app: TemplateRouter) -> None:
    http = TestClient(mock_app)
    o = _create_everything(http)
    for attempt in _admin_attempts(o):
        assert _attempt(http, ADMIN_B, attempt) == 404, attempt
    assert o.project not in _ids(http, ADMIN_B, "/v1/organization/projects")
    assert o.invite not in _ids(http, ADMIN_B, "/v1/organization/invites")
    assert o.admin_key not in _ids(http, ADMIN_B, "/v1/organization/admin_api_keys")
    assert o.user not in _ids(http, ADMIN_B, "/v1/organization/users")
    b_project = _ok(http.post("/v1/organization/projects", headers=ADMIN_B, json={"name": "B"}))["id"]
    status = _attempt(
        http, ADMIN_B, ("POST", f"/v1/organization/projects/{b_project}/users", {"user_id": o.user, "role": "member"})
    )
    assert status in (400, 404)

    # A's organization is untouched.
    project = _ok(http.get(f"/v1/organization/projects/{o.project}", headers=ADMIN_A))
    assert (project["name"], project["status"]) == ("A's project", "active")
    assert _ok(http.get(f"/v1/organization/invites/{o.invite}", headers=ADMIN_A))["status"] == "pending"
    assert o.user in _ids(http, ADMIN_A, f"/v1/organization/projects/{o.project}/users")


@pytest.mark.parametrize("make_headers", [lambda k: {"Authorization": f"Bearer {k}"}], ids=["bearer"])
def test_user_keys_cannot_reach_the_organization_api(
    mock_app: TemplateRouter, make_headers: Callable[[str], dict[str, str]]
) -> None:
    http = TestClient(mock_app)
    response = http.get("/v1/organization/projects", headers=make_headers("sk-tenant-a"))
    assert response.status_code in (401, 403) and "error" in response.json()

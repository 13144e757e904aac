"""Registering a fixture through the mock controls, for the fixture tests (the `client` fixture's key)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

KEY = {"Authorization": "Bearer sk-test"}


def add_fixture(http: TestClient, **fixture: Any) -> dict[str, Any]:
    response = http.post("/__mock/fixtures", json=fixture, headers=KEY)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]

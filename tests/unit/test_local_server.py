"""`openai-mock serve` for real: a subprocess on a free port, answered through the official SDK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.support.live_server import served_process

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, str]]:
    with served_process("--seed", "7") as (url, banner):  # the banner is printed just before uvicorn binds
        yield f"{url}/v1", banner


def test_banner_names_the_url_and_route_count(served: tuple[str, str]) -> None:
    base_url, banner = served
    assert base_url in banner
    assert " routes from " in banner


def test_sdk_lists_models_over_a_real_socket(served: tuple[str, str]) -> None:
    client = openai.OpenAI(base_url=served[0], api_key="sk-test", max_retries=0)
    assert "gpt-4o" in [model.id for model in client.models.list()]


def test_unknown_path_gets_the_404_envelope(served: tuple[str, str]) -> None:
    response = httpx.get(f"{served[0]}/nope", headers={"Authorization": "Bearer sk-test"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (GET /v1/nope)"


def test_lifespan_is_answered_in_process() -> None:
    from starlette.testclient import TestClient

    from openai_mock.local.server import build_app

    with TestClient(build_app(REPO / "template.yaml")) as http:  # runs lifespan startup and shutdown
        assert http.get("/v1/models", headers={"Authorization": "Bearer sk-test"}).status_code == 200


def test_browsers_may_call_the_mock_cross_origin(http) -> None:  # type: ignore[no-untyped-def]
    preflight = http.options(
        "/v1/chat/completions", headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    answer = http.get("/v1/models", headers={"Authorization": "Bearer sk-test", "Origin": "https://app.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "x-request-id" in answer.headers["access-control-expose-headers"]
    not_a_browser = http.get("/v1/models", headers={"Authorization": "Bearer sk-test"})
    assert "access-control-allow-origin" not in not_a_browser.headers and "x-request-id" in not_a_browser.headers
    assert http.options("/v1/nowhere").status_code == 404

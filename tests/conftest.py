"""Fixtures every group's tests reuse: fresh layer state per test, the whole mock built from
template.yaml, and official SDK clients bound to it (in-process) or to a function's Lambda handler."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock, ratelimits
from openai_mock.local.server import TemplateRouter, build_app
from openai_mock.settings import reset_settings
from openai_mock.store import reset_stores
from tests.support.sdk import asgi_client

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template.yaml"


@pytest.fixture(autouse=True)
def fresh_layer_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No settings, objects or pinned time leak from one test into the next."""
    for name in list(os.environ):
        if name.startswith("OPENAI_MOCK_"):
            monkeypatch.delenv(name)
    reset_settings()
    reset_stores()
    clock.reset()
    ratelimits.reset()
    yield
    reset_settings()
    reset_stores()
    clock.reset()
    ratelimits.reset()


@pytest.fixture(scope="session")
def mock_app() -> TemplateRouter:
    """Every function of template.yaml behind one router, exactly as `openai-mock serve` runs them."""
    return build_app(TEMPLATE)


@pytest.fixture
def http(mock_app: TemplateRouter) -> TestClient:
    """Raw HTTP access, for what the SDK will not send (bad JSON, missing key, odd methods)."""
    return TestClient(mock_app, base_url="http://testserver")


@pytest.fixture
def client(mock_app: TemplateRouter) -> openai.OpenAI:
    return asgi_client(mock_app)


@pytest.fixture
def admin_client(mock_app: TemplateRouter) -> openai.OpenAI:
    # openai 2.x sends /organization/* calls with `admin_api_key`, everything else with `api_key`.
    key = "sk-admin-test-organization"
    return asgi_client(mock_app, api_key=key, admin_api_key=key)


@pytest.fixture
def client_for(mock_app: TemplateRouter) -> Callable[[str], openai.OpenAI]:
    """Clients for other API keys (= other tenants)."""
    return lambda api_key: asgi_client(mock_app, api_key=api_key)

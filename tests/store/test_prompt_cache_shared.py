"""The prompt cache is the deployment's, not a process's: what one container wrote another reads (DynamoDB under
moto, SQLite). Each "container" is a fresh store (`reset_stores()`), as a cold Lambda container is."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from openai_mock.control import api
from openai_mock.local.server import TemplateRouter
from openai_mock.store import reset_stores
from tests.support.sdk import asgi_client

HANDBOOK = " ".join(f"word{index}" for index in range(700))
LONG = [{"role": "system", "content": HANDBOOK}, {"role": "user", "content": "Summarise the handbook."}]


@pytest.fixture(params=["sqlite", "moto"])
def shared_store(request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("on_sqlite" if request.param == "sqlite" else "moto_persistence")


def _container(mock_app: TemplateRouter, key: str = "sk-shared") -> openai.OpenAI:
    reset_stores()
    api.reset_process_state()
    return asgi_client(mock_app, api_key=key)


def _cached(client: openai.OpenAI, **extra: Any) -> int:
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=LONG, **extra)  # type: ignore[arg-type]
    assert completion.usage and completion.usage.prompt_tokens_details
    return completion.usage.prompt_tokens_details.cached_tokens or 0


def test_a_second_container_hits_what_the_first_cached(shared_store: object, mock_app: TemplateRouter) -> None:
    assert _cached(_container(mock_app)) == 0
    assert _cached(_container(mock_app)) == 1_408
    assert _cached(_container(mock_app, "sk-another-tenant")) == 0
    assert _cached(_container(mock_app), prompt_cache_key="k") == 0
    assert _cached(_container(mock_app), prompt_cache_key="k") == 1_408
    _container(mock_app).post("/../__mock/reset", cast_to=object)
    assert _cached(_container(mock_app)) == 0  # the reset cleared the tenant's caches everywhere

"""Counters shared by every container (DynamoDB) or worker (SQLite): quotas' windows, deployment fixtures'
counts, the tenant's clock. Each "container" here is a fresh store (`reset_stores()`: no process state
survives), as two Lambda containers of one function or two workers of `openai-mock serve --workers 2` are;
`/__mock/reset` clears the counters for all of them."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from openai_mock import clock
from openai_mock.control import api
from openai_mock.local.server import TemplateRouter
from openai_mock.settings import reset_settings
from openai_mock.store import reset_stores
from tests.support.sdk import asgi_client

ASK = [{"role": "user", "content": "What's the weather in Paris?"}]


@pytest.fixture(params=["sqlite", "dynamodb-local"])
def shared_store(request: pytest.FixtureRequest) -> object:
    """The whole mock on a store every process shares."""
    return request.getfixturevalue("on_sqlite" if request.param == "sqlite" else "on_dynamodb_local")


def _container(mock_app: TemplateRouter, key: str = "sk-shared") -> openai.OpenAI:
    """A cold container: no cached store, no process counters."""
    reset_stores()
    api.reset_process_state()
    return asgi_client(mock_app, api_key=key)


def _ask(client: openai.OpenAI) -> str | None:
    return client.chat.completions.create(model="gpt-4o-mini", messages=ASK).choices[0].message.content  # type: ignore[arg-type]


def test_a_quota_is_counted_across_containers_and_reset_everywhere(
    shared_store: object, mock_app: TemplateRouter
) -> None:
    clock.freeze(1_800_000_000.0)  # a minute's start: the quota's requests in one window
    first = _container(mock_app)
    first.post("/../__mock/quotas", cast_to=object, body={"requests_per_minute": 3})
    _ask(first)
    _ask(_container(mock_app))
    _ask(_container(mock_app))
    with pytest.raises(openai.RateLimitError) as refused:
        _ask(_container(mock_app))
    assert "Limit 3, Used 3, Requested 1" in str(refused.value)
    assert _ask(_container(mock_app, "sk-another-tenant"))  # another tenant's windows are its own
    _container(mock_app).post("/../__mock/reset", cast_to=object)
    _container(mock_app).post("/../__mock/quotas", cast_to=object, body={"requests_per_minute": 3})
    assert _ask(_container(mock_app))  # counted from zero again


def test_a_file_fixtures_times_hold_across_containers(
    shared_store: object, mock_app: TemplateRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps([{"match": {"contains": "weather"}, "response": {"content": "Sunny."}, "times": 2}]))
    monkeypatch.setenv("OPENAI_MOCK_FIXTURES_FILE", str(fixtures))
    reset_settings()
    assert _ask(_container(mock_app)) == "Sunny."
    assert _ask(_container(mock_app)) == "Sunny."
    assert _ask(_container(mock_app)) != "Sunny."  # its two times are spent, whichever container counts
    _container(mock_app).post("/../__mock/reset", cast_to=object)
    assert _ask(_container(mock_app)) == "Sunny."  # the reset cleared the count everywhere


def test_the_tenants_clock_is_shared_across_containers(shared_store: object, mock_app: TemplateRouter) -> None:
    moved = _container(mock_app).post("/../__mock/clock", cast_to=object, body={"advance_seconds": 7200})
    assert moved["offset_seconds"] == 7200  # type: ignore[index]
    assert _container(mock_app).get("/../__mock/clock", cast_to=object)["offset_seconds"] == 7200  # type: ignore[index]
    assert _container(mock_app, "sk-another-tenant").get("/../__mock/clock", cast_to=object)["offset_seconds"] == 0  # type: ignore[index]

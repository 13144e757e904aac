"""A process keeps its copy of a tenant's fixtures while their stamp stands (store/copies.py): requests make no
listing of them, and every change is seen by the next request (across processes: tests/store/test_two_processes).
On a shared store (SQLite here): the memory store lists them directly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.control import fixtures
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.mock_fixtures import KEY, add_fixture


@pytest.fixture
def listings(on_sqlite: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The tenants whose fixtures were listed from the store, one entry per listing."""
    fixtures.reset_process_state()
    store, made = get_store(), []
    listed = store.list

    def counted(tenant: str, collection: str, **options: Any) -> Any:
        if collection == fixtures.COLLECTION:
            made.append(tenant)
        return listed(tenant, collection, **options)

    monkeypatch.setattr(store, "list", counted)
    yield made
    fixtures.reset_process_state()


def _ask(client: openai.OpenAI) -> str | None:
    messages = [{"role": "user", "content": "How is the weather?"}]
    return client.chat.completions.create(model="gpt-4o-mini", messages=messages).choices[0].message.content  # type: ignore[arg-type]


def test_fixtures_are_listed_once_while_nothing_changes(
    http: TestClient, client: openai.OpenAI, listings: list[str]
) -> None:
    add_fixture(http, match={"contains": "weather"}, response={"content": "Sunny."})
    assert [_ask(client) for _ in range(3)] == ["Sunny."] * 3
    assert len(listings) == 1


def test_every_change_is_seen_by_the_next_request(http: TestClient, client: openai.OpenAI, listings: list[str]) -> None:
    add_fixture(http, match={"contains": "weather"}, response={"content": "Sunny."})
    assert _ask(client) == "Sunny."
    add_fixture(http, match={"contains": "weather", "model": "gpt-4o-mini"}, response={"content": "Rainy."})
    assert _ask(client) == "Rainy."  # the more specific one
    assert http.delete("/__mock/fixtures", headers=KEY).status_code == 200
    assert _ask(client) not in ("Sunny.", "Rainy.")
    add_fixture(http, match={"contains": "weather"}, response={"content": "Windy."})
    assert _ask(client) == "Windy."
    assert http.post("/__mock/reset", headers=KEY).status_code == 200
    assert _ask(client) != "Windy."
    assert len(listings) == 5


def test_a_copy_is_listed_again_after_a_while(http: TestClient, client: openai.OpenAI, listings: list[str]) -> None:
    """A fixture past the deployment's TTL leaves the store without a change of stamp: copies are kept 30 s."""
    add_fixture(http, match={"contains": "weather"}, response={"content": "Sunny."})
    clock.freeze(1_800_000_000)
    _ask(client)
    clock.advance(29)
    _ask(client)
    assert len(listings) == 1
    clock.advance(2)
    _ask(client)
    assert len(listings) == 2


def test_a_tenant_with_over_100_fixtures_is_listed_every_time(
    http: TestClient, client: openai.OpenAI, listings: list[str]
) -> None:
    """A process keeps short lists only (a Lambda container serves every tenant)."""
    for index in range(101):
        add_fixture(http, match={"contains": f"weather{index}"}, response={"content": f"Sunny {index}."})
    _ask(client)
    _ask(client)
    assert len(listings) == 4  # two pages of 100 each time


def test_fixtures_without_a_stamp_are_listed_every_time(
    http: TestClient, client: openai.OpenAI, listings: list[str]
) -> None:
    """Fixtures written by an earlier version carry no stamp: listed on every request until the first change (a
    tenant without fixtures and without a stamp, as after a reset, is kept: its empty list)."""
    _ask(client)
    _ask(client)
    assert len(listings) == 1  # nothing to list: kept
    tenant = principal_for_key("sk-test").tenant
    earlier = {"id": "fixture_earlier", "object": "mock.fixture", "created_at": 1, "matched": 0}
    answer = {"match": {"contains": "weather"}, "response": {"content": "Old."}}
    get_store().create(tenant, fixtures.COLLECTION, {**earlier, **answer})
    clock.freeze(clock.process_now() + 31)  # past the empty list's 30 s
    assert [_ask(client), _ask(client)] == ["Old.", "Old."]
    assert len(listings) == 3

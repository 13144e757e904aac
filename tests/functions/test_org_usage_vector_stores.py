"""Vector-store storage in the organization's usage: a level, not a sum of events. A bucket's `usage_bytes`
is what the organization's vector stores hold at its end (files count once their processing completes, and
stop counting when detached, cancelled or their store is deleted); costs price that level per GB-day."""

from __future__ import annotations

import io
from typing import Any

import openai
import pytest

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from openai_mock.resources.organization import prices
from openai_mock.settings import get_settings
from tests.support.org_sdk import org_client
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
DAY = 86_400
T0 = 1_750_032_000  # 2025-06-16T00:00:00Z
NOW = T0 + 3_600
PATH = "/v1/organization/usage/vector_stores"
CATS = "Cats sleep for around sixteen hours a day. They are crepuscular: most active at dawn and dusk."
SHIPS = "Container ships carry cargo between harbours; tugboats push the hull to the berth."


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    """The admin key also works as its organization's ordinary key: its vector stores are the organization's."""
    clock.freeze(NOW)
    ratelimits.reset()
    return org_client(mock_app)


def _storage(admin: openai.OpenAI, **query: Any) -> list[tuple[int, int]]:
    """(bucket start, usage_bytes summed over the bucket's results) per bucket, the answer checked."""
    raw = admin.admin.organization.usage.with_raw_response.vector_stores(**query)
    body = raw.http_response.json()
    assert_conforms("GET", PATH, 200, {**body, "next_page": body["next_page"] or "page_end"}, spec=SPEC)
    page = raw.parse()
    return [(bucket.start_time, sum(r.usage_bytes for r in bucket.results)) for bucket in page.data]  # type: ignore[union-attr,misc]


def _attach(admin: openai.OpenAI, store_id: str, text: str) -> str:
    file_id = admin.files.create(file=("notes.txt", io.BytesIO(text.encode())), purpose="assistants").id
    admin.vector_stores.files.create(vector_store_id=store_id, file_id=file_id)
    return file_id


def _processed() -> None:
    clock.advance(get_settings().vector_store_processing_seconds + 60)


def test_storage_is_the_level_of_each_bucket(admin: openai.OpenAI) -> None:
    store = admin.vector_stores.create(name="notes")
    file_id = _attach(admin, store.id, CATS)
    minutes = {"start_time": NOW - 60, "bucket_width": "1m"}
    assert _storage(admin, **minutes)[-1][1] == 0  # still processing: nothing stored yet

    _processed()
    stored = admin.vector_stores.retrieve(store.id).usage_bytes
    assert stored == len(CATS.encode())
    hours = {"start_time": T0, "end_time": T0 + 6 * 3_600, "bucket_width": "1h"}
    assert _storage(admin, **hours)[:3] == [(T0, 0), (T0 + 3_600, stored), (T0 + 7_200, stored)]

    # A bucket long after the attach still holds the level (all history counts, not only the bucket's).
    clock.advance(2 * DAY)
    later = admin.vector_stores.retrieve(store.id).usage_bytes
    assert _storage(admin, start_time=T0 + 2 * DAY, end_time=T0 + 3 * DAY) == [(T0 + 2 * DAY, later)]

    second = admin.vector_stores.create(name="ships")
    _attach(admin, second.id, SHIPS)
    _processed()
    both = stored + admin.vector_stores.retrieve(second.id).usage_bytes
    assert _storage(admin, start_time=T0 + 2 * DAY)[-1][1] == both

    admin.vector_stores.files.delete(file_id, vector_store_id=store.id)
    clock.advance(120)
    [*_, (_, now_level)] = _storage(admin, start_time=clock.now_seconds() - 60, bucket_width="1m")
    assert now_level == both - stored
    admin.vector_stores.delete(second.id)
    clock.advance(DAY)
    assert _storage(admin, start_time=clock.now_seconds() - 60, bucket_width="1m")[-1][1] == 0
    # The days before keep their levels; a day's level is the one at its end (everything left on day 2).
    assert _storage(admin, start_time=T0, end_time=T0 + 3 * DAY) == [
        (T0, stored),
        (T0 + DAY, stored),
        (T0 + 2 * DAY, 0),
    ]


def test_a_file_detached_before_it_completes_never_counts(admin: openai.OpenAI) -> None:
    store = admin.vector_stores.create(name="brief")
    file_id = _attach(admin, store.id, CATS)
    admin.vector_stores.files.delete(file_id, vector_store_id=store.id)
    _processed()
    assert _storage(admin, start_time=T0) == [(T0, 0)]


def test_a_cancelled_batch_takes_back_its_pending_bytes(admin: openai.OpenAI) -> None:
    store = admin.vector_stores.create(name="batch")
    file_id = admin.files.create(file=("cats.txt", io.BytesIO(CATS.encode())), purpose="assistants").id
    batch = admin.vector_stores.file_batches.create(vector_store_id=store.id, file_ids=[file_id])
    admin.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    _processed()
    assert admin.vector_stores.retrieve(store.id).usage_bytes == 0
    assert _storage(admin, start_time=T0) == [(T0, 0)]


def test_costs_price_the_level_per_day(admin: openai.OpenAI) -> None:
    store = admin.vector_stores.create(name="priced")
    _attach(admin, store.id, CATS)
    _processed()
    clock.advance(2 * DAY)
    stored = admin.vector_stores.retrieve(store.id).usage_bytes
    raw = admin.admin.organization.usage.with_raw_response.costs(
        start_time=T0, end_time=T0 + 3 * DAY, group_by=["line_item"]
    )
    body = raw.http_response.json()
    assert_conforms(
        "GET", "/v1/organization/costs", 200, {**body, "next_page": body["next_page"] or "page_end"}, spec=SPEC
    )
    per_day = [
        sum(r["amount"]["value"] for r in bucket["results"] if r["line_item"] == "vector store storage")
        for bucket in body["data"]
    ]
    assert per_day == pytest.approx([stored / 1e9 * prices.VECTOR_STORE_PER_GB_DAY] * 3)
    assert per_day[0] > 0

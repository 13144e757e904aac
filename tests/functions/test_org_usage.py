"""Usage and costs from recorded traffic: buckets of 1m/1h/1d between start and end, group_by and
filters, `page`/`next_page`, and costs priced from the 2025-03 price table."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from functions.usage import app as usage_function
from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources.organization import organization, record_principal_usage, record_usage_event
from openai_mock.resources.organization.core import USAGE, default_project_id
from openai_mock.resources.organization.usage import recorded
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.org_sdk import ADMIN_KEY, org_client, org_lambda_client
from tests.support.spec import assert_conforms

DAY = 86_400
T0 = 1_740_009_600  # 2025-02-20T00:00:00Z


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(T0 + 3 * DAY)
    return org_client(mock_app)


def _tenant() -> str:
    return principal_for_key(ADMIN_KEY).tenant


def _conforms(path: str, body: dict[str, Any]) -> None:
    # The spec's schema says next_page is a string, but its own examples (and the real API) end
    # the last page with `"next_page": null`; validate the rest of the page.
    assert_conforms("GET", path, 200, {**body, "next_page": body["next_page"] or "page_end"})


def _get(admin: openai.OpenAI, path: str, **query: Any) -> dict[str, Any]:
    response = admin.get(
        path,
        cast_to=openai._legacy_response.HttpxBinaryResponseContent,  # type: ignore[attr-defined]
        options={"params": query, "security": {"admin_api_key_auth": True}},
    )
    return response.response.json()  # type: ignore[no-any-return]


def test_completions_usage_is_bucketed_by_day_and_grouped(admin: openai.OpenAI) -> None:
    tenant = _tenant()
    record_usage_event(
        tenant, "completions", model="gpt-4o-2024-08-06", input_tokens=1_000, output_tokens=200, at=T0 + 3_600
    )
    record_usage_event(
        tenant,
        "completions",
        model="gpt-4o-2024-08-06",
        input_tokens=500,
        output_tokens=100,
        input_cached_tokens=100,
        at=T0 + 7_200,
    )
    record_usage_event(
        tenant, "completions", model="gpt-4o-mini", input_tokens=40, output_tokens=9, batch=True, at=T0 + DAY + 60
    )

    raw = admin.admin.organization.usage.with_raw_response.completions(start_time=T0, end_time=T0 + 3 * DAY)
    page = raw.http_response.json()
    _conforms("/v1/organization/usage/completions", page)
    assert [(b["start_time"], b["end_time"]) for b in page["data"]] == [
        (T0 + n * DAY, T0 + (n + 1) * DAY) for n in range(3)
    ]
    day_one = page["data"][0]["result"]
    assert len(day_one) == 1
    assert (day_one[0]["input_tokens"], day_one[0]["output_tokens"], day_one[0]["num_model_requests"]) == (
        1_500,
        300,
        2,
    )
    assert day_one[0]["input_cached_tokens"] == 100 and day_one[0]["model"] is None
    assert page["data"][2]["result"] == [] and page["has_more"] is False and page["next_page"] is None

    grouped = admin.admin.organization.usage.completions(
        start_time=T0, end_time=T0 + 2 * DAY, group_by=["model", "batch"]
    )
    second_day = grouped.data[1].results[0]
    assert (second_day.model, second_day.batch, second_day.input_tokens) == ("gpt-4o-mini", True, 40)  # type: ignore[union-attr]
    only_batch = admin.admin.organization.usage.completions(start_time=T0, end_time=T0 + 2 * DAY, batch=True)
    assert only_batch.data[0].results == [] and only_batch.data[1].results[0].input_tokens == 40  # type: ignore[union-attr]
    by_model = admin.admin.organization.usage.completions(start_time=T0, end_time=T0 + DAY, models=["gpt-4o-mini"])
    assert by_model.data[0].results == []


def test_usage_of_a_project_key_lands_in_its_project(admin: openai.OpenAI, mock_app: TemplateRouter) -> None:
    project = admin.admin.organization.projects.create(name="Traffic")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    key_principal = principal_for_key(account.api_key.value)
    record_principal_usage(key_principal, "embeddings", model="text-embedding-3-small", input_tokens=812)
    record_principal_usage(principal_for_key(ADMIN_KEY), "embeddings", model="text-embedding-3-small", input_tokens=8)

    page = admin.admin.organization.usage.embeddings(start_time=T0 + 3 * DAY, group_by=["project_id", "api_key_id"])
    results = {r.project_id: r for r in page.data[0].results}  # type: ignore[union-attr]
    assert results[project.id].input_tokens == 812  # type: ignore[union-attr]
    assert results[project.id].api_key_id == account.api_key.id  # type: ignore[union-attr]
    default_project = organization(principal_for_key(ADMIN_KEY))
    assert len(results) == 2 and default_project.tenant == key_principal.tenant
    filtered = admin.admin.organization.usage.embeddings(start_time=T0 + 3 * DAY, project_ids=[project.id])
    assert [r.input_tokens for r in filtered.data[0].results] == [812]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kind", "fields", "metric"),
    [
        ("moderations", {"model": "omni-moderation-latest", "input_tokens": 31}, "input_tokens"),
        ("images", {"model": "dall-e-3", "images": 2, "size": "1024x1024", "source": "image.generation"}, "images"),
        ("audio_speeches", {"model": "tts-1", "characters": 1_200}, "characters"),
        ("audio_transcriptions", {"model": "whisper-1", "seconds": 95}, "seconds"),
        ("vector_stores", {"usage_bytes": 52_428}, "usage_bytes"),
        ("code_interpreter_sessions", {"num_sessions": 3}, "num_sessions"),
    ],
)
def test_every_usage_kind(admin: openai.OpenAI, kind: str, fields: dict[str, Any], metric: str) -> None:
    record_usage_event(_tenant(), kind, at=T0 + 10, **fields)
    page = getattr(admin.admin.organization.usage.with_raw_response, kind)(start_time=T0, end_time=T0 + DAY)
    body = page.http_response.json()
    _conforms(f"/v1/organization/usage/{kind}", body)
    [result] = body["data"][0]["result"]
    assert result["object"] == f"organization.usage.{kind}.result" and result[metric] == fields[metric]


def test_minute_and_hour_buckets_and_paging(admin: openai.OpenAI) -> None:
    tenant = _tenant()
    for minute in range(5):
        record_usage_event(
            tenant, "moderations", model="omni-moderation-latest", input_tokens=10, at=T0 + minute * 60 + 5
        )
    minutes = admin.admin.organization.usage.moderations(start_time=T0, end_time=T0 + 300, bucket_width="1m", limit=2)
    assert [len(b.results) for b in minutes.data] == [1, 1] and minutes.has_more and minutes.next_page
    rest = admin.admin.organization.usage.moderations(
        start_time=T0, end_time=T0 + 300, bucket_width="1m", limit=2, page=minutes.next_page
    )
    assert rest.data[0].start_time == T0 + 120
    last = admin.admin.organization.usage.moderations(
        start_time=T0, end_time=T0 + 300, bucket_width="1m", limit=2, page=rest.next_page
    )
    assert len(last.data) == 1 and not last.has_more and last.next_page is None
    hour = admin.admin.organization.usage.moderations(start_time=T0, end_time=T0 + 3_600, bucket_width="1h")
    assert hour.data[0].results[0].input_tokens == 50  # type: ignore[union-attr]


def test_bad_queries_are_400s(admin: openai.OpenAI) -> None:
    usage = admin.admin.organization.usage
    cases = [
        ({"bucket_width": "1w"}, "bucket_width"),
        ({"limit": 32}, "limit"),
        ({"group_by": ["size"]}, "group_by"),
        ({"page": "page_garbage"}, "page"),
        ({"end_time": T0 - 1}, "end_time"),
    ]
    for extra, param in cases:
        with pytest.raises(openai.BadRequestError) as raised:
            usage.completions(start_time=T0, **extra)
        assert raised.value.body["param"] == param  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as missing:
        _get(admin, "/organization/usage/completions")
    assert missing.value.body["param"] == "start_time"  # type: ignore[index]


def test_costs_from_the_price_table(admin: openai.OpenAI) -> None:
    tenant = _tenant()
    record_usage_event(
        tenant, "completions", model="gpt-4o-2024-08-06", input_tokens=1_000_000, output_tokens=100_000, at=T0 + 60
    )
    record_usage_event(tenant, "images", model="dall-e-3", images=3, size="1024x1792", at=T0 + 60)
    record_usage_event(tenant, "completions", model="gpt-4o-mini", input_tokens=2_000_000, batch=True, at=T0 + DAY + 60)

    raw = admin.admin.organization.usage.with_raw_response.costs(start_time=T0, end_time=T0 + 2 * DAY)
    body = raw.http_response.json()
    _conforms("/v1/organization/costs", body)
    [total] = body["data"][0]["result"]
    assert total["amount"] == {"value": pytest.approx(2.50 + 1.00 + 0.24), "currency": "usd"}
    assert body["data"][1]["result"][0]["amount"]["value"] == pytest.approx(0.15)  # batch: half of $0.30

    lines = admin.admin.organization.usage.costs(start_time=T0, end_time=T0 + DAY, group_by=["line_item"])
    by_line = {r.line_item: r.amount.value for r in lines.data[0].results}  # type: ignore[union-attr]
    assert by_line == {
        "gpt-4o-2024-08-06, input": pytest.approx(2.50),
        "gpt-4o-2024-08-06, output": pytest.approx(1.00),
        "dall-e-3, images": pytest.approx(0.24),
    }
    with pytest.raises(openai.BadRequestError):
        admin.admin.organization.usage.costs(start_time=T0, bucket_width="1h")  # type: ignore[arg-type]


def test_no_traffic_gives_real_empty_buckets(admin: openai.OpenAI) -> None:
    page = admin.admin.organization.usage.completions(start_time=T0)
    assert len(page.data) == 3 and all(bucket.results == [] for bucket in page.data)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_through_the_lambda_handler(version: str) -> None:
    sdk = org_lambda_client(usage_function.handler, version, "sk-admin-lambda-usage")  # type: ignore[arg-type]
    page = sdk.admin.organization.usage.costs(start_time=T0, end_time=T0 + 2 * DAY)
    assert [bucket.start_time for bucket in page.data] == [T0, T0 + DAY]


def test_minute_records_written_as_objects_by_earlier_versions_still_count(admin: openai.OpenAI) -> None:
    """Before usage became counter items, a minute's record was an object of `organization.usage`: a persisted
    store keeps them, and the Usage API adds them to the counters."""
    tenant = _tenant()
    project = default_project_id(tenant)
    get_store().create(
        tenant,
        USAGE,
        {
            "id": f"{T0 + 3_600:011d}-completions-0123456789abcdef",
            "kind": "completions",
            "minute": T0 + 3_600,
            "dims": {"project_id": project, "user_id": None, "api_key_id": None, "model": "gpt-4o", "batch": False},
            "metrics": {"input_tokens": 40, "output_tokens": 2, "num_model_requests": 1},
        },
    )
    record_usage_event(tenant, "completions", model="gpt-4o", input_tokens=60, output_tokens=3, at=T0 + 3_630)
    record_usage_event(tenant, "completions", model="gpt-4o", input_tokens=5, output_tokens=1, at=T0 + DAY)
    first_day, second_day = admin.admin.organization.usage.completions(start_time=T0, limit=2).data
    [first], [second] = first_day.results, second_day.results
    assert (first.input_tokens, first.output_tokens, first.num_model_requests) == (100, 5, 2)  # type: ignore[union-attr]
    assert (second.input_tokens, second.output_tokens, second.num_model_requests) == (5, 1, 1)  # type: ignore[union-attr]


def test_a_minutes_usage_lives_as_long_as_the_deployments_objects(
    admin: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_MOCK_TTL_SECONDS", "3600")
    reset_settings()
    tenant = _tenant()
    record_usage_event(tenant, "completions", model="gpt-4o", input_tokens=7, output_tokens=1)
    assert [record["metrics"]["input_tokens"] for record in recorded(tenant)] == [7]
    clock.advance(3_601)
    assert recorded(tenant) == []  # gone with the objects of its hour, as its object was

"""The Batch API's 50% discount on every kind a batch runs, through the official SDK: a batch of embeddings (or
of images) costs half what the same requests cost made directly, while the usage answers of those kinds show no
`batch` field and cannot be grouped by one (the Usage API groups only completions by `batch`)."""

from __future__ import annotations

import io
import json
from typing import Any

import openai
import pytest
from openai.types.admin.organization import UsageCostsResponse, UsageEmbeddingsResponse

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held
from tests.support.spec import assert_conforms

SPEC = "2026-08-21"
DAY = 86_400
T0 = 1_750_032_000  # 2025-06-16T00:00:00Z
DIRECT_DAY, BATCH_DAY = T0, T0 + DAY  # the direct requests on the first day, the batch on the second
EMBEDDINGS = "/v1/embeddings"
TEXTS = (
    "Otters hold hands while they sleep so that they do not drift apart.",
    "A group of flamingos is called a flamboyance.",
    "Octopuses have three hearts and blue blood.",
)


@pytest.fixture
def admin(mock_app: TemplateRouter) -> openai.OpenAI:
    clock.freeze(DIRECT_DAY + 3_600)
    ratelimits.reset()
    return org_client(mock_app)


@pytest.fixture
def app(admin: openai.OpenAI, mock_app: TemplateRouter) -> openai.OpenAI:
    """A project's key: its requests, direct or batched, are its organization's usage and costs."""
    project = admin.admin.organization.projects.create(name="Discounts")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    assert account.api_key is not None
    return asgi_client(mock_app, api_key=account.api_key.value)


def _run_batch(app: openai.OpenAI, endpoint: str, bodies: list[dict[str, Any]]) -> None:
    """The bodies as one batch, run to completion on the second day."""
    clock.freeze(BATCH_DAY + 3_600)
    lines = [
        {"custom_id": f"r{index}", "method": "POST", "url": endpoint, "body": body} for index, body in enumerate(bodies)
    ]
    upload = "".join(json.dumps(line) + "\n" for line in lines).encode()
    input_file = app.files.create(file=("batch.jsonl", io.BytesIO(upload)), purpose="batch")
    batch = app.batches.create(input_file_id=input_file.id, endpoint=endpoint, completion_window="24h")  # type: ignore[arg-type]
    clock.advance(10)
    done = app.batches.retrieve(batch.id)
    assert done.status == "completed" and done.request_counts is not None
    assert done.request_counts.completed == len(bodies)


def _daily_costs(admin: openai.OpenAI) -> list[float]:
    """What each of the two days cost, held to the SDK's model and the spec."""
    raw = admin.admin.organization.usage.with_raw_response.costs(start_time=T0, end_time=T0 + 2 * DAY)
    body = held(UsageCostsResponse, raw)
    assert_conforms("GET", "/v1/organization/costs", 200, body, spec=SPEC)
    return [sum(result["amount"]["value"] for result in bucket["results"]) for bucket in body["data"]]


def test_an_embeddings_batch_costs_half_the_same_requests_made_directly(
    admin: openai.OpenAI, app: openai.OpenAI
) -> None:
    bodies: list[dict[str, Any]] = [{"model": "text-embedding-3-small", "input": text} for text in TEXTS]
    for body in bodies:
        app.embeddings.create(**body)
    _run_batch(app, EMBEDDINGS, bodies)

    usage = admin.admin.organization.usage
    raw = usage.with_raw_response.embeddings(start_time=T0, end_time=T0 + 2 * DAY, group_by=["model"])
    page = held(UsageEmbeddingsResponse, raw)
    assert_conforms("GET", "/v1/organization/usage/embeddings", 200, page, spec=SPEC)
    [direct], [batched] = (bucket["results"] for bucket in page["data"])
    assert direct["input_tokens"] == batched["input_tokens"] > 0  # the same requests, the same tokens
    assert direct["num_model_requests"] == batched["num_model_requests"] == len(TEXTS)
    assert "batch" not in direct and "batch" not in batched  # the mark is the costs', not a field of the answer

    direct_cost, batch_cost = _daily_costs(admin)
    assert direct_cost == pytest.approx(direct["input_tokens"] * 0.02 / 1e6)  # text-embedding-3-small's list price
    assert batch_cost == pytest.approx(direct_cost / 2)


def test_an_image_batch_costs_half_the_same_images_made_directly(admin: openai.OpenAI, app: openai.OpenAI) -> None:
    body: dict[str, Any] = {"model": "dall-e-2", "prompt": "A lighthouse at dusk", "size": "256x256", "n": 2}
    app.images.generate(**body)
    _run_batch(app, "/v1/images/generations", [body])
    direct_cost, batch_cost = _daily_costs(admin)
    assert direct_cost == pytest.approx(2 * 0.016)  # dall-e-2's price per 256x256 image
    assert batch_cost == pytest.approx(0.016)


def test_the_batch_mark_of_other_kinds_cannot_group_or_filter_their_usage(
    admin: openai.OpenAI, app: openai.OpenAI
) -> None:
    bodies: list[dict[str, Any]] = [{"model": "text-embedding-3-small", "input": TEXTS[0]}]
    app.embeddings.create(**bodies[0])
    _run_batch(app, EMBEDDINGS, bodies)
    usage = admin.admin.organization.usage
    with pytest.raises(openai.BadRequestError) as refused:
        usage.embeddings(start_time=T0, group_by=["batch"])  # type: ignore[list-item]
    assert refused.value.param == "group_by"
    window: dict[str, Any] = {"start_time": T0, "end_time": T0 + 2 * DAY}
    everything = usage.embeddings(**window).to_dict()
    assert usage.embeddings(**window, extra_query={"batch": "true"}).to_dict() == everything
    assert usage.embeddings(**window, extra_query={"batch": "false"}).to_dict() == everything

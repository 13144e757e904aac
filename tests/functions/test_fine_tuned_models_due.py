"""A fine-tuned model appears in /v1/models when its job is due, without anyone reading the job: the job
registers its model at creation, due at the planned finish (so the Models function, in any container, sees it
on time), and withdraws it when cancelled."""

from __future__ import annotations

import json

import openai
import pytest
from starlette.testclient import TestClient

from openai_mock import clock

START = 1_740_000_000
LATER = 3 * 3600


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _training_file(client: openai.OpenAI, count: int = 12) -> str:
    lines = [
        {
            "messages": [
                {"role": "user", "content": f"How many legs do {i} spiders have?"},
                {"role": "assistant", "content": f"{8 * i}."},
            ]
        }
        for i in range(1, count + 1)
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    return client.files.create(file=("train.jsonl", data), purpose="fine-tune").id


def _listed(client: openai.OpenAI) -> list[str]:
    return [model.id for model in client.models.list()]


def test_the_model_is_listed_once_due_though_nobody_read_the_job(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    assert not [name for name in _listed(client) if name.startswith("ft:")]
    clock.advance(LATER)
    (name,) = [name for name in _listed(client) if name.startswith("ft:")]
    assert client.models.retrieve(name).owned_by == job.organization_id
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.fine_tuned_model == name
    assert client.models.retrieve(name).created == done.finished_at


def test_before_its_finish_the_model_is_unknown_everywhere(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    clock.advance(LATER)
    name = client.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert name is not None
    clock.reset()
    clock.freeze(START + 1)
    for call in (
        lambda: client.models.retrieve(name),
        lambda: client.models.delete(name),
        lambda: client.chat.completions.create(model=name, messages=[{"role": "user", "content": "hi"}]),
    ):
        with pytest.raises(openai.NotFoundError):
            call()


def test_a_cancelled_job_never_lists_its_model(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    client.fine_tuning.jobs.cancel(job.id)
    clock.advance(LATER)
    assert not [name for name in _listed(client) if name.startswith("ft:")]


def test_a_job_bound_to_fail_never_lists_a_model(client: openai.OpenAI) -> None:
    client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=_training_file(client), metadata={"mock_fail": "training"}
    )
    clock.advance(LATER)
    assert not [name for name in _listed(client) if name.startswith("ft:")]


def test_moving_the_tenants_clock_over_http_makes_the_model_appear(http: TestClient, client: openai.OpenAI) -> None:
    client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    auth = {"Authorization": f"Bearer {client.api_key}"}
    assert http.post("/__mock/clock", json={"advance_seconds": LATER}, headers=auth).status_code == 200
    assert [name for name in _listed(client) if name.startswith("ft:")]

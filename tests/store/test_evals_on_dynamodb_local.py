"""Evals, graders and the fine-tuning additions on the DynamoDB backend (DynamoDB Local), as
`openai-mock serve --store dynamodb` and Lambda with EnablePersistence=true run them: a run's output items,
its per-row tallies and its one terminal transition live in the table, and survive a cold start (the process-local
caches dropped); checkpoint permissions and a paused job too."""

from __future__ import annotations

import json

import openai
import pytest

from openai_mock import clock
from openai_mock.local import cli
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import evals
from openai_mock.settings import reset_settings
from openai_mock.store import get_store, reset_stores
from openai_mock.store.dynamodb import DynamoDBStore
from tests.support.dynamodb_local import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, DynamoDBLocal
from tests.support.sdk import asgi_client

ITEM_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"country": {"type": "string"}},
    "required": ["country"],
}


@pytest.fixture
def dynamodb_backend(dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("OPENAI_MOCK_STORE", "dynamodb")
    monkeypatch.setenv("OPENAI_MOCK_DYNAMODB_ENDPOINT", dynamodb_local.endpoint_url)
    monkeypatch.setenv("OPENAI_MOCK_TABLE_NAME", "openai-mock-evals")
    reset_settings()
    reset_stores()
    cli._ensure_table()


def _cold_start() -> None:
    reset_settings()
    reset_stores()


def test_eval_runs_on_dynamodb_local(dynamodb_backend: None, mock_app: TemplateRouter) -> None:
    assert isinstance(get_store(), DynamoDBStore)
    clock.freeze(1_800_000_000)
    client = asgi_client(mock_app, api_key="sk-dynamodb-evals")
    evaluation = client.evals.create(
        data_source_config={"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "names a capital",
                "input": "{{sample.output_text}}",
                "reference": "capital",
                "operation": "ilike",
            }
        ],
    )
    rows = [{"item": {"country": country}} for country in ("France", "Japan", "Peru", "Kenya")]
    run = client.evals.runs.create(
        evaluation.id,
        data_source={  # type: ignore[misc,arg-type]
            "type": "completions",
            "model": "gpt-4o-mini",
            "input_messages": {
                "type": "template",
                "template": [{"role": "user", "content": "What is the capital of {{item.country}}?"}],
            },
            "source": {"type": "file_content", "content": rows},
        },
    )
    heard: list[str] = []
    evals.on_run_terminal(lambda _tenant, finished, event: heard.append(f"{finished['id']} {event}"))
    try:
        clock.advance(3600)
        _cold_start()
        done = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
        assert done.status == "completed" and done.result_counts.total == 4
        _cold_start()
        client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
        assert heard == [f"{run.id} eval.run.succeeded"]  # settled once, in the table
    finally:
        evals._terminal_hooks.clear()
    items = client.evals.runs.output_items.list(run.id, eval_id=evaluation.id, limit=3)
    assert [item.datasource_item["country"] for item in items.data] == ["France", "Japan", "Peru"]
    assert items.has_more
    client.evals.runs.delete(run.id, eval_id=evaluation.id)
    with pytest.raises(openai.NotFoundError):
        client.evals.runs.output_items.list(run.id, eval_id=evaluation.id)


def test_permissions_and_a_paused_job_on_dynamodb_local(dynamodb_backend: None, mock_app: TemplateRouter) -> None:
    clock.freeze(1_800_000_000)
    key = "sk-admin-dynamodb-evals"
    admin = asgi_client(mock_app, api_key=key, admin_api_key=key)
    projects = admin.get("/organization/projects", cast_to=object)
    project = projects["data"][0]["id"]  # type: ignore[index]
    checkpoint = "ft:gpt-4o-mini-2024-07-18:org-x::abcdefgh:ckpt-step-8"
    created = admin.fine_tuning.checkpoints.permissions.create(checkpoint, project_ids=[project])
    _cold_start()
    listed = admin.fine_tuning.checkpoints.permissions.list(checkpoint)
    assert [p.id for p in listed.data] == [created.data[0].id]

    client = asgi_client(mock_app, api_key="sk-dynamodb-evals")
    lines = [
        {"messages": [{"role": "user", "content": f"{i}?"}, {"role": "assistant", "content": str(i)}]}
        for i in range(12)
    ]
    training = client.files.create(
        file=("t.jsonl", "\n".join(json.dumps(line) for line in lines).encode()), purpose="fine-tune"
    )
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    clock.advance(60)
    finish = client.fine_tuning.jobs.retrieve(job.id).estimated_finish
    client.fine_tuning.jobs.pause(job.id)
    clock.advance(100)
    _cold_start()
    assert client.fine_tuning.jobs.resume(job.id).estimated_finish == (finish or 0) + 100

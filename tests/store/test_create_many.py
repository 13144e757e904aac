"""Objects made together are stored together (`store.create_many`): on AWS an eval run's output items, a project's
default rate limits and a run's additional messages were one `PutItem` each, one after the other; they are one
`TransactWriteItems` per hundred now, sent at once."""

from __future__ import annotations

import collections

from openai_mock import clock
from openai_mock.local.server import TemplateRouter
from openai_mock.store import get_store
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client

CRITERIA = [{"type": "string_check", "name": "same", "input": "{{item.q}}", "operation": "eq", "reference": "x"}]


def _watch() -> collections.Counter[str]:
    calls: collections.Counter[str] = collections.Counter()
    dynamodb = get_store()._client._client  # type: ignore[attr-defined]
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    return calls


def test_an_eval_runs_output_items_are_written_together(moto_persistence: None, mock_app: TemplateRouter) -> None:
    client = asgi_client(mock_app, api_key="sk-create-many-evals")
    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    evaluation = client.evals.create(
        name="rows",
        data_source_config={"type": "custom", "item_schema": schema},
        testing_criteria=CRITERIA,  # type: ignore[list-item]
    )
    rows = [{"item": {"q": "x" if index % 2 else "y"}} for index in range(250)]
    source = {"type": "jsonl", "source": {"type": "file_content", "content": rows}}
    client.evals.runs.create(evaluation.id, name="first", data_source=source)  # (the tenant's first run's writes)
    calls = _watch()

    run = client.evals.runs.create(evaluation.id, name="r", data_source=source)

    # 250 items: three transactions (the first names the items' new collection); the run, its owner, the journal
    assert calls["TransactWriteItems"] == 3 and calls["PutItem"] == 3
    clock.advance(3_600)  # the run is done: every item listed
    items = client.evals.runs.output_items.list(run.id, eval_id=evaluation.id, limit=100)
    assert len(items.data) == 100 and items.has_more
    assert {item.datasource_item["q"] for item in items.data} == {"x", "y"}


def test_a_projects_rate_limits_are_written_together(moto_persistence: None, mock_app: TemplateRouter) -> None:
    admin = org_client(mock_app)
    admin.admin.organization.projects.create(name="First")  # (the organization's first request's writes)
    calls = _watch()

    project = admin.admin.organization.projects.create(name="Together")

    # Besides: the project, its audit log entry, the journal entry.
    assert calls["TransactWriteItems"] == 1 and calls["PutItem"] == 3
    limits = admin.admin.organization.projects.rate_limits.list_rate_limits(project.id, limit=100)
    assert len(limits.data) > 20 and all(limit.id.startswith("rl-") for limit in limits.data)

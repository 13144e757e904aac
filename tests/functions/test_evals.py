"""Evals through the official SDK: evals created (custom, logs, stored_completions), listed, updated, deleted;
runs over inline JSONL, a file and the tenant's stored chat completions and responses, sampled by the mock's
generation and graded for real; progress by the clock, counts that add up, output items, cancel, delete; bad
input refused with the param and nothing stored; the Lambda path and DynamoDB. Every JSON answer is checked
against the 2026-08-21 contract."""

from __future__ import annotations

import json
from typing import Any, Literal

import openai
import pytest
from starlette.testclient import TestClient

from functions.evals import app as evals_function
from openai_mock import clock
from openai_mock.resources import evals
from openai_mock.settings import reset_settings
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

AUTH = {"Authorization": "Bearer sk-test"}
SPEC = "2026-08-21"
START = 1_800_000_000

ITEM_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {"country": {"type": "string"}, "capital": {"type": "string"}},
    "required": ["country", "capital"],
}
ROWS = [
    {"item": {"country": "France", "capital": "Paris"}},
    {"item": {"country": "Japan", "capital": "Tokyo"}},
    {"item": {"country": "Italy", "capital": "Rome"}},
]
CRITERIA: list[dict[str, Any]] = [
    {
        "type": "string_check",
        "name": "names the capital",
        "input": "{{sample.output_text}}",
        "reference": "{{item.capital}}",
        "operation": "ilike",
    },
    {
        "type": "text_similarity",
        "name": "close to the answer",
        "input": "{{sample.output_text}}",
        "reference": "The capital of {{item.country}} is {{item.capital}}.",
        "evaluation_metric": "rouge_l",
        "pass_threshold": 0.6,
    },
]


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    payload: dict[str, Any] = answer.json()
    return payload


def _error(answer: Any, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


def _create_eval(http: TestClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Capitals",
        "data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA, "include_sample_schema": True},
        "testing_criteria": CRITERIA,
        **overrides,
    }
    created = _ok(http.post("/v1/evals", json=body, headers=AUTH), 201)
    assert_conforms("POST", "/v1/evals", 201, created, spec=SPEC)
    return created


def _sampled_source(rows: list[dict[str, Any]] = ROWS) -> dict[str, Any]:
    return {
        "type": "completions",
        "model": "gpt-4o-mini",
        "input_messages": {
            "type": "template",
            "template": [
                {"role": "developer", "content": "Answer in one sentence."},
                {"role": "user", "content": "What is the capital of {{item.country}}?"},
            ],
        },
        "sampling_params": {"temperature": 0.2, "max_completion_tokens": 64},
        "source": {"type": "file_content", "content": rows},
    }


def _run(http: TestClient, eval_id: str, data_source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    created = _ok(http.post(f"/v1/evals/{eval_id}/runs", json={"data_source": data_source, **extra}, headers=AUTH), 201)
    assert_conforms("POST", f"/v1/evals/{eval_id}/runs", 201, created, spec=SPEC)
    return created


def _get(http: TestClient, path: str) -> dict[str, Any]:
    answer = _ok(http.get(path, headers=AUTH))
    assert_conforms("GET", path.split("?")[0], 200, answer, spec=SPEC)
    return answer


# --------------------------------------------------------------------------- evals


def test_eval_create_retrieve_update_list_delete(client: openai.OpenAI, http: TestClient) -> None:
    created = _create_eval(http, metadata={"team": "geo"})
    assert created["id"].startswith("eval_") and created["object"] == "eval"
    assert created["created_at"] == START and created["metadata"] == {"team": "geo"}
    schema = created["data_source_config"]["schema"]
    assert schema["properties"]["item"] == ITEM_SCHEMA and set(schema["required"]) == {"item", "sample"}
    criterion = created["testing_criteria"][0]
    assert criterion["operation"] == "ilike" and criterion["id"].startswith("names the capital-")

    fetched = client.evals.retrieve(created["id"])
    assert fetched.name == "Capitals" and fetched.testing_criteria[1].model_dump()["evaluation_metric"] == "rouge_l"
    _get(http, f"/v1/evals/{created['id']}")

    updated = _ok(http.post(f"/v1/evals/{created['id']}", json={"name": "Capitals v2"}, headers=AUTH))
    assert_conforms("POST", f"/v1/evals/{created['id']}", 200, updated, spec=SPEC)
    assert updated["name"] == "Capitals v2" and updated["metadata"] == {"team": "geo"}

    deleted = client.evals.delete(created["id"])
    assert deleted.deleted and deleted.eval_id == created["id"]
    with pytest.raises(openai.NotFoundError):
        client.evals.retrieve(created["id"])


def test_eval_delete_answer_conforms(http: TestClient) -> None:
    created = _create_eval(http)
    deleted = _ok(http.delete(f"/v1/evals/{created['id']}", headers=AUTH))
    assert_conforms("DELETE", f"/v1/evals/{created['id']}", 200, deleted, spec=SPEC)
    assert deleted == {"object": "eval.deleted", "deleted": True, "eval_id": created["id"]}
    assert _error(http.get(f"/v1/evals/{created['id']}", headers=AUTH), 404)["param"] == "eval_id"


def test_list_evals_paginates_and_orders(client: openai.OpenAI, http: TestClient) -> None:
    made = []
    for index in range(5):
        clock.advance(1)
        made.append(_create_eval(http, name=f"eval {index}")["id"])
    first = client.evals.list(limit=2)
    assert [e.id for e in first.data] == made[:2] and first.has_more
    following = client.evals.list(limit=2, after=first.data[-1].id)
    assert [e.id for e in following.data] == made[2:4]
    assert [e.id for e in client.evals.list(order="desc", limit=5).data] == made[::-1]
    assert [e.id for e in client.evals.list(limit=2)] == made  # the SDK follows `after` through every page
    clock.advance(1)
    client.evals.update(made[0], name="touched last")
    by_update = client.evals.list(order_by="updated_at", order="desc", limit=1)
    assert by_update.data[0].id == made[0]
    _get(http, "/v1/evals?limit=2")
    assert _error(http.get("/v1/evals?order_by=name", headers=AUTH))["param"] == "order_by"


def test_logs_and_stored_completions_configs(client: openai.OpenAI, http: TestClient) -> None:
    logs = _create_eval(http, data_source_config={"type": "logs", "metadata": {"usecase": "support"}})
    assert logs["data_source_config"]["type"] == "logs"
    assert logs["data_source_config"]["metadata"] == {"usecase": "support"}
    assert "input" in logs["data_source_config"]["schema"]["properties"]["item"]["properties"]
    stored = client.evals.create(
        data_source_config={"type": "stored_completions", "metadata": {"usecase": "support"}},
        testing_criteria=CRITERIA,  # type: ignore[arg-type]
    )
    assert stored.data_source_config.type == "stored_completions"
    assert stored.name  # a default name


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"data_source_config": {"type": "nope"}}, "data_source_config.type"),
        ({"data_source_config": {"type": "custom"}}, "data_source_config.item_schema"),
        ({"testing_criteria": []}, "testing_criteria"),
        ({"testing_criteria": [{**CRITERIA[0], "operation": "contains"}]}, "testing_criteria[0].operation"),
        (
            {"testing_criteria": [{**CRITERIA[1], "evaluation_metric": "bleurt"}]},
            "testing_criteria[0].evaluation_metric",
        ),
        (
            {"testing_criteria": [{k: v for k, v in CRITERIA[1].items() if k != "pass_threshold"}]},
            "testing_criteria[0].pass_threshold",
        ),
        ({"testing_criteria": [{**CRITERIA[0], "input": "{{answer}}"}]}, "testing_criteria[0].input"),
        (
            {
                "testing_criteria": [
                    CRITERIA[0],
                    {"type": "multi", "name": "m", "graders": CRITERIA[0], "calculate_output": "m"},
                ]
            },
            "testing_criteria[1].type",
        ),
        (
            {
                "testing_criteria": [
                    {
                        "type": "label_model",
                        "name": "tone",
                        "model": "gpt-4o-mini",
                        "input": [{"role": "user", "content": "{{sample.output_text}}"}],
                        "labels": ["polite", "rude"],
                        "passing_labels": ["kind"],
                    }
                ]
            },
            "testing_criteria[0].passing_labels",
        ),
        (
            {
                "testing_criteria": [
                    {"type": "python", "name": "py", "source": "def grade(sample, item):\n    return 1"}
                ]
            },
            "testing_criteria[0].type",
        ),
        ({"metadata": {"k" * 65: "v"}}, None),
    ],
)
def test_bad_eval_is_refused_with_its_param_and_not_stored(
    http: TestClient, client: openai.OpenAI, body: dict[str, Any], param: str | None
) -> None:
    full = {"data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA}, "testing_criteria": CRITERIA, **body}
    error = _error(http.post("/v1/evals", json=full, headers=AUTH))
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param
    assert client.evals.list().data == []


def test_python_grader_is_refused_with_openai_error_unless_enabled(
    client: openai.OpenAI, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "def grade(sample, item):\n    return 1.0 if item['capital'] in sample['output_text'] else 0.25\n"
    python = {"type": "python", "name": "py", "source": source, "pass_threshold": 0.5}
    body = {"data_source_config": {"type": "custom", "item_schema": ITEM_SCHEMA}, "testing_criteria": [python]}
    error = _error(http.post("/v1/evals", json=body, headers=AUTH))
    assert error["code"] == "unsupported_value" and "OPENAI_MOCK_PYTHON_GRADERS" in error["message"]
    assert error["param"] == "testing_criteria[0].type"

    monkeypatch.setenv("OPENAI_MOCK_PYTHON_GRADERS", "subprocess")
    reset_settings()
    evaluation = _create_eval(http, testing_criteria=[python])
    content = [
        {"item": row["item"], "sample": {"output_text": text}}
        for row, text in zip(ROWS[:2], ["Paris!", "Kyoto"], strict=True)
    ]
    run = _run(http, evaluation["id"], {"type": "jsonl", "source": {"type": "file_content", "content": content}})
    clock.advance(60)
    items = client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"]).data
    assert [(item.results[0].score, item.results[0].passed) for item in items] == [(1.0, True), (0.25, False)]


# --------------------------------------------------------------------------- runs


def test_sampled_run_progresses_by_the_clock_and_its_counts_add_up(client: openai.OpenAI, http: TestClient) -> None:
    evaluation = _create_eval(http)
    run = _run(http, evaluation["id"], _sampled_source(), metadata={"by": "test"})
    assert run["id"].startswith("evalrun_") and run["status"] == "queued"
    assert run["result_counts"] == {"total": 0, "errored": 0, "failed": 0, "passed": 0}
    assert run["model"] == "gpt-4o-mini" and run["name"] == "gpt-4o-mini" and run["error"] is None
    assert run["report_url"].endswith(f"{evaluation['id']}?run_id={run['id']}")
    path = f"/v1/evals/{evaluation['id']}/runs/{run['id']}"

    clock.advance(evals.QUEUE_SECONDS + 2)  # started; the first row (2 s: a sample) is done
    partial = _get(http, path)
    assert partial["status"] == "in_progress" and partial["result_counts"]["total"] == 1
    assert len(_get(http, f"{path}/output_items")["data"]) == 1

    clock.advance(60)
    done = client.evals.runs.retrieve(run["id"], eval_id=evaluation["id"])
    assert done.status == "completed"
    counts = done.result_counts
    assert counts.total == 3 and counts.passed + counts.failed + counts.errored == 3
    [usage] = done.per_model_usage
    assert usage.run_model_name == "gpt-4o-mini" and usage.invocation_count == 3
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    per = {r.testing_criteria: r for r in done.per_testing_criteria_results}
    assert set(per) == {criterion["id"] for criterion in evaluation["testing_criteria"]}
    assert all(r.passed + r.failed == 3 for r in per.values())
    _get(http, path)

    items = client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"])
    assert [item.datasource_item_id for item in items.data] == [0, 1, 2]
    passed_rows = 0
    for item, row in zip(items.data, ROWS, strict=True):
        answer = item.sample.output[0].content or ""
        assert item.datasource_item == row["item"]
        assert item.sample.model == "gpt-4o-mini" and item.sample.temperature == 0.2 and item.sample.seed == 42
        assert item.sample.input[1].content == f"What is the capital of {row['item']['country']}?"
        assert item.sample.usage.total_tokens > 0
        check, similar = item.results
        # The graders' verdicts, recomputed here from the sampled answer.
        assert check.passed == (row["item"]["capital"].lower() in answer.lower())
        assert check.score == (1.0 if check.passed else 0.0)
        assert 0.0 <= similar.score <= 1.0 and similar.passed == (similar.score >= 0.6)
        assert item.status == ("pass" if check.passed and similar.passed else "fail")
        passed_rows += item.status == "pass"
    assert passed_rows == counts.passed
    listing = _get(http, f"{path}/output_items?limit=2")
    assert listing["has_more"] is True and len(listing["data"]) == 2
    one = _get(http, f"{path}/output_items/{listing['data'][0]['id']}")
    assert one["id"] == listing["data"][0]["id"] and one["results"][0]["name"] == "names the capital"
    status: Literal["pass", "fail"] = "pass" if passed_rows else "fail"
    filtered = client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"], status=status)
    assert filtered.data and all(item.status == status for item in filtered.data)


def test_the_same_run_samples_the_same_answers(http: TestClient) -> None:
    evaluation = _create_eval(http)
    first = _run(http, evaluation["id"], _sampled_source())
    second = _run(http, evaluation["id"], _sampled_source())
    clock.advance(60)
    answers = [
        [
            item["sample"]["output"][0]["content"]
            for item in _get(http, f"/v1/evals/{evaluation['id']}/runs/{run['id']}/output_items")["data"]
        ]
        for run in (first, second)
    ]
    assert answers[0] == answers[1] and all(answers[0])


def test_jsonl_run_grades_given_samples_exactly(client: openai.OpenAI, http: TestClient) -> None:
    evaluation = _create_eval(
        http,
        testing_criteria=[
            {
                "type": "string_check",
                "name": "eq",
                "input": "{{sample.output_text}}",
                "reference": "{{item.capital}}",
                "operation": "eq",
            },
            {
                "type": "string_check",
                "name": "ne",
                "input": "{{sample.output_text}}",
                "reference": "{{item.capital}}",
                "operation": "ne",
            },
            {
                "type": "string_check",
                "name": "like",
                "input": "{{sample.output_text}}",
                "reference": "{{item.capital}}",
                "operation": "like",
            },
            {
                "type": "string_check",
                "name": "ilike",
                "input": "{{sample.output_text}}",
                "reference": "{{item.capital}}",
                "operation": "ilike",
            },
            {
                "type": "text_similarity",
                "name": "bleu",
                "input": "{{sample.output_text}}",
                "reference": "{{item.sentence}}",
                "evaluation_metric": "bleu",
                "pass_threshold": 0.5,
            },
        ],
        data_source_config={"type": "custom", "item_schema": {"type": "object"}, "include_sample_schema": True},
    )
    content = [
        {"item": {"capital": "Paris", "sentence": "x"}, "sample": {"output_text": "Paris"}},
        {"item": {"capital": "Rome", "sentence": "x"}, "sample": {"output_text": "It is rome."}},
        {
            "item": {"capital": "Oslo", "sentence": "the quick brown fox jumps over the lazy dog"},
            "sample": {"output_text": "the quick brown fox jumped over the lazy dog"},
        },
    ]
    run = _run(http, evaluation["id"], {"type": "jsonl", "source": {"type": "file_content", "content": content}})
    assert run["model"] == "" and run["data_source"]["source"]["content"] == content
    clock.advance(60)
    items = client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"]).data
    scores = [[result.score for result in item.results] for item in items]
    bleu = (8 / 9 * 6 / 8 * 4 / 7 * 2 / 6) ** 0.25
    assert scores[0][:4] == [1.0, 0.0, 1.0, 1.0]  # "Paris" eq Paris
    assert scores[1][:4] == [0.0, 1.0, 0.0, 1.0]  # "It is rome." only ilike Rome
    assert scores[2][:4] == [0.0, 1.0, 0.0, 0.0]
    assert scores[2][4] == pytest.approx(bleu, abs=1e-9) and items[2].results[4].passed
    done = client.evals.runs.retrieve(run["id"], eval_id=evaluation["id"])
    assert done.per_model_usage == [] and done.result_counts.total == 3
    assert [(r.passed, r.failed) for r in done.per_testing_criteria_results] == [(1, 2), (2, 1), (1, 2), (2, 1), (1, 2)]


def test_run_over_a_file_and_a_missing_template_variable_errors_the_row(
    client: openai.OpenAI, http: TestClient
) -> None:
    evaluation = _create_eval(
        http,
        data_source_config={"type": "custom", "item_schema": {"type": "object"}},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "exact",
                "input": "{{item.answer}}",
                "reference": "{{item.expected}}",
                "operation": "eq",
            }
        ],
    )
    lines = [
        {"item": {"answer": "4", "expected": "4"}},
        {"item": {"answer": "5", "expected": "4"}},
        {"item": {"answer": "4"}},
    ]
    uploaded = client.files.create(
        file=("rows.jsonl", "\n".join(json.dumps(line) for line in lines).encode()), purpose="evals"
    )
    run = client.evals.runs.create(
        evaluation["id"], data_source={"type": "jsonl", "source": {"type": "file_id", "id": uploaded.id}}
    )
    clock.advance(60)
    done = client.evals.runs.retrieve(run.id, eval_id=evaluation["id"])
    assert done.result_counts.model_dump() == {"total": 3, "errored": 1, "failed": 1, "passed": 1}
    [criterion] = done.per_testing_criteria_results
    assert (criterion.passed, criterion.failed) == (1, 1)
    errored = client.evals.runs.output_items.list(run.id, eval_id=evaluation["id"]).data[2]
    assert (
        errored.status == "fail" and (errored.results[0].model_extra or {})["error"]["code"] == "invalid_variable_error"
    )


def test_run_over_stored_chat_completions(client: openai.OpenAI, http: TestClient) -> None:
    for question in ("What is the capital of France?", "What is the capital of Peru?"):
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
            store=True,
            metadata={"usecase": "geo"},
        )
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], store=True)
    evaluation = client.evals.create(
        data_source_config={"type": "stored_completions", "metadata": {"usecase": "geo"}},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "mentions capital",
                "input": "{{sample.output_text}}",
                "reference": "capital",
                "operation": "ilike",
            }
        ],
    )
    # As logged: grade what the stored completions answered.
    logged = client.evals.runs.create(
        evaluation.id,
        data_source={"type": "completions", "source": {"type": "stored_completions", "metadata": {"usecase": "geo"}}},
    )
    # Re-sampled: the stored inputs asked again of another model.
    resampled = client.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "completions",
            "model": "gpt-4.1-mini",
            "input_messages": {"type": "item_reference", "item_reference": "item.input"},
            "source": {"type": "stored_completions", "metadata": {"usecase": "geo"}, "limit": 1},
        },
    )
    clock.advance(60)
    items = client.evals.runs.output_items.list(logged.id, eval_id=evaluation.id).data
    assert len(items) == 2
    rows: list[Any] = [item.datasource_item for item in items]
    assert {row["input"][0]["content"] for row in rows} == {
        "What is the capital of France?",
        "What is the capital of Peru?",
    }
    assert [item.sample.output[0].content for item in items] == [row["output"][0]["content"] for row in rows]
    again = client.evals.runs.output_items.list(resampled.id, eval_id=evaluation.id).data
    assert len(again) == 1 and again[0].sample.model == "gpt-4.1-mini"
    resampled_row: Any = again[0].datasource_item
    assert again[0].sample.input[0].content == resampled_row["input"][0]["content"]
    assert (
        client.evals.runs.retrieve(resampled.id, eval_id=evaluation.id).per_model_usage[0].run_model_name
        == "gpt-4.1-mini"
    )


def test_run_over_stored_responses(client: openai.OpenAI) -> None:
    client.responses.create(model="gpt-4o-mini", input="What is the capital of Spain?", metadata={"app": "geo"})
    client.responses.create(model="gpt-4o-mini", input="Tell me a joke", store=False)
    evaluation = client.evals.create(
        data_source_config={"type": "logs"},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "madrid",
                "input": "{{sample.output_text}}",
                "reference": "Madrid",
                "operation": "ilike",
            }
        ],
    )
    run = client.evals.runs.create(
        evaluation.id,
        data_source={
            "type": "responses",
            "model": "gpt-4o-mini",
            "input_messages": {"type": "item_reference", "item_reference": "item.input"},
            "source": {"type": "responses", "metadata": {"app": "geo"}},
        },
    )
    clock.advance(60)
    [item] = client.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data
    assert item.datasource_item["input"] == [{"role": "user", "content": "What is the capital of Spain?"}]
    answer = item.sample.output[0].content or ""
    assert item.results[0].passed == ("madrid" in answer.lower())


def test_model_graders_score_and_label_deterministically(client: openai.OpenAI, http: TestClient) -> None:
    judge = {
        "type": "score_model",
        "name": "judge",
        "model": "gpt-4o-mini",
        "input": [
            {"role": "system", "content": "Score the answer from 1 to 7."},
            {"role": "user", "content": "Q: {{item.country}} A: {{sample.output_text}}"},
        ],
        "range": [1, 7],
        "pass_threshold": 4,
    }
    tone = {
        "type": "label_model",
        "name": "tone",
        "model": "gpt-4o-mini",
        "input": [{"role": "user", "content": "Label the tone of: {{sample.output_text}}"}],
        "labels": ["neutral", "rude", "enthusiastic"],
        "passing_labels": ["neutral", "enthusiastic"],
    }
    evaluation = _create_eval(http, testing_criteria=[judge, tone])
    runs = [_run(http, evaluation["id"], _sampled_source()) for _ in range(2)]
    clock.advance(60)
    results = []
    for run in runs:
        items = client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"]).data
        results.append([[(r.score, r.passed) for r in item.results] for item in items])
        for item in items:
            score, label = item.results
            assert 1 <= score.score <= 7 and score.passed == (score.score >= 4)
            score_sample: Any = score.sample
            grader_answer = json.loads(score_sample["output"][0]["content"])
            assert grader_answer["result"] == score.score and grader_answer["steps"]
            label_sample: Any = label.sample
            chosen = json.loads(label_sample["output"][0]["content"])["label"]
            assert chosen in tone["labels"] and label.passed == (chosen in tone["passing_labels"])
            assert label.score == (1.0 if label.passed else 0.0)
    assert results[0] == results[1]
    usage = client.evals.runs.retrieve(runs[0]["id"], eval_id=evaluation["id"]).per_model_usage
    assert usage[0].invocation_count == 9  # 3 samples + 3 × 2 grader calls


def test_cancel_stops_the_run_where_it_is(client: openai.OpenAI, http: TestClient) -> None:
    heard: list[tuple[str, str]] = []
    evals.on_run_terminal(lambda _tenant, run, event: heard.append((run["id"], event)))
    try:
        evaluation = _create_eval(http)
        run = _run(http, evaluation["id"], _sampled_source())
        clock.advance(evals.QUEUE_SECONDS + 2)
        path = f"/v1/evals/{evaluation['id']}/runs/{run['id']}"
        canceled = _ok(http.post(path, headers=AUTH))
        assert_conforms("POST", path, 200, canceled, spec=SPEC)
        assert canceled["status"] == "canceled" and canceled["result_counts"]["total"] == 1
        clock.advance(600)
        later = client.evals.runs.retrieve(run["id"], eval_id=evaluation["id"])
        assert later.status == "canceled" and later.result_counts.total == 1
        assert len(client.evals.runs.output_items.list(run["id"], eval_id=evaluation["id"]).data) == 1
        error = _error(http.post(path, headers=AUTH))
        assert error["code"] == "run_not_cancellable"
        by_sdk = _run(http, evaluation["id"], _sampled_source())
        assert client.evals.runs.cancel(by_sdk["id"], eval_id=evaluation["id"]).status == "canceled"
        assert client.evals.runs.delete(by_sdk["id"], eval_id=evaluation["id"]).deleted
        finished = _run(http, evaluation["id"], _sampled_source())
        clock.advance(600)
        client.evals.runs.retrieve(finished["id"], eval_id=evaluation["id"])
        client.evals.runs.list(evaluation["id"])
        assert heard == [
            (run["id"], "eval.run.canceled"),
            (by_sdk["id"], "eval.run.canceled"),
            (finished["id"], "eval.run.succeeded"),
        ]  # once each
    finally:
        evals._terminal_hooks.clear()


def test_failed_runs(client: openai.OpenAI, http: TestClient) -> None:
    evaluation = client.evals.create(
        data_source_config={"type": "stored_completions"},
        testing_criteria=[
            {
                "type": "string_check",
                "name": "x",
                "input": "{{sample.output_text}}",
                "reference": "x",
                "operation": "eq",
            }
        ],
    )
    empty = client.evals.runs.create(
        evaluation.id, data_source={"type": "completions", "source": {"type": "stored_completions", "model": "gpt-5"}}
    )
    assert empty.status == "queued"
    clock.advance(60)
    path = f"/v1/evals/{evaluation.id}/runs/{empty.id}"
    failed = _get(http, path)
    assert failed["status"] == "failed" and failed["error"]["code"] == "empty_data_source"
    assert [r.id for r in client.evals.runs.list(evaluation.id, status="failed").data] == [empty.id]
    assert client.evals.runs.list(evaluation.id, status="completed").data == []


def test_runs_list_paginates_and_delete_removes_items(client: openai.OpenAI, http: TestClient) -> None:
    evaluation = _create_eval(http)
    made = []
    for _ in range(3):
        clock.advance(1)
        made.append(_run(http, evaluation["id"], _sampled_source(ROWS[:1]))["id"])
    page = _get(http, f"/v1/evals/{evaluation['id']}/runs?limit=2")
    assert [run["id"] for run in page["data"]] == made[:2] and page["has_more"]
    rest = client.evals.runs.list(evaluation["id"], after=made[1])
    assert [run.id for run in rest.data] == made[2:]
    assert [run.id for run in client.evals.runs.list(evaluation["id"], order="desc").data] == made[::-1]
    path = f"/v1/evals/{evaluation['id']}/runs/{made[0]}"
    deleted = _ok(http.delete(path, headers=AUTH))
    assert_conforms("DELETE", path, 200, deleted, spec=SPEC)
    assert deleted == {"object": "eval.run.deleted", "deleted": True, "run_id": made[0]}
    assert _error(http.get(path, headers=AUTH), 404)["param"] == "run_id"
    assert _error(http.get(f"{path}/output_items", headers=AUTH), 404)["param"] == "run_id"
    assert _error(http.get(f"/v1/evals/{evaluation['id']}/runs?status=done", headers=AUTH))["param"] == "status"


@pytest.mark.parametrize(
    ("data_source", "param"),
    [
        ({"type": "csv", "source": {"type": "file_content", "content": []}}, "data_source.type"),
        ({"type": "jsonl", "source": {"type": "stored_completions"}}, "data_source.source.type"),
        ({"type": "jsonl", "source": {"type": "file_id", "id": "file-missing"}}, "data_source.source.id"),
        (
            {"type": "jsonl", "source": {"type": "file_content", "content": [{"item": {"country": "Peru"}}]}},
            "data_source.source.content[0].item",
        ),
        ({**_sampled_source(), "input_messages": None}, "data_source.input_messages"),
        ({**_sampled_source(), "model": "gpt-nonexistent"}, "model"),
        ({**_sampled_source(), "sampling_params": {"temperature": 3}}, "data_source.sampling_params.temperature"),
        (
            {**_sampled_source(), "sampling_params": {"tools": [{"type": "function", "name": "f", "parameters": 5}]}},
            "data_source.sampling_params.tools[0].parameters",
        ),
        (
            {**_sampled_source(), "sampling_params": {"response_format": {"type": "json_schema", "json_schema": {}}}},
            "data_source.sampling_params.response_format",
        ),
        ({"type": "completions", "source": {"type": "stored_completions", "limit": "ten"}}, "data_source.source.limit"),
        ({"type": "responses", "source": {"type": "responses", "users": [1]}}, "data_source.source.users"),
        (
            {
                **_sampled_source(),
                "input_messages": {"type": "template", "template": [{"role": "robot", "content": "x"}]},
            },
            "data_source.input_messages.template[0].role",
        ),
    ],
)
def test_bad_run_is_refused_with_its_param_and_not_stored(
    http: TestClient, client: openai.OpenAI, data_source: dict[str, Any], param: str
) -> None:
    evaluation = _create_eval(http)
    answer = http.post(f"/v1/evals/{evaluation['id']}/runs", json={"data_source": data_source}, headers=AUTH)
    assert answer.status_code in (400, 404), answer.text
    assert answer.json()["error"]["param"] == param
    assert client.evals.runs.list(evaluation["id"]).data == []


def test_runs_of_an_unknown_eval_and_other_tenants(http: TestClient, client_for: Any) -> None:
    assert _error(http.get("/v1/evals/eval_missing/runs", headers=AUTH), 404)["param"] == "eval_id"
    evaluation = _create_eval(http)
    with pytest.raises(openai.NotFoundError):
        client_for("sk-someone-else").evals.retrieve(evaluation["id"])


def test_evals_through_the_lambda_handler() -> None:
    clock.freeze(START)
    client = lambda_client(evals_function.handler, "v1")
    evaluation = client.evals.create(
        name="lambda",
        data_source_config={"type": "custom", "item_schema": ITEM_SCHEMA},
        testing_criteria=CRITERIA,  # type: ignore[arg-type]
    )
    run = client.evals.runs.create(evaluation.id, data_source=_sampled_source(ROWS[:1]))  # type: ignore[arg-type]
    clock.advance(60)
    assert client.evals.runs.retrieve(run.id, eval_id=evaluation.id).result_counts.total == 1


def test_evals_on_dynamodb(client: openai.OpenAI, moto_persistence: None) -> None:
    evaluation = client.evals.create(
        data_source_config={"type": "custom", "item_schema": ITEM_SCHEMA},
        testing_criteria=CRITERIA,  # type: ignore[arg-type]
    )
    run = client.evals.runs.create(evaluation.id, data_source=_sampled_source())  # type: ignore[arg-type]
    clock.advance(60)
    done = client.evals.runs.retrieve(run.id, eval_id=evaluation.id)
    assert done.status == "completed" and done.result_counts.total == 3
    assert len(client.evals.runs.output_items.list(run.id, eval_id=evaluation.id).data) == 3
    client.evals.delete(evaluation.id)
    with pytest.raises(openai.NotFoundError):
        client.evals.runs.retrieve(run.id, eval_id=evaluation.id)


def test_after_the_shutdown_the_evals_api_is_gone(
    client: openai.OpenAI, http: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenAI shut the Evals API down on 2026-11-30 (the SDK's deprecation notice): as of that day its routes
    are URLs the API no longer has; the day before, and by default (the 2026-08-21 contract), it is served."""
    evaluation = _create_eval(http)
    monkeypatch.setenv("OPENAI_MOCK_AS_OF", "2026-11-29")
    reset_settings()
    assert client.evals.retrieve(evaluation["id"]).id == evaluation["id"]
    monkeypatch.setenv("OPENAI_MOCK_AS_OF", "2026-11-30")
    reset_settings()
    for method, path in (("GET", "/v1/evals"), ("GET", f"/v1/evals/{evaluation['id']}"), ("POST", "/v1/evals")):
        answer = http.request(method, path, headers=AUTH, json={} if method == "POST" else None)
        assert answer.status_code == 404, path
        assert answer.json()["error"]["message"] == f"Invalid URL ({method} {path})"
    with pytest.raises(openai.NotFoundError):
        client.evals.list()
    monkeypatch.delenv("OPENAI_MOCK_AS_OF")
    reset_settings()
    assert client.evals.retrieve(evaluation["id"]).id == evaluation["id"]

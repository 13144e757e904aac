"""Fine-tuning through the official SDK: validation, a job's clock-driven life (events, checkpoints,
results File), its model in the catalogue and in chat, cancellation, failures, lists, and the Lambda path."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import openai
import pytest

from functions.fine_tuning import app as fine_tuning_function
from openai_mock import clock
from openai_mock.generation.chat import count_message_tokens
from openai_mock.resources import fine_tuning
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

START = 1_740_000_000
LATER = 3 * 3600  # far past any small job's finish


@pytest.fixture(autouse=True)
def pinned_clock() -> None:
    clock.freeze(START)


def _chat_example(index: int) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "You are Marv, a factual chatbot that is also sarcastic."},
            {"role": "user", "content": f"How many legs do {index} spiders have in total?"},
            {"role": "assistant", "content": f"{8 * index}. Counting spiders, what a thrilling way to spend a day."},
        ]
    }


def _preference_example(index: int) -> dict[str, Any]:
    return {
        "input": {"messages": [{"role": "user", "content": f"Name a prime number bigger than {index}."}]},
        "preferred_output": [{"role": "assistant", "content": f"{_next_prime(index)} is prime."}],
        "non_preferred_output": [{"role": "assistant", "content": "I am not sure."}],
    }


def _next_prime(n: int) -> int:
    candidate = n + 1
    while any(candidate % d == 0 for d in range(2, candidate)):
        candidate += 1
    return candidate


def _upload(
    client: openai.OpenAI, examples: list[dict[str, Any]], name: str = "train.jsonl", purpose: str = "fine-tune"
) -> str:
    data = "\n".join(json.dumps(example) for example in examples).encode()
    return client.files.create(file=(name, data), purpose=purpose).id  # type: ignore[arg-type]


def _training_file(client: openai.OpenAI, count: int = 12) -> str:
    return _upload(client, [_chat_example(i) for i in range(1, count + 1)])


def _conforming(raw: Any) -> Any:
    """The parsed SDK object, after checking the raw JSON against the spec."""
    request = raw.http_request
    assert_conforms(request.method, request.url.path, raw.status_code, raw.http_response.json())
    return raw.parse()


def _error(call: Callable[[], Any], status: int = 400) -> dict[str, Any]:
    with pytest.raises(openai.APIStatusError) as raised:
        call()
    assert raised.value.status_code == status
    body: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    assert set(body) == {"message", "type", "param", "code"}
    return body


# --------------------------------------------------------------------------- create and validation


def test_create_job_starts_validating_with_auto_hyperparameters(client: openai.OpenAI) -> None:
    training = _training_file(client)
    job = _conforming(
        client.fine_tuning.jobs.with_raw_response.create(
            model="gpt-4o-mini", training_file=training, suffix="marv", metadata={"team": "support"}
        )
    )
    assert job.id.startswith("ftjob-")
    assert (job.object, job.status, job.model) == ("fine_tuning.job", "validating_files", "gpt-4o-mini-2024-07-18")
    assert (job.training_file, job.validation_file, job.created_at) == (training, None, START)
    assert job.fine_tuned_model is None and job.finished_at is None and job.trained_tokens is None
    assert job.error is None and job.result_files == [] and job.metadata == {"team": "support"}
    assert job.method.type == "supervised"
    assert job.method.supervised.hyperparameters.n_epochs == "auto"
    assert job.hyperparameters.batch_size == "auto"
    assert 0 <= job.seed <= 2_147_483_647


def test_default_seed_is_derived_from_the_request(client: openai.OpenAI) -> None:
    training = _training_file(client)
    first = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    again = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    other = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="x")
    chosen = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, seed=42)
    assert first.seed == again.seed != other.seed
    assert chosen.seed == 42


def test_unknown_model_is_404_and_unsupported_model_is_400(client: openai.OpenAI) -> None:
    training = _training_file(client)
    unknown = _error(lambda: client.fine_tuning.jobs.create(model="gpt-17", training_file=training), 404)
    assert (unknown["param"], unknown["code"]) == ("model", "model_not_found")
    refused = _error(lambda: client.fine_tuning.jobs.create(model="o1", training_file=training))
    assert refused["message"] == "Model o1 is not available for fine-tuning or does not exist."
    assert (refused["param"], refused["code"]) == ("model", "model_not_available")


def test_training_file_must_exist_and_have_purpose_fine_tune(client: openai.OpenAI) -> None:
    missing = _error(lambda: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file="file-nope"))
    assert missing["param"] == "training_file" and "file-nope" in missing["message"]
    batch_line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": {}}
    batch_file = _upload(client, [batch_line], "batch.jsonl", "batch")
    wrong = _error(lambda: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=batch_file))
    assert (wrong["param"], wrong["code"]) == ("training_file", "invalid_file_purpose")
    assert "purpose 'batch'" in wrong["message"]
    bad_validation = _error(
        lambda: client.fine_tuning.jobs.create(
            model="gpt-4o-mini", training_file=_training_file(client), validation_file="file-nope"
        )
    )
    assert bad_validation["param"] == "validation_file"
    assert client.fine_tuning.jobs.list().data == []  # nothing half-created


def test_file_format_must_match_the_method(client: openai.OpenAI) -> None:
    chat_file = _training_file(client)
    dpo_on_chat = _error(
        lambda: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=chat_file, method={"type": "dpo"})
    )
    assert (dpo_on_chat["param"], dpo_on_chat["code"]) == ("training_file", "invalid_file_format")
    assert "line 1" in dpo_on_chat["message"] and "preference" in dpo_on_chat["message"]
    mixed = _upload(client, [_chat_example(1), _chat_example(2), _preference_example(3)])
    supervised_on_mixed = _error(lambda: client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=mixed))
    assert "line 3" in supervised_on_mixed["message"]
    preference = _upload(client, [_preference_example(i) for i in range(12)])
    old_model = _error(
        lambda: client.fine_tuning.jobs.create(model="gpt-3.5-turbo", training_file=preference, method={"type": "dpo"})
    )
    assert old_model["param"] == "method.type"


@pytest.mark.parametrize(
    ("overrides", "param", "code"),
    [
        ({"suffix": "s" * 65}, "suffix", "string_above_max_length"),
        ({"seed": -1}, "seed", "integer_below_min_value"),
        ({"hyperparameters": {"n_epochs": 0}}, "hyperparameters.n_epochs", "integer_below_min_value"),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"batch_size": 257}}}},
            "method.supervised.hyperparameters.batch_size",
            "integer_above_max_value",
        ),
        (
            {"method": {"type": "supervised", "supervised": {"hyperparameters": {"learning_rate_multiplier": 0}}}},
            "method.supervised.hyperparameters.learning_rate_multiplier",
            "decimal_below_min_value",
        ),
        (
            {
                "hyperparameters": {"n_epochs": 2},
                "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3}}},
            },
            "hyperparameters",
            "invalid_value",
        ),
        ({"method": {"type": "distillation"}}, "method.type", "invalid_value"),
        (
            {"integrations": [{"type": "wandb", "wandb": {"project": " "}}]},
            "integrations[0].wandb.project",
            "invalid_value",
        ),
        ({"integrations": [{"type": "comet", "wandb": {"project": "p"}}]}, "integrations[0].type", "invalid_value"),
        (
            {"integrations": [{"type": "wandb", "wandb": {}}]},
            "integrations[0].wandb.project",
            "missing_required_parameter",
        ),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, "metadata", "object_above_max_properties"),
        ({"epochs": 3}, "epochs", "unknown_parameter"),
    ],
)
def test_invalid_parameters_are_openai_400s(
    client: openai.OpenAI, overrides: dict[str, Any], param: str, code: str
) -> None:
    training = _training_file(client)
    body = {"model": "gpt-4o-mini", "training_file": training, **overrides}
    error = _error(lambda: client.post("/fine_tuning/jobs", body=body, cast_to=object))
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    assert client.fine_tuning.jobs.list().data == []


def test_wandb_integration_is_kept(client: openai.OpenAI) -> None:
    wandb = {"project": "marv", "name": "first run", "tags": ["sarcasm"]}
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=_training_file(client), integrations=[{"type": "wandb", "wandb": wandb}]
    )
    assert job.integrations is not None and job.integrations[0].wandb.project == "marv"
    assert client.fine_tuning.jobs.retrieve(job.id).integrations[0].wandb.tags == ["sarcasm"]  # type: ignore[index]


# --------------------------------------------------------------------------- lifecycle


def test_job_runs_through_its_statuses_as_time_passes(client: openai.OpenAI) -> None:
    examples = [_chat_example(i) for i in range(1, 13)]
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_upload(client, examples))
    seen = []
    running = None
    for _ in range(400):
        current = _conforming(client.fine_tuning.jobs.with_raw_response.retrieve(job.id))
        if not seen or seen[-1] != current.status:
            seen.append(current.status)
        if current.status == "running" and running is None:
            running = current
        if current.status == "succeeded":
            break
        clock.advance(5)
    assert seen == ["validating_files", "queued", "running", "succeeded"]
    assert running is not None and running.estimated_finish > clock.now_seconds() - 5
    # "auto" resolved once the job started: 12 examples → enough epochs to see ~100 examples, batches of 1.
    assert (running.hyperparameters.n_epochs, running.hyperparameters.batch_size) == (9, 1)
    assert running.hyperparameters.learning_rate_multiplier == 1.8
    assert running.fine_tuned_model is None and running.trained_tokens is None
    done = current
    tokens = sum(count_message_tokens(example["messages"], "gpt-4o-mini-2024-07-18") for example in examples)
    assert done.trained_tokens == tokens * 9
    assert done.finished_at == running.estimated_finish and done.estimated_finish is None
    assert done.method.supervised.hyperparameters.n_epochs == 9


def test_success_creates_a_results_csv_file(client: openai.OpenAI) -> None:
    validation = _upload(client, [_chat_example(i) for i in range(20, 24)], "valid.jsonl")
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=_training_file(client),
        validation_file=validation,
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 3}}},
    )
    clock.advance(LATER)
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded" and len(done.result_files) == 1
    results = client.files.retrieve(done.result_files[0])
    assert (results.purpose, results.filename) == ("fine-tune-results", "step_metrics.csv")
    rows = list(csv.DictReader(io.StringIO(client.files.content(results.id).text)))
    assert list(rows[0]) == ["step", "train_loss", "train_accuracy", "valid_loss", "valid_mean_token_accuracy"]
    assert [int(row["step"]) for row in rows] == list(range(1, 9))  # 2 epochs × ceil(12 / 3) steps
    losses = [float(row["train_loss"]) for row in rows]
    assert losses == sorted(losses, reverse=True) and len(set(losses)) == len(losses)
    assert all(float(row["valid_loss"]) > 0 and 0 < float(row["valid_mean_token_accuracy"]) < 1 for row in rows)


def test_events_tell_the_story_newest_first_and_paginate(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=_training_file(client),
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 3, "batch_size": 4}}},
    )
    first = _conforming(client.fine_tuning.jobs.with_raw_response.list_events(job.id))
    assert [event.message for event in first.data] == [
        f"Validating training file: {job.training_file}",
        f"Created fine-tuning job: {job.id}",
    ]
    clock.advance(LATER)
    page = _conforming(client.fine_tuning.jobs.with_raw_response.list_events(job.id, limit=3))
    assert page.has_more and len(page.data) == 3
    assert page.data[0].message == "The job has successfully completed"
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=4))  # the SDK follows `after`
    assert len({event.id for event in events}) == len(events) == 4 + 9 + 3 + 4
    times = [event.created_at for event in events]
    assert times == sorted(times, reverse=True)
    metrics = [event for event in reversed(events) if event.type == "metrics"]
    assert [event.data["step"] for event in metrics] == list(range(1, 10))  # type: ignore[index]
    losses = [event.data["train_loss"] for event in metrics]  # type: ignore[index]
    assert losses == sorted(losses, reverse=True)
    assert metrics[0].message.startswith("Step 1/9: training loss=")
    messages = [event.message for event in reversed(events)]
    assert messages[:4] == [
        f"Created fine-tuning job: {job.id}",
        f"Validating training file: {job.training_file}",
        "Files validated, moving job to queued state",
        "Fine-tuning job started",
    ]
    assert [m for m in messages if m.startswith("Checkpoint")] == [
        "Checkpoint created at step 3",
        "Checkpoint created at step 6",
        "Checkpoint created at step 9",
    ]
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert f"New fine-tuned model created: {done.fine_tuned_model}" in messages


def test_checkpoints_one_per_epoch(client: openai.OpenAI) -> None:
    validation = _upload(client, [_chat_example(i) for i in range(30, 33)], "valid.jsonl")
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=_training_file(client),
        validation_file=validation,
        suffix="marv",
        hyperparameters={"n_epochs": 3, "batch_size": 2},
    )
    assert client.fine_tuning.jobs.checkpoints.list(job.id).data == []
    clock.advance(LATER)
    page = _conforming(client.fine_tuning.jobs.checkpoints.with_raw_response.list(job.id))
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert [checkpoint.step_number for checkpoint in page.data] == [18, 12, 6]
    assert [checkpoint.fine_tuned_model_checkpoint for checkpoint in page.data] == [
        f"{done.fine_tuned_model}:ckpt-step-{step}" for step in (18, 12, 6)
    ]
    assert all(checkpoint.fine_tuning_job_id == job.id for checkpoint in page.data)
    assert all(checkpoint.id.startswith("ftckpt_") for checkpoint in page.data)
    newest = page.data[0].metrics
    assert newest.step == 18 and newest.full_valid_loss is not None and 0 < newest.full_valid_mean_token_accuracy < 1
    assert page.data[0].metrics.train_loss < page.data[2].metrics.train_loss
    second = client.fine_tuning.jobs.checkpoints.list(job.id, limit=2, after=page.data[1].id)
    assert [checkpoint.step_number for checkpoint in second.data] == [6] and not second.has_more


def test_fine_tuned_model_is_listed_usable_in_chat_and_responses_and_deletable(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client), suffix="marv")
    clock.advance(LATER)
    name = client.fine_tuning.jobs.retrieve(job.id).fine_tuned_model
    assert name is not None and name.startswith("ft:gpt-4o-mini-2024-07-18:org-") and ":marv:" in name
    model = client.models.retrieve(name)
    assert model.owned_by == job.organization_id
    assert name in [listed.id for listed in client.models.list()]

    answer = client.chat.completions.create(model=name, messages=[{"role": "user", "content": "How many legs?"}])
    assert answer.model == name and answer.choices[0].message.content
    response = client.responses.create(model=name, input="How many legs?")
    assert response.model == name and response.output_text

    assert client.models.delete(name).deleted is True
    client.fine_tuning.jobs.retrieve(job.id)  # reading the job again must not bring the model back
    client.fine_tuning.jobs.list()
    assert name not in [listed.id for listed in client.models.list()]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model=name, messages=[{"role": "user", "content": "Still there?"}])
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=name, input="Still there?")


def test_racing_readers_settle_a_job_once(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    clock.advance(LATER)
    tenant = principal_for_key("sk-test").tenant
    stale = get_store().get(tenant, fine_tuning.COLLECTION, job.id)  # both readers saw it unsettled
    winner = fine_tuning._settle(tenant, stale, clock.now_seconds())  # type: ignore[arg-type]
    loser = fine_tuning._settle(tenant, stale, clock.now_seconds())  # type: ignore[arg-type]
    assert winner["result_files"] == loser["result_files"]
    assert [f.id for f in client.files.list(purpose="fine-tune-results")] == winner["result_files"]
    models = [m.id for m in client.models.list() if m.id.startswith("ft:")]
    assert models == [client.fine_tuning.jobs.retrieve(job.id).fine_tuned_model]


# --------------------------------------------------------------------------- DPO and legacy formats


def test_dpo_job_resolves_beta_and_counts_preference_tokens(client: openai.OpenAI) -> None:
    examples = [_preference_example(i) for i in range(1, 21)]
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-2024-08-06",
        training_file=_upload(client, examples),
        method={"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 2}}},
    )
    assert job.method.type == "dpo" and job.method.dpo.hyperparameters.beta == "auto"
    clock.advance(LATER)
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded"
    assert done.method.dpo.hyperparameters.beta == 0.1 and done.method.dpo.hyperparameters.n_epochs == 2
    tokens = sum(
        count_message_tokens(e["input"]["messages"], "gpt-4o")
        + count_message_tokens(e["preferred_output"], "gpt-4o")
        + count_message_tokens(e["non_preferred_output"], "gpt-4o")
        for e in examples
    )
    assert done.trained_tokens == tokens * 2
    assert done.fine_tuned_model.startswith("ft:gpt-4o-2024-08-06:")  # type: ignore[union-attr]


def test_babbage_trains_on_prompt_completion_pairs(client: openai.OpenAI) -> None:
    pairs = [{"prompt": f"Capital of country #{i} ->", "completion": f" City {i}\n"} for i in range(10)]
    job = client.fine_tuning.jobs.create(model="babbage-002", training_file=_upload(client, pairs))
    clock.advance(LATER)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
    chat_for_babbage = _error(
        lambda: client.fine_tuning.jobs.create(model="babbage-002", training_file=_training_file(client))
    )
    assert "prompt-completion" in chat_for_babbage["message"]


# --------------------------------------------------------------------------- failures and cancellation


def test_too_few_examples_fail_during_validation(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client, count=5))
    clock.advance(LATER)
    failed = _conforming(client.fine_tuning.jobs.with_raw_response.retrieve(job.id))
    assert failed.status == "failed" and failed.fine_tuned_model is None and failed.trained_tokens is None
    assert failed.error.code == "invalid_n_examples" and failed.error.param == "training_file"
    assert failed.error.message == "Training file has 5 example(s), but must have at least 10 examples"
    assert failed.hyperparameters.n_epochs == "auto"  # it never started
    assert failed.finished_at == job.created_at + 8
    newest = client.fine_tuning.jobs.list_events(job.id).data[0]
    assert (newest.level, newest.message) == ("error", failed.error.message)


def test_mock_fail_metadata_fails_mid_training(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini",
        training_file=_training_file(client),
        metadata={"mock_fail": "training"},
        hyperparameters={"n_epochs": 4, "batch_size": 12},
    )
    clock.advance(LATER)
    failed = client.fine_tuning.jobs.retrieve(job.id)
    assert failed.status == "failed" and failed.error.code == "internal_error" and failed.error.param is None
    assert failed.result_files == [] and failed.hyperparameters.n_epochs == 4
    events = list(client.fine_tuning.jobs.list_events(job.id, limit=100))
    assert events[0].level == "error"
    assert [e.data["step"] for e in events if e.type == "metrics"] == [1]  # type: ignore[index]
    assert [c.step_number for c in client.fine_tuning.jobs.checkpoints.list(job.id)] == [1]
    assert not [m for m in client.models.list() if m.id.startswith("ft:")]
    with pytest.raises(openai.BadRequestError):
        client.fine_tuning.jobs.cancel(job.id)


def test_cancel_a_running_job(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    clock.advance(60)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "running"
    cancelled = _conforming(client.fine_tuning.jobs.with_raw_response.cancel(job.id))
    assert cancelled.status == "cancelled" and cancelled.finished_at == START + 60
    clock.advance(LATER)
    later = client.fine_tuning.jobs.retrieve(job.id)
    assert later.status == "cancelled" and later.fine_tuned_model is None and later.result_files == []
    assert client.fine_tuning.jobs.list_events(job.id).data[0].message == "The job has been cancelled"
    again = _error(lambda: client.fine_tuning.jobs.cancel(job.id))
    assert again["code"] == "job_not_cancellable" and "cancelled" in again["message"]
    assert not [m for m in client.models.list() if m.id.startswith("ft:")]


def test_cancelling_a_finished_job_is_400(client: openai.OpenAI) -> None:
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(client))
    clock.advance(LATER)
    error = _error(lambda: client.fine_tuning.jobs.cancel(job.id))
    assert error["message"] == f"Job {job.id} has already succeeded and cannot be cancelled."
    assert client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"


def test_unknown_job_is_404_and_jobs_belong_to_their_tenant(client_for: Callable[[str], openai.OpenAI]) -> None:
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    job = owner.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=_training_file(owner))
    for call in (
        lambda: stranger.fine_tuning.jobs.retrieve(job.id),
        lambda: stranger.fine_tuning.jobs.cancel(job.id),
        lambda: stranger.fine_tuning.jobs.list_events(job.id),
        lambda: stranger.fine_tuning.jobs.checkpoints.list(job.id),
    ):
        error = _error(call, 404)
        assert error == {
            "message": f"No such FineTuningJob object: {job.id}",
            "type": "invalid_request_error",
            "param": "fine_tuning_job_id",
            "code": None,
        }
    assert stranger.fine_tuning.jobs.list().data == []
    assert owner.fine_tuning.jobs.retrieve(job.id).id == job.id


# --------------------------------------------------------------------------- lists


def test_list_jobs_newest_first_with_pagination_and_metadata_filter(client: openai.OpenAI) -> None:
    training = _training_file(client)
    ids = []
    for index in range(5):
        metadata = {"team": "a" if index % 2 == 0 else "b"} if index < 4 else None
        ids.append(
            client.fine_tuning.jobs.create(
                model="gpt-4o-mini", training_file=training, metadata=metadata, suffix=f"run-{index}"
            ).id
        )
        clock.advance(1)
    page = _conforming(client.fine_tuning.jobs.with_raw_response.list(limit=2))
    assert [job.id for job in page.data] == ids[::-1][:2] and page.has_more
    assert [job.id for job in client.fine_tuning.jobs.list(limit=2)] == ids[::-1]  # auto-pagination via `after`
    nxt = client.fine_tuning.jobs.list(limit=2, after=ids[3])
    assert [job.id for job in nxt.data] == [ids[2], ids[1]]
    team_a = _conforming(client.fine_tuning.jobs.with_raw_response.list(metadata={"team": "a"}))
    assert [job.id for job in team_a.data] == [ids[2], ids[0]]
    assert [job.id for job in client.fine_tuning.jobs.list(metadata={"team": "b"}, limit=1)] == [ids[3], ids[1]]
    untagged = client.get("/fine_tuning/jobs", cast_to=object, options={"params": {"metadata": "null"}})
    assert [job["id"] for job in untagged["data"]] == [ids[4]]  # type: ignore[index]
    clock.advance(LATER)
    assert {job.status for job in client.fine_tuning.jobs.list()} == {"succeeded"}
    bad = _error(lambda: client.fine_tuning.jobs.list(limit=0))
    assert bad["param"] == "limit"


# --------------------------------------------------------------------------- Lambda


def test_fine_tuning_through_the_lambda_handler(client: openai.OpenAI) -> None:
    training = _training_file(client)  # files share the process store with this function's handler
    via_lambda = lambda_client(fine_tuning_function.handler, "v1")  # type: ignore[arg-type]
    job = via_lambda.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="lambda")
    assert job.status == "validating_files"
    clock.advance(LATER)
    done = via_lambda.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded" and ":lambda:" in str(done.fine_tuned_model)
    newest = via_lambda.fine_tuning.jobs.list_events(job.id, limit=1).data
    assert [event.message for event in newest] == ["The job has successfully completed"]
    assert [j.id for j in via_lambda.fine_tuning.jobs.list()] == [job.id]

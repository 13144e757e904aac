"""Fine-tuning jobs: request models, the real API's validation, and a lifecycle driven by the clock.

A job is planned when it is created (dataset size and tokens, resolved hyperparameters, stage times;
see `generation/fine_tuning.py`) and its state is derived from that plan and `clock` on every read:
validating_files → queued → running → succeeded (or failed / cancelled). The one side effect of
success — the results File and the fine-tuned model in the catalogue — happens on the first read
after the finish time, exactly once: the reader that flips the stored `_settled` flag does it.

Forcing a failure: a training file with fewer than 10 examples fails during validation (as the real
service does, `invalid_n_examples`), and `metadata: {"mock_fail": "training"}` (or `"true"`) makes a
job fail half-way through training with an internal error, `"validation"` during file validation.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from pydantic import ConfigDict, StrictInt

from openai_mock import clock
from openai_mock.checks import check_enum, check_max_items, check_metadata, check_range
from openai_mock.control import webhooks
from openai_mock.errors import invalid_request, not_found
from openai_mock.fields import Decimal, RequestModel
from openai_mock.generation import fine_tuning as builder
from openai_mock.generation.tokens import count_tokens
from openai_mock.ids import new_id
from openai_mock.pagination import ListParams, Page, list_object, paginate
from openai_mock.resources import files, graders, models
from openai_mock.resources.organization import core as organization
from openai_mock.rng import request_rng, seeded_rng
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.store.base import ConflictError, Object

COLLECTION = "fine_tuning.job"
RESULTS_FILENAME = "step_metrics.csv"
MIN_EXAMPLES = 10
MAX_SUFFIX_LENGTH = 64
MAX_SEED = 2_147_483_647
MAX_INTEGRATIONS = 5
MOCK_FAIL_KEY = "mock_fail"
DPO_MODELS = ("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18")
RFT_MODELS = ("o4-mini-2025-04-16",)  # reinforcement fine-tuning trains reasoning models
METHODS = ("supervised", "dpo", "reinforcement")
REASONING_EFFORTS = ("default", "low", "medium", "high")
BASELINE_EXAMPLES = 5  # training examples the grader scores against the base model's answers
TERMINAL = ("succeeded", "failed", "cancelled")
# Aliases the real API accepts and resolves to the snapshot it fine-tunes.
ALIASES = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "o4-mini": "o4-mini-2025-04-16",
}
_PRIVATE = "_"  # keys starting with this are kept in the store, never shown
_HYPERPARAMETERS = ("batch_size", "learning_rate_multiplier", "n_epochs")

Auto = Literal["auto"]


# --------------------------------------------------------------------------- request models


class SupervisedHyperparameters(RequestModel):
    model_config = ConfigDict(extra="forbid")
    batch_size: Auto | StrictInt = "auto"
    learning_rate_multiplier: Auto | Decimal = "auto"
    n_epochs: Auto | StrictInt = "auto"


class DpoHyperparameters(SupervisedHyperparameters):
    beta: Auto | Decimal = "auto"


class SupervisedMethod(RequestModel):
    model_config = ConfigDict(extra="forbid")
    hyperparameters: SupervisedHyperparameters | None = None


class DpoMethod(RequestModel):
    model_config = ConfigDict(extra="forbid")
    hyperparameters: DpoHyperparameters | None = None


class ReinforcementHyperparameters(SupervisedHyperparameters):
    compute_multiplier: Auto | Decimal = "auto"
    eval_interval: Auto | StrictInt = "auto"
    eval_samples: Auto | StrictInt = "auto"
    reasoning_effort: str = "default"


class ReinforcementMethod(RequestModel):
    model_config = ConfigDict(extra="forbid")
    grader: dict[str, Any]
    hyperparameters: ReinforcementHyperparameters | None = None


class Method(RequestModel):
    model_config = ConfigDict(extra="forbid")
    type: str | None = None
    supervised: SupervisedMethod | None = None
    dpo: DpoMethod | None = None
    reinforcement: ReinforcementMethod | None = None


class WandbSettings(RequestModel):
    model_config = ConfigDict(extra="forbid")
    project: str
    name: str | None = None
    entity: str | None = None
    tags: list[str] | None = None


class Integration(RequestModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    wandb: WandbSettings


class CreateFineTuningJobRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    training_file: str
    validation_file: str | None = None
    suffix: str | None = None
    seed: StrictInt | None = None
    hyperparameters: SupervisedHyperparameters | None = None
    method: Method | None = None
    integrations: list[Integration] | None = None
    metadata: dict[str, str] | None = None


# --------------------------------------------------------------------------- validation


def _check_suffix(suffix: str | None) -> None:
    if suffix is None:
        return
    if not suffix:
        raise invalid_request(
            "Invalid 'suffix': string too short. Expected a string with minimum length 1, but got "
            "an empty string instead.",
            "suffix",
            "string_below_min_length",
        )
    if len(suffix) > MAX_SUFFIX_LENGTH:
        raise invalid_request(
            f"Invalid 'suffix': string too long. Expected a string with maximum length {MAX_SUFFIX_LENGTH}, but got "
            f"a string with length {len(suffix)} instead.",
            "suffix",
            "string_above_max_length",
        )


def _check_hyperparameters(values: Mapping[str, Any], where: str) -> None:
    def number(name: str) -> float | None:
        value = values.get(name, "auto")
        return None if value == "auto" else value  # type: ignore[no-any-return]

    check_range(number("batch_size"), f"{where}.batch_size", 1, builder.MAX_BATCH_SIZE)
    check_range(number("n_epochs"), f"{where}.n_epochs", 1, 50)
    check_range(number("eval_interval"), f"{where}.eval_interval", 1, None)
    check_range(number("eval_samples"), f"{where}.eval_samples", 1, None)
    if "reasoning_effort" in values:
        check_enum(values["reasoning_effort"], REASONING_EFFORTS, f"{where}.reasoning_effort")
    compute = number("compute_multiplier")
    if compute is not None and not 0.00001 < compute <= 10:
        raise invalid_request(
            f"Invalid '{where}.compute_multiplier': expected a number greater than 0.00001 and at most 10, "
            f"but got {compute} instead.",
            f"{where}.compute_multiplier",
            "invalid_value",
        )
    for name, maximum in (("learning_rate_multiplier", None), ("beta", 2)):
        value = number(name)
        if value is not None and value <= 0:
            raise invalid_request(
                f"Invalid '{where}.{name}': number must be greater than 0, but got {value} instead.",
                f"{where}.{name}",
                "decimal_below_min_value",
            )
        check_range(value, f"{where}.{name}", None, maximum, decimal=True)


def _method(body: CreateFineTuningJobRequest) -> tuple[str, dict[str, Any]]:
    """(method type, requested hyperparameters with every missing one as "auto")."""
    method = body.method or Method()
    configured_kinds = [name for name in METHODS if getattr(method, name) is not None]
    kind = method.type or (configured_kinds[0] if len(configured_kinds) == 1 else "supervised")
    check_enum(kind, METHODS, "method.type")
    for other in METHODS:
        if other != kind and getattr(method, other) is not None:
            raise invalid_request(
                f"Invalid 'method.{other}': the method type is '{kind}', so only 'method.{kind}' may be set.",
                f"method.{other}",
                "invalid_value",
            )
    if kind == "reinforcement" and method.reinforcement is None:
        raise invalid_request(
            "Missing required parameter: 'method.reinforcement.grader'.",
            "method.reinforcement.grader",
            "missing_required_parameter",
        )
    configured = getattr(method, kind)
    nested = configured.hyperparameters if configured is not None else None
    if body.hyperparameters is not None and nested is not None:
        raise invalid_request(
            "'hyperparameters' is deprecated and cannot be set together with "
            f"'method.{kind}.hyperparameters'; set them under 'method' only.",
            "hyperparameters",
            "invalid_value",
        )
    if body.hyperparameters is not None and kind != "supervised":
        raise invalid_request(
            f"'hyperparameters' only applies to supervised fine-tuning; set 'method.{kind}.hyperparameters' instead.",
            "hyperparameters",
            "invalid_value",
        )
    chosen = nested if nested is not None else body.hyperparameters
    where = "hyperparameters" if nested is None else f"method.{kind}.hyperparameters"
    defaults = {"dpo": DpoHyperparameters, "reinforcement": ReinforcementHyperparameters}.get(
        kind, SupervisedHyperparameters
    )
    requested = defaults().model_dump()
    requested.update(chosen.model_dump() if chosen is not None else {})
    _check_hyperparameters(requested, where)
    return kind, requested


def _check_integrations(integrations: list[Integration] | None) -> list[dict[str, Any]]:
    if not integrations:
        return []
    check_max_items(integrations, MAX_INTEGRATIONS, "integrations")
    for index, integration in enumerate(integrations):
        check_enum(integration.type, ("wandb",), f"integrations[{index}].type")
        if not integration.wandb.project.strip():
            raise invalid_request(
                f"Invalid 'integrations[{index}].wandb.project': the Weights and Biases project "
                "name must not be empty.",
                f"integrations[{index}].wandb.project",
                "invalid_value",
            )
    return [integration.model_dump() for integration in integrations]


def _model(tenant: str, requested: str, kind: str = "supervised") -> tuple[str, models.ModelSpec]:
    """(the model the job reports, the base snapshot it trains); a fine-tune can be trained further."""
    if requested.startswith("ft:"):
        models.retrieve_model(tenant, requested)  # 404 unless this tenant owns it
        model, base = requested, requested.split(":")[1]
    else:
        model = base = ALIASES.get(requested, requested)
    spec = models.served_base_model(base)
    if spec is None:
        raise models.model_not_found(requested)
    if kind == "reinforcement" or spec.id in RFT_MODELS:
        if spec.id not in RFT_MODELS or kind != "reinforcement":
            raise invalid_request(
                f"Model {requested} is not available for {kind} fine-tuning; reinforcement fine-tuning supports "
                f"{', '.join(RFT_MODELS)} and {', '.join(RFT_MODELS)} supports only reinforcement fine-tuning.",
                "model",
                "model_not_available",
            )
        return model, spec
    if not spec.fine_tunable:
        raise invalid_request(
            f"Model {requested} is not available for fine-tuning or does not exist.", "model", "model_not_available"
        )
    return model, spec


class Dataset(NamedTuple):
    examples: int
    tokens: int  # per epoch


def _example_tokens(line: Mapping[str, Any], model: str) -> int:
    # The chat generator's layer is imported by the first job created: listing and polling jobs (most of this
    # function's requests) count and generate nothing (bench/README.md, cold starts).
    from openai_mock.generation.chat import count_message_tokens

    if "messages" in line:
        return count_message_tokens(line["messages"], model)
    if "input" in line:
        return sum(
            count_message_tokens(messages, model)
            for messages in (line["input"]["messages"], line["preferred_output"], line["non_preferred_output"])
        )
    return count_tokens(line["prompt"], model) + count_tokens(line["completion"], model)


def _expected_format(kind: str, spec: models.ModelSpec) -> tuple[str, str]:
    """(key every line must have, the format's name)."""
    if kind == "dpo":
        return "preferred_output", "preference (input, preferred_output, non_preferred_output)"
    if spec.kind == "completion":
        return "prompt", "prompt-completion"
    return "messages", "chat (messages)"


def _dataset(tenant: str, file_id: str, param: str, kind: str, spec: models.ModelSpec) -> Dataset:
    """Checks a training or validation file the way job creation does, and measures it."""
    found = files.find_file(tenant, file_id)
    if found is None:
        raise invalid_request(f"invalid {param}: {file_id}. No such File object.", param, "invalid_file")
    if found["purpose"] != "fine-tune":
        raise invalid_request(
            f"invalid {param}: {file_id}. The file has purpose '{found['purpose']}', but "
            "fine-tuning files must be uploaded with purpose 'fine-tune'.",
            param,
            "invalid_file_purpose",
        )
    key, name = _expected_format(kind, spec)
    examples = tokens = 0
    for number, raw in enumerate(files.file_bytes(tenant, found, param).decode().splitlines(), start=1):
        if not raw.strip():
            continue
        line = json.loads(raw)  # the Files API only stores valid JSONL for purpose fine-tune
        unanswered = kind == "supervised" and "messages" in line
        if unanswered and not any(message.get("role") == "assistant" for message in line["messages"]):
            raise invalid_request(
                f"Invalid file format for {param} {file_id}: line {number} has no assistant message to learn from "
                "(a prompt without an answer is a reinforcement fine-tuning example).",
                param,
                "invalid_file_format",
            )
        if key not in line:
            method = "the DPO method" if kind == "dpo" else f"supervised fine-tuning of {spec.id}"
            raise invalid_request(
                f"Invalid file format for {param} {file_id}: line {number} is not in the {name} "
                f"format that {method} requires.",
                param,
                "invalid_file_format",
            )
        examples += 1
        tokens += _example_tokens(line, spec.id)
    return Dataset(examples, tokens)


def _planned_failure(
    metadata: Mapping[str, str] | None, examples: int, timeline: builder.Timeline, total_steps: int
) -> dict[str, Any] | None:
    forced = (metadata or {}).get(MOCK_FAIL_KEY, "").lower()
    if examples < MIN_EXAMPLES:
        return {
            "at": timeline.validated,
            "error": {
                "code": "invalid_n_examples",
                "param": "training_file",
                "message": f"Training file has {examples} example(s), but must have at least {MIN_EXAMPLES} examples",
            },
        }
    if forced == "validation":
        return {
            "at": timeline.validated,
            "error": {
                "code": "invalid_training_file",
                "param": "training_file",
                "message": "The job failed due to an invalid training file. The file could not be read by the "
                "training pipeline (mock_fail=validation).",
            },
        }
    if forced in ("true", "training"):
        return {
            "at": timeline.step_time(math.ceil(total_steps / 2)),
            "error": {
                "code": "internal_error",
                "param": None,
                "message": "The job failed due to an internal error (mock_fail=training). Please retry the job.",
            },
        }
    return None


def _baseline(tenant: str, file_id: str, grader: Mapping[str, Any], spec: models.ModelSpec) -> float:
    """The grader's mean reward on the base model's answers to the first training examples: where the
    reinforcement curve starts. Each example is the item (`{{item.…}}`), its answer the sample."""
    from openai_mock.generation import chat as chat_builder

    scores: list[float] = []
    for raw in files.read_file_bytes(tenant, file_id, "training_file").decode().splitlines():
        if len(scores) == BASELINE_EXAMPLES:
            break
        if not raw.strip():
            continue
        item = json.loads(raw)
        request = {"model": spec.id, "messages": item["messages"], "seed": 0}
        answer = chat_builder.build_chat_completion(
            request, seeded_rng(request), completion_id=new_id("chat.completion"), created=clock.now_seconds()
        )["choices"][0]["message"]["content"]
        try:
            scores.append(graders.grade(tenant, grader, item, graders.sample_namespace(answer or "", spec.id), 0).score)
        except graders.GraderError:
            scores.append(0.0)
    return round(sum(scores) / len(scores), 6) if scores else 0.0


# --------------------------------------------------------------------------- create


def create_job(
    tenant: str, organization_id: str, body: CreateFineTuningJobRequest, headers: Mapping[str, str]
) -> Object:
    kind, requested = _method(body)
    model, spec = _model(tenant, body.model, kind)
    grader = None
    if kind == "reinforcement":
        assert body.method is not None and body.method.reinforcement is not None
        grader = graders.check_grader(tenant, body.method.reinforcement.grader, "method.reinforcement.grader")
    if kind == "dpo" and spec.id not in DPO_MODELS:
        raise invalid_request(
            f"The DPO method is not supported for model {spec.id}; use one of {', '.join(DPO_MODELS)}.",
            "method.type",
            "invalid_value",
        )
    _check_suffix(body.suffix)
    check_range(body.seed, "seed", 0, MAX_SEED)
    integrations = _check_integrations(body.integrations)
    check_metadata(body.metadata)
    training = _dataset(tenant, body.training_file, "training_file", kind, spec)
    if body.validation_file is not None:
        _dataset(tenant, body.validation_file, "validation_file", kind, spec)
    baseline = _baseline(tenant, body.training_file, grader, spec) if grader is not None else None

    seed = body.seed if body.seed is not None else request_rng(body.model_dump(), headers).randint(0, MAX_SEED)
    resolved = builder.resolve_hyperparameters(kind, requested, max(1, training.examples))
    now = clock.now_seconds()
    per_epoch = builder.steps_per_epoch(max(1, training.examples), resolved["batch_size"])
    timeline = builder.plan_timeline(
        now,
        max(1, training.examples),
        training.tokens,
        resolved["batch_size"],
        resolved["n_epochs"],
        scale=get_settings().time_scale,
    )
    job_id = new_id("fine_tuning.job")
    job: Object = {
        "object": "fine_tuning.job",
        "id": job_id,
        "model": model,
        "created_at": now,
        "organization_id": organization_id,
        "training_file": body.training_file,
        "validation_file": body.validation_file,
        "seed": seed,
        "integrations": integrations,
        "metadata": body.metadata,
        "result_files": [],
        "_method": kind,
        "_requested": requested,
        "_resolved": resolved,
        "_tokens_per_epoch": training.tokens,
        "_steps_per_epoch": per_epoch,
        "_timeline": timeline.as_dict(),
        "_fine_tuned_model": builder.fine_tuned_model_name(spec.id, organization_id, body.suffix, job_id),
        "_failure": _planned_failure(body.metadata, training.examples, timeline, per_epoch * resolved["n_epochs"]),
        "_cancelled_at": None,
        "_settled": False,
        "_pauses": [],
        "_grader": grader,
        "_baseline": baseline,
    }
    # The model is registered now, due at the planned finish: /v1/models shows it on time without anyone
    # reading the job (in any function or container). A job bound to fail never gets one; cancelling withdraws it.
    job["_model_registered"] = job["_failure"] is None
    stored = get_store().create(tenant, COLLECTION, job)
    if job["_model_registered"]:
        with contextlib.suppress(ConflictError):
            models.register_fine_tuned_model(tenant, job["_fine_tuned_model"], organization_id, timeline.finished)
    # Its webhook fires when it ends, read or not (docs/webhooks.md).
    webhooks.watch(tenant, "fine_tuning.job", job_id, at=_planned_end(stored))
    return _public(stored, now)


# --------------------------------------------------------------------------- state


def _timeline(job: Object) -> builder.Timeline:
    return builder.Timeline.from_dict(job["_timeline"])


def _pauses(job: Object) -> list[builder.Pause]:
    return [(int(start), None if end is None else int(end)) for start, end in job.get("_pauses") or []]


def _paused(job: Object) -> bool:
    pauses = job.get("_pauses") or []
    return bool(pauses) and pauses[-1][1] is None


def _real(job: Object, at: int) -> int | None:
    """When a moment of the job's plan happens in real time, pauses included (None while paused before it)."""
    return builder.real_time(at, _pauses(job))


def status_at(job: Object, now: int) -> str:
    if job["_cancelled_at"] is not None:
        return "cancelled"
    if _paused(job):
        return "paused"
    now = builder.story_time(now, _pauses(job))  # how far along its plan the job is
    failure = job["_failure"]
    if failure is not None and now >= failure["at"]:
        return "failed"
    timeline = _timeline(job)
    if now < timeline.validated:
        return "validating_files"
    if now < timeline.started:
        return "queued"
    if now < timeline.finished:
        return "running"
    return "succeeded"


def _end_time(job: Object) -> int | None:
    """When the job stopped (or will stop, if it is bound to fail)."""
    if job["_cancelled_at"] is not None:
        return int(job["_cancelled_at"])
    if job["_failure"] is not None:
        return _real(job, int(job["_failure"]["at"]))
    return None


def _public(job: Object, now: int) -> Object:
    status = status_at(job, now)
    timeline = _timeline(job)
    end = _end_time(job)
    started = status in ("running", "paused", "succeeded") or (
        status in TERMINAL and end is not None and end >= timeline.started
    )
    chosen = job["_resolved"] if started else job["_requested"]
    kind = job["_method"]
    finished = _real(job, timeline.finished)
    public = {key: value for key, value in job.items() if not key.startswith(_PRIVATE)}
    method: dict[str, Any] = {"hyperparameters": dict(chosen)}
    if job.get("_grader") is not None:
        method["grader"] = job["_grader"]
    public.update(
        status=status,
        error=job["_failure"]["error"] if status == "failed" else None,
        estimated_finish=finished if status == "running" else None,
        fine_tuned_model=job["_fine_tuned_model"] if status == "succeeded" else None,
        finished_at=finished if status == "succeeded" else (end if status in TERMINAL else None),
        trained_tokens=job["_tokens_per_epoch"] * job["_resolved"]["n_epochs"] if status == "succeeded" else None,
        hyperparameters={name: chosen[name] for name in _HYPERPARAMETERS},
        method={"type": kind, kind: method},
    )
    return public


class _AlreadySettled(Exception):
    pass


def _story(job: Object) -> builder.JobStory:
    total = job["_steps_per_epoch"] * job["_resolved"]["n_epochs"]
    grader = job.get("_grader")
    announced = None
    if grader is not None:
        announced = (
            f"Grader '{grader['name']}' ({grader['type']}) validated; baseline reward of {job['_baseline']:.2f} "
            f"on {job['model']}'s answers to the first training examples"
        )
    return builder.JobStory(
        job_id=job["id"],
        training_file=job["training_file"],
        validation_file=job["validation_file"],
        timeline=_timeline(job),
        steps_per_epoch=job["_steps_per_epoch"],
        n_epochs=job["_resolved"]["n_epochs"],
        curve=builder.training_curve(job["seed"], total, job["validation_file"] is not None),
        fine_tuned_model=job["_fine_tuned_model"],
        failure=job["_failure"],
        rewards=builder.reward_curve(job["seed"], total, job["_baseline"]) if grader is not None else None,
        grader=announced,
    )


def _settle(tenant: str, job: Object, now: int) -> Object:
    """A job past its finish gets its results File and its model in the catalogue, once."""
    if job["_settled"] or status_at(job, now) != "succeeded":
        return job
    results = files.create_file(tenant, RESULTS_FILENAME, "fine-tune-results", builder.results_csv(_story(job).curve))

    def settle(current: Object) -> Object:
        if current["_settled"] or current["_cancelled_at"] is not None:
            raise _AlreadySettled
        return {**current, "_settled": True, "result_files": [results["id"]]}

    try:
        settled = get_store().update(tenant, COLLECTION, job["id"], settle)
    except _AlreadySettled:  # another reader won the race: drop our copy of the results
        files.delete_file(tenant, results["id"])
        return get_store().get(tenant, COLLECTION, job["id"]) or job
    if settled is None:
        files.delete_file(tenant, results["id"])
        raise not_found("FineTuningJob", job["id"], "fine_tuning_job_id")
    if settled.get("_model_registered") and not _pauses(settled):  # registered when it was created
        return settled
    with contextlib.suppress(ConflictError):  # already registered
        models.register_fine_tuned_model(
            tenant, settled["_fine_tuned_model"], settled["organization_id"], _finish(settled)
        )
    return settled


def _finish(job: Object) -> int:
    return _real(job, _timeline(job).finished) or _timeline(job).finished


def _current(tenant: str, job_id: str, now: int) -> Object:
    job = get_store().get(tenant, COLLECTION, job_id)
    if job is None:
        raise not_found("FineTuningJob", job_id, "fine_tuning_job_id")
    return _settle(tenant, job, now)


# --------------------------------------------------------------------------- operations


def retrieve_job(tenant: str, job_id: str) -> Object:
    now = clock.now_seconds()
    return _public(_current(tenant, job_id, now), now)


def list_jobs(
    tenant: str, params: ListParams, *, metadata: Mapping[str, str] | None, no_metadata: bool = False
) -> Object:
    """Newest first; `metadata` keeps jobs carrying every given pair, `no_metadata` jobs without any."""

    def wanted(job: Object) -> bool:
        tags = job.get("metadata") or {}
        if no_metadata:
            return not tags
        return all(tags.get(key) == value for key, value in (metadata or {}).items())

    page = get_store().list(
        tenant, COLLECTION, limit=params.limit, order=params.order, after=params.after, where=wanted
    )
    now = clock.now_seconds()
    return list_object(page, view=lambda job: _public(_settle(tenant, job, now), now))


def cancel_job(tenant: str, job_id: str) -> Object:
    now = clock.now_seconds()
    _current(tenant, job_id, now)

    def cancel(current: Object) -> Object:
        status = status_at(current, now)
        if status in TERMINAL:
            raise invalid_request(
                f"Job {job_id} has already {'been ' if status == 'cancelled' else ''}{status} and cannot be cancelled.",
                None,
                "job_not_cancellable",
            )
        return {**current, "_cancelled_at": now}

    cancelled = get_store().update(tenant, COLLECTION, job_id, cancel)
    if cancelled is None:
        raise not_found("FineTuningJob", job_id, "fine_tuning_job_id")
    if cancelled.get("_model_registered"):
        models.withdraw_fine_tuned_model(tenant, cancelled["_fine_tuned_model"])
    webhooks.watch(tenant, "fine_tuning.job", job_id, at=now)  # `fine_tuning.job.cancelled`, now
    return _public(cancelled, now)


def _planned_end(job: Object) -> int:
    failure = job["_failure"]
    return int(failure["at"]) if failure is not None else _timeline(job).finished


def _webhook_outcome(tenant: str, job_id: str) -> webhooks.Outcome:
    """Which event the job ended with (settling it as a read would: results file, model), or when to look again."""
    now = clock.now_seconds()
    job = get_store().get(tenant, COLLECTION, job_id)
    if job is None:
        return None
    job = _settle(tenant, job, now)
    status = status_at(job, now)
    if status in TERMINAL:
        return webhooks.Finished(f"fine_tuning.job.{status}", _public(job, now)["finished_at"] or now)
    return webhooks.NotYet(_planned_end(job))


webhooks.register_source("fine_tuning.job", _webhook_outcome)


def list_events(tenant: str, job_id: str, params: ListParams) -> Object:
    now = clock.now_seconds()
    job = _current(tenant, job_id, now)
    events = builder.events_until(_story(job), now, job["_cancelled_at"], _pauses(job))
    return list_object(paginate(events, params))


def list_checkpoints(tenant: str, job_id: str, params: ListParams) -> Object:
    now = clock.now_seconds()
    job = _current(tenant, job_id, now)
    if job["_cancelled_at"] is not None:
        last = min(now, job["_cancelled_at"])
    elif job["_failure"] is not None:  # a checkpoint due the very moment a job fails is never made
        failed = _real(job, job["_failure"]["at"])
        last = now if failed is None else min(now, failed - 1)
    else:
        last = now
    checkpoints = builder.checkpoints_until(_story(job), last, _pauses(job))
    return list_object(paginate(checkpoints, params))


def pause_job(tenant: str, job_id: str) -> Object:
    """A running job stops where it is: its clock-derived progress (steps, checkpoints, the finish) waits, and
    its model, registered for the planned finish, is withdrawn until it resumes."""
    now = clock.now_seconds()
    _current(tenant, job_id, now)

    def pause(current: Object) -> Object:
        status = status_at(current, now)
        if status != "running":
            raise invalid_request(
                f"Job {job_id} is {status}; only a running job can be paused.", None, "job_not_pausable"
            )
        return {**current, "_pauses": [*(current.get("_pauses") or []), [now, None]]}

    paused = get_store().update(tenant, COLLECTION, job_id, pause)
    if paused is None:
        raise not_found("FineTuningJob", job_id, "fine_tuning_job_id")
    if paused.get("_model_registered"):
        models.withdraw_fine_tuned_model(tenant, paused["_fine_tuned_model"])
    return _public(paused, now)


def resume_job(tenant: str, job_id: str) -> Object:
    """A paused job carries on from where it stopped: everything still ahead of it moves later by the pause."""
    now = clock.now_seconds()
    _current(tenant, job_id, now)

    def resume(current: Object) -> Object:
        if status_at(current, now) != "paused":
            raise invalid_request(
                f"Job {job_id} is {status_at(current, now)}; only a paused job can be resumed.",
                None,
                "job_not_resumable",
            )
        pauses = [list(pause) for pause in current["_pauses"]]
        pauses[-1][1] = now
        return {**current, "_pauses": pauses}

    resumed = get_store().update(tenant, COLLECTION, job_id, resume)
    if resumed is None:
        raise not_found("FineTuningJob", job_id, "fine_tuning_job_id")
    if resumed.get("_model_registered"):
        with contextlib.suppress(ConflictError):
            models.register_fine_tuned_model(
                tenant, resumed["_fine_tuned_model"], resumed["organization_id"], _finish(resumed)
            )
    return _public(resumed, now)


# --------------------------------------------------------------------------- checkpoint permissions

PERMISSIONS = "checkpoint.permission"  # scoped by checkpoint, in the organization's (admin key's) tenant
_CHECKPOINT = re.compile(r"^ft:[^:]+:[^:]*:[^:]*:[^:]+:ckpt-step-\d+$")


class CreatePermissionRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    project_ids: list[str]


def _checkpoint(name: str) -> str:
    if not _CHECKPOINT.match(name):
        raise invalid_request(
            f"Invalid checkpoint '{name}': expected a fine-tuned model checkpoint such as "
            "'ft:gpt-4o-mini-2024-07-18:org:suffix:abc123:ckpt-step-100'.",
            "fine_tuned_model_checkpoint",
            "invalid_value",
        )
    return f"{PERMISSIONS}/{name}"


def create_permissions(org: organization.Organization, checkpoint: str, body: CreatePermissionRequest) -> Object:
    """Share a checkpoint with projects of the organization: one permission per project (an existing one is
    kept, not doubled)."""
    collection = _checkpoint(checkpoint)
    if not body.project_ids:
        raise invalid_request(
            "Invalid 'project_ids': empty array. Expected an array with minimum length 1, but got an empty array "
            "instead.",
            "project_ids",
            "empty_array",
        )
    for index, project_id in enumerate(body.project_ids):
        if get_store().get(org.tenant, organization.PROJECTS, project_id) is None:
            raise invalid_request(
                f"Invalid 'project_ids[{index}]': no project {project_id} in this organization.",
                f"project_ids[{index}]",
                "invalid_value",
            )
    existing = {permission["project_id"]: permission for permission in _permissions(org.tenant, collection)}
    created = []
    for project_id in dict.fromkeys(body.project_ids):
        permission = existing.get(project_id)
        if permission is None:
            permission = get_store().create(
                org.tenant,
                collection,
                {
                    "object": "checkpoint.permission",
                    "id": new_id("checkpoint.permission"),
                    "created_at": clock.now_seconds(),
                    "project_id": project_id,
                },
            )
        created.append(permission)
    return list_object(Page(created, False))


def _permissions(tenant: str, collection: str) -> list[Object]:
    found: list[Object] = []
    after = None
    while True:
        page = get_store().list(tenant, collection, limit=100, order="asc", after=after)
        found.extend(page.items)
        if not page.has_more or not page.items:
            return found
        after = page.items[-1]["id"]


def list_permissions(
    org: organization.Organization,
    checkpoint: str,
    *,
    project_id: str | None,
    after: str | None,
    limit: int,
    order: str,
) -> Object:
    collection = _checkpoint(checkpoint)
    check_enum(order, ("ascending", "descending"), "order")
    check_range(limit, "limit", 1, 100)
    permissions = [
        permission
        for permission in _permissions(org.tenant, collection)
        if project_id is None or permission["project_id"] == project_id
    ]
    params = ListParams(limit=limit, order="asc" if order == "ascending" else "desc", after=after or None)
    return list_object(paginate(permissions, params))


def delete_permission(org: organization.Organization, checkpoint: str, permission_id: str) -> Object:
    collection = _checkpoint(checkpoint)
    if get_store().delete(org.tenant, collection, permission_id) is None:
        raise not_found("CheckpointPermission", permission_id, "permission_id")
    return {"object": "checkpoint.permission", "id": permission_id, "deleted": True}

"""Fine-tuning builders: pure functions of (job plan, seed, time).

A job is planned once, when it is created: its dataset size and tokens, the hyperparameters "auto"
resolves to, and the time each stage starts. Everything a client later reads (status, events,
checkpoints, the results CSV) is derived from that plan and the current time, so no background
work is needed: a job "runs" because the clock moves.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from openai_mock.ids import stable_id
from openai_mock.rng import seeded_rng

# The real service's "auto" heuristics: about 3 epochs, more for tiny datasets (so the model sees at
# least ~100 examples), fewer for huge ones (at most ~25,000 examples seen); batches grow with the dataset.
DEFAULT_EPOCHS = 3
MIN_TARGET_EXAMPLES, MAX_TARGET_EXAMPLES = 100, 25_000
MAX_AUTO_EPOCHS = 25
MAX_BATCH_SIZE = 256
AUTO_LEARNING_RATE_MULTIPLIER = 1.8
AUTO_DPO_BETA = 0.1
AUTO_COMPUTE_MULTIPLIER = 1.0
AUTO_EVAL_INTERVAL = 1
AUTO_EVAL_SAMPLES = 1

# Stage durations in seconds (a small job finishes in minutes of mock time; tests advance the clock).
VALIDATION_SECONDS = 8
QUEUE_SECONDS = 12
WARMUP_SECONDS = 20
WRAPUP_SECONDS = 15
TOKENS_PER_SECOND = 2_000

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --------------------------------------------------------------------------- hyperparameters


def auto_epochs(n_examples: int) -> int:
    if n_examples * DEFAULT_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_AUTO_EPOCHS, math.ceil(MIN_TARGET_EXAMPLES / n_examples))
    if n_examples * DEFAULT_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(1, MAX_TARGET_EXAMPLES // n_examples)
    return DEFAULT_EPOCHS


def auto_batch_size(n_examples: int) -> int:
    return max(1, min(MAX_BATCH_SIZE, math.ceil(n_examples * 0.002)))


def resolve_hyperparameters(method: str, requested: Mapping[str, Any], n_examples: int) -> dict[str, Any]:
    """Every "auto" (or missing) hyperparameter replaced by the number the service would pick."""

    def pick(name: str, auto: int | float) -> Any:
        value = requested.get(name, "auto")
        return auto if value == "auto" else value

    resolved = {
        "batch_size": pick("batch_size", auto_batch_size(n_examples)),
        "learning_rate_multiplier": pick("learning_rate_multiplier", AUTO_LEARNING_RATE_MULTIPLIER),
        "n_epochs": pick("n_epochs", auto_epochs(n_examples)),
    }
    if method == "dpo":
        resolved["beta"] = pick("beta", AUTO_DPO_BETA)
    if method == "reinforcement":
        resolved.update(
            compute_multiplier=pick("compute_multiplier", AUTO_COMPUTE_MULTIPLIER),
            eval_interval=pick("eval_interval", AUTO_EVAL_INTERVAL),
            eval_samples=pick("eval_samples", AUTO_EVAL_SAMPLES),
            reasoning_effort=requested.get("reasoning_effort", "default"),
        )
    return resolved


# --------------------------------------------------------------------------- plan


class Timeline(NamedTuple):
    """When each stage starts (epoch seconds)."""

    created: int
    validated: int  # validating_files → queued
    started: int  # queued → running
    first_step: int  # the first step's metrics are logged one step after this
    step_seconds: int
    finished: int  # running → succeeded

    def step_time(self, step: int) -> int:
        return self.first_step + step * self.step_seconds

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "validated": self.validated,
            "started": self.started,
            "first_step": self.first_step,
            "step_seconds": self.step_seconds,
            "finished": self.finished,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, int]) -> Timeline:
        return cls(**data)


Pause = tuple[int, int | None]  # (paused at, resumed at or None while paused), real epoch seconds


def real_time(at: int, pauses: Sequence[Pause]) -> int | None:
    """When a moment of the job's plan (`at`, as if it never paused) happens in real time, each pause before it
    pushing it later; None while an open pause holds it back."""
    real = at
    for start, end in pauses:
        if real >= start:
            if end is None:
                return None
            real += end - start
    return real


def story_time(now: int, pauses: Sequence[Pause]) -> int:
    """How far along its plan a job is at real time `now`: `now` minus the time it spent paused."""
    paused = sum(max(0, min(now, end if end is not None else now) - start) for start, end in pauses if start <= now)
    return now - paused


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    return math.ceil(n_examples / batch_size)


def plan_timeline(
    created: int, n_examples: int, tokens_per_epoch: int, batch_size: int, n_epochs: int, *, scale: float = 1.0
) -> Timeline:
    """The job's stages from `created`; `scale` (the deployment's time scale) makes every stage that many times
    shorter, down to a second each."""

    def seconds(duration: float) -> int:
        return max(1, math.ceil(duration / scale))

    per_epoch = steps_per_epoch(n_examples, batch_size)
    tokens_per_step = tokens_per_epoch / per_epoch
    step_seconds = seconds(tokens_per_step / TOKENS_PER_SECOND)
    validated = created + seconds(VALIDATION_SECONDS + n_examples // 200)
    started = validated + seconds(QUEUE_SECONDS)
    first_step = started + seconds(WARMUP_SECONDS)
    finished = first_step + per_epoch * n_epochs * step_seconds + seconds(WRAPUP_SECONDS)
    return Timeline(created, validated, started, first_step, step_seconds, finished)


def model_suffix(job_id: str) -> str:
    """The 8-character tail of a fine-tuned model's name, derived from its job."""
    digest = hashlib.sha256(job_id.encode()).digest()
    return "".join(_ALPHABET[byte % 62] for byte in digest[:8])


def fine_tuned_model_name(base: str, organization: str, suffix: str | None, job_id: str) -> str:
    """`ft:{base}:{organization}:{suffix}:{id}`; the suffix part is empty when none was asked for."""
    return f"ft:{base}:{organization}:{suffix or ''}:{model_suffix(job_id)}"


# --------------------------------------------------------------------------- training curve


class StepMetrics(NamedTuple):
    step: int
    train_loss: float
    train_accuracy: float
    valid_loss: float | None
    valid_accuracy: float | None


def training_curve(seed: int, total_steps: int, with_validation: bool) -> list[StepMetrics]:
    """Per-step metrics: the loss decays (strictly) from ~2 towards ~0.3, accuracy climbs accordingly;
    validation loss, when there is a validation file, sits a little above the training loss."""
    rng = seeded_rng({"fine_tuning_curve": seed, "steps": total_steps})
    start, floor = rng.uniform(1.6, 2.6), rng.uniform(0.15, 0.45)
    decay = rng.uniform(3.0, 5.0)
    curve: list[StepMetrics] = []
    previous = start / 0.97
    for step in range(1, total_steps + 1):
        progress = (step - 1) / max(1, total_steps - 1)
        candidate = (floor + (start - floor) * math.exp(-decay * progress)) * rng.uniform(0.97, 1.03)
        loss = round(min(candidate, previous * 0.9999), 6)
        previous = loss
        accuracy = round(min(0.995, 0.35 + 0.63 * (start - loss) / (start - floor * 0.8)), 6)
        valid_loss = round(loss * rng.uniform(1.04, 1.2), 6) if with_validation else None
        valid_accuracy = round(accuracy * rng.uniform(0.93, 0.99), 6) if with_validation else None
        curve.append(StepMetrics(step, loss, accuracy, valid_loss, valid_accuracy))
    return curve


def reward_curve(seed: int, total_steps: int, baseline: float) -> list[float]:
    """Reinforcement fine-tuning: the mean reward per step, climbing from the grader's baseline on the base
    model's answers towards (but never past) 1."""
    rng = seeded_rng({"fine_tuning_rewards": seed, "steps": total_steps})
    ceiling = min(1.0, baseline + rng.uniform(0.2, 0.45) * (1 - baseline) + 0.05)
    rate = rng.uniform(2.5, 4.5)
    rewards = []
    for step in range(1, total_steps + 1):
        progress = step / max(1, total_steps)
        value = ceiling - (ceiling - baseline) * math.exp(-rate * progress)
        rewards.append(round(max(0.0, min(1.0, value * rng.uniform(0.98, 1.02))), 6))
    return rewards


def results_csv(curve: list[StepMetrics]) -> bytes:
    """The results file the service attaches to a finished job."""
    lines = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
    for row in curve:
        valid = "" if row.valid_loss is None else f"{row.valid_loss}"
        valid_accuracy = "" if row.valid_accuracy is None else f"{row.valid_accuracy}"
        lines.append(f"{row.step},{row.train_loss},{row.train_accuracy},{valid},{valid_accuracy}")
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------- events and checkpoints


def _event(
    job_id: str,
    index: int,
    at: int,
    message: str,
    *,
    level: str = "info",
    kind: str = "message",
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "object": "fine_tuning.job.event",
        "id": stable_id("fine_tuning.job.event", at, f"{job_id}|{index}"),
        "created_at": at,
        "level": level,
        "message": message,
        "data": data or {},
        "type": kind,
    }


def _metrics_data(row: StepMetrics, total_steps: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "step": row.step,
        "train_loss": row.train_loss,
        "train_mean_token_accuracy": row.train_accuracy,
        "total_steps": total_steps,
    }
    if row.valid_loss is not None:
        data["valid_loss"] = row.valid_loss
        data["valid_mean_token_accuracy"] = row.valid_accuracy
    return data


def _step_message(row: StepMetrics, total_steps: int) -> str:
    message = f"Step {row.step}/{total_steps}: training loss={row.train_loss:.2f}"
    if row.valid_loss is not None:
        message += f", validation loss={row.valid_loss:.2f}"
    return message


class JobStory(NamedTuple):
    """What a job does over its whole life, if nothing stops it."""

    job_id: str
    training_file: str
    validation_file: str | None
    timeline: Timeline
    steps_per_epoch: int
    n_epochs: int
    curve: list[StepMetrics]
    fine_tuned_model: str
    failure: Mapping[str, Any] | None  # {"at": seconds, "error": {...}} when the job is bound to fail
    rewards: list[float] | None = None  # reinforcement: the mean reward per step
    grader: str | None = None  # reinforcement: how the grader was announced


def all_events(story: JobStory) -> list[tuple[int, str, str, str, dict[str, Any] | None]]:
    """(time, message, level, type, data) in order, up to the job's natural end."""
    t = story.timeline
    files = f"Validating training file: {story.training_file}"
    if story.validation_file:
        files += f" and validation file: {story.validation_file}"
    events: list[tuple[int, str, str, str, dict[str, Any] | None]] = [
        (t.created, f"Created fine-tuning job: {story.job_id}", "info", "message", None),
        (t.created, files, "info", "message", None),
        (t.validated, "Files validated, moving job to queued state", "info", "message", None),
    ]
    if story.grader is not None:
        events.append((t.validated, story.grader, "info", "message", None))
    events.append((t.started, "Fine-tuning job started", "info", "message", None))
    total = len(story.curve)
    for row in story.curve:
        at = t.step_time(row.step)
        if story.rewards is not None:
            reward = story.rewards[row.step - 1]
            data = {**_metrics_data(row, total), "train_reward_mean": reward}
            message = f"Step {row.step}/{total}: training reward={reward:.2f}"
            events.append((at, message, "info", "metrics", data))
        else:
            events.append((at, _step_message(row, total), "info", "metrics", _metrics_data(row, total)))
        if row.step % story.steps_per_epoch == 0:
            events.append((at, f"Checkpoint created at step {row.step}", "info", "message", None))
    events += [
        (t.finished, f"New fine-tuned model created: {story.fine_tuned_model}", "info", "message", None),
        (t.finished, "Evaluating model against our usage policies", "info", "message", None),
        (t.finished, "Usage policy evaluations completed, model is now enabled for sampling", "info", "message", None),
        (t.finished, "The job has successfully completed", "info", "message", None),
    ]
    failure = story.failure
    if failure is not None:  # the story ends at the failure instead
        events = [event for event in events if event[0] < failure["at"]]
        events.append((failure["at"], failure["error"]["message"], "error", "message", None))
    return events


def events_until(
    story: JobStory, now: int, cancelled_at: int | None, pauses: Sequence[Pause] = ()
) -> list[dict[str, Any]]:
    """The events that have happened by `now` (oldest first); pauses push the rest of the story later, a
    cancellation cuts it short."""
    end = now if cancelled_at is None else min(now, cancelled_at)
    happened: list[tuple[int, str, str, str, dict[str, Any] | None]] = []
    for at, message, level, kind, data in all_events(story):
        real = real_time(at, pauses)
        if real is not None and real <= end:
            happened.append((real, message, level, kind, data))
    for start, resumed in pauses:
        if start <= end:
            happened.append((start, "Fine-tuning job paused", "info", "message", None))
        if resumed is not None and resumed <= end:
            happened.append((resumed, "Fine-tuning job resumed", "info", "message", None))
    happened.sort(key=lambda event: event[0])  # stable: events of one moment keep their order
    if cancelled_at is not None and cancelled_at <= now:
        happened.append((cancelled_at, "The job has been cancelled", "info", "message", None))
    return [
        _event(story.job_id, index, at, message, level=level, kind=kind, data=data)
        for index, (at, message, level, kind, data) in enumerate(happened)
    ]


def checkpoints_until(story: JobStory, end: int, pauses: Sequence[Pause] = ()) -> list[dict[str, Any]]:
    """One checkpoint per completed epoch (oldest first) made by (real) time `end`."""
    checkpoints = []
    for epoch in range(1, story.n_epochs + 1):
        step = epoch * story.steps_per_epoch
        at = real_time(story.timeline.step_time(step), pauses)
        if at is None or at > end:
            break
        row = story.curve[step - 1]
        metrics: dict[str, Any] = {
            "step": step,
            "train_loss": row.train_loss,
            "train_mean_token_accuracy": row.train_accuracy,
        }
        if row.valid_loss is not None and row.valid_accuracy is not None:
            metrics.update(
                valid_loss=row.valid_loss,
                valid_mean_token_accuracy=row.valid_accuracy,
                full_valid_loss=round(row.valid_loss * 0.98, 6),
                full_valid_mean_token_accuracy=round(min(0.999, row.valid_accuracy * 1.01), 6),
            )
        checkpoints.append(
            {
                "object": "fine_tuning.job.checkpoint",
                "id": stable_id("fine_tuning.job.checkpoint", at, f"{story.job_id}|{epoch}"),
                "created_at": at,
                "fine_tuned_model_checkpoint": f"{story.fine_tuned_model}:ckpt-step-{step}",
                "fine_tuning_job_id": story.job_id,
                "metrics": metrics,
                "step_number": step,
            }
        )
    return checkpoints

"""The fine-tuning builders: "auto" heuristics, the training curve, the plan's timeline."""

from __future__ import annotations

import itertools

from openai_mock.generation import fine_tuning as builder


def test_auto_epochs_target_between_100_and_25000_examples_seen() -> None:
    assert builder.auto_epochs(10) == 10
    assert builder.auto_epochs(3) == builder.MAX_AUTO_EPOCHS
    assert builder.auto_epochs(500) == 3
    assert builder.auto_epochs(20_000) == 1
    assert builder.auto_batch_size(12) == 1 and builder.auto_batch_size(5_000) == 10
    assert builder.auto_batch_size(1_000_000) == builder.MAX_BATCH_SIZE


def test_explicit_hyperparameters_win_over_auto() -> None:
    resolved = builder.resolve_hyperparameters("dpo", {"n_epochs": 2, "batch_size": "auto", "beta": "auto"}, 40)
    assert resolved == {"n_epochs": 2, "batch_size": 1, "learning_rate_multiplier": 1.8, "beta": 0.1}


def test_training_loss_strictly_decreases_even_over_thousands_of_steps() -> None:
    curve = builder.training_curve(seed=7, total_steps=5_000, with_validation=True)
    losses = [row.train_loss for row in curve]
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    assert losses[-1] > 0 and 1.5 < losses[0] < 2.7
    assert all(row.valid_loss is not None and row.valid_loss > row.train_loss for row in curve)
    assert builder.training_curve(7, 50, False) == builder.training_curve(7, 50, False)
    assert builder.training_curve(7, 50, False) != builder.training_curve(8, 50, False)


def test_timeline_orders_the_stages() -> None:
    timeline = builder.plan_timeline(1_000, n_examples=100, tokens_per_epoch=50_000, batch_size=4, n_epochs=3)
    assert timeline.created < timeline.validated < timeline.started < timeline.first_step < timeline.finished
    assert timeline.step_time(75) + builder.WRAPUP_SECONDS == timeline.finished  # 25 steps per epoch × 3
    assert builder.Timeline.from_dict(timeline.as_dict()) == timeline


def test_fine_tuned_model_name() -> None:
    name = builder.fine_tuned_model_name("gpt-4o-mini-2024-07-18", "org-abc", None, "ftjob-xyz")
    assert name == f"ft:gpt-4o-mini-2024-07-18:org-abc::{builder.model_suffix('ftjob-xyz')}"
    assert len(builder.model_suffix("ftjob-xyz")) == 8

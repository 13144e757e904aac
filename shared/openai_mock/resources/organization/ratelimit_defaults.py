"""A new project's rate limits: usage tier 1 of March 2025, per model. They are also the ceilings a
project's limits may be lowered from (a project cannot exceed its organization's limits)."""

from __future__ import annotations

from typing import Any

# model → the limits that apply to it (only the keys present are applicable to that model).
TIER_1: dict[str, dict[str, int]] = {
    "babbage-002": {
        "max_requests_per_1_minute": 3_000,
        "max_tokens_per_1_minute": 250_000,
        "batch_1_day_max_input_tokens": 2_500_000,
    },
    "chatgpt-4o-latest": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 30_000},
    "dall-e-2": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 0, "max_images_per_1_minute": 5},
    "dall-e-3": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 0, "max_images_per_1_minute": 5},
    "davinci-002": {
        "max_requests_per_1_minute": 3_000,
        "max_tokens_per_1_minute": 250_000,
        "batch_1_day_max_input_tokens": 2_500_000,
    },
    "gpt-3.5-turbo": {
        "max_requests_per_1_minute": 3_500,
        "max_tokens_per_1_minute": 200_000,
        "max_requests_per_1_day": 10_000,
        "batch_1_day_max_input_tokens": 2_000_000,
    },
    "gpt-4": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 10_000,
        "max_requests_per_1_day": 10_000,
        "batch_1_day_max_input_tokens": 100_000,
    },
    "gpt-4-turbo": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 30_000,
        "batch_1_day_max_input_tokens": 90_000,
    },
    "gpt-4.5-preview": {
        "max_requests_per_1_minute": 1_000,
        "max_tokens_per_1_minute": 125_000,
        "batch_1_day_max_input_tokens": 50_000,
    },
    "gpt-4o": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 30_000,
        "batch_1_day_max_input_tokens": 90_000,
    },
    "gpt-4o-audio-preview": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 30_000},
    "gpt-4o-mini": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 200_000,
        "max_requests_per_1_day": 10_000,
        "batch_1_day_max_input_tokens": 2_000_000,
    },
    "gpt-4o-mini-transcribe": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 50_000},
    "gpt-4o-mini-tts": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 50_000},
    "gpt-4o-realtime-preview": {
        "max_requests_per_1_minute": 200,
        "max_tokens_per_1_minute": 40_000,
        "max_requests_per_1_day": 1_000,
    },
    "gpt-4o-transcribe": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 10_000},
    "o1": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 30_000, "batch_1_day_max_input_tokens": 90_000},
    "o1-mini": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 200_000,
        "batch_1_day_max_input_tokens": 2_000_000,
    },
    "o3-mini": {
        "max_requests_per_1_minute": 1_000,
        "max_tokens_per_1_minute": 100_000,
        "batch_1_day_max_input_tokens": 1_000_000,
    },
    "omni-moderation-latest": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 10_000},
    "text-embedding-3-large": {
        "max_requests_per_1_minute": 3_000,
        "max_tokens_per_1_minute": 1_000_000,
        "batch_1_day_max_input_tokens": 3_000_000,
    },
    "text-embedding-3-small": {
        "max_requests_per_1_minute": 3_000,
        "max_tokens_per_1_minute": 1_000_000,
        "batch_1_day_max_input_tokens": 3_000_000,
    },
    "text-embedding-ada-002": {
        "max_requests_per_1_minute": 3_000,
        "max_tokens_per_1_minute": 1_000_000,
        "batch_1_day_max_input_tokens": 3_000_000,
    },
    "tts-1": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 0},
    "tts-1-hd": {"max_requests_per_1_minute": 500, "max_tokens_per_1_minute": 0},
    "whisper-1": {
        "max_requests_per_1_minute": 500,
        "max_tokens_per_1_minute": 0,
        "max_audio_megabytes_per_1_minute": 50,
    },
}

LIMIT_FIELDS = (
    "max_requests_per_1_minute",
    "max_tokens_per_1_minute",
    "max_images_per_1_minute",
    "max_audio_megabytes_per_1_minute",
    "max_requests_per_1_day",
    "batch_1_day_max_input_tokens",
)


def rate_limit_id(model: str) -> str:
    return f"rl-{model}"


def default_rate_limits() -> list[dict[str, Any]]:
    return [
        {"object": "project.rate_limit", "id": rate_limit_id(model), "model": model, **limits}
        for model, limits in sorted(TIER_1.items())
    ]


def ceiling(model: str) -> dict[str, int]:
    return TIER_1.get(model, {})

"""OpenAI's list prices of March 2025, in USD, used to turn recorded usage into costs. Token prices
are per 1M tokens; images per image; speech per 1M characters; transcription per minute; vector
store storage per GB-day; code interpreter per session. Batch requests cost half."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")

# model prefix → (input, cached input, output) per 1M tokens. Longest matching prefix wins, so dated
# snapshots (gpt-4o-2024-08-06) are priced as their family.
TOKENS: dict[str, tuple[float, float, float]] = {
    "gpt-4.5-preview": (75.00, 37.50, 150.00),
    "gpt-4o": (2.50, 1.25, 10.00),
    "gpt-4o-2024-05-13": (5.00, 5.00, 15.00),
    "chatgpt-4o-latest": (5.00, 5.00, 15.00),
    "gpt-4o-mini": (0.15, 0.075, 0.60),
    "gpt-4o-audio-preview": (2.50, 2.50, 10.00),
    "gpt-4o-mini-audio-preview": (0.15, 0.15, 0.60),
    "gpt-4o-realtime-preview": (5.00, 2.50, 20.00),
    "gpt-4o-mini-realtime-preview": (0.60, 0.30, 2.40),
    "gpt-4o-search-preview": (2.50, 2.50, 10.00),
    "gpt-4o-mini-search-preview": (0.15, 0.15, 0.60),
    "gpt-4o-transcribe": (2.50, 2.50, 10.00),
    "gpt-4o-mini-transcribe": (1.25, 1.25, 5.00),
    "gpt-4o-mini-tts": (0.60, 0.60, 12.00),
    "o1": (15.00, 7.50, 60.00),
    "o1-mini": (1.10, 0.55, 4.40),
    "o1-preview": (15.00, 7.50, 60.00),
    "o3-mini": (1.10, 0.55, 4.40),
    "computer-use-preview": (3.00, 3.00, 12.00),
    "gpt-4-turbo": (10.00, 10.00, 30.00),
    "gpt-4": (30.00, 30.00, 60.00),
    "gpt-3.5-turbo": (0.50, 0.50, 1.50),
    "gpt-3.5-turbo-instruct": (1.50, 1.50, 2.00),
    "davinci-002": (2.00, 2.00, 2.00),
    "babbage-002": (0.40, 0.40, 0.40),
    "text-embedding-3-small": (0.02, 0.02, 0.0),
    "text-embedding-3-large": (0.13, 0.13, 0.0),
    "text-embedding-ada-002": (0.10, 0.10, 0.0),
    "omni-moderation": (0.0, 0.0, 0.0),
    "text-moderation": (0.0, 0.0, 0.0),
}
# Audio tokens of the audio-capable chat models: (input, output) per 1M tokens.
AUDIO_TOKENS: dict[str, tuple[float, float]] = {
    "gpt-4o-audio-preview": (40.00, 80.00),
    "gpt-4o-mini-audio-preview": (10.00, 20.00),
    "gpt-4o-realtime-preview": (40.00, 80.00),
    "gpt-4o-mini-realtime-preview": (10.00, 20.00),
}
# Fine-tuned models ("ft:<base>:…") are priced as their base's fine-tuned tier.
FINE_TUNED_TOKENS: dict[str, tuple[float, float, float]] = {
    "gpt-4o-mini": (0.30, 0.15, 1.20),
    "gpt-4o": (3.75, 1.875, 15.00),
    "gpt-3.5-turbo": (3.00, 3.00, 6.00),
    "davinci-002": (12.00, 12.00, 12.00),
    "babbage-002": (1.60, 1.60, 1.60),
}
# (model, size) → price per image (standard quality).
IMAGES: dict[tuple[str, str], float] = {
    ("dall-e-3", "1024x1024"): 0.040,
    ("dall-e-3", "1024x1792"): 0.080,
    ("dall-e-3", "1792x1024"): 0.080,
    ("dall-e-2", "1024x1024"): 0.020,
    ("dall-e-2", "512x512"): 0.018,
    ("dall-e-2", "256x256"): 0.016,
}
SPEECH_PER_1M_CHARACTERS = {"tts-1": 15.00, "tts-1-hd": 30.00, "gpt-4o-mini-tts": 12.00}
TRANSCRIPTION_PER_MINUTE = {"whisper-1": 0.006, "gpt-4o-transcribe": 0.006, "gpt-4o-mini-transcribe": 0.003}
VECTOR_STORE_PER_GB_DAY = 0.10
CODE_INTERPRETER_PER_SESSION = 0.03
BATCH_DISCOUNT = 0.5


def _longest_prefix(table: Mapping[str, T], model: str) -> T | None:
    matches = [name for name in table if model == name or model.startswith(name + "-")]
    return table[max(matches, key=len)] if matches else None


def token_prices(model: str) -> tuple[float, float, float]:
    if model.startswith("ft:"):
        base = model.split(":")[1]
        found = _longest_prefix(FINE_TUNED_TOKENS, base)
    else:
        found = _longest_prefix(TOKENS, model)
    return found if found is not None else (0.0, 0.0, 0.0)


def audio_token_prices(model: str) -> tuple[float, float]:
    found = _longest_prefix(AUDIO_TOKENS, model)
    return found if found is not None else (0.0, 0.0)


def image_price(model: str, size: str | None) -> float:
    return IMAGES.get((model, size or "1024x1024"), IMAGES.get((model, "1024x1024"), 0.0))

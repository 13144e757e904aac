"""OpenAI's list prices, in USD, used to turn recorded usage into costs. Token prices
are per 1M tokens; images per image; speech per 1M characters; transcription per minute; vector
store storage per GB-day; code interpreter per session. Batch requests cost half."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from openai_mock.resources import models

T = TypeVar("T")

# Token prices (input, cached input, output per 1M tokens, and audio tokens' input, output) are the model
# catalogue's: each family's profile carries them (tools/gen_catalog.py, resources/model_catalog.json).
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
# (model, size) → price per second of video (Sora 2's list prices).
VIDEO_PER_SECOND: dict[tuple[str, str], float] = {
    ("sora-2", "720x1280"): 0.10,
    ("sora-2", "1280x720"): 0.10,
    ("sora-2-pro", "720x1280"): 0.30,
    ("sora-2-pro", "1280x720"): 0.30,
    ("sora-2-pro", "1024x1792"): 0.50,
    ("sora-2-pro", "1792x1024"): 0.50,
}
VECTOR_STORE_PER_GB_DAY = 0.10
CODE_INTERPRETER_PER_SESSION = 0.03
FILE_SEARCH_PER_1K_CALLS = 2.50
WEB_SEARCH_PER_1K_CALLS = 10.00
BATCH_DISCOUNT = 0.5


def _longest_prefix(table: Mapping[str, T], model: str) -> T | None:
    matches = [name for name in table if model == name or model.startswith(name + "-")]
    return table[max(matches, key=len)] if matches else None


def token_prices(model: str) -> tuple[float, float, float]:
    if model.startswith("ft:"):
        found = _longest_prefix(FINE_TUNED_TOKENS, model.split(":")[1])
        return found if found is not None else (0.0, 0.0, 0.0)
    spec = models.profile_of(model)
    return spec.prices if spec is not None and spec.prices is not None else (0.0, 0.0, 0.0)


def audio_token_prices(model: str) -> tuple[float, float]:
    spec = models.profile_of(model)
    return spec.audio_prices if spec is not None and spec.audio_prices is not None else (0.0, 0.0)


def image_price(model: str, size: str | None) -> float:
    return IMAGES.get((model, size or "1024x1024"), IMAGES.get((model, "1024x1024"), 0.0))


def video_price(model: str, size: str | None) -> float:
    """Per second of video; a snapshot (`sora-2-pro-2025-…`) is priced as its model."""
    family = "sora-2-pro" if model.startswith("sora-2-pro") else "sora-2" if model.startswith("sora-2") else model
    return VIDEO_PER_SECOND.get((family, size or "720x1280"), 0.0)

"""Write shared/openai_mock/resources/model_catalog.json, the mock's model catalogue, from the model ids the
newest official spec names (``<repo>/../shared/openapi`` or ``$OPENAI_SPEC_DIR``) and the installed ``openai``
SDK's model literals, each id mapped to a family profile by the rules below (regexes over ids, not one line
per id).

The ids come from the spec's model enums (``ModelIdsShared``, ``ModelIdsResponses``, ``VideoModel``,
``AssistantSupportedModels`` and the ``model`` property of the image, speech, transcription, translation,
embedding, moderation, completion and realtime requests), the SDK's ``ChatModel``, ``ResponsesModel``,
``ImageModel``, ``SpeechModel``, ``AudioModel``, ``EmbeddingModel``, ``ModerationModel`` and ``VideoModel``
(whichever of them the installed SDK has: 2.x and 3.x lay them out alike; a missing one is skipped), and
``LISTED``: what the live ``GET /v1/models`` listed in March 2025, kept with its ``created`` and ``owned_by``.

An id's family is the first rule whose pattern matches it; a dated snapshot (``-2025-08-07``, ``-0613``)
resolves to its alias's family. ``created``: the listed value, else the date suffix (noon UTC, plus seconds
from the id's CRC so snapshots of one day differ), else the earliest dated snapshot of the same alias or
version (``gpt-5.4`` ← ``gpt-5.4-mini-2026-03-17``), else the family's release date.

    python tools/gen_catalog.py           # rewrite the file (`make catalog`)
    python tools/gen_catalog.py --check   # fail when the committed file differs from what the sources give;
                                          # without ../shared/openapi, say the check was skipped and pass

An id's ``shutdown_date`` is the shutdown or retirement date the SDK's docstrings announce for it (the
"Deprecated values:" notes after its model literals and on the request params' ``model`` fields); ids without
one have no key (the API's ``null``).

The check reads the SDK ids the committed file records besides the installed SDK's, so an older SDK does
not fail it; a newer one that names new models does (run `make catalog`). Shutdown dates likewise: the
committed ones fill the ids the installed SDK does not date, and win when the installed SDK is older than the
one the file records.
"""

from __future__ import annotations

import calendar
import importlib
import json
import os
import re
import sys
import typing
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "shared" / "openai_mock" / "resources" / "model_catalog.json"
SPEC_FILE = "openai-2026-08-21.yaml"

# --------------------------------------------------------------------------------------------- sources

# (schema, property or None for the schema itself): every enum inside is a list of model ids.
SPEC_ENUMS: tuple[tuple[str, str | None], ...] = (
    ("ModelIdsShared", None),
    ("ModelIdsResponses", None),
    ("AssistantSupportedModels", None),
    ("VideoModel", None),
    ("CreateCompletionRequest", "model"),
    ("CreateEmbeddingRequest", "model"),
    ("CreateModerationRequest", "model"),
    ("CreateImageRequest", "model"),
    ("CreateImageEditRequest", "model"),
    ("CreateImageVariationRequest", "model"),
    ("CreateSpeechRequest", "model"),
    ("CreateTranscriptionRequest", "model"),
    ("CreateTranslationRequest", "model"),
    ("AudioTranscription", "model"),
    ("RealtimeSession", "model"),
    ("RealtimeSessionCreateRequestGA", "model"),
)
# (module, type alias) of the SDK's model literals.
SDK_LITERALS: tuple[tuple[str, str], ...] = (
    ("openai.types.shared.chat_model", "ChatModel"),
    ("openai.types.shared.responses_model", "ResponsesModel"),
    ("openai.types.image_model", "ImageModel"),
    ("openai.types.audio.speech_model", "SpeechModel"),
    ("openai.types.audio_model", "AudioModel"),
    ("openai.types.embedding_model", "EmbeddingModel"),
    ("openai.types.moderation_model", "ModerationModel"),
    ("openai.types.video_model", "VideoModel"),
)
# Ids neither the spec nor the openai SDK names that OpenAI's own clients send: the Agents SDK 0.25 dates and
# defaults `gpt-5.6` (its reasoning-effort table) and its examples run on it; the spec names only its variants.
NAMED_BY_CLIENTS: tuple[str, ...] = ("gpt-5.6",)
# What GET /v1/models listed in March 2025: id -> (created, owned_by, overrides of the family profile).
LISTED: dict[str, tuple[int, str, dict[str, Any]]] = {
    "gpt-4o": (1715367049, "system", {}),
    "gpt-4o-2024-05-13": (1715368132, "system", {"max_output_tokens": 4_096, "prices": [5.00, 5.00, 15.00]}),
    "gpt-4o-2024-08-06": (1722814719, "system", {}),
    "gpt-4o-2024-11-20": (1739331543, "system", {}),
    "chatgpt-4o-latest": (1723515131, "system", {}),
    "gpt-4o-mini": (1721172741, "system", {}),
    "gpt-4o-mini-2024-07-18": (1721172717, "system", {}),
    "gpt-4o-search-preview": (1741388720, "system", {}),
    "gpt-4o-mini-search-preview": (1741391161, "system", {}),
    "gpt-4o-audio-preview": (1727460443, "system", {}),
    "gpt-4o-audio-preview-2024-10-01": (1727389042, "system", {}),
    "gpt-4o-audio-preview-2024-12-17": (1734034239, "system", {}),
    "gpt-4o-mini-audio-preview": (1734387424, "system", {}),
    "gpt-4o-mini-audio-preview-2024-12-17": (1734115920, "system", {}),
    "gpt-4.5-preview": (1740623059, "system", {}),
    "gpt-4.5-preview-2025-02-27": (1740623304, "system", {}),
    "gpt-4-turbo": (1712361441, "system", {}),
    "gpt-4-turbo-2024-04-09": (1712601677, "system", {}),
    "gpt-4": (1687882411, "openai", {}),
    "gpt-4-0613": (1686588896, "openai", {}),
    "gpt-3.5-turbo": (1677610602, "openai", {}),
    "gpt-3.5-turbo-0125": (1706048358, "system", {}),
    "gpt-3.5-turbo-1106": (1698959748, "system", {}),
    "o1": (1734375816, "system", {}),
    "o1-2024-12-17": (1734326976, "system", {}),
    "o1-mini": (1725649008, "system", {}),
    "o1-preview": (1725648897, "system", {}),
    "o3-mini": (1737146383, "system", {}),
    "o3-mini-2025-01-31": (1738010200, "system", {}),
    "computer-use-preview": (1734655677, "system", {}),
    "gpt-3.5-turbo-instruct": (1692901427, "system", {}),
    "davinci-002": (1692634301, "system", {}),
    "babbage-002": (1692634615, "system", {}),
    "text-embedding-3-small": (1705948997, "system", {}),
    "text-embedding-3-large": (1705953180, "system", {}),
    "text-embedding-ada-002": (1671217299, "openai-internal", {}),
    "omni-moderation-latest": (1731689265, "system", {}),
    "omni-moderation-2024-09-26": (1732734466, "system", {}),
    "text-moderation-latest": (1687882410, "openai-internal", {}),
    "text-moderation-stable": (1687882410, "openai-internal", {}),
    "dall-e-2": (1698798177, "system", {}),
    "dall-e-3": (1698785189, "system", {}),
    "tts-1": (1681940951, "openai-internal", {}),
    "tts-1-hd": (1699046015, "system", {}),
    "tts-1-1106": (1699053241, "system", {}),
    "tts-1-hd-1106": (1699053533, "system", {}),
    "gpt-4o-mini-tts": (1742403959, "system", {}),
    "whisper-1": (1677532384, "openai-internal", {}),
    "gpt-4o-transcribe": (1742068463, "system", {}),
    "gpt-4o-mini-transcribe": (1742068596, "system", {}),
    "gpt-4o-realtime-preview": (1727659998, "system", {}),
    "gpt-4o-realtime-preview-2024-12-17": (1733945430, "system", {}),
    "gpt-4o-mini-realtime-preview": (1734387380, "system", {}),
}
# Snapshots that can be fine-tuned (the aliases resolve to them).
FINE_TUNABLE = re.compile(
    r"^(gpt-4o-2024-08-06|gpt-4o-mini-2024-07-18|gpt-4\.1(-mini|-nano)?-2025-04-14|gpt-4|gpt-3\.5-turbo"
    r"(-0125|-1106)?|davinci-002|babbage-002)$"
)

# --------------------------------------------------------------------------------------------- families

TEXT, IMAGE, AUDIO, VIDEO = "text", "image", "audio", "video"
CHAT, RESPONSES = "chat.completions", "responses"


def _family(
    kind: str,
    endpoints: tuple[str, ...],
    context_window: int,
    max_output_tokens: int,
    released: str,
    prices: tuple[float, float, float] | None,
    *,
    reasoning: bool = False,
    tokenizer: str = "o200k_base",
    modalities: tuple[tuple[str, ...], tuple[str, ...]] = ((TEXT, IMAGE), (TEXT,)),
    audio_prices: tuple[float, float] | None = None,
    owned_by: str = "system",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "endpoints": list(endpoints),
        "context_window": context_window,
        "max_output_tokens": max_output_tokens,
        "modalities": {"input": list(modalities[0]), "output": list(modalities[1])},
        "reasoning": reasoning,
        "tokenizer": tokenizer,
        "released": released,
        "owned_by": owned_by,
        "prices": list(prices) if prices is not None else None,
        "audio_prices": list(audio_prices) if audio_prices is not None else None,
    }


_V = r"(\.\d+)?"  # a minor version: gpt-5.4
_N = r"(-\d+(\.\d+)?)?"  # a version after a dash: gpt-realtime-2.1, gpt-audio-1.5
_GPT5 = (CHAT, RESPONSES)
_SPEECH_IO = ((TEXT, AUDIO), (TEXT, AUDIO))
_CL100K = "cl100k_base"
# (family, pattern over the id without its date suffix, profile); the first match wins.
FAMILIES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    # GPT-6 (the SDK 3.x literals name them; the spec of 2026-08-21 does not yet): GPT-5's profile, the cyber
    # and research variants only on Responses. Release dates are estimates until a dated snapshot names them.
    (
        "gpt-6-special",
        rf"gpt-6{_V}-cyber|gpt-rosalind-research",
        _family("responses-only", (RESPONSES,), 400_000, 128_000, "2026-10-01", (1.25, 0.125, 10), reasoning=True),
    ),
    (
        "gpt-6",
        rf"gpt-6{_V}(-[a-z]+)*",
        _family("reasoning", _GPT5, 400_000, 128_000, "2026-10-01", (1.25, 0.125, 10), reasoning=True),
    ),
    # GPT-5: reasoning everywhere but the chat-latest aliases; pro and codex only on Responses.
    ("gpt-5-chat", rf"gpt-5{_V}-chat-latest", _family("chat", _GPT5, 128_000, 16_384, "2025-08-07", (1.25, 0.125, 10))),
    (
        "gpt-5-pro",
        rf"gpt-5{_V}-pro",
        _family("responses-only", (RESPONSES,), 400_000, 272_000, "2025-10-06", (15, 15, 120), reasoning=True),
    ),
    (
        "gpt-5-codex",
        rf"gpt-5{_V}-codex(-[a-z]+)?",
        _family("responses-only", (RESPONSES,), 400_000, 128_000, "2025-09-15", (1.25, 0.125, 10), reasoning=True),
    ),
    (
        "gpt-5-special",
        rf"gpt-5{_V}-cyber|gpt-daybreak-[a-z]+-latest",
        _family("responses-only", (RESPONSES,), 400_000, 128_000, "2026-06-01", (1.25, 0.125, 10), reasoning=True),
    ),
    (
        "gpt-5-mini",
        rf"gpt-5{_V}-mini",
        _family("reasoning", _GPT5, 400_000, 128_000, "2025-08-07", (0.25, 0.025, 2), reasoning=True),
    ),
    (
        "gpt-5-nano",
        rf"gpt-5{_V}-nano",
        _family("reasoning", _GPT5, 400_000, 128_000, "2025-08-07", (0.05, 0.005, 0.4), reasoning=True),
    ),
    (
        "gpt-5",
        rf"gpt-5{_V}(-[a-z]+)?",
        _family("reasoning", _GPT5, 400_000, 128_000, "2025-08-07", (1.25, 0.125, 10), reasoning=True),
    ),
    (
        "codex-mini",
        r"codex-mini-latest",
        _family("responses-only", (RESPONSES,), 200_000, 100_000, "2025-05-16", (1.5, 0.375, 6), reasoning=True),
    ),
    # GPT-4.1 and GPT-4.5
    ("gpt-4.1-mini", r"gpt-4\.1-mini", _family("chat", _GPT5, 1_047_576, 32_768, "2025-04-14", (0.4, 0.1, 1.6))),
    ("gpt-4.1-nano", r"gpt-4\.1-nano", _family("chat", _GPT5, 1_047_576, 32_768, "2025-04-14", (0.1, 0.025, 0.4))),
    ("gpt-4.1", r"gpt-4\.1", _family("chat", _GPT5, 1_047_576, 32_768, "2025-04-14", (2, 0.5, 8))),
    ("gpt-4.5", r"gpt-4\.5-preview", _family("chat", _GPT5, 128_000, 16_384, "2025-02-27", (75, 37.5, 150))),
    # o-series: deep research and pro only on Responses.
    (
        "o-deep-research",
        r"o\d(-mini)?-deep-research",
        _family("responses-only", (RESPONSES,), 200_000, 100_000, "2025-06-26", (10, 2.5, 40), reasoning=True),
    ),
    (
        "o-pro",
        r"o\d-pro",
        _family("responses-only", (RESPONSES,), 200_000, 100_000, "2025-03-19", (20, 20, 80), reasoning=True),
    ),
    (
        "o1-mini",
        r"o1-mini",
        _family(
            "reasoning",
            _GPT5,
            128_000,
            65_536,
            "2024-09-12",
            (1.1, 0.55, 4.4),
            reasoning=True,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "o1-preview",
        r"o1-preview",
        _family(
            "reasoning",
            _GPT5,
            128_000,
            32_768,
            "2024-09-12",
            (15, 7.5, 60),
            reasoning=True,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "o-mini",
        r"o\d-mini",
        _family("reasoning", _GPT5, 200_000, 100_000, "2025-01-31", (1.1, 0.55, 4.4), reasoning=True),
    ),
    ("o", r"o\d", _family("reasoning", _GPT5, 200_000, 100_000, "2024-12-17", (15, 7.5, 60), reasoning=True)),
    (
        "computer-use",
        r"computer-use-preview",
        _family("responses-only", (RESPONSES,), 8_192, 1_024, "2024-12-19", (3, 3, 12)),
    ),
    # GPT-4o and its speaking, searching and realtime variants
    (
        "gpt-4o-search",
        r"gpt-4o-search-preview",
        _family("search", (CHAT,), 128_000, 16_384, "2025-03-11", (2.5, 2.5, 10), modalities=((TEXT,), (TEXT,))),
    ),
    (
        "gpt-4o-mini-search",
        r"gpt-4o-mini-search-preview",
        _family("search", (CHAT,), 128_000, 16_384, "2025-03-11", (0.15, 0.15, 0.6), modalities=((TEXT,), (TEXT,))),
    ),
    (
        "gpt-4o-audio",
        r"gpt-4o-audio-preview",
        _family(
            "audio",
            (CHAT,),
            128_000,
            16_384,
            "2024-10-01",
            (2.5, 2.5, 10),
            modalities=_SPEECH_IO,
            audio_prices=(40, 80),
        ),
    ),
    (
        "gpt-4o-mini-audio",
        r"gpt-4o-mini-audio-preview",
        _family(
            "audio",
            (CHAT,),
            128_000,
            16_384,
            "2024-12-17",
            (0.15, 0.15, 0.6),
            modalities=_SPEECH_IO,
            audio_prices=(10, 20),
        ),
    ),
    (
        "gpt-audio-mini",
        rf"gpt-audio{_N}-mini",
        _family(
            "audio",
            (CHAT, "realtime"),
            128_000,
            16_384,
            "2025-10-06",
            (0.6, 0.6, 2.4),
            modalities=_SPEECH_IO,
            audio_prices=(10, 20),
        ),
    ),
    (
        "gpt-audio",
        rf"gpt-audio{_N}",
        _family(
            "audio",
            (CHAT, "realtime"),
            128_000,
            16_384,
            "2025-08-28",
            (2.5, 2.5, 10),
            modalities=_SPEECH_IO,
            audio_prices=(32, 64),
        ),
    ),
    (
        "gpt-4o-realtime",
        r"gpt-4o-realtime-preview",
        _family(
            "realtime",
            ("realtime",),
            128_000,
            4_096,
            "2024-10-01",
            (5, 2.5, 20),
            modalities=_SPEECH_IO,
            audio_prices=(40, 80),
        ),
    ),
    (
        "gpt-4o-mini-realtime",
        r"gpt-4o-mini-realtime-preview",
        _family(
            "realtime",
            ("realtime",),
            128_000,
            4_096,
            "2024-12-17",
            (0.6, 0.3, 2.4),
            modalities=_SPEECH_IO,
            audio_prices=(10, 20),
        ),
    ),
    (
        "gpt-realtime-mini",
        rf"gpt-realtime{_N}-mini",
        _family(
            "realtime",
            ("realtime",),
            32_000,
            4_096,
            "2025-10-06",
            (0.6, 0.06, 2.4),
            modalities=_SPEECH_IO,
            audio_prices=(10, 20),
        ),
    ),
    (
        "gpt-realtime",
        rf"gpt-realtime{_N}",
        _family(
            "realtime",
            ("realtime",),
            32_000,
            4_096,
            "2025-08-28",
            (4, 0.4, 16),
            modalities=_SPEECH_IO,
            audio_prices=(32, 64),
        ),
    ),
    ("chatgpt-4o", r"chatgpt-4o-latest", _family("chat", _GPT5, 128_000, 16_384, "2024-08-13", (5, 5, 15))),
    (
        "gpt-4o-mini-tts",
        r"gpt-4o-mini-tts",
        _family("tts", ("audio.speech",), 2_000, 16_384, "2025-03-20", (0.6, 0.6, 12), modalities=((TEXT,), (AUDIO,))),
    ),
    (
        "gpt-4o-transcribe",
        r"gpt-4o-transcribe(-diarize)?|gpt-transcribe",
        _family(
            "transcription",
            ("audio.transcriptions",),
            16_000,
            2_000,
            "2025-03-20",
            (2.5, 2.5, 10),
            modalities=((AUDIO, TEXT), (TEXT,)),
        ),
    ),
    (
        "gpt-4o-mini-transcribe",
        r"gpt-4o-mini-transcribe",
        _family(
            "transcription",
            ("audio.transcriptions",),
            16_000,
            2_000,
            "2025-03-20",
            (1.25, 1.25, 5),
            modalities=((AUDIO, TEXT), (TEXT,)),
        ),
    ),
    (
        "gpt-live-transcribe",
        r"gpt-live-transcribe|gpt-realtime-whisper",
        _family(
            "transcription", ("realtime",), 16_000, 2_000, "2025-12-15", (1.25, 1.25, 5), modalities=((AUDIO,), (TEXT,))
        ),
    ),
    ("gpt-4o-mini", r"gpt-4o-mini", _family("chat", _GPT5, 128_000, 16_384, "2024-07-18", (0.15, 0.075, 0.6))),
    ("gpt-4o", r"gpt-4o", _family("chat", _GPT5, 128_000, 16_384, "2024-05-13", (2.5, 1.25, 10))),
    # GPT-4 and GPT-3.5 (cl100k_base)
    (
        "gpt-4-turbo",
        r"gpt-4-(turbo(-preview)?|\d{4}-preview|vision-preview)",
        _family("chat", _GPT5, 128_000, 4_096, "2023-11-06", (10, 10, 30), tokenizer=_CL100K),
    ),
    (
        "gpt-4-32k",
        r"gpt-4-32k",
        _family(
            "chat",
            (CHAT,),
            32_768,
            8_192,
            "2023-03-14",
            (60, 60, 120),
            tokenizer=_CL100K,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "gpt-4",
        r"gpt-4",
        _family(
            "chat", _GPT5, 8_192, 8_192, "2023-03-14", (30, 30, 60), tokenizer=_CL100K, modalities=((TEXT,), (TEXT,))
        ),
    ),
    (
        "gpt-3.5-turbo-instruct",
        r"gpt-3\.5-turbo-instruct",
        _family(
            "completion",
            ("completions",),
            4_096,
            4_096,
            "2023-08-24",
            (1.5, 1.5, 2),
            tokenizer=_CL100K,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "gpt-3.5-turbo-16k",
        r"gpt-3\.5-turbo-16k",
        _family(
            "chat", (CHAT,), 16_385, 4_096, "2023-06-13", (3, 3, 4), tokenizer=_CL100K, modalities=((TEXT,), (TEXT,))
        ),
    ),
    (
        "gpt-3.5-turbo",
        r"gpt-3\.5-turbo",
        _family(
            "chat",
            _GPT5,
            16_385,
            4_096,
            "2023-03-01",
            (0.5, 0.5, 1.5),
            tokenizer=_CL100K,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "davinci-002",
        r"davinci-002",
        _family(
            "completion",
            ("completions",),
            16_384,
            16_384,
            "2023-08-22",
            (2, 2, 2),
            tokenizer=_CL100K,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    (
        "babbage-002",
        r"babbage-002",
        _family(
            "completion",
            ("completions",),
            16_384,
            16_384,
            "2023-08-22",
            (0.4, 0.4, 0.4),
            tokenizer=_CL100K,
            modalities=((TEXT,), (TEXT,)),
        ),
    ),
    # Embeddings and moderation
    (
        "text-embedding-3-small",
        r"text-embedding-3-small",
        _family(
            "embedding",
            ("embeddings",),
            8_191,
            0,
            "2024-01-25",
            (0.02, 0.02, 0),
            tokenizer=_CL100K,
            modalities=((TEXT,), ()),
        ),
    ),
    (
        "text-embedding-3-large",
        r"text-embedding-3-large",
        _family(
            "embedding",
            ("embeddings",),
            8_191,
            0,
            "2024-01-25",
            (0.13, 0.13, 0),
            tokenizer=_CL100K,
            modalities=((TEXT,), ()),
        ),
    ),
    (
        "text-embedding-ada-002",
        r"text-embedding-ada-002",
        _family(
            "embedding",
            ("embeddings",),
            8_191,
            0,
            "2022-12-15",
            (0.1, 0.1, 0),
            tokenizer=_CL100K,
            modalities=((TEXT,), ()),
        ),
    ),
    (
        "omni-moderation",
        r"omni-moderation(-latest)?",
        _family("moderation", ("moderations",), 32_768, 0, "2024-09-26", (0, 0, 0), modalities=((TEXT, IMAGE), ())),
    ),
    (
        "text-moderation",
        r"text-moderation(-[a-z0-9]+)?",
        _family(
            "moderation",
            ("moderations",),
            32_768,
            0,
            "2023-06-27",
            (0, 0, 0),
            tokenizer=_CL100K,
            modalities=((TEXT,), ()),
        ),
    ),
    # Images, video, speech
    (
        "gpt-image-mini",
        rf"gpt-image{_N}-mini",
        _family("image", ("images",), 32_000, 0, "2025-10-06", (2, 0.2, 8), modalities=((TEXT, IMAGE), (IMAGE,))),
    ),
    (
        "gpt-image",
        rf"gpt-image-\d{_V}(-[a-z]+)?|chatgpt-image-latest",
        _family("image", ("images",), 32_000, 0, "2025-04-23", (5, 1.25, 40), modalities=((TEXT, IMAGE), (IMAGE,))),
    ),
    (
        "dall-e-3",
        r"dall-e-3",
        _family("image", ("images",), 4_000, 0, "2023-11-01", None, tokenizer=_CL100K, modalities=((TEXT,), (IMAGE,))),
    ),
    (
        "dall-e-2",
        r"dall-e-2",
        _family(
            "image", ("images",), 1_000, 0, "2023-11-01", None, tokenizer=_CL100K, modalities=((TEXT, IMAGE), (IMAGE,))
        ),
    ),
    (
        "sora-2-pro",
        r"sora-2-pro",
        _family("video", ("videos",), 0, 0, "2025-10-06", None, modalities=((TEXT, IMAGE), (VIDEO, AUDIO))),
    ),
    (
        "sora-2",
        r"sora-2",
        _family("video", ("videos",), 0, 0, "2025-10-06", None, modalities=((TEXT, IMAGE), (VIDEO, AUDIO))),
    ),
    (
        "tts-1-hd",
        r"tts-1-hd(-\d{4})?",
        _family(
            "tts", ("audio.speech",), 4_096, 0, "2023-11-06", None, tokenizer=_CL100K, modalities=((TEXT,), (AUDIO,))
        ),
    ),
    (
        "tts-1",
        r"tts-1(-\d{4})?",
        _family(
            "tts", ("audio.speech",), 4_096, 0, "2023-04-19", None, tokenizer=_CL100K, modalities=((TEXT,), (AUDIO,))
        ),
    ),
    (
        "whisper",
        r"whisper-1",
        _family(
            "transcription",
            ("audio.transcriptions", "audio.translations"),
            0,
            0,
            "2023-03-01",
            None,
            modalities=((AUDIO,), (TEXT,)),
            owned_by="openai-internal",
        ),
    ),
)

DATED = re.compile(r"^(?P<alias>.+?)-(?P<date>\d{4}-\d{2}-\d{2}|\d{4})$")
PREVIEW_DATE = re.compile(r"-(?P<date>\d{4})-preview$")  # gpt-4-0125-preview


class CatalogError(Exception):
    pass


# --------------------------------------------------------------------------------------------- reading


def spec_dir() -> Path:
    env = os.environ.get("OPENAI_SPEC_DIR")
    return Path(env).expanduser() if env else ROOT.parent / "shared" / "openapi"


def _enum_strings(node: Any, found: list[str]) -> None:
    if isinstance(node, dict):
        for value in node.get("enum", ()):
            if isinstance(value, str) and value not in found:
                found.append(value)
        for key, value in node.items():
            if key != "enum":
                _enum_strings(value, found)
    elif isinstance(node, list):
        for value in node:
            _enum_strings(value, found)


def spec_ids(path: Path) -> dict[str, list[str]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        schemas = yaml.load(handle, Loader=loader)["components"]["schemas"]
    found: dict[str, list[str]] = {}
    for name, prop in SPEC_ENUMS:
        if name not in schemas:
            raise CatalogError(f"{path.name} has no schema {name}")
        node = schemas[name] if prop is None else schemas[name].get("properties", {}).get(prop)
        if node is None:
            raise CatalogError(f"{path.name}: {name} has no property {prop}")
        ids: list[str] = []
        _enum_strings(node, ids)
        found[name if prop is None else f"{name}.{prop}"] = ids
    return found


def _literal_strings(tp: Any, found: list[str]) -> None:
    for arg in typing.get_args(tp):
        if isinstance(arg, str):
            if arg not in found:
                found.append(arg)
        else:
            _literal_strings(arg, found)


def sdk_ids() -> tuple[str, list[str]]:
    """(the installed SDK's version or "none", its model literals); modules a version lacks are skipped."""
    try:
        import openai
    except ImportError:
        return "none", []
    found: list[str] = []
    for module_name, alias in SDK_LITERALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, alias):
            _literal_strings(getattr(module, alias), found)
    if not found:  # a layout this list does not know: read the literals of every `*_model.py` type module
        for path in sorted(Path(openai.__file__).parent.joinpath("types").rglob("*_model.py")):
            for literal in re.findall(r"Literal\[(.*?)\]", path.read_text(encoding="utf-8"), re.S):
                found.extend(name for name in re.findall(r'"([^"]+)"', literal) if name not in found)
    return str(getattr(openai, "__version__", "unknown")), found


# A "Deprecated values:" docstring note: its `- "id", "id": note` entries, ids and notes wrapped over lines.
DEPRECATION_NOTE = re.compile(r'Deprecated values:\s*\n(?P<entries>.*?)"""', re.S)
DEPRECATION_ENTRY = re.compile(r'^(?P<ids>(?:"[^"]+"[\s,]*)+):\s*(?P<note>.*)$', re.S)
# "Announced shutdown date: 2027-01-14", "was shut down on October 23, 2026", "was retired on May 12, 2026"
SHUTDOWN_DAY = re.compile(
    r"(?:shut\s*down|retired?|removed|discontinued|sunset)\D*?"
    r"(?P<day>\d{4}-\d{2}-\d{2}|[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})"
)


def _iso_day(text: str) -> str | None:
    """`2026-10-23` or `October 23, 2026` (`Oct. 23, 2026`) as an ISO date; None if it is no real day."""
    for layout in ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text.replace(".", ""), layout).date().isoformat()
        except ValueError:
            continue
    return None


def shutdown_dates(source: str) -> dict[str, str]:
    """id -> the shutdown day the "Deprecated values:" notes of one module's text announce (the first note that
    dates an id wins); entries with no day ("Not a supported model ID") are left out."""
    found: dict[str, str] = {}
    for block in DEPRECATION_NOTE.finditer(source):
        for raw in re.split(r"\n\s*-\s+", "\n" + block["entries"]):
            entry = DEPRECATION_ENTRY.match(" ".join(raw.split()))
            dated = SHUTDOWN_DAY.search(entry["note"]) if entry else None
            day = _iso_day(dated["day"]) if dated else None
            if entry is None or day is None:
                continue
            for model_id in re.findall(r'"([^"]+)"', entry["ids"]):
                found.setdefault(model_id, day)
    return found


def _sdk_sources() -> Iterable[Path]:
    """The model literal modules first, then every other type module with a deprecation note (the request
    params' `model` fields date the Responses-only and realtime models the literals do not)."""
    try:
        import openai
    except ImportError:
        return []
    first: list[Path] = []
    for module_name, _ in SDK_LITERALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if module.__file__:
            first.append(Path(module.__file__))
    rest = sorted(Path(openai.__file__).parent.joinpath("types").rglob("*.py"))
    return [*first, *(path for path in rest if path not in first)]


def sdk_shutdown_dates() -> dict[str, str]:
    """Every shutdown day the installed SDK's docstrings announce, by id."""
    found: dict[str, str] = {}
    for path in _sdk_sources():
        text = path.read_text(encoding="utf-8")
        if "Deprecated values:" in text:
            for model_id, day in shutdown_dates(text).items():
                found.setdefault(model_id, day)
    return found


# --------------------------------------------------------------------------------------------- building


def _timestamp(day: str, model_id: str) -> int:
    year, month, date = (int(part) for part in day.split("-"))
    return calendar.timegm((year, month, date, 12, 0, 0)) + zlib.crc32(model_id.encode()) % 3_600


def _suffix_day(suffix: str) -> str:
    """`2025-08-07` as it is; `0613`-style suffixes (GPT-4 and GPT-3.5 snapshots) are of 2023, Jan-Feb of 2024."""
    if len(suffix) == 10:
        return suffix
    month, date = int(suffix[:2]), int(suffix[2:])
    return f"{2024 if month <= 2 else 2023}-{month:02d}-{date:02d}"


def family_of(model_id: str, patterns: list[tuple[re.Pattern[str], str]]) -> str | None:
    dated = DATED.match(model_id)
    candidates = [model_id] + ([dated["alias"]] if dated else [])
    for candidate in candidates:
        for pattern, family in patterns:
            if pattern.fullmatch(candidate):
                return family
    return None


def _version(model_id: str) -> str:
    """`gpt-5.4-mini` → `gpt-5.4`: what the aliases of one numbered release share (else the id itself)."""
    found = re.match(r"^gpt-\d+\.\d+", model_id)
    return found[0] if found else model_id


def build(
    spec: dict[str, list[str]], sdk_version: str, sdk: list[str], shutdowns: Mapping[str, str] | None = None
) -> dict[str, Any]:
    patterns = [(re.compile(pattern), name) for name, pattern, _ in FAMILIES]
    families = {name: profile for name, _, profile in FAMILIES}
    ids: list[str] = []
    for group in spec.values():
        ids.extend(group)
    ids.extend(sdk)
    ids.extend(NAMED_BY_CLIENTS)
    ids.extend(LISTED)
    ids = sorted(set(ids))
    # the earliest snapshot date of each alias and of each version (gpt-5.4), for the undated ids
    first_day: dict[str, str] = {}
    for model_id in ids:
        dated = DATED.match(model_id)
        if dated:
            day = _suffix_day(dated["date"])
            for key in (dated["alias"], _version(dated["alias"])):
                first_day[key] = min(first_day.get(key, day), day)
    models: dict[str, dict[str, Any]] = {}
    unmatched = []
    for model_id in ids:
        family = family_of(model_id, patterns)
        if family is None:
            unmatched.append(model_id)
            continue
        profile = families[family]
        entry: dict[str, Any] = {"family": family}
        if model_id in LISTED:
            created, owned_by, overrides = LISTED[model_id]
            entry.update(overrides)
        else:
            dated = DATED.match(model_id) or PREVIEW_DATE.search(model_id)
            if dated:
                day = _suffix_day(dated["date"])
            else:
                day = first_day.get(model_id) or first_day.get(_version(model_id)) or profile["released"]
                day = max(day, profile["released"])  # a version is never older than its family
            created, owned_by = _timestamp(day, model_id), profile["owned_by"]
        entry["created"] = created
        entry["owned_by"] = owned_by
        if FINE_TUNABLE.match(model_id):
            entry["fine_tunable"] = True
        if shutdowns and model_id in shutdowns:
            entry["shutdown_date"] = shutdowns[model_id]
        models[model_id] = entry
    if unmatched:
        raise CatalogError(f"no family rule matches: {', '.join(unmatched)} (add one to FAMILIES)")
    sdk_only = sorted(set(sdk) - {i for group in spec.values() for i in group})
    return {
        "_generated": f"by tools/gen_catalog.py from {SPEC_FILE} and the openai SDK; do not edit",
        "sources": {"spec": SPEC_FILE, "sdk_version": sdk_version, "sdk_only_ids": sdk_only},
        "families": families,
        "patterns": [[pattern, name] for name, pattern, _ in FAMILIES],
        "models": models,
    }


def render(catalog: dict[str, Any]) -> bytes:
    return (json.dumps(catalog, indent=1, sort_keys=False, ensure_ascii=False) + "\n").encode()


def _comparable(catalog: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in catalog.items() if key != "sources"}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _with_recorded_dates(installed: dict[str, str], committed: dict[str, Any], version: str) -> dict[str, str]:
    """The installed SDK's dates with the committed file's: those fill the ids the installed SDK does not date,
    and win outright when the installed SDK is older than the one the file was made with."""
    recorded = {
        model_id: entry["shutdown_date"]
        for model_id, entry in committed["models"].items()
        if entry.get("shutdown_date") is not None
    }
    if _version_key(version) < _version_key(committed["sources"].get("sdk_version", "")):
        return {**installed, **recorded}
    return {**recorded, **installed}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    path = spec_dir() / SPEC_FILE
    if not path.is_file():
        if check:
            print(f"gen_catalog: skipped the drift check: no spec at {path} (set OPENAI_SPEC_DIR)")
            return 0
        print(f"gen_catalog: no spec at {path} (set OPENAI_SPEC_DIR)", file=sys.stderr)
        return 1
    version, sdk = sdk_ids()
    committed: dict[str, Any] | None = json.loads(OUTPUT.read_text()) if OUTPUT.is_file() else None
    shutdowns = sdk_shutdown_dates()
    if check and committed is not None:  # an older SDK must not fail the check: keep the ids a newer one named
        sdk = sorted({*sdk, *committed["sources"]["sdk_only_ids"]})
        shutdowns = _with_recorded_dates(shutdowns, committed, version)
    try:
        catalog = build(spec_ids(path), version, sdk, shutdowns)
    except CatalogError as exc:
        print(f"gen_catalog: {exc}", file=sys.stderr)
        return 1
    if check:
        if committed is None or _comparable(committed) != _comparable(catalog):
            state = "is missing" if committed is None else "differs from"
            rel = OUTPUT.relative_to(ROOT)
            print(f"{rel} {state} what {path} and openai {version} give: run `make catalog`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_bytes(render(catalog))
    families = len({entry["family"] for entry in catalog["models"].values()})
    print(f"{OUTPUT.relative_to(ROOT)}: {len(catalog['models'])} models in {families} families")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The model catalogue of March 2025 (ids, `created` and `owned_by` as the real API lists them),
plus each tenant's fine-tuned models, which are stored objects of the "model" collection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from openai_mock import clock
from openai_mock.checks import check_enum
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.store import get_store

Kind = Literal[
    "chat", "reasoning", "completion", "embedding", "moderation", "image", "tts", "transcription", "realtime"
]
FINE_TUNED_COLLECTION = "model"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    created: int
    owned_by: str
    kind: Kind
    context_window: int = 128_000
    max_output_tokens: int = 16_384
    fine_tunable: bool = False

    def as_object(self) -> dict[str, Any]:
        return {"id": self.id, "object": "model", "created": self.created, "owned_by": self.owned_by}


def _m(id: str, created: int, owned_by: str, kind: Kind, **extra: Any) -> ModelSpec:
    return ModelSpec(id, created, owned_by, kind, **extra)


BASE_MODELS: tuple[ModelSpec, ...] = (
    _m("gpt-4o", 1715367049, "system", "chat"),
    _m("gpt-4o-2024-05-13", 1715368132, "system", "chat", max_output_tokens=4_096),
    _m("gpt-4o-2024-08-06", 1722814719, "system", "chat", fine_tunable=True),
    _m("gpt-4o-2024-11-20", 1739331543, "system", "chat"),
    _m("chatgpt-4o-latest", 1723515131, "system", "chat"),
    _m("gpt-4o-mini", 1721172741, "system", "chat"),
    _m("gpt-4o-mini-2024-07-18", 1721172717, "system", "chat", fine_tunable=True),
    _m("gpt-4o-search-preview", 1741388720, "system", "chat"),
    _m("gpt-4o-mini-search-preview", 1741391161, "system", "chat"),
    _m("gpt-4o-audio-preview", 1727460443, "system", "chat"),
    _m("gpt-4o-audio-preview-2024-10-01", 1727389042, "system", "chat"),
    _m("gpt-4o-audio-preview-2024-12-17", 1734034239, "system", "chat"),
    _m("gpt-4o-mini-audio-preview", 1734387424, "system", "chat"),
    _m("gpt-4o-mini-audio-preview-2024-12-17", 1734115920, "system", "chat"),
    _m("gpt-4.5-preview", 1740623059, "system", "chat"),
    _m("gpt-4.5-preview-2025-02-27", 1740623304, "system", "chat"),
    _m("gpt-4-turbo", 1712361441, "system", "chat", max_output_tokens=4_096),
    _m("gpt-4-turbo-2024-04-09", 1712601677, "system", "chat", max_output_tokens=4_096),
    _m("gpt-4", 1687882411, "openai", "chat", context_window=8_192, max_output_tokens=8_192, fine_tunable=True),
    _m("gpt-4-0613", 1686588896, "openai", "chat", context_window=8_192, max_output_tokens=8_192),
    _m(
        "gpt-3.5-turbo", 1677610602, "openai", "chat", context_window=16_385, max_output_tokens=4_096, fine_tunable=True
    ),
    _m(
        "gpt-3.5-turbo-0125",
        1706048358,
        "system",
        "chat",
        context_window=16_385,
        max_output_tokens=4_096,
        fine_tunable=True,
    ),
    _m(
        "gpt-3.5-turbo-1106",
        1698959748,
        "system",
        "chat",
        context_window=16_385,
        max_output_tokens=4_096,
        fine_tunable=True,
    ),
    _m("o1", 1734375816, "system", "reasoning", context_window=200_000, max_output_tokens=100_000),
    _m("o1-2024-12-17", 1734326976, "system", "reasoning", context_window=200_000, max_output_tokens=100_000),
    _m("o1-mini", 1725649008, "system", "reasoning", max_output_tokens=65_536),
    _m("o1-preview", 1725648897, "system", "reasoning", max_output_tokens=32_768),
    _m("o3-mini", 1737146383, "system", "reasoning", context_window=200_000, max_output_tokens=100_000),
    _m("o3-mini-2025-01-31", 1738010200, "system", "reasoning", context_window=200_000, max_output_tokens=100_000),
    _m("computer-use-preview", 1734655677, "system", "chat", context_window=8_192, max_output_tokens=1_024),
    _m("gpt-3.5-turbo-instruct", 1692901427, "system", "completion", context_window=4_096, max_output_tokens=4_096),
    _m(
        "davinci-002",
        1692634301,
        "system",
        "completion",
        context_window=16_384,
        max_output_tokens=16_384,
        fine_tunable=True,
    ),
    _m(
        "babbage-002",
        1692634615,
        "system",
        "completion",
        context_window=16_384,
        max_output_tokens=16_384,
        fine_tunable=True,
    ),
    _m("text-embedding-3-small", 1705948997, "system", "embedding", context_window=8_191),
    _m("text-embedding-3-large", 1705953180, "system", "embedding", context_window=8_191),
    _m("text-embedding-ada-002", 1671217299, "openai-internal", "embedding", context_window=8_191),
    _m("omni-moderation-latest", 1731689265, "system", "moderation", context_window=32_768),
    _m("omni-moderation-2024-09-26", 1732734466, "system", "moderation", context_window=32_768),
    _m("text-moderation-latest", 1687882410, "openai-internal", "moderation", context_window=32_768),
    _m("text-moderation-stable", 1687882410, "openai-internal", "moderation", context_window=32_768),
    _m("dall-e-2", 1698798177, "system", "image"),
    _m("dall-e-3", 1698785189, "system", "image"),
    _m("tts-1", 1681940951, "openai-internal", "tts"),
    _m("tts-1-hd", 1699046015, "system", "tts"),
    _m("tts-1-1106", 1699053241, "system", "tts"),
    _m("tts-1-hd-1106", 1699053533, "system", "tts"),
    _m("gpt-4o-mini-tts", 1742403959, "system", "tts"),
    _m("whisper-1", 1677532384, "openai-internal", "transcription"),
    _m("gpt-4o-transcribe", 1742068463, "system", "transcription"),
    _m("gpt-4o-mini-transcribe", 1742068596, "system", "transcription"),
    _m("gpt-4o-realtime-preview", 1727659998, "system", "realtime"),
    _m("gpt-4o-realtime-preview-2024-12-17", 1733945430, "system", "realtime"),
    _m("gpt-4o-mini-realtime-preview", 1734387380, "system", "realtime"),
)
_BY_ID = {spec.id: spec for spec in BASE_MODELS}
_BASE_OBJECTS = tuple(spec.as_object() for spec in BASE_MODELS)


def base_model(model_id: str) -> ModelSpec | None:
    return _BY_ID.get(model_id)


def model_not_found(model_id: str) -> OpenAIError:
    return OpenAIError(404, f"The model '{model_id}' does not exist", param="model", code="model_not_found")


def list_models(tenant: str) -> dict[str, Any]:
    """`GET /v1/models`: the catalogue, then the tenant's fine-tuned models, oldest first."""
    now = clock.now_seconds()
    listed = get_store().list(tenant, FINE_TUNED_COLLECTION, limit=1_000_000, order="asc", where=lambda m: _due(m, now))
    fine_tuned = listed.items
    return {"object": "list", "data": [*_BASE_OBJECTS, *fine_tuned]}


def retrieve_model(tenant: str, model_id: str) -> dict[str, Any]:
    spec = _BY_ID.get(model_id)
    if spec is not None:
        return spec.as_object()
    stored = get_store().get(tenant, FINE_TUNED_COLLECTION, model_id)
    if stored is None or not _due(stored, clock.now_seconds()):
        raise model_not_found(model_id)
    return stored


def delete_model(tenant: str, model_id: str) -> dict[str, Any]:
    """Only a tenant's own fine-tuned models can be deleted, as with the real API."""
    if model_id in _BY_ID:
        raise OpenAIError(
            403,
            f"You do not have permission to delete the model '{model_id}'. Only fine-tuned models owned by "
            "your organization can be deleted.",
            param="model",
            code="model_not_deletable",
        )
    retrieve_model(tenant, model_id)  # 404 unless it is the tenant's, and due
    if get_store().delete(tenant, FINE_TUNED_COLLECTION, model_id) is None:
        raise model_not_found(model_id)
    return {"id": model_id, "object": "model", "deleted": True}


def register_fine_tuned_model(tenant: str, model_id: str, organization_id: str, created: int) -> dict[str, Any]:
    """Make a fine-tuned model visible in the catalogue from `created` on. A fine-tuning job registers its model
    when it is created, due at the job's planned finish: the model then appears in `/v1/models` on time in every
    function and container, whether or not anyone reads the job (a cancelled job withdraws it)."""
    return get_store().create(
        tenant,
        FINE_TUNED_COLLECTION,
        {"id": model_id, "object": "model", "created": created, "owned_by": organization_id},
    )


def withdraw_fine_tuned_model(tenant: str, model_id: str) -> None:
    """Forget a model registered ahead of its job's finish (the job was cancelled first)."""
    get_store().delete(tenant, FINE_TUNED_COLLECTION, model_id)


def _due(model: dict[str, Any], now: int) -> bool:
    return int(model.get("created", 0)) <= now


# --------------------------------------------------------------------------------------------- model checks


_CHAT_KINDS = ("chat", "reasoning")


def known_model(model: str, allowed: Sequence[str]) -> str:
    """A model this endpoint serves: 404 `model_not_found` when the catalogue lacks it, else 400 on `model`
    unless it is one of `allowed`."""
    if base_model(model) is None:
        raise model_not_found(model)
    check_enum(model, allowed, "model")
    return model


def model_of_kind(tenant: str, model: str, kind: Kind, wrong_kind: str) -> ModelSpec:
    """A base model of `kind` (embeddings, moderation): 404 for an unknown id, 400 `invalid_model` with the
    endpoint's wording for any other model, the tenant's fine-tunes included."""
    spec = base_model(model)
    if spec is None:
        retrieve_model(tenant, model)  # 404 model_not_found unless it is the tenant's fine-tune
    if spec is None or spec.kind != kind:
        raise invalid_request(wrong_kind, "model", "invalid_model")
    return spec


def serving_spec(tenant: str, model: str) -> ModelSpec:
    """The catalogue entry behind a model id, fine-tunes resolved to their base (404 if unknown)."""
    retrieve_model(tenant, model)  # 404 model_not_found unless it exists for this tenant
    spec = base_model(model)
    if spec is None and model.startswith("ft:"):
        spec = base_model(model.split(":")[1])
    if spec is None:  # a tenant model whose base we do not know: serve it as a chat model
        spec = ModelSpec(model, 0, "system", "chat")
    return spec


def chat_model_spec(tenant: str, model: str, endpoint: str) -> ModelSpec:
    """The model, checked to be served by `endpoint` ("chat" or "completions"), with the real API's 404."""
    spec = serving_spec(tenant, model)
    if endpoint == "chat" and spec.kind not in _CHAT_KINDS:
        raise OpenAIError(
            404,
            "This is not a chat model and thus not supported in the v1/chat/completions "
            "endpoint. Did you mean to use v1/completions?",
            param="model",
        )
    if endpoint == "completions" and spec.kind != "completion":
        raise OpenAIError(
            404,
            "This is a chat model and not supported in the v1/completions endpoint. Did you "
            "mean to use v1/chat/completions?",
            param="model",
        )
    return spec

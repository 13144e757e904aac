"""Every model id the 2026-08-21 spec's enums and the installed SDK's literals name: listed and retrievable,
served by its endpoint (one cheap request each), refused by another with OpenAI's 400/404."""

from __future__ import annotations

import importlib
import io
import typing
import wave
from collections.abc import Callable
from typing import Any

import openai
import pytest

from openai_mock.resources import models
from tests.support.spec import load_spec

# (schema, property): the spec's model enums, as tools/gen_catalog.py reads them.
SPEC_ENUMS = (
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
SDK_LITERALS = (
    ("openai.types.shared.chat_model", "ChatModel"),
    ("openai.types.shared.responses_model", "ResponsesModel"),
    ("openai.types.image_model", "ImageModel"),
    ("openai.types.audio.speech_model", "SpeechModel"),
    ("openai.types.audio_model", "AudioModel"),
    ("openai.types.embedding_model", "EmbeddingModel"),
    ("openai.types.moderation_model", "ModerationModel"),
    ("openai.types.video_model", "VideoModel"),
)


def _enums(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        found.update(value for value in node.get("enum", ()) if isinstance(value, str))
        for value in node.values():
            _enums(value, found)
    elif isinstance(node, list):
        for value in node:
            _enums(value, found)


def _literals(tp: Any, found: set[str]) -> None:
    for arg in typing.get_args(tp):
        if isinstance(arg, str):
            found.add(arg)
        else:
            _literals(arg, found)


def spec_model_ids() -> set[str]:
    schemas = load_spec(version="2026-08-21")["components"]["schemas"]
    found: set[str] = set()
    for name, prop in SPEC_ENUMS:
        _enums(schemas[name] if prop is None else schemas[name]["properties"][prop], found)
    return found


def sdk_model_ids() -> set[str]:
    found: set[str] = set()
    for module_name, alias in SDK_LITERALS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        _literals(getattr(module, alias, None), found)
    return found


# Ids OpenAI's own clients send that neither names: the Agents SDK 0.25's default-model table and examples.
NAMED_BY_CLIENTS = {"gpt-5.6"}
ALL_IDS = sorted(spec_model_ids() | sdk_model_ids() | NAMED_BY_CLIENTS)


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(b"\x00\x00" * 8_000)
    return buffer.getvalue()


def _chat(client: openai.OpenAI, model: str) -> Any:
    if models.base_model(model).kind == "audio":  # type: ignore[union-attr]
        return client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "Hi"}],
            modalities=["text", "audio"],
            audio={"voice": "alloy", "format": "wav"},
            max_completion_tokens=16,
        )
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])


IMAGE_OPTIONS: dict[str, dict[str, Any]] = {"dall-e-2": {"size": "256x256"}, "dall-e-3": {}}
# endpoint -> one cheap request on it
CALLS: dict[str, Callable[[openai.OpenAI, str], Any]] = {
    "chat.completions": _chat,
    "responses": lambda client, model: client.responses.create(model=model, input="Hi"),
    "completions": lambda client, model: client.completions.create(model=model, prompt="Hi", max_tokens=5),
    "embeddings": lambda client, model: client.embeddings.create(model=model, input="Hi"),
    "moderations": lambda client, model: client.moderations.create(model=model, input="Hi"),
    "images": lambda client, model: client.images.generate(
        model=model, prompt="A red kite", **IMAGE_OPTIONS.get(model, {"quality": "low"})
    ),
    "audio.speech": lambda client, model: client.audio.speech.create(model=model, input="Hi", voice="alloy"),
    "realtime": lambda client, model: client.beta.realtime.sessions.create(model=model),  # type: ignore[arg-type]
    "audio.transcriptions": lambda client, model: client.audio.transcriptions.create(
        model=model, file=("a.wav", _wav(), "audio/wav")
    ),
    "videos": lambda client, model: client.videos.create(model=model, prompt="A wave breaking"),
}


def _serving_endpoint(model: str) -> str | None:
    endpoints = models.base_model(model).endpoints  # type: ignore[union-attr]
    return next((endpoint for endpoint in endpoints if endpoint in CALLS), None)


def test_the_catalogue_holds_every_id_the_spec_and_the_sdk_name() -> None:
    missing = set(ALL_IDS) - set(models.catalog().by_id)
    assert not missing
    assert len(spec_model_ids()) >= 150


def test_the_list_names_every_id_with_realistic_created_and_owner(client: openai.OpenAI) -> None:
    listed = {model.id: model for model in client.models.list()}
    assert set(ALL_IDS) <= set(listed)
    for model_id in ALL_IDS:
        assert 1_600_000_000 < listed[model_id].created < 1_800_000_000
        assert listed[model_id].owned_by in ("system", "openai", "openai-internal")
    assert listed["gpt-5-2025-08-07"].created >= 1754524800  # its date suffix: 2025-08-07
    assert listed["gpt-4o"].created == 1715367049  # as the live API listed it


def test_gpt_5_6_takes_what_the_agents_sdk_sends_by_default(client: openai.OpenAI) -> None:
    # The Agents SDK's defaults for gpt-5.6: no reasoning effort, low verbosity.
    response = client.responses.create(
        model="gpt-5.6", input="Name a primary colour.", reasoning={"effort": "none"}, text={"verbosity": "low"}
    )
    assert response.model == "gpt-5.6"
    assert response.output_text
    assert response.usage is not None and response.usage.output_tokens_details.reasoning_tokens == 0


@pytest.mark.parametrize("model", ALL_IDS)
def test_each_id_is_retrieved_and_served(client: openai.OpenAI, model: str) -> None:
    retrieved = client.models.retrieve(model)
    assert (retrieved.id, retrieved.object) == (model, "model")
    endpoint = _serving_endpoint(model)
    assert endpoint is not None, f"{model}: no endpoint of the mock serves it"
    # Daybreak models run only for organizations that hold the program (the mock control stands for it).
    authorized = client.with_options(default_headers={"x-mock-access-programs": "daybreak_blue,daybreak_red"})
    answer = CALLS[endpoint](authorized, model)
    assert answer is not None


@pytest.mark.parametrize("model", ALL_IDS)
def test_each_id_is_refused_where_it_is_not_served(client: openai.OpenAI, model: str) -> None:
    spec = models.base_model(model)
    assert spec is not None
    if spec.serves("chat.completions"):
        with pytest.raises(openai.BadRequestError) as refused:
            client.embeddings.create(model=model, input="Hi")
        assert refused.value.body["code"] == "invalid_model"  # type: ignore[index]
        return
    with pytest.raises(openai.NotFoundError) as not_found:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])
    assert not_found.value.body["param"] == "model"  # type: ignore[index]
    if spec.serves("responses"):
        assert not_found.value.body["message"] == (  # type: ignore[index]
            "This model is only supported in v1/responses and not in v1/chat/completions."
        )
    else:
        assert "not a chat model" in not_found.value.body["message"]  # type: ignore[index]

"""Model behaviour by family on the serving endpoints, and the unknown-id policy (docs/models.md)."""

from __future__ import annotations

import base64
import io

import openai
import pytest

from openai_mock.resources import models
from openai_mock.resources.organization import prices

HI = [{"role": "user", "content": "Tell me about tides."}]
LONG = [{"role": "user", "content": "Explain how ocean tides work, and why they vary over the month. " * 5}]


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, object]:
    return raised.value.body  # type: ignore[return-value]


@pytest.mark.parametrize("model", ["gpt-5", "gpt-5.4-mini", "o3", "o4-mini", "gpt-5-nano-2025-08-07"])
def test_reasoning_models_report_reasoning_tokens(client: openai.OpenAI, model: str) -> None:
    completion = client.chat.completions.create(model=model, messages=HI, reasoning_effort="high")
    assert completion.usage.completion_tokens_details.reasoning_tokens > 0  # type: ignore[union-attr]
    response = client.responses.create(model=model, input="Tell me about tides.", reasoning={"effort": "low"})
    assert response.usage.output_tokens_details.reasoning_tokens > 0  # type: ignore[union-attr]
    assert response.reasoning.effort == "low"  # type: ignore[union-attr]


@pytest.mark.parametrize("model", ["gpt-5-chat-latest", "gpt-4.1", "gpt-4o"])
def test_non_reasoning_models_report_none(client: openai.OpenAI, model: str) -> None:
    completion = client.chat.completions.create(model=model, messages=HI, temperature=0.5, max_tokens=50)
    assert completion.usage.completion_tokens_details.reasoning_tokens == 0  # type: ignore[union-attr]


def test_gpt5_refuses_temperature_and_max_tokens_with_openai_wording(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-5", messages=HI, temperature=0.5)
    assert _error(raised) == {
        "message": "Unsupported value: 'temperature' does not support 0.5 with this model. Only the default (1) "
        "value is supported.",
        "type": "invalid_request_error",
        "param": "temperature",
        "code": "unsupported_value",
    }
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-5-mini", messages=HI, max_tokens=100)
    assert _error(raised) == {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.",
        "type": "invalid_request_error",
        "param": "max_tokens",
        "code": "unsupported_parameter",
    }
    assert client.chat.completions.create(model="gpt-5", messages=HI, temperature=1, max_completion_tokens=4000)


def test_reasoning_effort_by_family(client: openai.OpenAI) -> None:
    minimal = client.chat.completions.create(model="gpt-5", messages=HI, reasoning_effort="minimal")
    none = client.chat.completions.create(model="gpt-5.4", messages=HI, reasoning_effort="none")
    assert none.usage.completion_tokens_details.reasoning_tokens == 0  # type: ignore[union-attr]
    assert minimal.usage.completion_tokens_details.reasoning_tokens > 0  # type: ignore[union-attr]
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="o3", messages=HI, reasoning_effort="minimal")
    assert _error(raised)["message"] == (
        "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: "
        "'low', 'medium', and 'high'."
    )
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-4.1", messages=HI, reasoning_effort="low")
    assert _error(raised)["param"] == "reasoning_effort"


def test_verbosity_on_gpt5_and_refused_elsewhere(client: openai.OpenAI) -> None:
    def length(verbosity: str) -> int:
        completion = client.chat.completions.create(
            model="gpt-5", messages=LONG, verbosity=verbosity, extra_headers={"x-mock-seed": "7"}
        )
        return len(completion.choices[0].message.content or "")

    assert length("low") < length("medium") < length("high")
    response = client.responses.create(model="gpt-5", input="Tides?", text={"verbosity": "low"})
    assert response.text.verbosity == "low"  # type: ignore[union-attr]
    # The GPT-6 models take it too (the Agents SDK keeps a GPT-5 agent's `low` when a run switches to one).
    for model in ("gpt-6-luna", "gpt-6.2-sol"):
        assert client.responses.create(model=model, input="Tides?", text={"verbosity": "low"}).text.verbosity == "low"  # type: ignore[union-attr]
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=HI, verbosity="low")
    assert _error(raised) == {
        "message": "Unsupported value: 'verbosity' does not support 'low' with this model. Supported values are: "
        "'medium'.",
        "type": "invalid_request_error",
        "param": "verbosity",
        "code": "unsupported_value",
    }


@pytest.mark.parametrize(
    ("asked", "served"), [("auto", "default"), ("default", "default"), ("flex", "flex"), ("priority", "priority")]
)
def test_service_tier_is_echoed_as_served(client: openai.OpenAI, asked: str, served: str) -> None:
    completion = client.chat.completions.create(model="gpt-5", messages=HI, service_tier=asked)  # type: ignore[arg-type]
    assert completion.service_tier == served
    response = client.responses.create(model="o3", input="Hi", service_tier=asked)  # type: ignore[arg-type]
    assert response.service_tier == served


def test_service_tier_outside_the_enum_is_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-5", messages=HI, service_tier="express")  # type: ignore[arg-type]
    assert _error(raised)["param"] == "service_tier"


@pytest.mark.parametrize("model", ["o3-pro", "gpt-5-codex", "o3-deep-research", "gpt-5.2-pro", "codex-mini-latest"])
def test_responses_only_models_are_refused_on_chat_and_served_on_responses(client: openai.OpenAI, model: str) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model=model, messages=HI)
    assert _error(raised) == {
        "message": "This model is only supported in v1/responses and not in v1/chat/completions.",
        "type": "invalid_request_error",
        "param": "model",
        "code": None,
    }
    assert client.responses.create(model=model, input="Hi").status == "completed"


def test_gpt_image_1_sizes_quality_background_and_usage(client: openai.OpenAI) -> None:
    image = client.images.generate(
        model="gpt-image-1", prompt="A lighthouse", size="1536x1024", quality="medium", background="opaque", n=2
    )
    assert (image.size, image.quality, image.background, image.output_format) == (
        "1536x1024",
        "medium",
        "opaque",
        "png",
    )
    assert len(image.data) == 2 and all(item.url is None for item in image.data)  # type: ignore[arg-type]
    png = base64.b64decode(image.data[0].b64_json)  # type: ignore[index,arg-type]
    assert png.startswith(b"\x89PNG") and png[16:24] == (1536).to_bytes(4, "big") + (1024).to_bytes(4, "big")
    assert image.usage.output_tokens == 2 * 1584  # type: ignore[union-attr]
    assert image.usage.total_tokens == image.usage.input_tokens + image.usage.output_tokens  # type: ignore[union-attr]
    auto = client.images.generate(model="gpt-image-1-mini", prompt="A lighthouse", quality="low")
    assert (auto.size, auto.quality) == ("1024x1024", "low")
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.generate(model="gpt-image-1", prompt="A lighthouse", response_format="url")
    assert _error(raised)["param"] == "response_format"
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.generate(model="gpt-image-1", prompt="x", background="transparent", output_format="jpeg")
    assert _error(raised)["param"] == "background"
    with pytest.raises(openai.BadRequestError) as raised:
        client.images.generate(model="dall-e-3", prompt="x", background="opaque")
    assert _error(raised)["param"] == "background"


@pytest.mark.parametrize(("output_format", "pillow_format"), [("jpeg", "JPEG"), ("webp", "WEBP"), ("png", "PNG")])
def test_gpt_image_output_format_is_the_real_format(
    client: openai.OpenAI, output_format: str, pillow_format: str
) -> None:
    from PIL import Image

    image = client.images.generate(
        model="gpt-image-1", prompt="A red kite over green hills", size="1024x1536", output_format=output_format
    )
    assert image.output_format == output_format
    with Image.open(io.BytesIO(base64.b64decode(image.data[0].b64_json))) as picture:  # type: ignore[index,arg-type]
        assert (picture.format, picture.size) == (pillow_format, (1024, 1536))
        left, top = picture.convert("RGB").getpixel((0, 0)), picture.convert("RGB").getpixel((512, 1400))
    assert left != top  # a drawn scene (sky above, ground below), not a flat fill


def test_gpt_image_output_compression_shrinks_a_jpeg(client: openai.OpenAI) -> None:
    def size_at(compression: int) -> int:
        image = client.images.generate(
            model="gpt-image-1", prompt="A lighthouse", output_format="jpeg", output_compression=compression
        )
        return len(base64.b64decode(image.data[0].b64_json))  # type: ignore[index,arg-type]

    assert size_at(10) < size_at(90)


def test_audio_models_of_today(client: openai.OpenAI) -> None:
    speech = client.audio.speech.create(
        model="gpt-4o-mini-tts-2025-12-15",
        input="Hello there.",
        voice="verse",
        instructions="Whisper.",
        response_format="wav",
    )
    assert speech.content.startswith(b"RIFF")
    for model in ("gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15"):
        text = client.audio.transcriptions.create(model=model, file=("a.wav", speech.content, "audio/wav"))
        assert text.text
    with pytest.raises(openai.BadRequestError):
        client.audio.translations.create(model="gpt-4o-transcribe", file=("a.wav", speech.content, "audio/wav"))


def test_audio_chat_models_need_audio(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="gpt-audio-mini", messages=HI)
    assert _error(raised)["param"] == "model"


def test_prices_come_from_the_catalogue() -> None:
    assert prices.token_prices("gpt-5") == (1.25, 0.125, 10)
    assert prices.token_prices("gpt-5-mini-2025-08-07") == (0.25, 0.025, 2)
    assert prices.token_prices("gpt-4o-2024-05-13") == (5.0, 5.0, 15.0)
    assert prices.token_prices("gpt-4o-2024-08-06") == (2.5, 1.25, 10)
    assert prices.audio_token_prices("gpt-4o-mini-realtime-preview") == (10, 20)
    assert prices.token_prices("ft:gpt-4o-mini-2024-07-18:org:x:1") == (0.30, 0.15, 1.20)
    assert prices.token_prices("nonsense") == (0.0, 0.0, 0.0)


# --------------------------------------------------------------------------------------------- unknown ids


def test_unknown_ids_are_404_by_default(client: openai.OpenAI) -> None:
    for call in (
        lambda: client.models.retrieve("gpt-5.9-mini"),
        lambda: client.chat.completions.create(model="gpt-5.9-mini", messages=HI),
    ):
        with pytest.raises(openai.NotFoundError) as raised:
            call()
        assert _error(raised)["code"] == "model_not_found"


def test_the_header_accepts_unknown_ids_of_a_known_family(client: openai.OpenAI) -> None:
    family = {"x-mock-accept-unknown-models": "family"}
    completion = client.chat.completions.create(model="gpt-5.9-mini", messages=HI, extra_headers=family)
    assert completion.model == "gpt-5.9-mini"
    assert completion.usage.completion_tokens_details.reasoning_tokens > 0  # type: ignore[union-attr]
    assert client.models.retrieve("gpt-5.9-mini", extra_headers=family).owned_by == "system"
    assert client.embeddings.create(model="text-embedding-3-small", input="x", extra_headers=family).data
    with pytest.raises(openai.NotFoundError):  # no family is named
        client.chat.completions.create(model="llama-3-70b", messages=HI, extra_headers=family)
    with pytest.raises(openai.NotFoundError):  # a pro model still lives only on Responses
        client.chat.completions.create(model="gpt-5.9-pro", messages=HI, extra_headers=family)
    assert client.responses.create(model="gpt-5.9-pro", input="Hi", extra_headers=family).status == "completed"
    assert "gpt-5.9-mini" not in {model.id for model in client.models.list(extra_headers=family)}


def test_the_setting_accepts_them_and_the_header_can_refuse(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai_mock.settings import reset_settings

    monkeypatch.setenv("OPENAI_MOCK_ACCEPT_UNKNOWN_MODELS", "family")
    reset_settings()
    assert client.chat.completions.create(model="o5-mini", messages=HI).model == "o5-mini"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="o5-mini", messages=HI, extra_headers={"x-mock-accept-unknown-models": "none"}
        )
    assert models.profile_of("o5-mini").family == "o-mini"  # type: ignore[union-attr]

"""Models responses validate against the official spec's response schemas."""

from __future__ import annotations

import openai
import pytest

from openai_mock.resources import models
from openai_mock.web.auth import principal_for_key
from tests.support.spec import assert_conforms, validate_component


def test_list_models_conforms(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    models.register_fine_tuned_model(principal.tenant, "ft:gpt-4o-mini-2024-07-18:o:x:abc", "org-x", 1_740_000_000)
    raw = client.models.with_raw_response.list()
    assert_conforms("GET", "/v1/models", raw.status_code, raw.http_response.json())


def test_retrieve_and_delete_conform(client: openai.OpenAI) -> None:
    raw = client.models.with_raw_response.retrieve("gpt-4o-mini")
    assert_conforms("GET", "/v1/models/gpt-4o-mini", raw.status_code, raw.http_response.json())
    principal = principal_for_key("sk-test")
    models.register_fine_tuned_model(principal.tenant, "ft:gpt-4o-mini-2024-07-18:o:x:abc", "org-x", 1_740_000_000)
    deleted = client.models.with_raw_response.delete("ft:gpt-4o-mini-2024-07-18:o:x:abc")
    assert_conforms("DELETE", "/v1/models/ft:gpt-4o-mini-2024-07-18:o:x:abc", 200, deleted.http_response.json())


def test_error_bodies_conform(http) -> None:  # type: ignore[no-untyped-def]
    for response in (
        http.get("/v1/models"),
        http.get("/v1/models/nope", headers={"Authorization": "Bearer sk-test"}),
        http.get("/v1/nowhere", headers={"Authorization": "Bearer sk-test"}),
    ):
        validate_component("ErrorResponse", response.json())


# --------------------------------------------------------------------------------------------- the 2026 contract


def test_models_conform_to_the_2026_contract(client: openai.OpenAI) -> None:
    listed = client.models.with_raw_response.list()
    assert_conforms("GET", "/v1/models", 200, listed.http_response.json(), spec="2026-08-21")
    for model in ("gpt-5", "sora-2", "gpt-image-1", "gpt-4o-mini-tts-2025-12-15"):
        raw = client.models.with_raw_response.retrieve(model)
        assert_conforms("GET", f"/v1/models/{model}", 200, raw.http_response.json(), spec="2026-08-21")


@pytest.mark.parametrize("model", ["gpt-5", "gpt-5-chat-latest", "o3", "gpt-4.1", "gpt-4o-mini"])
def test_chat_and_responses_conform_to_the_2026_contract(client: openai.OpenAI, model: str) -> None:
    chat = client.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": "Hi"}], service_tier="priority"
    )
    assert_conforms("POST", "/v1/chat/completions", 200, chat.http_response.json(), spec="2026-08-21")
    response = client.responses.with_raw_response.create(model=model, input="Hi")
    body = response.http_response.json()
    assert_conforms("POST", "/v1/responses", 200, body, spec="2026-08-21")
    # required by the 2026 contract: each output_text's logprobs, the usage's cache_write_tokens
    message = next(item for item in body["output"] if item["type"] == "message")
    assert message["content"][0]["logprobs"] == []
    assert body["usage"]["input_tokens_details"]["cache_write_tokens"] == 0


def test_responses_only_models_conform_to_the_2026_contract(client: openai.OpenAI) -> None:
    for model in ("o3-pro", "gpt-5-codex"):
        raw = client.responses.with_raw_response.create(model=model, input="Hi")
        assert_conforms("POST", "/v1/responses", 200, raw.http_response.json(), spec="2026-08-21")


def test_gpt_image_answers_conform_to_the_2026_contract(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.generate(model="gpt-image-1", prompt="A kite", quality="low")
    assert_conforms("POST", "/v1/images/generations", 200, raw.http_response.json(), spec="2026-08-21")

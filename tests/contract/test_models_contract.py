"""Models responses validate against the official spec's response schemas."""

from __future__ import annotations

import openai

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

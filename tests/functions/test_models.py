"""Models through the official SDK: in-process, and through the Lambda handler with v1 and v2 events."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from functions.models import app as models_function
from openai_mock.json_bytes import json_bytes
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import models
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import asgi_client, lambda_client

FINE_TUNED = "ft:gpt-4o-mini-2024-07-18:org-test:support-bot:AbC123xy"


@pytest.fixture(params=["asgi", "lambda-v1", "lambda-v2"])
def models_client(request: pytest.FixtureRequest, mock_app: TemplateRouter) -> Iterator[openai.OpenAI]:
    if request.param == "asgi":
        yield asgi_client(mock_app)
    else:
        yield lambda_client(models_function.handler, request.param.removeprefix("lambda-"))  # type: ignore[arg-type]


def _register_fine_tune(api_key: str = "sk-test") -> None:
    principal = principal_for_key(api_key)
    models.register_fine_tuned_model(principal.tenant, FINE_TUNED, principal.organization_id, 1_740_000_000)


def test_list_models_returns_the_catalogue(models_client: openai.OpenAI) -> None:
    models = {model.id: model for model in models_client.models.list()}
    for expected in (
        "gpt-4o",
        "gpt-4o-mini",
        "o1",
        "o3-mini",
        "gpt-4.5-preview",
        "text-embedding-3-small",
        "whisper-1",
        "tts-1",
        "dall-e-3",
        "omni-moderation-latest",
        "gpt-4o-transcribe",
        # today's models (#20): the catalogue the 2026-08-21 spec and the SDK name
        "gpt-5",
        "gpt-5.4-mini",
        "gpt-4.1",
        "o3",
        "o4-mini",
        "gpt-image-1",
        "gpt-realtime",
        "sora-2",
        "gpt-4-1106-preview",
        "gpt-3.5-turbo-16k",
    ):
        assert expected in models
    assert models["gpt-4o"].owned_by == "system"
    assert models["gpt-4o"].created == 1715367049
    assert models["whisper-1"].owned_by == "openai-internal"
    assert all(model.object == "model" for model in models.values())


def test_retrieve_model(models_client: openai.OpenAI) -> None:
    model = models_client.models.retrieve("o3-mini")
    assert (model.id, model.object, model.owned_by) == ("o3-mini", "model", "system")


def test_retrieve_unknown_model_is_openai_404(models_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        models_client.models.retrieve("gpt-17")
    assert raised.value.body == {
        "message": "The model 'gpt-17' does not exist",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }


def test_fine_tuned_model_is_listed_retrieved_and_deleted(models_client: openai.OpenAI) -> None:
    _register_fine_tune()
    assert FINE_TUNED in [model.id for model in models_client.models.list()]
    assert models_client.models.retrieve(FINE_TUNED).owned_by == principal_for_key("sk-test").organization_id

    deleted = models_client.models.delete(FINE_TUNED)
    assert (deleted.id, deleted.deleted, deleted.object) == (FINE_TUNED, True, "model")
    assert FINE_TUNED not in [model.id for model in models_client.models.list()]
    with pytest.raises(openai.NotFoundError):
        models_client.models.retrieve(FINE_TUNED)


def test_deleting_a_base_model_is_forbidden(models_client: openai.OpenAI) -> None:
    with pytest.raises(openai.PermissionDeniedError) as raised:
        models_client.models.delete("gpt-4o")
    assert raised.value.status_code == 403
    assert raised.value.body["param"] == "model"  # type: ignore[index]
    assert models_client.models.retrieve("gpt-4o").id == "gpt-4o"


def test_deleting_an_unknown_model_is_404(models_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        models_client.models.delete("ft:gpt-4o-mini-2024-07-18:org-test::nope")


def test_fine_tuned_models_belong_to_their_tenant(client_for) -> None:  # type: ignore[no-untyped-def]
    _register_fine_tune("sk-owner")
    owner, stranger = client_for("sk-owner"), client_for("sk-stranger")
    assert FINE_TUNED in [model.id for model in owner.models.list()]
    assert FINE_TUNED not in [model.id for model in stranger.models.list()]
    with pytest.raises(openai.NotFoundError):
        stranger.models.retrieve(FINE_TUNED)
    with pytest.raises(openai.NotFoundError):
        stranger.models.delete(FINE_TUNED)
    assert owner.models.retrieve(FINE_TUNED).id == FINE_TUNED


def test_responses_carry_openai_headers(models_client: openai.OpenAI) -> None:
    raw = models_client.models.with_raw_response.list()
    assert raw.headers["x-request-id"].startswith("req_")
    assert int(raw.headers["openai-processing-ms"]) >= 1
    assert raw.headers["openai-version"] == "2020-10-01"
    assert raw.headers["openai-organization"] == principal_for_key("sk-test").organization_id
    assert raw.request_id == raw.headers["x-request-id"]


def test_the_listing_is_written_as_its_objects_encode() -> None:
    """The catalogue's JSON text is kept between requests: the listing's bytes are still its objects' encoding,
    with the tenant's fine-tuned models after it."""
    tenant = principal_for_key("sk-test").tenant
    assert models.list_models_json(tenant) == json_bytes(models.list_models(tenant))
    _register_fine_tune()
    listed = models.list_models(tenant)
    assert listed["data"][-1]["id"] == FINE_TUNED
    assert models.list_models_json(tenant) == json_bytes(listed)

"""Every model object carries `shutdown_date`: the day the SDK's deprecation notes announce for its id, the day its
whole family went (Sora 2), or null (current models, fine-tunes), as today's `GET /v1/models` shows it."""

from __future__ import annotations

import json

import openai
import pytest
from openai.types import Model

from openai_mock.resources import models
from openai_mock.settings import reset_settings
from openai_mock.store import get_store
from openai_mock.web.auth import principal_for_key
from tests.support.sdk import held
from tests.support.spec import assert_conforms

FINE_TUNED = "ft:gpt-4o-mini-2024-07-18:org-test:support-bot:AbC123xy"


def _retrieved(client: openai.OpenAI, model_id: str) -> dict[str, object]:
    body: dict[str, object] = held(Model, client.models.with_raw_response.retrieve(model_id))
    assert_conforms("get", f"/v1/models/{model_id}", 200, body)
    return body


def _listed(client: openai.OpenAI) -> dict[str, dict[str, object]]:
    raw = client.models.with_raw_response.list()
    body = raw.http_response.json()
    assert_conforms("get", "/v1/models", 200, body)
    for item in body["data"]:
        Model.model_validate(item, strict=True)
    return {item["id"]: item for item in body["data"]}


@pytest.mark.parametrize(
    ("model_id", "announced"),
    [
        ("gpt-4o-mini-2024-07-18", "2027-01-14"),  # ChatModel: "Announced shutdown date: 2027-01-14"
        ("gpt-4o", "2027-01-14"),
        ("gpt-4-0613", "2026-10-23"),  # an id wrapped onto the entry's last line
        ("gpt-image-1", "2026-10-23"),  # ImageModel: "was shut down on October 23, 2026"
        ("dall-e-3", "2026-05-12"),  # ImageModel: "retired on May 12, 2026"
        ("tts-1-hd", "2027-01-06"),  # SpeechModel
        ("whisper-1", "2027-02-26"),  # AudioModel: "Announced\n  shutdown date" wrapped
        ("o3-deep-research", "2026-07-23"),  # only the Responses params' `model` notes date it
        ("gpt-realtime", "2027-01-20"),  # only the realtime session params' notes date it
        ("sora-2", "2026-09-24"),  # no SDK note: the family's shut-down (as_of.py)
        ("sora-2-pro-2025-10-06", "2026-09-24"),
    ],
)
def test_retrieve_carries_the_announced_shutdown_date(client: openai.OpenAI, model_id: str, announced: str) -> None:
    assert client.models.retrieve(model_id).shutdown_date == announced
    assert _retrieved(client, model_id)["shutdown_date"] == announced


@pytest.mark.parametrize("model_id", ["gpt-5.4", "gpt-5.4-mini", "gpt-image-2", "text-embedding-3-small"])
def test_a_model_without_an_announcement_sends_null(client: openai.OpenAI, model_id: str) -> None:
    body = _retrieved(client, model_id)
    assert "shutdown_date" in body and body["shutdown_date"] is None
    assert client.models.retrieve(model_id).shutdown_date is None


def test_the_listing_carries_the_field_on_every_model_as_the_catalogue_records_it(client: openai.OpenAI) -> None:
    listed = _listed(client)
    assert all("shutdown_date" in item for item in listed.values())
    recorded = json.loads(models.CATALOG_FILE.read_text())["models"]
    for model_id, entry in recorded.items():
        expected = "2026-09-24" if entry["family"] in ("sora-2", "sora-2-pro") else entry.get("shutdown_date")
        assert listed[model_id]["shutdown_date"] == expected, model_id
    dated = [item for item in listed.values() if item["shutdown_date"] is not None]
    assert 90 <= len(dated) < len(listed)  # most of today's older models are dated, the newest are not


def test_fine_tuned_models_have_no_shutdown_date(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    models.register_fine_tuned_model(principal.tenant, FINE_TUNED, principal.organization_id, 1_740_000_000)
    assert _retrieved(client, FINE_TUNED)["shutdown_date"] is None
    assert _listed(client)[FINE_TUNED]["shutdown_date"] is None


def test_a_fine_tune_stored_before_the_field_existed_is_answered_with_null(client: openai.OpenAI) -> None:
    principal = principal_for_key("sk-test")
    legacy = {"id": FINE_TUNED, "object": "model", "created": 1_740_000_000, "owned_by": principal.organization_id}
    get_store().create(principal.tenant, models.FINE_TUNED_COLLECTION, legacy)
    body = _retrieved(client, FINE_TUNED)
    assert body["shutdown_date"] is None and body["owned_by"] == principal.organization_id


def test_an_unknown_id_served_by_its_family_takes_only_the_family_date(client: openai.OpenAI) -> None:
    headers = {"x-mock-accept-unknown-models": "family"}
    assert client.models.retrieve("gpt-4o-mini-2099-01-01", extra_headers=headers).shutdown_date is None
    assert client.models.retrieve("sora-2-2099-01-01", extra_headers=headers).shutdown_date == "2026-09-24"


def _as_of(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("OPENAI_MOCK_AS_OF", day)
    reset_settings()


def test_by_default_every_dated_model_is_listed_and_served(client: openai.OpenAI) -> None:
    listed = _listed(client)
    assert listed["gpt-4"]["shutdown_date"] == "2026-10-23" and listed["dall-e-3"]["shutdown_date"] == "2026-05-12"
    answer = client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "Hi"}])
    assert answer.model == "gpt-4" and answer.choices[0].message.content


def test_as_of_a_day_the_models_shut_down_by_then_are_gone(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_of(monkeypatch, "2026-11-01")
    listed = _listed(client)
    gone = {model_id for model_id, entry in json.loads(models.CATALOG_FILE.read_text())["models"].items()
            if (entry.get("shutdown_date") or "9999") <= "2026-11-01"}  # fmt: skip
    assert {"gpt-4", "gpt-4-0613", "gpt-image-1", "dall-e-3"} <= gone
    assert not gone & set(listed)
    assert {"gpt-4o", "gpt-4o-mini", "gpt-5.4", "whisper-1"} <= set(listed)  # dated later, or not at all
    assert "sora-2" not in listed and "sora-2-pro" not in listed  # their family's day (as_of.py)
    for model_id in ("gpt-4", "gpt-image-1", "sora-2"):
        with pytest.raises(openai.NotFoundError) as refused:
            client.models.retrieve(model_id)
        error = refused.value.body
        assert isinstance(error, dict) and error["code"] == "model_not_found"
        assert error["message"].startswith(f"The model `{model_id}` has been deprecated")


def test_a_request_naming_a_shut_down_model_gets_the_real_apis_404(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_of(monkeypatch, "2026-11-01")
    with pytest.raises(openai.NotFoundError) as refused:
        client.chat.completions.create(model="gpt-4-0613", messages=[{"role": "user", "content": "Hi"}])
    assert refused.value.status_code == 404
    assert refused.value.body == {
        "message": f"The model `gpt-4-0613` has been deprecated, learn more here: {models.DEPRECATIONS_PAGE}",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }
    with pytest.raises(openai.NotFoundError, match="has been deprecated"):
        client.images.generate(model="dall-e-3", prompt="a lighthouse")
    with pytest.raises(openai.NotFoundError, match="`dall-e-2` has been deprecated"):  # the spec's default model
        client.images.generate(prompt="a lighthouse")
    assert client.images.generate(model="gpt-image-2", prompt="a lighthouse").data
    with pytest.raises(openai.NotFoundError, match="has been deprecated"):
        client.responses.create(model="o3-deep-research", input="Hi")
    answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    assert answer.choices[0].message.content  # a model dated later is still served


def test_the_day_before_a_shutdown_the_model_is_still_served(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_of(monkeypatch, "2026-10-22")
    assert client.models.retrieve("gpt-4").shutdown_date == "2026-10-23"
    assert client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": "Hi"}]).choices
    _as_of(monkeypatch, "2026-10-23")
    with pytest.raises(openai.NotFoundError, match="has been deprecated"):
        client.models.retrieve("gpt-4")


def test_a_fine_tuning_job_cannot_train_a_shut_down_model(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = [
        {"messages": [{"role": "user", "content": f"Add {n} and 1."}, {"role": "assistant", "content": f"{n + 1}"}]}
        for n in range(12)
    ]
    data = "\n".join(json.dumps(example) for example in examples).encode()
    training = client.files.create(file=("train.jsonl", data), purpose="fine-tune").id
    _as_of(monkeypatch, "2026-11-01")
    with pytest.raises(openai.NotFoundError, match=r"`gpt-3\.5-turbo-0125` has been deprecated"):
        client.fine_tuning.jobs.create(model="gpt-3.5-turbo-0125", training_file=training)
    assert client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18", training_file=training).status

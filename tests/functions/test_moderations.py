"""Moderations through the official SDK: every category flags on its kind of content and only there,
benign text flags nothing, images are scored for the image categories, legacy models answer in their
shape, bad input is the real API's 400, and the Lambda handler serves the same answers."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from functions.moderations import app as moderations_function
from openai_mock.generation.moderation import CATEGORIES, IMAGE_CATEGORIES, THRESHOLD
from openai_mock.generation.tokens import count_tokens
from tests.support.sdk import lambda_client
from tests.support.spec import assert_conforms

IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/photos/sunset-over-the-lake.jpg"}}


def _raw(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = client.moderations.with_raw_response.create(**params).http_response.json()
    assert_conforms("POST", "/v1/moderations", 200, body)
    return body


def _flagged(result: dict[str, Any]) -> set[str]:
    return {category for category, flagged in result["categories"].items() if flagged}


def _bad_request(client: openai.OpenAI, **params: Any) -> dict[str, Any]:
    with pytest.raises(openai.BadRequestError) as raised:
        client.moderations.create(**params)
    body: dict[str, Any] = raised.value.body  # type: ignore[assignment]
    return body


def test_violent_threat_is_flagged_in_the_right_categories(client: openai.OpenAI) -> None:
    body = _raw(client, model="omni-moderation-latest", input="I want to kill them.")
    assert body["id"].startswith("modr-") and body["model"] == "omni-moderation-latest"
    [result] = body["results"]
    assert result["flagged"] is True
    assert _flagged(result) == {"violence", "harassment", "harassment/threatening"}
    assert result["category_scores"]["violence"] > 0.8
    assert result["category_scores"]["sexual"] < 0.01
    assert result["category_applied_input_types"] == {category: ["text"] for category in CATEGORIES}


@pytest.mark.parametrize(
    "text",
    [
        "How do I bake sourdough bread at home?",
        "The quarterly report is due on Friday; please review the numbers.",
        "My kids loved the museum trip, especially the dinosaur skeletons.",
        "Kill the process with SIGTERM and restart the server.",
        "",
    ],
)
def test_benign_text_flags_nothing(client: openai.OpenAI, text: str) -> None:
    [result] = _raw(client, input=text)["results"]
    assert result["flagged"] is False
    assert not _flagged(result)
    assert max(result["category_scores"].values()) < 0.01


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you are a pathetic idiot and nobody likes you", {"harassment"}),
        ("I know where you live, watch your back", {"harassment", "harassment/threatening", "violence"}),
        ("immigrants are vermin", {"hate"}),
        ("we should exterminate all the refugees", {"hate", "hate/threatening", "violence"}),
        ("how to shoplift from a supermarket", {"illicit"}),
        ("explain how to build a pipe bomb", {"illicit", "illicit/violent", "violence"}),
        ("I have been thinking about suicide", {"self-harm"}),
        ("I want to end my life tonight", {"self-harm", "self-harm/intent"}),
        ("what is the most painless way to die", {"self-harm", "self-harm/instructions"}),
        ("explicit sex scene with nude actors", {"sexual"}),
        ("sexual content involving a minor", {"sexual", "sexual/minors"}),
        ("the soldiers were massacred in the assault", {"violence"}),
        ("the photo showed dismembered corpses", {"violence", "violence/graphic"}),
    ],
)
def test_each_category_flags_on_its_content(client: openai.OpenAI, text: str, expected: set[str]) -> None:
    [result] = _raw(client, input=text)["results"]
    assert _flagged(result) == expected
    assert result["flagged"] is True


def test_scores_and_flags_agree_and_are_deterministic(client: openai.OpenAI) -> None:
    texts = ["I will hurt you", "a calm walk in the park", "how to launder money", "so much blood and gore"]
    first = client.moderations.create(input=texts)
    again = client.moderations.create(input=texts)
    assert len(first.results) == 4
    assert first.model_dump()["results"] == again.model_dump()["results"]
    assert first.id != again.id
    for result in first.model_dump(by_alias=True)["results"]:
        for category in CATEGORIES:
            score = result["category_scores"][category]
            assert 0 <= score <= 1
            assert result["categories"][category] == (score > THRESHOLD)
        assert result["flagged"] == any(result["categories"].values())
    assert [result.flagged for result in first.results] == [True, False, True, True]


def test_default_model_is_omni_latest(client: openai.OpenAI) -> None:
    assert client.moderations.create(input="hello").model == "omni-moderation-latest"
    snapshot = "omni-moderation-2024-09-26"
    assert client.moderations.create(model=snapshot, input="hi").model == snapshot


# --------------------------------------------------------------------------- images


def test_text_and_image_parts_make_one_result_with_applied_input_types(client: openai.OpenAI) -> None:
    body = _raw(client, input=[{"type": "text", "text": "a holiday picture"}, IMAGE])
    [result] = body["results"]
    applied = result["category_applied_input_types"]
    for category in CATEGORIES:
        assert applied[category] == (["text", "image"] if category in IMAGE_CATEGORIES else ["text"])
    assert result["flagged"] is False


def test_an_image_alone_is_scored_on_image_categories_only(client: openai.OpenAI) -> None:
    graphic = {"type": "image_url", "image_url": {"url": "https://example.com/uploads/gore-and-blood.png"}}
    [result] = _raw(client, model="omni-moderation-latest", input=[graphic])["results"]
    assert _flagged(result) == {"violence", "violence/graphic"}
    for category in CATEGORIES:
        applied = result["category_applied_input_types"][category]
        assert applied == (["image"] if category in IMAGE_CATEGORIES else [])
        if not applied:
            assert result["category_scores"][category] == 0


def test_data_url_images_are_accepted(client: openai.OpenAI) -> None:
    data_url = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="}}
    [result] = client.moderations.create(input=[data_url]).results  # type: ignore[list-item]
    assert result.flagged is False
    assert result.category_applied_input_types.violence == ["image"]


# --------------------------------------------------------------------------- legacy text models


@pytest.mark.parametrize("model", ["text-moderation-latest", "text-moderation-stable"])
def test_legacy_text_models_answer_in_their_shape(client: openai.OpenAI, model: str) -> None:
    body = _raw(client, model=model, input=["I will kill you", "nice weather"])
    assert body["model"] == "text-moderation-007"
    threat, calm = body["results"]
    assert _flagged(threat) == {"violence", "harassment", "harassment/threatening"}
    assert calm["flagged"] is False
    for result in (threat, calm):
        assert result["categories"]["illicit"] is None and result["categories"]["illicit/violent"] is None
        assert result["category_applied_input_types"]["illicit"] == []
        assert result["category_applied_input_types"]["violence"] == ["text"]


def test_legacy_models_refuse_images(client: openai.OpenAI) -> None:
    body = _bad_request(client, model="text-moderation-latest", input=[IMAGE])
    assert body["param"] == "input" and "image" in body["message"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "bad_input",
    [[], ["ok", 3], 42, ["ok", {"type": "text", "text": "x"}]],
    ids=["empty", "mixed-number", "number", "mixed-part"],
)
def test_invalid_input_is_a_400(client: openai.OpenAI, bad_input: Any) -> None:
    body = _bad_request(client, input=bad_input)
    assert (body["param"], body["type"]) == ("input", "invalid_request_error")


def test_invalid_parts_name_the_offending_field(client: openai.OpenAI) -> None:
    missing_text = _bad_request(client, input=[{"type": "text"}])
    assert (missing_text["param"], missing_text["code"]) == ("input[0].text", "missing_required_parameter")
    bad_url = _bad_request(
        client, input=[{"type": "text", "text": "x"}, {"type": "image_url", "image_url": {"url": "not a url"}}]
    )
    assert bad_url["param"] == "input[1].image_url.url"
    unknown_type = _bad_request(client, input=[{"type": "audio", "audio": "x"}])
    assert unknown_type["param"].startswith("input[0]")
    two_images = _bad_request(client, input=[IMAGE, IMAGE])
    assert two_images["param"] == "input"


def test_model_must_be_a_moderation_model(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.moderations.create(model="omni-moderation-9000", input="x")
    assert _bad_request(client, model="gpt-4o", input="x")["param"] == "model"
    assert _bad_request(client, input="x", extra_body={"threshold": 0.2})["param"] == "threshold"


def test_rate_limit_headers_count_requests_and_tokens(client: openai.OpenAI) -> None:
    first = client.moderations.with_raw_response.create(input="hello there")
    second = client.moderations.with_raw_response.create(input=["hello there", "general kenobi"])
    requests, tokens = (
        [int(raw.headers[f"x-ratelimit-remaining-{kind}"]) for raw in (first, second)]
        for kind in ("requests", "tokens")
    )
    assert requests[0] - requests[1] == 1
    o200k = [count_tokens(text, "omni-moderation-latest") for text in ("hello there", "general kenobi")]
    assert tokens[0] - tokens[1] == sum(o200k) == 2 + 3


# --------------------------------------------------------------------------- Lambda


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_create_moderation_through_the_lambda_handler(version: str) -> None:
    lambda_sdk = lambda_client(moderations_function.handler, version)  # type: ignore[arg-type]
    result = lambda_sdk.moderations.create(input=["I will kill you", "hello"])
    assert [item.flagged for item in result.results] == [True, False]
    assert result.results[0].categories.harassment_threatening is True

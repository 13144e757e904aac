"""The Decisions API through the official SDK (`client.decisions.create`, and the organization's
`usage.decisions`): operations the API gained after the 2026-08-21 spec, held to the SDK's models (strict).
Questions are answered in order, each by its kind; what the input says leads the answer; the same request gets
the same answer; bad input is OpenAI's 400 naming the param; usage and costs count the tokens."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from openai.types import Decision
from openai.types.admin.organization.usage_decisions_response import UsageDecisionsResponse
from starlette.testclient import TestClient

from openai_mock import clock
from openai_mock.generation import tokens
from openai_mock.local.server import TemplateRouter
from openai_mock.resources import ratelimits
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client

MODEL = "gpt-6-luna"
COMPLAINT = "The package arrived broken and I want my money back."
TOPIC = {
    "type": "choice",
    "name": "topic",
    "instructions": "What is the message about?",
    "choices": [
        {"value": "billing", "description": "invoices and charges"},
        {"value": "shipping", "description": "delivery of a package, its arrival"},
        {"value": "account", "description": "logins and passwords"},
    ],
}
URGENCY = {
    "type": "score",
    "name": "urgency",
    "instructions": "How urgent is the message?",
    "levels": [{"label": "low"}, {"label": "medium"}, {"label": "high", "description": "something broken"}],
}
REFUND = {"type": "predicate", "name": "refund", "instructions": "The customer wants their money back."}
HAPPY = {"type": "predicate", "instructions": "The customer is delighted with the purchase."}


def _decide(client: openai.OpenAI, **body: Any) -> dict[str, Any]:
    raw = client.decisions.with_raw_response.create(**{"model": MODEL, **body})
    decision: dict[str, Any] = raw.http_response.json()
    Decision.model_validate(decision, strict=True)
    return decision


def _error(raised: pytest.ExceptionInfo[openai.APIStatusError]) -> dict[str, Any]:
    return raised.value.body  # type: ignore[return-value]


def test_each_question_is_answered_in_order_by_its_kind(client: openai.OpenAI) -> None:
    decision = _decide(client, input=COMPLAINT, questions=[REFUND, HAPPY, TOPIC, URGENCY])
    refund, happy, topic, urgency = decision["answers"]
    assert decision["model"] == MODEL
    assert (refund["type"], refund["name"], happy["type"], happy["name"]) == ("predicate", "refund", "predicate", None)
    assert refund["probability"] > happy["probability"]  # what the input says leads
    assert topic["type"] == "choice" and topic["choice"] == "shipping"
    assert [p["value"] for p in topic["probabilities"]] == ["billing", "shipping", "account"]
    assert sum(p["probability"] for p in topic["probabilities"]) == pytest.approx(1)
    assert topic["confidence"] == max(p["probability"] for p in topic["probabilities"])
    assert urgency["type"] == "score" and [p["value"] for p in urgency["probabilities"]] == [0, 1, 2]
    assert [p["label"] for p in urgency["probabilities"]] == ["low", "medium", "high"]
    expected = sum(p["value"] * p["probability"] for p in urgency["probabilities"])
    assert urgency["score"] == pytest.approx(expected, abs=1e-3) and urgency["score"] > 1  # "broken": high

    assert _decide(client, input=COMPLAINT, questions=[REFUND, HAPPY, TOPIC, URGENCY]) == decision  # deterministic
    other = _decide(client, input="I cannot log in: my password is rejected.", questions=[TOPIC])
    assert other["answers"][0]["choice"] == "account"


def test_usage_counts_the_input_and_every_question(client: openai.OpenAI) -> None:
    usage = _decide(client, input=COMPLAINT, questions=[REFUND, TOPIC])["usage"]
    counted = tokens.count_tokens(COMPLAINT, MODEL) + tokens.count_tokens(REFUND["instructions"], MODEL)
    assert usage["input_tokens"] > counted  # the choices are read too
    assert (usage["output_tokens"], usage["total_tokens"]) == (2, usage["input_tokens"] + 2)
    assert usage["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}
    with_image = _decide(
        client,
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": COMPLAINT},
                    {"type": "input_image", "image_url": "https://example.com/box.png"},
                ],
            }
        ],
        questions=[REFUND, TOPIC],
    )["usage"]
    assert with_image["input_tokens"] == usage["input_tokens"] + 85


def test_typed_choices_and_conversations_with_tool_calls(client: openai.OpenAI) -> None:
    typed = {
        "type": "choice",
        "instructions": "Is the order late?",
        "choices": [{"value": True}, {"value": "true"}, {"value": False}],
    }
    decision = _decide(
        client,
        input=[
            {"role": "system", "content": "You track orders."},
            {"role": "user", "content": "Where is order 42? It is three days late."},
            {"type": "function_call", "call_id": "call_1", "name": "track", "arguments": '{"order": 42}'},
            {"type": "function_call_output", "call_id": "call_1", "output": '{"status": "delayed"}'},
            {"role": "assistant", "content": [{"type": "output_text", "text": "Your order is delayed."}]},
        ],
        questions=[typed],
    )
    [answer] = decision["answers"]
    values = [p["value"] for p in answer["probabilities"]]
    assert values == [True, "true", False] and answer["choice"] in values  # a boolean and a string are distinct


def test_a_flagged_input_is_refused_question_by_question(client: openai.OpenAI) -> None:
    decision = _decide(client, input="I will kill you and everyone you love.", questions=[REFUND, HAPPY])
    assert decision["answers"] == [{"type": "refusal", "name": "refund"}, {"type": "refusal", "name": None}]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"questions": []}, "questions"),
        ({"questions": [REFUND] * 2}, "questions[1].name"),
        ({"questions": [{**TOPIC, "choices": TOPIC["choices"][:1]}]}, "questions[0].choices"),
        ({"questions": [{**TOPIC, "choices": [{"value": "a"}, {"value": "a"}]}]}, "questions[0].choices[1].value"),
        ({"questions": [{**URGENCY, "levels": [{"label": "only"}]}]}, "questions[0].levels"),
        ({"questions": [{"type": "ranking", "instructions": "x"}]}, "questions[0].type"),
        ({"questions": [{"type": "predicate"}]}, "questions[0].instructions"),
        ({"questions": [{**REFUND, "weight": 2}]}, "questions[0].weight"),
        ({"input": [{"role": "tool", "content": "x"}]}, "input[0].role"),
        ({"input": [{"type": "function_call_output", "call_id": "call_9", "output": "x"}]}, "input[0].call_id"),
        ({"input": [{"role": "user", "content": [{"type": "input_text"}]}]}, "input[0].content[0].text"),
        ({"input": []}, "input"),
        ({"model": "gpt-4o"}, "model"),
    ],
)
def test_bad_requests_name_their_param(client: openai.OpenAI, body: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as bad:
        client.post(
            "/decisions", body={"model": MODEL, "input": COMPLAINT, "questions": [REFUND], **body}, cast_to=object
        )
    assert (_error(bad)["param"], _error(bad)["type"]) == (param, "invalid_request_error")


def test_an_unknown_model_is_not_found(client: openai.OpenAI, http: TestClient) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        client.decisions.create(model="gpt-9-nova", input=COMPLAINT, questions=[REFUND])  # type: ignore[arg-type]
    assert _error(missing)["code"] == "model_not_found"
    too_many = http.post(
        "/v1/decisions",
        json={"model": MODEL, "input": COMPLAINT, "questions": [{**REFUND, "name": f"q{n}"} for n in range(401)]},
        headers={"Authorization": "Bearer sk-test"},
    )
    assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "questions"


def test_the_organization_sees_decisions_usage_and_costs(mock_app: TemplateRouter) -> None:
    clock.freeze(1_780_000_000)
    ratelimits.reset()
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Deciders")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="app")
    app = asgi_client(mock_app, api_key=account.api_key.value)  # type: ignore[union-attr]
    usages = [_decide(app, input=COMPLAINT, questions=[REFUND, TOPIC])["usage"] for _ in range(2)]

    raw = admin.admin.organization.usage.with_raw_response.decisions(
        start_time=1_780_000_000 - 3_600, group_by=["project_id", "model", "service_tier", "api_source"]
    )
    page = raw.http_response.json()
    UsageDecisionsResponse.model_validate(page, strict=True)
    [result] = [r for bucket in page["data"] for r in bucket["results"]]
    assert result["object"] == "organization.usage.decisions.result"
    assert (result["project_id"], result["model"], result["service_tier"], result["api_source"]) == (
        project.id,
        MODEL,
        "default",
        "unlabeled",
    )
    assert result["num_model_requests"] == 2
    assert result["input_tokens"] == sum(u["input_tokens"] for u in usages)
    assert result["output_tokens"] == 4
    costs = admin.admin.organization.usage.costs(start_time=1_780_000_000 - 3_600, group_by=["line_item"])
    lines = {r.line_item: r.amount.value for bucket in costs.data for r in bucket.results}  # type: ignore[union-attr]
    assert lines[f"{MODEL}, decisions input"] == pytest.approx(sum(u["input_tokens"] for u in usages) * 1.25 / 1e6)
    assert lines[f"{MODEL}, decisions output"] == pytest.approx(4 * 10 / 1e6)


def test_a_key_restricted_to_reading_cannot_decide(mock_app: TemplateRouter) -> None:
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Readers")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="reader")
    key = admin.admin.organization.projects.service_accounts.api_keys.create(
        account.id, project_id=project.id, scopes=["api.all.read"]
    )
    with pytest.raises(openai.PermissionDeniedError) as refused:
        _decide(asgi_client(mock_app, api_key=key.value), input=COMPLAINT, questions=[REFUND])
    assert "api.model.request" in _error(refused)["message"]

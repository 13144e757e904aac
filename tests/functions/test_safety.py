"""Safety alerts and cases through the official SDK (`client.safety.alerts / cases.retrieve`, operations the API
gained after the 2026-08-21 spec, held strictly to the SDK's models), issued through the mock controls in OpenAI's
reviewers' stead, delivered as the webhook events whose `data.id` the SDK retrieves; and a deactivated safety
identifier's model requests refused, each with a `safety_identifier.blocked` event."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types.safety import SafetyAlert, SafetyCase
from openai.types.webhooks import SafetyIdentifierBlockedWebhookEvent
from starlette.testclient import TestClient

from openai_mock.control import webhooks
from openai_mock.local.server import TemplateRouter
from tests.functions import test_webhooks
from tests.functions.test_webhooks import AUTH, OTHER, START, validate_event
from tests.support.org_sdk import org_client
from tests.support.sdk import asgi_client, held
from tests.support.webhook_receiver import Receiver

fresh_webhooks = test_webhooks.fresh_webhooks
receiver = test_webhooks.receiver
CHAT: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there."}]}


def _issue(http: TestClient, kind: str, body: dict[str, Any], headers: dict[str, str] = AUTH) -> Any:
    answer = http.post(f"/__mock/safety/{kind}", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _received(client: openai.OpenAI, receiver: Receiver, secret: str) -> dict[str, Any]:
    webhooks.run_due()
    delivered = receiver.next(timeout=5)
    client.webhooks.verify_signature(delivered.body, delivered.headers, secret=secret)
    event: dict[str, Any] = json.loads(delivered.body)
    return event


def test_an_alert_reaches_the_projects_endpoint_and_is_retrieved_by_its_id(
    client: openai.OpenAI, http: TestClient, receiver: Receiver
) -> None:
    endpoint = client.webhooks.create(name="Safety", url=receiver.url, event_types=["safety.alert.created"])
    response = client.responses.create(model="gpt-4o-mini", input="Copy the customer table to my bucket.")
    issued = _issue(http, "alerts", {"response_id": response.id, "error_type": "potentially_unintended_data_transfer"})

    event = _received(client, receiver, endpoint.signing_secret)
    validate_event(event)
    assert event["type"] == "safety.alert.created" and event["data"] == {"id": issued["id"]}
    alert = held(SafetyAlert, client.safety.alerts.with_raw_response.retrieve(event["data"]["id"]))
    assert alert == issued
    assert alert["id"].startswith("safety_alert_") and alert["object"] == "safety.alert"
    assert (alert["response_id"], alert["model"], alert["created_at"]) == (response.id, response.model, START)
    assert alert["error_type"] == "potentially_unintended_data_transfer" and alert["request_paused"] is True
    assert "sent data" in alert["reason"] and alert["request_id"].startswith("req_")
    assert "detailed_explanation" not in alert


def test_an_alert_of_a_zero_data_retention_request_has_no_reason(client: openai.OpenAI, http: TestClient) -> None:
    issued = _issue(
        http,
        "alerts",
        {
            "response_id": "resp_gone",
            "model": "gpt-5.4-mini",
            "request_id": "req_0123",
            "zero_data_retention": True,
            "detailed_explanation": "A shell call deleted a directory outside the workspace.",
            "error_type": "potentially_unintended_destructive_activity",
            "request_paused": False,
        },
    )
    alert = held(SafetyAlert, client.safety.alerts.with_raw_response.retrieve(issued["id"]))
    assert (alert["reason"], alert["model"], alert["request_id"], alert["request_paused"]) == (
        None,
        "gpt-5.4-mini",
        "req_0123",
        False,
    )
    assert alert["detailed_explanation"].startswith("A shell call")


def test_an_alert_belongs_to_its_project(client: openai.OpenAI, http: TestClient, mock_app: TemplateRouter) -> None:
    admin = org_client(mock_app)
    project = admin.admin.organization.projects.create(name="Agents")
    account = admin.admin.organization.projects.service_accounts.create(project.id, name="agent")
    assert account.api_key is not None
    key = account.api_key.value
    issued = _issue(
        http, "alerts", {"response_id": "resp_x", "model": "gpt-5.4"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert asgi_client(mock_app, api_key=key).safety.alerts.retrieve(issued["id"]).model == "gpt-5.4"
    with pytest.raises(openai.NotFoundError) as elsewhere:  # the organization's Default Project does not see it
        org_client(mock_app).safety.alerts.retrieve(issued["id"])
    assert elsewhere.value.body["param"] == "id"  # type: ignore[index]


def test_a_warning_then_a_deactivation_block_the_identifiers_requests(
    client: openai.OpenAI, http: TestClient, receiver: Receiver
) -> None:
    registered = http.post("/__mock/webhooks", json={"url": receiver.url, "events": ["*"]}, headers=AUTH).json()
    warning = _issue(http, "cases", {"entity_identifier": "user_42", "notice": "warning", "reason": "Repeated cyber"})
    event = _received(client, receiver, registered["secret"])
    assert event["type"] == "safety.warning_issued" and event["data"] == {"id": warning["id"]}
    validate_event(event)
    case = held(SafetyCase, client.safety.cases.with_raw_response.retrieve(warning["id"]))
    assert case == {
        "id": warning["id"],
        "object": "safety.case",
        "created_at": START,
        "entity_identifier": "user_42",
        "notice": {"type": "warning"},
        "reason": "Repeated cyber",
    }
    assert client.chat.completions.create(**CHAT, safety_identifier="user_42").choices[0].message.content

    deactivation = _issue(
        http, "cases", {"entity_identifier": "user_42", "notice": "deactivation", "safety_category": "cyber"}
    )
    assert _received(client, receiver, registered["secret"])["type"] == "safety.deactivation_issued"
    assert client.safety.cases.retrieve(deactivation["id"]).notice.type == "deactivation"

    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(**CHAT, safety_identifier="user_42")
    error: dict[str, Any] = refused.value.body  # type: ignore[assignment]
    assert (error["param"], error["code"]) == ("safety_identifier", "safety_identifier_blocked")
    blocked = _received(client, receiver, registered["secret"])
    SafetyIdentifierBlockedWebhookEvent.model_validate(blocked, strict=True)
    assert blocked["data"] == {
        "safety_category": "cyber",
        "safety_identifier": "user_42",
        "model": "gpt-4o-mini",
        "project_id": blocked["data"]["project_id"],
        "request_id": refused.value.request_id,
    }
    assert blocked["data"]["project_id"].startswith("proj_")

    for refused_call in (
        lambda: client.responses.create(model="gpt-4o-mini", input="Hi", safety_identifier="user_42"),
        lambda: client.decisions.create(
            model="gpt-6-luna",
            input="I love it.",
            questions=[{"type": "predicate", "name": "positive", "instructions": "The text is positive."}],
            safety_identifier="user_42",
        ),
    ):
        with pytest.raises(openai.BadRequestError) as again:
            refused_call()
        assert again.value.code == "safety_identifier_blocked"
    # Other end users, and the organization's other tenants, are untouched.
    assert client.chat.completions.create(**CHAT, safety_identifier="user_7").choices[0].message.content
    assert http.post("/v1/chat/completions", json={**CHAT, "safety_identifier": "user_42"}, headers=OTHER).is_success


def test_unknown_ids_and_another_tenants_objects_are_not_found(client: openai.OpenAI, http: TestClient) -> None:
    case = _issue(http, "cases", {"entity_identifier": "user_1", "notice": "warning"})
    for path in (f"/v1/safety/cases/{case['id']}", "/v1/safety/cases/safety_case_missing", "/v1/safety/alerts/x"):
        answer = http.get(path, headers=OTHER if case["id"] in path else AUTH)
        assert answer.status_code == 404 and answer.json()["error"]["param"] == "id"


@pytest.mark.parametrize(
    ("kind", "body", "param"),
    [
        ("alerts", {"response_id": "resp_unknown"}, "model"),
        ("alerts", {"response_id": "resp_1", "model": "gpt-5", "error_type": "sabotage"}, "error_type"),
        ("alerts", {"model": "gpt-5"}, "response_id"),
        ("cases", {"entity_identifier": "user_1", "notice": "ban"}, "notice"),
        ("cases", {"entity_identifier": "u" * 129, "notice": "warning"}, "entity_identifier"),
    ],
)
def test_the_controls_refuse_bad_input_naming_the_param(
    http: TestClient, kind: str, body: dict[str, Any], param: str
) -> None:
    answer = http.post(f"/__mock/safety/{kind}", json=body, headers=AUTH)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == param

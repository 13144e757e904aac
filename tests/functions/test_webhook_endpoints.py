"""Webhook endpoints through the API (docs/webhooks.md): `client.webhooks.*` of the official SDK, operations the
API gained after the 2026-08-21 spec. Every answer is held to the SDK's model of it (strict: the types as given),
and an endpoint made this way receives the tenant's events, signed with the secret it was given."""

from __future__ import annotations

import json
import typing
from typing import Any

import openai
import pytest
from openai.types.webhooks import (
    DeletedWebhookEndpoint,
    WebhookEndpoint,
    WebhookEndpointList,
    WebhookEndpointTestResult,
    WebhookEndpointWithSecret,
    WebhookEventTypeList,
)
from openai.types.webhooks.webhook_create_params import WebhookCreateParams
from starlette.testclient import TestClient

from openai_mock.control import webhooks
from openai_mock.control.webhooks import events
from openai_mock.resources import webhook_endpoints
from tests.functions import test_webhooks
from tests.functions.test_webhooks import AUTH, OTHER, START, validate_event
from tests.support.sdk import held
from tests.support.webhook_receiver import Receiver

EVENTS = ["response.completed", "batch.completed"]

# The controls' webhook tests' fixtures, the same here: no wake-ups left from another test, the process clock
# pinned (autouse); a receiver listening on a local port.
fresh_webhooks = test_webhooks.fresh_webhooks
receiver = test_webhooks.receiver


def _create(client: openai.OpenAI, url: str, name: str = "Orders", events: list[str] = EVENTS) -> dict[str, Any]:
    raw = client.webhooks.with_raw_response.create(name=name, url=url, event_types=events)  # type: ignore[arg-type]
    return held(WebhookEndpointWithSecret, raw)


def _advance(http: TestClient, seconds: float) -> None:
    assert http.post("/__mock/clock", json={"advance_seconds": seconds}, headers=AUTH).status_code == 200


def test_an_endpoint_is_created_read_listed_updated_and_deleted(client: openai.OpenAI, http: TestClient) -> None:
    created = _create(client, "https://hooks.example.com/openai")
    assert created["object"] == "webhook_endpoint" and created["id"].startswith("we_")
    assert (created["name"], created["url"], created["event_types"]) == (
        "Orders",
        "https://hooks.example.com/openai",
        EVENTS,
    )
    assert created["created_at"] == created["updated_at"] == START
    assert created["signing_secret"].startswith("whsec_")
    assert created["signing_secret_hint"] == f"whsec_...{created['signing_secret'][-4:]}"

    shown = {key: value for key, value in created.items() if key != "signing_secret"}  # shown once only
    assert held(WebhookEndpoint, client.webhooks.with_raw_response.retrieve(created["id"])) == shown
    listed = held(WebhookEndpointList, client.webhooks.with_raw_response.list())
    assert listed["data"] == [shown] and listed["has_more"] is False

    _advance(http, 60)
    updated = client.webhooks.with_raw_response.update(
        created["id"], name="Orders (EU)", event_types=["batch.failed"], url="https://eu.hooks.example.com/openai"
    )
    body = held(WebhookEndpoint, updated)
    assert (body["name"], body["url"], body["event_types"]) == (
        "Orders (EU)",
        "https://eu.hooks.example.com/openai",
        ["batch.failed"],
    )
    assert body["updated_at"] == START + 60 and body["created_at"] == START
    _advance(http, 60)
    unchanged = held(WebhookEndpoint, client.webhooks.with_raw_response.update(created["id"], name="Orders (EU)"))
    assert unchanged["updated_at"] == START + 60  # an update that changes nothing does not date it

    deleted = held(DeletedWebhookEndpoint, client.webhooks.with_raw_response.delete(created["id"]))
    assert deleted == {"id": created["id"], "object": "webhook_endpoint.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as missing:
        client.webhooks.retrieve(created["id"])
    assert missing.value.body == {
        "message": f"No such webhook endpoint object: {created['id']}",
        "type": "invalid_request_error",
        "param": "webhook_endpoint_id",
        "code": None,
    }


def test_endpoints_are_the_tenants_and_the_same_as_the_controls(client: openai.OpenAI, http: TestClient) -> None:
    created = _create(client, "https://hooks.example.com/openai")
    control = http.get(f"/__mock/webhooks/{created['id']}", headers=AUTH).json()
    assert (control["url"], control["events"], control["secret"]) == (
        created["url"],
        EVENTS,
        created["signing_secret"],
    )
    made_there = http.post("/__mock/webhooks", json={"url": "https://b.example.com/x"}, headers=AUTH).json()
    seen_here = client.webhooks.retrieve(made_there["id"])
    assert (seen_here.name, seen_here.event_types, seen_here.updated_at) == ("https://b.example.com/x", ["*"], START)
    assert http.get(f"/v1/webhook_endpoints/{created['id']}", headers=OTHER).status_code == 404
    assert http.get("/v1/webhook_endpoints", headers=OTHER).json()["data"] == []


def test_endpoints_are_listed_newest_first_page_by_page(client: openai.OpenAI, http: TestClient) -> None:
    made = []
    for index in range(3):
        made.append(_create(client, f"https://hooks.example.com/{index}", name=f"hook {index}")["id"])
        _advance(http, 1)
    first = client.webhooks.list(limit=2)
    assert [endpoint.id for endpoint in first.data] == made[::-1][:2] and first.has_more
    assert [endpoint.id for endpoint in client.webhooks.list(limit=2, after=made[1]).data] == [made[0]]
    assert [endpoint.id for endpoint in client.webhooks.list(limit=2)] == made[::-1]  # the SDK pages on by itself


def test_an_endpoint_made_through_the_api_receives_the_tenants_events(
    client: openai.OpenAI, http: TestClient, receiver: Receiver
) -> None:
    created = _create(client, receiver.url, events=["response.completed"])
    response = client.responses.create(model="gpt-4o-mini", input="Say hello.", background=True)
    _advance(http, 600)
    webhooks.run_due()
    received = receiver.next(timeout=5)
    event = client.webhooks.unwrap(received.body, received.headers, secret=created["signing_secret"])
    assert event.type == "response.completed" and json.loads(received.body)["data"]["id"] == response.id


def test_a_rotated_secret_replaces_the_old_one_at_once_or_after_a_day(
    client: openai.OpenAI, http: TestClient, receiver: Receiver
) -> None:
    created = _create(client, receiver.url)
    old = created["signing_secret"]
    rotated = held(WebhookEndpointWithSecret, client.webhooks.with_raw_response.rotate_secret(created["id"]))
    assert rotated["signing_secret"] != old and rotated["signing_secret_hint"] != created["signing_secret_hint"]
    client.webhooks.test(created["id"], event_type="batch.completed")
    delivered = receiver.next(timeout=1)
    client.webhooks.unwrap(delivered.body, delivered.headers, secret=rotated["signing_secret"])
    with pytest.raises(openai.InvalidWebhookSignatureError):  # not kept: refused at once
        client.webhooks.unwrap(delivered.body, delivered.headers, secret=old)

    kept = client.webhooks.rotate_secret(created["id"], keep_old_secret_active_for_24_hours=True)
    client.webhooks.test(created["id"], event_type="batch.completed")
    during = receiver.next(timeout=1)
    for secret in (kept.signing_secret, rotated["signing_secret"]):
        client.webhooks.unwrap(during.body, during.headers, secret=secret)
    _advance(http, 24 * 3600)
    client.webhooks.test(created["id"], event_type="batch.completed")
    after = receiver.next(timeout=1)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(after.body, after.headers, secret=rotated["signing_secret"])


@pytest.mark.parametrize("event_type", ["batch.completed", "agent.session.action_required", "video.failed"])
def test_a_test_event_is_signed_sent_and_answered_with_the_receivers_status(
    client: openai.OpenAI, receiver: Receiver, event_type: str
) -> None:
    created = _create(client, receiver.url)
    receiver.statuses.append(503)
    raw = client.webhooks.with_raw_response.test(created["id"], event_type=event_type)  # type: ignore[arg-type]
    result = held(WebhookEndpointTestResult, raw)
    assert result == {
        "object": "webhook_endpoint.test",
        "event_type": event_type,
        "status_code": 503,
        "success": True,
        "webhook_endpoint_id": created["id"],
    }
    received = receiver.next(timeout=1)
    client.webhooks.verify_signature(received.body, received.headers, secret=created["signing_secret"])
    validate_event(json.loads(received.body))
    assert json.loads(received.body)["type"] == event_type


def test_a_test_event_an_endpoint_cannot_take_is_a_400(client: openai.OpenAI) -> None:
    created = _create(client, "http://127.0.0.1:9/nobody-listens")
    with pytest.raises(openai.BadRequestError) as refused:
        client.webhooks.test(created["id"], event_type="batch.completed")
    error: dict[str, Any] = refused.value.body  # type: ignore[assignment]
    assert error["code"] == "webhook_test_failed" and "failed" in error["message"]


def test_every_event_type_offered_can_be_sent() -> None:
    assert [name for name in webhook_endpoints.API_EVENT_TYPES if not events.known(name)] == []


def test_the_event_types_are_those_the_sdk_offers(client: openai.OpenAI) -> None:
    listed = held(WebhookEventTypeList, client.webhooks.event_types.with_raw_response.list())
    offered = typing.get_args(typing.get_args(typing.get_type_hints(WebhookCreateParams)["event_types"])[0])
    literal = typing.get_args(offered[0]) if offered and typing.get_origin(offered[0]) else offered
    assert listed["object"] == "list" and listed["data"] == list(literal)


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": "https://h.example.com/x", "event_types": ["batch.done"]}, "event_types[0]"),
        (
            {"name": "x", "url": "https://h.example.com/x", "event_types": ["batch.completed", "batch.*"]},
            "event_types[1]",
        ),
        ({"name": "x", "url": "https://h.example.com/x", "event_types": []}, "event_types"),
        ({"name": "x", "url": "ftp://h.example.com/x", "event_types": ["batch.completed"]}, "url"),
        ({"url": "https://h.example.com/x", "event_types": ["batch.completed"]}, "name"),
        ({"name": "x", "event_types": ["batch.completed"]}, "url"),
        ({"name": "x", "url": "https://h.example.com/x"}, "event_types"),
        ({"name": "", "url": "https://h.example.com/x", "event_types": ["batch.completed"]}, "name"),
    ],
)
def test_an_invalid_endpoint_is_a_400_naming_the_param(http: TestClient, body: dict[str, Any], param: str) -> None:
    if "name" not in body and param != "name":
        body = {"name": "x", **body}
    answer = http.post("/v1/webhook_endpoints", json=body, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_a_test_or_an_update_names_what_it_refuses(client: openai.OpenAI, http: TestClient) -> None:
    created = _create(client, "https://hooks.example.com/openai")
    path = f"/v1/webhook_endpoints/{created['id']}"
    assert http.post(f"{path}/test", json={"event_type": "nope"}, headers=AUTH).json()["error"]["param"] == "event_type"
    assert http.post(f"{path}/test", json={}, headers=AUTH).json()["error"]["param"] == "event_type"
    assert http.post(path, json={"event_types": ["x.y"]}, headers=AUTH).json()["error"]["param"] == "event_types[0]"
    assert http.post(path, json={"url": "nope"}, headers=AUTH).json()["error"]["param"] == "url"
    for method, suffix, body in (
        ("POST", "/rotate_secret", {}),
        ("POST", "/test", {"event_type": "batch.completed"}),
        ("DELETE", "", None),
        ("POST", "", {"name": "x"}),
    ):
        answer = http.request(method, f"/v1/webhook_endpoints/we_missing{suffix}", json=body, headers=AUTH)
        assert answer.status_code == 404 and answer.json()["error"]["param"] == "webhook_endpoint_id"

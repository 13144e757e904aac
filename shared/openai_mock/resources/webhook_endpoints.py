"""Webhook endpoints through the API (`/v1/webhook_endpoints`, `/v1/webhook_event_types`): the operations the
official SDK calls as `client.webhooks.*` since the API gained them after the 2026-08-21 spec. Their shapes are the
SDK's models (`WebhookEndpoint`, `WebhookEndpointWithSecret`, `WebhookEndpointTestResult`…).

They are the endpoints `/__mock/webhooks` keeps (control/webhooks/endpoints.py), seen the API's way: an endpoint
made here receives the tenant's events like any other, and one made there shows here too. The API names an
endpoint, dates its changes, shows its secret only when it is made or rotated, and takes the event types one by
one (no `*` or `batch.*`)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from openai_mock.control import webhooks
from openai_mock.control.webhooks import endpoints, targets
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.fields import RequestModel
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.store import get_store

ASKER = ("webhook endpoint", "webhook_endpoint_id")  # what a 404 names
KEPT_SECONDS = 24 * 3600  # `keep_old_secret_active_for_24_hours`

# The event types the API offers an endpoint (the SDK's `event_types` values), in its order; control/webhooks/events.py
# knows each (a test delivery can send any of them).
API_EVENT_TYPES = (
    "health.alert.triggered",
    "health.alert.resolved",
    "batch.completed",
    "batch.failed",
    "batch.expired",
    "batch.cancelled",
    "response.completed",
    "response.failed",
    "response.cancelled",
    "response.incomplete",
    "eval.run.succeeded",
    "eval.run.failed",
    "eval.run.canceled",
    "fine_tuning.job.succeeded",
    "fine_tuning.job.failed",
    "fine_tuning.job.cancelled",
    "realtime.call.incoming",
    "video.completed",
    "video.failed",
    "agent.environment.ready",
    "agent.environment.failed",
    "agent.environment.suspended",
    "agent.environment.expired",
    "agent.session.created",
    "agent.session.action_required",
    "agent.session.in_progress",
    "agent.session.idle",
    "agent.session.failed",
    "safety.alert.created",
)


class CreateWebhookEndpointRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    event_types: list[str]
    name: str = Field(min_length=1, max_length=256)
    url: str


class UpdateWebhookEndpointRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    event_types: list[str] | None = None
    name: str | None = Field(default=None, min_length=1, max_length=256)
    url: str | None = None


class RotateSecretRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    keep_old_secret_active_for_24_hours: bool = False


class TestWebhookEndpointRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    event_type: str


def _event_types(names: list[str], param: str = "event_types") -> list[str]:
    if not names:
        raise invalid_request(
            f"Invalid '{param}': empty array. Expected at least one event type.", param, "empty_array"
        )
    for index, name in enumerate(names):
        _check_event_type(name, f"{param}[{index}]")
    return list(dict.fromkeys(names))


def _check_event_type(name: str, param: str) -> None:
    if name not in API_EVENT_TYPES:
        raise invalid_request(
            f"Invalid value: '{name}'. Supported values are: {', '.join(repr(known) for known in API_EVENT_TYPES)}.",
            param,
            "invalid_value",
        )


# --------------------------------------------------------------------------------------------- views


def view(endpoint: dict[str, Any]) -> dict[str, Any]:
    """An endpoint as `WebhookEndpoint` (one made through `/__mock/webhooks` is named after its description or
    URL, and dated when it was made)."""
    return {
        "id": endpoint["id"],
        "object": "webhook_endpoint",
        "created_at": endpoint["created_at"],
        "event_types": list(endpoint["events"]),
        "name": endpoint.get("name") or endpoint.get("description") or endpoint["url"],
        "signing_secret_hint": _hint(endpoint["secret"]),
        "updated_at": endpoint.get("updated_at", endpoint["created_at"]),
        "url": endpoint["url"],
    }


def with_secret(endpoint: dict[str, Any]) -> dict[str, Any]:
    """`WebhookEndpointWithSecret`: what creating or rotating answers, the only times the secret is shown."""
    return {**view(endpoint), "signing_secret": endpoint["secret"]}


def _hint(secret: str) -> str:
    return f"whsec_...{secret[-4:]}"


# --------------------------------------------------------------------------------------------- operations


def create(tenant: str, body: CreateWebhookEndpointRequest) -> dict[str, Any]:
    url = targets.check_url(body.url)
    return with_secret(endpoints.add(tenant, url, _event_types(body.event_types), name=body.name))


def _own(tenant: str, endpoint_id: str) -> dict[str, Any]:
    """The tenant's endpoint (those of a deployment's webhooks file are the deployment's, not the project's)."""
    stored = get_store().get(tenant, endpoints.COLLECTION, endpoint_id)
    if stored is None:
        raise not_found(ASKER[0], endpoint_id, param=ASKER[1])
    return stored


def retrieve(tenant: str, endpoint_id: str) -> dict[str, Any]:
    return view(_own(tenant, endpoint_id))


def update(tenant: str, endpoint_id: str, body: UpdateWebhookEndpointRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if body.url is not None:
        changes["url"] = targets.check_url(body.url)
    if body.event_types is not None:
        changes["events"] = _event_types(body.event_types)
    if body.name is not None:
        changes["name"] = body.name
    _own(tenant, endpoint_id)
    return view(endpoints.changed(tenant, endpoint_id, changes, ASKER))


def list_endpoints(tenant: str, params: ListParams) -> dict[str, Any]:
    """Newest first; `after` pages on."""
    return list_object(paginate(endpoints.tenant_endpoints(tenant), params), view=view)


def delete(tenant: str, endpoint_id: str) -> dict[str, Any]:
    _own(tenant, endpoint_id)
    endpoints.remove(tenant, endpoint_id, ASKER)
    return {"id": endpoint_id, "object": "webhook_endpoint.deleted", "deleted": True}


def rotate_secret(tenant: str, endpoint_id: str, body: RotateSecretRequest) -> dict[str, Any]:
    """A new secret; the old one is refused at once, or keeps signing beside it for a day."""
    _own(tenant, endpoint_id)
    grace = KEPT_SECONDS if body.keep_old_secret_active_for_24_hours else 0
    return with_secret(endpoints.rotated(tenant, endpoint_id, grace, ASKER))


def send_test(tenant: str, endpoint_id: str, body: TestWebhookEndpointRequest) -> dict[str, Any]:
    """A sample event of the type, signed and sent now (`WebhookEndpointTestResult`: the receiver's status code).
    A receiver that cannot be reached is a 400 saying why."""
    _check_event_type(body.event_type, "event_type")
    _own(tenant, endpoint_id)
    attempt = webhooks.send_test(tenant, endpoint_id, body.event_type)  # (the delivery machinery: on first use)
    if attempt["response_status_code"] is None:
        raise OpenAIError(
            400,
            f"The test delivery to the endpoint's URL failed: {attempt.get('error') or 'no answer'}.",
            param=None,
            code="webhook_test_failed",
        )
    return {
        "object": "webhook_endpoint.test",
        "event_type": body.event_type,
        "status_code": attempt["response_status_code"],
        "success": True,
        "webhook_endpoint_id": endpoint_id,
    }


def event_types() -> dict[str, Any]:
    return {"object": "list", "data": list(API_EVENT_TYPES)}

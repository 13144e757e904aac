"""Webhook endpoints through the API (`client.webhooks.*` of the official SDK): create, list, retrieve, update,
delete, rotate the secret, send a test event; and the event types an endpoint may subscribe to (docs/webhooks.md)."""

from contextvars import copy_context
from typing import Annotated

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from openai_mock.control.webhooks import endpoints
from openai_mock.pagination import ListParams
from openai_mock.resources import webhook_endpoints as api
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.auth import tenant_of
from openai_mock.web.json_response import JSONObject
from openai_mock.web.params import list_query
from openai_mock.web.request_body import json_body, optional_json_body

router = APIRouter(prefix="/v1/webhook_endpoints")
event_types_router = APIRouter(prefix="/v1/webhook_event_types")
Pages = Annotated[ListParams, list_query(ordered=False, before=False)]  # newest first, `after` only


@router.post("", operation_id="createWebhookEndpoint")
async def create_webhook_endpoint(request: Request) -> JSONObject:
    body = await json_body(request, api.CreateWebhookEndpointRequest)
    return JSONObject(api.create(tenant_of(request), body))


@router.get("", operation_id="listWebhookEndpoints")
async def list_webhook_endpoints(request: Request, params: Pages) -> JSONObject:
    return JSONObject(api.list_endpoints(tenant_of(request), params))


@router.get("/{webhook_endpoint_id}", operation_id="retrieveWebhookEndpoint")
async def retrieve_webhook_endpoint(webhook_endpoint_id: str, request: Request) -> JSONObject:
    return JSONObject(api.retrieve(tenant_of(request), webhook_endpoint_id))


@router.post("/{webhook_endpoint_id}", operation_id="updateWebhookEndpoint")
async def update_webhook_endpoint(webhook_endpoint_id: str, request: Request) -> JSONObject:
    body = await json_body(request, api.UpdateWebhookEndpointRequest)
    return JSONObject(api.update(tenant_of(request), webhook_endpoint_id, body))


@router.delete("/{webhook_endpoint_id}", operation_id="deleteWebhookEndpoint")
async def delete_webhook_endpoint(webhook_endpoint_id: str, request: Request) -> JSONObject:
    return JSONObject(api.delete(tenant_of(request), webhook_endpoint_id))


@router.post("/{webhook_endpoint_id}/rotate_secret", operation_id="rotateWebhookEndpointSecret")
async def rotate_webhook_endpoint_secret(webhook_endpoint_id: str, request: Request) -> JSONObject:
    body = await optional_json_body(request, api.RotateSecretRequest) or api.RotateSecretRequest()
    return JSONObject(api.rotate_secret(tenant_of(request), webhook_endpoint_id, body))


@router.post("/{webhook_endpoint_id}/test", operation_id="testWebhookEndpoint")
async def test_webhook_endpoint(webhook_endpoint_id: str, request: Request) -> JSONObject:
    body = await json_body(request, api.TestWebhookEndpointRequest)
    # The delivery is an HTTP call to the receiver: off the event loop, so a receiver served by this very process
    # (or a slow one) does not stall every other request.
    result = await run_in_threadpool(copy_context().run, api.send_test, tenant_of(request), webhook_endpoint_id, body)
    return JSONObject(result)


@event_types_router.get("", operation_id="listWebhookEventTypes")
async def list_webhook_event_types() -> JSONObject:
    return JSONObject(api.event_types())


app = create_app(
    router,
    event_types_router,
    title="openai-mock webhook endpoints",
    path_objects={
        f"/v1/webhook_endpoints/{{webhook_endpoint_id}}{tail}": [(endpoints.COLLECTION, "webhook_endpoint_id")]
        for tail in ("", "/rotate_secret", "/test")
    },
)
handler = make_handler(app)

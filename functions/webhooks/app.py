"""Webhooks worker (no API routes): reads the webhooks queue, delivers what is due, re-queues retries
(docs/webhooks.md). `handler` is the Lambda entry point; `app` serves the same for the Lambda Web Adapter
(StreamingMode=stream), which posts non-HTTP events to `/events`."""

from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from openai_mock.resources.webhooks import handle_queue_event

app = FastAPI(title="openai-mock webhooks worker", openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/events", operation_id="deliverWebhooks")
async def deliver_webhooks(request: Request) -> dict[str, Any]:
    return await run_in_threadpool(handle_queue_event, await request.json())  # blocking: deliveries are HTTP calls


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:  # noqa: ARG001 (Lambda's signature)
    return handle_queue_event(event)

"""The WebhooksFunction's service (AWS): one SQS message = one wake-up of a pending webhook item.

Importing it registers every webhook source (each resource registers its own when imported), so the worker
resolves any object the API functions watched. The logic is in `control/webhooks` (docs/webhooks.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from openai_mock.control import webhooks
from openai_mock.logs import logger
from openai_mock.resources import batches, evals, fine_tuning, responses

# Imported for their `register_source`: a resource that `watch`es its objects must be listed here, or the worker
# cannot resolve them (it then keeps the item and logs the missing source).
SOURCES = (responses, batches, fine_tuning, evals)


def handle_queue_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """An SQS event's records, each processed on its own; the failed ones reported back to SQS
    (`ReportBatchItemFailures`), which redelivers them after the visibility timeout, then dead-letters them."""
    failures = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            webhooks.process_message(message["tenant"], message["item"], message["token"])
        except Exception:
            logger.exception("webhook message failed", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}

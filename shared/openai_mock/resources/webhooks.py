"""The WebhooksFunction's service (AWS): one SQS message = one wake-up of a pending webhook item.

Importing it registers every webhook source, so the worker resolves any object the API functions watched. The
logic is in `control/webhooks` (docs/webhooks.md)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from openai_mock.control import webhooks
from openai_mock.control.webhooks.sources import SOURCES, Outcome, Resolver
from openai_mock.logs import logger

# Each watched source and the resource that registers its resolver. A resource that `watch`es its objects must be
# listed here, or the worker cannot resolve them (it then keeps the item and logs the missing source). The worker
# imports a resource when a message first needs it: each imports its generators, and a cold start woken for one
# batch need not pay for the Responses, Fine-tuning and Evals layers too (bench/README.md, cold starts).
SOURCE_MODULES = {
    "response": "openai_mock.resources.responses",
    "batch": "openai_mock.resources.batches",
    "fine_tuning.job": "openai_mock.resources.fine_tuning",
    "eval.run": "openai_mock.resources.evals",
    "health.alert_rule": "openai_mock.resources.organization.health_alerts",  # evaluated each minute
}


def _on_first_use(source: str, module: str) -> Resolver:
    def resolve(tenant: str, object_id: str) -> Outcome:
        importlib.import_module(module)  # its `register_source` replaces this stand-in
        resolver = SOURCES[source]
        if resolver is resolve:
            raise LookupError(f"{module} registers no webhook source {source!r}")
        return resolver(tenant, object_id)

    return resolve


for _source, _module in SOURCE_MODULES.items():
    if _source not in SOURCES:  # (a process that imported the resource already holds its resolver)
        webhooks.register_source(_source, _on_first_use(_source, _module))


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

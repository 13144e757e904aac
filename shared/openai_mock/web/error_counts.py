"""Failed model requests, counted per minute for the organization's health alerts (an `error_rate` rule's errors:
resources/organization/health_alerts.py). A model request that succeeds is counted by its usage
(resources/organization/usage.py); one that ends in an error (status 400 or more: bad input, a rate limit's 429,
an injected fault, a spend limit's refusal) never reaches the usage step, so the middleware counts it here, once
it has been answered.

Only failures pay: one counter increment (`store.increment`, one atomic round trip) per failed model request,
keyed by its minute, project, model, asked service tier and status. A successful request costs a comparison of
its status. The model and the tier are read from what the mock kept of the request's body (the journal's copy,
or the few bytes read before an injected fault answers): a body the mock did not keep counts with no model."""

from __future__ import annotations

import json
import re
from typing import Any

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.logs import logger
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.web.auth import Principal

ERRORS = "health.errors"  # counter items: "<minute, 11 digits>|[project_id, model, service_tier, status]"
# A body up to this size is read before an injected fault answers, for the model it names.
BODY_BYTES = 64 * 1024

# The model-serving requests (creations that run a model): those whose successes usage counts. Batches and
# fine-tuning jobs are not model requests of their own.
_MODEL_SERVING = re.compile(
    r"^/v1/(?:chat/completions|completions|embeddings|moderations|decisions|responses(?:/compact)?"
    r"|images/(?:generations|edits|variations)|audio/(?:speech|transcriptions|translations)"
    r"|threads/runs|threads/[^/]+/runs|videos(?:/edits|/extensions|/[^/]+/remix)?)$"
)
# The tier a request asks for, as its answer would show it (generation/chat.py: Fast mode shows as priority).
_SERVED_TIERS = {"flex": "flex", "priority": "priority", "fast": "priority", "scale": "scale"}


def counted(method: str, path: str) -> bool:
    """Whether a failed request of this method and path counts (a model-serving creation)."""
    return method == "POST" and _MODEL_SERVING.match(path) is not None


def _named(body: bytes) -> tuple[str | None, str]:
    """The model and the served tier a JSON body asks for (None and "default" when it names none)."""
    if not body or len(body) > BODY_BYTES + 1:
        return None, "default"
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "default"
    if not isinstance(parsed, dict):
        return None, "default"
    model = parsed.get("model")
    tier = parsed.get("service_tier")
    return (model if isinstance(model, str) and model else None), _SERVED_TIERS.get(
        tier if isinstance(tier, str) else "", "default"
    )


def record(principal: Principal, status: int, body: bytes) -> None:
    """Count one failed model request of `principal` (its project: None for a key outside any project, which is
    the organization's Default Project) in the current minute of the tenant's clock. Best effort: a storage
    outage loses the count, never the answer."""
    model, tier = _named(body)
    minute = int(clock.now() // 60) * 60
    key = f"{minute:011d}|" + json.dumps([principal.project_id, model, tier, status], separators=(",", ":"))
    try:
        get_store().increment(
            principal.tenant, ERRORS, key, {"errors": 1}, expires_in=get_settings().ttl_seconds or None
        )
    except OpenAIError:
        logger.warning("error count not written", extra={"status": status})


def recorded(tenant: str, start: int, end: int) -> list[dict[str, Any]]:
    """The failed model requests of minutes `start` to before `end` (seconds): `minute`, `project_id` (None: the
    Default Project), `model`, `service_tier`, `status`, `errors`."""
    found = []
    for key, values in get_store().counters(tenant, ERRORS, after=f"{start:011d}", before=f"{end:011d}"):
        minute, _, rest = key.partition("|")
        project_id, model, tier, status = json.loads(rest)
        found.append(
            {
                "minute": int(minute),
                "project_id": project_id,
                "model": model,
                "service_tier": tier,
                "status": status,
                "errors": values.get("errors", 0),
            }
        )
    return found

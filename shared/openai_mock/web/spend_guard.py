"""The hard spend limit, on the request path: a model request of an organization, project or API key whose spend
limit has been reached this period answers OpenAI's 429 `insufficient_quota` before any work is done.

No store read of its own: a model request (`POST` to a model-serving path) reads its tenant's spend state with
its other first reads, in one batch (`web/request_reads.py`). The state is absent for an organization that never
set a spend limit or alert (nothing more to do), else it names what is blocked and until when (the end of the
month, by the tenant's clock); it is written by `resources/organization/spend.py` as usage is recorded and as
limits change. It rides on the request (`SPEND_STATE_KEY`) so that the accounting step reuses it."""

from __future__ import annotations

import re
from typing import Any

from openai_mock import clock
from openai_mock.errors import OpenAIError
from openai_mock.web.auth import Principal

SPEND_STATE = "organization.spend_state"  # one item per tenant, id STATE_ID
STATE_ID = "state"
SPEND_STATE_KEY = "spend_state"  # request.state attribute: the state read here (None: no limits, no alerts)
KEY = (SPEND_STATE, STATE_ID)  # the state's (collection, id), for a batched read
ORGANIZATION_SCOPE = "organization"

# The requests that cost money: creations on the model-serving endpoints.
_BILLED = re.compile(
    r"^/v1/(?:chat/completions|completions|embeddings|moderations|decisions|responses(?:/compact)?|batches"
    r"|fine_tuning/jobs"
    r"|images/(?:generations|edits|variations)|audio/(?:speech|transcriptions|translations)"
    r"|threads/runs|threads/[^/]+/runs|videos(?:/edits|/extensions|/[^/]+/remix)?)$"
)

_MESSAGE = (
    "You exceeded your current quota, please check your plan and billing details. For more information on this "
    "error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."
)


def insufficient_quota() -> OpenAIError:
    return OpenAIError(429, _MESSAGE, type="insufficient_quota", code="insufficient_quota")


def is_billed(method: str, path: str) -> bool:
    return method == "POST" and _BILLED.match(path) is not None


def check_spend(principal: Principal, state: dict[str, Any] | None) -> dict[str, Any] | None:
    """Raise the 429 if the caller's API key, project or organization is over its hard limit; answer the spend
    state (None when the organization has no spend limit or alert)."""
    if state is None or not state.get("blocked"):
        return state
    now = clock.now_seconds()
    blocked: dict[str, int] = state["blocked"]
    project = principal.project_id or state["default_project_id"]
    for scope in (ORGANIZATION_SCOPE, project, principal.api_key_id):
        until = blocked.get(scope or "")
        if until is not None and now < until:
            raise insufficient_quota()
    return state

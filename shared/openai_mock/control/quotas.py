"""A tenant's rate-limit quotas (`GET`/`POST /__mock/quotas`): its own, kept in the store so that every function
and container of a deployment counts against the same ones, or the deployment's (settings). The accounting step
(`resources/ratelimits.py`) counts against them; a model request reads the stored quota in one batch with its
other first reads (`web/request_reads.py`)."""

from __future__ import annotations

from typing import Any

from openai_mock.settings import get_settings
from openai_mock.store import get_store

COLLECTION = "mock.quota"
_ID = "quota"
KEY = (COLLECTION, _ID)  # the stored quota's (collection, id), for a batched read


def of(own: dict[str, Any] | None) -> dict[str, Any]:
    """The quotas a stored quota (None: none stored) makes, the deployment's filling what it does not set."""
    settings = get_settings()
    own = own or {}
    return {
        "object": "mock.quota",
        "requests_per_minute": own.get("requests_per_minute", settings.requests_per_minute),
        "tokens_per_minute": own.get("tokens_per_minute", settings.tokens_per_minute),
    }


def quota(tenant: str) -> dict[str, Any]:
    """The tenant's quotas: its own (set through the mock controls) or the deployment's."""
    return of(get_store().get(tenant, COLLECTION, _ID))


def set_quota(tenant: str, requests_per_minute: int | None, tokens_per_minute: int | None) -> dict[str, Any]:
    """Set (or, with None, go back to the deployment's) quotas of one tenant."""
    store = get_store()
    store.delete(tenant, COLLECTION, _ID)
    own = {
        key: value
        for key, value in (("requests_per_minute", requests_per_minute), ("tokens_per_minute", tokens_per_minute))
        if value is not None
    }
    if own:
        store.create(tenant, COLLECTION, {"id": _ID, **own})
    return quota(tenant)

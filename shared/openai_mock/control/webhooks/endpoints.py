"""Webhook endpoints per tenant (`/__mock/webhooks`): where a tenant's events go, which types, and the secret
that signs them. OpenAI configures endpoints in its dashboard; the mock needs an API. A deployment may also
load endpoints from a file (`OPENAI_MOCK_WEBHOOKS_FILE`, `openai-mock serve --webhooks`) for every tenant,
like fixtures: those carry their secret in the file and cannot be deleted or rotated through the API.

Rotation issues a new secret; the previous one keeps signing, next to it, until its grace period ends (on the
tenant's clock), so a receiver deployed with either secret verifies every delivery meanwhile."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.control.webhooks import events, signing, targets
from openai_mock.errors import invalid_request, not_found
from openai_mock.fields import RequestModel
from openai_mock.pagination import ListParams, list_object, paginate
from openai_mock.settings import get_settings
from openai_mock.store import get_store
from openai_mock.store.copies import Copies

COLLECTION = "mock.webhook"
# A process keeps a copy of each tenant's endpoints while their stamp stands (store/copies.py): every model job's
# creation asks whether any endpoint would hear of it. Every change below calls `_copies.changed` once written.
_copies = Copies(COLLECTION)
FILE_PREFIX = "file_webhook_"
DEFAULT_GRACE_SECONDS = 24 * 3600
MAX_GRACE_SECONDS = 7 * 24 * 3600
MAX_ENDPOINTS = 20
ALL = "*"


class CreateWebhookRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    events: list[str] | None = None  # omitted: every event type ("*")
    description: str | None = Field(default=None, max_length=512)


class FileWebhook(CreateWebhookRequest):
    secret: str


class RotateWebhookRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")
    grace_period_seconds: int | None = Field(default=None, ge=0, le=MAX_GRACE_SECONDS)


def _check_events(names: Sequence[str] | None, param: str = "events") -> list[str]:
    """Event types (or `batch.*`-style families, or `*`) as given; 400 naming the first unknown one."""
    if names is None:
        return [ALL]
    if not names:
        raise invalid_request(
            f"Invalid '{param}': empty array. Subscribe to at least one event type, or leave '{param}' out for all.",
            param,
            "empty_array",
        )
    for index, name in enumerate(names):
        family = name.removesuffix(".*") if name.endswith(".*") else None
        valid = (
            name == ALL
            or events.known(name)
            or (family is not None and any(known.startswith(family + ".") for known in events.EVENT_TYPES))
        )
        if not valid:
            raise invalid_request(
                f"Invalid value for '{param}[{index}]': '{name}' is not a webhook event type. Supported types: "
                f"{', '.join(events.EVENT_TYPES)}.",
                f"{param}[{index}]",
                "invalid_value",
            )
    return list(dict.fromkeys(names))


def subscribed(endpoint: dict[str, Any], event_type: str) -> bool:
    for name in endpoint["events"]:
        if name in (ALL, event_type) or (name.endswith(".*") and event_type.startswith(name[:-1])):
            return True
    return False


# --------------------------------------------------------------------------------------------- the file


def load_file(path: Path) -> list[dict[str, Any]]:
    """A YAML or JSON file: a list of endpoints, or {"webhooks": [...]}; each `{url, events, secret}`."""
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    entries = document.get("webhooks", []) if isinstance(document, dict) else document
    loaded = []
    for index, entry in enumerate(entries or []):
        body = FileWebhook.model_validate(entry)
        if not signing.valid_secret(body.secret):
            raise ValueError(f"webhooks[{index}].secret: expected whsec_ followed by base64 of at least 24 bytes")
        loaded.append(
            {
                "id": f"{FILE_PREFIX}{index}",
                "object": "mock.webhook",
                "url": targets.check_url(body.url, f"webhooks[{index}].url"),
                "events": _check_events(body.events, f"webhooks[{index}].events"),
                "description": body.description,
                "secret": body.secret,
                "created_at": 0,
                "previous_secrets": [],
            }
        )
    return loaded


@lru_cache(maxsize=8)
def _file_endpoints(path: str) -> tuple[dict[str, Any], ...]:
    return tuple(load_file(Path(path)))


def deployment_endpoints() -> tuple[dict[str, Any], ...]:
    path = get_settings().webhooks_file
    return _file_endpoints(path) if path else ()


# --------------------------------------------------------------------------------------------- the API


def public(endpoint: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    previous = [entry for entry in endpoint.get("previous_secrets", []) if entry["expires_at"] > now]
    shown = {key: value for key, value in endpoint.items() if key != "previous_secrets"}
    shown["previous_secret_expires_at"] = int(previous[0]["expires_at"]) if previous else None
    return shown


def create(tenant: str, body: CreateWebhookRequest) -> dict[str, Any]:
    return public(add(tenant, targets.check_url(body.url), _check_events(body.events), description=body.description))


def add(
    tenant: str, url: str, names: list[str], *, description: str | None = None, name: str | None = None
) -> dict[str, Any]:
    """Store a new endpoint of checked `url` and event `names` (the control's and the API's create)."""
    if len(tenant_endpoints(tenant)) >= MAX_ENDPOINTS:
        raise invalid_request(f"A project may have at most {MAX_ENDPOINTS} webhook endpoints.", None, "limit_reached")
    now = clock.now_seconds()
    endpoint = {
        "id": ids.new_id("mock.webhook"),
        "object": "mock.webhook",
        "url": url,
        "events": names,
        "description": description,
        "secret": signing.new_secret(),
        "created_at": now,
        "previous_secrets": [],
    }
    if name is not None:  # made through the API (`/v1/webhook_endpoints`), which names its endpoints
        endpoint["name"] = name
    created = get_store().create(tenant, COLLECTION, endpoint)
    _copies.changed(tenant)
    return created


def find(tenant: str, endpoint_id: str) -> dict[str, Any] | None:
    if endpoint_id.startswith(FILE_PREFIX):
        return next((entry for entry in deployment_endpoints() if entry["id"] == endpoint_id), None)
    return get_store().get(tenant, COLLECTION, endpoint_id)


def retrieve_stored(tenant: str, endpoint_id: str) -> dict[str, Any]:
    endpoint = find(tenant, endpoint_id)
    if endpoint is None:
        raise not_found("webhook", endpoint_id, param="webhook_id")
    return endpoint


def retrieve(tenant: str, endpoint_id: str) -> dict[str, Any]:
    return public(retrieve_stored(tenant, endpoint_id))


def tenant_endpoints(tenant: str) -> list[dict[str, Any]]:
    """The tenant's own endpoints, oldest first (shared: not to be changed)."""
    return _copies.items(tenant)


def every_endpoint(tenant: str) -> list[dict[str, Any]]:
    """The deployment's (from the file) and the tenant's own, oldest first."""
    return [*deployment_endpoints(), *tenant_endpoints(tenant)]


def any_endpoint(tenant: str) -> bool:
    """Whether anything would receive this tenant's events (on AWS no read of its own: the copy's stamp is read with
    the request's first reads)."""
    return bool(deployment_endpoints()) or bool(tenant_endpoints(tenant))


def list_endpoints(tenant: str, params: ListParams) -> dict[str, Any]:
    return list_object(paginate(every_endpoint(tenant), params), view=public)


def _not_in_file(endpoint_id: str, action: str, param: str) -> None:
    if endpoint_id.startswith(FILE_PREFIX):
        raise invalid_request(
            f"The webhook {endpoint_id} was loaded from the deployment's webhooks file and cannot be {action} "
            "through the API.",
            param,
            "invalid_value",
        )


def delete(tenant: str, endpoint_id: str) -> dict[str, Any]:
    remove(tenant, endpoint_id)
    return {"id": endpoint_id, "object": "mock.webhook.deleted", "deleted": True}


# Who asks: the controls (`/__mock/webhooks/{webhook_id}`) or the API (`/v1/webhook_endpoints/{webhook_endpoint_id}`),
# whose 404 names its object and path parameter.
CONTROL = ("webhook", "webhook_id")


def remove(tenant: str, endpoint_id: str, asker: tuple[str, str] = CONTROL) -> None:
    _not_in_file(endpoint_id, "deleted", asker[1])
    if get_store().delete(tenant, COLLECTION, endpoint_id) is None:
        raise not_found(asker[0], endpoint_id, param=asker[1])
    _copies.changed(tenant)


def rotate(tenant: str, endpoint_id: str, body: RotateWebhookRequest) -> dict[str, Any]:
    """A new secret; the current one keeps signing for `grace_period_seconds` (default a day, 0: not at all)."""
    grace = DEFAULT_GRACE_SECONDS if body.grace_period_seconds is None else body.grace_period_seconds
    return public(rotated(tenant, endpoint_id, grace))


def rotated(tenant: str, endpoint_id: str, grace: float, asker: tuple[str, str] = CONTROL) -> dict[str, Any]:
    """The endpoint with a new secret, the current one signing beside it for `grace` seconds (0: not at all)."""
    _not_in_file(endpoint_id, "rotated", asker[1])
    now = clock.now()

    def rotate_secret(current: dict[str, Any]) -> dict[str, Any]:
        kept = [entry for entry in current.get("previous_secrets", []) if entry["expires_at"] > now]
        if grace:
            kept = [{"secret": current["secret"], "expires_at": now + grace}, *kept]
        return _dated({**current, "secret": signing.new_secret(), "previous_secrets": kept})

    updated = get_store().update(tenant, COLLECTION, endpoint_id, rotate_secret)
    if updated is None:
        raise not_found(asker[0], endpoint_id, param=asker[1])
    _copies.changed(tenant)
    return updated


def changed(tenant: str, endpoint_id: str, changes: dict[str, Any], asker: tuple[str, str]) -> dict[str, Any]:
    """The endpoint with `changes` (checked fields: `url`, `events`, `name`); dated only if one is new."""
    _not_in_file(endpoint_id, "changed", asker[1])

    def change(current: dict[str, Any]) -> dict[str, Any]:
        if all(current.get(field) == value for field, value in changes.items()):
            return current
        return _dated({**current, **changes})

    updated = get_store().update(tenant, COLLECTION, endpoint_id, change)
    if updated is None:
        raise not_found(asker[0], endpoint_id, param=asker[1])
    _copies.changed(tenant)
    return updated


def _dated(endpoint: dict[str, Any]) -> dict[str, Any]:
    """The endpoint, dated now: the API shows when its configuration or secret last changed (`updated_at`)."""
    return {**endpoint, "updated_at": clock.now_seconds()}


def signing_secrets(endpoint: dict[str, Any], now: float) -> list[str]:
    """The secrets that sign a delivery now: the current one, then those still in their grace period."""
    previous = [entry["secret"] for entry in endpoint.get("previous_secrets", []) if entry["expires_at"] > now]
    return [endpoint["secret"], *previous]

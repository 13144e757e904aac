"""Data retention controls of the organization and its projects, and what they change for model requests.

A project's setting is its own, or `organization_default` (the organization's). Zero data retention
(`zero_data_retention`, `enhanced_zero_data_retention`) keeps no application state: `store: true` on
Responses and Chat Completions is ignored (the answer says `store: false`; nothing can be retrieved,
continued with `previous_response_id` or listed later) and background mode, which needs a stored response,
is refused. Under every other setting stored responses and chat completions live `STORED_TTL_SECONDS`
(30 days, by the tenant's clock), then answer 404 like deleted ones.

One stored item per organization (`web/request_reads.RETENTION_KEY`) holds every setting: a model request reads it
with its other first reads (one batch), and uses it only when it asks to store something."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from openai_mock import clock
from openai_mock.errors import invalid_request
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import Organization, default_project_id, get_project, writable_project
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.request_reads import RETENTION_KEY, RETENTION_STATE_KEY
from openai_mock.web.request_state import state_of

ORGANIZATION_TYPES = (
    "zero_data_retention",
    "modified_abuse_monitoring",
    "enhanced_zero_data_retention",
    "enhanced_modified_abuse_monitoring",
)
PROJECT_TYPES = ("organization_default", "none", *ORGANIZATION_TYPES)
# The spec's organization setting has no "standard" value: a new organization answers the spec's own example.
DEFAULT_ORGANIZATION_TYPE = "modified_abuse_monitoring"
ZERO_RETENTION = frozenset({"zero_data_retention", "enhanced_zero_data_retention"})
STORED_TTL_SECONDS = 30 * 86_400
_COLLECTION, _ITEM_ID = RETENTION_KEY
_DEFAULTS = {"organization": DEFAULT_ORGANIZATION_TYPE, "projects": {}}

Body = TypeVar("Body", bound=BaseModel)


def _settings(tenant: str) -> dict[str, Any]:
    return get_store().get(tenant, _COLLECTION, _ITEM_ID) or _DEFAULTS


def _save(tenant: str, change: Any) -> None:
    store = get_store()
    if store.update(tenant, _COLLECTION, _ITEM_ID, change) is None:
        store.create(tenant, _COLLECTION, change({"id": _ITEM_ID, **_settings(tenant)}))


def _check(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        supported = ", ".join(f"'{item}'" for item in allowed)
        raise invalid_request(
            f"Invalid value: '{value}'. Supported values are: {supported}.", "retention_type", "invalid_value"
        )


def retrieve_organization(org: Organization) -> dict[str, Any]:
    return {"object": "organization.data_retention", "type": _settings(org.tenant)["organization"]}


def update_organization(org: Organization, principal: Principal, retention_type: str) -> dict[str, Any]:
    _check(retention_type, ORGANIZATION_TYPES)
    _save(org.tenant, lambda current: {**current, "organization": retention_type})
    audit_logs.record(
        org, principal, "organization.updated", {"id": org.id, "changes_requested": {"data_retention": retention_type}}
    )
    return {"object": "organization.data_retention", "type": retention_type}


def retrieve_project(org: Organization, project_id: str) -> dict[str, Any]:
    get_project(org, project_id)
    kind = _settings(org.tenant)["projects"].get(project_id, "organization_default")
    return {"object": "project.data_retention", "type": kind}


def update_project(org: Organization, principal: Principal, project_id: str, retention_type: str) -> dict[str, Any]:
    _check(retention_type, PROJECT_TYPES)
    project = writable_project(org, project_id)
    _save(org.tenant, lambda current: {**current, "projects": {**current["projects"], project_id: retention_type}})
    audit_logs.record(
        org,
        principal,
        "project.updated",
        {"id": project_id, "changes_requested": {"data_retention": retention_type}},
        project,
    )
    return {"object": "project.data_retention", "type": retention_type}


def effective(tenant: str, project_id: str | None, settings: dict[str, Any] | None = None) -> str:
    """The setting that applies to a project's requests (an ordinary key's: the Default Project's); `settings` as
    read already (else they are read)."""
    settings = settings or _settings(tenant)
    own = settings["projects"].get(project_id or default_project_id(tenant), "organization_default")
    return settings["organization"] if own == "organization_default" else own


def honour_store(request: Request, body: Body) -> Body:
    """The request as the caller's retention setting lets it run: under zero data retention `store` is
    false whatever was asked, and background mode (which stores) is refused."""
    state = state_of(request.scope)
    settings = None  # read there, unless read with the request's first reads (web/request_reads)
    if RETENTION_STATE_KEY in state:
        settings = state[RETENTION_STATE_KEY] or _DEFAULTS
    return honour_principal_store(state["principal"], body, settings)


def honour_principal_store(principal: Principal, body: Body, settings: dict[str, Any] | None = None) -> Body:
    """`honour_store` for `principal`'s request, without an HTTP request (a batch's lines, run for the batch's
    creator); `settings` as read already (else read here, and only for a request that stores)."""
    store = getattr(body, "store", None)
    if not (store is True or (store is None and _stores_by_default(body))):
        return body
    if effective(principal.tenant, principal.project_id, settings) not in ZERO_RETENTION:
        return body
    if getattr(body, "background", None):
        raise invalid_request(
            "Background mode is not available with zero data retention: a background response must be stored.",
            "background",
            "unsupported_parameter",
        )
    return body.model_copy(update={"store": False})


def _stores_by_default(body: BaseModel) -> bool:
    """Responses are stored unless `store: false`; chat completions only with `store: true`."""
    return "previous_response_id" in type(body).model_fields


def expired(created_at: int) -> bool:
    """Whether a stored response or chat completion is past its retention."""
    return clock.now_seconds() >= created_at + STORED_TTL_SECONDS

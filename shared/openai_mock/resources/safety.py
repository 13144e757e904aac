"""Safety alerts and safety cases (operations the API gained after the 2026-08-21 spec, as the official SDK calls
them: `client.safety.alerts.retrieve`, `client.safety.cases.retrieve`), and what a case's deactivation does.

OpenAI's reviewers decide both: an alert says an agentic response may have moved, read or destroyed more than its
user meant; a case is a warning or a deactivation notice for one of the organization's safety identifiers. The mock
has no reviewers, so a test issues them through the mock controls (`POST /__mock/safety/alerts`, `POST
/__mock/safety/cases`), and everything after is the API's: the webhook event (`safety.alert.created`,
`safety.warning_issued`, `safety.deactivation_issued`), the retrieval by the event's `data.id`, and, after a
deactivation, model requests carrying that `safety_identifier` refused, each with a `safety_identifier.blocked`
event (docs/safety.md)."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from openai_mock import clock, ids
from openai_mock.control import runtime
from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.fields import RequestModel
from openai_mock.resources.organization.core import project_of
from openai_mock.store import get_store
from openai_mock.web.auth import Principal
from openai_mock.web.request_state import state_of

ALERTS = "safety_alert"
CASES = "safety_case"
# One object per deactivated safety identifier (its id is the identifier): what a model request looks up.
DEACTIVATED = "safety_deactivation"

ErrorType = Literal[
    "potentially_unintended_data_transfer",
    "potentially_unintended_data_access",
    "potentially_unintended_destructive_activity",
    "other",
]
# A customer-safe description of each error type (an alert's `reason` when the control names none).
_REASONS: dict[str, str] = {
    "potentially_unintended_data_transfer": "The response may have sent data somewhere its user did not intend.",
    "potentially_unintended_data_access": "The response may have read data its user did not intend it to read.",
    "potentially_unintended_destructive_activity": "The response may have changed or deleted what its user meant "
    "to keep.",
    "other": "The response was flagged for review by OpenAI's safety systems.",
}
_NOTICE_EVENTS = {"warning": "safety.warning_issued", "deactivation": "safety.deactivation_issued"}
MAX_IDENTIFIER_LENGTH = 128  # the API's bound on `safety_identifier`


class _Control(RequestModel):
    model_config = ConfigDict(extra="forbid")


class AlertIssue(_Control):
    """`POST /__mock/safety/alerts`: what OpenAI's reviewers would have approved about one response."""

    response_id: str = Field(min_length=1)
    error_type: ErrorType = "other"
    model: str | None = None  # the response's own when it is stored
    request_id: str | None = None
    reason: str | None = None
    request_paused: bool = True
    detailed_explanation: str | None = None
    zero_data_retention: bool = False  # no reason then, as the API says for such requests


class CaseIssue(_Control):
    """`POST /__mock/safety/cases`: a warning or a deactivation notice for a safety identifier."""

    entity_identifier: str = Field(min_length=1, max_length=MAX_IDENTIFIER_LENGTH)
    notice: Literal["warning", "deactivation"]
    reason: str | None = None
    safety_category: str = "other"  # what a blocked request's event names ("bio", "cyber", …)


# ------------------------------------------------------------------------------------------------- issuing


def _emit(tenant: str, event_type: str, object_id: str, **event: Any) -> None:
    # Imported when first sent: Chat checks deactivations, and its cold start leaves the webhooks package out.
    from openai_mock.control import webhooks

    webhooks.emit(tenant, event_type, object_id, **event)


def issue_alert(principal: Principal, issue: AlertIssue) -> dict[str, Any]:
    tenant = principal.tenant
    response = get_store().get(tenant, "response", issue.response_id)
    model = issue.model or (response or {}).get("model")
    if model is None:
        raise invalid_request(
            f"Response '{issue.response_id}' is not stored: name the alert's `model`.", "model", "missing_required"
        )
    now = int(clock.now())
    alert: dict[str, Any] = {
        "id": ids.new_id("safety.alert"),
        "object": "safety.alert",
        "created_at": now,
        "error_type": issue.error_type,
        "model": model,
        "reason": None if issue.zero_data_retention else issue.reason or _REASONS[issue.error_type],
        "request_id": issue.request_id or ids.new_id("request"),
        "request_paused": issue.request_paused,
        "response_id": issue.response_id,
    }
    if issue.detailed_explanation is not None:
        alert["detailed_explanation"] = issue.detailed_explanation
    get_store().create(tenant, ALERTS, {**alert, "_project_id": project_of(principal)})
    _emit(tenant, "safety.alert.created", alert["id"], at=now)
    return alert


def issue_case(principal: Principal, issue: CaseIssue) -> dict[str, Any]:
    tenant, now = principal.tenant, int(clock.now())
    case: dict[str, Any] = {
        "id": ids.new_id("safety.case"),
        "object": "safety.case",
        "created_at": now,
        "entity_identifier": issue.entity_identifier,
        "notice": {"type": issue.notice},
        "reason": issue.reason,
    }
    store = get_store()
    store.create(tenant, CASES, case)
    if issue.notice == "deactivation":
        deactivation = {"id": issue.entity_identifier, "case_id": case["id"], "safety_category": issue.safety_category}
        if store.update(tenant, DEACTIVATED, issue.entity_identifier, lambda _old: deactivation) is None:
            store.create(tenant, DEACTIVATED, deactivation)
    _emit(tenant, _NOTICE_EVENTS[issue.notice], case["id"], at=now)
    return case


# ------------------------------------------------------------------------------------------------- the API


def retrieve_alert(principal: Principal, alert_id: str) -> dict[str, Any]:
    """An alert of the caller's project (another project's is not found, as the API scopes them)."""
    alert = get_store().get(principal.tenant, ALERTS, alert_id)
    if alert is None or alert["_project_id"] != project_of(principal):
        raise OpenAIError(404, f"No safety alert found with id '{alert_id}'.", param="id")
    return {key: value for key, value in alert.items() if not key.startswith("_")}


def retrieve_case(principal: Principal, case_id: str) -> dict[str, Any]:
    case = get_store().get(principal.tenant, CASES, case_id)
    if case is None:
        raise OpenAIError(404, f"No safety case found with id '{case_id}'.", param="id")
    return case


# ------------------------------------------------------------------------------------------------- enforcement

Body = TypeVar("Body", bound=BaseModel)


def honour_deactivations(request: Request, body: Body) -> Body:
    """Refuse a model request whose `safety_identifier` was deactivated (400, and a `safety_identifier.blocked`
    event); the request as it came otherwise. One read, and only for a request that names an identifier."""
    if not getattr(body, "safety_identifier", None):  # (no request state read for the many that name none)
        return body
    controls = runtime.current()
    request_id = controls.request_id if controls is not None and controls.request_id else None
    return refuse_deactivated(state_of(request.scope)["principal"], body, request_id)


def refuse_deactivated(principal: Principal, body: Body, request_id: str | None = None) -> Body:
    """`honour_deactivations` for `principal`'s request, without an HTTP request (a batch's lines, run for the
    batch's creator); `request_id`: what the `safety_identifier.blocked` event names (else a new one)."""
    identifier = getattr(body, "safety_identifier", None)
    if not identifier:
        return body
    deactivation = get_store().get(principal.tenant, DEACTIVATED, identifier)
    if deactivation is None:
        return body
    request_id = request_id or ids.new_id("request")
    blocked = {
        "safety_category": deactivation["safety_category"],
        "safety_identifier": identifier,
        "model": getattr(body, "model", None),
        "project_id": project_of(principal),
        "request_id": request_id,
    }
    _emit(principal.tenant, "safety_identifier.blocked", request_id, at=int(clock.now()), data=blocked)
    raise OpenAIError(
        400,
        f"Requests from safety identifier '{identifier}' are blocked: it was deactivated for violating OpenAI's "
        "usage policies.",
        param="safety_identifier",
        code="safety_identifier_blocked",
    )

"""Spend limits (hard: past them, model requests answer 429 `insufficient_quota`) and spend alerts (a
notification when the month's spend crosses a threshold), for the organization and per project; hard limits
per project API key too (`spend_limit` of the key, set when it is created or updated).

Spend is the cost of the usage the mock records (`usage.event_cost`: the catalogue's list prices, as
`/organization/costs` shows them), per calendar month (UTC) of the tenant's clock. Once an organization has
any limit or alert it has a spend state (`web/spend_guard.SPEND_STATE`), and from then on every usage record
adds its cost to two counters of the month (`spend#<month>#organization`, `spend#<month>#<project>`, in
micro-dollars; seeded from the month's recorded usage when the state is created). Crossing a limit blocks
the scope until the month ends or the limit is raised or deleted. An API key with a limit is a scope of its
own (its id): its counter is raised to the month's recorded spend of the key when the limit is set, and
counts from then on while the limit stays. Crossing an alert's threshold fires it once
(`deliver_spend_alert`: an audit-log event now, webhooks later)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openai_mock import clock, ids
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization import audit_logs
from openai_mock.resources.organization.core import (
    AUDIT_LOGS,
    PROJECTS,
    SPEND_ALERTS,
    Organization,
    default_project_id,
    get_project,
    project_spend_alerts,
    writable_project,
)
from openai_mock.resources.organization.usage import event_cost, spend_by_project, spend_of_key
from openai_mock.store import COUNTERS, ConflictError, get_store
from openai_mock.web.auth import Principal
from openai_mock.web.spend_guard import ORGANIZATION_SCOPE, SPEND_STATE, STATE_ID

KEY_SCOPE_PREFIX = "key_"  # an API key's id: the scope of its limit (projects are `proj_…`)
MICRO_PER_CENT = 10_000  # counters count micro-dollars; limits and thresholds are cents
_COUNTER_LIFETIME = 70 * 86_400
MISSING: Any = object()


# --- periods and counters -------------------------------------------------------------------------


def month_bounds(at: float) -> tuple[int, int]:
    """The calendar month (UTC) holding `at`: its first second and the first second of the next."""
    moment = dt.datetime.fromtimestamp(at, dt.UTC)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return int(start.timestamp()), int(end.timestamp())


def _counter(tenant: str, month: int, scope: str, micro: int = 0) -> int:
    counted = get_store().increment(
        tenant, COUNTERS, f"spend#{month}#{scope}", {"micro_usd": micro}, expires_in=_COUNTER_LIFETIME
    )
    return int(counted.values.get("micro_usd", 0))


# --- the state ------------------------------------------------------------------------------------


def _state(org: Organization) -> dict[str, Any]:
    """The spend state, created (and this month's spend counted from the recorded usage) on first need."""
    store = get_store()
    state = store.get(org.tenant, SPEND_STATE, STATE_ID)
    if state is not None:
        return state
    month, end = month_bounds(clock.now_seconds())
    fresh = {
        "id": STATE_ID,
        "default_project_id": default_project_id(org.tenant),
        "limits": {},  # scope ("organization" or a project id) → the limit
        "alerts": {},  # scope → [[alert id, threshold in cents], …]
        "blocked": {},  # scope → when the block ends (the end of the month it was reached in)
    }
    try:
        created = store.create(org.tenant, SPEND_STATE, fresh)
    except ConflictError:  # a concurrent first call created it
        existing = store.get(org.tenant, SPEND_STATE, STATE_ID)
        assert existing is not None
        return existing
    by_project = spend_by_project(org.tenant, month, end)
    for project_id, usd in by_project.items():
        _counter(org.tenant, month, project_id, round(usd * 1e6))
    _counter(org.tenant, month, ORGANIZATION_SCOPE, round(sum(by_project.values()) * 1e6))
    return created


def _refresh(org: Organization) -> dict[str, Any]:
    """Recompute what is blocked from the limits and this month's counters (after a limit changes)."""
    month, end = month_bounds(clock.now_seconds())

    def change(state: dict[str, Any]) -> dict[str, Any]:
        blocked = {}
        for scope, limit in state["limits"].items():
            if _counter(org.tenant, month, scope) >= limit["threshold_amount"] * MICRO_PER_CENT:
                blocked[scope] = end
        return {**state, "blocked": blocked}

    _state(org)
    updated = get_store().update(org.tenant, SPEND_STATE, STATE_ID, change)
    assert updated is not None
    return updated


def track(tenant: str, record: dict[str, Any] | None, state: Any = MISSING) -> None:
    """Add one usage record's cost to the month's counters, then block what crossed its limit and fire
    the alerts whose threshold it crossed. Nothing for an organization without limits or alerts."""
    if record is None:
        return
    if state is MISSING:
        state = get_store().get(tenant, SPEND_STATE, STATE_ID)
    if state is None:
        return
    micro = round(event_cost(record) * 1e6)
    if micro <= 0:
        return
    month, end = month_bounds(record["minute"])
    project = record["dims"].get("project_id") or state["default_project_id"]
    scopes = [ORGANIZATION_SCOPE, project]
    key = record["dims"].get("api_key_id")
    if key in state["limits"]:  # a key's spend is counted while it has a limit (raised to its spend when set)
        scopes.append(key)
    for scope in scopes:
        after = _counter(tenant, month, scope, micro)
        before = after - micro
        limit = state["limits"].get(scope)
        current = month == month_bounds(clock.now_seconds())[0]
        if limit is not None and current and after >= limit["threshold_amount"] * MICRO_PER_CENT:

            def block(current: dict[str, Any], scope: str = scope) -> dict[str, Any]:
                return {**current, "blocked": {**current.get("blocked", {}), scope: end}}

            get_store().update(tenant, SPEND_STATE, STATE_ID, block)
        for alert_id, threshold in state["alerts"].get(scope, []):
            mark = max(threshold * MICRO_PER_CENT, 1)
            if before < mark <= after:
                _fire(tenant, scope, alert_id, after, month)


def _fire(tenant: str, scope: str, alert_id: str, spent_micro: int, month: int) -> None:
    collection = SPEND_ALERTS if scope == ORGANIZATION_SCOPE else project_spend_alerts(scope)
    alert = get_store().get(tenant, collection, alert_id)
    if alert is None:
        return
    project = get_store().get(tenant, PROJECTS, scope) if scope != ORGANIZATION_SCOPE else None
    deliver_spend_alert(tenant, alert, spent_micro / MICRO_PER_CENT, month, project)


def deliver_spend_alert(
    tenant: str, alert: dict[str, Any], spent_cents: float, period_start: int, project: dict[str, Any] | None
) -> None:
    """An alert's threshold was crossed: the one place a delivery hooks in. Today it is written to the audit
    log (`tenant.billing.alerts.updated`, actor null: the system); a webhook delivery can be added here."""
    event: dict[str, Any] = {
        "id": ids.new_id("audit_log"),
        "type": "tenant.billing.alerts.updated",
        "effective_at": clock.now_seconds(),
        "actor": None,
        "tenant.billing.alerts.updated": {
            "id": alert["id"],
            "data": {
                "status": "triggered",
                "threshold_amount": alert["threshold_amount"],
                "spend_amount": round(spent_cents),
                "currency": alert["currency"],
                "interval": alert["interval"],
                "period_start": period_start,
                "recipients": alert["notification_channel"]["recipients"],
            },
        },
    }
    if project is not None:
        event["project"] = {"id": project["id"], "name": project["name"]}
    get_store().create(tenant, AUDIT_LOGS, event)


# --- spend limits ---------------------------------------------------------------------------------


def _check_limit(threshold_amount: int, currency: str, interval: str, within: str = "") -> None:
    """`within`: the body field holding the limit (`spend_limit.` for an API key's), named in the error."""
    if threshold_amount < 1:
        raise invalid_request(
            f"Invalid '{within}threshold_amount': integer below minimum value. Expected a value >= 1, but got "
            f"{threshold_amount} instead.",
            f"{within}threshold_amount",
            "integer_below_min_value",
        )
    _check_currency_interval(currency, interval, within)


def _check_currency_interval(currency: str, interval: str, within: str = "") -> None:
    if currency != "USD":
        raise invalid_request(
            f"Invalid value: '{currency}'. Supported values are: 'USD'.", f"{within}currency", "invalid_value"
        )
    if interval != "month":
        raise invalid_request(
            f"Invalid value: '{interval}'. Supported values are: 'month'.", f"{within}interval", "invalid_value"
        )


def _limit_view(limit: dict[str, Any], object_type: str, in_force: bool) -> dict[str, Any]:
    return {
        "object": object_type,
        "threshold_amount": limit["threshold_amount"],
        "currency": limit["currency"],
        "interval": limit["interval"],
        "enforcement": {"status": "enforcing" if in_force else "inactive"},
    }


def _no_limit(where: str) -> OpenAIError:
    return OpenAIError(404, f"No hard spend limit is set for {where}.", code="spend_limit_not_found")


def _scope_of(org: Organization, project_id: str | None) -> tuple[str, str, dict[str, Any] | None]:
    if project_id is None:
        return ORGANIZATION_SCOPE, "organization.spend_limit", None
    return project_id, "project.spend_limit", get_project(org, project_id)


def retrieve_spend_limit(org: Organization, project_id: str | None = None) -> dict[str, Any]:
    scope, object_type, project = _scope_of(org, project_id)
    state = get_store().get(org.tenant, SPEND_STATE, STATE_ID)
    limit = (state or {}).get("limits", {}).get(scope)
    if limit is None:
        raise _no_limit(f"project {project_id}" if project_id else "this organization")
    return _limit_view(limit, object_type, project is None or project["status"] == "active")


def update_spend_limit(
    org: Organization,
    principal: Principal,
    threshold_amount: int,
    currency: str,
    interval: str,
    project_id: str | None = None,
) -> dict[str, Any]:
    _check_limit(threshold_amount, currency, interval)
    scope, object_type, project = _scope_of(org, project_id)
    if project_id is not None:
        project = writable_project(org, project_id)
    limit = {"threshold_amount": threshold_amount, "currency": currency, "interval": interval}
    _state(org)
    get_store().update(
        org.tenant, SPEND_STATE, STATE_ID, lambda state: {**state, "limits": {**state["limits"], scope: limit}}
    )
    _refresh(org)
    _audit(org, principal, project, {"spend_limit": limit})
    return _limit_view(limit, object_type, True)


def delete_spend_limit(org: Organization, principal: Principal, project_id: str | None = None) -> dict[str, Any]:
    scope, object_type, project = _scope_of(org, project_id)
    if project_id is not None:
        project = writable_project(org, project_id)
    retrieve_spend_limit(org, project_id)  # 404 without one

    def change(state: dict[str, Any]) -> dict[str, Any]:
        return {**state, "limits": {key: value for key, value in state["limits"].items() if key != scope}}

    get_store().update(org.tenant, SPEND_STATE, STATE_ID, change)
    _refresh(org)
    _audit(org, principal, project, {"spend_limit": None})
    return {"object": f"{object_type}.deleted", "deleted": True}


# --- an API key's hard limit --------------------------------------------------------------------------


def check_key_limit(limit: dict[str, Any]) -> dict[str, Any]:
    """A key's `spend_limit` as sent (already shaped by the route's model), checked; the limit to keep."""
    _check_limit(limit["threshold_amount"], limit["currency"], limit["interval"], "spend_limit.")
    return {key: limit[key] for key in ("threshold_amount", "currency", "interval")}


def set_key_limit(org: Organization, api_key_id: str, limit: dict[str, Any] | None) -> None:
    """Set (or, with None, remove) a project API key's monthly hard limit and block the key at once if its spend
    this month has already reached it."""
    if limit is None:
        state = get_store().get(org.tenant, SPEND_STATE, STATE_ID)  # none: no limit to remove, none to create
        if state is None or api_key_id not in state["limits"]:
            return
    else:
        _state(org)
        month, end = month_bounds(clock.now_seconds())
        recorded = round(spend_of_key(org.tenant, api_key_id, month, end) * 1e6)
        _counter(org.tenant, month, api_key_id, max(0, recorded - _counter(org.tenant, month, api_key_id)))

    def change(current: dict[str, Any]) -> dict[str, Any]:
        limits = {scope: value for scope, value in current["limits"].items() if scope != api_key_id}
        return {**current, "limits": limits if limit is None else {**limits, api_key_id: limit}}

    get_store().update(org.tenant, SPEND_STATE, STATE_ID, change)
    _refresh(org)


def key_limits(org: Organization) -> dict[str, dict[str, Any]]:
    """Every API key's limit as a key shows it (`spend_limit`), by key id: one read of the spend state."""
    state = get_store().get(org.tenant, SPEND_STATE, STATE_ID) or {"limits": {}, "blocked": {}}
    now = clock.now_seconds()
    return {
        scope: {**limit, "enforcement": {"status": "enforcing" if now < state["blocked"].get(scope, 0) else "inactive"}}
        for scope, limit in state["limits"].items()
        if scope.startswith(KEY_SCOPE_PREFIX)
    }


def _audit(org: Organization, principal: Principal, project: dict[str, Any] | None, changes: dict[str, Any]) -> None:
    if project is None:
        audit_logs.record(org, principal, "organization.updated", {"id": org.id, "changes_requested": changes})
    else:
        audit_logs.record(
            org, principal, "project.updated", {"id": project["id"], "changes_requested": changes}, project
        )


# --- spend alerts ---------------------------------------------------------------------------------


def _alerts_of(org: Organization, project_id: str | None) -> tuple[str, str, str, dict[str, Any] | None]:
    """(collection, object type, scope, project) of the organization's or a project's alerts."""
    if project_id is None:
        return SPEND_ALERTS, "organization.spend_alert", ORGANIZATION_SCOPE, None
    return project_spend_alerts(project_id), "project.spend_alert", project_id, get_project(org, project_id)


def _check_alert(body: dict[str, Any]) -> None:
    if body["threshold_amount"] < 0:
        raise invalid_request(
            f"Invalid 'threshold_amount': integer below minimum value. Expected a value >= 0, but got "
            f"{body['threshold_amount']} instead.",
            "threshold_amount",
            "integer_below_min_value",
        )
    _check_currency_interval(body["currency"], body["interval"])
    channel = body["notification_channel"]
    if channel.get("type") != "email":
        raise invalid_request(
            f"Invalid value: '{channel.get('type')}'. Supported values are: 'email'.",
            "notification_channel.type",
            "invalid_value",
        )
    for index, address in enumerate(channel.get("recipients") or []):
        if "@" not in address.strip("@"):
            raise invalid_request(
                f"Invalid email address: '{address}'.", f"notification_channel.recipients[{index}]", "invalid_value"
            )


def _sync_thresholds(org: Organization, scope: str, collection: str) -> None:
    """Keep the state's copy of a scope's thresholds (what `track` compares against) in step."""
    alerts = get_store().list(org.tenant, collection, limit=1_000_000, order="asc").items
    thresholds = [[alert["id"], alert["threshold_amount"]] for alert in alerts]
    _state(org)
    get_store().update(
        org.tenant, SPEND_STATE, STATE_ID, lambda state: {**state, "alerts": {**state["alerts"], scope: thresholds}}
    )


def create_spend_alert(
    org: Organization, principal: Principal, body: dict[str, Any], project_id: str | None = None
) -> dict[str, Any]:
    _check_alert(body)
    collection, object_type, scope, project = _alerts_of(org, project_id)
    if project_id is not None:
        project = writable_project(org, project_id)
    alert = {"id": ids.new_id("organization.spend_alert"), "object": object_type, **body}
    alert["notification_channel"] = {"subject_prefix": None, **body["notification_channel"]}
    stored = get_store().create(org.tenant, collection, alert)
    _sync_thresholds(org, scope, collection)
    _audit(org, principal, project, {"spend_alert": {"id": alert["id"], "threshold_amount": alert["threshold_amount"]}})
    return stored


def _get_alert(org: Organization, collection: str, alert_id: str) -> dict[str, Any]:
    alert = get_store().get(org.tenant, collection, alert_id)
    if alert is None:
        raise not_found("SpendAlert", alert_id, "alert_id")
    return alert


def retrieve_spend_alert(org: Organization, alert_id: str, project_id: str | None = None) -> dict[str, Any]:
    collection, _, _, _ = _alerts_of(org, project_id)
    return _get_alert(org, collection, alert_id)


def list_spend_alerts(org: Organization, params: ListParams, project_id: str | None = None) -> dict[str, Any]:
    collection, _, _, _ = _alerts_of(org, project_id)
    page = get_store().list(
        org.tenant, collection, limit=params.limit, order=params.order, after=params.after, before=params.before
    )
    return list_object(page)


def update_spend_alert(
    org: Organization, principal: Principal, alert_id: str, body: dict[str, Any], project_id: str | None = None
) -> dict[str, Any]:
    _check_alert(body)
    collection, _, scope, project = _alerts_of(org, project_id)
    if project_id is not None:
        project = writable_project(org, project_id)
    _get_alert(org, collection, alert_id)
    channel = {"subject_prefix": None, **body["notification_channel"]}
    updated = get_store().update(
        org.tenant, collection, alert_id, lambda alert: {**alert, **body, "notification_channel": channel}
    )
    if updated is None:
        raise not_found("SpendAlert", alert_id, "alert_id")
    _sync_thresholds(org, scope, collection)
    _audit(org, principal, project, {"spend_alert": {"id": alert_id, "threshold_amount": body["threshold_amount"]}})
    return updated


def delete_spend_alert(
    org: Organization, principal: Principal, alert_id: str, project_id: str | None = None
) -> dict[str, Any]:
    collection, object_type, scope, project = _alerts_of(org, project_id)
    if project_id is not None:
        project = writable_project(org, project_id)
    if get_store().delete(org.tenant, collection, alert_id) is None:
        raise not_found("SpendAlert", alert_id, "alert_id")
    _sync_thresholds(org, scope, collection)
    _audit(org, principal, project, {"spend_alert": {"id": alert_id, "deleted": True}})
    return {"object": f"{object_type}.deleted", "id": alert_id, "deleted": True}

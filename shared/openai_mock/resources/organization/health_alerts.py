"""Health alerts (docs/health-alerts.md): rules an organization or one of its projects sets on its API traffic
(`client.admin.organization[.projects].health.alert_rules`), and the alerts they raise, immutable snapshots of a
rule's measurement when it starts or stops breaching (`….health.alerts.retrieve`), each announced to the
organization's webhook endpoints as `health.alert.triggered` / `health.alert.resolved` with the alert's id.
Operations the API gained after the 2026-08-21 spec, served as the official SDK calls them.

What is measured, from what the mock already keeps in its store:

- `error_rate`: failed model requests (web/error_counts.py: counted per minute only when a request fails) over all
  model requests (those failures + the successes usage counts), in the rule's window (5, 15 or 30 minutes);
- `prompt_cache_hit_rate`: cached input tokens over input tokens of the usage, in the last 5 minutes;
- `rate_limit_utilization`: the peak of a rate-limit window (control/quotas.py, resources/ratelimits.py) over
  its limit, minute by minute, for `consecutive_minutes` minutes in a row;
- `service_tier_fallback_rate`: 0 — the mock never serves a `fast` request in a lower tier for lack of capacity.

Evaluation is a webhook source (control/webhooks): a rule whose webhook notifications are on, in an organization
with an endpoint subscribed to `health.alert.*`, is looked at on each minute boundary of the tenant's clock (the
local scheduler, or SQS and the WebhooksFunction on AWS); each look evaluates the minutes since the last one and
asks to be woken at the next. Without such an endpoint nothing is scheduled: the watch starts when a rule is
created or updated, or when a rule that stopped being watched is read, and stops when the rule is disabled,
deleted, or its organization has no endpoint for it any more."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from typing import Any

from openai_mock import clock, ids
from openai_mock.control import quotas, webhooks
from openai_mock.control.webhooks.sources import NotYet, Outcome
from openai_mock.errors import OpenAIError, invalid_request, not_found
from openai_mock.resources.organization import usage
from openai_mock.resources.organization.core import PROJECTS, Organization, default_project_id, public
from openai_mock.store import COUNTERS, ConflictError, get_store
from openai_mock.web import error_counts

RULES = "health.alert_rule"
ALERTS = "health.alert"
STATES = "health.alert_rule.state"  # id = the rule's id: what its last evaluation saw, per series
SOURCE = "health.alert_rule"  # the webhook source that evaluates a rule (resources/webhooks.py lists it)
ORGANIZATION_OWNER = "organization"

CONDITION_TYPES = ("error_rate", "prompt_cache_hit_rate", "rate_limit_utilization", "service_tier_fallback_rate")
WINDOWS = (300, 900, 1800)
DEFAULT_WINDOW_SECONDS = 300  # conditions without a window of their own (cache hit rate, fallback rate)
RATE_LIMIT_THRESHOLD = 0.9
MAX_CONSECUTIVE_MINUTES = 60
SERVICE_TIERS = ("default", "priority", "flex", "scale")
MAX_FILTER_VALUES = 100
MAX_STATUS_CODES = 20
MAX_CATCH_UP_MINUTES = 60  # a clock moved further than this: the last hour is evaluated
NAME_LENGTH = 256
EVENT_TYPES = ("health.alert.triggered", "health.alert.resolved")
# Usage kinds whose records are model requests (a hosted tool's calls are not requests of their own).
REQUEST_KINDS = frozenset(
    ("completions", "embeddings", "moderations", "images", "audio_speeches", "audio_transcriptions", "videos",
     "decisions")
)  # fmt: skip
TOKEN_KINDS = frozenset(("completions", "decisions"))
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SNAPSHOT = re.compile(r"^-\d{4}-\d{2}-\d{2}$|^-\d{4}$")


# --- owners -----------------------------------------------------------------------------------------------------


def _owner_project(org: Organization, project_id: str | None, *, writing: bool = False) -> str:
    """The owner of rules under this path: the organization, or a project of it (404 naming `project_id`)."""
    if project_id is None:
        return ORGANIZATION_OWNER
    project = get_store().get(org.tenant, PROJECTS, project_id)
    if project is None:
        raise not_found("Project", project_id, "project_id")
    if writing and project["status"] == "archived":
        raise invalid_request(f"Project {project_id} is archived and cannot be modified.", "project_id")
    return project_id


# --- checks -----------------------------------------------------------------------------------------------------


def _type_error(param: str, expected: str, value: Any) -> OpenAIError:
    got = (
        "null" if value is None else "a boolean" if isinstance(value, bool)
        else "a number" if isinstance(value, int | float) else "a string" if isinstance(value, str)
        else "an array" if isinstance(value, list) else "an object"
    )  # fmt: skip
    return invalid_request(f"Invalid type for '{param}': expected {expected}, but got {got} instead.", param,
                           "invalid_type")  # fmt: skip


def _object(value: Any, param: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _type_error(param, "an object", value)
    for key in value:
        if key not in allowed:
            raise invalid_request(f"Unrecognized request argument supplied: {param}.{key}", f"{param}.{key}",
                                  "unknown_parameter")  # fmt: skip
    return value


def _fraction(value: Any, param: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _type_error(param, "a number", value)
    if not 0 < value <= 1:
        raise invalid_request(
            f"Invalid '{param}': expected a fraction greater than 0 and at most 1, but got {value} instead.",
            param,
            "invalid_value",
        )
    return float(value)


def _strings(value: Any, param: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _type_error(param, "an array of strings", value)
    if len(value) > MAX_FILTER_VALUES:
        raise invalid_request(
            f"Invalid '{param}': expected at most {MAX_FILTER_VALUES} values, but got {len(value)}.", param,
            "array_above_max_length",
        )  # fmt: skip
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise invalid_request(f"Invalid '{param}[{index}]': expected a non-empty string.", f"{param}[{index}]",
                                  "invalid_value")  # fmt: skip
    return list(dict.fromkeys(value))


_SETTINGS = {
    "error_rate": ("type", "threshold", "window_seconds", "status_class", "status_codes"),
    "prompt_cache_hit_rate": ("type", "threshold"),
    "rate_limit_utilization": ("type", "metric", "threshold", "consecutive_minutes"),
    "service_tier_fallback_rate": ("type", "threshold", "source_tier"),
}


def _condition(fields: Any, current: dict[str, Any] | None) -> dict[str, Any]:
    """The rule's condition from what was sent; on update, over the current one (its type cannot change)."""
    fields = _object(fields, "condition", tuple(dict.fromkeys(name for names in _SETTINGS.values() for name in names)))
    kind = fields.get("type")
    if kind not in CONDITION_TYPES:
        raise invalid_request(
            f"Invalid value: '{kind}'. Supported values are: {', '.join(repr(t) for t in CONDITION_TYPES)}.",
            "condition.type",
            "invalid_value",
        )
    if current is not None and kind != current["type"]:
        raise invalid_request(
            f"An alert rule's condition type cannot change (it is '{current['type']}'): to watch "
            f"'{kind}', create a new alert rule.",
            "condition.type",
            "invalid_value",
        )
    for key in fields:
        if key not in _SETTINGS[kind]:
            raise invalid_request(
                f"Unrecognized request argument supplied: condition.{key} (not a setting of '{kind}').",
                f"condition.{key}",
                "unknown_parameter",
            )
    base = dict(current) if current is not None else {}
    if kind == "rate_limit_utilization":
        return _rate_limit_condition(fields, base)
    if "threshold" not in fields:
        raise invalid_request("Missing required parameter: 'condition.threshold'.", "condition.threshold",
                              "missing_required_parameter")  # fmt: skip
    condition: dict[str, Any] = {"type": kind, "threshold": _fraction(fields["threshold"], "condition.threshold")}
    if kind == "error_rate":
        condition.update(_error_rate_settings(fields, base))
    elif kind == "service_tier_fallback_rate":
        tier = fields.get("source_tier") or base.get("source_tier") or "fast"
        if tier != "fast":
            raise invalid_request(f"Invalid value: '{tier}'. Supported values are: 'fast'.", "condition.source_tier",
                                  "invalid_value")  # fmt: skip
        condition["source_tier"] = tier
    return condition


def _rate_limit_condition(fields: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    metric = fields.get("metric", base.get("metric"))
    if metric not in ("rpm", "tpm"):
        raise invalid_request(f"Invalid value: '{metric}'. Supported values are: 'rpm' and 'tpm'.",
                              "condition.metric", "invalid_value")  # fmt: skip
    threshold = fields.get("threshold")
    minutes = fields.get("consecutive_minutes")
    if minutes is None:
        minutes = base.get("consecutive_minutes", 1)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_CONSECUTIVE_MINUTES:
        raise invalid_request(
            f"Invalid 'condition.consecutive_minutes': expected an integer from 1 to {MAX_CONSECUTIVE_MINUTES}, "
            f"but got {minutes}.",
            "condition.consecutive_minutes",
            "invalid_value",
        )
    return {
        "type": "rate_limit_utilization",
        "metric": metric,
        "threshold": (
            _fraction(threshold, "condition.threshold") if threshold is not None
            else base.get("threshold", RATE_LIMIT_THRESHOLD)
        ),
        "consecutive_minutes": minutes,
    }  # fmt: skip


def _error_rate_settings(fields: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    window = fields.get("window_seconds")
    if window is None:
        raise invalid_request("Missing required parameter: 'condition.window_seconds'.",
                              "condition.window_seconds", "missing_required_parameter")  # fmt: skip
    if isinstance(window, bool) or window not in WINDOWS:
        raise invalid_request(
            f"Invalid 'condition.window_seconds': expected 300, 900 or 1800, but got {window}.",
            "condition.window_seconds",
            "invalid_value",
        )
    status_class = fields.get("status_class", base.get("status_class", "all"))
    if status_class not in ("all", "4xx", "5xx"):
        raise invalid_request(
            f"Invalid value: '{status_class}'. Supported values are: 'all', '4xx' and '5xx'.",
            "condition.status_class",
            "invalid_value",
        )
    codes = fields["status_codes"] if "status_codes" in fields else base.get("status_codes")
    return {"window_seconds": int(window), "status_class": status_class, "status_codes": _codes(codes, status_class)}


def _codes(codes: Any, status_class: str) -> list[int] | None:
    if codes is None:
        return None
    if not isinstance(codes, list) or not codes:
        raise invalid_request("Invalid 'condition.status_codes': expected a non-empty array of HTTP statuses.",
                              "condition.status_codes", "invalid_value")  # fmt: skip
    if len(codes) > MAX_STATUS_CODES:
        raise invalid_request(f"Invalid 'condition.status_codes': at most {MAX_STATUS_CODES} statuses.",
                              "condition.status_codes", "array_above_max_length")  # fmt: skip
    for index, code in enumerate(codes):
        param = f"condition.status_codes[{index}]"
        if isinstance(code, bool) or not isinstance(code, int) or not 400 <= code <= 599:
            raise invalid_request(f"Invalid '{param}': expected a 4xx or 5xx HTTP status, but got {code}.", param,
                                  "invalid_value")  # fmt: skip
        if status_class != "all" and str(code)[0] != status_class[0]:
            raise invalid_request(
                f"Invalid '{param}': {code} is not a {status_class} status (the condition's status_class).",
                param,
                "invalid_value",
            )
    return sorted(set(codes))


def _filters(fields: Any, current: dict[str, Any] | None, org: Organization, owner: str) -> dict[str, Any]:
    """The filters from what was sent; on update, the lists sent replace the current ones, the others stay."""
    filters = dict(current) if current is not None else {
        "models": [], "observability_tags": [], "project_ids": [], "service_tiers": []
    }  # fmt: skip
    if fields is None:
        return filters
    fields = _object(fields, "filters", ("models", "observability_tags", "project_ids", "service_tiers"))
    for name, value in fields.items():
        filters[name] = _strings(value, f"filters.{name}")
    for index, tier in enumerate(filters["service_tiers"]):
        if tier not in SERVICE_TIERS:
            raise invalid_request(
                f"Invalid value: '{tier}'. Supported values are: 'default', 'priority', 'flex' and 'scale'.",
                f"filters.service_tiers[{index}]",
                "invalid_value",
            )
    for index, project_id in enumerate(filters["project_ids"] if "project_ids" in fields else ()):
        param = f"filters.project_ids[{index}]"
        if owner != ORGANIZATION_OWNER and project_id != owner:
            raise invalid_request(
                f"Invalid '{param}': a project's alert rule watches its own project ('{owner}') only.", param,
                "invalid_value",
            )  # fmt: skip
        if get_store().get(org.tenant, PROJECTS, project_id) is None:
            raise not_found("Project", project_id, param)
    return filters


_EMAIL_OFF = {"addresses": [], "enabled": False, "org_owners": False, "project_owners": False}


def _notifications(fields: Any, current: dict[str, Any] | None, owner: str) -> dict[str, Any]:
    """Channels and their fields merge into the current settings; `{}` turns both channels off."""
    if current is None:  # a new rule: a webhook event, and an email to the owners of what it watches
        current = {
            "email": {**_EMAIL_OFF, "enabled": True, "org_owners": owner == ORGANIZATION_OWNER,
                      "project_owners": owner != ORGANIZATION_OWNER},
            "webhook": {"enabled": True},
        }  # fmt: skip
    if fields is None:
        return current
    fields = _object(fields, "notifications", ("email", "webhook"))
    if not fields:
        return {"email": dict(_EMAIL_OFF), "webhook": {"enabled": False}}
    merged = {"email": dict(current["email"]), "webhook": dict(current["webhook"])}
    if "webhook" in fields:
        webhook = _object(fields["webhook"], "notifications.webhook", ("enabled",))
        if "enabled" in webhook:
            if not isinstance(webhook["enabled"], bool):
                raise _type_error("notifications.webhook.enabled", "a boolean", webhook["enabled"])
            merged["webhook"]["enabled"] = webhook["enabled"]
    if "email" in fields:
        email = _object(fields["email"], "notifications.email", ("addresses", "enabled", "org_owners",
                                                                 "project_owners"))  # fmt: skip
        for name in ("enabled", "org_owners", "project_owners"):
            if name in email:
                if not isinstance(email[name], bool):
                    raise _type_error(f"notifications.email.{name}", "a boolean", email[name])
                merged["email"][name] = email[name]
        if "addresses" in email:
            addresses = _strings(email["addresses"], "notifications.email.addresses")
            for index, address in enumerate(addresses):
                if not _EMAIL.match(address):
                    param = f"notifications.email.addresses[{index}]"
                    raise invalid_request(f"Invalid '{param}': '{address}' is not an email address.", param,
                                          "invalid_value")  # fmt: skip
            merged["email"]["addresses"] = addresses
    email = merged["email"]
    if email["enabled"] and not (email["addresses"] or email["org_owners"] or email["project_owners"]):
        raise invalid_request(
            "Email notifications need a recipient: give 'addresses', or set 'org_owners' or 'project_owners'.",
            "notifications.email",
            "invalid_value",
        )
    return merged


def _name(value: Any) -> str:
    if not isinstance(value, str):
        raise _type_error("name", "a string", value)
    if not value.strip():
        raise invalid_request("Invalid 'name': expected a non-empty string.", "name", "invalid_value")
    if len(value) > NAME_LENGTH:
        raise invalid_request(
            f"Invalid 'name': string too long. Expected a string with maximum length {NAME_LENGTH}, but got a "
            f"string with length {len(value)} instead.",
            "name",
            "string_above_max_length",
        )
    return value


# --- rules ------------------------------------------------------------------------------------------------------


def _view(rule: dict[str, Any]) -> dict[str, Any]:
    return public(rule)


def _stored_rule(org: Organization, owner: str, rule_id: str) -> dict[str, Any]:
    rule = get_store().get(org.tenant, RULES, rule_id)
    if rule is None or rule["_owner"] != owner:
        raise not_found("HealthAlertRule", rule_id, "alert_rule_id")
    return rule


def create_rule(org: Organization, fields: dict[str, Any], project_id: str | None = None) -> dict[str, Any]:
    owner = _owner_project(org, project_id, writing=True)
    for required in ("name", "condition"):
        if fields.get(required) is None:
            raise invalid_request(f"Missing required parameter: '{required}'.", required, "missing_required_parameter")
    enabled = fields.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise _type_error("enabled", "a boolean", enabled)
    now = clock.now_seconds()
    rule = {
        "id": ids.new_id(RULES),
        "object": RULES,
        "organization_id": org.id,
        "name": _name(fields["name"]),
        "condition": _condition(fields["condition"], None),
        "enabled": True if enabled is None else enabled,
        "filters": _filters(fields.get("filters"), None, org, owner),
        "notifications": _notifications(fields.get("notifications"), None, owner),
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "_owner": owner,
        "_watching": False,
    }
    get_store().create(org.tenant, RULES, rule)
    return _view(_arm(org.tenant, rule))


def retrieve_rule(org: Organization, rule_id: str, project_id: str | None = None) -> dict[str, Any]:
    rule = _stored_rule(org, _owner_project(org, project_id), rule_id)
    return _view(_arm(org.tenant, rule))


def _encode_page(rule_id: str) -> str:
    return base64.urlsafe_b64encode(f"after:{rule_id}".encode()).decode().rstrip("=")


def _decode_page(page: str) -> str:
    try:
        text = base64.urlsafe_b64decode(page + "=" * (-len(page) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    label, _, rule_id = text.partition(":")
    if label != "after" or not rule_id:
        raise invalid_request(f"Invalid page token: '{page}'.", "page", "invalid_value")
    return rule_id


def list_rules(
    org: Organization,
    *,
    limit: int = 20,
    page: str | None = None,
    enabled: bool | None = None,
    condition_type: str | None = None,
    project_id: str | None = None,
) -> dict[str, Any]:
    """Oldest first; `next` is the token of the following page (null on the last)."""
    owner = _owner_project(org, project_id)
    if not 1 <= limit <= 100:
        raise invalid_request(f"Invalid 'limit': expected a value from 1 to 100, but got {limit} instead.", "limit",
                              "invalid_value")  # fmt: skip
    if condition_type is not None and condition_type not in CONDITION_TYPES:
        raise invalid_request(
            f"Invalid value: '{condition_type}'. Supported values are: {', '.join(repr(t) for t in CONDITION_TYPES)}.",
            "type",
            "invalid_value",
        )

    def wanted(rule: dict[str, Any]) -> bool:
        return (
            rule["_owner"] == owner
            and (enabled is None or rule["enabled"] is enabled)
            and (condition_type is None or rule["condition"]["type"] == condition_type)
        )

    after = _decode_page(page) if page else None
    found = get_store().list(org.tenant, RULES, limit=limit, order="asc", after=after, where=wanted)
    if any(_unwatched(rule) for rule in found.items) and _has_endpoint(org.tenant):
        found = found._replace(items=[_arm(org.tenant, rule, endpoint_known=True) for rule in found.items])
    return {
        "object": "list",
        "data": [_view(rule) for rule in found.items],
        "has_more": found.has_more,
        "next": _encode_page(found.items[-1]["id"]) if found.has_more and found.items else None,
    }


def _expected_version(value: Any) -> int:
    if value is None:
        raise invalid_request("Missing required parameter: 'expected_version'.", "expected_version",
                              "missing_required_parameter")  # fmt: skip
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error("expected_version", "an integer", value)
    return value


def _version_conflict(rule: dict[str, Any], expected: int) -> OpenAIError:
    return OpenAIError(
        409,
        f"Alert rule {rule['id']} is at version {rule['version']}, not {expected}: it changed since you read it. "
        "Retrieve it and retry with its current version.",
        param="expected_version",
        code="version_conflict",
    )


def update_rule(
    org: Organization, rule_id: str, fields: dict[str, Any], project_id: str | None = None
) -> dict[str, Any]:
    owner = _owner_project(org, project_id, writing=True)
    stored = _stored_rule(org, owner, rule_id)
    expected = _expected_version(fields.get("expected_version"))
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = _name(fields["name"])
    if "enabled" in fields:
        if not isinstance(fields["enabled"], bool):
            raise _type_error("enabled", "a boolean", fields["enabled"])
        changes["enabled"] = fields["enabled"]
    if "condition" in fields:
        changes["condition"] = _condition(fields["condition"], stored["condition"])
    if "filters" in fields:
        changes["filters"] = _filters(fields["filters"], stored["filters"], org, owner)
    if "notifications" in fields:
        changes["notifications"] = _notifications(fields["notifications"], stored["notifications"], owner)
    now = clock.now_seconds()

    def change(rule: dict[str, Any]) -> dict[str, Any]:
        if rule["version"] != expected:
            raise _version_conflict(rule, expected)
        return {**rule, **changes, "version": rule["version"] + 1, "updated_at": now}

    updated = get_store().update(org.tenant, RULES, rule_id, change)
    if updated is None:
        raise not_found("HealthAlertRule", rule_id, "alert_rule_id")
    return _view(_arm(org.tenant, updated))


def delete_rule(
    org: Organization, rule_id: str, expected_version: int, project_id: str | None = None
) -> dict[str, Any]:
    """The rule goes (its pending evaluation finds nothing and stops); the alerts it raised stay retrievable."""
    owner = _owner_project(org, project_id, writing=True)
    stored = _stored_rule(org, owner, rule_id)
    if stored["version"] != expected_version:
        raise _version_conflict(stored, expected_version)
    get_store().delete(org.tenant, RULES, rule_id)
    get_store().delete(org.tenant, STATES, rule_id)
    return {"id": rule_id, "object": "health.alert_rule.deleted", "deleted": True}


# --- alerts -----------------------------------------------------------------------------------------------------


def retrieve_alert(org: Organization, alert_id: str, project_id: str | None = None) -> dict[str, Any]:
    owner = _owner_project(org, project_id)
    alert = get_store().get(org.tenant, ALERTS, alert_id)
    if alert is None or alert["_owner"] != owner:
        raise not_found("HealthAlert", alert_id, "alert_id")
    return public(alert)


# --- watching: the webhook source --------------------------------------------------------------------------------


def _watchable(rule: dict[str, Any]) -> bool:
    return bool(rule["enabled"] and rule["notifications"]["webhook"]["enabled"])


def _unwatched(rule: dict[str, Any]) -> bool:
    return _watchable(rule) and not rule.get("_watching")


def _has_endpoint(tenant: str) -> bool:
    """Whether an endpoint of the tenant receives health alerts (else evaluating them is of no use)."""
    from openai_mock.control.webhooks import endpoints  # the delivery machinery: only when a rule is watched

    return any(
        endpoints.subscribed(endpoint, name) for endpoint in endpoints.every_endpoint(tenant) for name in EVENT_TYPES
    )


def _set_watching(tenant: str, rule_id: str, watching: bool) -> dict[str, Any] | None:
    # Not a new version of the rule: bookkeeping of the mock.
    return get_store().update(tenant, RULES, rule_id, lambda rule: {**rule, "_watching": watching})


def _arm(tenant: str, rule: dict[str, Any], *, endpoint_known: bool = False) -> dict[str, Any]:
    """Start evaluating an enabled rule with webhook notifications at the next minute boundary, if nothing does yet
    and an endpoint would receive its alerts. The rule as stored."""
    if not _unwatched(rule) or not (endpoint_known or _has_endpoint(tenant)):
        return rule
    boundary = _minute(clock.now())
    # Evaluated from the next boundary on: what came before the watch is not replayed (a watch that stopped dropped
    # its state, so it starts afresh).
    fresh = {"id": rule["id"], "evaluated_until": boundary, "series": {}}
    if get_store().update(tenant, STATES, rule["id"], lambda state: {**state, "evaluated_until": boundary}) is None:
        with contextlib.suppress(ConflictError):  # made meanwhile by another arm: it stands
            get_store().create(tenant, STATES, fresh)
    if not webhooks.watch(tenant, SOURCE, rule["id"], at=boundary + 60):
        return rule
    return _set_watching(tenant, rule["id"], True) or rule


def _minute(at: float) -> int:
    return int(at // 60) * 60


def evaluate(tenant: str, rule_id: str) -> Outcome:
    """The source's resolver: evaluate the rule at each minute boundary passed since its last evaluation (in the
    tenant's time), record an alert and emit its event at each change of state, and look again at the next
    boundary; nothing more once the rule is gone, off, or has nobody to tell."""
    store = get_store()
    rule = store.get(tenant, RULES, rule_id)
    if rule is None:
        return None
    if not _watchable(rule) or not _has_endpoint(tenant):
        _set_watching(tenant, rule_id, False)
        store.delete(tenant, STATES, rule_id)  # a later watch starts afresh
        return None
    now_boundary = _minute(clock.now())
    state = store.get(tenant, STATES, rule_id) or {"id": rule_id, "evaluated_until": now_boundary - 60, "series": {}}
    first = max(state["evaluated_until"] + 60, now_boundary - (MAX_CATCH_UP_MINUTES - 1) * 60)
    series: dict[str, dict[str, Any]] = dict(state["series"])
    for boundary in range(first, now_boundary + 1, 60):
        for key, measured in _measure(tenant, rule, boundary, series).items():
            _step(tenant, rule, boundary, key, measured, series)
    saved = {"id": rule_id, "evaluated_until": max(state["evaluated_until"], now_boundary), "series": series}
    if store.update(tenant, STATES, rule_id, lambda _current: saved) is None:
        store.create(tenant, STATES, saved)
    return NotYet(now_boundary + 60)


def _step(
    tenant: str, rule: dict[str, Any], boundary: int, key: str, measured: dict[str, Any], series: dict[str, Any]
) -> None:
    before = series.get(key, {"breached": False, "streak": 0})
    streak = before["streak"] + 1 if measured["over"] else 0
    needed = rule["condition"].get("consecutive_minutes", 1)
    breached = streak >= needed if not before["breached"] else measured["over"]
    series[key] = {"breached": breached, "streak": streak}
    if breached == before["breached"]:
        return
    alert = {
        "id": ids.new_id(ALERTS),
        "object": ALERTS,
        "alert_rule_id": rule["id"],
        "type": "triggered" if breached else "resolved",
        "created_at": clock.now_seconds(),
        "occurred_at": boundary,
        "window": measured["window"],
        "dimensions": measured["dimensions"],
        "measurement": measured["measurement"],
        "_owner": rule["_owner"],
    }
    get_store().create(tenant, ALERTS, alert)
    webhooks.emit(tenant, f"health.alert.{alert['type']}", alert["id"], at=boundary)


# --- measurements -----------------------------------------------------------------------------------------------


def _model_matches(model: str | None, wanted: list[str]) -> bool:
    if not wanted:
        return True
    if model is None:
        return False
    return any(model == name or (model.startswith(name) and _SNAPSHOT.match(model[len(name) :])) for name in wanted)


class _Scope:
    """What a rule counts: its project (a project's rule) or filtered projects, models and served tiers."""

    def __init__(self, tenant: str, rule: dict[str, Any]) -> None:
        filters = rule["filters"]
        self.default_project = default_project_id(tenant)
        owner = rule["_owner"]
        self.projects = [owner] if owner != ORGANIZATION_OWNER else filters["project_ids"]
        self.models = filters["models"]
        self.tiers = filters["service_tiers"]

    def keeps(self, project_id: str | None, model: str | None, tier: str | None) -> bool:
        project = project_id or self.default_project
        return (
            (not self.projects or project in self.projects)
            and _model_matches(model, self.models)
            and (not self.tiers or (tier or "default") in self.tiers)
        )

    def dimensions(self) -> dict[str, Any]:
        single = lambda values: values[0] if len(values) == 1 else None  # noqa: E731
        return {"model": single(self.models), "project_id": single(self.projects), "service_tier": single(self.tiers)}


def _usage(tenant: str, scope: _Scope, start: int, end: int, kinds: frozenset[str]) -> list[dict[str, Any]]:
    return [
        record
        for record in usage.recorded(tenant, start, end)
        if record["kind"] in kinds
        and scope.keeps(record["dims"].get("project_id"), record["dims"].get("model"),
                        record["dims"].get("service_tier"))
    ]  # fmt: skip


def _measure(tenant: str, rule: dict[str, Any], boundary: int, known: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rule's series at `boundary`, each: `over` (its threshold crossed), `window`, `dimensions`,
    `measurement`. `known`: the series seen before (a rate-limit bucket with no traffic since measures 0)."""
    condition, scope = rule["condition"], _Scope(tenant, rule)
    kind, threshold = condition["type"], condition["threshold"]
    if kind == "rate_limit_utilization":
        return _rate_limits(tenant, condition, scope, boundary, known)
    window = condition.get("window_seconds", DEFAULT_WINDOW_SECONDS)
    start = boundary - window
    framed = {"started_at": start, "ended_at": boundary}
    if kind == "error_rate":
        records = _usage(tenant, scope, start, boundary, REQUEST_KINDS)
        successes = sum(record["metrics"].get("num_model_requests", 0) for record in records)
        failures = [
            failure
            for failure in error_counts.recorded(tenant, start, boundary)
            if scope.keeps(failure["project_id"], failure["model"], failure["service_tier"])
        ]
        requests = successes + sum(failure["errors"] for failure in failures)
        codes = condition["status_codes"]
        groups: dict[str, tuple[dict[str, Any], Any]] = {}
        if codes:
            for code in codes:
                groups[str(code)] = ({"http_status": code}, lambda status, code=code: status == code)
        else:
            status_class = condition["status_class"]
            groups["all"] = ({}, lambda status: status_class == "all" or str(status)[0] == status_class[0])
        found = {}
        for key, (extra, counts) in groups.items():
            errors = sum(failure["errors"] for failure in failures if counts(failure["status"]))
            value = errors / requests if requests else 0.0
            found[key] = {
                "over": requests > 0 and value >= threshold,
                "window": framed,
                "dimensions": {**scope.dimensions(), **extra},
                "measurement": {"type": kind, "error_count": errors, "request_count": requests, "threshold": threshold,
                                "value": value},
            }  # fmt: skip
        return found
    records = _usage(tenant, scope, start, boundary, TOKEN_KINDS)
    if kind == "prompt_cache_hit_rate":
        inputs = sum(record["metrics"].get("input_tokens", 0) for record in records)
        cached = sum(record["metrics"].get("input_cached_tokens", 0) for record in records)
        value = cached / inputs if inputs else 0.0
        measurement = {"type": kind, "cached_input_token_count": cached, "input_token_count": inputs,
                       "threshold": threshold, "value": value}  # fmt: skip
        over = inputs > 0 and value < threshold  # a cache that hits too rarely
    else:  # service_tier_fallback_rate: Fast mode shows as `priority`, and is never downgraded for capacity
        eligible = sum(
            record["metrics"].get("num_model_requests", 0)
            for record in records
            if record["dims"].get("service_tier") == "priority"
        )
        measurement = {"type": kind, "eligible_attempt_count": eligible, "fallback_count": 0,
                       "source_tier": condition["source_tier"], "threshold": threshold, "value": 0.0}  # fmt: skip
        over = False
    return {"all": {"over": over, "window": framed, "dimensions": scope.dimensions(), "measurement": measurement}}


def _rate_limits(
    tenant: str, condition: dict[str, Any], scope: _Scope, boundary: int, known: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Each model's rate-limit window of the minute before `boundary` (resources/ratelimits.py counts per model,
    organization-wide), against the tenant's quota: one series per model with traffic, or seen before."""
    limits = quotas.quota(tenant)
    metric = condition["metric"]
    limit = limits["requests_per_minute"] if metric == "rpm" else limits["tokens_per_minute"]
    counter = "requests" if metric == "rpm" else "tokens"
    start = boundary - 60
    used: dict[str, int] = dict.fromkeys(known, 0)
    for key, values in get_store().counters(tenant, COUNTERS, after="ratelimit#", before="ratelimit$"):
        _, model, window = key.rsplit("#", 2) if key.count("#") >= 2 else ("", "", "")
        if window == str(start) and _model_matches(model, scope.models):
            used[model] = values.get(counter, 0)
    found = {}
    for model, count in used.items():
        value = count / limit if limit else 0.0
        found[model] = {
            "over": value >= condition["threshold"],
            "window": {"started_at": start, "ended_at": boundary},
            "dimensions": {**scope.dimensions(), "model": model},
            "measurement": {
                "type": "rate_limit_utilization",
                "consecutive_minutes": condition["consecutive_minutes"],
                "metric": metric,
                "rate_limit_scope": model,
                "threshold": condition["threshold"],
                "value": value,
            },
        }
    return found


webhooks.register_source(SOURCE, evaluate)

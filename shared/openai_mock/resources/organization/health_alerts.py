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
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from openai_mock import clock, ids
from openai_mock.control import quotas, webhooks
from openai_mock.control.webhooks.sources import NotYet, Outcome
from openai_mock.errors import OpenAIError, invalid_request, missing_parameter, not_found
from openai_mock.fields import Decimal, Integer, RequestModel
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


# --- what a request may send ------------------------------------------------------------------------------------
# Types, ranges and enums are the models' (pydantic, errors naming the nested param: `condition.window_seconds`);
# what depends on the condition's type, the stored rule or other objects is checked below.

Fraction = Annotated[Decimal, Field(gt=0, le=1)]
_Values = Annotated[list[Annotated[str, Field(min_length=1)]], Field(max_length=MAX_FILTER_VALUES)]
_StatusCodes = Annotated[
    list[Annotated[Integer, Field(ge=400, le=599)]], Field(min_length=1, max_length=MAX_STATUS_CODES)
]


class _Fields(RequestModel):
    model_config = ConfigDict(extra="forbid")


class ConditionParams(_Fields):
    type: Literal["error_rate", "prompt_cache_hit_rate", "rate_limit_utilization", "service_tier_fallback_rate"]
    threshold: Fraction | None = None
    window_seconds: Literal[300, 900, 1800] | None = None
    status_class: Literal["all", "4xx", "5xx"] | None = None
    status_codes: _StatusCodes | None = None
    metric: Literal["rpm", "tpm"] | None = None
    consecutive_minutes: Annotated[Integer, Field(ge=1, le=MAX_CONSECUTIVE_MINUTES)] | None = None
    source_tier: Literal["fast"] | None = None


class FiltersParams(_Fields):
    models: _Values | None = None
    observability_tags: _Values | None = None
    project_ids: _Values | None = None
    service_tiers: list[Literal["default", "priority", "flex", "scale"]] | None = None


class EmailParams(_Fields):
    addresses: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] | None = None
    enabled: bool | None = None
    org_owners: bool | None = None
    project_owners: bool | None = None


class WebhookParams(_Fields):
    enabled: bool | None = None


class NotificationsParams(_Fields):
    email: EmailParams | None = None
    webhook: WebhookParams | None = None


_Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH)]


class RuleParams(_Fields):
    """An update: what it sends changes (`model_fields_set`), the rest stays."""

    name: _Name | None = None
    condition: ConditionParams | None = None
    enabled: bool | None = None
    filters: FiltersParams | None = None
    notifications: NotificationsParams | None = None


class RuleCreateParams(RuleParams):
    name: _Name
    condition: ConditionParams


class RuleUpdateParams(RuleParams):
    expected_version: Integer


# The settings each condition type takes.
_SETTINGS = {
    "error_rate": {"type", "threshold", "window_seconds", "status_class", "status_codes"},
    "prompt_cache_hit_rate": {"type", "threshold"},
    "rate_limit_utilization": {"type", "metric", "threshold", "consecutive_minutes"},
    "service_tier_fallback_rate": {"type", "threshold", "source_tier"},
}


def _condition(sent: ConditionParams, current: dict[str, Any] | None) -> dict[str, Any]:
    """The rule's condition from what was sent; on update, over the current one (its type cannot change)."""
    kind = sent.type
    if current is not None and kind != current["type"]:
        raise invalid_request(
            f"An alert rule's condition type cannot change (it is '{current['type']}'): to watch "
            f"'{kind}', create a new alert rule.",
            "condition.type",
            "invalid_value",
        )
    foreign = sorted(sent.model_fields_set - _SETTINGS[kind])
    if foreign:
        raise invalid_request(
            f"Unrecognized request argument supplied: condition.{foreign[0]} (not a setting of '{kind}').",
            f"condition.{foreign[0]}",
            "unknown_parameter",
        )
    settings = {**(current or {}), **sent.model_dump(exclude_unset=True, exclude_none=True)}
    if kind == "rate_limit_utilization":
        if "metric" not in settings:
            raise missing_parameter("condition.metric")
        return {
            "type": kind,
            "metric": settings["metric"],
            "threshold": settings.get("threshold", RATE_LIMIT_THRESHOLD),
            "consecutive_minutes": settings.get("consecutive_minutes", 1),
        }
    if "threshold" not in settings:
        raise missing_parameter("condition.threshold")
    condition: dict[str, Any] = {"type": kind, "threshold": settings["threshold"]}
    if kind == "error_rate":
        if "window_seconds" not in settings:
            raise missing_parameter("condition.window_seconds")
        status_class = settings.get("status_class", "all")
        codes = settings.get("status_codes")
        condition.update(window_seconds=settings["window_seconds"], status_class=status_class,
                         status_codes=None if codes is None else _codes(codes, status_class))  # fmt: skip
    elif kind == "service_tier_fallback_rate":
        condition["source_tier"] = settings.get("source_tier", "fast")
    return condition


def _codes(codes: list[int], status_class: str) -> list[int]:
    """The statuses, each of the condition's class."""
    for index, code in enumerate(codes):
        if status_class != "all" and str(code)[0] != status_class[0]:
            param = f"condition.status_codes[{index}]"
            raise invalid_request(
                f"Invalid '{param}': {code} is not a {status_class} status (the condition's status_class).",
                param,
                "invalid_value",
            )
    return sorted(set(codes))


def _filters(
    sent: FiltersParams | None, current: dict[str, Any] | None, org: Organization, owner: str
) -> dict[str, Any]:
    """The filters from what was sent; on update, the lists sent replace the current ones, the others stay."""
    filters = dict(current) if current is not None else {
        "models": [], "observability_tags": [], "project_ids": [], "service_tiers": []
    }  # fmt: skip
    if sent is None:
        return filters
    for name, values in sent.model_dump(exclude_unset=True).items():
        filters[name] = list(dict.fromkeys(values or ()))
    for index, project_id in enumerate(filters["project_ids"] if "project_ids" in sent.model_fields_set else ()):
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


def _notifications(sent: NotificationsParams | None, current: dict[str, Any] | None, owner: str) -> dict[str, Any]:
    """Channels and their fields merge into the current settings; `{}` turns both channels off."""
    if current is None:  # a new rule: a webhook event, and an email to the owners of what it watches
        current = {
            "email": {**_EMAIL_OFF, "enabled": True, "org_owners": owner == ORGANIZATION_OWNER,
                      "project_owners": owner != ORGANIZATION_OWNER},
            "webhook": {"enabled": True},
        }  # fmt: skip
    if sent is None:
        return current
    if not sent.model_fields_set:
        return {"email": dict(_EMAIL_OFF), "webhook": {"enabled": False}}
    changes = sent.model_dump(exclude_unset=True, exclude_none=True)
    merged = {channel: {**current[channel], **changes.get(channel, {})} for channel in ("email", "webhook")}
    merged["email"]["addresses"] = list(dict.fromkeys(merged["email"]["addresses"]))
    email = merged["email"]
    if email["enabled"] and not (email["addresses"] or email["org_owners"] or email["project_owners"]):
        raise invalid_request(
            "Email notifications need a recipient: give 'addresses', or set 'org_owners' or 'project_owners'.",
            "notifications.email",
            "invalid_value",
        )
    return merged


# --- rules ------------------------------------------------------------------------------------------------------


def _view(rule: dict[str, Any]) -> dict[str, Any]:
    return public(rule)


def _stored_rule(org: Organization, owner: str, rule_id: str) -> dict[str, Any]:
    rule = get_store().get(org.tenant, RULES, rule_id)
    if rule is None or rule["_owner"] != owner:
        raise not_found("HealthAlertRule", rule_id, "alert_rule_id")
    return rule


def create_rule(org: Organization, sent: RuleCreateParams, project_id: str | None = None) -> dict[str, Any]:
    owner = _owner_project(org, project_id, writing=True)
    now = clock.now_seconds()
    rule = {
        "id": ids.new_id(RULES),
        "object": RULES,
        "organization_id": org.id,
        "name": sent.name,
        "condition": _condition(sent.condition, None),
        "enabled": True if sent.enabled is None else sent.enabled,
        "filters": _filters(sent.filters, None, org, owner),
        "notifications": _notifications(sent.notifications, None, owner),
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


def _version_conflict(rule: dict[str, Any], expected: int) -> OpenAIError:
    return OpenAIError(
        409,
        f"Alert rule {rule['id']} is at version {rule['version']}, not {expected}: it changed since you read it. "
        "Retrieve it and retry with its current version.",
        param="expected_version",
        code="version_conflict",
    )


def update_rule(
    org: Organization, rule_id: str, sent: RuleUpdateParams, project_id: str | None = None
) -> dict[str, Any]:
    owner = _owner_project(org, project_id, writing=True)
    stored = _stored_rule(org, owner, rule_id)
    expected = sent.expected_version
    changes: dict[str, Any] = {}
    given = sent.model_fields_set
    if "name" in given and sent.name is not None:
        changes["name"] = sent.name
    if "enabled" in given and sent.enabled is not None:
        changes["enabled"] = sent.enabled
    if sent.condition is not None:
        changes["condition"] = _condition(sent.condition, stored["condition"])
    if "filters" in given:
        changes["filters"] = _filters(sent.filters, stored["filters"], org, owner)
    if "notifications" in given:
        changes["notifications"] = _notifications(sent.notifications, stored["notifications"], owner)
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


webhooks.register_source("health.alert_rule", evaluate)  # SOURCE, literal: resources/webhooks.py lists it

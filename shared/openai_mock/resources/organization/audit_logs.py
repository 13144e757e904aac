"""Audit logs: every mutating Administration API call writes one event, with the real event types,
the acting API key, and `effective_at`; `GET /organization/audit_logs` filters and pages them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from openai_mock import clock, ids
from openai_mock.pagination import ListParams, list_object
from openai_mock.resources.organization.core import AUDIT_LOGS, Organization
from openai_mock.store import get_store
from openai_mock.web.auth import Principal


def record(
    org: Organization,
    principal: Principal,
    event_type: str,
    details: dict[str, Any],
    project: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write one audit event: `details` is the event-type-keyed payload (`{"id": …, "data": …}`)."""
    event: dict[str, Any] = {
        "id": ids.new_id("audit_log"),
        "type": event_type,
        "effective_at": clock.now_seconds(),
        "actor": org.actor(principal),
        event_type: details,
    }
    if project is not None:
        event["project"] = {"id": project["id"], "name": project["name"]}
    return get_store().create(org.tenant, AUDIT_LOGS, event)


class AuditFilter(NamedTuple):
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None
    project_ids: Sequence[str] = ()
    event_types: Sequence[str] = ()
    actor_ids: Sequence[str] = ()
    actor_emails: Sequence[str] = ()
    resource_ids: Sequence[str] = ()

    def matches(self, event: dict[str, Any]) -> bool:
        at = event["effective_at"]
        if (self.gt is not None and at <= self.gt) or (self.gte is not None and at < self.gte):
            return False
        if (self.lt is not None and at >= self.lt) or (self.lte is not None and at > self.lte):
            return False
        api_key = (event.get("actor") or {}).get("api_key", {})  # the system (a fired spend alert) has no actor
        checks = (
            (self.project_ids, event.get("project", {}).get("id")),
            (self.event_types, event["type"]),
            (self.actor_ids, api_key.get("id")),
            (self.actor_emails, api_key.get("user", {}).get("email")),
            (self.resource_ids, event.get(event["type"], {}).get("id")),
        )
        return all(not wanted or value in wanted for wanted, value in checks)


def list_audit_logs(org: Organization, params: ListParams, where: AuditFilter) -> dict[str, Any]:
    """Newest first, like the real API, with `after`/`before` cursors."""
    page = get_store().list(
        org.tenant,
        AUDIT_LOGS,
        limit=params.limit,
        order="desc",
        after=params.after,
        before=params.before,
        where=where.matches,
    )
    return list_object(page)

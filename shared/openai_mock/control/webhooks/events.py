"""The webhook event types and their payloads (the 2026-08-21 spec's `webhooks:` section, `Webhook*` schemas).

Every event is `{"id": "evt_…", "object": "event", "type", "created_at", "data"}`; `data` is `{"id": <the
object's id>}` except for incoming calls, whose data names the SIP session, agent sessions', and a blocked safety
identifier's (its emitter gives the data: `emit(..., data=...)`). The registry is
open: a resource whose objects finish by the clock adds nothing here if its types are already listed (all sixteen
of the spec are, and those the API offers since), and `register_event_type` adds a new one (one line, with the data
builder when `{"id"}` does not fit)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

from openai_mock import ids

DataBuilder = Callable[[str], dict[str, Any]]


def _object_data(object_id: str) -> dict[str, Any]:
    return {"id": object_id}


_SIP_HEADERS = [
    {"name": "Max-Forwards", "value": "63"},
    {"name": "CSeq", "value": "851287 INVITE"},
    {"name": "Content-Type", "value": "application/sdp"},
]


def _realtime_call(call_id: str) -> dict[str, Any]:
    return {"call_id": call_id, "sip_headers": [dict(header) for header in _SIP_HEADERS]}


def _live_call(session_id: str) -> dict[str, Any]:
    return {"session_id": session_id, "sip_headers": [dict(header) for header in _SIP_HEADERS]}


class EventType(NamedTuple):
    name: str  # "batch.completed"
    sample_prefix: str  # what the ids of its objects start with, for test events: "batch_"
    data: DataBuilder = _object_data


EVENT_TYPES: dict[str, EventType] = {}


def register_event_type(name: str, sample_prefix: str, data: DataBuilder = _object_data) -> EventType:
    """Make `name` an event type endpoints can subscribe to and resources can emit (idempotent)."""
    event_type = EventType(name, sample_prefix, data)
    EVENT_TYPES[name] = event_type
    return event_type


for _name in ("completed", "failed", "cancelled", "incomplete"):
    register_event_type(f"response.{_name}", "resp_")
for _name in ("completed", "failed", "cancelled", "expired"):
    register_event_type(f"batch.{_name}", "batch_")
for _name in ("succeeded", "failed", "cancelled"):
    register_event_type(f"fine_tuning.job.{_name}", "ftjob-")
for _name in ("succeeded", "failed", "canceled"):  # the spec spells this one with one "l"
    register_event_type(f"eval.run.{_name}", "evalrun_")
register_event_type("realtime.call.incoming", "rtc_", _realtime_call)
register_event_type("live.call.incoming", "live_", _live_call)
register_event_type("live.transport.incoming", "live_", lambda sid: {**_live_call(sid), "type": "sip"})
register_event_type("live.transport.connected", "live_", lambda sid: {"session_id": sid, "type": "webrtc"})


def _agent_session(session_id: str) -> dict[str, Any]:
    return {"id": session_id, "environment_type": "hosted", "environment_id": None}


def _action_required(session_id: str) -> dict[str, Any]:
    return {"id": session_id, "required_action": {"type": "function_call"}}


# Types the API offers since the spec (the SDK's `client.webhooks`, /v1/webhook_endpoints): a video's end (emitted by
# resources/videos.py), safety alerts (resources/safety.py), and those nothing in the mock emits yet, which an endpoint
# may subscribe to and a test delivery sends (their data as the SDK's models shape it). Safety notices and blocked
# identifiers are sent to endpoints the dashboard registers (here: the controls'), not offered to /v1's.
for _name in ("completed", "failed"):
    register_event_type(f"video.{_name}", "video_")
for _name in ("triggered", "resolved"):
    register_event_type(f"health.alert.{_name}", "alert_")
register_event_type("safety.alert.created", "safety_alert_")
for _name in ("warning_issued", "deactivation_issued"):
    register_event_type(f"safety.{_name}", "safety_case_")


def _blocked_identifier(identifier: str) -> dict[str, Any]:
    """A test delivery's data; a real block's (resources/safety.py) also names the model, project and request."""
    return {"safety_category": "other", "safety_identifier": identifier}


register_event_type("safety_identifier.blocked", "user_", _blocked_identifier)
for _name in ("ready", "failed", "suspended", "expired"):
    register_event_type(f"agent.environment.{_name}", "env_")
for _name in ("created", "in_progress", "idle", "failed"):
    register_event_type(f"agent.session.{_name}", "sess_", _agent_session)
register_event_type("agent.session.action_required", "sess_", _action_required)


def known(name: str) -> bool:
    return name in EVENT_TYPES


def build_event(name: str, object_id: str, created_at: int, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event as the spec's `Webhook*` schema shapes it (key order as OpenAI sends it); `data` when the emitter
    gave its own (an event about no stored object: `safety_identifier.blocked`)."""
    return {
        "id": ids.new_id("event"),
        "object": "event",
        "created_at": created_at,
        "type": name,
        "data": EVENT_TYPES[name].data(object_id) if data is None else data,
    }


def sample_object_id(name: str, material: str) -> str:
    """An id of the right family for a test event (`POST /__mock/webhooks/{id}/test`)."""
    digest = hashlib.sha256(f"{name}|{material}".encode()).hexdigest()
    return EVENT_TYPES[name].sample_prefix + digest[:32]

"""Traces: one per finished root turn, its spans as OTLP JSON (`resourceSpans` → `scopeSpans` → `spans`): the turn,
and under it one span per item the turn produced. Written once when the turn ends (its id follows from the
turn's, so every settling reader writes the same trace)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from openai_mock.store import get_store
from openai_mock.store.base import Object

from . import records

_NANOS = 1_000_000_000
_STATUS = {"completed": 1, "failed": 2, "cancelled": 0}  # OTLP STATUS_CODE_OK / ERROR / UNSET


def trace_id_of(turn_id: str) -> str:
    return "trace_" + turn_id.removeprefix("turn_")


def _hex(material: str, length: int) -> str:
    return hashlib.sha256(material.encode()).hexdigest()[:length]


def _attribute(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": str(value)}}


def _item_span_name(item: Mapping[str, Any]) -> str:
    kind = item["type"]
    if kind == "function_call":
        return f"function {item['name']}"
    if kind == "mcp_call":
        return f"mcp {item['server_label']} {item['name']}"
    if kind == "computer_use_call":
        return f"computer {item['title']}"
    if kind == "message":
        return "user message" if item["role"] == "user" else "model response"
    return kind.replace("_", " ")


def otlp(turn: Mapping[str, Any], items: list[Object]) -> dict[str, Any]:
    """The turn's spans: the turn itself, then each item inside it (spread evenly over the turn's time)."""
    trace_hex = _hex(turn["id"], 32)
    root_span = _hex(turn["id"] + "#span", 16)
    start = (turn["started_at"] or turn["created_at"]) * _NANOS
    end = max((turn["completed_at"] or turn["created_at"]) * _NANOS, start)
    step = (end - start) // max(len(items), 1)
    usage = turn.get("usage") or {}
    spans = [
        {
            "traceId": trace_hex,
            "spanId": root_span,
            "name": "agent.turn",
            "kind": 1,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(end),
            "attributes": [
                _attribute("openai.session.id", turn["session_id"]),
                _attribute("openai.turn.id", turn["id"]),
                _attribute("openai.agent.id", turn["agent_id"]),
                _attribute("gen_ai.request.model", turn["_model"]),
                _attribute("gen_ai.usage.input_tokens", usage.get("input_tokens", 0)),
                _attribute("gen_ai.usage.output_tokens", usage.get("output_tokens", 0)),
                _attribute("openai.turn.status", turn["status"]),
            ],
            "status": {"code": _STATUS[turn["status"]]},
        }
    ]
    for index, item in enumerate(items):
        spans.append(
            {
                "traceId": trace_hex,
                "spanId": _hex(item["id"], 16),
                "parentSpanId": root_span,
                "name": _item_span_name(item),
                "kind": 1,
                "startTimeUnixNano": str(start + index * step),
                "endTimeUnixNano": str(start + (index + 1) * step),
                "attributes": [_attribute("openai.item.id", item["id"]), _attribute("openai.item.type", item["type"])],
                "status": {"code": 1},
            }
        )
    resource = {
        "attributes": [_attribute("service.name", "openai.agents"), _attribute("openai.session.id", turn["session_id"])]
    }
    return {
        "resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "openai.agents"}, "spans": spans}]}]
    }


def write_trace(tenant: str, turn: Object) -> None:
    """The finished root turn's trace (a subagent's turn is a span tree of its parent's, not a trace of its own)."""
    if turn.get("subagent_id"):
        return
    session_id = turn["session_id"]
    items = (
        get_store()
        .list(
            tenant,
            records.items_collection(session_id),
            limit=1_000_000,
            order="asc",
            where=lambda item: item["turn_id"] == turn["id"],
        )
        .items
    )
    trace = {
        "id": trace_id_of(turn["id"]),
        "object": "agent.session.trace",
        "created_at": turn["completed_at"] or turn["created_at"],
        "session_id": session_id,
        "otlp": otlp(turn, items),
    }
    records.write_once(tenant, records.traces_collection(session_id), trace)

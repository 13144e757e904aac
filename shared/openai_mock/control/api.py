"""The layer's one hook is `scripted(tenant, endpoint, request)`: model-serving entry points call it with the
request in chat shape (model, messages, tools, metadata) before building their answer. It returns the
fixture's `Scripted` for the builder (or None to generate), raises the fixture's error, and tells the
middleware (through the request's `RequestControls`) which fixture answered, how slowly, and whether to cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openai_mock.control import fixtures, runtime
from openai_mock.control.faults import STREAM_CUT, fault_error
from openai_mock.control.runtime import CONTROL_PREFIX
from openai_mock.generation.content import Scripted
from openai_mock.pagination import ListParams, list_object
from openai_mock.store import get_store

__all__ = [
    "CONTROL_PREFIX",
    "Scripted",
    "answer_of",
    "journal",
    "reset_process_state",
    "reset_tenant",
    "script_of",
    "scripted",
]


def scripted(
    tenant: str, endpoint: str, request: Mapping[str, Any], *, body: Mapping[str, Any] | None = None
) -> Scripted | None:
    """What the fixture matching this request makes the model say, or None (generate as usual). `body` is the
    request as sent when `request` (chat shape) is not it: what a fixture's `match.body` paths read."""
    answer = answer_of(tenant, endpoint, request, body=body)
    return None if answer is None else fixtures.script_of(answer)


def script_of(answer: Mapping[str, Any] | None) -> Scripted | None:
    """A fixture's answer as the text builders' input (None: generate)."""
    return None if answer is None else fixtures.script_of(answer)


def answer_of(
    tenant: str, endpoint: str, request: Mapping[str, Any], *, body: Mapping[str, Any] | None = None
) -> Mapping[str, Any] | None:
    """The answer (templates rendered) of the fixture matching this request, or None when none matches: for the
    endpoints whose fixtures give typed answers (embeddings' vectors, images' bytes, moderation categories,
    Responses items) the resource reads it itself. Raises the fixture's error or drawn fault, and tells the
    middleware which fixture answered, how slowly, and whether to cut."""
    fixture = fixtures.match_fixture(tenant, endpoint, request, body=body)
    if fixture is None:
        return None
    controls = runtime.current()
    organization = controls.organization if controls else "org-mock"
    if controls is not None:
        controls.fixture = fixture["id"]
        if "latency" in fixture:
            controls.latency = runtime.Pace(**fixture["latency"])
        if "stream_fault" in fixture and controls.stream_fault is None:
            from openai_mock.control import stream_faults  # a broken stream asked for: not at the cold start

            controls.stream_fault = stream_faults.from_fixture(fixture["stream_fault"])
    fault = fixture.get("fault")
    if fault and runtime.draw(tenant) < fault["rate"]:
        if controls is not None:
            controls.fault = fault["kind"]
        if fault["kind"] != STREAM_CUT:
            raise fault_error(fault["kind"], model=str(request.get("model")), organization=organization)
        if controls is not None:
            controls.cut = True
    answer: Mapping[str, Any] = fixture.get("response") or {}
    if "error" in answer:
        if controls is not None:
            controls.fault = answer["error"].get("kind")
        raise fixtures.error_of(answer, str(request.get("model")), organization)
    return answer


def journal(tenant: str, params: ListParams, chosen: runtime.JournalFilter | None = None) -> dict[str, Any]:
    """The tenant's recent requests, newest first by default; `chosen` keeps those meeting its conditions."""
    return list_object(runtime.journal_page(tenant, params, chosen))


def clear_journal(tenant: str) -> dict[str, Any]:
    return {"object": "mock.request.deleted", "deleted": True, "count": runtime.clear_journal(tenant)}


def reset_tenant(tenant: str) -> dict[str, Any]:
    """Delete everything the tenant stored (objects, fixtures, journal); its rate-limit counters are the
    caller's to reset (`resources.ratelimits.reset`), a tier above the controls."""
    deleted = get_store().delete_tenant(tenant) + runtime.clear_journal(tenant)
    return {"object": "mock.reset", "deleted": True, "objects_deleted": deleted}


def reset_process_state() -> None:
    """Forget in-process counters and scheduled webhook wake-ups (tests, `openai_mock.testing`)."""
    fixtures.reset_process_state()
    runtime.reset_process_state()
    # Imported here: the model-serving functions reach this module for `scripted`, and the webhooks package
    # (delivery, endpoints, signing: ~15 ms) is no part of their cold start.
    from openai_mock.control.webhooks import dispatch

    dispatch.reset()

"""A short, seeded schemathesis run over every routed operation of the 2026-08-21 spec (the long one is `make fuzz`)."""

from __future__ import annotations

import pytest

from openai_mock.local.server import TemplateRouter
from tests.hardening.fuzzing import GROUPS_IN_PROGRESS, operations, problems, routed, run_fuzz


@pytest.mark.timeout(2400)  # some 1,000 requests: minutes on a loaded machine
def test_every_routed_operation_survives_generated_requests(mock_app: TemplateRouter) -> None:
    report = run_fuzz(mock_app, examples=2, seed=20250311)
    assert report.operations >= 120, report.summary()  # of the 2026-08-21 spec, `?beta=true` twins aside
    assert report.requests >= 400, report.summary()
    assert not report.findings, "\n".join(str(f) for f in report.findings[:20])
    # Both kinds of answers were really exercised, not only 404s.
    assert report.statuses[200] >= 40 and report.statuses[400] >= 80, report.statuses


def test_groups_in_progress_are_picked_up_once_routed() -> None:
    served_groups = set(routed().values())
    chosen, unrouted = operations(GROUPS_IN_PROGRESS)
    assert {op.path.split("/")[1] for op in chosen} <= {"assistants", "threads", "batches", "responses", "realtime"}
    assert bool(chosen) == bool(served_groups & GROUPS_IN_PROGRESS)
    assert all(not line.startswith(("GET /models", "POST /files")) for line in unrouted)


@pytest.mark.parametrize(
    ("status", "content_type", "body", "complaint"),
    [
        (
            500,
            "application/json",
            b'{"error": {"message": "x", "type": "server_error", "param": null, "code": null}}',
            "server error",
        ),
        (422, "application/json", b'{"detail": [{"loc": ["body"], "msg": "field required"}]}', "error envelope"),
        (404, "text/plain", b"Not Found", "non-JSON"),
        (200, "application/json", b'{"object": "list", "data": [{"id": 3}]}', "does not conform"),
    ],
)
def test_the_checker_catches_each_kind_of_finding(status: int, content_type: str, body: bytes, complaint: str) -> None:
    found = problems("GET", "/v1/models", status, content_type, body)
    assert found and complaint in found[0]


def test_the_checker_accepts_real_answers() -> None:
    envelope = (
        b'{"error": {"message": "No such Model object: m", "type": "invalid_request_error", "param": null, '
        b'"code": null}}'
    )
    assert problems("GET", "/v1/models/m", 404, "application/json", envelope) == []
    empty = b'{"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false}'
    assert problems("GET", "/v1/vector_stores", 200, "application/json", empty) == []
